//! Pool databases: databases of the tenant schema holding many pooled tenants' rows, each row
//! carrying its tenant. A pooled sign-up takes a place in the open pool database of its cluster
//! (the oldest with room), or makes the cluster's next one; its tenant row then names the pool's
//! database and role, with the role's password sealed for the tenant, as a dedicated tenant's
//! row names its own. The next pool of a cluster is recorded once the open one has little room
//! left (`spare_needed`) and made by the provisioning that filled it (`Provisioner::prepare_spare`),
//! so no sign-up waits for a `CREATE DATABASE`.

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
         RETURNING id, name, login_role, db_password_encrypted, tenants, max_tenants",
        cluster,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let (pool, tenants, max) = if let Some(row) = open_pool {
        let password = open(key, &row.db_password_encrypted, row.id.as_bytes())
            .ok()
            .and_then(|p| String::from_utf8(p).ok())
            .ok_or_else(|| sqlx::Error::Protocol(format!("pool database {} has no usable password", row.name)))?;
        (Pool { id: row.id, name: row.name, role: row.login_role, password }, row.tenants, row.max_tenants)
    } else {
        let max = i32::try_from(max_tenants).unwrap_or(i32::MAX);
        (record(tx, key, cluster, prefix, max_tenants, 1).await?, 1, max)
    };
    if spare_needed(tenants, max) {
        let others_with_room = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM pool_databases WHERE cluster_id = $1 AND id <> $2 AND tenants < max_tenants) AS "room!""#,
            cluster,
            pool.id,
        )
        .fetch_one(&mut *tx)
        .await?;
        if !others_with_room {
            record(tx, key, cluster, prefix, max_tenants, 0).await?;
        }
    }
    Ok(pool)
}

/// Whether a pool holding `tenants` of `max` has so little room left that the next one should
/// be made now: a twentieth of its places, one at least.
pub fn spare_needed(tenants: i32, max: i32) -> bool {
    max - tenants <= (max / 20).max(1)
}

/// A new pool database of `cluster`, recorded with `tenants` places taken (its database is made
/// by provisioning).
async fn record(
    tx: &mut PgConnection,
    key: &EncryptionKey,
    cluster: Uuid,
    prefix: &str,
    max_tenants: u32,
    tenants: i32,
) -> sqlx::Result<Pool> {
    let id = Uuid::now_v7();
    // `p` and 31 hex digits: as long as a tenant database's name, and told apart from one.
    let name = format!("{prefix}p{}", &id.simple().to_string()[1..]);
    let password = random_token();
    let limit = i32::try_from(max_tenants).unwrap_or(i32::MAX);
    sqlx::query!(
        "INSERT INTO pool_databases (id, cluster_id, name, login_role, db_password_encrypted, max_tenants, tenants)
         VALUES ($1, $2, $3, $3, $4, $5, $6)",
        id,
        cluster,
        name,
        seal(key, password.as_bytes(), id.as_bytes()),
        limit,
        tenants,
    )
    .execute(&mut *tx)
    .await?;
    Ok(Pool { id, role: name.clone(), name, password })
}

/// A spare pool of `cluster` (no tenant yet) whose database is still to be made, if any.
pub async fn unready(conn: &mut PgConnection, key: &EncryptionKey, cluster: Uuid) -> sqlx::Result<Option<Pool>> {
    let row = sqlx::query!(
        "SELECT id, name, login_role, db_password_encrypted FROM pool_databases
         WHERE cluster_id = $1 AND NOT ready AND tenants = 0 ORDER BY created_at, id LIMIT 1",
        cluster,
    )
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        let password = open(key, &row.db_password_encrypted, row.id.as_bytes())
            .ok()
            .and_then(|p| String::from_utf8(p).ok())
            .ok_or_else(|| sqlx::Error::Protocol(format!("pool database {} has no usable password", row.name)))?;
        Ok(Pool { id: row.id, name: row.name, role: row.login_role, password })
    })
    .transpose()
}

/// Records that pool `id`'s database is made.
pub async fn made(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("UPDATE pool_databases SET ready = true WHERE id = $1 AND NOT ready", id).execute(conn).await.map(drop)
}

/// Gives a place back to pool `id` (a move that took one and failed).
pub async fn give_back(tx: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("UPDATE pool_databases SET tenants = tenants - 1 WHERE id = $1 AND tenants > 0", id)
        .execute(tx)
        .await
        .map(drop)
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
        give_back(tx, id).await?;
    }
    Ok(())
}
