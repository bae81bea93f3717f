//! The tenant database's mirror of its members (`users`): the control plane writes it, so that
//! the tenant plane can join tickets on people. Writes are idempotent: each sets the control
//! plane's current state.

use sqlx::PgConnection;
use uuid::Uuid;

/// One member as the tenant database stores it.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: Uuid,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    /// The membership role: `owner`, `admin`, `agent` or `customer`.
    pub role: String,
    /// Whether the address was shown to reach the person: the tenant plane mails no
    /// notification to an unverified one.
    pub email_verified: bool,
}

/// Writes a current member, active.
pub async fn upsert(tenant_db: &mut PgConnection, member: &Member) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO users (id, email, firstname, lastname, role, email_verified, active)
         VALUES ($1, $2, $3, $4, $5, $6, true)
         ON CONFLICT (tenant_id, id) DO UPDATE SET email = EXCLUDED.email, firstname = EXCLUDED.firstname,
           lastname = EXCLUDED.lastname, role = EXCLUDED.role, email_verified = EXCLUDED.email_verified,
           active = true, updated_at = now()",
        member.id,
        member.email,
        member.firstname,
        member.lastname,
        member.role,
        member.email_verified,
    )
    .execute(tenant_db)
    .await
    .map(drop)
}

/// Marks a removed member inactive; their tickets keep their author.
pub async fn deactivate(tenant_db: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("UPDATE users SET active = false, updated_at = now() WHERE id = $1", user_id)
        .execute(tenant_db)
        .await
        .map(drop)
}

/// The member signed out of every session: they take no tickets until they say so again. True
/// when it changed anything.
pub async fn sign_out(tenant_db: &mut PgConnection, user_id: Uuid) -> sqlx::Result<bool> {
    let changed = sqlx::query!(
        "UPDATE users SET available = false, available_changed_at = now(), updated_at = now()
         WHERE id = $1 AND available",
        user_id
    )
    .execute(tenant_db)
    .await?;
    Ok(changed.rows_affected() > 0)
}
