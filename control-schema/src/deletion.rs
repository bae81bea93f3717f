//! The two halves of a tenant's deletion. control-api drops the tenant's database and role and
//! forgets its people (`control_api::tenancy::provision`), then schedules the purge
//! (`purge_due`); the tenant plane, which holds the object store, removes the tenant's files and
//! Redis keys and records the deletion complete (`purged`). The tenant is `deleting` until then,
//! and `deleted` (with `deleted_at`) only once nothing of it is left.

use sqlx::PgExecutor;
use uuid::Uuid;

use crate::schedule::{self, Work};

/// Schedules the purge of a `deleting` tenant whose database is gone, due now.
pub async fn purge_due(db: impl PgExecutor<'_>, tenant: Uuid) -> sqlx::Result<()> {
    schedule::set_due(db, Work::Purge, tenant, Some(chrono::Utc::now())).await
}

/// Records that `tenant`'s files and keys are gone: it becomes `deleted`, and leaves the
/// schedule. False when it was not `deleting` (purged already, or never deleted).
pub async fn purged(db: impl PgExecutor<'_>, tenant: Uuid) -> sqlx::Result<bool> {
    sqlx::query!(
        "WITH unscheduled AS (DELETE FROM tenant_schedule WHERE tenant_id = $1)
         UPDATE tenants SET status = 'deleted', deleted_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'deleting'",
        tenant,
    )
    .execute(db)
    .await
    .map(|done| done.rows_affected() == 1)
}
