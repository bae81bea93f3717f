//! Connections to tenant databases under one global budget.
//!
//! Every open connection, busy or idle, holds one permit of a global semaphore sized
//! `TENANT_POOLS_MAX_TOTAL_CONNECTIONS`, so the sum across tenants can never exceed it. A
//! tenant has at most `TENANT_POOL_MAX_CONNECTIONS` connections (its own semaphore). When a new
//! connection is needed and the budget is spent, the least recently used idle connection of
//! another tenant is closed to make room; when none is idle the request waits, then gets 503
//! `dependency_unavailable`. Idle connections close after `TENANT_POOL_IDLE_SECONDS`; a tenant's
//! slot (its pool) is created once, on first use, and dropped when idle or evicted. A connection
//! older than `TENANT_POOL_MAX_LIFETIME_SECONDS` is closed when returned rather than reused.
//!
//! The pools reach databases through a `Connector`: PostgreSQL in production, a counting stand-in
//! in the budget's own tests, which need no server.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use prometheus::{Histogram, HistogramOpts, IntCounter, IntGauge, Registry};
use shared::config::EncryptionKey;
use shared::error::ApiError;
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::{Connection as _, PgConnection};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use super::resolve::{Tenant, TenantDatabase};
use crate::config::PoolLimits;
use shared::error::connection_faults;

/// An idle connection older than this is pinged before reuse: a server restarted meanwhile (a
/// restart takes longer) has closed it. Busier connections are pinged only when a broken
/// connection was seen since they were last known good (`shared::error::connection_faults`).
const PING_AFTER: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct PoolMetrics {
    pub pools_open: IntGauge,
    /// The budget the pools hold at most (`tenancy::budget`: fitted at start).
    pub connections_budget: IntGauge,
    pub connections_open: IntGauge,
    pub connections_idle: IntGauge,
    pub pool_creations: IntCounter,
    pub evictions: IntCounter,
    pub retired: IntCounter,
    pub acquire_timeouts: IntCounter,
    pub acquire_wait: Histogram,
}

impl PoolMetrics {
    fn register(registry: &Registry) -> Self {
        let gauge = |name: &str, help: &str| {
            let g = IntGauge::new(name, help).expect("valid metric");
            registry.register(Box::new(g.clone())).expect("registered once");
            g
        };
        let counter = |name: &str, help: &str| {
            let c = IntCounter::new(name, help).expect("valid metric");
            registry.register(Box::new(c.clone())).expect("registered once");
            c
        };
        let acquire_wait = Histogram::with_opts(
            HistogramOpts::new("tenant_pool_acquire_wait_seconds", "Time to get a tenant database connection")
                .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
        )
        .expect("valid metric");
        registry.register(Box::new(acquire_wait.clone())).expect("registered once");
        Self {
            pools_open: gauge("tenant_pools_open", "Tenants with a pool"),
            connections_budget: gauge(
                "tenant_connections_budget",
                "Connections to tenant databases this process may hold",
            ),
            connections_open: gauge("tenant_connections_open", "Open connections to tenant databases"),
            connections_idle: gauge("tenant_connections_idle", "Idle connections to tenant databases"),
            pool_creations: counter("tenant_pool_creations_total", "Tenant pools created"),
            evictions: counter("tenant_pool_evictions_total", "Idle connections closed to make room or after idling"),
            retired: counter("tenant_connections_retired_total", "Connections closed on return for their age"),
            acquire_timeouts: counter(
                "tenant_pool_acquire_timeouts_total",
                "Requests refused for lack of a connection",
            ),
            acquire_wait,
        }
    }
}

/// How the pools open, check and close connections.
pub trait Connector: Send + Sync + 'static {
    type Conn: Send + 'static;
    type Options: Clone + Send + Sync + 'static;

    /// Where and how to connect for a tenant (its credentials opened).
    fn options(&self, tenant: Uuid, database: &TenantDatabase) -> Result<Self::Options, ApiError>;
    fn connect(&self, options: &Self::Options) -> impl Future<Output = Result<Self::Conn, ApiError>> + Send;
    /// Whether an idle connection still answers (and, first, sends what waits in its buffer).
    fn ping(conn: &mut Self::Conn) -> impl Future<Output = bool> + Send;
    /// Whether something waits in the connection's buffer for the server: the `ROLLBACK` of a
    /// transaction dropped on an error path, whose locks stay held until it is sent.
    fn has_queued_work(conn: &Self::Conn) -> bool;
    fn close(conn: Self::Conn) -> impl Future<Output = ()> + Send;
}

