//! The provisioning worker: durable jobs in the control database, claimed with
//! `FOR UPDATE SKIP LOCKED` and kept locked while they run (a crashed worker's lock goes with
//! its connection), retried with exponential backoff, woken by `NOTIFY` rather than polling.

use std::time::{Duration, Instant};

use prometheus::{Histogram, HistogramOpts, IntCounterVec, Opts, Registry};
use sqlx::postgres::PgListener;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::mirror;
use super::notify::{Notifier, TenantChange};
use super::provision::{ProvisionError, Provisioner};
use shared::backoff::Backoff;
use shared::tenant::TenantStatus;

/// The `NOTIFY` channel that wakes workers.
pub const CHANNEL: &str = "provisioning_jobs";
/// After this many failed attempts a job is given up (and a tenant being provisioned is
/// marked `failed`).
pub const MAX_ATTEMPTS: i32 = 10;
/// How often an idle worker looks for retries that came due.
const IDLE_POLL: Duration = Duration::from_secs(5);
/// How long the worker waits after the control database failed it.
const ERROR_PAUSE: Duration = Duration::from_secs(1);
/// How often a worker looks for abandoned tenants.
const SWEEP_EVERY: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Provision,
    Drop,
    /// Mirror one user's membership into the tenant database.
    SyncMember(Uuid),
}

impl JobKind {
    /// The kind a stored job names; `None` for a row this code does not know (it fails, and
    /// is retried and given up like any failing job, rather than passing as done). This is why
    /// `kind` is read as text, not through a `text_column!` enum: a word this version does not
    /// know must fail its job, not the claim of every job behind it.
    fn of_row(kind: &str, user_id: Option<Uuid>) -> Option<Self> {
        match (kind, user_id) {
            ("provision", _) => Some(Self::Provision),
            ("drop", _) => Some(Self::Drop),
            ("sync_member", Some(user)) => Some(Self::SyncMember(user)),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Provision => "provision",
            Self::Drop => "drop",
            Self::SyncMember(_) => "sync_member",
        }
    }
}

/// Queues a job in the caller's transaction; workers wake when it commits. A second
/// provisioning or drop job for a tenant that has one pending is a no-op.
pub async fn enqueue(conn: &mut PgConnection, tenant_id: Uuid, kind: JobKind) -> sqlx::Result<()> {
    let user_id = match kind {
        JobKind::SyncMember(user) => Some(user),
        _ => None,
    };
    sqlx::query!(
        "INSERT INTO provisioning_jobs (tenant_id, kind, user_id) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, kind) WHERE status = 'pending' AND kind IN ('provision', 'drop') DO NOTHING",
        tenant_id,
        kind.name(),
        user_id,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("SELECT pg_notify($1, '')", CHANNEL).execute(conn).await.map(drop)
}

/// Enqueues, in the caller's transaction, the mirror of a changed identity (its email verified)
/// into every tenant it belongs to.
pub async fn enqueue_identity(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    let tenants = sqlx::query_scalar!("SELECT tenant_id FROM memberships WHERE user_id = $1", user_id)
        .fetch_all(&mut *conn)
        .await?;
    for tenant_id in tenants {
        enqueue(conn, tenant_id, JobKind::SyncMember(user_id)).await?;
    }
    Ok(())
}

#[derive(Debug)]
struct Job {
    id: i64,
    tenant_id: Uuid,
    kind: String,
    user_id: Option<Uuid>,
    attempts: i32,
}

/// Job counters and the time from signup to an active tenant.
#[derive(Clone)]
pub struct JobMetrics {
    pub runs: IntCounterVec,
    pub signup_to_active: Histogram,
}

impl JobMetrics {
    pub fn register(registry: &Registry) -> Self {
        let runs = IntCounterVec::new(
            Opts::new("provisioning_jobs_total", "Provisioning jobs run, by kind and result"),
            &["kind", "result"],
        )
        .expect("valid metric");
        let signup_to_active = Histogram::with_opts(
            HistogramOpts::new("tenant_signup_to_active_seconds", "Time from signup to an active tenant database")
                .buckets(vec![0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 15.0, 60.0]),
        )
        .expect("valid metric");
        registry.register(Box::new(runs.clone())).expect("registered once");
        registry.register(Box::new(signup_to_active.clone())).expect("registered once");
        Self { runs, signup_to_active }
    }
}

#[derive(Clone)]
pub struct Worker {
    pub provisioner: Provisioner,
    pub notifier: Notifier,
    pub metrics: JobMetrics,
}

/// A failed job waits 2 s after its first attempt, doubling, at most 5 minutes.
const RETRY: Backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(300));

