//! The background work of a replica: the outbox relay (`relay`), the scheduled SAV jobs (`jobs`,
//! with the weekly orphan cleanup of attachments, `orphans`, and the end of tenant deletions,
//! `purges`), the order events consumer (`orders`), the
//! notification worker (`notify`: the bell and mail, `NOTIFICATIONS_IN_SERVE`), the webhook
//! worker (`webhooks`, `WEBHOOKS_IN_SERVE`), and
//! what every serving replica runs beside its routes (`background`: evictions and revocations
//! pushed by control-api, `evictions`, and the pool reaper). `serve` runs each unless switched off
//! (`RELAY_IN_SERVE`, `JOBS_IN_SERVE`, `ORDERS_CONSUMER_IN_SERVE`); `worker` runs them all
//! without serving, in any number of replicas. The relay and the consumer need `AMQP_URL`; the
//! jobs do not (their events wait in the outboxes without a broker).

pub mod background;
pub mod deadlines;
pub mod evictions;
pub mod fanout;
pub mod jobs;
pub mod mailboxes;
pub mod notify;
pub mod orders;
pub mod orphans;
pub mod pacing;
pub mod purges;
pub mod relay;
pub mod routing;
pub mod sav_queue;
pub mod webhooks;

use self::jobs::Jobs;
use self::pacing::wait;
use self::relay::Relay;
use crate::state::AppState;

/// Which background work a process runs.
#[allow(clippy::struct_excessive_bools, reason = "independent switches, one per kind of work")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    pub relay: bool,
    pub jobs: bool,
    pub consumer: bool,
    pub notifications: bool,
    pub webhooks: bool,
    pub mailboxes: bool,
}

impl Work {
    /// What `serve` runs beside the API.
    pub fn in_serve(config: &crate::config::AppConfig) -> Self {
        Self {
            relay: config.events.relay_in_serve,
            jobs: config.jobs.in_serve,
            consumer: config.events.consumer_in_serve,
            notifications: config.notifications.in_serve,
            webhooks: config.integrations.in_serve,
            mailboxes: config.mail_in.in_serve,
        }
    }

    /// What `worker` runs.
    pub fn all() -> Self {
        Self { relay: true, jobs: true, consumer: true, notifications: true, webhooks: true, mailboxes: true }
    }
}

impl AppState {
    /// Runs `work` until `shutdown` resolves, then lets the batches, visits and the message in
    /// hand finish.
    pub async fn run_work(self, work: Work, shutdown: impl Future<Output = ()> + Send + 'static) {
        if self.broker.is_none() && (work.relay || work.consumer) {
            tracing::info!("AMQP_URL is not set: events wait in the outboxes, order events are not consumed");
        }
        let (stop, _) = tokio::sync::broadcast::channel::<()>(1);
        let mut tasks = Vec::new();
        if let Some(relay) = Relay::of(&self).filter(|_| work.relay) {
            tasks.push(tokio::spawn(relay.run(wait(stop.subscribe()))));
        }
        if work.jobs {
            tasks.push(tokio::spawn(Jobs::new(&self).run(wait(stop.subscribe()))));
            tasks.push(tokio::spawn(orphans::run_periodically(self.clone(), wait(stop.subscribe()))));
            tasks.push(tokio::spawn(purges::run(self.clone(), wait(stop.subscribe()))));
        }
        if work.consumer && self.broker.is_some() {
            tasks.push(tokio::spawn(orders::run(self.clone(), wait(stop.subscribe()))));
        }
        if work.notifications {
            tasks.push(tokio::spawn(notify::Notifier::of(&self).run(wait(stop.subscribe()))));
        }
        if work.webhooks {
            tasks.push(tokio::spawn(webhooks::Webhooks::of(&self).run(wait(stop.subscribe()))));
        }
        if work.mailboxes {
            tasks.push(tokio::spawn(mailboxes::run(self.clone(), wait(stop.subscribe()))));
        }
        shutdown.await;
        let _ = stop.send(());
        for task in tasks {
            let _ = task.await;
        }
    }
}
