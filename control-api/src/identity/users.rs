//! Reading and writing identities and their memberships.

use shared::auth::Role;
use shared::tenant::TenantStatus;
use sqlx::PgConnection;
use uuid::Uuid;

/// Whether an identity may sign in (`users.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Active,
    Disabled,
}

impl TryFrom<String> for UserStatus {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        match value.as_str() {
            "active" => Ok(Self::Active),
            "disabled" => Ok(Self::Disabled),
            other => Err(format!("unknown user status {other:?}")),
        }
    }
}

/// What a login needs to decide, for one email and an optional tenant slug.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoginCandidate {
    pub user_id: Uuid,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    pub password_hash: String,
    #[sqlx(try_from = "String")]
    pub user_status: UserStatus,
    pub is_platform_admin: bool,
    pub tenant_id: Option<Uuid>,
    pub tenant_slug: Option<String>,
    pub tenant_name: Option<String>,
    pub tenant_status: Option<String>,
    /// The membership role in that tenant, when there is one.
    pub role: Option<String>,
    pub mfa_enabled: bool,
}

const CANDIDATE_SELECT: &str = "
    SELECT u.id AS user_id, u.email, u.firstname, u.lastname, u.password_hash, u.status AS user_status, u.is_platform_admin,
           t.id AS tenant_id, t.slug AS tenant_slug, t.name AS tenant_name, t.status AS tenant_status,
           m.role,
           EXISTS (SELECT 1 FROM user_mfa f WHERE f.user_id = u.id AND f.enabled_at IS NOT NULL) AS mfa_enabled
    FROM users u
    LEFT JOIN tenants t ON t.slug = $2
    LEFT JOIN memberships m ON m.user_id = u.id AND m.tenant_id = t.id";

pub async fn login_candidate(
    conn: &mut PgConnection,
    normalized_email: &str,
    tenant_slug: Option<&str>,
) -> sqlx::Result<Option<LoginCandidate>> {
    sqlx::query_as(format!("{CANDIDATE_SELECT} WHERE lower(u.email) = $1").as_str())
        .bind(normalized_email)
        .bind(tenant_slug)
        .fetch_optional(conn)
        .await
}

/// The same view by user id and tenant id (second factor, refresh).
pub async fn candidate_by_id(
    conn: &mut PgConnection,
    user_id: Uuid,
    tenant_id: Option<Uuid>,
) -> sqlx::Result<Option<LoginCandidate>> {
    let slug: Option<String> = match tenant_id {
        Some(id) => {
            sqlx::query_scalar("SELECT slug FROM tenants WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?
        }
        None => None,
    };
    if tenant_id.is_some() && slug.is_none() {
        return Ok(None);
    }
    sqlx::query_as(format!("{CANDIDATE_SELECT} WHERE u.id = $1").as_str())
        .bind(user_id)
        .bind(slug)
        .fetch_optional(conn)
        .await
}

/// Why a candidate may not receive tokens, once its credentials are proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a member, not an operator, disabled: the same answer as a wrong password.
    NoAccess,
    TenantSuspended,
    TenantProvisioning,
}

impl LoginCandidate {
    pub fn profile(&self) -> UserProfile {
        UserProfile {
            id: self.user_id,
            email: self.email.clone(),
            firstname: self.firstname.clone(),
            lastname: self.lastname.clone(),
        }
    }

    /// The role tokens would carry: the membership in an active tenant, or `platform_admin`
    /// when no tenant was named.
    pub fn grantable_role(&self, tenant_named: bool) -> Result<Role, Refusal> {
        match self.user_status {
            UserStatus::Active => {}
            UserStatus::Disabled => return Err(Refusal::NoAccess),
        }
        if !tenant_named {
            return if self.is_platform_admin { Ok(Role::PlatformAdmin) } else { Err(Refusal::NoAccess) };
        }
        let role = self.role.as_deref().and_then(Role::from_db).ok_or(Refusal::NoAccess)?;
        match self.tenant_status.as_deref().and_then(TenantStatus::parse) {
            Some(TenantStatus::Active) => Ok(role),
            Some(TenantStatus::Suspended) => Err(Refusal::TenantSuspended),
            Some(TenantStatus::Provisioning) => Err(Refusal::TenantProvisioning),
            Some(TenantStatus::Deleting | TenantStatus::Deleted | TenantStatus::Failed) | None => {
                Err(Refusal::NoAccess)
            }
        }
    }
}

/// A user's public profile.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct UserProfile {
    pub id: Uuid,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
}

pub async fn profile(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Option<UserProfile>> {
    sqlx::query_as("SELECT id, email, firstname, lastname FROM users WHERE id = $1 AND status = 'active'")
        .bind(user_id)
        .fetch_optional(conn)
        .await
}

/// Creates a platform operator, or marks an existing identity as one. Returns the user id.
pub async fn ensure_platform_admin(conn: &mut PgConnection, email: &str, password_hash: &str) -> sqlx::Result<Uuid> {
    let existing: Option<Uuid> = sqlx::query_scalar(
        "UPDATE users SET is_platform_admin = true, updated_at = now() WHERE lower(email) = lower($1) RETURNING id",
    )
    .bind(email)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    sqlx::query_scalar(
        "INSERT INTO users (id, email, password_hash, firstname, lastname, is_platform_admin)
         VALUES ($1, $2, $3, '', '', true)
         ON CONFLICT (lower(email)) DO UPDATE SET is_platform_admin = true, updated_at = now()
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(email)
    .bind(password_hash)
    .fetch_one(conn)
    .await
}
