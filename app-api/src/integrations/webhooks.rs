//! Outbound webhooks as Standard Webhooks 1.0 defines them: which events an endpoint may
//! subscribe to, the body sent for each, the signatures, and when a failed delivery is tried
//! again.
//!
//! - **Body**: `{"type", "timestamp", "data"}`: the event's name here (`ticket.created`, ...),
//!   when it happened, and the SAV event's payload as published on the broker. Written once per
//!   delivery, so every attempt and every replay sends the same bytes.
//! - **Headers**: `webhook-id` (the event's id: the same on every attempt and replay, what
//!   receivers dedupe on), `webhook-timestamp` (the attempt's own time, Unix seconds),
//!   `webhook-signature`: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` for each secret
//!   in use, space-separated (two for 24 h after a rotation).
//! - **Secrets**: `whsec_` then 32 random bytes in base64; the key is the decoded bytes.
//! - **Retries**: 2xx succeeds, 410 disables the endpoint, anything else (a timeout, a refused
//!   connection, 429, 5xx, a redirect) is tried again after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
//!   14 h, 20 h and 24 h, each within 20% jitter and never before a `Retry-After`; after the
//!   last, the delivery has failed. An endpoint that has not succeeded for three days is
//!   disabled.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac as _};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;
use utoipa::ToSchema;

pub const SECRET_PREFIX: &str = "whsec_";
const SECRET_LEN: usize = 32;
/// How long the secret before a rotation keeps signing.
pub const ROTATION_OVERLAP: chrono::Duration = chrono::Duration::hours(24);
/// An endpoint failing this long (no success since its first failure) is disabled.
pub const DISABLE_AFTER: chrono::Duration = chrono::Duration::days(3);
/// The waits before each retry (Standard Webhooks' schedule).
pub const SCHEDULE: [Duration; 9] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(14 * 3600),
    Duration::from_secs(20 * 3600),
    Duration::from_secs(24 * 3600),
];
/// The longest `Retry-After` honoured (a longer one waits this long).
const RETRY_AFTER_CAP: Duration = Duration::from_secs(24 * 3600);
/// How much of an answer's body the log keeps.
pub const RESPONSE_KEPT: usize = 1024;

/// An event an endpoint may subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum EventType {
    #[serde(rename = "ticket.created")]
    TicketCreated,
    #[serde(rename = "ticket.assigned")]
    TicketAssigned,
    #[serde(rename = "ticket.status_changed")]
    TicketStatusChanged,
    #[serde(rename = "ticket.resolved")]
    TicketResolved,
    /// Its properties changed (subject, category, priority, metadata, team, tags, custom fields,
    /// tickets merged into it).
    #[serde(rename = "ticket.updated")]
    TicketUpdated,
    #[serde(rename = "message.added")]
    MessageAdded,
    #[serde(rename = "ticket.sla_breach")]
    TicketSlaBreach,
    /// A customer organisation was made, changed or deleted (`data.organization`: its id, name
    /// and domains).
    #[serde(rename = "organization.created")]
    OrganizationCreated,
    #[serde(rename = "organization.updated")]
    OrganizationUpdated,
    #[serde(rename = "organization.deleted")]
    OrganizationDeleted,
}

impl EventType {
    pub const ALL: [Self; 10] = [
        Self::TicketCreated,
        Self::TicketAssigned,
        Self::TicketStatusChanged,
        Self::TicketResolved,
        Self::TicketUpdated,
        Self::MessageAdded,
        Self::TicketSlaBreach,
        Self::OrganizationCreated,
        Self::OrganizationUpdated,
        Self::OrganizationDeleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TicketCreated => "ticket.created",
            Self::TicketAssigned => "ticket.assigned",
            Self::TicketStatusChanged => "ticket.status_changed",
            Self::TicketResolved => "ticket.resolved",
            Self::TicketUpdated => "ticket.updated",
            Self::MessageAdded => "message.added",
            Self::TicketSlaBreach => "ticket.sla_breach",
            Self::OrganizationCreated => "organization.created",
            Self::OrganizationUpdated => "organization.updated",
            Self::OrganizationDeleted => "organization.deleted",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }

    /// The webhook type of a SAV event published on the broker (its `event` name).
    pub fn of_event(name: &str) -> Option<Self> {
        Some(match name {
            "TicketCreated" => Self::TicketCreated,
            "TicketAssigned" => Self::TicketAssigned,
            "TicketStatusChanged" => Self::TicketStatusChanged,
            "TicketResolved" => Self::TicketResolved,
            "TicketUpdated" => Self::TicketUpdated,
            "MessageAdded" => Self::MessageAdded,
            "TicketSLABreach" => Self::TicketSlaBreach,
            "OrganizationCreated" => Self::OrganizationCreated,
            "OrganizationUpdated" => Self::OrganizationUpdated,
            "OrganizationDeleted" => Self::OrganizationDeleted,
            _ => return None,
        })
    }
}

