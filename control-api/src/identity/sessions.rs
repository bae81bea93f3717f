//! Login sessions and their refresh tokens. Every refresh rotates the token; presenting a
//! token that was already rotated means it was copied, and the whole session is revoked. A
//! session ends at the latest `SESSION_MAX_DAYS` after its login, however often it is
//! refreshed. Whoever revokes sessions publishes their ids (`revocation`) after committing, so
//! both planes refuse their access tokens at once.

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

/// How long refresh tokens and sessions live.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    /// A refresh token unused this long expires.
    pub refresh: Duration,
    /// A session ends this long after its login.
    pub session: Duration,
}

fn after(ttl: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(7))
}

/// Opens a session and issues its first refresh token. Marks the tenant as used.
pub async fn open(
    conn: &mut PgConnection,
    new: &NewSession,
    origin: &Origin,
    lifetimes: Lifetimes,
) -> sqlx::Result<(Uuid, String)> {
    let session_id = Uuid::now_v7();
    let ends_at = after(lifetimes.session);
    let expires_at = after(lifetimes.refresh).min(ends_at);
    sqlx::query!(
        "INSERT INTO sessions (id, user_id, tenant_id, amr, expires_at, ends_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        session_id,
        new.user_id,
        new.tenant_id,
        &new.amr,
        expires_at,
        ends_at,
        origin.ip.map(sqlx::types::ipnet::IpNet::from),
        origin.user_agent.as_deref(),
    )
    .execute(&mut *conn)
    .await?;
    if let Some(tenant_id) = new.tenant_id {
        sqlx::query!("UPDATE tenants SET first_login_at = now() WHERE id = $1 AND first_login_at IS NULL", tenant_id)
            .execute(&mut *conn)
            .await?;
    }
    let token = issue_refresh_token(conn, session_id, expires_at).await?;
    Ok((session_id, token))
}

async fn issue_refresh_token(
    conn: &mut PgConnection,
    session_id: Uuid,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<String> {
    let token = random_token();
    sqlx::query!(
        "INSERT INTO refresh_tokens (token_digest, session_id, expires_at) VALUES ($1, $2, $3)",
        token_digest(&token),
        session_id,
        expires_at,
    )
    .execute(conn)
    .await?;
    Ok(token)
}

/// The session a refresh token belongs to.
#[derive(Debug, Clone)]
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
    /// Unknown, expired, or its session revoked or ended.
    Invalid,
}

struct PresentedToken {
    session: SessionRow,
    token_expires_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

/// Rotates `token`. Run it in a transaction and commit whatever the outcome: a detected reuse
/// must stay revoked.
pub async fn rotate(conn: &mut PgConnection, token: &str, lifetimes: Lifetimes) -> sqlx::Result<Rotation> {
    let presented = sqlx::query!(
        r#"SELECT r.session_id, s.user_id AS "user_id!", s.tenant_id, s.amr, r.expires_at AS token_expires_at,
                s.ends_at, r.used_at, s.revoked_at
         FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
         WHERE r.token_digest = $1
         FOR UPDATE OF r, s"#,
        token_digest(token),
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|row| PresentedToken {
        session: SessionRow {
            session_id: row.session_id,
            user_id: row.user_id,
            tenant_id: row.tenant_id,
            amr: row.amr,
        },
        token_expires_at: row.token_expires_at,
        ends_at: row.ends_at,
        used_at: row.used_at,
        revoked_at: row.revoked_at,
    });
    let Some(presented) = presented else { return Ok(Rotation::Invalid) };
    if presented.revoked_at.is_some() {
        return Ok(Rotation::Invalid);
    }
    if presented.used_at.is_some() {
        revoke(conn, presented.session.session_id, "refresh_token_reuse").await?;
        return Ok(Rotation::Reused(presented.session));
    }
    let now = Utc::now();
    if presented.token_expires_at <= now || presented.ends_at <= now {
        return Ok(Rotation::Invalid);
    }
    sqlx::query!("UPDATE refresh_tokens SET used_at = now() WHERE token_digest = $1", token_digest(token))
        .execute(&mut *conn)
        .await?;
    let expires_at = after(lifetimes.refresh).min(presented.ends_at);
    sqlx::query!(
        "UPDATE sessions SET expires_at = $2, last_used_at = now() WHERE id = $1",
        presented.session.session_id,
        expires_at,
    )
    .execute(&mut *conn)
    .await?;
    let refresh_token = issue_refresh_token(conn, presented.session.session_id, expires_at).await?;
    Ok(Rotation::Rotated { session: presented.session, refresh_token })
}

/// The session a refresh token belongs to, if it is still open.
pub async fn find_open(conn: &mut PgConnection, token: &str) -> sqlx::Result<Option<SessionRow>> {
    sqlx::query_as!(
        SessionRow,
        r#"SELECT s.id AS session_id, s.user_id AS "user_id!", s.tenant_id, s.amr
           FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
           WHERE r.token_digest = $1 AND s.revoked_at IS NULL"#,
        token_digest(token),
    )
    .fetch_optional(conn)
    .await
}

/// Whether the session an access token names is still open: not revoked, not ended.
pub async fn is_live(conn: &mut PgConnection, session_id: Uuid, user_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM sessions
           WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND ends_at > now()) AS "live!""#,
        session_id,
        user_id,
    )
    .fetch_one(conn)
    .await
}

