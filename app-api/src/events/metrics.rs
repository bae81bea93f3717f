//! The metrics of the event work: the relay, the order consumer and the scheduled SAV jobs.
//! Labels are bounded (the ten SAV routing keys, anything else counting as `other`; fixed sets of
//! outcomes, priorities and kinds), never a tenant.

use prometheus::{Gauge, Histogram, IntCounter, IntCounterVec, IntGauge, Registry};
use sav::ids::UserId;
use sav::routing;
use shared::metrics::Registrar;

const ROUTING_KEYS: [&str; 10] = [
    "sav.ticket.created",
    "sav.ticket.assigned",
    "sav.ticket.status_changed",
    "sav.ticket.resolved",
    "sav.ticket.updated",
    "sav.ticket.message_added",
    "sav.ticket.sla_breach",
    "sav.organization.created",
    "sav.organization.updated",
    "sav.organization.deleted",
];

fn key_label(routing_key: &str) -> &str {
    ROUTING_KEYS.into_iter().find(|k| *k == routing_key).unwrap_or("other")
}

/// What a visit of one tenant came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitOutcome {
    /// A batch went out and nothing more was waiting.
    Drained,
    /// A full batch went out; more may wait (the tenant goes to the back of the queue).
    More,
    /// Nothing was waiting (a hint for rows another relay had published, or none).
    Empty,
    /// Another relay holds the tenant.
    Busy,
    /// The broker failed: the rows wait.
    BrokerDown,
    /// The tenant or its database could not be reached.
    Failed,
}

impl VisitOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Drained => "drained",
            Self::More => "more",
            Self::Empty => "empty",
            Self::Busy => "busy",
            Self::BrokerDown => "broker_down",
            Self::Failed => "failed",
        }
    }
}

#[derive(Clone)]
pub struct RelayMetrics {
    published: IntCounterVec,
    failed: IntCounterVec,
    visits: IntCounterVec,
    pub cycle: Histogram,
    pub sweep: Histogram,
    pub backlog_rows: IntGauge,
    pub backlog_oldest: Gauge,
    pub pruned: IntCounter,
    pub connected: IntGauge,
}

impl RelayMetrics {
    pub fn register(registry: &Registry) -> Self {
        let registrar = Registrar(registry);
        let counter_vec = |name, help, label| registrar.counter_vec(name, help, &[label]);
        let histogram = |name, help, buckets| registrar.histogram(name, help, buckets);
        let backlog_rows = registrar.gauge(
            "outbox_backlog_rows",
            "Unpublished outbox rows across active tenants, as of the relay's last sweep",
        );
        let backlog_oldest = registrar.float_gauge(
            "outbox_backlog_oldest_seconds",
            "Age of the oldest unpublished outbox row across active tenants, as of the last sweep",
        );
        let pruned = registrar.counter("outbox_pruned_total", "Published outbox rows deleted after the retention");
        let connected = registrar.gauge("outbox_relay_connected", "1 while the relay's broker channel is open");
        let fast = vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
        Self {
            published: counter_vec(
                "outbox_events_published_total",
                "Events the broker confirmed, by routing key",
                "routing_key",
            ),
            failed: counter_vec(
                "outbox_events_failed_total",
                "Events the broker did not confirm (they stay in the outbox), by routing key",
                "routing_key",
            ),
            visits: counter_vec(
                "outbox_relay_visits_total",
                "Tenants the relay visited (one claim each), by outcome",
                "outcome",
            ),
            cycle: histogram(
                "outbox_relay_cycle_seconds",
                "One tenant's relay cycle: claim, publish, confirms, mark, commit",
                fast.clone(),
            ),
            sweep: histogram(
                "outbox_relay_sweep_seconds",
                "One sweep over every active tenant",
                vec![0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0],
            ),
            backlog_rows,
            backlog_oldest,
            pruned,
            connected,
        }
    }

    pub fn published(&self, routing_key: &str) {
        self.published.with_label_values(&[key_label(routing_key)]).inc();
    }

    pub fn failed(&self, routing_key: &str) {
        self.failed.with_label_values(&[key_label(routing_key)]).inc();
    }

