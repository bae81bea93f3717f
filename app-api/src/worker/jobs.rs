//! The scheduled SAV jobs: SLA breaches and auto-close (`deadlines` acts on one ticket), run by `serve` (unless `JOBS_IN_SERVE=false`) and by `worker`, in any number of
//! replicas.
//!
//! - **Which tenants**: the control database keeps each tenant's next due time
//!   (`tenant_schedule`). Every `SLA_CHECK_SECONDS` a check claims the tenants due now from the head
//!   of its index (one statement, `FOR UPDATE SKIP LOCKED`, each claimed tenant leased for
//!   `LEASE`), acts on their due tickets and writes each one's next due time back. A tenant with
//!   nothing due costs nothing: its row waits in the index.
//! - **Keeping the schedule**: a change that brings a due time nearer (a new ticket, a status
//!   change, a raised priority) hints its tenant (`events::hints`); the jobs then read the
//!   tenant's next due time (three index probes) and write it. Writers of one tenant take turns
//!   under a lock in its database (`due::lock_schedule`), so the last write is from the newest
//!   read. A sweep every `SLA_SWEEP_SECONDS` reads every active tenant's next due time and
//!   brings the schedule forward where it is later (never back), the safety net for a lost hint.
//! - **Never twice**: each ticket is locked and checked again before acting (`deadlines`).
//! - Connections to tenant databases come from the same pools and budget as requests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use control_schema::directory::TenantRow;
use control_schema::schedule::{self, Work};
use sav::rules;
use sav::tickets::due;
use shared::tenant::{Slug, TenantStatus};
use shared::work_queue::{self, Backlog, Lanes, LeasedQueue, Outcome};

use super::deadlines::{self, Acted};
use super::pacing::wait;
use crate::commands::rules::Ran;
use crate::events::hints::{self, Queue, Target};
use crate::state::AppState;
use crate::tenancy::pools::TenantConnection;
use crate::tenancy::resolve::Tenant;

/// The SAV jobs' queue in the work queues' metrics.
pub const QUEUE: &str = "sav_jobs";
/// How long a claimed tenant is kept from other checks while one acts on it: a replica that
/// dies mid-visit delays the tenant's work by this much at most.
const LEASE: chrono::Duration = chrono::Duration::seconds(60);
/// Due tenants one claim takes.
const CLAIM_BATCH: i64 = 200;
/// Due tickets read per statement.
const TICKET_BATCH: i64 = 100;
/// How long a ticket may wait in a team nobody staffs before the sweep names its tenant in the
/// log (`HelpdesklyTeamQueueUnstaffed` fires at the same age).
const UNSTAFFED_WARNING: chrono::Duration = chrono::Duration::minutes(30);
/// Tickets one visit acts on before the tenant waits for the next check.
const VISIT_MAX: usize = 1_000;

/// What the jobs take the time from: the wall clock, or a clock a test moves.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Why a tenant is visited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Due in the schedule, and claimed.
    Claimed,
    /// Hinted after a change.
    Hinted,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Claimed => "claimed",
            Self::Hinted => "hinted",
        }
    }
}

/// What one visit did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Visit {
    pub breaches: usize,
    pub closed: usize,
    /// Waiting tickets routing handed out.
    pub routed: usize,
    /// Time rules whose timers came due and were taken (run, or found not matching).
    pub timed: usize,
    /// Tickets listed as due that were no longer (changed meanwhile, or acted on elsewhere).
    pub skipped: usize,
    pub failed: usize,
    /// The tenant's next due time, as written to the schedule.
    pub next_due: Option<DateTime<Utc>>,
}

impl Visit {
    fn acted(&self) -> usize {
        self.breaches + self.closed + self.routed + self.timed
    }
}

/// What one check did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Check {
    pub tenants: usize,
    pub breaches: usize,
    pub closed: usize,
    /// Time rules whose timers came due (run, or found not matching).
    pub timed: usize,
    pub failed_tenants: usize,
}

/// The jobs of this process.
#[derive(Clone)]
pub struct Jobs {
    state: AppState,
    clock: Clock,
    queue: Arc<Queue>,
}

impl Jobs {
    pub fn new(state: &AppState) -> Self {
        Self { state: state.clone(), clock: Arc::new(Utc::now), queue: Arc::clone(&state.events.hints.jobs_queue) }
    }

