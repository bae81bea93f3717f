//! The ticket list in the tenant database: what the caller may see, filtered and searched, in
//! pages. The crate's one query built at run time, as which conditions it holds depends on the
//! filters given.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection, Postgres, QueryBuilder};

use super::access::Viewer;
use super::badge::{self, Shown, SlaBadge, Turns};
use super::fields::{Bound, Condition};
use super::messages::Channel;
use super::priority::Priority;
use super::status::Status;
use super::store::{self, Ticket};

use crate::ids::{OrganizationId, TeamId, UserId, ViewId};

/// Where the SLA puts a ticket, as a list filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaFilter {
    /// A target missed (found by the jobs, or past due on a running clock).
    Breached,
    /// Running, the next target not missed, under a quarter of it left.
    AtRisk,
}

/// The list's order; pages follow it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    #[default]
    NewestFirst,
    OldestFirst,
}

/// A ticket as lists show it: the ticket and the caller's unread count; its SLA badge comes
/// from its stored due and risk instants.
#[derive(Debug, FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub ticket: Ticket,
    /// Unread public messages from staff, and from the customer (kept on the ticket, migration
    /// 0009).
    pub unread_from_agent: i32,
    pub unread_from_customer: i32,
}

impl Listed {
    /// The badge at `now`.
    pub fn badge(&self, now: DateTime<Utc>) -> SlaBadge {
        badge::of(&self.ticket, now)
    }

    /// What time alone does to that badge from `now` on.
    pub fn turns(&self, now: DateTime<Utc>) -> Turns {
        badge::turns(&self.ticket, now, Shown::Badge)
    }
}

/// What `GET /v1/tickets` asks for: every filter present applies (AND).
#[derive(Debug, Default)]
pub struct Filter<'a> {
    /// Any of these statuses (none: any status).
    pub statuses: Vec<Status>,
    /// Any of these priorities (none: any priority).
    pub priorities: Vec<Priority>,
    pub assigned_to: Option<UserId>,
    /// `true`: nobody is assigned; `false`: someone is.
    pub unassigned: Option<bool>,
    /// `Some(None)`: tickets of no team; `Some(Some(id))`: that team's.
    #[allow(clippy::option_option, reason = "absent: any team; none: no team; an id: that team")]
    pub team: Option<Option<TeamId>>,
    /// `Some(None)`: tickets of no customer organisation; `Some(Some(id))`: that one's.
    #[allow(clippy::option_option, reason = "absent: any; none: no organisation; an id: that one")]
    pub organization: Option<Option<OrganizationId>>,
    pub category: Option<&'a str>,
    pub channel: Option<Channel>,
    /// Every one of these tags, any one of these, none of these (empty: no condition).
    pub tags_all: Vec<String>,
    pub tags_any: Vec<String>,
    pub tags_none: Vec<String>,
    /// Custom fields' conditions, read against the definitions (`fields::conditions`).
    pub fields: Vec<Condition>,
    /// The customer.
    pub user_id: Option<UserId>,
    pub order_id: Option<i64>,
    /// Full-text search in websearch syntax, over what the caller may read of the thread.
    pub q: Option<&'a str>,
    pub sla: Option<SlaFilter>,
    pub order: Order,
    /// Tickets after this one in `order` (the cursor).
    pub after: Option<i64>,
    pub limit: u32,
}

impl Filter<'_> {
    /// What time alone does to which tickets the filter finds: with an SLA filter, they change
    /// as time passes; otherwise only a write changes them.
    pub fn turns(&self) -> Turns {
        if self.sla.is_some() { Turns::Always } else { Turns::Never }
    }
}