    pub fn visited(&self, outcome: VisitOutcome) {
        self.visits.with_label_values(&[outcome.as_str()]).inc();
    }

    /// Visits with `outcome` so far (for tests and the bench).
    pub fn visits(&self, outcome: VisitOutcome) -> u64 {
        self.visits.with_label_values(&[outcome.as_str()]).get()
    }
}

/// The order events consumer's counters (`worker::orders`).
#[derive(Clone)]
pub struct ConsumerMetrics {
    messages: IntCounterVec,
    dead: IntCounterVec,
}

impl ConsumerMetrics {
    pub fn register(registry: &Registry) -> Self {
        let registrar = Registrar(registry);
        let messages = registrar.counter_vec(
            "order_events_total",
            "Order events consumed, by outcome (upserted, dead_lettered, retried)",
            &["outcome"],
        );
        let dead = registrar.counter_vec(
            "order_events_dead_lettered_total",
            "Order events sent to the dead-letter queue, by reason",
            &["reason"],
        );
        Self { messages, dead }
    }

    pub(crate) fn outcome(&self, outcome: &str) {
        self.messages.with_label_values(&[outcome]).inc();
    }

    pub(crate) fn dead_lettered(&self, reason: &str) {
        self.outcome("dead_lettered");
        self.dead.with_label_values(&[reason]).inc();
    }

    /// Messages with `outcome` so far.
    pub fn count(&self, outcome: &str) -> u64 {
        self.messages.with_label_values(&[outcome]).get()
    }
}

/// The scheduled SAV jobs' metrics (`worker::jobs`).
#[derive(Clone)]
pub struct JobMetrics {
    breaches: IntCounterVec,
    auto_closed: IntCounterVec,
    /// Tenants visited, by why (`claimed`, `hinted`) and outcome.
    visits: IntCounterVec,
    pub check: Histogram,
    pub sweep: Histogram,
    pub failures: IntCounter,
}

impl JobMetrics {
    pub fn register(registry: &Registry) -> Self {
        let registrar = Registrar(registry);
        let counter_vec = |name, help, labels| registrar.counter_vec(name, help, labels);
        let histogram = |name, help| {
            let buckets = vec![0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];
            registrar.histogram(name, help, buckets)
        };
        let failures = registrar
            .counter("sav_job_failures_total", "Due tickets a job could not act on (tried again at the next visit)");
        Self {
            breaches: counter_vec(
                "sla_breaches_total",
                "SLA breaches recorded, by the priority the ticket breached at and the target missed",
                &["priority", "sla_type"],
            ),
            auto_closed: counter_vec(
                "tickets_auto_closed_total",
                "Tickets the system closed, by the status they closed from",
                &["from"],
            ),
            visits: counter_vec(
                "sav_job_visits_total",
                "Tenants the jobs visited, by why (claimed: due in the schedule; hinted: a change) and outcome",
                &["reason", "outcome"],
            ),
            check: histogram("sav_job_check_seconds", "One check: claim the due tenants and act on their tickets"),
            sweep: histogram("sav_job_sweep_seconds", "One sweep of every active tenant's next due time"),
            failures,
        }
    }

    pub fn breached(&self, priority: &str, sla_type: &str) {
        self.breaches.with_label_values(&[priority, sla_type]).inc();
    }

    pub fn auto_closed(&self, from: &str) {
        self.auto_closed.with_label_values(&[from]).inc();
    }

    pub fn visited(&self, reason: &str, outcome: &str) {
        self.visits.with_label_values(&[reason, outcome]).inc();
    }

    /// Visits for `reason` with `outcome` so far (for tests and the bench).
    pub fn visits(&self, reason: &str, outcome: &str) -> u64 {
        self.visits.with_label_values(&[reason, outcome]).get()
    }
}

/// What routing decided, and what waits (`sav::routing`): the decisions by the team's mode and
/// their result, the waiting tickets of every tenant's routed teams and the oldest wait, overall
/// and in teams where nobody is available (read by the jobs' sweep).
#[derive(Clone)]
pub struct RoutingMetrics {
    decisions: IntCounterVec,
    pub waiting: IntGauge,
    pub oldest_wait: Gauge,
    pub oldest_unstaffed_wait: Gauge,
}