    /// The same jobs on another clock.
    #[must_use]
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Runs until `shutdown` resolves, then lets the visits in progress finish: the checks, the
    /// sweep, hinted tenants, and Redis hints from other replicas.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let hints = &self.state.events.hints;
        hints.jobs_run_here(true);
        let (stop, _) = tokio::sync::broadcast::channel::<()>(1);
        let mut tasks = Vec::new();
        if let Some(address) = &self.state.config.redis {
            let (address, prefix) = (address.clone(), self.state.config.redis_key_prefix.clone());
            tasks.push(tokio::spawn(hints::listen(address, prefix, Arc::clone(&self.queue), wait(stop.subscribe()))));
        }
        let config = &self.state.config.jobs;
        tasks.push(tokio::spawn(self.clone().every(config.check_every, Self::logged_check, wait(stop.subscribe()))));
        tasks.push(tokio::spawn(self.clone().every(config.sweep_every, Self::logged_sweep, wait(stop.subscribe()))));
        for _ in 0..config.concurrency {
            tasks.push(tokio::spawn(self.clone().work(wait(stop.subscribe()))));
        }
        shutdown.await;
        hints.jobs_run_here(false);
        let _ = stop.send(());
        for task in tasks {
            let _ = task.await;
        }
        tracing::info!("scheduled jobs stopped");
    }

    /// Runs `job` now, then every `period`, until `stop`; a run in progress is never cut short.
    async fn every<F>(self, period: Duration, job: fn(Self) -> F, stop: impl Future<Output = ()>)
    where
        F: Future<Output = ()>,
    {
        super::pacing::every(period, stop, super::pacing::Stopping::LetsFinish, || job(self.clone())).await;
    }

    async fn logged_check(self) {
        match self.check().await {
            Ok(check) if check.tenants > 0 => tracing::debug!(?check, "SAV jobs check"),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "SAV jobs: cannot claim the due tenants"),
        }
    }

    async fn logged_sweep(self) {
        match self.sweep().await {
            Ok(brought_forward) => tracing::debug!(brought_forward, "SAV jobs sweep"),
            Err(err) => tracing::warn!(error = %err, "SAV jobs sweep: cannot list the active tenants"),
        }
    }

    /// One check: claims the tenants due now and visits them, a few at a time
    /// (`JOBS_CONCURRENCY`), until none is due.
    pub async fn check(&self) -> sqlx::Result<Check> {
        let started = Instant::now();
        let lanes = Lanes { batch: CLAIM_BATCH, concurrency: self.state.config.jobs.concurrency, claims: usize::MAX };
        let drained = work_queue::drain_leased(&Arc::new(self.clone()), lanes, &self.state.queue_metrics).await?;
        let mut check = Check { failed_tenants: drained.panicked, ..Check::default() };
        for visited in drained.worked {
            check.tenants += 1;
            match visited {
                Ok(visit) => {
                    check.breaches += visit.breaches;
                    check.closed += visit.closed;
                    check.timed += visit.timed;
                }
                Err(err) => {
                    check.failed_tenants += 1;
                    tracing::warn!(error = %err, "SAV jobs: a due tenant could not be visited");
                }
            }
        }
        check.tenants += drained.panicked;
        let now = self.now();
        match schedule::due(&self.state.tenancy.control_db, Work::Sav, now).await {
            Ok(due) => self.state.queue_metrics.backlog(QUEUE, Backlog { depth: due.tenants, oldest: due.since }, now),
            Err(err) => tracing::debug!(error = %err, "SAV jobs: cannot read the schedule's backlog"),
        }
        self.state.events.jobs.check.observe(started.elapsed().as_secs_f64());
        Ok(check)
    }

    /// One hint worker: visits the hinted tenants one at a time.
    async fn work(self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        while let Some(target) = self.queue.next_until(stop.as_mut()).await {
            match self.resolve(&target).await {
                Ok(tenant) => {
                    if let Err(err) = self.visit(&tenant, Reason::Hinted).await {
                        tracing::warn!(tenant = %tenant.id, error = %err, "SAV jobs: a hinted tenant could not be visited");
                    }
                }
                Err(err) => {
                    tracing::debug!(slug = %target.slug, error = %err, "SAV jobs: hint for a tenant that cannot run");
                }
            }
            self.queue.done(target, false);
        }
    }

    /// The tenant of a hint, as a request would resolve it when the hint came with its slug only.
    async fn resolve(&self, target: &Target) -> Result<Arc<Tenant>, String> {
        if let Some(tenant) = &target.tenant {
            return Ok(Arc::clone(tenant));
        }
        let slug = Slug::parse_syntax(&target.slug).map_err(|e| e.to_string())?;
        self.state.tenancy.resolver.resolve(&slug).await.map_err(|e| e.to_string())
    }

    /// Acts on what is due in `tenant` and writes its next due time to the schedule. A hinted
    /// tenant with nothing due costs the reading of its next due time and one write.
    pub async fn visit(&self, tenant: &Arc<Tenant>, reason: Reason) -> Result<Visit, String> {
        let visited = self.try_visit(tenant, reason).await;
        let outcome = match &visited {
            Ok(visit) if visit.acted() > 0 => "acted",
            Ok(_) => "nothing_due",
            Err(_) => "failed",
        };
        self.state.events.jobs.visited(reason.as_str(), outcome);
        visited
    }

    async fn try_visit(&self, tenant: &Arc<Tenant>, reason: Reason) -> Result<Visit, String> {
        let control = &self.state.tenancy.control_db;
        if tenant.status != TenantStatus::Active || tenant.database.is_none() {
            // Its clock waits with it; the sweep schedules it again once it is active.
            schedule::set_due(control, Work::Sav, tenant.id, None).await.map_err(|e| e.to_string())?;
            return Ok(Visit::default());
        }
        let mut conn = self.state.tenancy.pools.acquire(tenant).await.map_err(|e| e.to_string())?;
        let mut visit = Visit::default();
        if reason == Reason::Hinted {
            visit.next_due = self.reschedule(&mut conn, tenant).await.map_err(|e| e.to_string())?;
            if visit.next_due.is_none_or(|at| at > self.now()) {
                return Ok(visit);
            }
        }
        self.act_on_due(&mut conn, tenant, &mut visit).await?;
        visit.next_due = self.reschedule(&mut conn, tenant).await.map_err(|e| e.to_string())?;
        if visit.acted() > 0 {
            // The events it wrote are the relay's.
            self.state.events.hints.hint(tenant);
        }
        Ok(visit)
    }

    async fn act_on_due(&self, conn: &mut TenantConnection, tenant: &Tenant, visit: &mut Visit) -> Result<(), String> {
        let metrics = &self.state.events.jobs;
        let routed = super::routing::hand_out(conn, tenant, &self.state.events, self.now()).await;
        visit.routed += routed.map_err(|e| e.to_string())?;
        if visit.routed > 0 {
            self.state.live.versions.bump(tenant.id).await;
        }
        loop {
            let now = self.now();
            let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
            let due = due::list(&mut tx, now, TICKET_BATCH).await.map_err(|e| e.to_string())?;
            drop(tx);
            let mut progressed = false;
            for &(id, kind) in &due {
                let acted = deadlines::act(conn, tenant, &self.state.events, id, kind, now).await;
                if matches!(acted, Ok(Some(_))) {
                    self.state.live.versions.bump(tenant.id).await;
                }
                match acted {
                    Ok(Some(Acted::Breached { sla_type, priority, .. })) => {
                        metrics.breached(priority.as_str(), sla_type.as_str());
                        visit.breaches += 1;
                        progressed = true;
                    }
                    Ok(Some(Acted::Closed { from })) => {
                        metrics.auto_closed(from.as_str());
                        visit.closed += 1;
                        progressed = true;
                    }
                    Ok(None) => visit.skipped += 1,
                    Err(err) => {
                        metrics.failures.inc();
                        visit.failed += 1;
                        tracing::warn!(tenant = %tenant.id, ticket = %id, due = kind.as_str(), error = %err,
                            "SAV jobs: cannot act on a due ticket");
                    }
                }
            }
            let full = usize::try_from(TICKET_BATCH).is_ok_and(|batch| due.len() == batch);
            if !full || !progressed || visit.acted() >= VISIT_MAX {
                break;
            }
        }
        self.run_time_rules(conn, tenant, visit).await
    }

    /// Runs the time rules due now, a batch at a time, within the visit's budget.
    async fn run_time_rules(
        &self,
        conn: &mut TenantConnection,
        tenant: &Tenant,
        visit: &mut Visit,
    ) -> Result<(), String> {
        loop {
            let now = self.now();
            let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
            let timers = rules::store::due_timers(&mut tx, now, TICKET_BATCH).await.map_err(|e| e.to_string())?;
            drop(tx);
            let mut progressed = false;
            for &(rule, id) in &timers {
                match deadlines::run_rule(conn, tenant, &self.state.events, rule, id, now).await {
                    Ok(Some(ran)) => {
                        progressed = true;
                        visit.timed += 1;
                        if ran == Ran::Applied {
                            self.state.live.versions.bump(tenant.id).await;
                        }
                    }
                    Ok(None) => visit.skipped += 1,
                    Err(err) => {
                        self.state.events.jobs.failures.inc();
                        visit.failed += 1;
                        tracing::warn!(tenant = %tenant.id, ticket = %id, %rule, error = %err,
                            "SAV jobs: cannot run a due time rule");
                    }
                }
            }
            let full = usize::try_from(TICKET_BATCH).is_ok_and(|batch| timers.len() == batch);
            if !full || !progressed || visit.acted() >= VISIT_MAX {
                return Ok(());
            }
        }
    }

    /// Reads the tenant's next due time and writes it to the schedule, under the tenant's
    /// schedule lock.
    async fn reschedule(&self, conn: &mut TenantConnection, tenant: &Tenant) -> sqlx::Result<Option<DateTime<Utc>>> {
        let mut tx = conn.begin().await?;
        let written = async {
            due::lock_schedule(&mut tx).await?;
            let next = due::next(&mut tx).await?;
            schedule::set_due(&self.state.tenancy.control_db, Work::Sav, tenant.id, next).await?;
            Ok(next)
        }
        .await;
        // Now, not when the connection is next used: the lock must not idle in the pool.
        match written {
            Ok(next) => tx.commit().await.map(|()| next),
            Err(err) => {
                let _ = tx.rollback().await;
                Err(err)
            }
        }
    }

    /// Reads every active tenant's next due time and waiting tickets (one statement per
    /// database, a few databases at a time), brings the schedule forward where it is later or
    /// missing, and reads again the mail a crash left half read where some is; how many tenants
    /// it brought forward.
    pub async fn sweep(&self) -> sqlx::Result<u64> {
        let started = Instant::now();
        let concurrency = self.state.config.jobs.concurrency;
        let probed = crate::worker::pacing::probe_each_database(&self.state, concurrency, |tx, tenants| {
            Box::pin(due::backlogs(tx, tenants))
        })
        .await?;
        let (mut tenants, mut next, mut waiting, mut stranded) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (tenant, backlog) in probed.found {
            waiting.push((tenant.id, backlog.waiting()));
            if let Some(at) = backlog.next_due {
                tenants.push(tenant.id);
                next.push(at);
            }
            if backlog.stranded_mail {
                stranded.push(tenant);
            }
        }
        self.report_waiting(&waiting);
        // Mail a crash left half read (`mailin`): its original is kept, it is read again.
        crate::worker::pacing::visit_each(stranded, concurrency, |tenant| {
            let state = self.state.clone();
            async move {
                match crate::mailin::intake::settle_stranded(&state, &tenant).await {
                    Ok(0) => {}
                    Ok(settled) => tracing::info!(tenant = %tenant.id, settled, "jobs sweep: stranded mail read again"),
                    Err(err) => {
                        tracing::warn!(tenant = %tenant.id, error = ?err, "jobs sweep: stranded mail not read again");
                    }
                }
            }
        })
        .await;
        let brought = schedule::bring_forward(&self.state.tenancy.control_db, Work::Sav, &tenants, &next).await?;
        self.state.events.jobs.sweep.observe(started.elapsed().as_secs_f64());
        Ok(brought)
    }
}