/// The tickets `viewer` may see that match `filter` at `now`, in its order: at most `limit` + 1,
/// the last one telling that there is a next page.
pub async fn list(
    conn: &mut PgConnection,
    viewer: Viewer,
    filter: &Filter<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Listed>> {
    statement(viewer, filter, now).build_query_as().fetch_all(conn).await
}

/// The statement `list` runs, with its parameters bound (the benchmark reads its text too).
pub fn statement<'a>(viewer: Viewer, filter: &Filter<'a>, now: DateTime<Utc>) -> QueryBuilder<'a, Postgres> {
    // The page's ids first: with filters on indexed columns an index-only scan finds and sorts
    // them without reading every matching row; then the rows of those ids alone.
    let mut query = QueryBuilder::<Postgres>::new("SELECT ");
    query.push(store::COLUMNS).push(
        ", t.unread_from_agent, t.unread_from_customer
         FROM support_tickets t
         WHERE t.id = ANY(ARRAY(SELECT t.id FROM support_tickets t WHERE true",
    );
    push_conditions(&mut query, viewer, filter, now);
    let (after, direction) = match filter.order {
        Order::NewestFirst => (" AND t.id < ", "DESC"),
        Order::OldestFirst => (" AND t.id > ", "ASC"),
    };
    if let Some(position) = filter.after {
        query.push(after).push_bind(position);
    }
    query.push(format!(" ORDER BY t.id {direction} LIMIT ")).push_bind(i64::from(filter.limit) + 1);
    query.push(format!(")) ORDER BY t.id {direction}"));
    query
}

/// How many tickets `viewer` may see match each of `filters` at `now` (exactly, whatever the
/// page size), in one statement: `(id, count)` for each filter named by `id`. Order, cursor and
/// limit are not read.
pub async fn counts(
    conn: &mut PgConnection,
    viewer: Viewer,
    filters: &[(ViewId, &Filter<'_>)],
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(ViewId, i64)>> {
    if filters.is_empty() {
        return Ok(Vec::new());
    }
    // One scalar subquery a filter, each an index scan of its own, in one round trip.
    let mut query = QueryBuilder::<Postgres>::new("");
    for (n, (key, filter)) in filters.iter().enumerate() {
        if n > 0 {
            query.push(" UNION ALL ");
        }
        query.push("SELECT ").push_bind(*key).push(", (SELECT count(*) FROM support_tickets t WHERE true");
        push_conditions(&mut query, viewer, filter, now);
        query.push(")");
    }
    query.build_query_as::<(ViewId, i64)>().fetch_all(conn).await
}

/// ` AND ...` for what `viewer` may see and every condition of `filter` (not its order, cursor or
/// limit), over `support_tickets t`.
pub(crate) fn push_conditions<'a>(
    query: &mut QueryBuilder<'a, Postgres>,
    viewer: Viewer,
    filter: &Filter<'a>,
    now: DateTime<Utc>,
) {
    viewer.push_visibility(query);
    // A customer's lists hold their own tickets, unless narrowed to one of their organisations:
    // then the organisation's they see.
    if !viewer.is_staff() && !matches!(filter.organization, Some(Some(_))) {
        query.push(" AND t.user_id = ").push_bind(viewer.id);
    }
    push_properties(query, filter);
    push_the_rest(query, viewer, filter, now);
}

/// ` AND ...` for the conditions of `filter` on the properties the tallies hold too (status,
/// priority, assignee, team, category: `super::tallies`), over `t`.
pub(super) fn push_properties<'a>(query: &mut QueryBuilder<'a, Postgres>, filter: &Filter<'a>) {
    if !filter.statuses.is_empty() {
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        query.push(" AND t.status = ANY(").push_bind(statuses).push(")");
    }
    if !filter.priorities.is_empty() {
        let priorities: Vec<&str> = filter.priorities.iter().map(|p| p.as_str()).collect();
        query.push(" AND t.priority = ANY(").push_bind(priorities).push(")");
    }
    if let Some(assignee) = filter.assigned_to {
        query.push(" AND t.assigned_to = ").push_bind(assignee);
    }
    match filter.unassigned {
        Some(true) => query.push(" AND t.assigned_to IS NULL"),
        Some(false) => query.push(" AND t.assigned_to IS NOT NULL"),
        None => &mut *query,
    };
    match filter.team {
        Some(Some(team)) => query.push(" AND t.team_id = ").push_bind(team),
        Some(None) => query.push(" AND t.team_id IS NULL"),
        None => &mut *query,
    };
    match filter.organization {
        Some(Some(organization)) => query.push(" AND t.organization_id = ").push_bind(organization),
        Some(None) => query.push(" AND t.organization_id IS NULL"),
        None => &mut *query,
    };
    if let Some(channel) = filter.channel {
        query.push(" AND t.channel = ").push_bind(channel.as_str());
    }
    if let Some(category) = filter.category {
        query.push(" AND t.category = ").push_bind(category);
    }
}

/// ` AND ...` for the conditions of `filter` that `push_properties` leaves (tags, fields, the
/// customer, the order, the words, the SLA), over `support_tickets t`.
fn push_the_rest<'a>(query: &mut QueryBuilder<'a, Postgres>, viewer: Viewer, filter: &Filter<'a>, now: DateTime<Utc>) {
    // One GIN index on the tags serves the three (migration 0016).
    if !filter.tags_all.is_empty() {
        query.push(" AND t.tags @> ").push_bind(filter.tags_all.clone());
    }
    if !filter.tags_any.is_empty() {
        query.push(" AND t.tags && ").push_bind(filter.tags_any.clone());
    }
    if !filter.tags_none.is_empty() {
        query.push(" AND NOT t.tags && ").push_bind(filter.tags_none.clone());
    }
    // Equality on the GIN index of the values (migration 0019); ranges on the B-tree of number
    // and date values.
    for condition in &filter.fields {
        match condition {
            Condition::Holds(value) => query.push(" AND t.fields @> ").push_bind(value.clone()),
            Condition::Range { key, bound, ordinal } => query
                .push(" AND t.id IN (SELECT r.ticket_id FROM ticket_field_ranges r WHERE r.key = ")
                .push_bind(key.clone())
                .push(match bound {
                    Bound::AtLeast => " AND r.value >= ",
                    Bound::AtMost => " AND r.value <= ",
                    Bound::Equal => " AND r.value = ",
                })
                .push_bind(*ordinal)
                .push(")"),
        };
    }
    if let Some(customer) = filter.user_id {
        query.push(" AND t.user_id = ").push_bind(customer);
    }
    if let Some(order) = filter.order_id {
        query.push(" AND t.order_id = ").push_bind(order);
    }
    if let Some(q) = filter.q {
        // The ticket and its thread as the caller may see them (migration 0002).
        let document = if viewer.sees_internal_notes() { "search_staff" } else { "search_public" };
        query.push(format!(" AND t.{document} @@ websearch_to_tsquery('simple', ")).push_bind(q).push(")");
    }
    if let Some(wanted) = filter.sla {
        query.push(" AND ");
        let sla = badge::Sql { now };
        match wanted {
            SlaFilter::Breached => sla.push_breached(query),
            SlaFilter::AtRisk => sla.push_at_risk(query),
        }
    }
}
