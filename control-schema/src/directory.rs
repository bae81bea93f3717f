//! Where a tenant lives: its row in `tenants` and the cluster that holds its database, as the
//! tenant plane resolves a slug.

use sqlx::PgExecutor;
use uuid::Uuid;

/// A tenant and, once provisioned, how to reach its database. The database fields are all
/// present or the tenant has no database yet; the caller decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRow {
    pub id: Uuid,
    pub slug: String,
    /// One word of the `tenants.status` CHECK.
    pub status: String,
    /// `settings.require_2fa_for_admins`, when set.
    pub require_2fa_for_admins: Option<bool>,
    pub host: Option<String>,
    pub port: Option<i32>,
    pub database_name: Option<String>,
    pub login_role: Option<String>,
    pub db_password_encrypted: Option<Vec<u8>>,
    /// The cluster's `sslmode` (libpq names).
    pub ssl_mode: Option<String>,
    /// The pool database it is one of, if pooled.
    pub pool_database_id: Option<Uuid>,
}

/// The tenant named `slug`, with its cluster if it has one.
pub async fn tenant_by_slug(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<TenantRow>> {
    sqlx::query_as!(
        TenantRow,
        r#"SELECT t.id, t.slug, t.status,
                (t.settings->>'require_2fa_for_admins')::boolean AS require_2fa_for_admins,
                c.host AS "host?", c.port AS "port?", t.database_name, t.login_role, t.db_password_encrypted,
                c.ssl_mode AS "ssl_mode?", t.pool_database_id
           FROM tenants t LEFT JOIN db_clusters c ON c.id = t.cluster_id
           WHERE t.slug = $1 AND t.slug_released_at IS NULL"#,
        slug,
    )
    .fetch_optional(db)
    .await
}

/// The tenant with `id`, with its cluster if it has one.
pub async fn tenant_by_id(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<TenantRow>> {
    sqlx::query_as!(
        TenantRow,
        r#"SELECT t.id, t.slug, t.status,
                (t.settings->>'require_2fa_for_admins')::boolean AS require_2fa_for_admins,
                c.host AS "host?", c.port AS "port?", t.database_name, t.login_role, t.db_password_encrypted,
                c.ssl_mode AS "ssl_mode?", t.pool_database_id
           FROM tenants t LEFT JOIN db_clusters c ON c.id = t.cluster_id
           WHERE t.id = $1"#,
        id,
    )
    .fetch_optional(db)
    .await
}

/// The ids of the deleted tenants, whose files the orphan cleanup removes.
pub async fn deleted_tenants(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<uuid::Uuid>> {
    sqlx::query_scalar!("SELECT id FROM tenants WHERE status = 'deleted' ORDER BY id").fetch_all(db).await
}

/// Every active tenant with a database, for the outbox relay's sweep (one read of the control
/// database however many tenants there are).
pub async fn active_tenants(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<TenantRow>> {
    sqlx::query_as!(
        TenantRow,
        r#"SELECT t.id, t.slug, t.status,
                (t.settings->>'require_2fa_for_admins')::boolean AS require_2fa_for_admins,
                c.host AS "host?", c.port AS "port?", t.database_name, t.login_role, t.db_password_encrypted,
                c.ssl_mode AS "ssl_mode?", t.pool_database_id
           FROM tenants t JOIN db_clusters c ON c.id = t.cluster_id
           WHERE t.status = 'active' AND t.database_name IS NOT NULL
           ORDER BY t.id"#,
    )
    .fetch_all(db)
    .await
}

/// The organisation's name, as its people see it (the sender's name on its mail).
pub async fn tenant_name(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("SELECT name FROM tenants WHERE id = $1", id).fetch_optional(db).await
}

/// A cluster's connection limits as control-api last read them from the server (none before
/// its first start with them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterLimits {
    pub name: String,
    pub host: String,
    pub port: i32,
    pub max_connections: Option<i32>,
    pub reserved_connections: Option<i32>,
}

/// The limits of every cluster that serves tenants (`active` or `draining`).
pub async fn cluster_limits(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<ClusterLimits>> {
    sqlx::query_as!(
        ClusterLimits,
        "SELECT name, host, port, max_connections, reserved_connections FROM db_clusters
         WHERE status <> 'disabled' ORDER BY name",
    )
    .fetch_all(db)
    .await
}