/// Tenant databases on PostgreSQL, each with its own role.
pub struct PgConnector {
    /// Opens tenant role passwords.
    key: EncryptionKey,
    /// Every statement's time limit (`PoolLimits::statement_timeout`).
    statement_timeout: Duration,
}

/// The hosts of a cluster: `host` and `port` of one, or the list `h1:5432,h2:5432` of a primary
/// and its standbys in `host` (`control_api::tenancy::clusters::register`), IPv6 addresses in
/// brackets.
fn cluster_hosts(host: &str, port: u16) -> Vec<(String, u16)> {
    if !host.contains(',') {
        return vec![(host.to_owned(), port)];
    }
    let one = |item: &str| {
        let (name, given) = match item.strip_prefix('[') {
            Some(v6) => v6.split_once("]:").unwrap_or((v6.trim_end_matches(']'), "")),
            None => item.rsplit_once(':').unwrap_or((item, "")),
        };
        (name.to_owned(), given.parse().unwrap_or(port))
    };
    host.split(',').map(one).collect()
}

impl Connector for PgConnector {
    type Conn = PgConnection;
    /// One for each host of the tenant's cluster; connections go to the one that accepts writes.
    type Options = Vec<PgConnectOptions>;

    fn options(&self, tenant: Uuid, database: &TenantDatabase) -> Result<Vec<PgConnectOptions>, ApiError> {
        let password = shared::crypto::open(&self.key, &database.password_sealed, tenant.as_bytes())
            .map_err(|e| ApiError::internal(format!("tenant database password: {e}")))?;
        let password =
            String::from_utf8(password).map_err(|_| ApiError::internal("tenant database password is not UTF-8"))?;
        let on = |host: &str, port: u16| {
            PgConnectOptions::new()
                .host(host)
                .port(port)
                .database(&database.name)
                .username(&database.role)
                .password(&password)
                .ssl_mode(database.ssl_mode.parse::<PgSslMode>().unwrap_or(PgSslMode::Require))
                .application_name("helpdeskly-app-api")
                // One tenant's slow statement holds its connection no longer than this (reports
                // and exports raise it for their transaction: `TenantConnection::begin_report`).
                .options([("statement_timeout", self.statement_timeout.as_millis())])
        };
        Ok(cluster_hosts(&database.host, database.port).iter().map(|(host, port)| on(host, *port)).collect())
    }

    fn connect(&self, options: &Vec<PgConnectOptions>) -> impl Future<Output = Result<PgConnection, ApiError>> + Send {
        let options = options.clone();
        async move { shared::primary::connect_writable(&options).await.map_err(ApiError::unavailable) }
    }

    async fn ping(conn: &mut PgConnection) -> bool {
        conn.ping().await.is_ok()
    }

    fn has_queued_work(conn: &PgConnection) -> bool {
        // What sqlx's own pool settles on release, by pinging every connection; this pays the
        // round trip only when a dropped transaction left its ROLLBACK queued.
        sqlx::Connection::should_flush(conn)
    }

    async fn close(conn: PgConnection) {
        let _ = conn.close().await;
    }
}

struct Idle<C: Connector> {
    conn: C::Conn,
    permit: OwnedSemaphorePermit,
    since: Instant,
    opened: Instant,
    /// `connection_faults()` when the connection was last known good.
    faults: u64,
}

struct Slot<C: Connector> {
    generation: u64,
    database: TenantDatabase,
    options: C::Options,
    idle: VecDeque<Idle<C>>,
    gate: Arc<Semaphore>,
    in_use: usize,
    last_used: Instant,
}

struct Inner<C: Connector> {
    limits: PoolLimits,
    connector: C,
    budget: Arc<Semaphore>,
    /// Signalled whenever a connection goes back to idle: waiters may evict it.
    returned: tokio::sync::Notify,
    slots: Mutex<HashMap<Uuid, Slot<C>>>,
    generations: AtomicU64,
    metrics: PoolMetrics,
}

pub struct PoolManager<C: Connector = PgConnector> {
    inner: Arc<Inner<C>>,
}

impl<C: Connector> Clone for PoolManager<C> {
    fn clone(&self) -> Self {
        Self { inner: Arc::clone(&self.inner) }
    }
}

