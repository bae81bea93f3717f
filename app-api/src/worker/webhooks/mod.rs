//! The webhook worker (DESIGN.md "Integrations"): reads the SAV events from its own durable queue
//! (`WEBHOOKS_QUEUE`) and writes one delivery per (event, subscribed endpoint) in the tenant's
//! database before acking the message; `send` sends the due deliveries; a sweep every
//! `OUTBOX_SWEEP_SECONDS` finds the tenants with deliveries due that nothing queued (a replica
//! that died mid-send, a retry whose timer died with its process), drops deliveries older than 30
//! days and reports the backlog. Runs in `app-api worker`, and in `serve` unless
//! `WEBHOOKS_IN_SERVE=false`; the consumer needs `AMQP_URL` (tests and replays are written
//! by the API and need none).
//!
//! Nothing is lost: an event is acked only after its deliveries commit, and a delivery is
//! pending until an attempt's result commits (a sender that dies mid-send leaves it leased, due
//! again when the lease ends). A delivery can therefore be sent twice, with the same
//! `webhook-id`, which is what receivers dedupe on.

mod send;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use shared::work_queue;
use uuid::Uuid;

use super::{sav_queue, wait};
use crate::events::hints::Queue;
use crate::integrations::deliveries;
use crate::integrations::webhooks::{self, EventType};
use crate::integrations::{IntegrationMetrics, target};
use crate::state::AppState;
use crate::tenancy::resolve::Tenant;

/// The deliveries' name in the work queue metrics.
const QUEUE: &str = "webhook_deliveries";
/// Attempts in flight to one endpoint at most, so a slow receiver holds a few of the worker's
/// slots, never all of them.
const PER_ENDPOINT: usize = 4;

/// What the worker's tasks share.
#[derive(Clone)]
pub struct Webhooks {
    state: AppState,
    client: reqwest::Client,
    /// Attempts in flight in this process.
    slots: Arc<tokio::sync::Semaphore>,
    /// Attempts in flight per endpoint.
    in_flight: Arc<Mutex<HashMap<Uuid, usize>>>,
}

impl Webhooks {
    pub fn of(state: &AppState) -> Self {
        let config = &state.config.integrations;
        Self {
            client: target::client(config.allow_private_targets),
            slots: Arc::new(tokio::sync::Semaphore::new(config.concurrency)),
            in_flight: Arc::default(),
            state: state.clone(),
        }
    }

    fn metrics(&self) -> &IntegrationMetrics {
        &self.state.integrations.metrics
    }

    fn queue(&self) -> &Arc<Queue> {
        self.state.integrations.webhook_visits.queue()
    }

