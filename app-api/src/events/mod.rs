//! Events about tickets (`tickets::events`). They are written to the tenant's `outbox` in the
//! transaction of the change they describe (`outbox`); the relay (`relay`) publishes them to
//! RabbitMQ, woken by hints (`hints`). Order events come the other way (`orders`).

pub mod hints;
pub mod metrics;
pub mod outbox;
pub mod outlet;

use std::sync::Arc;

use prometheus::Registry;

pub use outbox::enqueue;
use sav::rules::book::Books;

use self::hints::Hints;
use self::metrics::{ConsumerMetrics, JobMetrics, RelayMetrics, RoutingMetrics, RuleMetrics};
use self::outlet::Outlet;

/// What the process holds for events: where hints go, the relay's side of the broker (when
/// `AMQP_URL` is set) and the metrics of the relay, the order consumer and the scheduled jobs.
pub struct Events {
    pub hints: Hints,
    pub outlet: Option<Arc<Outlet>>,
    pub metrics: RelayMetrics,
    pub orders: ConsumerMetrics,
    pub jobs: JobMetrics,
    pub routing: RoutingMetrics,
    pub rules: Rules,
}

/// What the write path keeps for the tenants' rules: each tenant's rules as parsed, and the
/// metrics of their runs.
pub struct Rules {
    pub books: Books,
    pub metrics: RuleMetrics,
}

impl Events {
    pub fn new(
        config: &crate::config::AppConfig,
        broker: Option<&Arc<shared::amqp::Broker>>,
        redis: Option<shared::redis::Redis>,
        registry: &Registry,
    ) -> Self {
        let metrics = RelayMetrics::register(registry);
        let outlet =
            broker.map(|broker| Arc::new(Outlet::new(Arc::clone(broker), &config.events.exchange, metrics.clone())));
        Self {
            hints: Hints::new(redis, &config.redis_key_prefix),
            outlet,
            metrics,
            orders: ConsumerMetrics::register(registry),
            jobs: JobMetrics::register(registry),
            routing: RoutingMetrics::register(registry),
            rules: Rules { books: Books::default(), metrics: RuleMetrics::register(registry) },
        }
    }
}
