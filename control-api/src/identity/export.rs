//! What the data-access export (GDPR art. 15 and 20) reads about one identity: the identity, its
//! memberships, its sessions and the audit entries made by it or about it, all from one snapshot.
//! Each view leaves out what proves an identity (password hash, TOTP secret, recovery-code and
//! token digests) and what belongs to other people (see `ExportedAuditEntry`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use shared::auth::Role;
use shared::tenant::TenantStatus;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

/// Makes the transaction's reads one snapshot, so the lists agree with each other. Run it first
/// in the transaction.
pub async fn hold_snapshot(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(conn).await.map(drop)
}

/// The identity itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedIdentity {
    pub id: Uuid,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    /// Whether the identity operates the platform.
    pub platform_admin: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Whether a second factor (TOTP) is on.
    pub mfa_enabled: bool,
    /// When it was turned on.
    pub mfa_enabled_at: Option<DateTime<Utc>>,
}

/// An active identity (`None`: no such identity, or disabled).
pub async fn identity(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Option<ExportedIdentity>> {
    sqlx::query_as!(
        ExportedIdentity,
        r#"SELECT u.id, u.email, u.firstname, u.lastname, u.is_platform_admin AS platform_admin,
                  u.created_at, u.updated_at,
                  f.enabled_at IS NOT NULL AS "mfa_enabled!", f.enabled_at AS "mfa_enabled_at?"
           FROM users u LEFT JOIN user_mfa f ON f.user_id = u.id
           WHERE u.id = $1 AND u.status = 'active'"#,
        user_id,
    )
    .fetch_optional(conn)
    .await
}

/// One membership, whatever the state of its tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedMembership {
    pub tenant_id: Uuid,
    pub slug: String,
    pub name: String,
    pub tenant_status: TenantStatus,
    pub role: Role,
    /// When the identity joined the tenant.
    pub since: DateTime<Utc>,
    /// The last change of the role.
    pub updated_at: DateTime<Utc>,
}

/// Up to `limit` memberships, newest first, deleted tenants included.
pub async fn memberships(conn: &mut PgConnection, user_id: Uuid, limit: i64) -> sqlx::Result<Vec<ExportedMembership>> {
    sqlx::query_as!(
        ExportedMembership,
        r#"SELECT t.id AS tenant_id, t.slug, t.name, t.status AS "tenant_status: TenantStatus",
                  m.role AS "role: Role", m.created_at AS since, m.updated_at
           FROM memberships m JOIN tenants t ON t.id = m.tenant_id
           WHERE m.user_id = $1
           ORDER BY m.created_at DESC, t.id DESC LIMIT $2"#,
        user_id,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// One login session, open or not. Its refresh tokens stay out: only their digests are stored,
/// and a digest is a credential to whoever holds a matching token.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedSession {
    pub id: Uuid,
    /// The tenant the session is for; absent for platform operators.
    pub tenant_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// The last refresh (or the login).
    pub last_used_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// How the login was proven: `pwd`, then `otp` with a second factor.
    pub amr: Vec<String>,
    /// When the session ends however often it is refreshed.
    pub ends_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why it was revoked (`logout`, `logout_all`, `password_changed`, ...).
    pub revoked_reason: Option<String>,
}

/// Up to `limit` sessions, newest first, ended and revoked ones included.
pub async fn sessions(conn: &mut PgConnection, user_id: Uuid, limit: i64) -> sqlx::Result<Vec<ExportedSession>> {
    sqlx::query_as!(
        ExportedSession,
        "SELECT id, tenant_id, created_at, last_used_at, host(ip) AS ip, user_agent, amr, ends_at,
                revoked_at, revoked_reason
         FROM sessions WHERE user_id = $1
         ORDER BY created_at DESC, id DESC LIMIT $2",
        user_id,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// One audit entry made by the identity or about it. An entry about it made by someone else (an
/// admin changing its role, an invitation to its email) keeps what was done to the identity but
/// not who did it or from where: that actor's id, address and browser are theirs.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedAuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// What happened (`login_succeeded`, `member_role_changed`, ...).
    pub action: String,
    pub tenant_id: Option<Uuid>,
    /// Whether the identity is the entry's actor (false: someone else acted on it).
    pub made_by_you: bool,
    /// Only on entries made by the identity.
    pub ip: Option<String>,
    /// Only on entries made by the identity.
    pub user_agent: Option<String>,
    #[schema(value_type = Object)]
    pub details: Value,
}

/// Up to `limit` entries, newest first: those the identity is the actor of, and those naming it
/// as their subject (`details.user_id`, or `details.email` in any case; see the indexes of
/// migration 0005).
pub async fn audit_entries(
    conn: &mut PgConnection,
    user_id: Uuid,
    email: &str,
    limit: i64,
) -> sqlx::Result<Vec<ExportedAuditEntry>> {
    sqlx::query_as!(
        ExportedAuditEntry,
        r#"SELECT id, at, action, tenant_id,
                  actor_user_id IS NOT DISTINCT FROM $1 AS "made_by_you!",
                  CASE WHEN actor_user_id = $1 THEN host(ip) END AS ip,
                  CASE WHEN actor_user_id = $1 THEN user_agent END AS user_agent,
                  details
           FROM audit_log
           WHERE actor_user_id = $1
              OR (details ? 'user_id' AND details->>'user_id' = $1::text)
              OR (details ? 'email' AND lower(details->>'email') = lower($2))
           ORDER BY id DESC LIMIT $3"#,
        user_id,
        email,
        limit,
    )
    .fetch_all(conn)
    .await
}
