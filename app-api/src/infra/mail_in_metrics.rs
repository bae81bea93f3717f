//! The metrics of email in (`mailin`). Labels are fixed sets.

use prometheus::{Histogram, HistogramOpts, IntCounterVec, Opts, Registry};

/// The metrics of email in. Labels are fixed sets.
#[derive(Clone)]
pub struct MailInMetrics {
    /// Mail received, by source (`api`, `imap`) and outcome.
    received: IntCounterVec,
    /// Mailbox fetches by result: `ok`, `failed`.
    fetches: IntCounterVec,
    /// From the mail's arrival to its outcome recorded.
    pub seconds: Histogram,
}

impl MailInMetrics {
    pub fn register(registry: &Registry) -> Self {
        let received = IntCounterVec::new(
            Opts::new("inbound_emails_total", "Mail received by source and outcome"),
            &["source", "outcome"],
        )
        .expect("valid metric");
        let fetches = IntCounterVec::new(Opts::new("mailbox_fetches_total", "Mailbox fetches by result"), &["result"])
            .expect("valid metric");
        let seconds = Histogram::with_opts(
            HistogramOpts::new("inbound_email_seconds", "From a mail's arrival to its outcome recorded")
                .buckets(vec![0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0]),
        )
        .expect("valid metric");
        for metric in [
            Box::new(received.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(fetches.clone()),
            Box::new(seconds.clone()),
        ] {
            registry.register(metric).expect("registered once");
        }
        Self { received, fetches, seconds }
    }

    /// One mail received through `source` (`api`, `imap`).
    pub fn received(&self, source: &str, outcome: &str) {
        self.received.with_label_values(&[source, outcome]).inc();
    }

    pub fn fetched(&self, ok: bool) {
        self.fetches.with_label_values(&[if ok { "ok" } else { "failed" }]).inc();
    }
}
