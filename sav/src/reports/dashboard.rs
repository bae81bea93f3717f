//! The dashboards' reads of the tenant database: where the SLA stands over the tickets a caller
//! may see (by the badge's rule, `tickets::badge`), and the load of each staff member.

use base::Role;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgConnection, Postgres, QueryBuilder};
use utoipa::ToSchema;

use crate::ids::{TeamId, TicketId, UserId};
use crate::tickets::access::Viewer;
use crate::tickets::badge::{self, Target};
use crate::tickets::priority::Priority;
use crate::tickets::status::Status;
use crate::tickets::store::{self, Ticket};

/// How many at-risk tickets the summary lists.
const AT_RISK_MAX: i64 = 50;

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusPriorityCount {
    pub status: Status,
    pub priority: Priority,
    pub count: i64,
}

/// Tickets not closed whose SLA badge says a target was missed.
#[derive(Debug, Serialize, ToSchema, FromRow)]
pub struct Breaches {
    /// Badges with `response_breached`.
    pub response: i64,
    /// Badges with `resolution_breached`.
    pub resolution: i64,
    /// Badges with `next_response_breached`.
    pub next_response: i64,
    /// Badges with any.
    pub tickets: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AtRisk {
    #[schema(value_type = i64)]
    pub id: TicketId,
    pub ticket_number: String,
    pub priority: Priority,
    pub status: Status,
    #[schema(value_type = Option<Uuid>)]
    pub assigned_to: Option<UserId>,
    /// The badge's next target.
    pub sla_type: Target,
    pub due_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaSummary {
    /// Tickets that are not closed, by status and priority.
    pub open: Vec<StatusPriorityCount>,
    /// Over the same tickets, counted by their badges.
    pub breaches: Breaches,
    /// Tickets whose badge says `at_risk`.
    pub at_risk_count: i64,
    /// Those tickets, soonest due first, at most 50.
    pub at_risk: Vec<AtRisk>,
    pub generated_at: DateTime<Utc>,
}

/// Appends `FROM` the tickets `viewer` may see that are not closed (as `t`, which `badge::Sql`
/// reads).
fn push_not_closed(query: &mut QueryBuilder<'_, Postgres>, viewer: Viewer) {
    query.push(" FROM support_tickets t WHERE t.status <> 'closed'");
    viewer.push_visibility(query);
}

/// The summary over the tickets `viewer` may see, as of `now`: every count by the badge's rule.
pub async fn sla_summary(conn: &mut PgConnection, viewer: Viewer, now: DateTime<Utc>) -> sqlx::Result<SlaSummary> {
    let scope = viewer.scope();
    let open = sqlx::query_as!(
        StatusPriorityCount,
        r#"SELECT t.status AS "status: Status", t.priority AS "priority: Priority", count(*) AS "count!"
           FROM support_tickets t WHERE t.status <> 'closed'
             AND ($1::uuid IS NULL OR t.user_id = $1 OR colleague_may_comment($1, t.user_id, t.organization_id) IS NOT NULL)
             AND ($2::uuid IS NULL OR t.assigned_to = $2)
             AND ($3::uuid IS NULL OR t.assigned_to = $3 OR t.team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = $3)
                  OR (t.assigned_to IS NULL AND t.team_id IS NULL))
           GROUP BY t.status, t.priority ORDER BY t.status, t.priority"#,
        scope.customer as _,
        scope.assigned_to as _,
        scope.teams_of as _,
    )
    .fetch_all(&mut *conn)
    .await?;

    let sla = badge::Sql { now };
    let mut counts = QueryBuilder::<Postgres>::new("SELECT count(*) FILTER (WHERE ");
    sla.push_response_breached(&mut counts);
    counts.push(") AS response, count(*) FILTER (WHERE ");
    sla.push_resolution_breached(&mut counts);
    counts.push(") AS resolution, count(*) FILTER (WHERE ");
    sla.push_next_response_breached(&mut counts);
    counts.push(") AS next_response, count(*) FILTER (WHERE ");
    sla.push_breached(&mut counts);
    counts.push(") AS tickets, count(*) FILTER (WHERE ");
    sla.push_at_risk(&mut counts);
    counts.push(") AS at_risk");
    push_not_closed(&mut counts, viewer);
    let row: (i64, i64, i64, i64, i64) = counts.build_query_as().fetch_one(&mut *conn).await?;
    let breaches = Breaches { response: row.0, resolution: row.1, next_response: row.2, tickets: row.3 };

    let mut risky = QueryBuilder::<Postgres>::new("SELECT ");
    risky.push(store::COLUMNS);
    push_not_closed(&mut risky, viewer);
    risky.push(" AND ");
    sla.push_at_risk(&mut risky);
    risky.push(" ORDER BY ");
    badge::Sql::push_next_due_at(&mut risky);
    risky.push(", t.id LIMIT ").push_bind(AT_RISK_MAX);
    let rows: Vec<Ticket> = risky.build_query_as().fetch_all(&mut *conn).await?;
    let at_risk = rows
        .into_iter()
        .filter_map(|t| {
            let badge = badge::of(&t, now);
            Some(AtRisk {
                id: t.id,
                ticket_number: t.ticket_number,
                priority: t.priority,
                status: t.status,
                assigned_to: t.assigned_to,
                sla_type: badge.next?,
                due_at: badge.due_at?,
            })
        })
        .collect();
    Ok(SlaSummary { open, breaches, at_risk_count: row.4, at_risk, generated_at: now })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentLoad {
    #[schema(value_type = Uuid)]
    pub user_id: UserId,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    pub role: Role,
    pub open: i64,
    pub in_progress: i64,
    pub waiting_customer: i64,
    pub resolved: i64,
    /// Tickets assigned and not closed.
    pub total: i64,
    /// Whether they take tickets now (routing passes them by otherwise).
    pub available: bool,
    /// The teams they are a member of.
    #[schema(value_type = Vec<Uuid>)]
    pub team_ids: Vec<TeamId>,
}

/// Active staff members after `after`, by id, with the tickets assigned to them by status: at
/// most `limit`.
pub async fn workload(conn: &mut PgConnection, after: Option<UserId>, limit: i64) -> sqlx::Result<Vec<AgentLoad>> {
    sqlx::query_as!(
        AgentLoad,
        r#"SELECT u.id AS user_id, u.email, u.firstname, u.lastname, u.role AS "role: Role",
            count(t.id) FILTER (WHERE t.status = 'open') AS "open!",
            count(t.id) FILTER (WHERE t.status = 'in_progress') AS "in_progress!",
            count(t.id) FILTER (WHERE t.status = 'waiting_customer') AS "waiting_customer!",
            count(t.id) FILTER (WHERE t.status = 'resolved') AS "resolved!",
            count(t.id) AS "total!", u.available,
            ARRAY(SELECT m.team_id FROM team_members m WHERE m.user_id = u.id ORDER BY m.team_id) AS "team_ids!: Vec<TeamId>"
         FROM users u
         LEFT JOIN support_tickets t ON t.assigned_to = u.id AND t.status <> 'closed'
         WHERE u.active AND u.role IN ('owner', 'admin', 'agent') AND ($1::uuid IS NULL OR u.id > $1)
         GROUP BY u.tenant_id, u.id ORDER BY u.id LIMIT $2"#,
        after as _,
        limit,
    )
    .fetch_all(conn)
    .await
}
