//! The metrics of notifications: deliveries by kind, channel and outcome, the events the worker
//! read, the mail waiting and its age, and the time from an event to its mail's acceptance.
//! Labels are fixed sets (the six kinds, two channels, a few outcomes), never a tenant.

use prometheus::{Histogram, HistogramOpts, IntCounterVec, IntGauge, Opts, Registry};

use super::{Channel, Kind};

/// What became of one delivery (or of a decision not to deliver).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Written: in the bell, or waiting to be sent.
    Queued,
    /// Accepted by the mail server.
    Sent,
    /// Refused for now (a 4xx): tried again later.
    Deferred,
    /// Refused for good, or retried past the limit.
    Failed,
    /// Not sent: the address bounced before, or is not verified.
    Suppressed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Deferred => "deferred",
            Self::Failed => "failed",
            Self::Suppressed => "suppressed",
        }
    }
}

#[derive(Clone)]
pub struct NotificationMetrics {
    deliveries: IntCounterVec,
    events: IntCounterVec,
    /// From the event's commit to the mail server's acceptance.
    pub mail_latency: Histogram,
    pub consumer_connected: IntGauge,
}

impl NotificationMetrics {
    pub fn register(registry: &Registry) -> Self {
        let deliveries = IntCounterVec::new(
            Opts::new("notification_deliveries_total", "Notification deliveries by kind, channel and outcome"),
            &["kind", "channel", "outcome"],
        )
        .expect("valid metric");
        let events = IntCounterVec::new(
            Opts::new("notification_events_total", "SAV events the notification worker read, by result"),
            &["result"],
        )
        .expect("valid metric");
        let mail_latency = Histogram::with_opts(
            HistogramOpts::new(
                "notification_mail_latency_seconds",
                "From the event's commit to the mail server accepting its mail",
            )
            .buckets(vec![0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0]),
        )
        .expect("valid metric");
        let consumer_connected =
            IntGauge::new("notification_consumer_connected", "1 while the notification worker holds its queue")
                .expect("valid metric");
        for metric in [
            Box::new(deliveries.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(events.clone()),
            Box::new(mail_latency.clone()),
            Box::new(consumer_connected.clone()),
        ] {
            registry.register(metric).expect("registered once");
        }
        Self { deliveries, events, mail_latency, consumer_connected }
    }

    pub fn delivery(&self, kind: Kind, channel: Channel, outcome: Outcome) {
        self.deliveries.with_label_values(&[kind.as_str(), channel.as_str(), outcome.as_str()]).inc();
    }

    /// `result`: `notified`, `nothing` (no one to tell), `ignored` (not for notifications),
    /// `refused` (unreadable), `retried` (a database away).
    pub fn event(&self, result: &'static str) {
        self.events.with_label_values(&[result]).inc();
    }
}
