//! A durable queue of the SAV events (bound to the events exchange for `sav.ticket.*` and
//! `sav.organization.*`, one
//! active consumer at a time: replicas stand by), consumed by one of the workers that turn events
//! into something for people (`notify`, `webhooks`) through the platform's one consumer runner
//! (`shared::amqp::consumer`): each message is handed to the worker's handler and acked only once
//! the handler is done with it; a handler that cannot finish now (a tenant database away) is
//! called again with backoff, the message kept.

use lapin::Channel;
use lapin::message::Delivery;
use prometheus::IntGauge;
use shared::amqp::Broker;
use shared::amqp::consumer::{self, Acks, DurableQueue, Failure};

const PREFETCH: u16 = 32;

/// The SAV events' routing keys.
const KEYS: [&str; 2] = ["sav.ticket.*", "sav.organization.*"];

/// Declares the queue (durable, one active consumer) and binds it to the SAV events.
async fn declare(channel: &Channel, exchange: &str, queue: &str) -> lapin::Result<()> {
    consumer::declare_durable_queue(channel, DurableQueue { name: queue, in_order: true, dead_letters: None }).await?;
    consumer::bind(channel, queue, exchange, &KEYS).await
}

/// Who consumes: the queue, a name for the logs, and the gauge that says it holds the queue.
pub struct Consumer<'a> {
    pub queue: &'a str,
    pub worker: &'static str,
    pub connected: &'a IntGauge,
}

/// What a handler says of a message: `Ok(result)` when done with it (the result is reported, the
/// message acked), `Err` when it must be tried again.
pub trait Handler: Sync {
    fn handle(&self, body: &[u8]) -> impl Future<Output = Result<&'static str, String>> + Send;
    /// Counts a result (`retried` too).
    fn report(&self, result: &'static str);
}

struct SavEvents<'a, H> {
    consumer: &'a Consumer<'a>,
    exchange: &'a str,
    handler: &'a H,
}

impl<H: Handler> consumer::Consumer for SavEvents<'_, H> {
    fn name(&self) -> &'static str {
        self.consumer.worker
    }

    fn acks(&self) -> Acks {
        Acks::After { prefetch: PREFETCH }
    }

    async fn declare(&self, channel: &Channel) -> lapin::Result<String> {
        declare(channel, self.exchange, self.consumer.queue).await?;
        Ok(self.consumer.queue.to_owned())
    }

    async fn handle(&self, _: &Channel, delivery: &Delivery) -> Result<(), Failure> {
        match self.handler.handle(&delivery.data).await {
            Ok(result) => {
                self.handler.report(result);
                Ok(())
            }
            Err(err) => {
                self.handler.report("retried");
                Err(Failure::Retry(err))
            }
        }
    }

    fn bound(&self, _again: bool) {
        self.consumer.connected.set(1);
    }

    fn unbound(&self) {
        self.consumer.connected.set(0);
    }
}

/// Consumes the events `exchange` until `shutdown` resolves, reconnecting with backoff. Does
/// nothing without a broker (`AMQP_URL`).
pub async fn run(
    broker: Option<&Broker>,
    exchange: &str,
    consumer: &Consumer<'_>,
    handler: &impl Handler,
    shutdown: impl Future<Output = ()>,
) {
    let Some(broker) = broker else { return };
    let events = SavEvents { consumer, exchange, handler };
    consumer::run(broker, &events, shutdown).await;
}
