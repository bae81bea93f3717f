//! When each tenant next has timed work due in the tenant plane (`tenant_schedule`): its SAV
//! jobs (SLA breaches, auto-close), its mailbox fetch, its report digest, and the purge that ends its deletion. The one place the tenant plane's
//! workers learn which tenants to visit without visiting the others; a worker claims the due
//! tenants of its kind of work, leasing each one (the `LeasedQueue` shape of
//! `shared::work_queue`).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::directory::TenantRow;

/// A kind of timed work a tenant may have due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// The SAV jobs: an SLA target or an auto-close.
    Sav,
    /// A mailbox fetch (email in).
    Mailbox,
    /// The end of a deletion: the tenant's files and Redis keys removed (`deletion`).
    Purge,
    /// The reports' digest mailed (app-api's `sav::reports::digest`).
    Digest,
}

impl Work {
    /// Its word in `tenant_schedule.work`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sav => "sav",
            Self::Mailbox => "mailbox",
            Self::Purge => "purge",
            Self::Digest => "digest",
        }
    }
}

/// Claims up to `limit` tenants with `work` due at `now` that no other worker is claiming,
/// pushing each one's due time to `lease_until`: if the claimer dies before it writes the
/// tenant's real next due time (`set_due`), another one takes the tenant when the lease is over.
/// Comes with each tenant's row, as the tenant plane resolves it.
pub async fn claim_due(
    db: impl PgExecutor<'_>,
    work: Work,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<TenantRow>> {
    sqlx::query_as!(
        TenantRow,
        r#"WITH due AS (
               SELECT tenant_id FROM tenant_schedule WHERE work = $1 AND next_due_at <= $2
               ORDER BY next_due_at LIMIT $4 FOR UPDATE SKIP LOCKED),
           claimed AS (
               UPDATE tenant_schedule s SET next_due_at = $3, updated_at = now()
               FROM due WHERE s.tenant_id = due.tenant_id AND s.work = $1 RETURNING s.tenant_id)
           SELECT t.id, t.slug, t.status,
                (t.settings->>'require_2fa_for_admins')::boolean AS require_2fa_for_admins,
                c.host AS "host?", c.port AS "port?", t.database_name, t.login_role, t.db_password_encrypted,
                c.ssl_mode AS "ssl_mode?", t.pool_database_id
           FROM claimed JOIN tenants t ON t.id = claimed.tenant_id LEFT JOIN db_clusters c ON c.id = t.cluster_id"#,
        work.as_str(),
        now,
        lease_until,
        limit,
    )
    .fetch_all(db)
    .await
}

/// Records when `tenant` next has `work` due, or that it has none (`None`: the row goes).
pub async fn set_due(
    db: impl PgExecutor<'_>,
    work: Work,
    tenant: Uuid,
    next: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    match next {
        Some(at) => sqlx::query!(
            "INSERT INTO tenant_schedule (tenant_id, work, next_due_at) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id, work) DO UPDATE SET next_due_at = EXCLUDED.next_due_at, updated_at = now()
             WHERE tenant_schedule.next_due_at IS DISTINCT FROM EXCLUDED.next_due_at",
            tenant,
            work.as_str(),
            at,
        )
        .execute(db)
        .await
        .map(drop),
        None => sqlx::query!("DELETE FROM tenant_schedule WHERE tenant_id = $1 AND work = $2", tenant, work.as_str())
            .execute(db)
            .await
            .map(drop),
    }
}

/// Brings the `work` due times of `tenants` forward to `next` (pairwise) where they are later or
/// missing, never back: what a sweep that read the tenants without their locks may write without
/// undoing a more recent change.
pub async fn bring_forward(
    db: impl PgExecutor<'_>,
    work: Work,
    tenants: &[Uuid],
    next: &[DateTime<Utc>],
) -> sqlx::Result<u64> {
    sqlx::query!(
        "INSERT INTO tenant_schedule (tenant_id, work, next_due_at)
         SELECT due.tenant_id, $1, due.next_due_at
         FROM unnest($2::uuid[], $3::timestamptz[]) AS due (tenant_id, next_due_at)
         JOIN tenants t ON t.id = due.tenant_id
         ON CONFLICT (tenant_id, work) DO UPDATE SET next_due_at = EXCLUDED.next_due_at, updated_at = now()
         WHERE EXCLUDED.next_due_at < tenant_schedule.next_due_at",
        work.as_str(),
        tenants,
        next,
    )
    .execute(db)
    .await
    .map(|done| done.rows_affected())
}

/// When `tenant` next has `work` due, if it has any.
pub async fn next_due(db: impl PgExecutor<'_>, work: Work, tenant: Uuid) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar!(
        "SELECT next_due_at FROM tenant_schedule WHERE tenant_id = $1 AND work = $2",
        tenant,
        work.as_str()
    )
    .fetch_optional(db)
    .await
}

/// The tenants with `work` due at `now`, and the earliest due time among them: the queue's
/// backlog as its metrics show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub tenants: i64,
    pub since: Option<DateTime<Utc>>,
}

/// How many tenants have `work` due at `now`, and since when the earliest is.
pub async fn due(db: impl PgExecutor<'_>, work: Work, now: DateTime<Utc>) -> sqlx::Result<Due> {
    sqlx::query_as!(
        Due,
        r#"SELECT count(*) AS "tenants!", min(next_due_at) AS since
           FROM tenant_schedule WHERE work = $1 AND next_due_at <= $2"#,
        work.as_str(),
        now,
    )
    .fetch_one(db)
    .await
}

/// Takes `tenant` off the schedule of every kind of work (the tenant is deleted).
pub async fn forget(db: impl PgExecutor<'_>, tenant: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM tenant_schedule WHERE tenant_id = $1", tenant).execute(db).await.map(drop)
}