impl Worker {
    /// Runs due jobs until none is left; returns how many ran.
    pub async fn run_due(&self) -> sqlx::Result<usize> {
        let mut ran = 0;
        while self.run_one().await? {
            ran += 1;
        }
        Ok(ran)
    }

    /// Claims and runs one due job. False when there was none.
    pub async fn run_one(&self) -> sqlx::Result<bool> {
        let control = &self.provisioner.control;
        let mut claim = control.begin().await?;
        let job = sqlx::query_as!(
            Job,
            "SELECT id, tenant_id, kind, user_id, attempts FROM provisioning_jobs
             WHERE status = 'pending' AND run_after <= now()
             ORDER BY run_after, id
             FOR UPDATE SKIP LOCKED
             LIMIT 1",
        )
        .fetch_optional(&mut *claim)
        .await?;
        let Some(job) = job else { return Ok(false) };
        let kind = JobKind::of_row(&job.kind, job.user_id);
        let started = Instant::now();
        let result = self.execute(&job, kind).await;
        let outcome = match &result {
            Ok(()) => {
                sqlx::query!("UPDATE provisioning_jobs SET status = 'done', updated_at = now() WHERE id = $1", job.id)
                    .execute(&mut *claim)
                    .await?;
                "ok"
            }
            Err(err) => {
                let attempts = job.attempts + 1;
                let give_up = attempts >= MAX_ATTEMPTS;
                tracing::warn!(job = job.id, kind = job.kind, tenant = %job.tenant_id, attempts, give_up, error = %err, "provisioning job failed");
                sqlx::query!(
                    "UPDATE provisioning_jobs
                     SET attempts = $2, last_error = $3, status = CASE WHEN $4 THEN 'failed' ELSE 'pending' END,
                         run_after = now() + make_interval(secs => $5), updated_at = now()
                     WHERE id = $1",
                    job.id,
                    attempts,
                    err.to_string(),
                    give_up,
                    RETRY.after_attempts(attempts).as_secs_f64(),
                )
                .execute(&mut *claim)
                .await?;
                if give_up && kind == Some(JobKind::Provision) {
                    sqlx::query!(
                        "UPDATE tenants SET status = 'failed', updated_at = now() WHERE id = $1 AND status = 'provisioning'",
                        job.tenant_id,
                    )
                    .execute(&mut *claim)
                    .await?;
                }
                if give_up { "gave_up" } else { "retry" }
            }
        };
        claim.commit().await?;
        self.metrics.runs.with_label_values(&[job.kind.as_str(), outcome]).inc();
        tracing::info!(job = job.id, kind = job.kind, tenant = %job.tenant_id, outcome, ms = started.elapsed().as_millis(), "provisioning job");
        if result.is_ok() && matches!(kind, Some(JobKind::Provision | JobKind::Drop)) {
            self.after_lifecycle_change(job.tenant_id).await;
        }
        Ok(true)
    }

    async fn execute(&self, job: &Job, kind: Option<JobKind>) -> Result<(), ProvisionError> {
        let kind = kind.ok_or(ProvisionError::UnknownJob(job.id))?;
        match kind {
            JobKind::Provision => self.provisioner.provision(job.tenant_id).await,
            JobKind::Drop => self.provisioner.drop_tenant(job.tenant_id).await,
            JobKind::SyncMember(user) => self.sync_member(job.tenant_id, user).await,
        }
    }

