//! The outbox relay: publishes each tenant's committed outbox rows to the events exchange
//! (`EVENTS_EXCHANGE`, `sav_exchange` by default) and marks them published once the broker
//! confirmed them.
//!
//! - **Which tenants**: those hinted after a commit (`events::hints`) and those the sweep finds
//!   with rows waiting (`sweep`); a tenant with nothing pending costs nothing between sweeps.
//! - **One relay per tenant at a time**: a visit takes the tenant's relay lock (an advisory lock
//!   held by the transaction, `outbox::try_lock_relay`) before reading its rows, so replicas
//!   never publish one row twice in the normal case. `FOR UPDATE SKIP LOCKED` alone would not
//!   keep the order: a second relay would skip the first one's batch and publish the rows after
//!   it. A relay that finds the lock taken tries again shortly (the holder may have read before
//!   the newest rows committed).
//! - **Numbers before publishing**: a visit first numbers the oldest pending rows in id order
//!   (`outbox::number`) and commits, then publishes the pending rows in number order. A number
//!   stays with its row: a batch published and then rolled back goes out again under the same
//!   numbers, and a change that committed meanwhile with a smaller id is numbered after them.
//!   The numbers are the live stream's frame ids, so no stream skips or doubles a frame.
//! - **Order per ticket**: rows are numbered in id order and only the confirmed prefix of a
//!   batch is marked; changes to one ticket lock its row, so their events commit in id order.
//! - **At least once**: the transaction that holds the lock is open until the confirms are in
//!   and the rows are marked. A relay stopped between publish and mark, or a confirm lost with
//!   the connection, leaves the rows pending: they are published again (same `message_id`, same
//!   number). A rolled-back change never wrote rows the relay can read.
//! - **Broker away**: the visit fails, the tenant goes back in the queue, and every worker waits
//!   out a capped exponential backoff (`outlet`) before trying again; requests never wait.
//! - Connections to tenant databases come from the same pools and budget as requests.

pub mod sweep;

use std::sync::Arc;
use std::time::{Duration, Instant};

use lapin::Channel;
use shared::tenant::Slug;
use sqlx::{Postgres, Transaction};

use super::pacing::wait;
use crate::events::hints::{self, Queue, Target};
use crate::events::metrics::VisitOutcome;
use crate::events::outbox::{self, Pending};
use crate::events::outlet::{Outlet, Published};
use crate::state::AppState;
use crate::tenancy::pools::TenantConnection;
use crate::tenancy::resolve::Tenant;

/// How long a relay waits before trying again a tenant another relay holds.
const BUSY_RETRY: Duration = Duration::from_millis(100);

/// A tenant's batch, numbered in publishing order (`outbox::number`, committed first) and
/// claimed: the relay lock and the rows are held until `settle` (or the drop of the claim, which
/// rolls back and leaves the rows pending, with their numbers).
pub struct Claim<'c> {
    tx: Transaction<'c, Postgres>,
    rows: Vec<Pending>,
}

impl<'c> Claim<'c> {
    /// Numbers the tenant's oldest pending rows, then takes the relay lock again with the
    /// `limit` pending rows that have the smallest numbers; `None` when another relay holds the
    /// tenant (it publishes what was numbered here).
    pub async fn take(conn: &'c mut TenantConnection, limit: u16) -> sqlx::Result<Option<Self>> {
        let Some(mut tx) = locked(conn).await? else { return Ok(None) };
        match outbox::number(&mut tx, i64::from(limit)).await {
            Ok(_) => tx.commit().await?,
            Err(err) => return Err(rolled_back(tx, err).await),
        }
        let Some(mut tx) = locked(conn).await? else { return Ok(None) };
        match outbox::numbered(&mut tx, i64::from(limit)).await {
            Ok(rows) => Ok(Some(Self { tx, rows })),
            Err(err) => Err(rolled_back(tx, err).await),
        }
    }

    pub fn rows(&self) -> &[Pending] {
        &self.rows
    }

