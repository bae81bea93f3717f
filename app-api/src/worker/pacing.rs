//! How the background work is paced: a probe of every database of the active tenants, one
//! statement each, a bounded number at a time (`probe_each_database`), and a bounded fan-out
//! over what they found (`visit_each`); a part of the tenants' schedule drained as a leased queue every
//! second (`drain_schedule`, `RetriedVisit`); a periodic job (`every`) and the stop signal
//! (`wait`).

use std::collections::HashMap;
use std::sync::Arc;

use control_schema::directory::TenantRow;
use control_schema::schedule;
use futures_util::future::BoxFuture;
use shared::work_queue::{self, Backlog, Lanes, LeasedQueue, Outcome};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::state::AppState;
use crate::tenancy::resolve::Tenant;

/// The active tenants that have a database, grouped by the database they are in: a pool
/// database's tenants together, a tenant with a database of its own alone. The sweeps' one read
/// of the control database.
async fn active_by_database(state: &AppState) -> sqlx::Result<Vec<Vec<Arc<Tenant>>>> {
    let rows = control_schema::directory::active_tenants(&state.tenancy.control_db).await?;
    let mut databases: HashMap<Uuid, Vec<Arc<Tenant>>> = HashMap::new();
    for row in rows {
        let Ok(tenant) = Tenant::from_row(row) else { continue };
        let Some(database) = &tenant.database else { continue };
        databases.entry(database.pool.unwrap_or(tenant.id)).or_default().push(Arc::new(tenant));
    }
    Ok(databases.into_values().collect())
}

/// A row of a sweep's probe: what was found for one tenant.
pub(crate) trait OfTenant {
    fn tenant(&self) -> Uuid;
}

impl OfTenant for crate::events::outbox::Backlog {
    fn tenant(&self) -> Uuid {
        self.tenant
    }
}

impl OfTenant for crate::notifications::store::MailBacklog {
    fn tenant(&self) -> Uuid {
        self.tenant
    }
}

impl OfTenant for crate::integrations::deliveries::Backlog {
    fn tenant(&self) -> Uuid {
        self.tenant
    }
}

impl OfTenant for sav::tickets::due::Backlog {
    fn tenant(&self) -> Uuid {
        self.tenant
    }
}

/// What a sweep's probe found: each tenant with what was found for it, and how many tenants
/// were in databases that could not be read.
pub(crate) struct Probed<T> {
    pub found: Vec<(Arc<Tenant>, T)>,
    pub unreachable: usize,
}

/// Runs `probe` once per database of the active tenants, `concurrency` databases at a time,
/// with a transaction there that names no tenant and the ids of the tenants placed there (one
/// of the probing functions of tenant migration 0042 names each in turn), and returns each
/// tenant with what the probe found for it: the sweeps find the tenants with work in one
/// statement per database, however many tenants a pool database holds.
pub(crate) async fn probe_each_database<T, F>(state: &AppState, concurrency: usize, probe: F) -> sqlx::Result<Probed<T>>
where
    F: for<'c> Fn(&'c mut PgConnection, &'c [Uuid]) -> BoxFuture<'c, sqlx::Result<Vec<T>>> + Send + Sync + 'static,
    T: OfTenant + Send + 'static,
{
    let probe = Arc::new(probe);
    let databases = active_by_database(state).await?;
    let probed = visit_each(databases, concurrency, move |tenants: Arc<Vec<Arc<Tenant>>>| {
        let (pools, probe) = (state.tenancy.pools.clone(), Arc::clone(&probe));
        async move {
            let ids: Vec<Uuid> = tenants.iter().map(|tenant| tenant.id).collect();
            let mut conn = pools.acquire(&tenants[0]).await.map_err(|err| err.to_string())?;
            let mut tx = conn.begin_naming_none().await.map_err(|err| err.to_string())?;
            probe(&mut tx, &ids).await.map_err(|err| err.to_string())
        }
    })
    .await;
    let mut result = Probed { found: Vec::new(), unreachable: 0 };
    for (tenants, found) in probed {
        match found {
            Ok(found) => {
                let by_id: HashMap<Uuid, &Arc<Tenant>> = tenants.iter().map(|tenant| (tenant.id, tenant)).collect();
                result.found.extend(
                    found
                        .into_iter()
                        .filter_map(|row| by_id.get(&row.tenant()).map(|tenant| (Arc::clone(tenant), row))),
                );
            }
            Err(error) => {
                result.unreachable += tenants.len();
                tracing::warn!(tenants = tenants.len(), first = %tenants[0].id, error, "a sweep cannot read a database");
            }
        }
    }
    Ok(result)
}

/// Runs `visit` on each of `items`, `concurrency` at a time, and returns each item with what its
/// visit gave, in the order they finished: the sweeps' bounded fan-out.
pub(crate) async fn visit_each<I, T, F, Fut>(items: Vec<I>, concurrency: usize, visit: F) -> Vec<(Arc<I>, T)>
where
    F: Fn(Arc<I>) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    I: Send + Sync + 'static,
    T: Send + 'static,
{
    let limit = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut visits = tokio::task::JoinSet::new();
    for item in items {
        let item = Arc::new(item);
        let (limit, done) = (Arc::clone(&limit), visit(Arc::clone(&item)));
        visits.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("never closed");
            (item, done.await)
        });
    }
    let mut results = Vec::with_capacity(visits.len());
    while let Some(joined) = visits.join_next().await {
        if let Ok(result) = joined {
            results.push(result);
        }
    }
    results
}

