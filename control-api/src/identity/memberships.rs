//! The memberships repository: who belongs to which tenant, with which role.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::auth::Role;
use shared::tenant::TenantStatus;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

// One of a user's tenants, as `GET /v1/auth/me` lists them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Membership {
    pub tenant_id: Uuid,
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub role: String,
}

/// A user's memberships in tenants not deleted, by slug.
pub async fn of_user(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Vec<Membership>> {
    sqlx::query_as!(
        Membership,
        r#"SELECT t.id AS tenant_id, t.slug, t.name, t.status AS "status: TenantStatus", m.role
           FROM memberships m JOIN tenants t ON t.id = m.tenant_id
           WHERE m.user_id = $1 AND t.status NOT IN ('deleting', 'deleted')
           ORDER BY t.slug"#,
        user_id,
    )
    .fetch_all(conn)
    .await
}

/// What an active identity is on one tenant: a platform operator or not, and its role there.
pub struct CallerRole {
    pub is_platform_admin: bool,
    pub role: Option<Role>,
}

/// `None` when the identity does not exist or is disabled.
pub async fn caller_role(conn: &mut PgConnection, user_id: Uuid, tenant_id: Uuid) -> sqlx::Result<Option<CallerRole>> {
    sqlx::query_as!(
        CallerRole,
        r#"SELECT u.is_platform_admin, m.role AS "role?: Role" FROM users u
           LEFT JOIN memberships m ON m.user_id = u.id AND m.tenant_id = $2
           WHERE u.id = $1 AND u.status = 'active'"#,
        user_id,
        tenant_id,
    )
    .fetch_optional(conn)
    .await
}

// A member as a tenant's owners and admins see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: Uuid,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    pub role: String,
    pub joined_at: DateTime<Utc>,
}

/// A page of a tenant's members in the order they joined, after the position `after`.
pub async fn page_of_tenant(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<MemberView>> {
    sqlx::query_as!(
        MemberView,
        "SELECT u.id AS user_id, u.email, u.firstname, u.lastname, m.role, m.created_at AS joined_at
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1 AND ($2::timestamptz IS NULL OR (m.created_at, u.id) > ($2, $3))
         ORDER BY m.created_at, u.id LIMIT $4",
        tenant_id,
        after.map(|a| a.0),
        after.map(|a| a.1),
        limit,
    )
    .fetch_all(conn)
    .await
}

pub async fn count_owners(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM memberships WHERE tenant_id = $1 AND role = 'owner'"#,
        tenant_id,
    )
    .fetch_one(conn)
    .await
}

/// How many tenants a user belongs to, whatever their status.
pub async fn count_of_user(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM memberships WHERE user_id = $1"#, user_id)
        .fetch_one(conn)
        .await
}

/// A member's role, the membership locked until the transaction ends.
pub async fn lock_role(conn: &mut PgConnection, tenant_id: Uuid, user_id: Uuid) -> sqlx::Result<Option<Role>> {
    sqlx::query_scalar!(
        r#"SELECT role AS "role: Role" FROM memberships WHERE tenant_id = $1 AND user_id = $2 FOR UPDATE"#,
        tenant_id,
        user_id,
    )
    .fetch_optional(conn)
    .await
}

/// Changes a member's role; returns the member.
pub async fn set_role(conn: &mut PgConnection, tenant_id: Uuid, user_id: Uuid, role: Role) -> sqlx::Result<MemberView> {
    sqlx::query_as!(
        MemberView,
        "WITH changed AS (
           UPDATE memberships SET role = $3, updated_at = now() WHERE tenant_id = $1 AND user_id = $2
           RETURNING user_id, role, created_at)
         SELECT u.id AS user_id, u.email, u.firstname, u.lastname, c.role, c.created_at AS joined_at
         FROM changed c JOIN users u ON u.id = c.user_id",
        tenant_id,
        user_id,
        role.as_str(),
    )
    .fetch_one(conn)
    .await
}

pub async fn remove(conn: &mut PgConnection, tenant_id: Uuid, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2", tenant_id, user_id)
        .execute(conn)
        .await
        .map(drop)
}

/// Makes the user a member with `role`, unless they are one already. True when they joined.
pub async fn add(conn: &mut PgConnection, user_id: Uuid, tenant_id: Uuid, role: Role) -> sqlx::Result<bool> {
    let inserted = sqlx::query!(
        "INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        user_id,
        tenant_id,
        role.as_str(),
    )
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// The first owner of a tenant being created.
pub async fn add_owner(conn: &mut PgConnection, user_id: Uuid, tenant_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, 'owner')", user_id, tenant_id)
        .execute(conn)
        .await
        .map(drop)
}

/// The slugs (at most 5) of the tenants not deleted where the user is an owner or admin and
/// that require a second factor of them.
pub async fn requiring_second_factor(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        "SELECT t.slug FROM memberships m JOIN tenants t ON t.id = m.tenant_id
         WHERE m.user_id = $1 AND m.role IN ('owner', 'admin')
           AND t.status NOT IN ('deleting', 'deleted')
           AND (t.settings->>'require_2fa_for_admins')::boolean
         ORDER BY t.slug LIMIT 5",
        user_id,
    )
    .fetch_all(conn)
    .await
}
