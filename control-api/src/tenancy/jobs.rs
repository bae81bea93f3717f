//! The provisioning worker: a work queue (`shared::work_queue`) of durable jobs in the control
//! database, claimed with `FOR UPDATE SKIP LOCKED` and kept locked while they run (a crashed
//! worker's lock goes with its connection), retried with exponential backoff, woken by `NOTIFY`
//! (other processes) and in-process notices rather than polling alone.

use std::time::{Duration, Instant};

use prometheus::{Histogram, HistogramOpts, IntCounterVec, Opts, Registry};
use shared::backoff::Backoff;
use shared::tenant::TenantStatus;
use shared::work_queue::{self, Backlog, GiveUp, Outcome, Pace, QueueMetrics, Retries, WorkQueue};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::mirror;
use super::notify::{Notifier, TenantChange};
use super::placement::Census;
use super::provision::{ProvisionError, Provisioner};

/// The `NOTIFY` channel that wakes workers.
pub const CHANNEL: &str = "provisioning_jobs";
/// After this many failed attempts a job is given up (and a tenant being provisioned is
/// marked `failed`).
pub const MAX_ATTEMPTS: i32 = 10;
/// How often an idle worker looks for retries that came due, and how long it waits after the
/// control database failed it (its jobs have no dependency that can be away).
const PACE: Pace = Pace {
    idle: Duration::from_secs(5),
    away: Backoff::new(Duration::from_secs(1), Duration::from_secs(1)),
    database_error: Duration::from_secs(1),
};
/// How often a worker looks for abandoned tenants.
const SWEEP_EVERY: Duration = Duration::from_secs(600);

/// How often the worker counts the tenants by placement (`tenants{placement}`).
const CENSUS_EVERY: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Provision,
    Drop,
    /// Mirror one user's membership into the tenant database.
    SyncMember(Uuid),
    /// One user signed out of every session: unavailable for routing in the tenant.
    SignOut(Uuid),
    /// The tenant's move to another placement (`moves`).
    Move,
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
            ("sign_out", Some(user)) => Some(Self::SignOut(user)),
            ("move", _) => Some(Self::Move),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Provision => "provision",
            Self::Drop => "drop",
            Self::SyncMember(_) => "sync_member",
            Self::SignOut(_) => "sign_out",
            Self::Move => "move",
        }
    }
}

