//! Sign-ins under way, from `start` to the callback: kept by the digest of their `state`, bound
//! to the browser that started them (the digest of a random value in a cookie of their own),
//! taken once, short-lived, and bounded per tenant.

use chrono::{Duration, Utc};
use shared::crypto::token_digest;
use sqlx::PgConnection;
use uuid::Uuid;

/// How long a person has at the provider before the sign-in must start again.
pub const LIFETIME: Duration = Duration::minutes(10);
/// Sign-ins under way one tenant may have at once (anyone can start one).
const PENDING_MAX: i64 = 10_000;

pub struct NewAttempt<'a> {
    pub tenant_id: Uuid,
    pub state: &'a str,
    /// The value of the browser's cookie.
    pub browser: &'a str,
    pub nonce: &'a str,
    pub pkce_verifier: &'a str,
    /// The owner's test sign-in: reported, not signed in.
    pub trial: bool,
}

/// Keeps a new attempt, after forgetting the tenant's expired ones; false when the tenant has
/// too many under way.
pub async fn keep(conn: &mut PgConnection, new: &NewAttempt<'_>) -> sqlx::Result<bool> {
    sqlx::query!("DELETE FROM sso_attempts WHERE tenant_id = $1 AND expires_at <= now()", new.tenant_id)
        .execute(&mut *conn)
        .await?;
    let kept = sqlx::query!(
        "INSERT INTO sso_attempts (state_digest, tenant_id, browser_digest, nonce, pkce_verifier, trial, expires_at)
         SELECT $1, $2, $3, $4, $5, $6, $7
         WHERE (SELECT count(*) FROM sso_attempts WHERE tenant_id = $2) < $8",
        token_digest(new.state),
        new.tenant_id,
        token_digest(new.browser),
        new.nonce,
        new.pkce_verifier,
        new.trial,
        Utc::now() + LIFETIME,
        PENDING_MAX,
    )
    .execute(conn)
    .await?;
    Ok(kept.rows_affected() == 1)
}

/// An attempt taken back at its callback.
#[derive(Debug)]
pub struct Attempt {
    pub tenant_id: Uuid,
    pub nonce: String,
    pub pkce_verifier: String,
    pub trial: bool,
}

/// Takes the attempt of `state` (it is gone after this, whatever the outcome) when it has not
/// expired and `browser` is the cookie of the browser that started it.
pub async fn take(conn: &mut PgConnection, state: &str, browser: Option<&str>) -> sqlx::Result<Option<Attempt>> {
    let row = sqlx::query!(
        "DELETE FROM sso_attempts WHERE state_digest = $1
         RETURNING tenant_id, browser_digest, nonce, pkce_verifier, trial, expires_at",
        token_digest(state),
    )
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let same_browser = browser.is_some_and(|value| {
        subtle::ConstantTimeEq::ct_eq(token_digest(value).as_slice(), row.browser_digest.as_slice()).into()
    });
    if !same_browser || row.expires_at <= Utc::now() {
        return Ok(None);
    }
    Ok(Some(Attempt { tenant_id: row.tenant_id, nonce: row.nonce, pkce_verifier: row.pkce_verifier, trial: row.trial }))
}
