//! The members of a tenant, mirrored into its database's `users` table so the tenant plane
//! can join on them. Writes are idempotent upserts of the control plane's current state.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// One member as the tenant database stores it. `active` is false once removed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    pub id: Uuid,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    pub role: String,
}

/// Every current member of a tenant.
pub async fn members(control: &PgPool, tenant_id: Uuid) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.firstname, u.lastname, m.role
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_all(control)
    .await
}

/// One user's membership, if they still have one.
pub async fn member(control: &PgPool, tenant_id: Uuid, user_id: Uuid) -> sqlx::Result<Option<Member>> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.firstname, u.lastname, m.role
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1 AND m.user_id = $2",
    )
    .bind(tenant_id)
    .bind(user_id)
    .fetch_optional(control)
    .await
}

pub async fn upsert(tenant_db: &mut PgConnection, member: &Member) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO users (id, email, firstname, lastname, role, active) VALUES ($1, $2, $3, $4, $5, true)
         ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, firstname = EXCLUDED.firstname,
           lastname = EXCLUDED.lastname, role = EXCLUDED.role, active = true, updated_at = now()",
    )
    .bind(member.id)
    .bind(&member.email)
    .bind(&member.firstname)
    .bind(&member.lastname)
    .bind(&member.role)
    .execute(tenant_db)
    .await
    .map(drop)
}

/// Marks a removed member inactive; their tickets keep their author.
pub async fn deactivate(tenant_db: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET active = false, updated_at = now() WHERE id = $1")
        .bind(user_id)
        .execute(tenant_db)
        .await
        .map(drop)
}