/// Queues a job in the caller's transaction; workers wake when it commits. A second
/// provisioning or drop job for a tenant that has one pending is a no-op.
pub async fn enqueue(conn: &mut PgConnection, tenant_id: Uuid, kind: JobKind) -> sqlx::Result<()> {
    let user_id = match kind {
        JobKind::SyncMember(user) | JobKind::SignOut(user) => Some(user),
        JobKind::Provision | JobKind::Drop | JobKind::Move => None,
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

/// Enqueues, in the caller's transaction, what signing out of every session does in each tenant
/// where the user is staff: they stop taking tickets there.
pub async fn enqueue_sign_out(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    let tenants = sqlx::query_scalar!(
        "SELECT tenant_id FROM memberships WHERE user_id = $1 AND role IN ('owner', 'admin', 'agent')",
        user_id
    )
    .fetch_all(&mut *conn)
    .await?;
    for tenant_id in tenants {
        enqueue(conn, tenant_id, JobKind::SignOut(user_id)).await?;
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

/// Job counters by kind, the time from signup to an active tenant, and the work queue family.
#[derive(Clone)]
pub struct JobMetrics {
    pub runs: IntCounterVec,
    pub signup_to_active: Histogram,
    pub queue: QueueMetrics,
    /// `tenants{placement}` and `pool_database_tenants{cluster, database}`, counted again every
    /// `CENSUS_EVERY`.
    pub census: Census,
    /// `tenant_moves_total{outcome}`: moves done and failed.
    pub moves: IntCounterVec,
    /// `tenant_move_switch_seconds`: from the fence's request to the switch's commit.
    pub move_switch: Histogram,
}

impl JobMetrics {
    pub fn register(registry: &Registry, queue: QueueMetrics) -> Self {
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
        let moves = IntCounterVec::new(
            Opts::new("tenant_moves_total", "Tenant moves between placements, by outcome (done, failed)"),
            &["outcome"],
        )
        .expect("valid metric");
        let move_switch = Histogram::with_opts(
            HistogramOpts::new(
                "tenant_move_switch_seconds",
                "Time a moving tenant's writes were held: from the switch's fence to its commit",
            )
            .buckets(vec![0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0]),
        )
        .expect("valid metric");
        for collector in [Box::new(runs.clone()) as Box<dyn prometheus::core::Collector>, Box::new(moves.clone())] {
            registry.register(collector).expect("registered once");
        }
        for histogram in [&signup_to_active, &move_switch] {
            registry.register(Box::new(histogram.clone())).expect("registered once");
        }
        for outcome in ["done", "failed"] {
            moves.with_label_values(&[outcome]);
        }
        Self { runs, signup_to_active, queue, census: Census::register(registry), moves, move_switch }
    }
}

#[derive(Clone)]
pub struct Worker {
    pub provisioner: Provisioner,
    pub notifier: Notifier,
    pub metrics: JobMetrics,
}

/// A failed job waits 2 s after its first attempt, doubling, at most 5 minutes, and is given up
/// after `MAX_ATTEMPTS`.
const RETRIES: Retries =
    Retries::new(Backoff::new(Duration::from_secs(2), Duration::from_secs(300)), GiveUp::After(MAX_ATTEMPTS));
/// The queue's name in the work queue metrics.
const QUEUE: &str = "provisioning";

impl Worker {
    /// Runs due jobs until none is left; returns how many ran.
    pub async fn run_due(&self) -> sqlx::Result<usize> {
        let mut conn = self.provisioner.control.acquire().await?;
        let drained = work_queue::drain(self, &mut *conn, usize::MAX, &self.metrics.queue).await?;
        drop(conn);
        self.report_backlog().await?;
        Ok(drained.settled)
    }

    /// Claims and runs one due job. False when there was none.
    pub async fn run_one(&self) -> sqlx::Result<bool> {
        let mut conn = self.provisioner.control.acquire().await?;
        let drained = work_queue::drain(self, &mut *conn, 1, &self.metrics.queue).await?;
        Ok(drained.settled == 1)
    }

    async fn report_backlog(&self) -> sqlx::Result<()> {
        let backlog = sqlx::query_as!(
            Backlog,
            r#"SELECT count(*) AS "depth!", min(created_at) AS oldest FROM provisioning_jobs WHERE status = 'pending'"#,
        )
        .fetch_one(&self.provisioner.control)
        .await?;
        self.metrics.queue.backlog(QUEUE, backlog, chrono::Utc::now());
        Ok(())
    }
}

/// A job claimed, and when.
pub struct Claimed {
    job: Job,
    kind: Option<JobKind>,
    at: Instant,
}

impl WorkQueue for Worker {
    type Item = Claimed;

    fn name(&self) -> &'static str {
        QUEUE
    }

    async fn claim(&self, tx: &mut PgConnection) -> sqlx::Result<Option<Claimed>> {
        let job = sqlx::query_as!(
            Job,
            "SELECT id, tenant_id, kind, user_id, attempts FROM provisioning_jobs
             WHERE status = 'pending' AND run_after <= now()
             ORDER BY run_after, id
             FOR UPDATE SKIP LOCKED
             LIMIT 1",
        )
        .fetch_optional(tx)
        .await?;
        Ok(job.map(|job| Claimed { kind: JobKind::of_row(&job.kind, job.user_id), job, at: Instant::now() }))
    }

    async fn work(&self, claimed: &Claimed) -> Outcome {
        match self.execute(&claimed.job, claimed.kind).await {
            Ok(()) => Outcome::Done,
            Err(err) => {
                let now = chrono::Utc::now();
                RETRIES.after_refusal(true, claimed.job.attempts + 1, now, now, err.to_string())
            }
        }
    }

    async fn settle(&self, tx: &mut PgConnection, claimed: &Claimed, outcome: &Outcome) -> sqlx::Result<()> {
        let job = &claimed.job;
        let (status, run_after, error) = match outcome {
            Outcome::Done => {
                return sqlx::query!(
                    "UPDATE provisioning_jobs SET status = 'done', updated_at = now() WHERE id = $1",
                    job.id
                )
                .execute(tx)
                .await
                .map(drop);
            }
            Outcome::Retry { at, error } => ("pending", Some(*at), error),
            Outcome::Refused { error } | Outcome::Failed { error } => ("failed", None, error),
            Outcome::Away { error } => {
                return sqlx::query!("UPDATE provisioning_jobs SET last_error = $2 WHERE id = $1", job.id, error)
                    .execute(tx)
                    .await
                    .map(drop);
            }
        };
        sqlx::query!(
            "UPDATE provisioning_jobs
             SET attempts = attempts + 1, last_error = $2, status = $3, run_after = coalesce($4, run_after), updated_at = now()
             WHERE id = $1",
            job.id,
            error,
            status,
            run_after,
        )
        .execute(&mut *tx)
        .await?;
        if status == "failed" && claimed.kind == Some(JobKind::Provision) {
            sqlx::query!(
                "UPDATE tenants SET status = 'failed', updated_at = now() WHERE id = $1 AND status = 'provisioning'",
                job.tenant_id,
            )
            .execute(tx)
            .await?;
        }
        Ok(())
    }

    async fn settled(&self, claimed: &Claimed, outcome: &Outcome) {
        let (job, ms) = (&claimed.job, claimed.at.elapsed().as_millis());
        let result = match outcome {
            Outcome::Done => "ok",
            Outcome::Retry { .. } | Outcome::Away { .. } => "retry",
            Outcome::Refused { .. } | Outcome::Failed { .. } => "gave_up",
        };
        self.metrics.runs.with_label_values(&[job.kind.as_str(), result]).inc();
        if let Some(error) = outcome.error() {
            tracing::warn!(job = job.id, kind = job.kind, tenant = %job.tenant_id, attempts = job.attempts + 1, give_up = result == "gave_up", error, "provisioning job failed");
        }
        tracing::info!(job = job.id, kind = job.kind, tenant = %job.tenant_id, outcome = result, ms, "provisioning job");
        // A drop leaves the tenant `deleting` (its purge in the tenant plane ends the deletion):
        // only a provisioning run changes the status here.
        if *outcome == Outcome::Done && claimed.kind == Some(JobKind::Provision) {
            self.after_lifecycle_change(job.tenant_id).await;
        }
    }
}

impl Worker {
    async fn execute(&self, job: &Job, kind: Option<JobKind>) -> Result<(), ProvisionError> {
        let kind = kind.ok_or(ProvisionError::UnknownJob(job.id))?;
        match kind {
            JobKind::Provision => self.provisioner.provision(job.tenant_id).await,
            JobKind::Drop => self.provisioner.drop_tenant(job.tenant_id).await,
            JobKind::SyncMember(user) => self.sync_member(job.tenant_id, user).await,
            JobKind::SignOut(user) => self.sign_out(job.tenant_id, user).await,
            JobKind::Move => self.run_move(job.tenant_id, job.attempts).await,
        }
    }

    /// The tenant database of `tenant_id` when it has one to write to (active or suspended), and
    /// the tenant's role, whose policies hold the writes (`tenant_schema::begin_held`).
    async fn tenant_database(&self, tenant_id: Uuid) -> Result<Option<(PgConnection, String)>, ProvisionError> {
        let tenant = self.provisioner.tenant(tenant_id).await?;
        // Provisioning seeds every member; a deleted tenant has nothing to write.
        match tenant.status {
            TenantStatus::Active | TenantStatus::Suspended => {}
            TenantStatus::Provisioning | TenantStatus::Deleting | TenantStatus::Deleted | TenantStatus::Failed => {
                return Ok(None);
            }
        }
        let (Some(cluster_id), Some(database), Some(role)) =
            (tenant.cluster_id, tenant.database_name, tenant.login_role)
        else {
            return Ok(None);
        };
        let cluster = self.provisioner.cluster(cluster_id).await?;
        let conn = <PgConnection as sqlx::Connection>::connect_with(&cluster.admin_on(&database).await?).await?;
        Ok(Some((conn, role)))
    }

    async fn sign_out(&self, tenant_id: Uuid, user_id: Uuid) -> Result<(), ProvisionError> {
        let Some((mut conn, role)) = self.tenant_database(tenant_id).await? else { return Ok(()) };
        let mut tx = tenant_schema::begin_held(&mut conn, tenant_id, &role).await?;
        let signed_out = tenant_schema::members::sign_out(&mut tx, user_id).await?;
        tx.commit().await?;
        if signed_out {
            // Availability shows in the app plane's answers.
            self.notifier.data_changed(tenant_id).await;
        }
        Ok(())
    }

    async fn sync_member(&self, tenant_id: Uuid, user_id: Uuid) -> Result<(), ProvisionError> {
        let Some((mut conn, role)) = self.tenant_database(tenant_id).await? else { return Ok(()) };
        let member = mirror::member(&self.provisioner.control, tenant_id, user_id).await?;
        let mut tx = tenant_schema::begin_held(&mut conn, tenant_id, &role).await?;
        match member {
            Some(member) => tenant_schema::members::upsert(&mut tx, &member).await?,
            None => tenant_schema::members::deactivate(&mut tx, user_id).await?,
        }
        tx.commit().await?;
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

    /// Runs jobs as they come until `shutdown` resolves: woken by `NOTIFY` on `CHANNEL` when
    /// a job commits anywhere, and polling for retries come due.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let wake = work_queue::listen(&self.provisioner.control, CHANNEL).await;
        let (mut last_sweep, mut last_census): (Option<Instant>, Option<Instant>) = (None, None);
        let this = &self;
        let sweep = move || {
            let due = |last: &mut Option<Instant>, every: Duration| {
                let due = last.is_none_or(|at| at.elapsed() >= every);
                if due {
                    *last = Some(Instant::now());
                }
                due
            };
            let (sweep_due, census_due) = (due(&mut last_sweep, SWEEP_EVERY), due(&mut last_census, CENSUS_EVERY));
            async move {
                if sweep_due && let Err(err) = this.sweep_abandoned().await {
                    tracing::warn!(error = %err, "could not sweep abandoned tenants");
                }
                if census_due && let Err(err) = this.metrics.census.count(&this.provisioner.control).await {
                    tracing::warn!(error = %err, "could not count the tenants by placement");
                }
            }
        };
        work_queue::poll(&self, &self.provisioner.control, &wake, PACE, &self.metrics.queue, sweep, shutdown).await;
        tracing::info!("provisioning worker stopped");
    }
}

/// Jobs still pending or given up, for tests and operators.
pub async fn pending(control: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM provisioning_jobs WHERE status = 'pending'"#)
        .fetch_one(control)
        .await
}
