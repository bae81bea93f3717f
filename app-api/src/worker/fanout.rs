//! This replica's share of the events, for its live streams (`crate::live`): a server-named, exclusive queue (gone with the
//! connection) bound to every SAV event on the events exchange, consumed without acks (a frame
//! missed is replayed by the client's reconnect; the events themselves are the outbox's). Each
//! message becomes a frame numbered by its `relay_seq` header (its place in the tenant's
//! publishing order, `events::outbox::number`) and goes to the hub. When the
//! queue is lost and taken again, events may have passed meanwhile: every stream is told to
//! resynchronise. The queue also takes the staff's presence on tickets (`crate::live::presence`). Each event also drops the tenant's change version this replica kept
//! (`crate::live::versions`).

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use lapin::ExchangeKind;
use lapin::options::{BasicConsumeOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};

use crate::live::Hub;
use crate::live::frames::Frame;
use crate::live::presence::{self, Presence};
use crate::state::AppState;

const BACKOFF_BASE: Duration = Duration::from_millis(250);
const BACKOFF_CAP: Duration = Duration::from_secs(10);
const TIMEOUT: Duration = Duration::from_secs(5);

/// Feeds the hub until `shutdown` resolves. Does nothing without `AMQP_URL`.
pub async fn run(state: AppState, hub: Arc<Hub>, shutdown: impl Future<Output = ()> + Send) {
    let Some(broker) = state.broker.clone() else { return };
    tokio::pin!(shutdown);
    let mut failures: u32 = 0;
    let mut lost = false;
    loop {
        match consume(&state, &broker, &hub, lost, &mut shutdown).await {
            Ok(()) => return,
            Err(err) => {
                hub.set_bound(false);
                failures += 1;
                lost = true;
                if failures == 1 {
                    tracing::warn!(error = %err, "live updates: the events queue was lost; reconnecting");
                }
            }
        }
        let wait = BACKOFF_BASE.saturating_mul(1 << failures.min(8)).min(BACKOFF_CAP);
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(wait) => {}
        }
    }
}

async fn consume(
    state: &AppState,
    broker: &shared::amqp::Broker,
    hub: &Hub,
    resync: bool,
    shutdown: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
) -> Result<(), String> {
    let exchange = state.config.events.exchange.as_str();
    let connection = broker.connection().await.map_err(|e| e.to_string())?;
    let channel = connection.create_channel().await.map_err(|e| e.to_string())?;
    let session = async {
        let durable = ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() };
        channel.exchange_declare(exchange.into(), ExchangeKind::Topic, durable, FieldTable::default()).await?;
        let own = QueueDeclareOptions { exclusive: true, auto_delete: true, ..QueueDeclareOptions::default() };
        let queue = channel.queue_declare("".into(), own, FieldTable::default()).await?;
        let name = queue.name().as_str().to_owned();
        for key in ["sav.#", "presence.#"] {
            channel
                .queue_bind(
                    name.as_str().into(),
                    exchange.into(),
                    key.into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
        }
        let options = BasicConsumeOptions { no_ack: true, ..BasicConsumeOptions::default() };
        channel.basic_consume(name.as_str().into(), ShortString::from(""), options, FieldTable::default()).await
    };
    let mut consumer = tokio::time::timeout(TIMEOUT, session)
        .await
        .map_err(|_| "the broker did not answer in time".to_owned())?
        .map_err(|e| e.to_string())?;
    let opened_unbound = hub.set_bound(true);
    if resync || opened_unbound {
        hub.resync_all();
        tracing::info!("live updates: the events queue is bound again; open streams resynchronise");
    }
    loop {
        let delivery = tokio::select! {
            () = shutdown.as_mut() => break,
            delivery = consumer.next() => delivery,
        };
        let delivery = match delivery {
            Some(Ok(delivery)) => delivery,
            Some(Err(err)) => return Err(err.to_string()),
            None => return Err("the consumer was cancelled".to_owned()),
        };
        if delivery.routing_key.as_str().starts_with(presence::ROUTING_PREFIX) {
            if let Ok(presence) = serde_json::from_slice::<Presence>(&delivery.data) {
                hub.presence(presence);
            }
            continue;
        }
        // The event's number in its tenant's publishing order; a relay of an earlier version
        // sent the row's id alone.
        let header = |name: &str| match delivery.properties.headers().as_ref()?.inner().get(name) {
            Some(AMQPValue::LongLongInt(id)) => Some(*id),
            _ => None,
        };
        let id = header("relay_seq").or_else(|| header("outbox_id"));
        let (Some(id), Ok(value)) = (id, serde_json::from_slice::<serde_json::Value>(&delivery.data)) else { continue };
        let Some(frame) = Frame::from_message(id, &value) else { continue };
        // Revalidations here see the change before any stream here is told of it.
        state.versions.forget(frame.tenant);
        if hub.watched(frame.tenant) {
            hub.publish(frame);
        }
    }
    hub.set_bound(false);
    let _ = channel.close(200, ShortString::from("bye")).await;
    Ok(())
}
