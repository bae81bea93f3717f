//! The tenants' change versions that could not be raised in Redis (`missed_version_bumps`): a
//! service records the miss after the change committed, and the app plane's replicas read the
//! list, stop serving what they kept for those tenants, raise the version once Redis takes it,
//! and settle the miss.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// A tenant whose version is waiting to be raised, since when (its latest miss).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missed {
    pub tenant_id: Uuid,
    pub missed_at: DateTime<Utc>,
}

/// The most misses one read lists (the rest wait for the next read).
pub const MOST_LISTED: i64 = 1_000;

/// Records that `tenant`'s version could not be raised now.
pub async fn record_missed(db: impl PgExecutor<'_>, tenant: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO missed_version_bumps (tenant_id) VALUES ($1)
         ON CONFLICT (tenant_id) DO UPDATE SET missed_at = now()",
        tenant,
    )
    .execute(db)
    .await
    .map(drop)
}

/// The tenants waiting for their version to be raised, the oldest misses first.
pub async fn missed(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Missed>> {
    sqlx::query_as!(
        Missed,
        "SELECT tenant_id, missed_at FROM missed_version_bumps ORDER BY missed_at LIMIT $1",
        MOST_LISTED,
    )
    .fetch_all(db)
    .await
}

/// Settles `missed`: the version was raised after it. A miss recorded since stays.
pub async fn settle(db: impl PgExecutor<'_>, missed: Missed) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM missed_version_bumps WHERE tenant_id = $1 AND missed_at <= $2",
        missed.tenant_id,
        missed.missed_at,
    )
    .execute(db)
    .await
    .map(drop)
}
