//! The audit trail: security-relevant events with who, where from, and when; appended by the
//! flows that cause them, read per tenant (and per person by the data-access export). An entry
//! about someone other than its actor names them in `details` as `user_id` or `email`: that is
//! how the export finds it.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::sessions::Origin;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    LoginSucceeded,
    LoginFailed,
    MfaFailed,
    MfaEnabled,
    MfaDisabled,
    RecoveryCodeUsed,
    RefreshReuseDetected,
    Logout,
    LogoutAll,
    SessionRevoked,
    PasswordChanged,
    /// A reset link was mailed (asked for by anyone who knows the email: the entry is the
    /// person's, in the tenant it was asked from).
    PasswordResetRequested,
    /// The password was set through a reset link; every session ended.
    PasswordReset,
    /// The email was verified through the mailed link.
    EmailVerified,
    InvitationCreated,
    InvitationRevoked,
    MemberJoined,
    MemberRoleChanged,
    MemberRemoved,
    /// A member removed at their tenant's request for erasure (their identity too, when it
    /// belonged to no other tenant).
    MemberErased,
    DataExported,
    /// A tenant's deletion was asked for (its data goes; this entry stays).
    TenantDeleted,
    /// The tenant's rows moved to another placement (`from` and `to` modes, no database names).
    TenantMoved,
    /// The tenant's single sign-on was set or changed (never the secret).
    SsoConfigured,
    SsoRemoved,
    /// The provider ended a person's sessions (back-channel logout).
    SsoLogout,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginSucceeded => "login_succeeded",
            Self::LoginFailed => "login_failed",
            Self::MfaFailed => "mfa_failed",
            Self::MfaEnabled => "mfa_enabled",
            Self::MfaDisabled => "mfa_disabled",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::RefreshReuseDetected => "refresh_reuse_detected",
            Self::Logout => "logout",
            Self::LogoutAll => "logout_all",
            Self::SessionRevoked => "session_revoked",
            Self::PasswordChanged => "password_changed",
            Self::PasswordResetRequested => "password_reset_requested",
            Self::PasswordReset => "password_reset",
            Self::EmailVerified => "email_verified",
            Self::InvitationCreated => "invitation_created",
            Self::InvitationRevoked => "invitation_revoked",
            Self::MemberJoined => "member_joined",
            Self::MemberRoleChanged => "member_role_changed",
            Self::MemberRemoved => "member_removed",
            Self::MemberErased => "member_erased",
            Self::DataExported => "data_exported",
            Self::TenantDeleted => "tenant_deleted",
            Self::TenantMoved => "tenant_moved",
            Self::SsoConfigured => "sso_configured",
            Self::SsoRemoved => "sso_removed",
            Self::SsoLogout => "sso_logout",
        }
    }
}

/// Appends one entry.
pub async fn record(
    conn: &mut PgConnection,
    action: Action,
    actor: Option<Uuid>,
    tenant: Option<Uuid>,
    origin: &Origin,
    details: Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO audit_log (action, actor_user_id, tenant_id, ip, user_agent, details)
         VALUES ($1, $2, $3, $4, $5, $6)",
        action.as_str(),
        actor,
        tenant,
        origin.ip.map(sqlx::types::ipnet::IpNet::from),
        origin.user_agent.as_deref(),
        details,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Replaces `email` (in any case) by `user_id` in the entries that name a person by their email
/// (invitations), once that person is erased: the entries keep what happened and about whom,
/// by an id that names nobody any more.
pub async fn forget_email(conn: &mut PgConnection, email: &str, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE audit_log SET details = (details - 'email') || jsonb_build_object('user_id', $2::uuid)
         WHERE details ? 'email' AND lower(details->>'email') = lower($1)",
        email,
        user_id,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Forgets where `user_id` acted from (the address and browser of their own entries), once that
/// person is erased: the entries keep what was done, and by which id.
pub async fn forget_origins(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE audit_log SET ip = NULL, user_agent = NULL
         WHERE actor_user_id = $1 AND (ip IS NOT NULL OR user_agent IS NOT NULL)",
        user_id,
    )
    .execute(conn)
    .await
    .map(drop)
}

// One entry as the tenant's audit log shows it (no doc comment: it would change the OpenAPI
// document). The action stays text: the log has no closed set of words (no CHECK), and a word
// this version does not know must still be shown.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor_user_id: Option<Uuid>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    #[schema(value_type = Object)]
    pub details: Value,
}

/// A page of a tenant's entries, newest first, before the entry `before`.
pub async fn page_of_tenant(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<AuditEntry>> {
    sqlx::query_as!(
        AuditEntry,
        "SELECT id, at, action, actor_user_id, host(ip) AS ip, user_agent, details FROM audit_log
         WHERE tenant_id = $1 AND ($2::bigint IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $3",
        tenant_id,
        before,
        limit,
    )
    .fetch_all(conn)
    .await
}