impl Jobs {
    /// The waiting tickets of every tenant's routed teams, as the sweep read them, in the
    /// routing metrics; a tenant whose ticket has waited over `UNSTAFFED_WARNING` where nobody
    /// is available is named in the log (the metrics name no tenant).
    fn report_waiting(&self, tenants: &[(uuid::Uuid, due::Waiting)]) {
        let now = self.now();
        let age = |since: Option<DateTime<Utc>>| since.map_or(0.0, |at| (now - at).as_seconds_f64().max(0.0));
        let metrics = &self.state.events.routing;
        metrics.waiting.set(tenants.iter().map(|(_, w)| w.tickets).sum());
        metrics.oldest_wait.set(age(tenants.iter().filter_map(|(_, w)| w.oldest).min()));
        metrics.oldest_unstaffed_wait.set(age(tenants.iter().filter_map(|(_, w)| w.oldest_unstaffed).min()));
        for (tenant, waiting) in tenants {
            if let Some(since) = waiting.oldest_unstaffed.filter(|since| now - *since > UNSTAFFED_WARNING) {
                tracing::warn!(%tenant, waiting_since = %since, "routing: a ticket waits in a team where nobody is available");
            }
        }
    }
}

/// The SAV jobs' part of the tenants' schedule, as a leased queue: a claimed tenant is visited,
/// and the visit writes its next due time.
impl LeasedQueue for Jobs {
    type Item = TenantRow;
    type Error = sqlx::Error;
    type Worked = Result<Visit, String>;

    fn name(&self) -> &'static str {
        QUEUE
    }

    async fn claim(&self, limit: i64) -> sqlx::Result<Vec<TenantRow>> {
        let now = self.now();
        schedule::claim_due(&self.state.tenancy.control_db, Work::Sav, now, now + LEASE, limit).await
    }

    async fn work(&self, row: TenantRow) -> (Outcome, Self::Worked) {
        let id = row.id;
        let visited = match Tenant::from_row(row) {
            Ok(tenant) => self.visit(&Arc::new(tenant), Reason::Claimed).await,
            Err(err) => Err(format!("tenant {id}: {err}")),
        };
        let outcome = match &visited {
            Ok(_) => Outcome::Done,
            // The lease brings the tenant back.
            Err(err) => Outcome::Retry { at: self.now() + LEASE, error: err.clone() },
        };
        (outcome, visited)
    }
}
