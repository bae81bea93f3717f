//! The account mail sender, run by `serve` and `worker`: a work queue (`shared::work_queue`)
//! that claims due mail one at a time `FOR UPDATE SKIP LOCKED` (so replicas share the work and
//! none sends a mail twice), sends it, and marks it. Woken in-process right after a mail is committed, and polling every few seconds
//! for mail written by another process or come due for a retry.
//!
//! A 4xx is tried again with a growing delay for up to 72 hours from the mail's creation, a 5xx
//! is final; a server that cannot be reached counts no attempt: the mail stays due and the
//! sender pauses briefly, growing while the server stays away. Without `SMTP_URL` mail waits
//! (said once in the log) until a process with a mail server sends it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus::{IntCounterVec, Opts, Registry};
use shared::backoff;
use shared::mail::Mailer;
use shared::work_queue::{self, Drained, Outcome, Pace, QueueMetrics, WorkQueue};
use sqlx::{PgConnection, PgPool};
use tokio::sync::Notify;

use super::outbox::{self, Due};

/// The queue's name in the work queue metrics.
const QUEUE: &str = "account_mail";
/// How the sender paces itself: how often an idle sender looks for mail written elsewhere or
/// come due, how long it waits while the server is away, and after the control database failed.
const PACE: Pace =
    Pace { idle: Duration::from_secs(3), away: backoff::MAIL_SERVER_AWAY, database_error: Duration::from_secs(1) };
/// Sent and failed mail is deleted this long after its creation.
const KEEP_DONE: Duration = Duration::from_secs(30 * 24 * 3600);
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// Account mail by kind and outcome (beside the work queue family, which has no kind).
#[derive(Clone)]
pub struct MailMetrics {
    pub mails: IntCounterVec,
    pub queue: QueueMetrics,
}

impl MailMetrics {
    pub fn register(registry: &Registry, queue: QueueMetrics) -> Self {
        let mails = IntCounterVec::new(
            Opts::new(
                "account_mail_total",
                "Account mail handled, by kind and outcome (sent, deferred, failed, unreachable)",
            ),
            &["kind", "outcome"],
        )
        .expect("valid metric");
        registry.register(Box::new(mails.clone())).expect("registered once");
        Self { mails, queue }
    }
}

#[derive(Clone)]
pub struct Sender {
    db: PgPool,
    mailer: Mailer,
    wake: Arc<Notify>,
    metrics: MailMetrics,
}

impl Sender {
    pub fn new(db: PgPool, mailer: Mailer, metrics: MailMetrics) -> Self {
        Self { db, mailer, wake: Arc::new(Notify::new()), metrics }
    }

    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    /// Wakes this process's sender: call it once the transaction that wrote mail committed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Sends the mail that is due until none is left or the server cannot be reached (`away`,
    /// as it is when no server is configured).
    pub async fn run_due(&self) -> sqlx::Result<Drained> {
        let drained = if self.mailer.is_configured() {
            let mut conn = self.db.acquire().await?;
            work_queue::drain(self, &mut *conn, usize::MAX, &self.metrics.queue).await?
        } else {
            Drained { away: true, ..Drained::default() }
        };
        self.report_backlog().await?;
        Ok(drained)
    }

    async fn report_backlog(&self) -> sqlx::Result<()> {
        let backlog = outbox::backlog(&self.db).await?;
        self.metrics.queue.backlog(QUEUE, backlog, chrono::Utc::now());
        Ok(())
    }

    /// Sends mail as it comes until `shutdown` resolves.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let mut last_purge: Option<Instant> = None;
        let this = &self;
        let housekeeping = move || {
            let purge = last_purge.is_none_or(|at| at.elapsed() >= PURGE_EVERY);
            if purge {
                last_purge = Some(Instant::now());
            }
            async move {
                if purge && let Err(err) = outbox::purge_done(&this.db, KEEP_DONE).await {
                    tracing::warn!(error = %err, "could not purge old account mail");
                }
                if let Err(err) = this.report_backlog().await {
                    tracing::warn!(error = %err, "could not read the account mail backlog");
                }
            }
        };
        if self.mailer.is_configured() {
            work_queue::poll(&self, &self.db, &self.wake, PACE, &self.metrics.queue, housekeeping, shutdown).await;
        } else {
            tracing::warn!("SMTP_URL is not set: account mail waits in its table until a mail server is configured");
            work_queue::idle(PACE, housekeeping, shutdown).await;
        }
        tracing::info!("account mail sender stopped");
    }
}

impl WorkQueue for Sender {
    type Item = Due;

    fn name(&self) -> &'static str {
        QUEUE
    }

    async fn claim(&self, tx: &mut PgConnection) -> sqlx::Result<Option<Due>> {
        outbox::claim(tx).await
    }

    async fn work(&self, mail: &Due) -> Outcome {
        let sent = self.mailer.send(&mail.outgoing()).await;
        shared::mail::outcome(sent, mail.attempts, mail.created_at, chrono::Utc::now())
    }

    async fn settle(&self, tx: &mut PgConnection, mail: &Due, outcome: &Outcome) -> sqlx::Result<()> {
        match outcome {
            Outcome::Done => outbox::mark_sent(tx, mail.id).await,
            Outcome::Retry { at, error } => outbox::mark_retry(tx, mail.id, *at, error).await,
            Outcome::Refused { error } | Outcome::Failed { error } => outbox::mark_failed(tx, mail.id, error).await,
            Outcome::Away { error } => outbox::note_unreachable(tx, mail.id, error).await,
        }
    }

    async fn settled(&self, mail: &Due, outcome: &Outcome) {
        let named = match outcome {
            Outcome::Done => "sent",
            Outcome::Retry { .. } => "deferred",
            Outcome::Refused { .. } | Outcome::Failed { .. } => "failed",
            Outcome::Away { .. } => "unreachable",
        };
        self.metrics.mails.with_label_values(&[mail.kind.as_str(), named]).inc();
        match outcome.error() {
            None => tracing::info!(mail = %mail.id, kind = mail.kind, "account mail sent"),
            Some(error) => {
                tracing::warn!(mail = %mail.id, kind = mail.kind, attempts = mail.attempts + 1, error, outcome = named, "account mail not sent");
            }
        }
    }
}
