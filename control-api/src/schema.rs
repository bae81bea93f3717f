//! The control database's schema (`migrations/control`), owned by control-api: applied by
//! `serve`, `worker` and the operator commands. app-api reads a few of its tables for tenant
//! resolution and revoked sessions.

pub use control_schema::MIGRATOR as CONTROL;

/// Every tenant database and login role the control database lists, with the port of the
/// cluster holding it: what a test or an operator drops to clean up after the tenants of a
/// control database. It stays a string: the shared test
/// kit runs it on a connection of its own, outside this crate.
pub const TENANT_DATABASES_AND_ROLES: &str =
    "SELECT t.database_name, t.login_role, c.port FROM tenants t LEFT JOIN db_clusters c ON c.id = t.cluster_id";