    /// Publishes the rows on `channel` and waits for their confirms.
    pub async fn publish(&self, outlet: &Outlet, channel: &Channel, tenant: &Tenant) -> Published {
        outlet.publish(channel, tenant, &self.rows).await
    }

    /// Marks the confirmed rows published and records the failure of the next one, then
    /// commits (which releases the lock).
    pub async fn settle(mut self, published: &Published) -> sqlx::Result<()> {
        let confirmed: Vec<i64> = self.rows[..published.confirmed].iter().map(|r| r.id).collect();
        let mut marked = Ok(());
        if !confirmed.is_empty() {
            marked = outbox::mark_published(&mut self.tx, &confirmed).await;
        }
        let failed = published.error.as_deref().zip(self.rows.get(published.confirmed).map(|r| r.id));
        if let (true, Some((error, id))) = (marked.is_ok(), failed) {
            marked = outbox::mark_failed(&mut self.tx, id, error).await;
        }
        match marked {
            Ok(()) => self.tx.commit().await,
            Err(err) => Err(rolled_back(self.tx, err).await),
        }
    }

    /// Ends the claim without marking anything (nothing was published).
    pub async fn release(self) -> sqlx::Result<()> {
        self.tx.rollback().await
    }
}

/// A transaction holding the tenant's relay lock; `None` when another relay holds it.
async fn locked(conn: &mut TenantConnection) -> sqlx::Result<Option<Transaction<'_, Postgres>>> {
    let mut tx = conn.begin().await?;
    match outbox::try_lock_relay(&mut tx).await {
        Ok(true) => Ok(Some(tx)),
        Ok(false) => tx.rollback().await.map(|()| None),
        Err(err) => Err(rolled_back(tx, err).await),
    }
}

/// Rolls `tx` back now rather than when its connection is next used: the relay lock must not
/// stay held by a connection idling in its pool.
async fn rolled_back(tx: Transaction<'_, Postgres>, err: sqlx::Error) -> sqlx::Error {
    let _ = tx.rollback().await;
    err
}

/// The relay of this process.
#[derive(Clone)]
pub struct Relay {
    state: AppState,
    outlet: Arc<Outlet>,
    queue: Arc<Queue>,
}

impl Relay {
    /// The relay of `state`, when a broker is configured.
    pub fn of(state: &AppState) -> Option<Self> {
        let outlet = state.events.outlet.clone()?;
        Some(Self { state: state.clone(), outlet, queue: Arc::clone(&state.events.hints.relay_queue) })
    }

    pub fn outlet(&self) -> &Outlet {
        &self.outlet
    }