pub async fn revoke(conn: &mut PgConnection, session_id: Uuid, reason: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL",
        session_id,
        reason,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Which of a user's open sessions to end.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Every session.
    All,
    /// Every session but this one (after a password change).
    AllBut(Uuid),
    /// The sessions in one tenant (a removed member).
    Tenant(Uuid),
    /// One session.
    One(Uuid),
}

/// Revokes a user's open sessions; returns their ids, to publish after the commit.
pub async fn revoke_user(
    conn: &mut PgConnection,
    user_id: Uuid,
    scope: Scope,
    reason: &str,
) -> sqlx::Result<Vec<Uuid>> {
    let (except, tenant, only) = match scope {
        Scope::All => (None, None, None),
        Scope::AllBut(keep) => (Some(keep), None, None),
        Scope::Tenant(tenant) => (None, Some(tenant), None),
        Scope::One(session) => (None, None, Some(session)),
    };
    sqlx::query_scalar!(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $2
         WHERE user_id = $1 AND revoked_at IS NULL
           AND ($3::uuid IS NULL OR id <> $3) AND ($4::uuid IS NULL OR tenant_id = $4)
           AND ($5::uuid IS NULL OR id = $5)
         RETURNING id",
        user_id,
        reason,
        except,
        tenant,
        only,
    )
    .fetch_all(conn)
    .await
}

/// Detaches a user's sessions from them, all revoked already, before the identity is erased:
/// the rows keep their id and `revoked_at` (the app plane reads revocations from them, and a
/// deleted row would leave the access tokens of a session revoked a moment ago working there
/// until they expire, when the Redis message is lost or there is no Redis) and lose the user, the
/// address and the browser. Their refresh tokens go: a detached session is never refreshed.
pub async fn detach_revoked(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "WITH detached AS (
           UPDATE sessions SET user_id = NULL, ip = NULL, user_agent = NULL WHERE user_id = $1 RETURNING id)
         DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM detached)",
        user_id,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Revokes every open session in a tenant (deleted); returns their ids.
pub async fn revoke_tenant(conn: &mut PgConnection, tenant_id: Uuid, reason: &str) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $2
         WHERE tenant_id = $1 AND revoked_at IS NULL RETURNING id",
        tenant_id,
        reason,
    )
    .fetch_all(conn)
    .await
}

/// One of a user's sessions, as the session list shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    /// The last refresh (or the login).
    pub last_used_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The tenant the session is for; absent for platform operators.
    pub tenant_id: Option<Uuid>,
    /// When the session ends however often it is refreshed.
    pub ends_at: DateTime<Utc>,
    /// Whether this is the session of the token that asked.
    // Read as false: the handler knows which session asked.
    pub current: bool,
}

/// A page of a user's open sessions, newest first.
pub async fn list_open(
    conn: &mut PgConnection,
    user_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> sqlx::Result<Vec<SessionView>> {
    sqlx::query_as!(
        SessionView,
        r#"SELECT id, created_at, last_used_at, host(ip) AS ip, user_agent, tenant_id, ends_at, false AS "current!"
           FROM sessions
           WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND ends_at > now()
             AND ($2::uuid IS NULL OR id < $2)
           ORDER BY id DESC LIMIT $3"#,
        user_id,
        before,
        limit,
    )
    .fetch_all(conn)
    .await
}
