//! The schema of every tenant database: the SAV domain's tables, which the tenant plane
//! (app-api) reads and writes. It lives in a crate of its own because control-api applies it:
//! to the template every new tenant database is cloned from, and to existing ones with
//! `control-api migrate-tenants`. It also holds the writes control-api makes in tenant
//! databases (`members`), so that they are checked against this schema.
#![forbid(unsafe_code)]

pub mod members;

/// `migrations/tenant`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/tenant");
