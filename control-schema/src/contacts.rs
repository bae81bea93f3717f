//! Customers who first write by mail (email in): the tenant plane makes the sender of a mail from
//! an unknown address a customer of the tenant, as registration would, but without a password:
//! the person sets one through the password reset, which proves the address.

use sqlx::PgConnection;
use uuid::Uuid;

/// A PHC string with no salt and no hash: no password matches it.
pub const NO_PASSWORD: &str = "$argon2id$v=19$m=19456,t=2,p=1";

/// The sender as the control plane knows them now.
#[derive(Debug, Clone)]
pub struct Contact {
    pub id: Uuid,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    /// Their role in the tenant (`customer` unless they were a member already).
    pub role: String,
    pub email_verified: bool,
}

/// The identity of `email` (created when there is none, its address taken as verified: it is the
/// address the mail came from and that replies go to), a member of `tenant` (as a customer, unless
/// a member already), with the job that mirrors it into the tenant database queued. `None` when
/// the identity is disabled. In the caller's transaction.
pub async fn customer_by_mail(
    conn: &mut PgConnection,
    tenant: Uuid,
    email: &str,
    firstname: &str,
    lastname: &str,
) -> sqlx::Result<Option<Contact>> {
    sqlx::query!(
        "INSERT INTO users (id, email, password_hash, firstname, lastname, email_verified_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT ((lower(email))) DO NOTHING",
        Uuid::now_v7(),
        email,
        NO_PASSWORD,
        firstname,
        lastname,
    )
    .execute(&mut *conn)
    .await?;
    let Some(user) = sqlx::query!(
        r#"SELECT id, email, firstname, lastname, status, email_verified_at IS NOT NULL AS "verified!"
           FROM users WHERE lower(email) = lower($1) FOR UPDATE"#,
        email,
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    if user.status != "active" {
        return Ok(None);
    }
    let joined = sqlx::query!(
        "INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, 'customer') ON CONFLICT DO NOTHING",
        user.id,
        tenant,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        > 0;
    if joined {
        sqlx::query!(
            "INSERT INTO provisioning_jobs (tenant_id, kind, user_id) VALUES ($1, 'sync_member', $2)",
            tenant,
            user.id,
        )
        .execute(&mut *conn)
        .await?;
    }
    let role =
        sqlx::query_scalar!("SELECT role FROM memberships WHERE user_id = $1 AND tenant_id = $2", user.id, tenant)
            .fetch_one(&mut *conn)
            .await?;
    Ok(Some(Contact {
        id: user.id,
        email: user.email,
        firstname: user.firstname,
        lastname: user.lastname,
        role,
        email_verified: user.verified,
    }))
}

/// A person's name as one line (a mail's display name, what staff typed) in the identity's two
/// parts: the first word and the rest, each trimmed and cut to the columns' 100 characters.
pub fn name_parts(name: &str) -> (String, String) {
    let name = name.trim();
    let (first, last) = name.split_once(' ').unwrap_or((name, ""));
    (first.chars().take(100).collect(), last.trim().chars().take(100).collect())
}

/// Whether tenant `tenant` has invited anyone to its staff (an agent or an admin), whether or not
/// they accepted: the onboarding's `invite_agents` step.
pub async fn staff_invited(conn: &mut PgConnection, tenant: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM invitations WHERE tenant_id = $1 AND role IN ('admin', 'agent')) AS "invited!""#,
        tenant,
    )
    .fetch_one(conn)
    .await
}
