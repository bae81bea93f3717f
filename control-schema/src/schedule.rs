//! When each tenant next has SAV work due (`sla_schedule`), written and read by the tenant
//! plane's scheduled jobs: the one place they learn which tenants to visit without visiting the
//! others.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::directory::TenantRow;

/// Claims up to `limit` tenants due at `now` that no other scheduler is claiming, pushing each
/// one's next due time to `lease_until`: if the claimer dies before it writes the tenant's real
/// next due time (`set_next_due`), another one takes the tenant when the lease is over. Comes
/// with each tenant's row, as the tenant plane resolves it.
pub async fn claim_due(
    db: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<TenantRow>> {
    sqlx::query_as!(
        TenantRow,
        r#"WITH due AS (
               SELECT tenant_id FROM sla_schedule WHERE next_due_at <= $1
               ORDER BY next_due_at LIMIT $3 FOR UPDATE SKIP LOCKED),
           claimed AS (
               UPDATE sla_schedule s SET next_due_at = $2, updated_at = now()
               FROM due WHERE s.tenant_id = due.tenant_id RETURNING s.tenant_id)
           SELECT t.id, t.slug, t.status,
                (t.settings->>'require_2fa_for_admins')::boolean AS require_2fa_for_admins,
                c.host AS "host?", c.port AS "port?", t.database_name, t.login_role, t.db_password_encrypted,
                c.ssl_mode AS "ssl_mode?"
           FROM claimed JOIN tenants t ON t.id = claimed.tenant_id LEFT JOIN db_clusters c ON c.id = t.cluster_id"#,
        now,
        lease_until,
        limit,
    )
    .fetch_all(db)
    .await
}

/// Records `tenant`'s next due time, or that it has none (`None`: the row goes).
pub async fn set_next_due(db: impl PgExecutor<'_>, tenant: Uuid, next: Option<DateTime<Utc>>) -> sqlx::Result<()> {
    match next {
        Some(at) => sqlx::query!(
            "INSERT INTO sla_schedule (tenant_id, next_due_at) VALUES ($1, $2)
             ON CONFLICT (tenant_id) DO UPDATE SET next_due_at = EXCLUDED.next_due_at, updated_at = now()
             WHERE sla_schedule.next_due_at IS DISTINCT FROM EXCLUDED.next_due_at",
            tenant,
            at,
        )
        .execute(db)
        .await
        .map(drop),
        None => sqlx::query!("DELETE FROM sla_schedule WHERE tenant_id = $1", tenant).execute(db).await.map(drop),
    }
}

/// Brings the next due times of `tenants` forward to `next` (pairwise) where they are later or
/// missing, never back: what a sweep that read the tenants without their locks may write
/// without undoing a more recent change.
pub async fn bring_forward(db: impl PgExecutor<'_>, tenants: &[Uuid], next: &[DateTime<Utc>]) -> sqlx::Result<u64> {
    sqlx::query!(
        "INSERT INTO sla_schedule (tenant_id, next_due_at)
         SELECT due.tenant_id, due.next_due_at FROM unnest($1::uuid[], $2::timestamptz[]) AS due (tenant_id, next_due_at)
         JOIN tenants t ON t.id = due.tenant_id
         ON CONFLICT (tenant_id) DO UPDATE SET next_due_at = EXCLUDED.next_due_at, updated_at = now()
         WHERE EXCLUDED.next_due_at < sla_schedule.next_due_at",
        tenants,
        next,
    )
    .execute(db)
    .await
    .map(|done| done.rows_affected())
}

/// `tenant`'s next due time, if it has one.
pub async fn next_due(db: impl PgExecutor<'_>, tenant: Uuid) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar!("SELECT next_due_at FROM sla_schedule WHERE tenant_id = $1", tenant).fetch_optional(db).await
}

/// Claims up to `limit` tenants whose mailbox fetch is due at `now` (`mailbox_schedule`), pushing
/// each one's next fetch to `next`: a claimer that dies is replaced at the next turn.
pub async fn claim_due_mailboxes(
    db: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    next: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<TenantRow>> {
    sqlx::query_as!(
        TenantRow,
        r#"WITH due AS (
               SELECT tenant_id FROM mailbox_schedule WHERE next_fetch_at <= $1
               ORDER BY next_fetch_at LIMIT $3 FOR UPDATE SKIP LOCKED),
           claimed AS (
               UPDATE mailbox_schedule s SET next_fetch_at = $2, updated_at = now()
               FROM due WHERE s.tenant_id = due.tenant_id RETURNING s.tenant_id)
           SELECT t.id, t.slug, t.status,
                (t.settings->>'require_2fa_for_admins')::boolean AS require_2fa_for_admins,
                c.host AS "host?", c.port AS "port?", t.database_name, t.login_role, t.db_password_encrypted,
                c.ssl_mode AS "ssl_mode?"
           FROM claimed JOIN tenants t ON t.id = claimed.tenant_id LEFT JOIN db_clusters c ON c.id = t.cluster_id"#,
        now,
        next,
        limit,
    )
    .fetch_all(db)
    .await
}

/// Puts `tenant`'s mailbox on the schedule, due at `at` (or takes it off: `None`).
pub async fn set_mailbox_due(db: impl PgExecutor<'_>, tenant: Uuid, at: Option<DateTime<Utc>>) -> sqlx::Result<()> {
    match at {
        Some(at) => sqlx::query!(
            "INSERT INTO mailbox_schedule (tenant_id, next_fetch_at) VALUES ($1, $2)
             ON CONFLICT (tenant_id) DO UPDATE SET next_fetch_at = EXCLUDED.next_fetch_at, updated_at = now()",
            tenant,
            at,
        )
        .execute(db)
        .await
        .map(drop),
        None => sqlx::query!("DELETE FROM mailbox_schedule WHERE tenant_id = $1", tenant).execute(db).await.map(drop),
    }
}
