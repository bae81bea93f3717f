//! Live updates (`GET /v1/stream`): each serving replica receives every tenant's events once,
//! from a queue of its own on the events exchange (`crate::worker::fanout`), and hands them to its open
//! streams in process (`Hub`), each filtered by what its person may see (`frames`). A reconnect
//! names the last frame it saw and is replayed from the tenant's outbox (`replay`). Holding a
//! stream holds no database connection. Polls that find nothing changed cost no statement
//! either (`versions`), and neither does reading again what has not changed (`answers`).
//!
//! Why the broker and not Redis pub/sub: the relay already publishes every committed event,
//! once, with confirms, in the tenant's order; a queue per replica adds nothing to the write path
//! and needs no second publisher, and a replica that loses its queue tells its streams to
//! resynchronise rather than miss events silently.

pub mod answers;
pub mod frames;
pub mod presence;
pub mod replay;
pub mod sent;
pub mod versions;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry};
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use self::frames::Frame;
use sav::ids::UserId;

/// Frames a slow stream may fall behind by before it is told to resynchronise.
const CHANNEL_CAPACITY: usize = 1024;

/// The live part of the state: the streams open on this replica, where staff's presence is
/// announced, the tenants' change versions and the answers kept while nothing changes.
pub struct Live {
    pub hub: Arc<Hub>,
    pub presence: presence::Bus,
    pub versions: versions::Versions,
    pub answers: Arc<answers::Answers>,
}

/// What a stream receives from the hub.
#[derive(Debug, Clone)]
pub enum Signal {
    Frame(Arc<Frame>),
    /// Someone on a ticket (`presence`).
    Presence(Arc<presence::Presence>),
    /// Events may have been missed (the replica's queue was lost): refetch.
    Resync,
}

/// The open streams of this replica, by tenant, and how many each person holds.
pub struct Hub {
    tenants: Mutex<HashMap<Uuid, broadcast::Sender<Signal>>>,
    people: Mutex<HashMap<UserId, usize>>,
    per_person: usize,
    /// Flips to true when the replica shuts down: every stream ends, and clients reconnect to
    /// another replica.
    closing: watch::Sender<bool>,
    /// Whether an events queue feeds this hub at all (a broker is configured): without one no
    /// frame can be delivered, and streams are refused.
    with_queue: bool,
    /// Whether this replica's events queue is bound (`worker::fanout`).
    bound: watch::Sender<bool>,
    /// A stream opened while the queue was not bound: the streams are told to resynchronise once
    /// it is (what was published meanwhile reached neither their replay nor the queue).
    opened_unbound: AtomicBool,
    pub metrics: LiveMetrics,
}

/// A person's place among the streams: given back when the stream ends.
pub struct Seat {
    hub: Arc<Hub>,
    person: UserId,
}

impl Drop for Seat {
    fn drop(&mut self) {
        let mut people = self.hub.people.lock().expect("not poisoned");
        if let Some(count) = people.get_mut(&self.person) {
            *count -= 1;
            if *count == 0 {
                people.remove(&self.person);
            }
        }
        self.hub.metrics.open.dec();
    }
}

impl Hub {
    /// `with_queue`: whether an events queue feeds this hub (a broker is configured).
    pub fn new(per_person: usize, with_queue: bool, registry: &Registry) -> Self {
        Self {
            tenants: Mutex::default(),
            people: Mutex::default(),
            per_person,
            closing: watch::Sender::new(false),
            with_queue,
            bound: watch::Sender::new(false),
            opened_unbound: AtomicBool::new(false),
            metrics: LiveMetrics::register(registry),
        }
    }

    /// Records whether the events queue is bound; once it is, the streams opened while it was
    /// not are told to resynchronise (`true` when they were).
    pub fn set_bound(&self, bound: bool) -> bool {
        self.bound.send_replace(bound);
        self.metrics.fanout_connected.set(i64::from(bound));
        bound && self.opened_unbound.swap(false, Ordering::SeqCst)
    }

    /// Whether frames can reach the streams at all: a broker is configured.
    pub fn delivers(&self) -> bool {
        self.with_queue
    }

    /// Waits (at most `within`) for the events queue: a replica that has just started serves
    /// before its queue is bound. Whether it is.
    pub async fn until_bound(&self, within: Duration) -> bool {
        let mut bound = self.bound.subscribe();
        matches!(tokio::time::timeout(within, bound.wait_for(|b| *b)).await, Ok(Ok(_)))
    }

    /// A stream subscribed without the queue: it is told to resynchronise once the queue is
    /// bound. `true` when the queue was bound meanwhile, so the stream must resynchronise now.
    pub fn opened_unbound(&self) -> bool {
        self.opened_unbound.store(true, Ordering::SeqCst);
        *self.bound.borrow()
    }

    /// A seat for `person`, unless they hold as many streams as they may.
    pub fn seat(self: &Arc<Self>, person: UserId) -> Option<Seat> {
        let mut people = self.people.lock().expect("not poisoned");
        let count = people.entry(person).or_insert(0);
        if *count >= self.per_person {
            return None;
        }
        *count += 1;
        self.metrics.open.inc();
        Some(Seat { hub: Arc::clone(self), person })
    }

