//! How the SAV events (`tickets::events`, with the tenant added) enter the outbox.
//!
//! A row holds the whole message as it will be published: `{event, message_id, timestamp,
//! tenant: {id, slug}, audience: {customer, staff}, data}`. `message_id` is stable, so consumers can drop a redelivery.
//! The relay's reads and writes of the table are here too (`crate::worker::relay` drives them).

use chrono::{DateTime, Utc};
use sav::ids::{OrganizationId, TeamId, UserId};
use sav::tickets::events::Event;
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::tenancy::resolve::Tenant;

#[derive(Serialize)]
struct TenantRef<'a> {
    id: Uuid,
    slug: &'a str,
}

/// Who may see an event on the live stream (besides owners and admins, who see every ticket):
/// the ticket's customer, and the staff it concerns: its assignee, and the one it was just taken
/// from. An event with no staff named is about an unassigned ticket, which the agents whose
/// queue it is in see: every agent for a ticket of no team, the team's members otherwise. The
/// agents of the queue an unassigned ticket just left see it too (it is gone from their queue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Audience {
    pub customer: UserId,
    pub staff: Vec<UserId>,
    /// The ticket's team (absent on events written before teams existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamId>,
    /// The unassigned queue the ticket left with this change, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_queue: Option<Queue>,
    /// The ticket's customer organisation, whose managers (and members, while it shares
    /// tickets) see it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<OrganizationId>,
}

impl Audience {
    /// Nobody's: an event about no ticket (a customer organisation's), which no stream shows.
    pub fn nobody() -> Self {
        Self { customer: UserId::NOBODY, staff: Vec::new(), team: None, left_queue: None, organization: None }
    }
}

/// An unassigned queue: a team's, or (`team: None`) that of the tickets of no team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Queue {
    pub team: Option<TeamId>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(flatten)]
    event: &'a Event,
    message_id: Uuid,
    timestamp: DateTime<Utc>,
    tenant: TenantRef<'a>,
    audience: &'a Audience,
}

/// Writes `events` into the outbox on `conn`, which must be the transaction of the change.
pub async fn enqueue(
    conn: &mut PgConnection,
    tenant: &Tenant,
    at: DateTime<Utc>,
    events: &[Event],
    audience: &Audience,
) -> sqlx::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut ids = Vec::with_capacity(events.len());
    let mut keys = Vec::with_capacity(events.len());
    let mut payloads = Vec::with_capacity(events.len());
    for event in events {
        let message_id = Uuid::now_v7();
        let envelope = Envelope {
            event,
            message_id,
            timestamp: at,
            tenant: TenantRef { id: tenant.id, slug: &tenant.slug },
            audience,
        };
        ids.push(message_id);
        keys.push(event.routing_key());
        payloads.push(serde_json::to_value(&envelope).expect("events serialise"));
    }
    sqlx::query!(
        "INSERT INTO outbox (message_id, routing_key, payload, created_at)
         SELECT id, key, payload, $4 FROM unnest($1::uuid[], $2::text[], $3::jsonb[]) AS e(id, key, payload)",
        &ids,
        &keys as &[&str],
        &payloads,
        at,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Held by the relay for the transaction that publishes a tenant's batch: one relay per tenant
/// at a time, whatever the number of replicas, so rows leave in id order. (A constant: each
/// tenant has a database of its own, and advisory locks are per database.)
const RELAY_LOCK: i64 = 0x0075_7462_6f78; // "outbox"

/// Takes the relay's lock for the rest of the transaction `tx`; false when another relay holds
/// it.
pub async fn try_lock_relay(tx: &mut PgConnection) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT pg_try_advisory_xact_lock($1) AS "locked!""#, RELAY_LOCK).fetch_one(tx).await
}

/// A numbered row waiting to be published.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: i64,
    /// Its place in the order the relay publishes (`number`): the live stream's frame id.
    pub seq: i64,
    pub message_id: Uuid,
    pub routing_key: String,
    /// The event name (`payload.event`), the message's `type`.
    pub event: String,
    /// The message body, as stored.
    pub payload: String,
}

/// Numbers the unnumbered rows among the oldest `limit` unpublished ones, in id order, after
/// every number given before (migration 0010); how many it numbered. Call it under the tenant's
/// relay lock, in a transaction of its own that commits before anything is published: a number
/// a stream may have seen is never given to another event, whatever happens to the publishing
/// that follows (a row keeps its number until it is published). Only the head of the pending
/// rows is numbered, so a broker away for long does not number the whole backlog.
pub async fn number(tx: &mut PgConnection, limit: i64) -> sqlx::Result<u64> {
    sqlx::query!(
        "WITH head AS (
             SELECT id, relay_seq FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1
         ), todo AS (
             SELECT id, row_number() OVER (ORDER BY id) AS n FROM head WHERE relay_seq IS NULL
         ), counter AS (
             UPDATE outbox_relay_counter SET last_seq = last_seq + (SELECT count(*) FROM todo)
              WHERE EXISTS (SELECT 1 FROM todo)
             RETURNING last_seq - (SELECT count(*) FROM todo) AS before
         )
         UPDATE outbox SET relay_seq = counter.before + todo.n FROM counter, todo WHERE outbox.id = todo.id",
        limit,
    )
    .execute(tx)
    .await
    .map(|done| done.rows_affected())
}

