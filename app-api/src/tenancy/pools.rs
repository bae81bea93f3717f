//! Connections to tenant databases under one global budget.
//!
//! Every open connection, busy or idle, holds one permit of a global semaphore sized
//! `TENANT_POOLS_MAX_TOTAL_CONNECTIONS`, so the sum across tenants can never exceed it. A
//! tenant has at most `TENANT_POOL_MAX_CONNECTIONS` connections (its own semaphore). When a new
//! connection is needed and the budget is spent, the least recently used idle connection of
//! another tenant is closed to make room; when none is idle the request waits, then gets 503
//! `dependency_unavailable`. Idle connections close after `TENANT_POOL_IDLE_SECONDS`; a tenant's
//! slot (its pool) is created once, on first use, and dropped when idle or evicted.

use std::collections::{HashMap, VecDeque};
use std::ops::{Deref, DerefMut};
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

/// An idle connection older than this is pinged before reuse.
const PING_AFTER: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct PoolMetrics {
    pub pools_open: IntGauge,
    pub connections_open: IntGauge,
    pub connections_idle: IntGauge,
    pub pool_creations: IntCounter,
    pub evictions: IntCounter,
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
            connections_open: gauge("tenant_connections_open", "Open connections to tenant databases"),
            connections_idle: gauge("tenant_connections_idle", "Idle connections to tenant databases"),
            pool_creations: counter("tenant_pool_creations_total", "Tenant pools created"),
            evictions: counter("tenant_pool_evictions_total", "Idle connections closed to make room or after idling"),
            acquire_timeouts: counter(
                "tenant_pool_acquire_timeouts_total",
                "Requests refused for lack of a connection",
            ),
            acquire_wait,
        }
    }
}

struct Idle {
    conn: PgConnection,
    permit: OwnedSemaphorePermit,
    since: Instant,
}

struct Slot {
    generation: u64,
    database: TenantDatabase,
    options: PgConnectOptions,
    idle: VecDeque<Idle>,
    gate: Arc<Semaphore>,
    in_use: usize,
    last_used: Instant,
}

struct Inner {
    limits: PoolLimits,
    /// Opens tenant role passwords.
    key: EncryptionKey,
    budget: Arc<Semaphore>,
    /// Signalled whenever a connection goes back to idle: waiters may evict it.
    returned: tokio::sync::Notify,
    slots: Mutex<HashMap<Uuid, Slot>>,
    generations: AtomicU64,
    metrics: PoolMetrics,
}

#[derive(Clone)]
pub struct PoolManager {
    inner: Arc<Inner>,
}

/// A connection to one tenant's database, returned to its pool on drop.
pub struct TenantConnection {
    conn: Option<PgConnection>,
    permit: Option<OwnedSemaphorePermit>,
    _gate: OwnedSemaphorePermit,
    tenant: Uuid,
    generation: u64,
    inner: Arc<Inner>,
}

impl Deref for TenantConnection {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        self.conn.as_ref().expect("held until drop")
    }
}

impl DerefMut for TenantConnection {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.conn.as_mut().expect("held until drop")
    }
}

fn unavailable(why: &'static str) -> ApiError {
    ApiError::unavailable(why)
}

/// Closes a connection, then gives its budget permit back: the server has let it go before
/// anyone may open another in its place.
fn close_later(conn: PgConnection, permit: OwnedSemaphorePermit) {
    tokio::spawn(async move {
        let _ = conn.close().await;
        drop(permit);
    });
}

