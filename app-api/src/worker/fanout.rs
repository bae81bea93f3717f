//! This replica's share of the events, for its live streams (`crate::live`): a server-named, exclusive queue (gone with the
//! connection) bound to every SAV event on the events exchange, consumed without acks (a frame
//! missed is replayed by the client's reconnect; the events themselves are the outbox's). Each
//! message becomes a frame numbered by its `relay_seq` header (its place in the tenant's
//! publishing order, `events::outbox::number`) and goes to the hub. When the
//! queue is lost and taken again, events may have passed meanwhile: every stream is told to
//! resynchronise. The queue also takes the staff's presence on tickets (`crate::live::presence`). Each event also drops the tenant's change version this replica kept
//! (`crate::live::versions`).

use std::sync::Arc;

use lapin::Channel;
use lapin::message::Delivery;
use lapin::types::AMQPValue;
use shared::amqp::consumer::{self, Acks, Failure};

use crate::config::AppConfig;
use crate::live::Live;
use crate::live::frames::Frame;
use crate::live::presence::{self, Presence};

/// What the replica's queue is bound to: every SAV event, and the staff's presence.
const KEYS: [&str; 2] = ["sav.#", "presence.#"];

struct Fanout<'a> {
    exchange: &'a str,
    live: &'a Live,
}

/// Feeds the hub from `exchange` until `shutdown` resolves. Does nothing without a broker
/// (`AMQP_URL`).
pub async fn run(
    broker: Option<Arc<shared::amqp::Broker>>,
    config: Arc<AppConfig>,
    live: Arc<Live>,
    shutdown: impl Future<Output = ()> + Send,
) {
    let Some(broker) = broker else { return };
    consumer::run(&broker, &Fanout { exchange: &config.events.exchange, live: &live }, shutdown).await;
}

impl consumer::Consumer for Fanout<'_> {
    fn name(&self) -> &'static str {
        "live updates"
    }

    fn acks(&self) -> Acks {
        Acks::None
    }

    async fn declare(&self, channel: &Channel) -> lapin::Result<String> {
        let queue = consumer::declare_private_queue(channel).await?;
        consumer::bind(channel, &queue, self.exchange, &KEYS).await?;
        Ok(queue)
    }

    fn bound(&self, again: bool) {
        let opened_unbound = self.live.hub.set_bound(true);
        if again || opened_unbound {
            self.live.hub.resync_all();
            tracing::info!("live updates: the events queue is bound again; open streams resynchronise");
        }
    }

    fn unbound(&self) {
        self.live.hub.set_bound(false);
    }

    async fn handle(&self, _: &Channel, delivery: &Delivery) -> Result<(), Failure> {
        let hub = &self.live.hub;
        if delivery.routing_key.as_str().starts_with(presence::ROUTING_PREFIX) {
            if let Ok(presence) = serde_json::from_slice::<Presence>(&delivery.data) {
                hub.presence(presence);
            }
            return Ok(());
        }
        // The event's number in its tenant's publishing order; a relay of an earlier version
        // sent the row's id alone.
        let header = |name: &str| match delivery.properties.headers().as_ref()?.inner().get(name) {
            Some(AMQPValue::LongLongInt(id)) => Some(*id),
            _ => None,
        };
        let id = header("relay_seq").or_else(|| header("outbox_id"));
        let (Some(id), Ok(value)) = (id, serde_json::from_slice::<serde_json::Value>(&delivery.data)) else {
            return Ok(());
        };
        let Some(frame) = Frame::from_message(id, &value) else { return Ok(()) };
        // Revalidations here see the change before any stream here is told of it.
        self.live.versions.forget(frame.tenant);
        if hub.watched(frame.tenant) {
            hub.publish(frame);
        }
        Ok(())
    }
}
