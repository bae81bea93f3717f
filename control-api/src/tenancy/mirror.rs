//! The members of a tenant, mirrored into its database's `users` table so the tenant plane
//! can join on them: what the control database says they are. The writes into the tenant
//! database are `tenant_schema::members`, checked against the tenant schema.

use sqlx::PgPool;
use uuid::Uuid;

use tenant_schema::members::Member;

/// Every current member of a tenant.
pub async fn members(control: &PgPool, tenant_id: Uuid) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as!(
        Member,
        r#"SELECT u.id, u.email, u.firstname, u.lastname, m.role, u.email_verified_at IS NOT NULL AS "email_verified!"
           FROM memberships m JOIN users u ON u.id = m.user_id
           WHERE m.tenant_id = $1"#,
        tenant_id,
    )
    .fetch_all(control)
    .await
}

/// One user's membership, if they still have one.
pub async fn member(control: &PgPool, tenant_id: Uuid, user_id: Uuid) -> sqlx::Result<Option<Member>> {
    sqlx::query_as!(
        Member,
        r#"SELECT u.id, u.email, u.firstname, u.lastname, m.role, u.email_verified_at IS NOT NULL AS "email_verified!"
           FROM memberships m JOIN users u ON u.id = m.user_id
           WHERE m.tenant_id = $1 AND m.user_id = $2"#,
        tenant_id,
        user_id,
    )
    .fetch_optional(control)
    .await
}
