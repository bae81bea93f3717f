//! The schema of the control database: tenants, clusters, identities, memberships, sessions and
//! jobs. control-api owns and migrates it; it lives in a crate of its own so that the tenant
//! plane's few uses of it (tenant resolution, revoked sessions, the schedule of the tenants'
//! timed work, the end of a tenant's deletion, maintenance runs, customers who first write by mail, the change versions Redis
//! did not take) are checked against it too.
#![forbid(unsafe_code)]

pub mod contacts;
pub mod deletion;
pub mod directory;
pub mod maintenance;
pub mod schedule;
pub mod sessions;
pub mod versions;

/// `migrations/control`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/control");
