//! The identities repository: reading and writing `users`, and the login view of an identity
//! with its membership in one tenant.

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

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Active, Self::Disabled].into_iter().find(|s| s.as_str() == value)
    }
}

shared::text_column!(UserStatus, parse);

/// What a login needs to decide, for one email and an optional tenant slug.
#[derive(Debug, Clone)]
pub struct LoginCandidate {
    pub user_id: Uuid,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    pub password_hash: String,
    pub user_status: UserStatus,
    pub is_platform_admin: bool,
    pub tenant_id: Option<Uuid>,
    pub tenant_slug: Option<String>,
    pub tenant_name: Option<String>,
    pub tenant_status: Option<TenantStatus>,
    /// The membership role in that tenant, when there is one.
    pub role: Option<Role>,
    pub mfa_enabled: bool,
    pub email_verified: bool,
}

/// The login view of the identity whose normalized email is `normalized_email`, with its
/// membership in the tenant `tenant_slug` names (none without one).
pub async fn login_candidate(
    conn: &mut PgConnection,
    normalized_email: &str,
    tenant_slug: Option<&str>,
) -> sqlx::Result<Option<LoginCandidate>> {
    candidate(conn, Identity::Email(normalized_email), tenant_slug).await
}

/// The same view by user id and tenant id (second factor, refresh).
pub async fn candidate_by_id(
    conn: &mut PgConnection,
    user_id: Uuid,
    tenant_id: Option<Uuid>,
) -> sqlx::Result<Option<LoginCandidate>> {
    let slug: Option<String> = match tenant_id {
        Some(id) => {
            sqlx::query_scalar!("SELECT slug FROM tenants WHERE id = $1", id).fetch_optional(&mut *conn).await?
        }
        None => None,
    };
    if tenant_id.is_some() && slug.is_none() {
        return Ok(None);
    }
    candidate(conn, Identity::Id(user_id), slug.as_deref()).await
}

/// Which identity a login candidate is.
enum Identity<'a> {
    Email(&'a str),
    Id(Uuid),
}