/// A connection to one tenant's database, returned to its pool on drop.
pub struct TenantConnection<C: Connector = PgConnector> {
    conn: Option<C::Conn>,
    permit: Option<OwnedSemaphorePermit>,
    /// The slot's pool-size permit, held until the connection is back.
    gate: Option<OwnedSemaphorePermit>,
    /// The slot it goes back to: its tenant's own, or its pool database's.
    slot: Uuid,
    /// The tenant its transactions name.
    tenant: Uuid,
    generation: u64,
    opened: Instant,
    /// `connection_faults()` when it was handed out, known good.
    faults: u64,
    /// A transaction failed to begin on it: closed on drop.
    unusable: bool,
    inner: Arc<Inner<C>>,
}

fn unavailable(why: &'static str) -> ApiError {
    ApiError::unavailable(why)
}

/// Closes a connection, then gives its budget permit back: the server has let it go before
/// anyone may open another in its place.
fn close_later<C: Connector>(conn: C::Conn, permit: OwnedSemaphorePermit) {
    tokio::spawn(async move {
        C::close(conn).await;
        drop(permit);
    });
}

impl PoolManager<PgConnector> {
    pub fn new(limits: PoolLimits, key: EncryptionKey, registry: &Registry) -> Self {
        Self::with_connector(limits, PgConnector { key, statement_timeout: limits.statement_timeout }, registry)
    }
}

impl<C: Connector> PoolManager<C> {
    pub fn with_connector(limits: PoolLimits, connector: C, registry: &Registry) -> Self {
        let inner = Inner {
            limits,
            connector,
            budget: Arc::new(Semaphore::new(limits.total)),
            returned: tokio::sync::Notify::new(),
            slots: Mutex::new(HashMap::new()),
            generations: AtomicU64::new(0),
            metrics: PoolMetrics::register(registry),
        };
        inner.metrics.connections_budget.set(i64::try_from(limits.total).unwrap_or(i64::MAX));
        Self { inner: Arc::new(inner) }
    }

    pub fn metrics(&self) -> &PoolMetrics {
        &self.inner.metrics
    }

    /// Open connections across all tenants.
    pub fn open_connections(&self) -> usize {
        self.inner.limits.total - self.inner.budget.available_permits()
    }

    pub fn limits(&self) -> PoolLimits {
        self.inner.limits
    }

    /// A connection to `tenant`'s database: from its own pool, or from its pool database's,
    /// shared by all the tenants there (each transaction names its tenant).
    pub async fn acquire(&self, tenant: &Tenant) -> Result<TenantConnection<C>, ApiError> {
        let started = Instant::now();
        let deadline = tokio::time::Instant::from_std(started + self.inner.limits.acquire_timeout);
        let database = tenant.database.as_ref().ok_or_else(|| unavailable("the tenant has no database yet"))?;
        let key = database.pool.unwrap_or(tenant.id);
        let (gate, generation, options) = self.slot(key, tenant.id, database)?;
        let gate = tokio::time::timeout_at(deadline, gate.acquire_owned())
            .await
            .map_err(|_| self.timed_out())?
            .expect("gates are never closed");

        let permit = loop {
            // Registered before looking, so a connection returned meanwhile wakes us.
            let returned = self.inner.returned.notified();
            tokio::pin!(returned);
            returned.as_mut().enable();

            if let Some(mut idle) = self.take_idle(key, generation) {
                self.inner.metrics.connections_idle.dec();
                let doubtful = idle.since.elapsed() > PING_AFTER || idle.faults != connection_faults();
                if doubtful && !C::ping(&mut idle.conn).await {
                    // Closed, never handed out again; its place is free for a new one.
                    shared::error::note_connection_fault();
                    self.inner.metrics.retired.inc();
                    close_later::<C>(idle.conn, idle.permit);
                    self.untake(key, generation);
                    continue;
                }
                return Ok(self.finish(
                    idle.conn,
                    idle.permit,
                    gate,
                    (key, tenant.id, generation),
                    idle.opened,
                    started,
                ));
            }
            if let Ok(permit) = Arc::clone(&self.inner.budget).try_acquire_owned() {
                break permit;
            }
            if let Some(Idle { conn, permit, .. }) = self.take_lru_idle(key) {
                // Closed before its permit is reused: the server lets it go first.
                C::close(conn).await;
                self.inner.metrics.evictions.inc();
                break permit;
            }
            tokio::select! {
                permit = Arc::clone(&self.inner.budget).acquire_owned() => break permit.expect("the budget is never closed"),
                () = &mut returned => {}
                () = tokio::time::sleep_until(deadline) => return Err(self.timed_out()),
            }
        };

        self.mark_in_use(key, generation);
        match tokio::time::timeout_at(deadline, self.inner.connector.connect(&options)).await {
            Ok(Ok(conn)) => Ok(self.finish(conn, permit, gate, (key, tenant.id, generation), Instant::now(), started)),
            Ok(Err(err)) => {
                self.untake(key, generation);
                Err(err)
            }
            Err(_) => {
                self.untake(key, generation);
                Err(self.timed_out())
            }
        }
    }