impl PoolManager {
    pub fn new(limits: PoolLimits, key: EncryptionKey, registry: &Registry) -> Self {
        let inner = Inner {
            limits,
            key,
            budget: Arc::new(Semaphore::new(limits.total)),
            returned: tokio::sync::Notify::new(),
            slots: Mutex::new(HashMap::new()),
            generations: AtomicU64::new(0),
            metrics: PoolMetrics::register(registry),
        };
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

    fn options(&self, tenant: Uuid, database: &TenantDatabase) -> Result<PgConnectOptions, ApiError> {
        let password = shared::crypto::open(&self.inner.key, &database.password_sealed, tenant.as_bytes())
            .map_err(|e| ApiError::internal(format!("tenant database password: {e}")))?;
        let password =
            String::from_utf8(password).map_err(|_| ApiError::internal("tenant database password is not UTF-8"))?;
        Ok(PgConnectOptions::new()
            .host(&database.host)
            .port(database.port)
            .database(&database.name)
            .username(&database.role)
            .password(&password)
            .ssl_mode(database.ssl_mode.parse::<PgSslMode>().unwrap_or(PgSslMode::Require))
            .application_name("helpdeskly-app-api"))
    }

    /// A connection to `tenant`'s database.
    pub async fn acquire(&self, tenant: &Tenant) -> Result<TenantConnection, ApiError> {
        let started = Instant::now();
        let deadline = tokio::time::Instant::from_std(started + self.inner.limits.acquire_timeout);
        let database = tenant.database.as_ref().ok_or_else(|| unavailable("the tenant has no database yet"))?;
        let (gate, generation, options) = self.slot(tenant.id, database)?;
        let gate = tokio::time::timeout_at(deadline, gate.acquire_owned())
            .await
            .map_err(|_| self.timed_out())?
            .expect("gates are never closed");

        let permit = loop {
            // Registered before looking, so a connection returned meanwhile wakes us.
            let returned = self.inner.returned.notified();
            tokio::pin!(returned);
            returned.as_mut().enable();

            if let Some(mut idle) = self.take_idle(tenant.id, generation) {
                self.inner.metrics.connections_idle.dec();
                if idle.since.elapsed() > PING_AFTER && idle.conn.ping().await.is_err() {
                    self.untake(tenant.id, generation);
                    continue;
                }
                return Ok(self.finish(idle.conn, idle.permit, gate, tenant.id, generation, started));
            }
            if let Ok(permit) = Arc::clone(&self.inner.budget).try_acquire_owned() {
                break permit;
            }
            if let Some(Idle { conn, permit, .. }) = self.take_lru_idle(tenant.id) {
                // Closed before its permit is reused: the server lets it go first.
                let _ = conn.close().await;
                self.inner.metrics.evictions.inc();
                break permit;
            }
            tokio::select! {
                permit = Arc::clone(&self.inner.budget).acquire_owned() => break permit.expect("the budget is never closed"),
                () = &mut returned => {}
                () = tokio::time::sleep_until(deadline) => return Err(self.timed_out()),
            }
        };

        self.mark_in_use(tenant.id, generation);
        match tokio::time::timeout_at(deadline, PgConnection::connect_with(&options)).await {
            Ok(Ok(conn)) => Ok(self.finish(conn, permit, gate, tenant.id, generation, started)),
            Ok(Err(err)) => {
                self.untake(tenant.id, generation);
                Err(ApiError::unavailable(err))
            }
            Err(_) => {
                self.untake(tenant.id, generation);
                Err(self.timed_out())
            }
        }
    }

    fn timed_out(&self) -> ApiError {
        self.inner.metrics.acquire_timeouts.inc();
        unavailable("no tenant database connection became free in time")
    }

    /// The tenant's slot, created once; replaced when its credentials changed.
    fn slot(
        &self,
        tenant: Uuid,
        database: &TenantDatabase,
    ) -> Result<(Arc<Semaphore>, u64, PgConnectOptions), ApiError> {
        let mut slots = self.inner.slots.lock().expect("not poisoned");
        if let Some(slot) = slots.get_mut(&tenant).filter(|slot| &slot.database == database) {
            slot.last_used = Instant::now();
            return Ok((Arc::clone(&slot.gate), slot.generation, slot.options.clone()));
        }
        let options = self.options(tenant, database)?;
        if let Some(stale) = slots.remove(&tenant) {
            self.close_idle(stale.idle);
        }
        if slots.len() >= self.inner.limits.max_pools {
            self.evict_lru_slot(&mut slots);
        }
        let generation = self.inner.generations.fetch_add(1, Ordering::Relaxed);
        let gate = Arc::new(Semaphore::new(self.inner.limits.per_tenant));
        slots.insert(
            tenant,
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

    fn evict_lru_slot(&self, slots: &mut HashMap<Uuid, Slot>) {
        let victim = slots.iter().filter(|(_, s)| s.in_use == 0).min_by_key(|(_, s)| s.last_used).map(|(id, _)| *id);
        if let Some(slot) = victim.and_then(|id| slots.remove(&id)) {
            self.close_idle(slot.idle);
        }
    }

    fn close_idle(&self, idle: VecDeque<Idle>) {
        for Idle { conn, permit, .. } in idle {
            self.inner.metrics.connections_idle.dec();
            self.inner.metrics.evictions.inc();
            close_later(conn, permit);
        }
    }

    /// The most recently returned idle connection (warmest), counted as in use.
    fn take_idle(&self, tenant: Uuid, generation: u64) -> Option<Idle> {
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

    fn take_lru_idle(&self, except: Uuid) -> Option<Idle> {
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
        conn: PgConnection,
        permit: OwnedSemaphorePermit,
        gate: OwnedSemaphorePermit,
        tenant: Uuid,
        generation: u64,
        started: Instant,
    ) -> TenantConnection {
        let metrics = &self.inner.metrics;
        metrics.acquire_wait.observe(started.elapsed().as_secs_f64());
        metrics.connections_open.set(i64::try_from(self.open_connections()).unwrap_or(i64::MAX));
        TenantConnection {
            conn: Some(conn),
            permit: Some(permit),
            _gate: gate,
            tenant,
            generation,
            inner: Arc::clone(&self.inner),
        }
    }

    /// Drops a tenant's pool (its credentials or status changed): idle connections close now,
    /// busy ones when returned.
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

impl Drop for TenantConnection {
    fn drop(&mut self) {
        let (Some(conn), Some(permit)) = (self.conn.take(), self.permit.take()) else { return };
        let mut slots = self.inner.slots.lock().expect("not poisoned");
        if let Some(slot) = slots.get_mut(&self.tenant).filter(|s| s.generation == self.generation) {
            slot.in_use = slot.in_use.saturating_sub(1);
            slot.last_used = Instant::now();
            slot.idle.push_back(Idle { conn, permit, since: Instant::now() });
            self.inner.metrics.connections_idle.inc();
            drop(slots);
            self.inner.returned.notify_waiters();
        } else {
            drop(slots);
            close_later(conn, permit);
        }
    }
}