impl RoutingMetrics {
    pub const MODES: [&str; 2] = ["round_robin", "least_loaded"];
    pub const RESULTS: [&str; 3] = ["assigned", "waiting", "kept"];

    pub fn register(registry: &Registry) -> Self {
        let registrar = Registrar(registry);
        let decisions = registrar.counter_vec(
            "routing_decisions_total",
            "Routing decisions, by the team's mode and result (assigned; waiting: nobody eligible; kept: a \
             reopened ticket stayed with its assignee)",
            &["mode", "result"],
        );
        for mode in Self::MODES {
            for result in Self::RESULTS {
                decisions.with_label_values(&[mode, result]);
            }
        }
        Self {
            decisions,
            waiting: registrar.gauge("routing_waiting_tickets", "Tickets waiting in the queues of routed teams"),
            oldest_wait: registrar.float_gauge(
                "routing_oldest_wait_seconds",
                "How long the oldest ticket of a routed team's queue has waited",
            ),
            oldest_unstaffed_wait: registrar.float_gauge(
                "routing_unstaffed_wait_seconds",
                "How long the oldest ticket has waited in a routed team where nobody is available",
            ),
        }
    }

    pub fn decided(&self, mode: &str, result: &str) {
        self.decisions.with_label_values(&[mode, result]).inc();
    }

    /// Counts routing's `decision`, if it made one; the member it chose.
    pub fn counted(&self, decision: Option<routing::Decision>) -> Option<UserId> {
        let decision = decision?;
        self.decided(decision.assignment.as_str(), decision.outcome.as_str());
        decision.chosen
    }

    /// Decisions so far (for tests and the bench).
    pub fn decisions(&self, mode: &str, result: &str) -> u64 {
        self.decisions.with_label_values(&[mode, result]).get()
    }
}

/// Rule runs, by trigger and outcome: `applied`, and `refused` (an action was refused, nothing
/// kept).
#[derive(Clone)]
pub struct RuleMetrics {
    runs: IntCounterVec,
}

impl RuleMetrics {
    pub const TRIGGERS: [&str; 5] = ["ticket.created", "ticket.updated", "message.added", "sla.breached", "time"];
    pub const OUTCOMES: [&str; 2] = ["applied", "refused"];

    pub fn register(registry: &Registry) -> Self {
        let runs = Registrar(registry).counter_vec(
            "rule_runs_total",
            "Runs of the tenants' rules whose conditions held, by trigger and outcome (applied; refused: an \
             action was refused and nothing of the run kept)",
            &["trigger", "outcome"],
        );
        for trigger in Self::TRIGGERS {
            for outcome in Self::OUTCOMES {
                runs.with_label_values(&[trigger, outcome]);
            }
        }
        Self { runs }
    }

    pub fn ran(&self, trigger: &str, outcome: &str) {
        self.runs.with_label_values(&[trigger, outcome]).inc();
    }

    /// Runs so far (for tests and the bench).
    pub fn runs(&self, trigger: &str, outcome: &str) -> u64 {
        self.runs.with_label_values(&[trigger, outcome]).get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_routing_keys_share_one_label() {
        let registry = Registry::new();
        let metrics = RelayMetrics::register(&registry);
        metrics.published("sav.ticket.created");
        metrics.published("tenant.x.something");
        metrics.failed("whatever");
        let text = {
            let mut buf = Vec::new();
            prometheus::Encoder::encode(&prometheus::TextEncoder::new(), &registry.gather(), &mut buf).unwrap();
            String::from_utf8(buf).unwrap()
        };
        assert!(text.contains(r#"outbox_events_published_total{routing_key="sav.ticket.created"} 1"#), "{text}");
        assert!(text.contains(r#"outbox_events_published_total{routing_key="other"} 1"#), "{text}");
        assert!(text.contains(r#"outbox_events_failed_total{routing_key="other"} 1"#), "{text}");
    }
}
