//! The dashboards' reads of the tenant database: where the SLA stands over the tickets a caller
//! may see, and the load of each staff member.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::auth::Role;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::tickets::access::Scope;
use crate::tickets::priority::Priority;
use crate::tickets::status::Status;

/// How many at-risk tickets the summary lists.
const AT_RISK_MAX: i64 = 50;

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusPriorityCount {
    pub status: Status,
    pub priority: Priority,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Breaches {
    /// Running tickets past their response target (unanswered in time).
    pub response: i64,
    /// Running tickets past their resolution target.
    pub resolution: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AtRisk {
    pub id: i64,
    pub ticket_number: String,
    pub priority: Priority,
    pub status: Status,
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

/// The summary over the tickets in `scope`, as of `now`.
pub async fn sla_summary(conn: &mut PgConnection, scope: Scope, now: DateTime<Utc>) -> sqlx::Result<SlaSummary> {
    let open = sqlx::query_as!(
        StatusPriorityCount,
        r#"SELECT t.status AS "status: Status", t.priority AS "priority: Priority", count(*) AS "count!"
           FROM support_tickets t WHERE t.status <> 'closed'
             AND ($1::uuid IS NULL OR t.user_id = $1) AND ($2::uuid IS NULL OR t.assigned_to IS NULL OR t.assigned_to = $2)
           GROUP BY t.status, t.priority ORDER BY t.status, t.priority"#,
        scope.customer,
        scope.agent,
    )
    .fetch_all(&mut *conn)
    .await?;

    let breaches = sqlx::query_as!(
        Breaches,
        r#"SELECT count(*) FILTER (WHERE coalesce(t.first_response_at, $3) > t.response_due_at) AS "response!",
                count(*) FILTER (WHERE t.resolution_due_at < $3) AS "resolution!"
           FROM support_tickets t WHERE t.status IN ('open', 'in_progress')
             AND ($1::uuid IS NULL OR t.user_id = $1) AND ($2::uuid IS NULL OR t.assigned_to IS NULL OR t.assigned_to = $2)"#,
        scope.customer,
        scope.agent,
        now,
    )
    .fetch_one(&mut *conn)
    .await?;

    // The first target still ahead of each running ticket: the response while unanswered, else
    // the resolution. At risk: less than a quarter of that target (the ticket's priority's, in
    // its SLA policy version) left, in seconds: minutes * 60 / 4.
    let at_risk = sqlx::query_as!(
        AtRisk,
        r#"SELECT id AS "id!", ticket_number AS "ticket_number!", priority AS "priority!: Priority",
                status AS "status!: Status", assigned_to, sla_type AS "sla_type!", due_at AS "due_at!"
           FROM (
             SELECT t.id, t.ticket_number, t.priority, t.status, t.assigned_to,
               CASE WHEN t.first_response_at IS NULL AND t.response_due_at < t.resolution_due_at
                 THEN 'response' ELSE 'resolution' END AS sla_type,
               CASE WHEN t.first_response_at IS NULL AND t.response_due_at < t.resolution_due_at
                 THEN t.response_due_at ELSE t.resolution_due_at END AS due_at,
               make_interval(secs => 15 * CASE WHEN t.first_response_at IS NULL AND t.response_due_at < t.resolution_due_at
                 THEN p.response_minutes ELSE p.resolution_minutes END) AS margin
             FROM support_tickets t
             JOIN sla_policy_targets p ON p.version_id = t.sla_version_id AND p.priority = t.priority
             WHERE t.status IN ('open', 'in_progress')
               AND ($1::uuid IS NULL OR t.user_id = $1)
               AND ($2::uuid IS NULL OR t.assigned_to IS NULL OR t.assigned_to = $2)
           ) AS running
           WHERE due_at > $3 AND due_at - $3 < margin ORDER BY due_at, id LIMIT $4"#,
        scope.customer,
        scope.agent,
        now,
        AT_RISK_MAX,
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(SlaSummary { open, breaches, at_risk, generated_at: now })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentLoad {
    pub user_id: Uuid,
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
}

/// Active staff members after `after`, by id, with the tickets assigned to them by status: at
/// most `limit` + 1, the last one telling that there is a next page.
pub async fn workload(conn: &mut PgConnection, after: Option<Uuid>, limit: u32) -> sqlx::Result<Vec<AgentLoad>> {
    sqlx::query_as!(
        AgentLoad,
        r#"SELECT u.id AS user_id, u.email, u.firstname, u.lastname, u.role AS "role: Role",
            count(t.id) FILTER (WHERE t.status = 'open') AS "open!",
            count(t.id) FILTER (WHERE t.status = 'in_progress') AS "in_progress!",
            count(t.id) FILTER (WHERE t.status = 'waiting_customer') AS "waiting_customer!",
            count(t.id) FILTER (WHERE t.status = 'resolved') AS "resolved!",
            count(t.id) AS "total!"
         FROM users u
         LEFT JOIN support_tickets t ON t.assigned_to = u.id AND t.status <> 'closed'
         WHERE u.active AND u.role <> 'customer' AND ($1::uuid IS NULL OR u.id > $1)
         GROUP BY u.id ORDER BY u.id LIMIT $2"#,
        after,
        i64::from(limit) + 1,
    )
    .fetch_all(conn)
    .await
}
