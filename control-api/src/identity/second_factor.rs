//! Storage of the second factor: TOTP secrets (encrypted), the last accepted time step,
//! recovery codes (keyed digests), and login challenges between the two steps.

use std::time::Duration;

use chrono::Utc;
use rand::Rng as _;
use shared::crypto::ControlKeys;
use shared::crypto::{keyed_digest, open, random_token, seal, token_digest};
use sqlx::PgConnection;
use uuid::Uuid;

use super::totp;

pub const RECOVERY_CODES: usize = 10;
/// How long the `mfa_token` of a login's first step is valid.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(300);

#[derive(Debug, Clone)]
pub struct StoredSecret {
    pub secret: Vec<u8>,
    pub enabled: bool,
    /// When the setup began.
    pub created_at: chrono::DateTime<Utc>,
}

impl StoredSecret {
    /// How long ago the setup began.
    pub fn age(&self) -> Duration {
        (Utc::now() - self.created_at).to_std().unwrap_or(Duration::ZERO)
    }
}

pub async fn stored_secret(
    conn: &mut PgConnection,
    keys: &ControlKeys,
    user_id: Uuid,
) -> sqlx::Result<Option<StoredSecret>> {
    let row = sqlx::query!(
        r#"SELECT secret_encrypted, enabled_at IS NOT NULL AS "enabled!", created_at FROM user_mfa WHERE user_id = $1"#,
        user_id,
    )
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if let Ok(secret) = open(&keys.second_factor, &row.secret_encrypted, user_id.as_bytes()) {
        Ok(Some(StoredSecret { secret, enabled: row.enabled, created_at: row.created_at }))
    } else {
        tracing::error!(%user_id, "a TOTP secret cannot be decrypted (another key, or moved from another row)");
        Ok(None)
    }
}

/// Stores a new, not yet enabled secret (replacing an unconfirmed one).
pub async fn begin_setup(
    conn: &mut PgConnection,
    keys: &ControlKeys,
    user_id: Uuid,
    secret: &[u8],
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO user_mfa (user_id, secret_encrypted) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET secret_encrypted = EXCLUDED.secret_encrypted, last_used_step = NULL, created_at = now()
         WHERE user_mfa.enabled_at IS NULL",
        user_id,
        seal(&keys.second_factor, secret, user_id.as_bytes()),
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Accepts `code` if it matches a time step newer than the last one accepted, and records that
/// step. A replayed code is refused even within its validity window.
pub async fn accept_code(conn: &mut PgConnection, user_id: Uuid, secret: &[u8], code: &str) -> sqlx::Result<bool> {
    let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let Some(step) = totp::matching_step(secret, code, now) else { return Ok(false) };
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    let accepted = sqlx::query!(
        "UPDATE user_mfa SET last_used_step = $2
         WHERE user_id = $1 AND (last_used_step IS NULL OR last_used_step < $2)",
        user_id,
        step,
    )
    .execute(conn)
    .await?;
    Ok(accepted.rows_affected() == 1)
}

/// A second-factor proof: a current code from the authenticator app, or a recovery code.
pub enum Proof {
    Code(String),
    Recovery(String),
}

/// Whether `proof` is right for the user's enabled second factor. A right one is spent: the
/// code's time step is recorded, the recovery code used up.
pub async fn prove(conn: &mut PgConnection, keys: &ControlKeys, user_id: Uuid, proof: &Proof) -> sqlx::Result<bool> {
    match proof {
        Proof::Code(code) => match stored_secret(conn, keys, user_id).await? {
            Some(stored) if stored.enabled => accept_code(conn, user_id, &stored.secret, code).await,
            _ => Ok(false),
        },
        Proof::Recovery(code) => use_recovery_code(conn, keys, user_id, code).await,
    }
}

/// Enables 2FA and replaces the recovery codes; returns the codes in clear, to show once.
pub async fn enable(conn: &mut PgConnection, keys: &ControlKeys, user_id: Uuid) -> sqlx::Result<Vec<String>> {
    sqlx::query!("UPDATE user_mfa SET enabled_at = now() WHERE user_id = $1", user_id).execute(&mut *conn).await?;
    sqlx::query!("DELETE FROM mfa_recovery_codes WHERE user_id = $1", user_id).execute(&mut *conn).await?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    for code in &codes {
        sqlx::query!(
            "INSERT INTO mfa_recovery_codes (user_id, code_digest) VALUES ($1, $2)",
            user_id,
            keyed_digest(&keys.recovery_codes, normalize_recovery_code(code).as_bytes()),
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(codes)
}

pub async fn disable(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM mfa_recovery_codes WHERE user_id = $1", user_id).execute(&mut *conn).await?;
    sqlx::query!("DELETE FROM user_mfa WHERE user_id = $1", user_id).execute(conn).await.map(drop)
}

/// Spends a recovery code: true once per code.
pub async fn use_recovery_code(
    conn: &mut PgConnection,
    keys: &ControlKeys,
    user_id: Uuid,
    code: &str,
) -> sqlx::Result<bool> {
    let used = sqlx::query!(
        "UPDATE mfa_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_digest = $2 AND used_at IS NULL",
        user_id,
        keyed_digest(&keys.recovery_codes, normalize_recovery_code(code).as_bytes()),
    )
    .execute(conn)
    .await?;
    Ok(used.rows_affected() == 1)
}

/// 16 characters from an alphabet without look-alikes (80 bits), grouped by four.
fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> = (0..16).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// People type codes with or without dashes, in any case.
fn normalize_recovery_code(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Opens the second step of a login: a single-use token valid `CHALLENGE_TTL`.
pub async fn open_challenge(conn: &mut PgConnection, user_id: Uuid, tenant_id: Option<Uuid>) -> sqlx::Result<String> {
    let token = random_token();
    sqlx::query!(
        "INSERT INTO mfa_challenges (token_digest, user_id, tenant_id, expires_at) VALUES ($1, $2, $3, $4)",
        token_digest(&token),
        user_id,
        tenant_id,
        Utc::now() + chrono::Duration::from_std(CHALLENGE_TTL).expect("small duration"),
    )
    .execute(conn)
    .await?;
    Ok(token)
}

/// The user and tenant of a live challenge, without spending it.
pub async fn find_challenge(conn: &mut PgConnection, token: &str) -> sqlx::Result<Option<(Uuid, Option<Uuid>)>> {
    let challenge = sqlx::query!(
        "SELECT user_id, tenant_id FROM mfa_challenges
         WHERE token_digest = $1 AND used_at IS NULL AND expires_at > now()",
        token_digest(token),
    )
    .fetch_optional(conn)
    .await?;
    Ok(challenge.map(|c| (c.user_id, c.tenant_id)))
}

/// Spends a challenge: true for exactly one caller.
pub async fn spend_challenge(conn: &mut PgConnection, token: &str) -> sqlx::Result<bool> {
    let spent = sqlx::query!(
        "UPDATE mfa_challenges SET used_at = now() WHERE token_digest = $1 AND used_at IS NULL AND expires_at > now()",
        token_digest(token),
    )
    .execute(conn)
    .await?;
    Ok(spent.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_grouped_and_forgiving() {
        let code = recovery_code();
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        assert_eq!(normalize_recovery_code(&code.to_uppercase()), normalize_recovery_code(&code.replace('-', "")));
        assert_ne!(recovery_code(), recovery_code());
    }
}
