//! The schema of every tenant database: the SAV domain's tables, which the tenant plane
//! (app-api) reads and writes. It lives in a crate of its own because control-api applies it:
//! to the template every new tenant database is cloned from, and to existing ones with
//! `control-api migrate-tenants`. It also holds the writes control-api makes in tenant
//! databases (`members`), so that they are checked against this schema.
//!
//! Every table carries `tenant_id`, first in every key, under row-level security that shows and
//! takes the rows of the transaction's tenant alone (migration 0039): whoever reads or writes
//! tenant rows does it in a transaction from `begin`, on a database of one tenant or of many.
#![forbid(unsafe_code)]

pub mod members;
pub mod moving;
mod rows;

pub use rows::{
    TENANT_MOVING, TENANT_SETTING, begin, begin_as, begin_held, begin_naming_none, is_moving, remove, seed,
};

/// `migrations/tenant`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/tenant");
