//! Tickets and their history in the tenant database. Functions take the connection (or the
//! handler's transaction) they run on; the handler owns the transaction.

use chrono::{DateTime, Utc};
use rand::Rng as _;
use serde::Serialize;
use shared::error::{ApiError, ApiResult};
use sqlx::{FromRow, PgConnection};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::Viewer;
use super::priority::Priority;
use super::sla::{self, Change, SlaState};
use super::status::{Actor, Status};

/// The columns of `Ticket`, on `support_tickets` aliased `t`.
pub const COLUMNS: &str = "t.id, t.ticket_number, t.user_id, t.subject, t.description, t.priority, t.status, \
    t.category, t.assigned_to, t.order_id, t.metadata, t.response_due_at, t.resolution_due_at, t.first_response_at, \
    t.resolved_at, t.closed_at, t.created_at, t.updated_at";

/// A support ticket.
#[derive(Debug, Clone, Serialize, ToSchema, FromRow)]
pub struct Ticket {
    pub id: i64,
    /// `TKT-` and eight characters.
    pub ticket_number: String,
    /// The customer the ticket is about.
    pub user_id: Uuid,
    pub subject: String,
    /// Sanitised HTML.
    pub description: String,
    #[sqlx(try_from = "String")]
    pub priority: Priority,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub category: Option<String>,
    pub assigned_to: Option<Uuid>,
    pub order_id: Option<i64>,
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    #[serde(skip)]
    pub response_due_at: DateTime<Utc>,
    #[serde(skip)]
    pub resolution_due_at: DateTime<Utc>,
    #[serde(skip)]
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The caller's current role in the mirror, as a column.
pub const VIEWER_ROLE: &str = "(SELECT u.role FROM users u WHERE u.id = $1 AND u.active) AS viewer_role";

#[derive(FromRow)]
struct Viewed {
    viewer_role: Option<String>,
    #[sqlx(flatten)]
    ticket: Ticket,
}

/// The caller and ticket `id`, if the caller may see it (else 404; 403 for a caller who is not
/// a member), in one round trip; `lock` takes the row lock for a change.
pub async fn visible(conn: &mut PgConnection, user_id: Uuid, id: i64, lock: bool) -> ApiResult<(Viewer, Ticket)> {
    let sql = format!(
        "SELECT {VIEWER_ROLE}, {COLUMNS} FROM support_tickets t WHERE t.id = $2{}",
        if lock { " FOR UPDATE OF t" } else { "" }
    );
    let row: Option<Viewed> = sqlx::query_as(&sql).bind(user_id).bind(id).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Err(missing(conn, user_id, id).await) };
    seen(Viewer::from_role(user_id, row.viewer_role.as_deref())?, row.ticket)
}

/// The answer for a ticket that does not exist: 404, or 403 for someone who is not a member.
pub async fn missing(conn: &mut PgConnection, user_id: Uuid, id: i64) -> ApiError {
    match Viewer::load(conn, user_id).await {
        Ok(_) => not_found(id),
        Err(err) => err,
    }
}

/// The ticket if `viewer` may see it, else 404.
pub fn seen(viewer: Viewer, ticket: Ticket) -> ApiResult<(Viewer, Ticket)> {
    if viewer.sees(ticket.user_id, ticket.assigned_to) { Ok((viewer, ticket)) } else { Err(not_found(ticket.id)) }
}

fn not_found(id: i64) -> ApiError {
    ApiError::not_found(format!("there is no ticket {id}"))
}

/// Refuses any change to a closed ticket.
pub fn ensure_open(ticket: &Ticket) -> ApiResult<()> {
    if ticket.status == Status::Closed {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "ticket_closed",
            format!("ticket {} is closed; a closed ticket does not change", ticket.ticket_number),
        ));
    }
    Ok(())
}

/// What a new ticket is made of.
pub struct NewTicket {
    pub user_id: Uuid,
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub category: Option<String>,
    pub order_id: Option<i64>,
    pub metadata: serde_json::Value,
}

/// Crockford's base 32: no I, L, O or U to misread.
const NUMBER_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `TKT-` and 8 random characters (40 bits).
fn ticket_number() -> String {
    let mut rng = rand::thread_rng();
    let code: String = (0..8).map(|_| NUMBER_ALPHABET[rng.gen_range(0..32)] as char).collect();
    format!("TKT-{code}")
}

pub async fn insert(conn: &mut PgConnection, new: &NewTicket, now: DateTime<Utc>) -> ApiResult<Ticket> {
    let targets = sla::targets(new.priority);
    // A number already taken (one chance in a trillion per ticket at 10^6 tickets) draws again.
    for _ in 0..5 {
        let inserted: Option<Ticket> = sqlx::query_as(&format!(
            "INSERT INTO support_tickets AS t (ticket_number, user_id, subject, description, priority, category,
                order_id, metadata, response_due_at, resolution_due_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
             ON CONFLICT (ticket_number) DO NOTHING
             RETURNING {COLUMNS}"
        ))
        .bind(ticket_number())
        .bind(new.user_id)
        .bind(&new.subject)
        .bind(&new.description)
        .bind(new.priority.as_str())
        .bind(&new.category)
        .bind(new.order_id)
        .bind(&new.metadata)
        .bind(now + targets.response)
        .bind(now + targets.resolution)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(ticket) = inserted {
            return Ok(ticket);
        }
    }
    Err(ApiError::internal("five ticket numbers in a row were taken"))
}

/// Threads stop growing their search words past this size (a tsvector holds at most 1 MB; a
/// message adds at most ~100 KB).
const THREAD_WORDS_MAX_BYTES: i32 = 512 * 1024;

/// Writes every mutable field of `ticket` back.
pub async fn save(conn: &mut PgConnection, ticket: &Ticket) -> sqlx::Result<()> {
    write(conn, ticket, None).await
}

