//! Webhook endpoints, their secrets, deliveries and attempts in the tenant database.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::config::EncryptionKey;
use shared::crypto::{open, seal};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::webhooks::{DISABLE_AFTER, ROTATION_OVERLAP};
use sav::ids::UserId;

/// Endpoints a tenant may have.
pub const MAX_ENDPOINTS: i64 = 20;
/// How long deliveries (and their attempts) are kept.
pub const KEPT_FOR: chrono::Duration = chrono::Duration::days(30);

/// An endpoint, as the API shows it (never its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Endpoint {
    pub id: Uuid,
    pub url: String,
    #[schema(value_type = Vec<String>, example = json!(["ticket.created"]))]
    pub events: Vec<String>,
    pub description: Option<String>,
    pub enabled: bool,
    /// Why the endpoint was disabled (`gone`: it answered 410; `failing`: three days of failures;
    /// `manual`: an admin), null while enabled.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Makes the callers that create endpoints wait for each other until the transaction ends, so
/// that a count of the endpoints holds until the new one is written.
pub async fn lock_for_create(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('webhook_endpoints'))").execute(conn).await.map(drop)
}

/// Locks an endpoint's row for a change; false when there is no such endpoint.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<bool> {
    let found = sqlx::query_scalar!("SELECT id FROM webhook_endpoints WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

pub async fn count(conn: &mut PgConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM webhook_endpoints"#).fetch_one(conn).await
}

pub async fn create(
    conn: &mut PgConnection,
    id: Uuid,
    url: &str,
    events: &[String],
    description: Option<&str>,
    created_by: UserId,
) -> sqlx::Result<Endpoint> {
    sqlx::query_as!(
        Endpoint,
        "INSERT INTO webhook_endpoints (id, url, events, description, created_by) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, url, events, description, enabled, disabled_reason, created_at, updated_at",
        id,
        url,
        events,
        description,
        created_by as _,
    )
    .fetch_one(conn)
    .await
}

pub async fn all(conn: &mut PgConnection) -> sqlx::Result<Vec<Endpoint>> {
    sqlx::query_as!(
        Endpoint,
        "SELECT id, url, events, description, enabled, disabled_reason, created_at, updated_at
         FROM webhook_endpoints ORDER BY created_at, id"
    )
    .fetch_all(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Endpoint>> {
    sqlx::query_as!(
        Endpoint,
        "SELECT id, url, events, description, enabled, disabled_reason, created_at, updated_at
         FROM webhook_endpoints WHERE id = $1",
        id
    )
    .fetch_optional(conn)
    .await
}

/// A change to an endpoint; `None` keeps a field. `description: Some(None)` clears it.
#[derive(Debug, Default)]
pub struct Change {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<Option<String>>,
    pub enabled: Option<bool>,
}

pub async fn update(conn: &mut PgConnection, id: Uuid, change: Change) -> sqlx::Result<Option<Endpoint>> {
    let (set_description, description) = match change.description {
        Some(value) => (true, value),
        None => (false, None),
    };
    sqlx::query_as!(
        Endpoint,
        "UPDATE webhook_endpoints SET
            url = coalesce($2, url),
            events = coalesce($3, events),
            description = CASE WHEN $4 THEN $5 ELSE description END,
            enabled = coalesce($6, enabled),
            disabled_reason = CASE WHEN $6 IS NULL THEN disabled_reason
                                   WHEN $6 THEN NULL ELSE 'manual' END,
            failing_since = CASE WHEN $6 THEN NULL ELSE failing_since END,
            updated_at = now()
         WHERE id = $1
         RETURNING id, url, events, description, enabled, disabled_reason, created_at, updated_at",
        id,
        change.url,
        change.events.as_deref(),
        set_description,
        description,
        change.enabled,
    )
    .fetch_optional(conn)
    .await
}

pub async fn delete(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<bool> {
    let deleted = sqlx::query!("DELETE FROM webhook_endpoints WHERE id = $1", id).execute(conn).await?;
    Ok(deleted.rows_affected() == 1)
}

/// Adds the endpoint's new current secret; the one before keeps signing for the rotation's
/// overlap, and older ones are dropped. Returns when the one before stops signing.
pub async fn add_secret(
    conn: &mut PgConnection,
    key: &EncryptionKey,
    endpoint: Uuid,
    secret: &[u8],
    now: DateTime<Utc>,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query!("DELETE FROM webhook_secrets WHERE endpoint_id = $1 AND expires_at <= $2", endpoint, now)
        .execute(&mut *conn)
        .await?;
    let previous_until = now + ROTATION_OVERLAP;
    let replaced = sqlx::query!(
        "UPDATE webhook_secrets SET expires_at = $2 WHERE endpoint_id = $1 AND expires_at IS NULL",
        endpoint,
        previous_until
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO webhook_secrets (id, endpoint_id, sealed, created_at) VALUES ($1, $2, $3, $4)",
        id,
        endpoint,
        seal(key, secret, id.as_bytes()),
        now,
    )
    .execute(conn)
    .await?;
    Ok((replaced > 0).then_some(previous_until))
}

/// The keys an endpoint signs with now, newest first.
pub async fn signing_keys(
    conn: &mut PgConnection,
    key: &EncryptionKey,
    endpoint: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Vec<u8>>> {
    let rows = sqlx::query!(
        "SELECT id, sealed FROM webhook_secrets WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > $2)
         ORDER BY created_at DESC",
        endpoint,
        now
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| match open(key, &row.sealed, row.id.as_bytes()) {
            Ok(secret) => Some(secret),
            Err(err) => {
                tracing::error!(endpoint = %endpoint, secret = %row.id, error = %err, "a webhook secret cannot be opened");
                None
            }
        })
        .collect())
}

/// The enabled endpoints subscribed to `kind`.
pub async fn subscribed(conn: &mut PgConnection, kind: &str) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!("SELECT id FROM webhook_endpoints WHERE enabled AND $1 = ANY (events)", kind)
        .fetch_all(conn)
        .await
}

/// Writes one delivery of an event per endpoint (none twice: a redelivered event writes
/// nothing), due now. Returns how many were new.
pub async fn enqueue(
    conn: &mut PgConnection,
    event_id: Uuid,
    kind: &str,
    body: &str,
    endpoints: &[Uuid],
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let ids: Vec<Uuid> = endpoints.iter().map(|_| Uuid::now_v7()).collect();
    sqlx::query!(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, type, body, next_attempt_at, created_at, updated_at)
         SELECT d.id, d.endpoint, $3, $4, $5, $6, $6, $6 FROM unnest($1::uuid[], $2::uuid[]) AS d(id, endpoint)
         ON CONFLICT (tenant_id, event_id, endpoint_id) DO NOTHING",
        &ids,
        endpoints,
        event_id,
        kind,
        body,
        now,
    )
    .execute(conn)
    .await
    .map(|done| done.rows_affected())
}

/// The delivery of an event to an endpoint.
pub async fn delivery_of(conn: &mut PgConnection, event_id: Uuid, endpoint: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM webhook_deliveries WHERE event_id = $1 AND endpoint_id = $2",
        event_id,
        endpoint
    )
    .fetch_optional(conn)
    .await
}

/// A delivery taken to be sent.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub url: String,
    pub event_id: Uuid,
    pub kind: String,
    pub body: String,
    /// Attempts made before this one.
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// Takes up to `limit` due deliveries of enabled endpoints not in `busy`, oldest due first, and
/// leases them until `lease_until` (a sender that dies mid-send leaves them due again then).
pub async fn claim(
    conn: &mut PgConnection,
    limit: i64,
    busy: &[Uuid],
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> sqlx::Result<Vec<Due>> {
    sqlx::query_as!(
        Due,
        r#"WITH taken AS (
               SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
               WHERE d.state = 'pending' AND d.next_attempt_at <= $3 AND e.enabled AND d.endpoint_id <> ALL ($2)
               ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
           UPDATE webhook_deliveries d SET next_attempt_at = $4, updated_at = $3
           FROM taken, webhook_endpoints e
           WHERE d.id = taken.id AND e.id = d.endpoint_id
           RETURNING d.id, d.endpoint_id, e.url, d.event_id, d.type AS kind, d.body, d.attempts, d.created_at"#,
        limit,
        busy,
        now,
        lease_until,
    )
    .fetch_all(conn)
    .await
}

/// Gives leased deliveries back, due at `due`, unsent.
pub async fn release(conn: &mut PgConnection, ids: &[Uuid], due: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE webhook_deliveries SET next_attempt_at = $2 WHERE id = ANY ($1) AND state = 'pending'",
        ids,
        due
    )
    .execute(conn)
    .await
    .map(drop)
}

/// One attempt's result, to record.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status_code: Option<u16>,
    pub duration_ms: i32,
    pub error: Option<String>,
    pub response_body: Option<String>,
    pub at: DateTime<Utc>,
}