async fn candidate(
    conn: &mut PgConnection,
    identity: Identity<'_>,
    tenant_slug: Option<&str>,
) -> sqlx::Result<Option<LoginCandidate>> {
    let (user_id, normalized_email) = match identity {
        Identity::Email(email) => (None, Some(email)),
        Identity::Id(id) => (Some(id), None),
    };
    sqlx::query_as!(
        LoginCandidate,
        r#"SELECT u.id AS user_id, u.email, u.firstname, u.lastname, u.password_hash,
                  u.status AS "user_status: UserStatus", u.is_platform_admin,
                  t.id AS "tenant_id?", t.slug AS "tenant_slug?", t.name AS "tenant_name?",
                  t.status AS "tenant_status?: TenantStatus",
                  m.role AS "role?: Role",
                  EXISTS (SELECT 1 FROM user_mfa f WHERE f.user_id = u.id AND f.enabled_at IS NOT NULL) AS "mfa_enabled!",
                  u.email_verified_at IS NOT NULL AS "email_verified!"
           FROM users u
           LEFT JOIN tenants t ON t.slug = $3 AND t.slug_released_at IS NULL
           LEFT JOIN memberships m ON m.user_id = u.id AND m.tenant_id = t.id
           WHERE u.id = $1 OR lower(u.email) = $2"#,
        user_id,
        normalized_email,
        tenant_slug,
    )
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
            email_verified: self.email_verified,
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
        let role = self.role.ok_or(Refusal::NoAccess)?;
        match self.tenant_status {
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
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UserProfile {
    pub id: Uuid,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    /// Whether the address was shown to reach the person: false for a self-registered customer
    /// until they follow the link mailed to them (no notification mail reaches them until then).
    pub email_verified: bool,
}

/// The profile of an active identity.
pub async fn profile(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Option<UserProfile>> {
    sqlx::query_as!(
        UserProfile,
        r#"SELECT id, email, firstname, lastname, email_verified_at IS NOT NULL AS "email_verified!"
           FROM users WHERE id = $1 AND status = 'active'"#,
        user_id,
    )
    .fetch_optional(conn)
    .await
}

/// A member a password reset link may be mailed to, and the organisation it is asked from.
pub struct ResetTarget {
    pub user: UserProfile,
    pub tenant: shared::tenant::TenantRef,
}

/// The active identity with this email (`normalized`) that belongs to the active tenant
/// `slug`, if there is one.
pub async fn reset_target(conn: &mut PgConnection, normalized: &str, slug: &str) -> sqlx::Result<Option<ResetTarget>> {
    let row = sqlx::query!(
        r#"SELECT u.id, u.email, u.firstname, u.lastname, u.email_verified_at IS NOT NULL AS "email_verified!",
                  t.id AS tenant_id, t.slug, t.name
           FROM users u
           JOIN memberships m ON m.user_id = u.id
           JOIN tenants t ON t.id = m.tenant_id
           WHERE lower(u.email) = $1 AND u.status = 'active'
             AND t.slug = $2 AND t.slug_released_at IS NULL AND t.status = 'active'"#,
        normalized,
        slug,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| ResetTarget {
        user: UserProfile {
            id: row.id,
            email: row.email,
            firstname: row.firstname,
            lastname: row.lastname,
            email_verified: row.email_verified,
        },
        tenant: shared::tenant::TenantRef { id: row.tenant_id, slug: row.slug, name: row.name },
    }))
}

/// Whether an identity has this email (`normalized`: trimmed and lower case).
pub async fn email_exists(conn: &mut PgConnection, normalized: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = $1) AS "exists!""#, normalized)
        .fetch_one(conn)
        .await
}

/// An identity's email, whatever its status.
pub async fn email(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("SELECT email FROM users WHERE id = $1", user_id).fetch_optional(conn).await
}

/// What a password check needs: the email (the lockout's subject) and the hash.
pub struct Credentials {
    pub email: String,
    pub password_hash: String,
}

/// The credentials of an active identity.
pub async fn credentials(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Option<Credentials>> {
    sqlx::query_as!(Credentials, "SELECT email, password_hash FROM users WHERE id = $1 AND status = 'active'", user_id,)
        .fetch_optional(conn)
        .await
}

/// Whether an active identity is a platform operator (`None`: no such active identity).
pub async fn is_platform_admin(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar!("SELECT is_platform_admin FROM users WHERE id = $1 AND status = 'active'", user_id)
        .fetch_optional(conn)
        .await
}

/// Whether an identity has a second factor enabled, and whether it is a platform operator.
pub struct AccountFlags {
    pub mfa_enabled: bool,
    pub platform_admin: bool,
}

pub async fn account_flags(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<AccountFlags> {
    sqlx::query_as!(
        AccountFlags,
        r#"SELECT EXISTS (SELECT 1 FROM user_mfa WHERE user_id = $1 AND enabled_at IS NOT NULL) AS "mfa_enabled!",
                  is_platform_admin AS platform_admin
           FROM users WHERE id = $1"#,
        user_id,
    )
    .fetch_one(conn)
    .await
}

/// Writes a new identity, active, its email verified as `profile` says.
pub async fn insert(conn: &mut PgConnection, profile: &UserProfile, password_hash: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO users (id, email, password_hash, firstname, lastname, email_verified_at)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() END)",
        profile.id,
        profile.email,
        password_hash,
        profile.firstname,
        profile.lastname,
        profile.email_verified,
    )
    .execute(conn)
    .await
    .map(drop)
}

pub async fn set_password(conn: &mut PgConnection, user_id: Uuid, password_hash: &str) -> sqlx::Result<()> {
    sqlx::query!("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", user_id, password_hash)
        .execute(conn)
        .await
        .map(drop)
}

/// Marks an identity's email verified; true when it was not yet (its tenants' mirrors then
/// need the change).
pub async fn mark_email_verified(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<bool> {
    let changed = sqlx::query!(
        "UPDATE users SET email_verified_at = now(), updated_at = now() WHERE id = $1 AND email_verified_at IS NULL",
        user_id,
    )
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() > 0)
}

/// Creates a platform operator, or marks an existing identity as one. Returns the user id.
pub async fn ensure_platform_admin(conn: &mut PgConnection, email: &str, password_hash: &str) -> sqlx::Result<Uuid> {
    let existing = sqlx::query_scalar!(
        "UPDATE users SET is_platform_admin = true, updated_at = now() WHERE lower(email) = lower($1) RETURNING id",
        email,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    sqlx::query_scalar!(
        "INSERT INTO users (id, email, password_hash, firstname, lastname, is_platform_admin)
         VALUES ($1, $2, $3, '', '', true)
         ON CONFLICT (lower(email)) DO UPDATE SET is_platform_admin = true, updated_at = now()
         RETURNING id",
        Uuid::now_v7(),
        email,
        password_hash,
    )
    .fetch_one(conn)
    .await
}

/// What decides whether an identity may be erased.
pub struct ErasureSubject {
    pub email: String,
    pub is_platform_admin: bool,
}

/// The identity locked until the transaction ends, whatever its status: a membership or a
/// session cannot be added to it meanwhile (their foreign keys wait for the lock).
pub async fn lock_for_erasure(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Option<ErasureSubject>> {
    sqlx::query_as!(ErasureSubject, "SELECT email, is_platform_admin FROM users WHERE id = $1 FOR UPDATE", user_id,)
        .fetch_optional(conn)
        .await
}

/// Deletes an identity; its memberships, sessions still attached, refresh tokens, second factor
/// and recovery codes go with it (`ON DELETE CASCADE`).
pub async fn delete(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM users WHERE id = $1", user_id).execute(conn).await.map(drop)
}
