//! The event work of a replica: the outbox relay (`worker::relay`) and the order events
//! consumer (`worker::orders`). `serve` runs each unless switched off (`RELAY_IN_SERVE`,
//! `ORDERS_CONSUMER_IN_SERVE`); `worker` runs them without serving, in any number of replicas.
//! The scheduled jobs join them here, one more task beside the relay.

pub mod orders;
pub mod relay;

use self::relay::Relay;
use crate::state::AppState;

/// Which event work a process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    pub relay: bool,
    pub consumer: bool,
}

impl Work {
    /// What `serve` runs beside the API.
    pub fn in_serve(config: &crate::config::AppConfig) -> Self {
        Self { relay: config.events.relay_in_serve, consumer: config.events.consumer_in_serve }
    }

    /// What `worker` runs.
    pub fn all() -> Self {
        Self { relay: true, consumer: true }
    }
}

impl AppState {
    /// Runs `work` until `shutdown` resolves, then lets the batch and the message in hand
    /// finish. Without `AMQP_URL` there is nothing to run: events wait in the outboxes.
    pub async fn run_events(self, work: Work, shutdown: impl Future<Output = ()> + Send + 'static) {
        if self.broker.is_none() {
            if work.relay || work.consumer {
                tracing::info!("AMQP_URL is not set: events wait in the outboxes, order events are not consumed");
            }
            shutdown.await;
            return;
        }
        let (stop, _) = tokio::sync::broadcast::channel::<()>(1);
        let mut tasks = Vec::new();
        if let Some(relay) = Relay::of(&self).filter(|_| work.relay) {
            tasks.push(tokio::spawn(relay.run(wait(stop.subscribe()))));
        }
        if work.consumer {
            tasks.push(tokio::spawn(orders::run(self.clone(), wait(stop.subscribe()))));
        }
        shutdown.await;
        let _ = stop.send(());
        for task in tasks {
            let _ = task.await;
        }
    }
}

async fn wait(mut stop: tokio::sync::broadcast::Receiver<()>) {
    let _ = stop.recv().await;
}
