//! The PostgreSQL servers that hold tenant databases, and placement on them.

use shared::config::{DatabaseUrl, EncryptionKey};
use shared::crypto::{open, seal};
use sqlx::postgres::PgConnectOptions;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A cluster with its admin credentials decrypted.
#[derive(Clone)]
pub struct Cluster {
    pub id: Uuid,
    pub name: String,
    pub template_version: Option<i64>,
    /// Its hosts (a primary and its standbys, or one server), with the admin credentials.
    admin: Vec<PgConnectOptions>,
    /// The same credentials as a URL, for the PostgreSQL tools (`backup`).
    admin_url: String,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cluster({}, {}:{})", self.name, self.admin[0].get_host(), self.admin[0].get_port())
    }
}

impl Cluster {
    /// Admin options on the cluster's maintenance database (the one in its admin URL), on the
    /// host that accepts writes.
    pub async fn admin(&self) -> sqlx::Result<PgConnectOptions> {
        shared::primary::writable_host(&self.admin).await
    }

    /// The admin URL (a secret: never logged, never on a command line).
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// Admin options on one database of the cluster, on the host that accepts writes.
    pub async fn admin_on(&self, database: &str) -> sqlx::Result<PgConnectOptions> {
        Ok(self.admin().await?.database(database))
    }

    /// Admin options on the database holding `tenant`, naming it for the whole session: for its
    /// migrations, which give the rows of a database that holds some their `tenant_id` (tenant
    /// migration 0039). Reads and writes of its rows name it per transaction instead
    /// (`tenant_schema::begin`).
    pub async fn migrating(&self, database: &str, tenant: Uuid) -> sqlx::Result<PgConnectOptions> {
        Ok(self.admin_on(database).await?.options([(tenant_schema::TENANT_SETTING, tenant)]))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("cluster {0} has no usable admin URL (wrong DB_ENCRYPTION_KEY?)")]
    Credentials(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The `sslmode` of a PostgreSQL URL (`prefer` when absent): how app-api reaches the cluster's
/// tenant databases.
pub fn ssl_mode_of(url: &str) -> &str {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    query.split('&').find_map(|pair| pair.strip_prefix("sslmode=")).unwrap_or("prefer")
}

/// Registers (or updates) `TENANT_DATABASE_URL` as the cluster named `default`.
pub async fn register_default(db: &PgPool, key: &EncryptionKey, url: &DatabaseUrl) -> sqlx::Result<Uuid> {
    register(db, key, DEFAULT, url, None).await
}

/// The cluster `TENANT_DATABASE_URL` names, registered by `serve` and `worker` at each start.
pub const DEFAULT: &str = "default";

/// Registers (or updates) cluster `name`, reached with `url` (a role that may create databases
/// and roles), with room for `max_tenants` (1,000 when new and not given). The admin URL is
/// sealed for the row's id, so the id is settled before it is sealed.
pub async fn register(
    db: &PgPool,
    key: &EncryptionKey,
    name: &str,
    url: &DatabaseUrl,
    max_tenants: Option<i32>,
) -> sqlx::Result<Uuid> {
    let options = url.connect_options();
    let hosts = url.hosts();
    // Several hosts (a primary and its standbys): the list, each with its port, in `host`.
    let host = if hosts.len() == 1 {
        options.get_host().to_owned()
    } else {
        let bracketed = |h: &str| if h.contains(':') { format!("[{h}]") } else { h.to_owned() };
        hosts.iter().map(|o| format!("{}:{}", bracketed(o.get_host()), o.get_port())).collect::<Vec<_>>().join(",")
    };
    let existing = sqlx::query_scalar!("SELECT id FROM db_clusters WHERE name = $1", name).fetch_optional(db).await?;
    let mut id = existing.unwrap_or_else(Uuid::now_v7);
    loop {
        let stored = sqlx::query_scalar!(
            "INSERT INTO db_clusters (id, name, admin_url_encrypted, host, port, ssl_mode, max_tenants)
             VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, 1000))
             ON CONFLICT (name) DO UPDATE
               SET admin_url_encrypted = EXCLUDED.admin_url_encrypted, host = EXCLUDED.host, port = EXCLUDED.port,
                   ssl_mode = EXCLUDED.ssl_mode, max_tenants = coalesce($7, db_clusters.max_tenants),
                   updated_at = now()
             RETURNING id",
            id,
            name,
            seal(key, url.expose().as_bytes(), id.as_bytes()),
            host,
            i32::from(options.get_port()),
            ssl_mode_of(url.expose()),
            max_tenants,
        )
        .fetch_one(db)
        .await?;
        // Another instance registered the row first, under its own id: seal again for that one.
        if stored == id {
            return Ok(id);
        }
        id = stored;
    }
}