/// `save`, adding a new message's words to the thread's search words (staff see internal notes'
/// words, customers only public ones).
pub async fn save_with_message(
    conn: &mut PgConnection,
    ticket: &Ticket,
    text: &str,
    internal: bool,
) -> sqlx::Result<()> {
    write(conn, ticket, Some((text, internal))).await
}

async fn write(conn: &mut PgConnection, ticket: &Ticket, message: Option<(&str, bool)>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE support_tickets SET subject = $2, priority = $3, status = $4, category = $5, assigned_to = $6,
            metadata = $7, response_due_at = $8, resolution_due_at = $9, first_response_at = $10, resolved_at = $11,
            closed_at = $12, updated_at = $13,
            thread_staff = CASE WHEN $14::text IS NULL OR pg_column_size(thread_staff) > $16 THEN thread_staff
                ELSE strip(thread_staff || to_tsvector('simple', $14)) END,
            thread_public = CASE WHEN $14::text IS NULL OR $15 OR pg_column_size(thread_public) > $16 THEN thread_public
                ELSE strip(thread_public || to_tsvector('simple', $14)) END
         WHERE id = $1",
    )
    .bind(ticket.id)
    .bind(&ticket.subject)
    .bind(ticket.priority.as_str())
    .bind(ticket.status.as_str())
    .bind(&ticket.category)
    .bind(ticket.assigned_to)
    .bind(&ticket.metadata)
    .bind(ticket.response_due_at)
    .bind(ticket.resolution_due_at)
    .bind(ticket.first_response_at)
    .bind(ticket.resolved_at)
    .bind(ticket.closed_at)
    .bind(ticket.updated_at)
    .bind(message.map(|(text, _)| text))
    .bind(message.is_some_and(|(_, internal)| internal))
    .bind(THREAD_WORDS_MAX_BYTES)
    .execute(conn)
    .await
    .map(drop)
}

/// What a history row says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    StatusChanged,
    Assigned,
    Updated,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::StatusChanged => "status_changed",
            Self::Assigned => "assigned",
            Self::Updated => "updated",
        }
    }
}

/// One entry of a ticket's history.
pub struct Entry<'a> {
    pub ticket_id: i64,
    /// Who: a person, or none for the system.
    pub actor_id: Option<Uuid>,
    pub actor: Actor,
    pub action: Action,
    pub from: Option<Status>,
    pub to: Option<Status>,
    pub reason: Option<&'a str>,
    /// `{"field": [old, new]}`.
    pub changes: serde_json::Value,
    pub at: DateTime<Utc>,
}

pub async fn record(conn: &mut PgConnection, entry: Entry<'_>) -> sqlx::Result<()> {
    let actor_kind = match entry.actor {
        Actor::Agent => "agent",
        Actor::Customer => "customer",
        Actor::System => "system",
    };
    sqlx::query(
        "INSERT INTO ticket_history (ticket_id, actor_id, actor_kind, action, from_status, to_status, reason, changes,
            created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(entry.ticket_id)
    .bind(entry.actor_id)
    .bind(actor_kind)
    .bind(entry.action.as_str())
    .bind(entry.from.map(Status::as_str))
    .bind(entry.to.map(Status::as_str))
    .bind(entry.reason)
    .bind(&entry.changes)
    .bind(entry.at)
    .execute(conn)
    .await
    .map(drop)
}

/// The statuses a ticket entered, oldest first, as columns `change_at` and `change_to` of a
/// query on `support_tickets t`.
pub const STATUS_CHANGES: &str = "ARRAY(SELECT h.created_at FROM ticket_history h
        WHERE h.ticket_id = t.id AND h.to_status IS NOT NULL ORDER BY h.id) AS change_at,
    ARRAY(SELECT h.to_status FROM ticket_history h
        WHERE h.ticket_id = t.id AND h.to_status IS NOT NULL ORDER BY h.id) AS change_to";

/// The changes read through `STATUS_CHANGES`.
pub fn changes_from(at: Vec<DateTime<Utc>>, to: &[String]) -> Vec<Change> {
    at.into_iter().zip(to).filter_map(|(at, to)| Status::parse(to).map(|to| Change { at, to })).collect()
}

/// The statuses the ticket entered, oldest first (from its history).
async fn status_changes(conn: &mut PgConnection, ticket_id: i64) -> sqlx::Result<Vec<Change>> {
    let (at, to): (Vec<DateTime<Utc>>, Vec<String>) =
        sqlx::query_as(&format!("SELECT {STATUS_CHANGES} FROM support_tickets t WHERE t.id = $1"))
            .bind(ticket_id)
            .fetch_one(conn)
            .await?;
    Ok(changes_from(at, &to))
}

/// Brings the stored due dates up to date after a change to the status, the priority or the
/// first response (recorded in the history first); returns the state.
pub async fn refresh_sla(conn: &mut PgConnection, ticket: &mut Ticket, now: DateTime<Utc>) -> sqlx::Result<SlaState> {
    let changes = status_changes(conn, ticket.id).await?;
    let state = sla::evaluate(ticket.created_at, ticket.priority, &changes, ticket.first_response_at, now);
    ticket.response_due_at = state.response_due_at;
    ticket.resolution_due_at = state.resolution_due_at;
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_numbers_use_the_unambiguous_alphabet() {
        for _ in 0..200 {
            let number = ticket_number();
            assert_eq!(number.len(), 12);
            assert!(number.starts_with("TKT-"));
            assert!(number[4..].bytes().all(|b| NUMBER_ALPHABET.contains(&b)), "{number}");
            assert!(!number[4..].contains(['I', 'L', 'O', 'U']));
        }
    }
}
