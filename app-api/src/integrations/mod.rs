//! Integrations (DESIGN.md "Integrations"): the tenant's API keys (`keys`), and its outbound
//! webhooks: the Standard Webhooks rules (`webhooks`), where they may go (`target`), and their
//! rows (`deliveries`); what admins do to both (`manage`). The webhook worker that sends them is
//! `worker::webhooks`.

pub mod deliveries;
pub mod keys;
pub mod manage;
pub mod target;
pub mod webhooks;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use prometheus::{Histogram, HistogramOpts, IntCounterVec, IntGauge, Opts, Registry};

/// The integrations part of the state: the API keys verified lately and each key's own rate
/// limit (`None`: off), the webhook sender's visits, and the metrics of both.
pub struct Integrations {
    pub keys: keys::KeyCheck,
    pub key_limit: Option<shared::ratelimit::Limit>,
    pub metrics: IntegrationMetrics,
    /// The tenants the webhook sender of this process is to visit.
    pub webhook_visits: WebhookVisits,
}

/// The tenants with webhook deliveries to send, and whether a sender runs in this process to
/// visit them (`worker::webhooks`).
#[derive(Default)]
pub struct WebhookVisits {
    queue: Arc<crate::events::hints::Queue>,
    here: AtomicBool,
}

impl WebhookVisits {
    /// Asks this process's sender to visit `tenant` now (deliveries were written); without a
    /// sender here, a worker's sweep finds them.
    pub fn wake(&self, tenant: &Arc<crate::tenancy::resolve::Tenant>) {
        if self.here.load(Ordering::Relaxed) {
            self.queue.push(&tenant.slug, Some(Arc::clone(tenant)));
        }
    }

    /// A sender runs here from now on.
    pub fn run_here(&self) {
        self.here.store(true, Ordering::Relaxed);
    }

    pub fn queue(&self) -> &Arc<crate::events::hints::Queue> {
        &self.queue
    }
}

/// The metrics of integrations. Labels are fixed sets, never a tenant or an endpoint.
#[derive(Clone)]
pub struct IntegrationMetrics {
    /// Attempts by outcome: `delivered`, `retry`, `failed` (no retry left), `gone` (410).
    attempts: IntCounterVec,
    /// SAV events the webhook worker read, by result: `queued`, `nothing` (no endpoint
    /// subscribed), `ignored`, `refused` (unreadable), `retried` (a database away).
    events: IntCounterVec,
    /// Requests made with an API key, by result: `accepted`, `refused`, `expired`, `out_of_scope`.
    key_requests: IntCounterVec,
    /// Endpoints disabled (410, three days of failures, or by an admin), as of the last sweep.
    pub endpoints_disabled: IntGauge,
    /// From the event's commit to the start of its first attempt.
    pub first_attempt_latency: Histogram,
    /// How long attempts took.
    pub attempt_seconds: Histogram,
    pub consumer_connected: IntGauge,
}

impl IntegrationMetrics {
    pub fn register(registry: &Registry) -> Self {
        let attempts = IntCounterVec::new(
            Opts::new("webhook_attempts_total", "Webhook delivery attempts by outcome"),
            &["outcome"],
        )
        .expect("valid metric");
        let events = IntCounterVec::new(
            Opts::new("webhook_events_total", "SAV events the webhook worker read, by result"),
            &["result"],
        )
        .expect("valid metric");
        let key_requests = IntCounterVec::new(
            Opts::new("api_key_requests_total", "Requests made with an API key, by result"),
            &["result"],
        )
        .expect("valid metric");
        let endpoints_disabled =
            IntGauge::new("webhook_endpoints_disabled", "Webhook endpoints disabled, as of the last sweep")
                .expect("valid metric");
        let buckets = vec![0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0];
        let first_attempt_latency = Histogram::with_opts(
            HistogramOpts::new(
                "webhook_first_attempt_latency_seconds",
                "From the event's commit to the start of its first webhook attempt",
            )
            .buckets(buckets.clone()),
        )
        .expect("valid metric");
        let attempt_seconds = Histogram::with_opts(
            HistogramOpts::new("webhook_attempt_duration_seconds", "How long webhook attempts took").buckets(buckets),
        )
        .expect("valid metric");
        let consumer_connected =
            IntGauge::new("webhook_consumer_connected", "1 while the webhook worker holds its queue")
                .expect("valid metric");
        for metric in [
            Box::new(attempts.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(events.clone()),
            Box::new(key_requests.clone()),
            Box::new(endpoints_disabled.clone()),
            Box::new(first_attempt_latency.clone()),
            Box::new(attempt_seconds.clone()),
            Box::new(consumer_connected.clone()),
        ] {
            registry.register(metric).expect("registered once");
        }
        Self {
            attempts,
            events,
            key_requests,
            endpoints_disabled,
            first_attempt_latency,
            attempt_seconds,
            consumer_connected,
        }
    }

    pub fn attempt(&self, outcome: &'static str) {
        self.attempts.with_label_values(&[outcome]).inc();
    }

    pub fn event(&self, result: &'static str) {
        self.events.with_label_values(&[result]).inc();
    }

    pub fn key_request(&self, result: &'static str) {
        self.key_requests.with_label_values(&[result]).inc();
    }
}
