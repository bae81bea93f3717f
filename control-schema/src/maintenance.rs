//! Periodic maintenance of the tenant plane (`maintenance_runs`): which replica runs a job this
//! time.

use std::time::Duration;

use sqlx::PgExecutor;

/// Claims a run of `job` when its last run started `every` ago or more (or it never ran): true
/// for the one caller that gets it. A run that dies part-way waits for the next period.
pub async fn claim_run(db: impl PgExecutor<'_>, job: &str, every: Duration) -> sqlx::Result<bool> {
    let every_seconds = every.as_secs_f64();
    let claimed = sqlx::query_scalar!(
        "INSERT INTO maintenance_runs (job, last_started_at) VALUES ($1, now())
         ON CONFLICT (job) DO UPDATE SET last_started_at = now()
         WHERE maintenance_runs.last_started_at <= now() - make_interval(secs => $2)
         RETURNING job",
        job,
        every_seconds,
    )
    .fetch_optional(db)
    .await?;
    Ok(claimed.is_some())
}