/// What became of the delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Tried again at this time.
    Retry(DateTime<Utc>),
    /// No retry is left.
    Failed,
    /// The endpoint answered 410.
    Gone,
}

impl Outcome {
    /// The outcome as the work queue metrics name it (`shared::work_queue::Outcome::name`): a
    /// 410 is a refusal for good.
    pub fn queue_outcome(self) -> &'static str {
        match self {
            Self::Delivered => "done",
            Self::Retry(_) => "retry",
            Self::Failed => "failed",
            Self::Gone => "refused",
        }
    }
}

/// What recording an attempt did to the endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointAfter {
    Unchanged,
    /// Disabled now, for the reason given (`gone`, `failing`).
    Disabled(&'static str),
}

/// Records an attempt and its outcome on the delivery and the endpoint.
pub async fn record(
    conn: &mut PgConnection,
    due: &Due,
    attempt: &Attempt,
    outcome: Outcome,
) -> sqlx::Result<EndpointAfter> {
    let number = due.attempts + 1;
    let (state, next) = match outcome {
        Outcome::Delivered => ("succeeded", None),
        Outcome::Retry(at) => ("pending", Some(at)),
        Outcome::Failed | Outcome::Gone => ("failed", None),
    };
    sqlx::query!(
        "INSERT INTO webhook_attempts (delivery_id, endpoint_id, attempt, status_code, duration_ms, error, response_body,
            created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        due.id,
        due.endpoint_id,
        number,
        attempt.status_code.map(i32::from),
        attempt.duration_ms,
        attempt.error,
        attempt.response_body,
        attempt.at,
        next,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE webhook_deliveries SET state = $2, attempts = $3, next_attempt_at = $4, updated_at = $5 WHERE id = $1",
        due.id,
        state,
        number,
        next,
        attempt.at,
    )
    .execute(&mut *conn)
    .await?;
    let disable = match outcome {
        Outcome::Delivered => {
            sqlx::query!(
                "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL",
                due.endpoint_id
            )
            .execute(&mut *conn)
            .await?;
            return Ok(EndpointAfter::Unchanged);
        }
        Outcome::Gone => Some("gone"),
        Outcome::Retry(_) | Outcome::Failed => {
            let since = sqlx::query_scalar!(
                "UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $2) WHERE id = $1
                 RETURNING failing_since",
                due.endpoint_id,
                attempt.at,
            )
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
            since.filter(|since| attempt.at - *since >= DISABLE_AFTER).map(|_| "failing")
        }
    };
    let Some(reason) = disable else { return Ok(EndpointAfter::Unchanged) };
    let disabled = sqlx::query!(
        "UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = $3 WHERE id = $1 AND enabled",
        due.endpoint_id,
        reason,
        attempt.at,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    // What was waiting for it will not be sent.
    sqlx::query!(
        "UPDATE webhook_deliveries SET state = 'failed', next_attempt_at = NULL, updated_at = $2
         WHERE endpoint_id = $1 AND state = 'pending'",
        due.endpoint_id,
        attempt.at,
    )
    .execute(conn)
    .await?;
    Ok(if disabled == 1 { EndpointAfter::Disabled(reason) } else { EndpointAfter::Unchanged })
}

/// An attempt, as the delivery log shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttemptEntry {
    pub id: i64,
    pub delivery_id: Uuid,
    /// The `webhook-id` sent.
    pub event_id: Uuid,
    #[serde(rename = "type")]
    pub kind: String,
    /// 1 for the first attempt of the delivery.
    pub attempt: i32,
    /// Null when no answer came (see `error`).
    pub status_code: Option<i32>,
    pub duration_ms: Option<i32>,
    pub error: Option<String>,
    /// The first KiB of the answer.
    pub response_body: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the delivery is tried again after this attempt, if it is.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// An endpoint's attempts, newest first, `limit` at most before attempt `before`.
pub async fn attempts(
    conn: &mut PgConnection,
    endpoint: Uuid,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<AttemptEntry>> {
    sqlx::query_as!(
        AttemptEntry,
        r#"SELECT a.id, a.delivery_id, d.event_id, d.type AS kind, a.attempt, a.status_code, a.duration_ms, a.error,
                  a.response_body, a.created_at, a.next_attempt_at
           FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
           WHERE a.endpoint_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT $3"#,
        endpoint,
        before.unwrap_or(i64::MAX),
        limit,
    )
    .fetch_all(conn)
    .await
}

/// Makes a delivery of `endpoint` due now again (a replay: the same event, the same
/// `webhook-id`); false when there is no such delivery.
pub async fn replay(
    conn: &mut PgConnection,
    endpoint: Uuid,
    delivery: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $3, updated_at = $3
         WHERE id = $1 AND endpoint_id = $2 RETURNING event_id",
        delivery,
        endpoint,
        now,
    )
    .fetch_optional(conn)
    .await
}

/// The tenant's waiting deliveries: how many, the oldest one's creation, when the next one is
/// due, the endpoints disabled, and when the oldest finished one kept was made (`prune`'s).
#[derive(Debug, Clone, Copy)]
pub struct Backlog {
    pub tenant: Uuid,
    pub pending: i64,
    pub oldest: Option<DateTime<Utc>>,
    pub next_due: Option<DateTime<Utc>>,
    pub disabled: i64,
    pub oldest_finished: Option<DateTime<Utc>>,
}

impl Backlog {
    pub fn waiting(&self) -> shared::work_queue::Backlog {
        shared::work_queue::Backlog { depth: self.pending, oldest: self.oldest }
    }
}

/// Each of `tenants`' backlog (`delivery_backlogs`, tenant migration 0042, in a transaction
/// naming none).
pub async fn backlogs(conn: &mut PgConnection, tenants: &[Uuid]) -> sqlx::Result<Vec<Backlog>> {
    sqlx::query_as!(
        Backlog,
        r#"SELECT tenant AS "tenant!", pending AS "pending!", oldest, next_due, disabled AS "disabled!", oldest_finished
           FROM delivery_backlogs($1)"#,
        tenants,
    )
    .fetch_all(conn)
    .await
}

/// Drops finished deliveries (and their attempts) older than `KEPT_FOR`, a bounded batch.
pub async fn prune(conn: &mut PgConnection, now: DateTime<Utc>) -> sqlx::Result<u64> {
    sqlx::query!(
        "DELETE FROM webhook_deliveries WHERE id IN (
            SELECT id FROM webhook_deliveries WHERE created_at < $1 AND state <> 'pending' LIMIT 1000)",
        now - KEPT_FOR,
    )
    .execute(conn)
    .await
    .map(|done| done.rows_affected())
}