    async fn sync_member(&self, tenant_id: Uuid, user_id: Uuid) -> Result<(), ProvisionError> {
        let tenant = self.provisioner.tenant(tenant_id).await?;
        // Provisioning seeds every member; a deleted tenant has nothing to sync.
        match tenant.status {
            TenantStatus::Active | TenantStatus::Suspended => {}
            TenantStatus::Provisioning | TenantStatus::Deleting | TenantStatus::Deleted | TenantStatus::Failed => {
                return Ok(());
            }
        }
        let (Some(cluster_id), Some(database)) = (tenant.cluster_id, tenant.database_name) else { return Ok(()) };
        let cluster = self.provisioner.cluster(cluster_id).await?;
        let mut conn = <PgConnection as sqlx::Connection>::connect_with(&cluster.admin_on(&database)).await?;
        match mirror::member(&self.provisioner.control, tenant_id, user_id).await? {
            Some(member) => tenant_schema::members::upsert(&mut conn, &member).await?,
            None => tenant_schema::members::deactivate(&mut conn, user_id).await?,
        }
        // Names and roles show in the app plane's answers (and decide what a reader sees).
        self.notifier.data_changed(tenant_id).await;
        Ok(())
    }

    async fn after_lifecycle_change(&self, tenant_id: Uuid) {
        let Ok(tenant) = self.provisioner.tenant(tenant_id).await else { return };
        if tenant.status == TenantStatus::Active {
            let created = sqlx::query_scalar!("SELECT created_at FROM tenants WHERE id = $1", tenant_id)
                .fetch_optional(&self.provisioner.control)
                .await
                .ok()
                .flatten();
            if let Some(created) = created {
                let secs = (chrono::Utc::now() - created).as_seconds_f64();
                self.metrics.signup_to_active.observe(secs);
            }
        }
        self.notifier.publish(&TenantChange::of(&tenant)).await;
    }

    /// Deletes the tenants nobody will use, `abandoned_after` after their sign-up: those whose
    /// provisioning failed, and those active but never signed in to. They go the way of any
    /// deleted tenant (status `deleting`, a drop job, a change notification). Returns their ids.
    pub async fn sweep_abandoned(&self) -> sqlx::Result<Vec<Uuid>> {
        let control = &self.provisioner.control;
        let mut tx = control.begin().await?;
        let abandoned = sqlx::query_scalar!(
            "UPDATE tenants SET status = 'deleting', updated_at = now()
             WHERE created_at < now() - make_interval(secs => $1)
               AND (status = 'failed' OR (status = 'active' AND first_login_at IS NULL))
             RETURNING id",
            self.provisioner.settings.abandoned_after.as_secs_f64(),
        )
        .fetch_all(&mut *tx)
        .await?;
        for tenant_id in &abandoned {
            enqueue(&mut tx, *tenant_id, JobKind::Drop).await?;
        }
        tx.commit().await?;
        for tenant_id in &abandoned {
            tracing::info!(tenant = %tenant_id, "abandoned tenant deleted");
            self.after_lifecycle_change(*tenant_id).await;
        }
        Ok(abandoned)
    }

    /// Runs jobs as they come until `shutdown` resolves.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut last_sweep: Option<Instant> = None;
        let mut listener = match PgListener::connect_with(&self.provisioner.control).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => Some(listener),
                Err(err) => {
                    tracing::warn!(error = %err, "provisioning worker cannot LISTEN; polling instead");
                    None
                }
            },
            Err(err) => {
                tracing::warn!(error = %err, "provisioning worker cannot LISTEN; polling instead");
                None
            }
        };
        loop {
            if last_sweep.is_none_or(|at| at.elapsed() >= SWEEP_EVERY) {
                last_sweep = Some(Instant::now());
                if let Err(err) = self.sweep_abandoned().await {
                    tracing::warn!(error = %err, "could not sweep abandoned tenants");
                }
            }
            if let Err(err) = self.run_due().await {
                tracing::error!(error = %err, "provisioning worker: control database error");
                // Pause rather than spin while the control database is unreachable.
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(ERROR_PAUSE) => continue,
                }
            }
            let wake = async {
                match listener.as_mut() {
                    Some(l) => drop(tokio::time::timeout(IDLE_POLL, l.recv()).await),
                    None => tokio::time::sleep(IDLE_POLL).await,
                }
            };
            tokio::select! {
                () = &mut shutdown => break,
                () = wake => {}
            }
        }
        tracing::info!("provisioning worker stopped");
    }
}

/// Jobs still pending or given up, for tests and operators.
pub async fn pending(control: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM provisioning_jobs WHERE status = 'pending'"#)
        .fetch_one(control)
        .await
}
