//! A durable queue of the SAV events (bound to the events exchange for `sav.ticket.*`, one
//! active consumer at a time: replicas stand by), consumed by one of the workers that turn events
//! into something for people (`notify`, `webhooks`). Each message is handed to the worker's
//! handler and acked only once the handler is done with it; a handler that cannot finish now
//! (a tenant database away) is called again with backoff, the message kept. The consumer
//! reconnects with backoff when the broker goes.

use std::time::Duration;

use futures_util::StreamExt as _;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{Channel, ExchangeKind};
use prometheus::IntGauge;

use crate::state::AppState;

const PREFETCH: u16 = 32;
const TIMEOUT: Duration = Duration::from_secs(5);
const BACKOFF_BASE: Duration = Duration::from_millis(250);
const BACKOFF_CAP: Duration = Duration::from_secs(30);

fn backoff(failures: u32) -> Duration {
    BACKOFF_BASE.saturating_mul(1_u32 << failures.saturating_sub(1).min(16)).min(BACKOFF_CAP)
}

/// Declares the queue (durable, one active consumer) and binds it to the SAV events.
pub async fn declare(channel: &Channel, exchange: &str, queue: &str) -> lapin::Result<()> {
    let durable = lapin::options::ExchangeDeclareOptions { durable: true, ..Default::default() };
    channel.exchange_declare(exchange.into(), ExchangeKind::Topic, durable, FieldTable::default()).await?;
    let mut arguments = FieldTable::default();
    arguments.insert("x-single-active-consumer".into(), AMQPValue::Boolean(true));
    let options = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    channel.queue_declare(queue.into(), options, arguments).await?;
    channel
        .queue_bind(
            queue.into(),
            exchange.into(),
            "sav.ticket.*".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
}

/// Who consumes: the queue, a name for the logs, and the gauge that says it holds the queue.
pub struct Consumer<'a> {
    pub queue: &'a str,
    pub worker: &'static str,
    pub connected: &'a IntGauge,
}

/// What a handler says of a message: `Ok(result)` when done with it (the result is reported, the
/// message acked), `Err` when it must be tried again.
pub trait Handler {
    fn handle(&self, body: &[u8]) -> impl Future<Output = Result<&'static str, String>> + Send;
    /// Counts a result (`retried` too).
    fn report(&self, result: &'static str);
}

/// Consumes until `shutdown` resolves, reconnecting with backoff.
pub async fn run(
    state: &AppState,
    consumer: &Consumer<'_>,
    handler: &impl Handler,
    shutdown: impl Future<Output = ()>,
) {
    let Some(broker) = state.broker.clone() else { return };
    tokio::pin!(shutdown);
    let mut failures = 0;
    loop {
        match consume(state, &broker, consumer, handler, &mut shutdown).await {
            Ok(()) => return,
            Err(err) => {
                failures += 1;
                consumer.connected.set(0);
                if failures == 1 {
                    tracing::warn!(worker = consumer.worker, error = %err, "SAV events consumer lost; reconnecting");
                }
            }
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(backoff(failures)) => {}
        }
    }
}

async fn consume(
    state: &AppState,
    broker: &shared::amqp::Broker,
    consumer: &Consumer<'_>,
    handler: &impl Handler,
    shutdown: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
) -> Result<(), String> {
    let queue = consumer.queue;
    let connection = broker.connection().await.map_err(|e| e.to_string())?;
    let channel = connection.create_channel().await.map_err(|e| e.to_string())?;
    let session = async {
        declare(&channel, &state.config.events.exchange, queue).await?;
        channel.basic_qos(PREFETCH, BasicQosOptions::default()).await?;
        channel
            .basic_consume(queue.into(), ShortString::from(""), BasicConsumeOptions::default(), FieldTable::default())
            .await
    };
    let mut deliveries = tokio::time::timeout(TIMEOUT, session)
        .await
        .map_err(|_| "the broker did not answer in time".to_owned())?
        .map_err(|e| e.to_string())?;
    consumer.connected.set(1);
    tracing::info!(queue, worker = consumer.worker, "consuming SAV events");
    let outcome = loop {
        let delivery = tokio::select! {
            () = shutdown.as_mut() => break Ok(()),
            delivery = deliveries.next() => delivery,
        };
        let delivery = match delivery {
            Some(Ok(delivery)) => delivery,
            Some(Err(err)) => break Err(err.to_string()),
            None => break Err("the consumer was cancelled".to_owned()),
        };
        let mut failures = 0;
        let result = loop {
            match handler.handle(&delivery.data).await {
                Ok(result) => break Some(result),
                Err(err) => {
                    failures += 1;
                    handler.report("retried");
                    tracing::warn!(worker = consumer.worker, error = %err, failures, "cannot handle an event now; retrying");
                    tokio::select! {
                        () = shutdown.as_mut() => break None,
                        () = tokio::time::sleep(backoff(failures)) => {}
                    }
                }
            }
        };
        let Some(result) = result else { break Ok(()) };
        handler.report(result);
        if let Err(err) = delivery.acker.ack(BasicAckOptions::default()).await {
            break Err(err.to_string());
        }
    };
    consumer.connected.set(0);
    let _ = channel.close(200, ShortString::from("bye")).await;
    outcome
}
