//! A ticket's history in the tenant database: one row per change, with who made it, the
//! statuses it moved between and the fields it changed. The SLA clock is read from it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::status::{Actor, Status};
use crate::ids::{RuleId, TicketId};

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

base::text_column!(Action, parse);

/// The part of the system that made a change, as history actors name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemPart {
    /// Automatic assignment.
    Routing,
    /// A rule of the tenant's (`sav::rules`), named by the entry's `rule_id`.
    Rule,
}

impl SystemPart {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Routing => "routing",
            Self::Rule => "rule",
        }
    }
}

/// One entry of a ticket's history, to record.
#[derive(Debug)]
pub struct Entry {
    pub ticket_id: TicketId,
    /// Who: a person, or none for the system.
    pub actor_id: Option<Uuid>,
    pub actor: Actor,
    /// For the system: the part of it that made the change, if one has a name.
    pub system: Option<SystemPart>,
    /// The rule that made the change, if one did.
    pub rule_id: Option<RuleId>,
    pub action: Action,
    pub from: Option<Status>,
    pub to: Option<Status>,
    pub reason: Option<String>,
    /// `{"field": [old, new]}`.
    pub changes: serde_json::Value,
    pub at: DateTime<Utc>,
}

/// Records the entries of one write, in their order, in one statement.
pub async fn record(conn: &mut PgConnection, entries: &[Entry]) -> sqlx::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let column = |f: fn(&Entry) -> Option<&'static str>| entries.iter().map(f).collect::<Vec<_>>();
    let tickets: Vec<TicketId> = entries.iter().map(|e| e.ticket_id).collect();
    let actor_ids: Vec<Option<Uuid>> = entries.iter().map(|e| e.actor_id).collect();
    let actors = column(|e| Some(e.actor.as_str()));
    let actions = column(|e| Some(e.action.as_str()));
    let froms = column(|e| e.from.map(Status::as_str));
    let tos = column(|e| e.to.map(Status::as_str));
    let systems = column(|e| e.system.map(SystemPart::as_str));
    let reasons: Vec<Option<&str>> = entries.iter().map(|e| e.reason.as_deref()).collect();
    let changes: Vec<&serde_json::Value> = entries.iter().map(|e| &e.changes).collect();
    let ats: Vec<DateTime<Utc>> = entries.iter().map(|e| e.at).collect();
    let rules: Vec<Option<Uuid>> = entries.iter().map(|e| e.rule_id.map(|rule| rule.0)).collect();
    sqlx::query!(
        r#"INSERT INTO ticket_history (ticket_id, actor_id, actor_kind, action, from_status, to_status, reason, changes,
            created_at, system_actor, rule_id)
         SELECT ticket, actor, kind, action, from_status, to_status, reason, changes, at, system_actor, rule
         FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::jsonb[], $9::timestamptz[], $10::text[], $11::uuid[])
              WITH ORDINALITY AS e(ticket, actor, kind, action, from_status, to_status, reason, changes, at,
                                   system_actor, rule, place)
         ORDER BY place"#,
        &tickets as _,
        &actor_ids as &[Option<Uuid>],
        &actors as &[Option<&str>],
        &actions as &[Option<&str>],
        &froms as &[Option<&str>],
        &tos as &[Option<&str>],
        &reasons as &[Option<&str>],
        &changes as &[&serde_json::Value],
        &ats,
        &systems as &[Option<&str>],
        &rules as &[Option<Uuid>],
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Who made a change, as the history shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorType {
    /// A person (a member of the tenant).
    User,
    /// An API key, named as the integration it is.
    Integration,
    System,
    /// A rule of the tenant's.
    Rule,
}

/// The actor of a history entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorRef {
    #[serde(rename = "type")]
    pub kind: ActorType,
    /// The person's, the key's or the rule's id; null for the system.
    pub id: Option<Uuid>,
    /// The person's name, the key's, or the rule's (null when it was deleted since); for the
    /// system, the part of it that acted (`routing`), else null.
    pub name: Option<String>,
}

/// A recorded change, as the history endpoint shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub id: i64,
    pub actor: ActorRef,
    /// Null for the system.
    pub actor_id: Option<Uuid>,
    /// The side of the state machine the change was made from (`agent` for staff and
    /// integrations).
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

/// The entries of a ticket after entry `after`, oldest first: at most `limit`.
pub async fn page(
    conn: &mut PgConnection,
    ticket_id: TicketId,
    after: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<HistoryEntry>> {
    let rows = sqlx::query!(
        r#"SELECT h.id, h.actor_id, h.actor_kind AS "actor_kind: Actor", h.action AS "action: Action",
                h.from_status AS "from_status: Status", h.to_status AS "to_status: Status", h.reason, h.changes,
                h.created_at, h.system_actor, h.rule_id, r.name AS "rule_name?", u.role AS "actor_role?",
                trim(u.firstname || ' ' || u.lastname) AS "actor_name?"
           FROM ticket_history h LEFT JOIN users u ON u.id = h.actor_id LEFT JOIN rules r ON r.id = h.rule_id
           WHERE h.ticket_id = $1 AND h.id > $2 ORDER BY h.id LIMIT $3"#,
        ticket_id as _,
        after.unwrap_or(0),
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (kind, id, name) = match (row.actor_id, row.actor_role.as_deref(), row.rule_id) {
                (None, _, Some(rule)) => (ActorType::Rule, Some(rule), row.rule_name),
                (None, _, None) => (ActorType::System, None, row.system_actor),
                (Some(_), Some("integration"), _) => (ActorType::Integration, row.actor_id, row.actor_name),
                (Some(_), _, _) => (ActorType::User, row.actor_id, row.actor_name),
            };
            HistoryEntry {
                id: row.id,
                actor: ActorRef { kind, id, name },
                actor_id: row.actor_id,
                actor_kind: row.actor_kind,
                action: row.action,
                from_status: row.from_status,
                to_status: row.to_status,
                reason: row.reason,
                changes: row.changes,
                created_at: row.created_at,
            }
        })
        .collect())
}