/// The type of the delivery `/test` sends.
pub const TEST_TYPE: &str = "webhook.test";

/// The body of a delivery.
pub fn body(kind: &str, timestamp: DateTime<Utc>, data: &Value) -> String {
    serde_json::json!({
        "type": kind,
        "timestamp": timestamp.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
}

/// A new secret: its text (`whsec_...`, shown once) and its key bytes.
pub fn new_secret() -> (String, Vec<u8>) {
    let mut key = vec![0u8; SECRET_LEN];
    rand::rngs::OsRng.fill_bytes(&mut key);
    (format!("{SECRET_PREFIX}{}", STANDARD.encode(&key)), key)
}

/// The `webhook-signature` header: one `v1,` signature per key.
pub fn signature_header(keys: &[Vec<u8>], id: &str, timestamp: i64, body: &str) -> String {
    keys.iter()
        .map(|key| {
            let mut mac = <Hmac<Sha256>>::new_from_slice(key).expect("HMAC takes any key length");
            mac.update(format!("{id}.{timestamp}.").as_bytes());
            mac.update(body.as_bytes());
            format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The wait before the retry that follows failed attempt number `attempt` (1-based), or `None`
/// when it was the last. `jitter` in -1..=1 moves it within 20%; `scale` shortens the schedule
/// (development and tests only); a `Retry-After` is a minimum (not scaled).
pub fn retry_after_attempt(attempt: i32, jitter: f64, scale: f64, retry_after: Option<Duration>) -> Option<Duration> {
    let index = usize::try_from(attempt.checked_sub(1)?).ok()?;
    let base = SCHEDULE.get(index)?.mul_f64(scale * (1.0 + 0.2 * jitter.clamp(-1.0, 1.0)));
    Some(retry_after.map_or(base, |r| base.max(r.min(RETRY_AFTER_CAP))))
}

/// A uniform jitter in -1..=1.
pub fn jitter() -> f64 {
    let unit = f64::from(rand::rngs::OsRng.next_u32()) / f64::from(u32::MAX);
    unit.mul_add(2.0, -1.0)
}

/// A `Retry-After` value: seconds, or an HTTP date.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// What an answer means for the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// 410 Gone: the receiver asks to be forgotten.
    Gone,
    Retry,
}

pub fn verdict(status: u16) -> Verdict {
    match status {
        200..=299 => Verdict::Delivered,
        410 => Verdict::Gone,
        _ => Verdict::Retry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_standard_webhooks_reference() {
        // The reference vector of the Standard Webhooks specification's libraries.
        let key = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = r#"{"test": 2432232314}"#;
        let header = signature_header(&[key], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body);
        assert_eq!(header, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_rotation_signs_with_both_secrets() {
        let (first, second) = (new_secret(), new_secret());
        assert!(first.0.starts_with(SECRET_PREFIX) && first.0 != second.0);
        let header = signature_header(&[first.1, second.1], "id", 1, "{}");
        assert_eq!(header.split(' ').filter(|s| s.starts_with("v1,")).count(), 2);
    }

    #[test]
    fn the_schedule_has_its_jitter_and_its_end() {
        assert_eq!(retry_after_attempt(1, 0.0, 1.0, None), Some(Duration::from_secs(5)));
        assert_eq!(retry_after_attempt(2, 1.0, 1.0, None), Some(Duration::from_secs(360)));
        assert_eq!(retry_after_attempt(2, -1.0, 1.0, None), Some(Duration::from_secs(240)));
        assert_eq!(retry_after_attempt(9, 0.0, 1.0, None), Some(Duration::from_secs(86_400)));
        assert_eq!(retry_after_attempt(10, 0.0, 1.0, None), None);
        assert_eq!(retry_after_attempt(0, 0.0, 1.0, None), None);
        assert_eq!(retry_after_attempt(1, 0.0, 1.0, Some(Duration::from_secs(60))), Some(Duration::from_secs(60)));
        assert_eq!(retry_after_attempt(1, 0.0, 0.01, None), Some(Duration::from_millis(50)));
        let total: Duration = SCHEDULE.iter().sum();
        assert!(total > Duration::from_secs(3 * 86_400) && total < Duration::from_secs(4 * 86_400));
        for _ in 0..100 {
            assert!((-1.0..=1.0).contains(&jitter()));
        }
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now), Some(Duration::from_secs(60)));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn event_names_map_to_webhook_types() {
        assert_eq!(EventType::of_event("TicketSLABreach"), Some(EventType::TicketSlaBreach));
        assert_eq!(EventType::of_event("NotificationCreated"), None);
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
        assert_eq!(verdict(204), Verdict::Delivered);
        assert_eq!(verdict(410), Verdict::Gone);
        assert_eq!(verdict(301), Verdict::Retry);
    }
}