/// The `limit` unpublished rows with the smallest numbers, in that order: the batch the relay
/// publishes (committed rows only: a rolled-back change never shows here).
pub async fn numbered(tx: &mut PgConnection, limit: i64) -> sqlx::Result<Vec<Pending>> {
    sqlx::query_as!(
        Pending,
        r#"SELECT id, relay_seq AS "seq!", message_id, routing_key, coalesce(payload->>'event', '') AS "event!",
                  payload::text AS "payload!"
           FROM outbox WHERE published_at IS NULL AND relay_seq IS NOT NULL ORDER BY relay_seq LIMIT $1
           FOR UPDATE"#,
        limit,
    )
    .fetch_all(tx)
    .await
}

/// Marks rows published (their confirms came back).
pub async fn mark_published(tx: &mut PgConnection, ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1)",
        ids,
    )
    .execute(tx)
    .await
    .map(drop)
}

/// Records a failed attempt on the row the broker did not confirm.
pub async fn mark_failed(tx: &mut PgConnection, id: i64, error: &str) -> sqlx::Result<()> {
    sqlx::query!("UPDATE outbox SET attempts = attempts + 1, last_error = left($2, 1000) WHERE id = $1", id, error)
        .execute(tx)
        .await
        .map(drop)
}

/// What the relay's sweep reads of one tenant.
#[derive(Debug, Clone, Copy)]
pub struct Backlog {
    pub tenant: Uuid,
    pub pending: i64,
    /// When the oldest unpublished row was written.
    pub oldest_pending: Option<DateTime<Utc>>,
    /// When the oldest published row still kept was published.
    pub oldest_published: Option<DateTime<Utc>>,
}

/// Each of `tenants`' backlog, in a transaction naming none (`outbox_backlogs`, tenant
/// migration 0042): per tenant, a probe of the pending index and the head of the table.
pub async fn backlogs(conn: &mut PgConnection, tenants: &[Uuid]) -> sqlx::Result<Vec<Backlog>> {
    sqlx::query_as!(
        Backlog,
        r#"SELECT tenant AS "tenant!", pending AS "pending!", oldest_pending, oldest_published
           FROM outbox_backlogs($1)"#,
        tenants,
    )
    .fetch_all(conn)
    .await
}

/// Deletes up to `limit` of the oldest published rows that were published before `before`;
/// how many went. It reads the head of the table only (ids grow with time), never all of it.
pub async fn prune(conn: &mut PgConnection, before: DateTime<Utc>, limit: i64) -> sqlx::Result<u64> {
    sqlx::query!(
        "DELETE FROM outbox WHERE id IN (
             SELECT id FROM outbox WHERE published_at IS NOT NULL ORDER BY id LIMIT $2
         ) AND published_at < $1",
        before,
        limit,
    )
    .execute(conn)
    .await
    .map(|done| done.rows_affected())
}

/// The oldest number in the relay's order the outbox still holds, and the newest the relay has
/// given out (committed). With nothing kept (all pruned), `oldest` is one past `newest`.
#[derive(Debug, Clone, Copy)]
pub struct IdBounds {
    pub oldest: i64,
    pub newest: i64,
}

/// The bounds now. Numbers are committed before their events are published, so a frame that
/// reached a stream (or a replica's hub before a reconnect subscribed) is always read here.
pub async fn id_bounds(conn: &mut PgConnection) -> sqlx::Result<IdBounds> {
    sqlx::query_as!(
        IdBounds,
        r#"SELECT coalesce((SELECT min(relay_seq) FROM outbox), c.last_seq + 1) AS "oldest!", c.last_seq AS "newest!"
           FROM outbox_relay_counter c"#
    )
    .fetch_one(conn)
    .await
}

/// The rows numbered after `seq` in the relay's order, at most `limit`, with their numbers: the
/// live stream's replay. It reads rows numbered and not yet published too: they go out under
/// those numbers, and the stream drops their live frames. Rows not numbered yet are not read
/// here; the live frames bring them.
pub async fn after(conn: &mut PgConnection, seq: i64, limit: i64) -> sqlx::Result<Vec<(i64, serde_json::Value)>> {
    let rows = sqlx::query!(
        r#"SELECT relay_seq AS "seq!", payload FROM outbox WHERE relay_seq > $1 ORDER BY relay_seq LIMIT $2"#,
        seq,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.seq, row.payload)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sav::tickets::status::Status;

    #[test]
    fn envelopes_carry_the_seed_payload_and_the_tenant() {
        let event = Event::TicketStatusChanged {
            ticket_id: sav::ids::TicketId(123),
            ticket_number: "TKT-ABC123".into(),
            user_id: UserId(Uuid::nil()),
            previous_status: Status::InProgress,
            new_status: Status::WaitingCustomer,
            changed_by: Some(UserId(Uuid::nil())),
            reason: Some("Requested additional shipping information".into()),
        };
        let at = DateTime::parse_from_rfc3339("2025-10-03T11:00:00Z").unwrap().with_timezone(&Utc);
        let envelope = Envelope {
            event: &event,
            message_id: Uuid::nil(),
            timestamp: at,
            tenant: TenantRef { id: Uuid::nil(), slug: "acme" },
            audience: &Audience {
                customer: UserId(Uuid::nil()),
                staff: vec![UserId(Uuid::max())],
                team: None,
                left_queue: None,
                organization: None,
            },
        };
        let json = serde_json::to_value(&envelope).unwrap();
        assert_eq!(json["audience"]["staff"][0], Uuid::max().to_string());
        assert_eq!(json["event"], "TicketStatusChanged");
        assert_eq!(json["timestamp"], "2025-10-03T11:00:00Z");
        assert_eq!(json["tenant"]["slug"], "acme");
        assert_eq!(json["data"]["previous_status"], "in_progress");
        assert_eq!(json["data"]["new_status"], "waiting_customer");
        assert_eq!(json["data"]["ticket_number"], "TKT-ABC123");
        assert_eq!(event.routing_key(), "sav.ticket.status_changed");
    }
}