pub async fn load(conn: &mut PgConnection, key: &EncryptionKey, id: Uuid) -> Result<Cluster, ClusterError> {
    let row = sqlx::query!("SELECT name, admin_url_encrypted, template_version FROM db_clusters WHERE id = $1", id)
        .fetch_one(conn)
        .await?;
    let (name, template_version) = (row.name, row.template_version);
    let (admin, admin_url) = open(key, &row.admin_url_encrypted, id.as_bytes())
        .ok()
        .and_then(|url| String::from_utf8(url).ok())
        .and_then(|url| {
            let hosts = shared::config::split_hosts(&url).ok()?;
            let admin = hosts.iter().map(|host| host.parse::<PgConnectOptions>().ok()).collect::<Option<Vec<_>>>()?;
            Some((admin, url))
        })
        .ok_or_else(|| ClusterError::Credentials(name.clone()))?;
    Ok(Cluster { id, name, template_version, admin, admin_url })
}

/// The active cluster with the fewest tenants, among those under their maximum.
pub async fn place(conn: &mut PgConnection) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT c.id FROM db_clusters c
         LEFT JOIN tenants t ON t.cluster_id = c.id AND t.status <> 'deleted'
         WHERE c.status = 'active'
         GROUP BY c.id, c.name, c.max_tenants
         HAVING count(t.id) < c.max_tenants
         ORDER BY count(t.id), c.name
         LIMIT 1",
    )
    .fetch_optional(conn)
    .await
}

/// A cluster as the operator lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub id: Uuid,
    pub name: String,
    pub host: String,
    pub port: i32,
    pub status: String,
    pub max_tenants: i32,
    /// Tenants placed on it (deleted ones aside).
    pub tenants: i64,
}

/// Every cluster with its tenant count, by name.
pub async fn summaries(db: &PgPool) -> sqlx::Result<Vec<Summary>> {
    sqlx::query_as!(
        Summary,
        r#"SELECT c.id, c.name, c.host, c.port, c.status, c.max_tenants, count(t.id) AS "tenants!"
           FROM db_clusters c LEFT JOIN tenants t ON t.cluster_id = c.id AND t.status <> 'deleted'
           GROUP BY c.id ORDER BY c.name"#,
    )
    .fetch_all(db)
    .await
}

/// The clusters new tenants may be placed on (`active`).
pub async fn active(db: &PgPool) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!("SELECT id FROM db_clusters WHERE status = 'active'").fetch_all(db).await
}

/// The clusters that still hold tenants to serve (`active` or `draining`).
pub async fn in_service(db: &PgPool) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar!("SELECT id FROM db_clusters WHERE status <> 'disabled'").fetch_all(db).await
}

/// Reads the server's connection limits on `admin` (a connection to the cluster) and records
/// them on cluster `id`: `max_connections`, and the slots ordinary roles cannot use
/// (`superuser_reserved_connections`, plus `reserved_connections` where the server has it).
pub async fn record_limits(db: &PgPool, admin: &mut PgConnection, id: Uuid) -> sqlx::Result<(i32, i32)> {
    let row = sqlx::query!(
        r#"SELECT current_setting('max_connections')::int AS "max_connections!",
                  current_setting('superuser_reserved_connections')::int
                  + coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0) AS "reserved!""#,
    )
    .fetch_one(admin)
    .await?;
    sqlx::query!(
        "UPDATE db_clusters SET max_connections = $2, reserved_connections = $3, limits_read_at = now() WHERE id = $1",
        id,
        row.max_connections,
        row.reserved,
    )
    .execute(db)
    .await?;
    Ok((row.max_connections, row.reserved))
}

pub async fn set_template_version(db: &PgPool, id: Uuid, version: i64) -> sqlx::Result<()> {
    sqlx::query!("UPDATE db_clusters SET template_version = $2, updated_at = now() WHERE id = $1", id, version)
        .execute(db)
        .await
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ssl_mode_comes_from_the_admin_url() {
        assert_eq!(ssl_mode_of("postgres://admin@db:5432/postgres"), "prefer");
        assert_eq!(ssl_mode_of("postgres://admin@db/postgres?sslmode=require"), "require");
        assert_eq!(ssl_mode_of("postgres://admin@db/postgres?application_name=x&sslmode=verify-full"), "verify-full");
    }
}