    /// The tenant's signals from now on.
    pub fn subscribe(&self, tenant: Uuid) -> broadcast::Receiver<Signal> {
        let mut tenants = self.tenants.lock().expect("not poisoned");
        tenants.entry(tenant).or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0).subscribe()
    }

    /// Whether any stream of `tenant` is open here.
    pub fn watched(&self, tenant: Uuid) -> bool {
        self.tenants.lock().expect("not poisoned").get(&tenant).is_some_and(|s| s.receiver_count() > 0)
    }

    /// Hands `frame` to its tenant's streams; forgets tenants nobody watches any more.
    pub fn publish(&self, frame: Frame) {
        let mut tenants = self.tenants.lock().expect("not poisoned");
        let Some(sender) = tenants.get(&frame.tenant) else { return };
        if sender.receiver_count() == 0 {
            tenants.remove(&frame.tenant);
            return;
        }
        if let Some(at) = frame.at {
            let lag = (chrono::Utc::now() - at).num_milliseconds().max(0);
            #[allow(clippy::cast_precision_loss, reason = "milliseconds")]
            self.metrics.fanout.observe(lag as f64 / 1000.0);
        }
        let _ = sender.send(Signal::Frame(Arc::new(frame)));
    }

    /// Hands `presence` to its tenant's streams, if any is open here.
    pub fn presence(&self, presence: presence::Presence) {
        let tenants = self.tenants.lock().expect("not poisoned");
        if let Some(sender) = tenants.get(&presence.tenant).filter(|s| s.receiver_count() > 0) {
            let _ = sender.send(Signal::Presence(Arc::new(presence)));
        }
    }

    /// Tells every stream to resynchronise.
    pub fn resync_all(&self) {
        let tenants = self.tenants.lock().expect("not poisoned");
        for sender in tenants.values() {
            let _ = sender.send(Signal::Resync);
        }
    }

    /// Resolves when the replica starts shutting down.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Ends every stream (the replica shuts down).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

#[derive(Clone)]
pub struct LiveMetrics {
    pub open: IntGauge,
    frames: IntCounterVec,
    pub resyncs: IntCounter,
    pub fanout: Histogram,
    pub fanout_connected: IntGauge,
}

impl LiveMetrics {
    fn register(registry: &Registry) -> Self {
        let open = IntGauge::new("live_streams_open", "Live streams open on this replica").expect("valid metric");
        let frames =
            IntCounterVec::new(Opts::new("live_frames_total", "Frames sent on live streams, by event"), &["event"])
                .expect("valid metric");
        let resyncs = IntCounter::new(
            "live_resyncs_total",
            "Streams told to resynchronise (a replay impossible, or missed events)",
        )
        .expect("valid metric");
        let fanout = Histogram::with_opts(
            HistogramOpts::new(
                "live_fanout_seconds",
                "From an event's commit to its hand-over to this replica's streams",
            )
            .buckets(vec![0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
        )
        .expect("valid metric");
        let fanout_connected =
            IntGauge::new("live_fanout_connected", "Whether this replica holds its queue of events (1) or not (0)")
                .expect("valid metric");
        for metric in [
            Box::new(open.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(frames.clone()),
            Box::new(resyncs.clone()),
            Box::new(fanout.clone()),
            Box::new(fanout_connected.clone()),
        ] {
            registry.register(metric).expect("registered once");
        }
        Self { open, frames, resyncs, fanout, fanout_connected }
    }

    pub fn frame(&self, name: &str) {
        self.frames.with_label_values(&[name]).inc();
    }
}

/// How long a stream stays quiet before a keep-alive comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How often a stream checks that its session was not revoked.
pub const REVOCATION_CHECK: Duration = Duration::from_secs(1);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn streams_wait_for_the_queue_and_those_opened_without_it_resynchronise_once_it_is_bound() {
        let registry = Registry::new();
        let hub = Arc::new(Hub::new(4, true, &registry));
        assert!(!hub.until_bound(Duration::from_millis(20)).await, "no queue yet");
        // A stream that waited for the queue in vain is marked; nothing binds meanwhile.
        assert!(!hub.opened_unbound());
        let waiting = tokio::spawn({
            let hub = Arc::clone(&hub);
            async move { hub.until_bound(Duration::from_secs(10)).await }
        });
        assert!(hub.set_bound(true), "the marked streams resynchronise once the queue is bound");
        assert!(waiting.await.unwrap(), "a waiting stream goes on once the queue is bound");
        assert!(!hub.set_bound(true), "only once");
        assert_eq!(hub.metrics.fanout_connected.get(), 1);
        assert!(hub.opened_unbound(), "bound meanwhile: the stream resynchronises itself");
        hub.set_bound(false);
        assert_eq!(hub.metrics.fanout_connected.get(), 0);
        assert!(hub.delivers());
        // Without a broker no frame can be delivered: streams are refused (`routes::stream`).
        let alone = Hub::new(4, false, &Registry::new());
        assert!(!alone.delivers());
    }
}