/// The tenants' schedule (`control_schema::schedule`) as a leased queue of one kind of work:
/// every second its due tenants are drained (`queue` of `work`, `lanes` at a time) and its
/// backlog reported, until `stop`.
pub(crate) async fn drain_schedule<Q>(
    state: Arc<AppState>,
    work: schedule::Work,
    queue: impl Fn(Arc<AppState>) -> Q,
    lanes: Lanes,
    stop: impl Future<Output = ()>,
) where
    Q: LeasedQueue<Error = sqlx::Error>,
{
    every(std::time::Duration::from_secs(1), stop, Stopping::LetsFinish, || {
        let queue = queue(Arc::clone(&state));
        let state = Arc::clone(&state);
        async move {
            let name = queue.name();
            if let Err(err) = schedule_turn(&state, work, queue, lanes).await {
                tracing::warn!(queue = name, error = %err, "cannot claim the due tenants");
            }
        }
    })
    .await;
}

/// One turn of `drain_schedule`: how many tenants were claimed.
pub(crate) async fn schedule_turn<Q>(
    state: &AppState,
    work: schedule::Work,
    queue: Q,
    lanes: Lanes,
) -> sqlx::Result<usize>
where
    Q: LeasedQueue<Error = sqlx::Error>,
{
    let queue = Arc::new(queue);
    let drained = work_queue::drain_leased(&queue, lanes, &state.queue_metrics).await?;
    let now = chrono::Utc::now();
    let due = schedule::due(&state.tenancy.control_db, work, now).await?;
    state.queue_metrics.backlog(queue.name(), Backlog { depth: due.tenants, oldest: due.since }, now);
    Ok(drained.worked.len() + drained.panicked)
}

/// A visit of one tenant of the schedule that either ends its due work or fails and is tried
/// again one lease (`RETRY`) later: the reports' digests and the deletions' purges.
pub(crate) trait RetriedVisit: Send + Sync + 'static {
    /// The queue's name in the work queues' metrics and the logs.
    const QUEUE: &'static str;
    const WORK: schedule::Work;
    /// A claimed visit's lease: when a failed (or abandoned) one is tried again.
    const RETRY: std::time::Duration;
    /// What the log says of a failed visit, before "; tried again later".
    const FAILED: &'static str;

    fn control_db(&self) -> &sqlx::PgPool;

    fn visit(&self, tenant: TenantRow) -> impl Future<Output = Result<(), String>> + Send;
}

/// A `RetriedVisit` as the leased queue of its part of the tenants' schedule.
pub(crate) struct Visits<V>(pub V);

impl<V: RetriedVisit> Visits<V> {
    fn lease() -> chrono::Duration {
        chrono::Duration::from_std(V::RETRY).expect("a short lease")
    }
}

impl<V: RetriedVisit> LeasedQueue for Visits<V> {
    type Item = TenantRow;
    type Error = sqlx::Error;
    type Worked = ();

    fn name(&self) -> &'static str {
        V::QUEUE
    }

    async fn claim(&self, limit: i64) -> sqlx::Result<Vec<TenantRow>> {
        let now = chrono::Utc::now();
        schedule::claim_due(self.0.control_db(), V::WORK, now, now + Self::lease(), limit).await
    }

    async fn work(&self, tenant: TenantRow) -> (Outcome, ()) {
        let (id, slug) = (tenant.id, tenant.slug.clone());
        match self.0.visit(tenant).await {
            Ok(()) => (Outcome::Done, ()),
            Err(error) => {
                tracing::warn!(tenant = %id, slug, error, "{}; tried again later", V::FAILED);
                (Outcome::Retry { at: chrono::Utc::now() + Self::lease(), error }, ())
            }
        }
    }
}

/// What `stop` does to a run of a periodic job in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stopping {
    /// Cuts it short: the job only reads (a sweep), and the next process's first run does it
    /// again.
    CutsShort,
    /// Lets it finish: the job writes.
    LetsFinish,
}

/// Runs `job` now, then every `period`, until `stop` resolves.
pub(crate) async fn every<F, Fut>(
    period: std::time::Duration,
    stop: impl Future<Output = ()>,
    stopping: Stopping,
    mut job: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    tokio::pin!(stop);
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = tick.tick() => {}
        }
        match stopping {
            Stopping::LetsFinish => job().await,
            Stopping::CutsShort => tokio::select! {
                () = &mut stop => return,
                () = job() => {}
            },
        }
    }
}

/// Resolves once `stop` fires (or its sender is gone).
pub(crate) async fn wait(mut stop: tokio::sync::broadcast::Receiver<()>) {
    let _ = stop.recv().await;
}