    /// Relays until `shutdown` resolves, then lets the batches in flight finish: hinted
    /// tenants, the sweep, Redis hints from other replicas, and a reconnection loop that keeps
    /// the channel open while there is nothing to publish.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let events = &self.state.events;
        events.hints.relay_runs_here(true);
        self.outlet.set_running(true);
        let (stop, _) = tokio::sync::broadcast::channel::<()>(1);
        let mut tasks = Vec::new();
        if let Some(address) = &self.state.config.redis {
            let (address, prefix) = (address.clone(), self.state.config.redis_key_prefix.clone());
            tasks.push(tokio::spawn(hints::listen(address, prefix, Arc::clone(&self.queue), wait(stop.subscribe()))));
        }
        tasks.push(tokio::spawn(sweep::run(self.clone(), wait(stop.subscribe()))));
        tasks.push(tokio::spawn(self.clone().keep_connected(wait(stop.subscribe()))));
        for _ in 0..self.state.config.events.concurrency {
            tasks.push(tokio::spawn(self.clone().work(wait(stop.subscribe()))));
        }
        shutdown.await;
        // Hints go to Redis again (if configured) while the workers finish.
        events.hints.relay_runs_here(false);
        let _ = stop.send(());
        for task in tasks {
            let _ = task.await;
        }
        self.outlet.set_running(false);
        tracing::info!("outbox relay stopped");
    }

    /// Opens the channel at start and whenever it closed, within the backoff.
    async fn keep_connected(self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            if !self.outlet.is_connected() && self.outlet.backing_off().is_none() {
                let _ = self.outlet.channel().await;
            }
            let pause = self.outlet.backing_off().unwrap_or(Duration::from_secs(1));
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// One worker: visits the queued tenants one at a time. A visit in progress is never cut
    /// short by `stop`.
    async fn work(self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        while let Some(target) = self.queue.next_until(stop.as_mut()).await {
            if let Some(pause) = self.outlet.backing_off() {
                tokio::select! {
                    () = &mut stop => {
                        self.queue.done(target, true);
                        return;
                    }
                    () = tokio::time::sleep(pause) => {}
                }
            }
            let outcome = self.visit(&target).await;
            match outcome {
                VisitOutcome::More | VisitOutcome::BrokerDown => self.queue.done(target, true),
                VisitOutcome::Busy => {
                    let queue = Arc::clone(&self.queue);
                    tokio::spawn(async move {
                        tokio::time::sleep(BUSY_RETRY).await;
                        queue.done(target, true);
                    });
                }
                // A tenant that cannot be reached is left to the sweep.
                VisitOutcome::Drained | VisitOutcome::Empty | VisitOutcome::Failed => self.queue.done(target, false),
            }
        }
    }

    /// Publishes one batch of `target`'s pending rows.
    pub async fn visit(&self, target: &Target) -> VisitOutcome {
        let outcome = self.try_visit(target).await;
        self.state.events.metrics.visited(outcome);
        outcome
    }

    /// The tenant of a hint that came with its slug only, as a request would resolve it.
    async fn resolve(&self, slug: &str) -> Result<Arc<Tenant>, String> {
        let slug = Slug::parse_syntax(slug).map_err(|e| e.to_string())?;
        self.state.tenancy.resolver.resolve(&slug).await.map_err(|e| e.to_string())
    }

    async fn try_visit(&self, target: &Target) -> VisitOutcome {
        let tenant = if let Some(tenant) = &target.tenant {
            Arc::clone(tenant)
        } else {
            match self.resolve(&target.slug).await {
                Ok(tenant) => tenant,
                Err(err) => {
                    tracing::debug!(slug = %target.slug, error = %err, "outbox hint for a tenant that cannot relay");
                    return VisitOutcome::Failed;
                }
            }
        };
        let Ok(channel) = self.outlet.channel().await else { return VisitOutcome::BrokerDown };
        let started = Instant::now();
        let mut conn = match self.state.tenancy.pools.acquire(&tenant).await {
            Ok(conn) => conn,
            Err(err) => {
                tracing::warn!(tenant = %tenant.id, error = %err, "outbox relay: no connection to the tenant database");
                return VisitOutcome::Failed;
            }
        };
        let outcome = self.relay_batch(&mut conn, &tenant, &channel).await;
        self.state.events.metrics.cycle.observe(started.elapsed().as_secs_f64());
        match outcome {
            Ok(outcome) => outcome,
            Err(err) => {
                tracing::warn!(tenant = %tenant.id, error = %err, "outbox relay: the tenant database failed");
                VisitOutcome::Failed
            }
        }
    }

    async fn relay_batch(
        &self,
        conn: &mut TenantConnection,
        tenant: &Tenant,
        channel: &Channel,
    ) -> sqlx::Result<VisitOutcome> {
        let batch = self.state.config.events.batch_size;
        let Some(claim) = Claim::take(conn, batch).await? else { return Ok(VisitOutcome::Busy) };
        let count = claim.rows().len();
        if count == 0 {
            claim.release().await?;
            return Ok(VisitOutcome::Empty);
        }
        // A client told of these events refetches: its revalidation must see them
        // (`crate::live::versions`).
        self.state.live.versions.bump(tenant.id).await;
        let published = claim.publish(&self.outlet, channel, tenant).await;
        let failed = published.error.is_some();
        claim.settle(&published).await?;
        Ok(if failed {
            VisitOutcome::BrokerDown
        } else if count == usize::from(batch) {
            VisitOutcome::More
        } else {
            VisitOutcome::Drained
        })
    }
}
