//! Requests sent with an `Idempotency-Key` header: the first answer is kept 24 hours in the
//! tenant database (`idempotent_requests`), and a retry with the same key and the same request
//! gets it again instead of acting twice.
//!
//! The key is the caller's own (keys of two people never meet). While the first request runs, a
//! retry is told so (409); a first request that died without answering is taken over after
//! `ABANDONED_AFTER`. The same key with another request is refused (422).

use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Duration, Utc};
use sav::ids::UserId;
use sha2::{Digest as _, Sha256};
use shared::error::{ApiError, ApiResult, FieldError};
use sqlx::PgConnection;

/// How long an answer is replayed.
pub const KEPT_FOR: Duration = Duration::hours(24);
/// A request that has not answered after this long is taken to have died.
const ABANDONED_AFTER: Duration = Duration::minutes(5);
const HEADER: &str = "idempotency-key";

/// The header that marks a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";

/// A key and what it was sent with.
#[derive(Debug, Clone)]
pub struct Keyed {
    pub key: String,
    /// The endpoint and a digest of the request's body.
    pub request: String,
}

impl Keyed {
    /// The request's key, if it has one: 1 to 255 visible ASCII characters.
    pub fn from_headers(headers: &HeaderMap, endpoint: &str, body: &impl serde::Serialize) -> ApiResult<Option<Self>> {
        let Some(value) = headers.get(HEADER) else { return Ok(None) };
        let key = value
            .to_str()
            .ok()
            .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                ApiError::invalid(vec![FieldError::new("Idempotency-Key", "must be 1 to 255 visible ASCII characters")])
            })?;
        let digest = Sha256::digest(serde_json::to_vec(body).expect("requests serialise"));
        Ok(Some(Self { key: key.to_owned(), request: format!("{endpoint} {}", hex::encode(digest)) }))
    }
}

/// What a key says about a request.
#[derive(Debug)]
pub enum Claim {
    /// The first time (or the first since the last answer expired): go ahead, then `record`.
    Fresh,
    /// Answered before: this answer again.
    Answered(serde_json::Value),
}

/// Claims `keyed` for `user_id` at `now`, or says why not.
pub async fn claim(conn: &mut PgConnection, user_id: UserId, keyed: &Keyed, now: DateTime<Utc>) -> ApiResult<Claim> {
    // Expired answers go first, a hundred at most (the oldest, by index), whoever sent them: each
    // keyed request clears more than it adds, so the table holds about a day of keys.
    sqlx::query!(
        "DELETE FROM idempotent_requests WHERE (user_id, key) IN (
             SELECT user_id, key FROM idempotent_requests WHERE created_at < $1 ORDER BY created_at LIMIT 100)",
        now - KEPT_FOR
    )
    .execute(&mut *conn)
    .await?;
    let inserted = sqlx::query_scalar!(
        r#"INSERT INTO idempotent_requests (user_id, key, request, created_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (tenant_id, user_id, key) DO NOTHING RETURNING true AS "inserted!""#,
        user_id as _,
        keyed.key,
        keyed.request,
        now,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if inserted.is_some() {
        return Ok(Claim::Fresh);
    }
    let Some(held) = sqlx::query!(
        "SELECT request, answer, created_at FROM idempotent_requests WHERE user_id = $1 AND key = $2",
        user_id as _,
        keyed.key,
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Err(in_progress());
    };
    if held.request != keyed.request {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was sent with another request; use a new key for a new request",
        ));
    }
    if let Some(answer) = held.answer {
        return Ok(Claim::Answered(answer));
    }
    if held.created_at > now - ABANDONED_AFTER {
        return Err(in_progress());
    }
    // The first request died: this one takes over.
    let taken = sqlx::query!(
        "UPDATE idempotent_requests SET created_at = $3
         WHERE user_id = $1 AND key = $2 AND answer IS NULL AND created_at = $4",
        user_id as _,
        keyed.key,
        now,
        held.created_at,
    )
    .execute(&mut *conn)
    .await?;
    if taken.rows_affected() == 1 { Ok(Claim::Fresh) } else { Err(in_progress()) }
}

fn in_progress() -> ApiError {
    ApiError::conflict("a request with this Idempotency-Key is still running; retry in a moment")
}

/// Keeps `answer` for the key's retries.
pub async fn record(
    conn: &mut PgConnection,
    user_id: UserId,
    keyed: &Keyed,
    answer: &serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE idempotent_requests SET answer = $3 WHERE user_id = $1 AND key = $2",
        user_id as _,
        keyed.key,
        answer,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Gives the key back when the request failed before acting, so that a retry acts.
pub async fn release(conn: &mut PgConnection, user_id: UserId, keyed: &Keyed) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM idempotent_requests WHERE user_id = $1 AND key = $2 AND answer IS NULL",
        user_id as _,
        keyed.key
    )
    .execute(conn)
    .await
    .map(drop)
}
