//! The invitations repository: invitations into a tenant, found and spent by their token
//! (stored as a digest only).

use chrono::{DateTime, Utc};
use shared::auth::Role;
use shared::crypto::token_digest;
use sqlx::PgConnection;
use uuid::Uuid;

/// A new invitation.
pub struct NewInvitation<'a> {
    pub token: &'a str,
    pub tenant_id: Uuid,
    pub email: &'a str,
    pub role: Role,
    pub invited_by: Uuid,
    pub expires_at: DateTime<Utc>,
}

pub async fn create(conn: &mut PgConnection, new: &NewInvitation<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO invitations (token_digest, tenant_id, email, role, invited_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        token_digest(new.token),
        new.tenant_id,
        new.email,
        new.role.as_str(),
        new.invited_by,
        new.expires_at,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// An invitation that can be accepted.
pub struct Invitation {
    pub tenant_id: Uuid,
    pub email: String,
    pub role: Role,
}

/// The invitation of `token` if it is unused, unexpired, and its tenant active.
pub async fn find_open(conn: &mut PgConnection, token: &str) -> sqlx::Result<Option<Invitation>> {
    sqlx::query_as!(
        Invitation,
        r#"SELECT i.tenant_id, i.email, i.role AS "role: Role" FROM invitations i JOIN tenants t ON t.id = i.tenant_id
           WHERE i.token_digest = $1 AND i.accepted_at IS NULL AND i.expires_at > now() AND t.status = 'active'"#,
        token_digest(token),
    )
    .fetch_optional(conn)
    .await
}

/// The same, the invitation locked until the transaction ends.
pub async fn lock_open(conn: &mut PgConnection, token: &str) -> sqlx::Result<Option<Invitation>> {
    sqlx::query_as!(
        Invitation,
        r#"SELECT i.tenant_id, i.email, i.role AS "role: Role" FROM invitations i JOIN tenants t ON t.id = i.tenant_id
           WHERE i.token_digest = $1 AND i.accepted_at IS NULL AND i.expires_at > now() AND t.status = 'active'
           FOR UPDATE OF i"#,
        token_digest(token),
    )
    .fetch_optional(conn)
    .await
}

pub async fn mark_accepted(conn: &mut PgConnection, token: &str, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE invitations SET accepted_at = now(), accepted_by = $2 WHERE token_digest = $1",
        token_digest(token),
        user_id,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Deletes the invitations of a person being erased: those addressed to `email` (in any case),
/// in every tenant, and those `user_id` accepted.
pub async fn delete_of_person(conn: &mut PgConnection, email: &str, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM invitations WHERE lower(email) = lower($1) OR accepted_by = $2", email, user_id)
        .execute(conn)
        .await
        .map(drop)
}

/// An invitation not yet accepted, as its tenant's owners and admins see it (never its token).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OpenInvitation {
    pub id: Uuid,
    pub email: String,
    pub role: String,
    pub invited_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Past `expires_at`: it can no longer be accepted; revoke it or invite again.
    pub expired: bool,
}

/// A page of `tenant_id`'s invitations not yet accepted, oldest first.
pub async fn page_open_of_tenant(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<OpenInvitation>> {
    sqlx::query_as!(
        OpenInvitation,
        r#"SELECT id, email, role, invited_by, created_at, expires_at, expires_at <= now() AS "expired!"
           FROM invitations
           WHERE tenant_id = $1 AND accepted_at IS NULL
             AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3))
           ORDER BY created_at, id LIMIT $4"#,
        tenant_id,
        after.map(|a| a.0),
        after.map(|a| a.1),
        limit,
    )
    .fetch_all(conn)
    .await
}

/// Deletes `tenant_id`'s invitation `id` if it is not accepted yet; its email, when it did.
pub async fn revoke(conn: &mut PgConnection, tenant_id: Uuid, id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "DELETE FROM invitations WHERE tenant_id = $1 AND id = $2 AND accepted_at IS NULL RETURNING email",
        tenant_id,
        id,
    )
    .fetch_optional(conn)
    .await
}
