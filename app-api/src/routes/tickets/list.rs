//! `GET /v1/tickets`: the tickets the caller may see, newest (or oldest) first, filtered, searched,
//! in pages, each with its SLA badge and the caller's unread count.

use axum::extract::RawQuery;
use axum::response::Response;
use chrono::{DateTime, Utc};
use sav::ids::{OrganizationId, TeamId, UserId};
use sav::tickets::access::Viewer;
use sav::tickets::badge::{SlaBadge, Turns};
use sav::tickets::events::SenderType;
use sav::tickets::fields;
use sav::tickets::listing::{self, Filter, Listed, Order, SlaFilter};
use sav::tickets::messages::Channel;
use sav::tickets::priority::Priority;
use sav::tickets::status::Status;
use sav::tickets::tags;
use sav::tickets::view::TicketView;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::{Page, PageParams, invalid_query, one_of, parse_list_query};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::{Access, Members};
use crate::live::versions::Revalidation;
use crate::refusals::Answered as _;

const QUERY_MAX_CHARS: usize = 200;

/// The list's parameters. Custom fields are filtered by `field.KEY=value` (equal; a
/// multi-select holding it; a checkbox `true` or `false`), `field.KEY.gte=` and `field.KEY.lte=`
/// (numbers and dates), at most 20 (`TicketFilter::parse`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TicketFilter {
    /// Repeatable: one status or several, comma-separated (`open,in_progress`) or repeated.
    #[serde(default)]
    pub status: Vec<String>,
    /// Repeatable: one priority or several, comma-separated or repeated.
    #[serde(default)]
    pub priority: Vec<String>,
    #[param(value_type = Option<Uuid>)]
    pub assigned_to: Option<UserId>,
    pub category: Option<String>,
    /// Where the tickets came from: `web`, `email`, `api` or `phone`.
    pub channel: Option<String>,
    /// The customer.
    #[param(value_type = Option<Uuid>)]
    pub user_id: Option<UserId>,
    pub order_id: Option<i64>,
    /// `true`: only tickets nobody is assigned to; `false`: only assigned ones.
    pub unassigned: Option<bool>,
    /// A team's id: only its tickets; `none`: only tickets of no team.
    pub team_id: Option<String>,
    /// A customer organisation's id: only its tickets; `none` (staff): only tickets of none.
    pub organization_id: Option<String>,
    /// Repeatable: tickets holding every one of these tags.
    #[serde(default)]
    pub tag: Vec<String>,
    /// Repeatable: tickets holding at least one of these tags.
    #[serde(default)]
    pub tag_any: Vec<String>,
    /// Repeatable: tickets holding none of these tags.
    #[serde(default)]
    pub no_tag: Vec<String>,
    /// Full-text search over subject, description and the thread (web search syntax: words,
    /// "phrases", OR, -not); customers' searches never read internal notes.
    pub q: Option<String>,
    /// `breached`: a target missed; `at_risk`: running, under a quarter of the next target left.
    pub sla: Option<String>,
    /// `newest` (the default) or `oldest` first.
    pub sort: Option<String>,
    /// 1 to 100, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// The `field.` parameters, read apart (`parse`).
    #[serde(skip)]
    #[param(ignore)]
    pub custom: Vec<fields::Wanted>,
}

/// The most custom field filters one list takes.
const FIELD_FILTERS_MAX: usize = 20;

/// The values of `?channel=`.
const CHANNELS: [(&str, Channel); 4] =
    [("web", Channel::Web), ("email", Channel::Email), ("api", Channel::Api), ("phone", Channel::Phone)];

impl TicketFilter {
    /// `query` (a query string without its `?`) read: the named parameters as `ListQuery` reads
    /// them, and the custom field filters (`field.KEY...`), which the list reads against the
    /// definitions (`fields::resolve`). What cannot be read is a 400 naming the parameter.
    pub fn parse(query: &str) -> ApiResult<Self> {
        let (custom, named): (Vec<_>, Vec<_>) =
            url::form_urlencoded::parse(query.as_bytes()).partition(|(name, _)| name.starts_with("field."));
        let named = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(named).finish();
        let mut filter: Self = parse_list_query(&named)?;
        if custom.len() > FIELD_FILTERS_MAX {
            let error = FieldError::new("field", format!("at most {FIELD_FILTERS_MAX} field filters"));
            return Err(invalid_query(vec![error]));
        }
        filter.custom = custom
            .iter()
            .filter_map(|(name, value)| fields::Wanted::parse(name, value))
            .collect::<Result<_, _>>()
            .map_err(|e| invalid_query(vec![e]))?;
        Ok(filter)
    }
}

/// Known values, each given apart or several comma-separated; an unknown one is a 400 naming the
/// field.
fn parse_list<T>(field: &str, values: &[String], parse: fn(&str) -> Option<T>) -> ApiResult<Vec<T>> {
    values
        .iter()
        .flat_map(|value| value.split(','))
        .map(|item| {
            parse(item.trim())
                .ok_or_else(|| invalid_query(vec![FieldError::new(field, format!("unknown value {item:?}"))]))
        })
        .collect()
}

/// A ticket in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketListItem {
    #[serde(flatten)]
    pub ticket: TicketView,
    pub sla: SlaBadge,
    /// Messages from the other side (staff for a customer, the customer for staff) not read yet.
    pub unread_count: i64,
}

