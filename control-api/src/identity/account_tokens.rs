//! The single-use tokens of the links account mail carries (a password reset, an email
//! verification) and of a sign-up's first sign-in: issued with the mail or the sign-up, in the
//! same transaction, stored as a digest only, and spent at most once before they expire.

use std::time::Duration;

use chrono::Utc;
use shared::crypto::{random_token, token_digest};
use sqlx::PgConnection;
use uuid::Uuid;

/// How long a password reset link works.
pub const RESET_TTL: Duration = Duration::from_secs(30 * 60);
/// How long an email verification link works.
pub const VERIFICATION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long a sign-up's token signs its owner in.
pub const SIGN_IN_TTL: Duration = Duration::from_secs(15 * 60);
/// Longer than any token this module issues (43 characters): refused before any lookup.
pub const MAX_TOKEN_CHARS: usize = 128;

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    EmailVerification,
    SignIn,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::EmailVerification => "email_verification",
            Self::SignIn => "sign_in",
        }
    }

    pub fn ttl(self) -> Duration {
        match self {
            Self::PasswordReset => RESET_TTL,
            Self::EmailVerification => VERIFICATION_TTL,
            Self::SignIn => SIGN_IN_TTL,
        }
    }
}

/// Issues a token for `user_id`, its link pointing at `tenant_id`'s address. Returns the token
/// (it exists nowhere else: put it in the mail).
pub async fn issue(conn: &mut PgConnection, purpose: Purpose, user_id: Uuid, tenant_id: Uuid) -> sqlx::Result<String> {
    let token = random_token();
    let expires_at = Utc::now() + chrono::Duration::from_std(purpose.ttl()).expect("a small duration");
    sqlx::query!(
        "INSERT INTO account_tokens (token_digest, purpose, user_id, tenant_id, expires_at) VALUES ($1, $2, $3, $4, $5)",
        token_digest(&token),
        purpose.as_str(),
        user_id,
        tenant_id,
        expires_at,
    )
    .execute(conn)
    .await?;
    Ok(token)
}

/// The identity a token may act for: unused, unexpired, for `purpose`, its identity active.
#[derive(Debug, Clone)]
pub struct Holder {
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
}

/// The holder of `token`, without spending it (to check what the request brings before the
/// password is hashed).
pub async fn find(conn: &mut PgConnection, purpose: Purpose, token: &str) -> sqlx::Result<Option<Holder>> {
    if token.chars().count() > MAX_TOKEN_CHARS {
        return Ok(None);
    }
    sqlx::query_as!(
        Holder,
        "SELECT t.user_id, t.tenant_id, u.email FROM account_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_digest = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > now()
           AND u.status = 'active'",
        token_digest(token),
        purpose.as_str(),
    )
    .fetch_optional(conn)
    .await
}

/// Spends `token` in the caller's transaction: its holder, or `None` when it was used (even a
/// moment ago, by a concurrent request), expired, forged or its identity disabled.
pub async fn spend(conn: &mut PgConnection, purpose: Purpose, token: &str) -> sqlx::Result<Option<Holder>> {
    if token.chars().count() > MAX_TOKEN_CHARS {
        return Ok(None);
    }
    sqlx::query_as!(
        Holder,
        r#"UPDATE account_tokens t SET used_at = now()
           FROM users u
           WHERE u.id = t.user_id AND t.token_digest = $1 AND t.purpose = $2 AND t.used_at IS NULL
             AND t.expires_at > now() AND u.status = 'active'
           RETURNING t.user_id, t.tenant_id, u.email"#,
        token_digest(token),
        purpose.as_str(),
    )
    .fetch_optional(conn)
    .await
}

/// Ends every unused token of `user_id` for `purpose` (a reset ends the other reset links).
pub async fn spend_all(conn: &mut PgConnection, purpose: Purpose, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE account_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        user_id,
        purpose.as_str(),
    )
    .execute(conn)
    .await
    .map(drop)
}
