//! Dashboards: `GET /v1/sla/summary` (staff, over the tickets each may see) and
//! `GET /v1/agents/workload` (admins).

use axum::Json;
use axum::extract::Query;
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::error::ApiResult;
use shared::http::{Page, PageParams};
use sqlx::{FromRow, Postgres, QueryBuilder};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::context::{TenantContext, TenantDb};
use crate::tickets::access::Viewer;
use crate::tickets::priority::Priority;
use crate::tickets::sla;

/// How many at-risk tickets the summary lists.
const AT_RISK_MAX: i64 = 50;

#[derive(Debug, Serialize, ToSchema, FromRow)]
pub struct StatusPriorityCount {
    pub status: String,
    pub priority: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema, FromRow)]
pub struct Breaches {
    /// Running tickets past their response target (unanswered in time).
    pub response: i64,
    /// Running tickets past their resolution target.
    pub resolution: i64,
}

#[derive(Debug, Serialize, ToSchema, FromRow)]
pub struct AtRisk {
    pub id: i64,
    pub ticket_number: String,
    pub priority: String,
    pub status: String,
    pub assigned_to: Option<Uuid>,
    /// `response` or `resolution`: the target that comes first.
    pub sla_type: String,
    pub due_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaSummary {
    /// Tickets that are not closed, by status and priority.
    pub open: Vec<StatusPriorityCount>,
    pub breaches: Breaches,
    /// Running tickets, not yet breached, with less than a quarter of a target left; soonest
    /// first, at most 50.
    pub at_risk: Vec<AtRisk>,
    pub generated_at: DateTime<Utc>,
}

/// `CASE t.priority WHEN 'low' THEN <a quarter of its target> ... END` as an interval.
fn push_quarter_target(query: &mut QueryBuilder<'_, Postgres>, pick: fn(sla::Targets) -> chrono::Duration) {
    query.push("make_interval(secs => CASE t.priority");
    for priority in Priority::ALL {
        let quarter = pick(sla::targets(priority)).num_seconds() / 4;
        #[allow(clippy::cast_precision_loss, reason = "a few days in seconds")]
        query.push(" WHEN ").push_bind(priority.as_str()).push(" THEN ").push_bind(quarter as f64);
    }
    query.push(" END)");
}

/// Where the SLA stands over the tickets the caller may see.
#[utoipa::path(get, path = "/v1/sla/summary", tag = "reports", security(("bearer" = [])),
    responses(
        (status = 200, description = "The summary", body = SlaSummary),
        (status = 403, description = "`forbidden`: customers"),
    ))]
pub async fn get_sla_summary(context: TenantContext, tenant_db: TenantDb) -> ApiResult<Json<SlaSummary>> {
    let mut db = tenant_db.connect().await?;
    let viewer = Viewer::load(&mut db, context.user_id).await?;
    viewer.require_staff()?;
    let now = Utc::now();

    let mut query = QueryBuilder::<Postgres>::new(
        "SELECT t.status, t.priority, count(*) AS count FROM support_tickets t WHERE t.status <> 'closed'",
    );
    viewer.push_visibility(&mut query);
    query.push(" GROUP BY t.status, t.priority ORDER BY t.status, t.priority");
    let open: Vec<StatusPriorityCount> = query.build_query_as().fetch_all(&mut *db).await?;

    let mut query = QueryBuilder::<Postgres>::new("SELECT count(*) FILTER (WHERE coalesce(t.first_response_at, ");
    query
        .push_bind(now)
        .push(") > t.response_due_at) AS response, count(*) FILTER (WHERE t.resolution_due_at < ")
        .push_bind(now)
        .push(") AS resolution FROM support_tickets t WHERE t.status IN ('open', 'in_progress')");
    viewer.push_visibility(&mut query);
    let breaches: Breaches = query.build_query_as().fetch_one(&mut *db).await?;

    // The first target still ahead of each running ticket: the response while unanswered, else
    // the resolution.
    let mut query = QueryBuilder::<Postgres>::new(
        "SELECT id, ticket_number, priority, status, assigned_to, sla_type, due_at FROM (
           SELECT t.id, t.ticket_number, t.priority, t.status, t.assigned_to,
             CASE WHEN t.first_response_at IS NULL AND t.response_due_at < t.resolution_due_at
               THEN 'response' ELSE 'resolution' END AS sla_type,
             CASE WHEN t.first_response_at IS NULL AND t.response_due_at < t.resolution_due_at
               THEN t.response_due_at ELSE t.resolution_due_at END AS due_at,
             CASE WHEN t.first_response_at IS NULL AND t.response_due_at < t.resolution_due_at
               THEN ",
    );
    push_quarter_target(&mut query, |t| t.response);
    query.push(" ELSE ");
    push_quarter_target(&mut query, |t| t.resolution);
    query.push(" END AS margin FROM support_tickets t WHERE t.status IN ('open', 'in_progress')");
    viewer.push_visibility(&mut query);
    query
        .push(") AS running WHERE due_at > ")
        .push_bind(now)
        .push(" AND due_at - ")
        .push_bind(now)
        .push(" < margin ORDER BY due_at, id LIMIT ")
        .push_bind(AT_RISK_MAX);
    let at_risk: Vec<AtRisk> = query.build_query_as().fetch_all(&mut *db).await?;
    Ok(Json(SlaSummary { open, breaches, at_risk, generated_at: now }))
}

#[derive(Debug, Serialize, ToSchema, FromRow)]
pub struct AgentLoad {
    pub user_id: Uuid,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    pub role: String,
    pub open: i64,
    pub in_progress: i64,
    pub waiting_customer: i64,
    pub resolved: i64,
    /// Tickets assigned and not closed.
    pub total: i64,
}

/// Tickets assigned to each staff member, by status (owners and admins).
#[utoipa::path(get, path = "/v1/agents/workload", tag = "reports", security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "One row per active staff member", body = Page<AgentLoad>),
        (status = 403, description = "`forbidden`: owners and admins only"),
    ))]
pub async fn get_workload(
    context: TenantContext,
    tenant_db: TenantDb,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<AgentLoad>>> {
    let limit = page.limit()?;
    let after: Option<Uuid> = page.position()?;
    let mut db = tenant_db.connect().await?;
    let viewer = Viewer::load(&mut db, context.user_id).await?;
    viewer.require_admin()?;
    let rows: Vec<AgentLoad> = sqlx::query_as(
        "SELECT u.id AS user_id, u.email, u.firstname, u.lastname, u.role,
            count(t.id) FILTER (WHERE t.status = 'open') AS open,
            count(t.id) FILTER (WHERE t.status = 'in_progress') AS in_progress,
            count(t.id) FILTER (WHERE t.status = 'waiting_customer') AS waiting_customer,
            count(t.id) FILTER (WHERE t.status = 'resolved') AS resolved,
            count(t.id) AS total
         FROM users u
         LEFT JOIN support_tickets t ON t.assigned_to = u.id AND t.status <> 'closed'
         WHERE u.active AND u.role <> 'customer' AND ($1::uuid IS NULL OR u.id > $1)
         GROUP BY u.id ORDER BY u.id LIMIT $2",
    )
    .bind(after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *db)
    .await?;
    Ok(Json(Page::from_rows(rows, limit, |a| a.user_id)))
}