    fn timed_out(&self) -> ApiError {
        self.inner.metrics.acquire_timeouts.inc();
        unavailable("no tenant database connection became free in time")
    }

    /// The slot `key` (a tenant's own database, or a pool database) `tenant` is reached through,
    /// created once; replaced when where it leads changed. A pool database's slot may hold the
    /// whole budget: its tenants share it.
    fn slot(
        &self,
        key: Uuid,
        tenant: Uuid,
        database: &TenantDatabase,
    ) -> Result<(Arc<Semaphore>, u64, C::Options), ApiError> {
        let mut slots = self.inner.slots.lock().expect("not poisoned");
        if let Some(slot) = slots.get_mut(&key).filter(|slot| slot.database.same_place(database)) {
            slot.last_used = Instant::now();
            return Ok((Arc::clone(&slot.gate), slot.generation, slot.options.clone()));
        }
        let options = self.inner.connector.options(tenant, database)?;
        if let Some(stale) = slots.remove(&key) {
            self.close_idle(stale.idle);
        }
        if slots.len() >= self.inner.limits.max_pools {
            self.evict_lru_slot(&mut slots);
        }
        let generation = self.inner.generations.fetch_add(1, Ordering::Relaxed);
        let size = if database.pool.is_some() { self.inner.limits.total } else { self.inner.limits.per_tenant };
        let gate = Arc::new(Semaphore::new(size));
        slots.insert(
            key,
            Slot {
                generation,
                database: database.clone(),
                options: options.clone(),
                idle: VecDeque::new(),
                gate: Arc::clone(&gate),
                in_use: 0,
                last_used: Instant::now(),
            },
        );
        self.inner.metrics.pool_creations.inc();
        self.inner.metrics.pools_open.set(i64::try_from(slots.len()).unwrap_or(i64::MAX));
        Ok((gate, generation, options))
    }

    fn evict_lru_slot(&self, slots: &mut HashMap<Uuid, Slot<C>>) {
        let victim = slots.iter().filter(|(_, s)| s.in_use == 0).min_by_key(|(_, s)| s.last_used).map(|(id, _)| *id);
        if let Some(slot) = victim.and_then(|id| slots.remove(&id)) {
            self.close_idle(slot.idle);
        }
    }

    fn close_idle(&self, idle: VecDeque<Idle<C>>) {
        for Idle { conn, permit, .. } in idle {
            self.inner.metrics.connections_idle.dec();
            self.inner.metrics.evictions.inc();
            close_later::<C>(conn, permit);
        }
    }

    /// The most recently returned idle connection (warmest), counted as in use.
    fn take_idle(&self, tenant: Uuid, generation: u64) -> Option<Idle<C>> {
        let mut slots = self.inner.slots.lock().expect("not poisoned");
        let slot = slots.get_mut(&tenant).filter(|s| s.generation == generation)?;
        let idle = slot.idle.pop_back()?;
        slot.in_use += 1;
        Some(idle)
    }

    fn mark_in_use(&self, tenant: Uuid, generation: u64) {
        let mut slots = self.inner.slots.lock().expect("not poisoned");
        if let Some(slot) = slots.get_mut(&tenant).filter(|s| s.generation == generation) {
            slot.in_use += 1;
        }
    }

    fn untake(&self, tenant: Uuid, generation: u64) {
        let mut slots = self.inner.slots.lock().expect("not poisoned");
        if let Some(slot) = slots.get_mut(&tenant).filter(|s| s.generation == generation) {
            slot.in_use = slot.in_use.saturating_sub(1);
        }
    }

    fn take_lru_idle(&self, except: Uuid) -> Option<Idle<C>> {
        let mut slots = self.inner.slots.lock().expect("not poisoned");
        let (_, slot) = slots
            .iter_mut()
            .filter(|(id, s)| **id != except && !s.idle.is_empty())
            .min_by_key(|(_, s)| s.idle.front().map(|i| i.since))?;
        let idle = slot.idle.pop_front()?;
        self.inner.metrics.connections_idle.dec();
        Some(idle)
    }

