//! How the SAV events (`tickets::events`, with the tenant added) enter the outbox.
//!
//! A row holds the whole message as it will be published: `{event, message_id, timestamp,
//! tenant: {id, slug}, data}`. `message_id` is stable, so consumers can drop a redelivery.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::tenancy::resolve::Tenant;
use crate::tickets::events::Event;

#[derive(Serialize)]
struct TenantRef<'a> {
    id: Uuid,
    slug: &'a str,
}

#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(flatten)]
    event: &'a Event,
    message_id: Uuid,
    timestamp: DateTime<Utc>,
    tenant: TenantRef<'a>,
}

/// Writes `events` into the outbox on `conn`, which must be the transaction of the change.
pub async fn enqueue(
    conn: &mut PgConnection,
    tenant: &Tenant,
    at: DateTime<Utc>,
    events: &[Event],
) -> sqlx::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut ids = Vec::with_capacity(events.len());
    let mut keys = Vec::with_capacity(events.len());
    let mut payloads = Vec::with_capacity(events.len());
    for event in events {
        let message_id = Uuid::now_v7();
        let envelope =
            Envelope { event, message_id, timestamp: at, tenant: TenantRef { id: tenant.id, slug: &tenant.slug } };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::status::Status;

    #[test]
    fn envelopes_carry_the_seed_payload_and_the_tenant() {
        let event = Event::TicketStatusChanged {
            ticket_id: 123,
            ticket_number: "TKT-ABC123".into(),
            user_id: Uuid::nil(),
            previous_status: Status::InProgress,
            new_status: Status::WaitingCustomer,
            changed_by: Some(Uuid::nil()),
            reason: Some("Requested additional shipping information".into()),
        };
        let at = DateTime::parse_from_rfc3339("2025-10-03T11:00:00Z").unwrap().with_timezone(&Utc);
        let envelope = Envelope {
            event: &event,
            message_id: Uuid::nil(),
            timestamp: at,
            tenant: TenantRef { id: Uuid::nil(), slug: "acme" },
        };
        let json = serde_json::to_value(&envelope).unwrap();
        assert_eq!(json["event"], "TicketStatusChanged");
        assert_eq!(json["timestamp"], "2025-10-03T11:00:00Z");
        assert_eq!(json["tenant"]["slug"], "acme");
        assert_eq!(json["data"]["previous_status"], "in_progress");
        assert_eq!(json["data"]["new_status"], "waiting_customer");
        assert_eq!(json["data"]["ticket_number"], "TKT-ABC123");
        assert_eq!(event.routing_key(), "sav.ticket.status_changed");
    }
}
