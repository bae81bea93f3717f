//! Live updates (`GET /v1/stream`): each serving replica receives every tenant's events once,
//! from a queue of its own on the events exchange (`crate::worker::fanout`), and hands them to its open
//! streams in process (`Hub`), each filtered by what its person may see (`frames`). A reconnect
//! names the last frame it saw and is replayed from the tenant's outbox (`replay`). Holding a
//! stream holds no database connection. Polls that find nothing changed cost no statement
//! either (`versions`).
//!
//! Why the broker and not Redis pub/sub: the relay already publishes every committed event,
//! once, with confirms, in the tenant's order; a queue per replica adds nothing to the write path
//! and needs no second publisher, and a replica that loses its queue tells its streams to
//! resynchronise rather than miss events silently.

pub mod frames;
pub mod replay;
pub mod versions;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry};
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use self::frames::Frame;

/// Frames a slow stream may fall behind by before it is told to resynchronise.
const CHANNEL_CAPACITY: usize = 1024;

/// What a stream receives from the hub.
#[derive(Debug, Clone)]
pub enum Signal {
    Frame(Arc<Frame>),
    /// Events may have been missed (the replica's queue was lost): refetch.
    Resync,
}

/// The open streams of this replica, by tenant, and how many each person holds.
pub struct Hub {
    tenants: Mutex<HashMap<Uuid, broadcast::Sender<Signal>>>,
    people: Mutex<HashMap<Uuid, usize>>,
    per_person: usize,
    /// Flips to true when the replica shuts down: every stream ends, and clients reconnect to
    /// another replica.
    closing: watch::Sender<bool>,
    pub metrics: LiveMetrics,
}

/// A person's place among the streams: given back when the stream ends.
pub struct Seat {
    hub: Arc<Hub>,
    person: Uuid,
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
    pub fn new(per_person: usize, registry: &Registry) -> Self {
        Self {
            tenants: Mutex::default(),
            people: Mutex::default(),
            per_person,
            closing: watch::Sender::new(false),
            metrics: LiveMetrics::register(registry),
        }
    }

    /// A seat for `person`, unless they hold as many streams as they may.
    pub fn seat(self: &Arc<Self>, person: Uuid) -> Option<Seat> {
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