    fn finish(
        &self,
        conn: C::Conn,
        permit: OwnedSemaphorePermit,
        gate: OwnedSemaphorePermit,
        (slot, tenant, generation): (Uuid, Uuid, u64),
        opened: Instant,
        started: Instant,
    ) -> TenantConnection<C> {
        let metrics = &self.inner.metrics;
        metrics.acquire_wait.observe(started.elapsed().as_secs_f64());
        metrics.connections_open.set(i64::try_from(self.open_connections()).unwrap_or(i64::MAX));
        TenantConnection {
            conn: Some(conn),
            permit: Some(permit),
            gate: Some(gate),
            slot,
            tenant,
            generation,
            opened,
            faults: connection_faults(),
            unusable: false,
            inner: Arc::clone(&self.inner),
        }
    }

    /// Drops a tenant's own pool (its credentials or status changed): idle connections close now,
    /// busy ones when returned. A pool database's connections name no tenant but their
    /// transactions': they stay for the others.
    pub fn forget(&self, tenant: Uuid) {
        let mut slots = self.inner.slots.lock().expect("not poisoned");
        if let Some(slot) = slots.remove(&tenant) {
            self.close_idle(slot.idle);
        }
        self.inner.metrics.pools_open.set(i64::try_from(slots.len()).unwrap_or(i64::MAX));
    }

    /// Closes connections idle longer than the idle timeout and drops empty, unused pools.
    pub fn reap_idle(&self) {
        let timeout = self.inner.limits.idle_timeout;
        let mut slots = self.inner.slots.lock().expect("not poisoned");
        for slot in slots.values_mut() {
            while slot.idle.front().is_some_and(|i| i.since.elapsed() > timeout) {
                let idle = slot.idle.pop_front().expect("checked");
                self.close_idle(VecDeque::from([idle]));
            }
        }
        slots.retain(|_, s| s.in_use > 0 || !s.idle.is_empty() || s.last_used.elapsed() < timeout);
        self.inner.metrics.pools_open.set(i64::try_from(slots.len()).unwrap_or(i64::MAX));
    }

    /// Runs `reap_idle` every few seconds until `shutdown` resolves.
    pub async fn run_reaper(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = tick.tick() => self.reap_idle(),
            }
        }
    }

    /// `/ready`: whether the budget is not exhausted by busy connections.
    pub fn state(&self) -> (usize, usize, usize) {
        let slots = self.inner.slots.lock().expect("not poisoned");
        let idle: usize = slots.values().map(|s| s.idle.len()).sum();
        (slots.len(), self.open_connections(), idle)
    }
}

impl<C: Connector> TenantConnection<C> {
    /// This place in the pool, holding `conn` again.
    fn holding(mut self, conn: C::Conn, permit: OwnedSemaphorePermit) -> Self {
        self.conn = Some(conn);
        self.permit = Some(permit);
        self
    }

    /// Gives back the place of a connection that no longer answers, and closes it.
    fn release_broken(&self, conn: C::Conn, permit: OwnedSemaphorePermit) {
        let mut slots = self.inner.slots.lock().expect("not poisoned");
        if let Some(slot) = slots.get_mut(&self.slot).filter(|s| s.generation == self.generation) {
            slot.in_use = slot.in_use.saturating_sub(1);
        }
        drop(slots);
        self.inner.metrics.retired.inc();
        close_later::<C>(conn, permit);
    }
}

