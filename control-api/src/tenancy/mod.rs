//! Tenants' databases: clusters and placement, the template database, the provisioning steps,
//! the worker that runs them as durable jobs, the mirror of members into tenant databases,
//! change notifications for the app plane, the migration fan-out, backups and restores, the
//! tenants repository, signing an organisation up, and people joining a tenant (registration,
//! invitations).

pub mod backup;
pub mod clusters;
pub mod jobs;
pub mod joining;
pub mod migrate;
pub mod mirror;
pub mod moves;
pub mod notify;
pub mod placement;
pub mod pools;
pub mod provision;
pub mod signup;
pub mod sso_signin;
pub mod template;
pub mod tenants;

/// Settings of the tenant plane's databases.
#[derive(Debug, Clone)]
pub struct TenancySettings {
    /// `TENANT_TEMPLATE_DATABASE` ("hd_tenant_template"): kept migrated on every cluster, cloned
    /// for each new tenant.
    pub template_database: String,
    /// `TENANT_DB_PREFIX` ("hdt_"): prefix of tenant database and role names.
    pub db_prefix: String,
    /// `TENANT_ROLE_CONNECTION_LIMIT` (50): connections one tenant role may hold on its
    /// cluster, whatever any app-api replica does.
    pub role_connection_limit: u32,
    /// `TENANT_ABANDONED_HOURS` (72): a tenant whose provisioning failed, or that nobody signed
    /// in to, is deleted this long after its signup.
    pub abandoned_after: std::time::Duration,
    /// `TENANT_DEFAULT_PLACEMENT` (`pooled`): where a new tenant's rows go, a pool database of its
    /// cluster or a database of its own.
    pub default_placement: placement::Mode,
    /// `POOL_DATABASE_MAX_TENANTS` (5,000): the tenants a pool database takes before the next one
    /// is made.
    pub pool_max_tenants: u32,
    /// `TENANT_MOVE_SETTLE_MS` (6,000): how long a move holds the tenant's writes on the source
    /// after the switch, for app-api replicas that still know the old placement (their cache
    /// keeps it `TENANT_CACHE_TTL_SECONDS`, 5, when a change notice is lost), before the source's
    /// rows go.
    pub move_settle: std::time::Duration,
}

/// A single-connection pool for one piece of admin work on a tenant database. (Migrating
/// through a pool rather than a bare connection keeps the futures `Send` for spawned tasks.)
pub async fn admin_pool(options: sqlx::postgres::PgConnectOptions) -> sqlx::Result<sqlx::PgPool> {
    sqlx::postgres::PgPoolOptions::new().max_connections(1).connect_with(options).await
}

pub use tenant_schema::moving::quote_ident;
