//! A ticket's history in the tenant database: one row per change, with who made it, the
//! statuses it moved between and the fields it changed. The SLA clock is read from it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::status::{Actor, Status};

/// What a history row says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Created,
    StatusChanged,
    Assigned,
    Updated,
    /// An SLA target was missed (found by the scheduled jobs).
    SlaBreached,
}

impl Action {
    pub const ALL: [Self; 5] = [Self::Created, Self::StatusChanged, Self::Assigned, Self::Updated, Self::SlaBreached];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::StatusChanged => "status_changed",
            Self::Assigned => "assigned",
            Self::Updated => "updated",
            Self::SlaBreached => "sla_breached",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == value)
    }
}

shared::text_column!(Action, parse);

/// One entry of a ticket's history, to record.
#[derive(Debug)]
pub struct Entry {
    pub ticket_id: i64,
    /// Who: a person, or none for the system.
    pub actor_id: Option<Uuid>,
    pub actor: Actor,
    pub action: Action,
    pub from: Option<Status>,
    pub to: Option<Status>,
    pub reason: Option<String>,
    /// `{"field": [old, new]}`.
    pub changes: serde_json::Value,
    pub at: DateTime<Utc>,
}

pub async fn record(conn: &mut PgConnection, entry: &Entry) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO ticket_history (ticket_id, actor_id, actor_kind, action, from_status, to_status, reason, changes,
            created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        entry.ticket_id,
        entry.actor_id,
        entry.actor.as_str(),
        entry.action.as_str(),
        entry.from.map(Status::as_str),
        entry.to.map(Status::as_str),
        entry.reason,
        &entry.changes,
        entry.at,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// A recorded change, as the history endpoint shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub id: i64,
    /// Null for the system.
    pub actor_id: Option<Uuid>,
    pub actor_kind: Actor,
    pub action: Action,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub reason: Option<String>,
    /// `{"field": [old, new]}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// The entries of a ticket after entry `after`, oldest first: at most `limit` + 1, the last one
/// telling that there is a next page.
pub async fn page(
    conn: &mut PgConnection,
    ticket_id: i64,
    after: Option<i64>,
    limit: u32,
) -> sqlx::Result<Vec<HistoryEntry>> {
    sqlx::query_as!(
        HistoryEntry,
        r#"SELECT id, actor_id, actor_kind AS "actor_kind: Actor", action AS "action: Action",
                from_status AS "from_status: Status", to_status AS "to_status: Status", reason, changes, created_at
           FROM ticket_history WHERE ticket_id = $1 AND id > $2 ORDER BY id LIMIT $3"#,
        ticket_id,
        after.unwrap_or(0),
        i64::from(limit) + 1,
    )
    .fetch_all(conn)
    .await
}