    /// The consumer, the sender and the sweep, until `shutdown` resolves; the attempts in flight
    /// are finished first.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        self.state.integrations.webhook_visits.run_here();
        let (stop, _) = tokio::sync::broadcast::channel::<()>(1);
        let mut tasks = vec![
            tokio::spawn(self.clone().visit_queued(wait(stop.subscribe()))),
            tokio::spawn(self.clone().sweep_periodically(wait(stop.subscribe()))),
        ];
        if self.state.broker.is_some() {
            let worker = self.clone();
            let stopped = wait(stop.subscribe());
            tasks.push(tokio::spawn(async move {
                let consumer = sav_queue::Consumer {
                    queue: &worker.state.config.integrations.queue,
                    worker: "webhooks",
                    connected: &worker.state.integrations.metrics.consumer_connected,
                };
                let (broker, exchange) = (worker.state.broker.as_deref(), &worker.state.config.events.exchange);
                sav_queue::run(broker, exchange, &consumer, &worker, stopped).await;
            }));
        }
        shutdown.await;
        let _ = stop.send(());
        for task in tasks {
            let _ = task.await;
        }
        // Every slot back: the attempts in flight have recorded their results.
        let all = u32::try_from(self.state.config.integrations.concurrency).unwrap_or(u32::MAX);
        let _ = self.slots.acquire_many(all).await;
    }

    async fn visit_queued(self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            let target = tokio::select! {
                () = &mut stop => return,
                target = self.queue().next() => target,
            };
            self.visit(target).await;
        }
    }

    async fn sweep_periodically(self, stop: impl Future<Output = ()>) {
        let period = self.state.config.events.sweep_every;
        super::pacing::every(period, stop, super::pacing::Stopping::CutsShort, || async {
            if let Err(err) = self.sweep().await {
                tracing::warn!(error = %err, "webhooks sweep: cannot list the active tenants");
            }
        })
        .await;
    }

    /// Reads every active tenant's deliveries (one statement per database, a few databases at a
    /// time): queues those with a delivery due, drops old deliveries where some are, and sets the
    /// backlog gauges.
    pub async fn sweep(&self) -> sqlx::Result<()> {
        let now = Utc::now();
        let concurrency = self.state.config.events.concurrency;
        let probed = crate::worker::pacing::probe_each_database(&self.state, concurrency, |tx, tenants| {
            Box::pin(deliveries::backlogs(tx, tenants))
        })
        .await?;
        let (mut waiting, mut disabled, mut to_prune) = (work_queue::Backlog::default(), 0, Vec::new());
        for (tenant, backlog) in probed.found {
            waiting = waiting + backlog.waiting();
            disabled += backlog.disabled;
            if let Some(due) = backlog.next_due {
                let wait = (due - Utc::now()).to_std().unwrap_or(Duration::ZERO);
                if wait < self.state.config.events.sweep_every {
                    self.revisit(&tenant, wait);
                }
            }
            if backlog.oldest_finished.is_some_and(|at| at < now - deliveries::KEPT_FOR) {
                to_prune.push(tenant);
            }
        }
        let pools = &self.state.tenancy.pools;
        crate::worker::pacing::visit_each(to_prune, concurrency, |tenant| {
            let pools = pools.clone();
            async move {
                let pruned = async {
                    let mut conn = pools.acquire(&tenant).await.map_err(|err| err.to_string())?;
                    let mut tx = conn.begin().await.map_err(|err| err.to_string())?;
                    deliveries::prune(&mut tx, now).await.map_err(|err| err.to_string())?;
                    tx.commit().await.map_err(|err| err.to_string())
                };
                if let Err(err) = pruned.await {
                    tracing::warn!(tenant = %tenant.id, error = %err, "webhooks sweep: cannot drop old deliveries");
                }
            }
        })
        .await;
        self.state.queue_metrics.backlog(QUEUE, waiting, Utc::now());
        self.metrics().endpoints_disabled.set(disabled);
        Ok(())
    }

    /// Queues `tenant` again after `wait` (a retry coming due).
    fn revisit(&self, tenant: &Arc<Tenant>, wait: Duration) {
        let (queue, tenant) = (Arc::clone(self.queue()), Arc::clone(tenant));
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            let slug = tenant.slug.clone();
            queue.push(&slug, Some(tenant));
        });
    }
}

/// A SAV event as published (`{event, data, message_id, timestamp, tenant: {id, slug}}`).
#[derive(Debug, Deserialize)]
struct Published {
    event: String,
    #[serde(default)]
    data: Value,
    message_id: Uuid,
    timestamp: Option<DateTime<Utc>>,
    tenant: PublishedTenant,
}

#[derive(Debug, Deserialize)]
struct PublishedTenant {
    id: Uuid,
}

impl sav_queue::Handler for Webhooks {
    fn handle(&self, body: &[u8]) -> impl Future<Output = Result<&'static str, String>> + Send {
        self.enqueue(body)
    }

    fn report(&self, result: &'static str) {
        self.metrics().event(result);
    }
}

impl Webhooks {
    /// Writes the deliveries of one message; `Ok` with what became of it, `Err` when it must be
    /// tried again.
    async fn enqueue(&self, body: &[u8]) -> Result<&'static str, String> {
        let published: Published = match serde_json::from_slice(body) {
            Ok(published) => published,
            Err(err) => {
                tracing::warn!(error = %err, "webhooks: an event that cannot be read was dropped");
                return Ok("refused");
            }
        };
        let Some(kind) = EventType::of_event(&published.event) else { return Ok("ignored") };
        let tenant = match self.state.tenancy.resolver.resolve_id(published.tenant.id).await {
            Ok(Some(tenant)) if tenant.database.is_some() => tenant,
            Ok(_) => return Ok("ignored"),
            Err(err) if err.is_final() => return Ok("ignored"),
            Err(err) => return Err(err.to_string()),
        };
        let mut conn = self.state.tenancy.pools.acquire(&tenant).await.map_err(|e| e.to_string())?;
        let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
        let endpoints = deliveries::subscribed(&mut tx, kind.as_str()).await.map_err(|e| e.to_string())?;
        if endpoints.is_empty() {
            return Ok("nothing");
        }
        let now = Utc::now();
        let body = webhooks::body(kind.as_str(), published.timestamp.unwrap_or(now), &published.data);
        deliveries::enqueue(&mut tx, published.message_id, kind.as_str(), &body, &endpoints, now)
            .await
            .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
        drop(conn);
        self.state.integrations.webhook_visits.wake(&tenant);
        Ok("queued")
    }
}
