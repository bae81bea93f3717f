//! The audit trail: security-relevant events with who, where from, and when.

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
    InvitationCreated,
    MemberJoined,
    MemberRoleChanged,
    MemberRemoved,
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
            Self::InvitationCreated => "invitation_created",
            Self::MemberJoined => "member_joined",
            Self::MemberRoleChanged => "member_role_changed",
            Self::MemberRemoved => "member_removed",
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
    sqlx::query(
        "INSERT INTO audit_log (action, actor_user_id, tenant_id, ip, user_agent, details)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(action.as_str())
    .bind(actor)
    .bind(tenant)
    .bind(origin.ip.map(sqlx::types::ipnet::IpNet::from))
    .bind(origin.user_agent.as_deref())
    .bind(details)
    .execute(conn)
    .await
    .map(drop)
}
