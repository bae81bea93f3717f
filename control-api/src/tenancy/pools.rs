//! Pool databases: databases of the tenant schema holding many pooled tenants' rows, each row
//! carrying its tenant. A pooled sign-up takes a place in the open pool database of its cluster
//! (the oldest with room), or makes the cluster's next one; its tenant row then names the pool's
//! database and role, with the role's password sealed for the tenant, as a dedicated tenant's
//! row names its own.

use shared::config::EncryptionKey;
use shared::crypto::{open, random_token, seal};
use sqlx::PgConnection;
use uuid::Uuid;

/// A pool database and its login role.
#[derive(Debug, Clone)]
pub struct Pool {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    pub password: String,
}

/// A place for one more tenant in a pool database of `cluster`, counted at once: the open pool
/// with room (the oldest), or a new one named from `prefix` when none has room. Sign-ups on one
/// cluster take their places one after another (the cluster's row is locked until `tx` ends).
pub async fn take_place(
    tx: &mut PgConnection,
    key: &EncryptionKey,
    cluster: Uuid,
    prefix: &str,
    max_tenants: u32,
) -> sqlx::Result<Pool> {
    sqlx::query_scalar!("SELECT id FROM db_clusters WHERE id = $1 FOR UPDATE", cluster).fetch_one(&mut *tx).await?;
    let open_pool = sqlx::query!(
        "UPDATE pool_databases SET tenants = tenants + 1
         WHERE id = (SELECT id FROM pool_databases WHERE cluster_id = $1 AND tenants < max_tenants
                     ORDER BY created_at, id LIMIT 1)
         RETURNING id, name, login_role, db_password_encrypted",
        cluster,
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(row) = open_pool {
        let password = open(key, &row.db_password_encrypted, row.id.as_bytes())
            .ok()
            .and_then(|p| String::from_utf8(p).ok())
            .ok_or_else(|| sqlx::Error::Protocol(format!("pool database {} has no usable password", row.name)))?;
        return Ok(Pool { id: row.id, name: row.name, role: row.login_role, password });
    }
    let id = Uuid::now_v7();
    // `p` and 31 hex digits: as long as a tenant database's name, and told apart from one.
    let name = format!("{prefix}p{}", &id.simple().to_string()[1..]);
    let password = random_token();
    let limit = i32::try_from(max_tenants).unwrap_or(i32::MAX);
    sqlx::query!(
        "INSERT INTO pool_databases (id, cluster_id, name, login_role, db_password_encrypted, max_tenants, tenants)
         VALUES ($1, $2, $3, $3, $4, $5, 1)",
        id,
        cluster,
        name,
        seal(key, password.as_bytes(), id.as_bytes()),
        limit,
    )
    .execute(&mut *tx)
    .await?;
    Ok(Pool { id, role: name.clone(), name, password })
}

/// Gives back the place `tenant` held in pool `id`, once.
pub async fn leave(tx: &mut PgConnection, id: Uuid, tenant: Uuid) -> sqlx::Result<()> {
    let left = sqlx::query!(
        "UPDATE tenants SET pool_database_id = NULL, updated_at = now() WHERE id = $1 AND pool_database_id = $2",
        tenant,
        id
    )
    .execute(&mut *tx)
    .await?;
    if left.rows_affected() == 1 {
        sqlx::query!("UPDATE pool_databases SET tenants = tenants - 1 WHERE id = $1 AND tenants > 0", id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