/// Tickets the caller may see.
#[utoipa::path(get, path = "/v1/tickets", tag = "tickets", security(("bearer" = [])), params(TicketFilter),
    responses(
        (status = 200, description = "A page of tickets, newest first unless `sort=oldest`", body = Page<TicketListItem>),
        Revalidation,
        (status = 400, description = "`validation_failed`: an unknown parameter or value"),
        (status = 422, description = "`validation_failed`: a bad limit, cursor or query; a field filter naming no field the caller is shown, or a value the field cannot hold"),
    ))]
pub async fn list_tickets(
    revalidation: Revalidation,
    access: Access<Members>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let filter = TicketFilter::parse(query.as_deref().unwrap_or_default())?;
    let mut wanted = filter.checked()?;
    if let Some(answered) = revalidation.answered() {
        return Ok(answered);
    }
    let (viewer, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    wanted.fields = fields::resolve(&mut tx, viewer, &filter.custom).await.answered()?;
    let (page, turns) = page_of(&mut tx, viewer, &wanted).await?;
    revalidation.answer(&page, turns)
}

/// The page of tickets `viewer` may see that `wanted` finds now, each with its badge, and what
/// time alone does to it (the list, and a saved view's tickets).
pub async fn page_of(
    db: &mut sqlx::PgConnection,
    viewer: Viewer,
    wanted: &Filter<'_>,
) -> ApiResult<(Page<TicketListItem>, Turns)> {
    let now = Utc::now();
    let rows = listing::list(db, viewer, wanted, now).await?;
    let page = Page::from_rows(rows, wanted.limit, |t| t.ticket.id);
    let shown = fields::shown(db, viewer).await?;
    // The page changes when the first of its badges turns, or all the time under an SLA filter.
    let mut turns = wanted.turns();
    let data = page
        .data
        .into_iter()
        .map(|row| {
            turns = turns.and(row.turns(now));
            TicketListItem::of(row, viewer, &shown, now)
        })
        .collect();
    Ok((Page { data, next_cursor: page.next_cursor }, turns))
}

impl TicketFilter {
    /// The filter these parameters ask for: 400 for an unknown value, 422 for a bad limit,
    /// cursor or query.
    pub fn checked(&self) -> ApiResult<Filter<'_>> {
        let page = PageParams { limit: self.limit, cursor: self.cursor.clone() };
        let limit = page.limit()?;
        let sla = [("breached", SlaFilter::Breached), ("at_risk", SlaFilter::AtRisk)];
        let order = [("newest", Order::NewestFirst), ("oldest", Order::OldestFirst)];
        let q = self.q.as_deref().map(str::trim);
        if q.is_some_and(|q| q.is_empty() || q.chars().count() > QUERY_MAX_CHARS) {
            return Err(ApiError::invalid(vec![FieldError::new("q", "must be 1 to 200 characters")]));
        }
        Ok(Filter {
            statuses: parse_list("status", &self.status, Status::parse)?,
            priorities: parse_list("priority", &self.priority, Priority::parse)?,
            assigned_to: self.assigned_to,
            unassigned: self.unassigned,
            team: self.team()?,
            organization: self.organization()?,
            category: self.category.as_deref(),
            channel: one_of("channel", self.channel.as_deref(), &CHANNELS)?,
            tags_all: tags_of("tag", &self.tag)?,
            tags_any: tags_of("tag_any", &self.tag_any)?,
            tags_none: tags_of("no_tag", &self.no_tag)?,
            fields: Vec::new(),
            user_id: self.user_id,
            order_id: self.order_id,
            q,
            sla: one_of("sla", self.sla.as_deref(), &sla)?,
            order: one_of("sort", self.sort.as_deref(), &order)?.unwrap_or_default(),
            after: page.position()?,
            limit,
        })
    }
}

impl TicketFilter {
    /// `team_id`: `Some(None)` for `none`, a team's id, or a 400 naming the field.
    #[allow(clippy::option_option, reason = "absent: any team; none: no team; an id: that team")]
    fn team(&self) -> ApiResult<Option<Option<TeamId>>> {
        match self.team_id.as_deref() {
            None => Ok(None),
            Some("none") => Ok(Some(None)),
            Some(id) => id
                .parse::<Uuid>()
                .map(|id| Some(Some(TeamId(id))))
                .map_err(|_| invalid_query(vec![FieldError::new("team_id", "must be a team's id or `none`")])),
        }
    }
}

impl TicketFilter {
    /// `organization_id`: `Some(None)` for `none`, an organisation's id, or a 400 naming the
    /// field.
    #[allow(clippy::option_option, reason = "absent: any; none: no organisation; an id: that one")]
    fn organization(&self) -> ApiResult<Option<Option<OrganizationId>>> {
        match self.organization_id.as_deref() {
            None => Ok(None),
            Some("none") => Ok(Some(None)),
            Some(id) => id.parse::<Uuid>().map(|id| Some(Some(OrganizationId(id)))).map_err(|_| {
                invalid_query(vec![FieldError::new("organization_id", "must be an organisation's id or `none`")])
            }),
        }
    }
}

/// The tags a filter names, as stored (trimmed, lower-cased); a bad one is a 400 naming the
/// parameter.
fn tags_of(field: &str, values: &[String]) -> ApiResult<Vec<String>> {
    let tags = tags::checked(field, values).map_err(|err| invalid_query(vec![err]))?;
    Ok(tags.into_iter().collect())
}

impl TicketListItem {
    fn of(row: Listed, viewer: Viewer, shown: &fields::Shown, now: DateTime<Utc>) -> Self {
        Self {
            sla: row.badge(now),
            unread_count: match viewer.receives_from() {
                SenderType::Agent => i64::from(row.unread_from_agent),
                SenderType::Customer => i64::from(row.unread_from_customer),
            },
            ticket: TicketView::new(row.ticket, viewer, shown),
        }
    }
}