impl TenantConnection<PgConnector> {
    /// The one way into the tenant's rows (`tenant_schema::begin`): a transaction whose first
    /// statement names its tenant, whose rows alone it then sees and writes. A transaction only
    /// read from may be dropped: its `ROLLBACK` reaches the server before the connection is lent
    /// again.
    pub async fn begin(&mut self) -> sqlx::Result<sqlx::Transaction<'_, sqlx::Postgres>> {
        self.begin_as("BEGIN").await
    }

    /// A read-only transaction that names no tenant (`tenant_schema::begin_naming_none`): for
    /// the sweeps' probes of every tenant of the connection's database.
    pub async fn begin_naming_none(&mut self) -> sqlx::Result<sqlx::Transaction<'_, sqlx::Postgres>> {
        let conn = self.conn.as_mut().expect("held until drop");
        let begun = tenant_schema::begin_naming_none(conn).await;
        // As `begin_as`: a connection whose transaction failed to begin is never lent again.
        self.unusable |= begun.is_err();
        begun
    }

    /// A read-only transaction on one snapshot (REPEATABLE READ) under the reports' and exports'
    /// statement time limit (`REPORT_STATEMENT_TIMEOUT_MS`) rather than the requests': the
    /// longer limit ends with the transaction.
    pub async fn begin_report(&mut self) -> sqlx::Result<sqlx::Transaction<'_, sqlx::Postgres>> {
        self.begin_under_report_limit("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await
    }

    /// The rows an export may write a second (`REPORT_EXPORT_ROWS_PER_SECOND`); `None`: unpaced.
    pub fn export_pace(&self) -> Option<u32> {
        Some(self.inner.limits.export_rows_per_second).filter(|rows| *rows > 0)
    }

    /// A transaction that writes what a report measures (the digest's mail), under the reports'
    /// statement time limit.
    pub async fn begin_report_writer(&mut self) -> sqlx::Result<sqlx::Transaction<'_, sqlx::Postgres>> {
        self.begin_under_report_limit("BEGIN").await
    }

    async fn begin_under_report_limit(
        &mut self,
        begin: &'static str,
    ) -> sqlx::Result<sqlx::Transaction<'_, sqlx::Postgres>> {
        let millis = self.inner.limits.report_statement_timeout.as_millis().to_string();
        let mut tx = self.begin_as(begin).await?;
        sqlx::query_scalar!("SELECT set_config('statement_timeout', $1, true)", millis).fetch_one(&mut *tx).await?;
        Ok(tx)
    }

    async fn begin_as(&mut self, begin: &'static str) -> sqlx::Result<sqlx::Transaction<'_, sqlx::Postgres>> {
        let conn = self.conn.as_mut().expect("held until drop");
        match tenant_schema::begin_as(conn, self.tenant, begin).await {
            Ok(tx) => Ok(tx),
            Err(err) => {
                // The server may hold the connection inside the transaction that failed (a tenant
                // switching to another database above all): it is closed, never lent again.
                self.unusable = true;
                Err(err)
            }
        }
    }
}

impl shared::work_queue::Transactions for TenantConnection<PgConnector> {
    fn begin(&mut self) -> impl Future<Output = sqlx::Result<sqlx::Transaction<'_, sqlx::Postgres>>> + Send {
        TenantConnection::begin(self)
    }
}

