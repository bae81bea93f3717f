//! Login sessions and their refresh tokens. Every refresh rotates the token; presenting a
//! token that was already rotated means it was copied, and the whole session is revoked.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use shared::crypto::{random_token, token_digest};
use sqlx::PgConnection;
use uuid::Uuid;

/// Where a login came from, for sessions and the audit log.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub user_id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub amr: Vec<String>,
}

/// Opens a session and issues its first refresh token.
pub async fn open(
    conn: &mut PgConnection,
    new: &NewSession,
    origin: &Origin,
    refresh_ttl: Duration,
) -> sqlx::Result<(Uuid, String)> {
    let session_id = Uuid::now_v7();
    let expires_at = expiry(refresh_ttl);
    sqlx::query(
        "INSERT INTO sessions (id, user_id, tenant_id, amr, expires_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(session_id)
    .bind(new.user_id)
    .bind(new.tenant_id)
    .bind(&new.amr)
    .bind(expires_at)
    .bind(origin.ip.map(ipnet_from))
    .bind(origin.user_agent.as_deref())
    .execute(&mut *conn)
    .await?;
    let token = issue_refresh_token(conn, session_id, expires_at).await?;
    Ok((session_id, token))
}

fn ipnet_from(ip: IpAddr) -> sqlx::types::ipnet::IpNet {
    sqlx::types::ipnet::IpNet::from(ip)
}

fn expiry(ttl: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(7))
}

async fn issue_refresh_token(
    conn: &mut PgConnection,
    session_id: Uuid,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<String> {
    let token = random_token();
    sqlx::query("INSERT INTO refresh_tokens (token_digest, session_id, expires_at) VALUES ($1, $2, $3)")
        .bind(token_digest(&token))
        .bind(session_id)
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(token)
}

/// The session a refresh token belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub amr: Vec<String>,
}

#[derive(Debug)]
pub enum Rotation {
    /// A fresh token in the same session.
    Rotated { session: SessionRow, refresh_token: String },
    /// The token had already been used: the session is now revoked.
    Reused(SessionRow),
    /// Unknown, expired, or its session revoked.
    Invalid,
}

#[derive(sqlx::FromRow)]
struct PresentedToken {
    #[sqlx(flatten)]
    session: SessionRow,
    token_expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

/// Rotates `token`. Run it in a transaction and commit whatever the outcome: a detected reuse
/// must stay revoked.
pub async fn rotate(conn: &mut PgConnection, token: &str, refresh_ttl: Duration) -> sqlx::Result<Rotation> {
    let presented: Option<PresentedToken> = sqlx::query_as(
        "SELECT r.session_id, s.user_id, s.tenant_id, s.amr, r.expires_at AS token_expires_at, r.used_at, s.revoked_at
         FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
         WHERE r.token_digest = $1
         FOR UPDATE OF r, s",
    )
    .bind(token_digest(token))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(presented) = presented else { return Ok(Rotation::Invalid) };
    if presented.revoked_at.is_some() {
        return Ok(Rotation::Invalid);
    }
    if presented.used_at.is_some() {
        revoke(conn, presented.session.session_id, "refresh_token_reuse").await?;
        return Ok(Rotation::Reused(presented.session));
    }
    if presented.token_expires_at <= Utc::now() {
        return Ok(Rotation::Invalid);
    }
    sqlx::query("UPDATE refresh_tokens SET used_at = now() WHERE token_digest = $1")
        .bind(token_digest(token))
        .execute(&mut *conn)
        .await?;
    let expires_at = expiry(refresh_ttl);
    sqlx::query("UPDATE sessions SET expires_at = $2 WHERE id = $1")
        .bind(presented.session.session_id)
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
    let refresh_token = issue_refresh_token(conn, presented.session.session_id, expires_at).await?;
    Ok(Rotation::Rotated { session: presented.session, refresh_token })
}

/// The session a refresh token belongs to, if it is still open.
pub async fn find_open(conn: &mut PgConnection, token: &str) -> sqlx::Result<Option<SessionRow>> {
    sqlx::query_as(
        "SELECT s.id AS session_id, s.user_id, s.tenant_id, s.amr
         FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
         WHERE r.token_digest = $1 AND s.revoked_at IS NULL",
    )
    .bind(token_digest(token))
    .fetch_optional(conn)
    .await
}

pub async fn revoke(conn: &mut PgConnection, session_id: Uuid, reason: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(session_id)
        .bind(reason)
        .execute(conn)
        .await
        .map(drop)
}
