//! The two schemas, embedded: the control database (owned by control-api, read by app-api for
//! tenant resolution) and every tenant database.

use sqlx::migrate::Migrator;

/// `migrations/control`: applied by `control-api serve`.
pub static CONTROL: Migrator = sqlx::migrate!("../migrations/control");

/// `migrations/tenant`: applied to the tenant template and by `control-api migrate-tenants`.
pub static TENANT: Migrator = sqlx::migrate!("../migrations/tenant");