impl<C: Connector> Drop for TenantConnection<C> {
    fn drop(&mut self) {
        let (Some(mut conn), Some(permit)) = (self.conn.take(), self.permit.take()) else { return };
        if self.unusable {
            self.release_broken(conn, permit);
            return;
        }
        if C::has_queued_work(&conn) {
            // A dropped transaction's ROLLBACK reaches the server (and its row locks go) before
            // anyone else gets the connection; until then it counts as in use.
            let settling = TenantConnection {
                conn: None,
                permit: None,
                gate: self.gate.take(),
                slot: self.slot,
                tenant: self.tenant,
                generation: self.generation,
                opened: self.opened,
                faults: self.faults,
                unusable: false,
                inner: Arc::clone(&self.inner),
            };
            tokio::spawn(async move {
                if C::ping(&mut conn).await {
                    // Back to the pool as any connection is, by this one's drop.
                    drop(settling.holding(conn, permit));
                } else {
                    settling.release_broken(conn, permit);
                }
            });
            return;
        }
        let retire = self.opened.elapsed() >= self.inner.limits.max_lifetime;
        let mut slots = self.inner.slots.lock().expect("not poisoned");
        let slot = slots.get_mut(&self.slot).filter(|s| s.generation == self.generation);
        if let Some(slot) = slot {
            slot.in_use = slot.in_use.saturating_sub(1);
            slot.last_used = Instant::now();
            if !retire {
                slot.idle.push_back(Idle {
                    conn,
                    permit,
                    since: Instant::now(),
                    opened: self.opened,
                    faults: self.faults,
                });
                self.inner.metrics.connections_idle.inc();
                drop(slots);
                self.inner.returned.notify_waiters();
                return;
            }
        }
        drop(slots);
        if retire {
            self.inner.metrics.retired.inc();
        }
        close_later::<C>(conn, permit);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use shared::tenant::TenantStatus;

    use super::*;

    /// Counts what the pools open and close; no server behind it.
    #[derive(Default)]
    struct Counts {
        live: AtomicUsize,
        peak: AtomicUsize,
        opened: AtomicUsize,
        closed: AtomicUsize,
    }

    struct Counting(Arc<Counts>);

    struct FakeConn(Arc<Counts>);

    #[test]
    fn a_cluster_of_several_hosts_is_read_from_its_list() {
        assert_eq!(cluster_hosts("db", 5432), [("db".to_owned(), 5432)]);
        assert_eq!(
            cluster_hosts("db1:5432,db2:5433,[::1]:5434", 5432),
            [("db1".to_owned(), 5432), ("db2".to_owned(), 5433), ("::1".to_owned(), 5434)]
        );
    }

    impl Connector for Counting {
        type Conn = FakeConn;
        type Options = ();

        fn options(&self, _: Uuid, _: &TenantDatabase) -> Result<(), ApiError> {
            Ok(())
        }

        fn connect(&self, (): &()) -> impl Future<Output = Result<FakeConn, ApiError>> + Send {
            let counts = Arc::clone(&self.0);
            async move {
                let live = counts.live.fetch_add(1, Ordering::SeqCst) + 1;
                counts.peak.fetch_max(live, Ordering::SeqCst);
                counts.opened.fetch_add(1, Ordering::SeqCst);
                Ok(FakeConn(counts))
            }
        }

        async fn ping(_: &mut FakeConn) -> bool {
            true
        }

        fn has_queued_work(_: &FakeConn) -> bool {
            false
        }

        async fn close(conn: FakeConn) {
            conn.0.live.fetch_sub(1, Ordering::SeqCst);
            conn.0.closed.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A pool over the counting connector.
    struct Pools {
        pool: PoolManager<Counting>,
        counts: Arc<Counts>,
    }

    fn limits(total: usize, per_tenant: usize) -> PoolLimits {
        PoolLimits {
            per_tenant,
            total,
            max_pools: 1000,
            acquire_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(3600),
            max_lifetime: Duration::from_secs(3600),
            statement_timeout: Duration::from_secs(5),
            report_statement_timeout: Duration::from_secs(60),
            export_rows_per_second: 0,
        }
    }

    fn pools(limits: PoolLimits) -> Pools {
        let counts = Arc::new(Counts::default());
        let pool = PoolManager::with_connector(limits, Counting(Arc::clone(&counts)), &Registry::new());
        Pools { pool, counts }
    }

    fn tenant(n: u128) -> Tenant {
        Tenant {
            id: Uuid::from_u128(n),
            slug: format!("tenant-{n}"),
            status: TenantStatus::Active,
            require_2fa_for_admins: false,
            database: Some(TenantDatabase {
                host: "db".into(),
                port: 5432,
                name: format!("db{n}"),
                role: format!("role{n}"),
                password_sealed: Vec::new(),
                ssl_mode: "disable".into(),
                pool: None,
            }),
        }
    }

    /// Tenant `n`, one of the tenants of pool database `pool`.
    fn pooled(n: u128, pool: u128) -> Tenant {
        let mut tenant = tenant(n);
        let database = tenant.database.as_mut().expect("placed");
        (database.name, database.role, database.pool) =
            (format!("pool{pool}"), format!("pool{pool}"), Some(Uuid::from_u128(1000 + pool)));
        tenant
    }

    /// The budget is what holds: connections open = budget permits taken.
    fn open(pools: &Pools) -> usize {
        pools.pool.open_connections()
    }

    #[tokio::test]
    async fn the_tenants_of_a_pool_database_share_its_connections_and_each_names_its_own() {
        let pools = pools(limits(10, 2));
        let first = pools.pool.acquire(&pooled(1, 7)).await.unwrap();
        assert_eq!((first.tenant, first.slot), (Uuid::from_u128(1), Uuid::from_u128(1007)));
        drop(first);
        // Another tenant of the pool takes the same connection, naming itself.
        let second = pools.pool.acquire(&pooled(2, 7)).await.unwrap();
        assert_eq!((second.tenant, pools.counts.opened.load(Ordering::SeqCst)), (Uuid::from_u128(2), 1));
        // The pool's slot is not held to one tenant's share (2): its tenants share the budget.
        let pool = &pools.pool;
        let more: Vec<_> =
            futures_util::future::join_all((3..8).map(|n| async move { pool.acquire(&pooled(n, 7)).await }))
                .await
                .into_iter()
                .map(Result::unwrap)
                .collect();
        assert_eq!(pools.pool.state().0, 1, "one pool for the database");
        assert_eq!(open(&pools), 6);
        // Forgetting one tenant leaves the pool to the others.
        pools.pool.forget(Uuid::from_u128(2));
        drop((second, more));
        assert_eq!(pools.pool.state(), (1, 6, 6));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_budget_and_each_tenants_share_hold_under_contention() {
        let pools = Arc::new(pools(limits(3, 2)));
        let peak_per_tenant: Arc<Vec<AtomicUsize>> = Arc::new((0..8).map(|_| AtomicUsize::new(0)).collect());
        let holding: Arc<Vec<AtomicUsize>> = Arc::new((0..8).map(|_| AtomicUsize::new(0)).collect());
        let peak_open = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for n in 0..8usize {
            for _ in 0..5 {
                let (pools, peak_per_tenant, holding, peak_open) =
                    (Arc::clone(&pools), Arc::clone(&peak_per_tenant), Arc::clone(&holding), Arc::clone(&peak_open));
                tasks.push(tokio::spawn(async move {
                    let conn = pools.pool.acquire(&tenant(n as u128)).await?;
                    let held = holding[n].fetch_add(1, Ordering::SeqCst) + 1;
                    peak_per_tenant[n].fetch_max(held, Ordering::SeqCst);
                    peak_open.fetch_max(open(&pools), Ordering::SeqCst);
                    for _ in 0..10 {
                        tokio::task::yield_now().await;
                    }
                    holding[n].fetch_sub(1, Ordering::SeqCst);
                    drop(conn);
                    Ok::<_, ApiError>(())
                }));
            }
        }
        for task in tasks {
            task.await.unwrap().expect("every request gets a connection in the end");
        }
        assert!(peak_open.load(Ordering::SeqCst) <= 3, "over the budget: {}", peak_open.load(Ordering::SeqCst));
        assert!(pools.counts.peak.load(Ordering::SeqCst) <= 3, "more than 3 connections were ever open");
        assert!(open(&pools) <= 3);
        for (n, peak) in peak_per_tenant.iter().enumerate() {
            let peak = peak.load(Ordering::SeqCst);
            assert!((1..=2).contains(&peak), "tenant {n} held {peak} at once");
        }
        assert!(pools.counts.opened.load(Ordering::SeqCst) >= 3, "tenants took turns on the budget");
    }

    #[tokio::test]
    async fn idle_connections_of_another_tenant_make_room() {
        let pools = pools(limits(2, 2));
        let (a, b) = (tenant(1), tenant(2));
        let first = pools.pool.acquire(&a).await.unwrap();
        let second = pools.pool.acquire(&a).await.unwrap();
        drop((first, second));
        assert_eq!(pools.pool.state(), (1, 2, 2), "two idle connections of one tenant");
        let taken = pools.pool.acquire(&b).await.unwrap();
        assert_eq!(open(&pools), 2, "one of a's idle connections gave its place");
        assert_eq!(pools.pool.metrics().evictions.get(), 1);
        assert_eq!(pools.counts.opened.load(Ordering::SeqCst), 3);
        drop(taken);
    }

    #[tokio::test]
    async fn a_waiter_is_woken_when_a_connection_comes_back() {
        let pools = Arc::new(pools(limits(1, 1)));
        let held = pools.pool.acquire(&tenant(1)).await.unwrap();
        let waiter = {
            let pools = Arc::clone(&pools);
            tokio::spawn(async move { pools.pool.acquire(&tenant(2)).await.map(drop) })
        };
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "the budget is spent: the other tenant waits");
        drop(held);
        // Woken by the return, long before the 30 s acquire timeout.
        tokio::time::timeout(Duration::from_secs(5), waiter).await.expect("woken").unwrap().unwrap();
        assert!(open(&pools) <= 1);
    }

    #[tokio::test]
    async fn idle_connections_and_pools_are_reaped() {
        let pools = pools(PoolLimits { idle_timeout: Duration::ZERO, ..limits(4, 2) });
        drop(pools.pool.acquire(&tenant(1)).await.unwrap());
        assert_eq!(pools.pool.state(), (1, 1, 1));
        pools.pool.reap_idle();
        assert_eq!(pools.pool.state().0, 0, "the empty pool went too");
        harness::eventually(Duration::from_secs(5), "the reaped connection closes", || async {
            (open(&pools) == 0 && pools.counts.live.load(Ordering::SeqCst) == 0).then_some(())
        })
        .await;
        assert_eq!(pools.counts.closed.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn old_connections_are_closed_on_return() {
        let pools = pools(PoolLimits { max_lifetime: Duration::ZERO, ..limits(4, 2) });
        drop(pools.pool.acquire(&tenant(1)).await.unwrap());
        assert_eq!(pools.pool.metrics().retired.get(), 1);
        assert_eq!(pools.pool.state().2, 0, "not kept idle");
        drop(pools.pool.acquire(&tenant(1)).await.unwrap());
        assert_eq!(pools.counts.opened.load(Ordering::SeqCst), 2, "a fresh connection the second time");
        harness::eventually(Duration::from_secs(5), "both closed", || async {
            (pools.counts.closed.load(Ordering::SeqCst) == 2).then_some(())
        })
        .await;
    }
}
