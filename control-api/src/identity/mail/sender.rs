//! The account mail sender, run by `serve` and `worker`: claims due mail one at a time
//! `FOR UPDATE SKIP LOCKED` (so replicas share the work and none sends a mail twice), sends it,
//! and marks it. Woken in-process right after a mail is committed, and polling every few seconds
//! for mail written by another process or come due for a retry.
//!
//! A 4xx is tried again with a growing delay for up to 72 hours from the mail's creation, a 5xx
//! is final; a server that cannot be reached counts no attempt: the mail stays due and the
//! sender pauses briefly, growing while the server stays away. Without `SMTP_URL` mail waits
//! (said once in the log) until a process with a mail server sends it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use prometheus::{Gauge, IntCounterVec, Opts, Registry};
use shared::backoff;
use shared::mail::{Mailer, SendError};
use sqlx::PgPool;
use tokio::sync::Notify;

use super::outbox;

/// How often an idle sender looks for mail written elsewhere or come due.
const POLL: Duration = Duration::from_secs(3);
/// How long the sender waits after the control database failed it.
const ERROR_PAUSE: Duration = Duration::from_secs(1);
/// How long a refused-for-now mail is tried.
pub const RETRY_WINDOW: Duration = Duration::from_secs(72 * 3600);
/// Sent and failed mail is deleted this long after its creation.
const KEEP_DONE: Duration = Duration::from_secs(30 * 24 * 3600);
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// What becomes of a mail the server refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterRefusal {
    RetryAt(DateTime<Utc>),
    Fail,
}

/// A transient refusal (4xx) is retried after `backoff::MAIL_REFUSED` while the next try falls within
/// `RETRY_WINDOW` of the mail's creation; a permanent one (5xx), or a transient one past the
/// window, fails the mail. `attempts` counts this refusal.
pub fn after_refusal(transient: bool, attempts: i32, created_at: DateTime<Utc>, now: DateTime<Utc>) -> AfterRefusal {
    if !transient {
        return AfterRefusal::Fail;
    }
    let next =
        now + chrono::Duration::from_std(backoff::MAIL_REFUSED.after_attempts(attempts)).expect("a small duration");
    let deadline = created_at + chrono::Duration::from_std(RETRY_WINDOW).expect("a small duration");
    if next > deadline { AfterRefusal::Fail } else { AfterRefusal::RetryAt(next) }
}

/// Account mail by kind and outcome, and the age of the oldest mail waiting.
#[derive(Clone)]
pub struct MailMetrics {
    pub mails: IntCounterVec,
    pub oldest_pending: Gauge,
}

impl MailMetrics {
    pub fn register(registry: &Registry) -> Self {
        let mails = IntCounterVec::new(
            Opts::new(
                "account_mail_total",
                "Account mail handled, by kind and outcome (sent, deferred, failed, unreachable)",
            ),
            &["kind", "outcome"],
        )
        .expect("valid metric");
        let oldest_pending = Gauge::new(
            "account_mail_oldest_pending_seconds",
            "How long the oldest account mail not yet sent has waited",
        )
        .expect("valid metric");
        registry.register(Box::new(mails.clone())).expect("registered once");
        registry.register(Box::new(oldest_pending.clone())).expect("registered once");
        Self { mails, oldest_pending }
    }
}

/// What one pass over the due mail found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Mail accepted by the server.
    pub sent: usize,
    /// The pass stopped because the server could not be reached (or none is configured).
    pub unreachable: bool,
}

/// What became of one claimed mail.
enum Attempt {
    Sent,
    /// Refused, for now or for good: marked, and the next mail is tried.
    Refused,
    Unreachable,
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

    /// Sends the mail that is due until none is left or the server cannot be reached.
    pub async fn run_due(&self) -> sqlx::Result<Pass> {
        let mut pass = Pass::default();
        if self.mailer.is_configured() {
            loop {
                match self.send_one().await? {
                    None => break,
                    Some(Attempt::Sent) => pass.sent += 1,
                    Some(Attempt::Refused) => {}
                    Some(Attempt::Unreachable) => {
                        pass.unreachable = true;
                        break;
                    }
                }
            }
        } else {
            pass.unreachable = true;
        }
        let age = outbox::oldest_pending_age(&self.db).await?;
        self.metrics.oldest_pending.set(age.as_secs_f64());
        Ok(pass)
    }

    /// Claims and sends one due mail: `None` when none was due, `Some(Attempt::Unreachable)`
    /// when the server could not be reached (the mail stays due).
    async fn send_one(&self) -> sqlx::Result<Option<Attempt>> {
        let mut claim = self.db.begin().await?;
        let Some(mail) = outbox::claim(&mut claim).await? else { return Ok(None) };
        let sent = self.mailer.send(&mail.outgoing()).await;
        let (outcome, result) = match &sent {
            Ok(()) => {
                outbox::mark_sent(&mut claim, mail.id).await?;
                ("sent", Attempt::Sent)
            }
            Err(SendError::Unreachable(why)) => {
                outbox::note_unreachable(&mut claim, mail.id, why).await?;
                ("unreachable", Attempt::Unreachable)
            }
            Err(refusal @ (SendError::Transient(why) | SendError::Permanent(why))) => {
                let transient = matches!(refusal, SendError::Transient(_));
                let attempts = mail.attempts + 1;
                match after_refusal(transient, attempts, mail.created_at, Utc::now()) {
                    AfterRefusal::RetryAt(at) => {
                        outbox::mark_retry(&mut claim, mail.id, at, why).await?;
                        ("deferred", Attempt::Refused)
                    }
                    AfterRefusal::Fail => {
                        outbox::mark_failed(&mut claim, mail.id, why).await?;
                        ("failed", Attempt::Refused)
                    }
                }
            }
        };
        claim.commit().await?;
        self.metrics.mails.with_label_values(&[mail.kind.as_str(), outcome]).inc();
        match &sent {
            Ok(()) => tracing::info!(mail = %mail.id, kind = mail.kind, "account mail sent"),
            Err(err) => {
                tracing::warn!(mail = %mail.id, kind = mail.kind, attempts = mail.attempts + 1, error = %err, outcome, "account mail not sent");
            }
        }
        Ok(Some(result))
    }

    /// Sends mail as it comes until `shutdown` resolves.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        if !self.mailer.is_configured() {
            tracing::warn!("SMTP_URL is not set: account mail waits in its table until a mail server is configured");
        }
        let mut unreachable_times = 0u32;
        let mut last_purge: Option<Instant> = None;
        loop {
            if last_purge.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
                last_purge = Some(Instant::now());
                if let Err(err) = outbox::purge_done(&self.db, KEEP_DONE).await {
                    tracing::warn!(error = %err, "could not purge old account mail");
                }
            }
            let pause = match self.run_due().await {
                Ok(pass) if pass.unreachable && self.mailer.is_configured() => {
                    unreachable_times = unreachable_times.saturating_add(1);
                    backoff::MAIL_SERVER_AWAY.after(unreachable_times)
                }
                Ok(_) => {
                    unreachable_times = 0;
                    POLL
                }
                Err(err) => {
                    tracing::error!(error = %err, "account mail sender: control database error");
                    ERROR_PAUSE
                }
            };
            tokio::select! {
                () = &mut shutdown => break,
                () = self.wake.notified(), if unreachable_times == 0 => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
        tracing::info!("account mail sender stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
    }

    #[test]
    fn retries_stop_72_hours_after_the_mail_was_written() {
        let created = at("2030-01-01T00:00:00Z");
        let early = at("2030-01-01T00:01:00Z");
        assert_eq!(after_refusal(true, 1, created, early), AfterRefusal::RetryAt(at("2030-01-01T00:01:30Z")));
        // The last try that still falls within the window.
        let late = at("2030-01-03T23:00:00Z");
        assert_eq!(after_refusal(true, 20, created, late), AfterRefusal::RetryAt(at("2030-01-04T00:00:00Z")));
        let later = at("2030-01-03T23:00:01Z");
        assert_eq!(after_refusal(true, 20, created, later), AfterRefusal::Fail);
        // Every 4xx for three days: a bounded number of tries.
        let (mut now, mut attempts) = (created, 0);
        while let AfterRefusal::RetryAt(next) = after_refusal(true, attempts + 1, created, now) {
            (now, attempts) = (next, attempts + 1);
        }
        assert!((70..=80).contains(&attempts), "{attempts}");
        assert!(now <= created + chrono::Duration::hours(72));
    }

    #[test]
    fn a_permanent_refusal_is_final_at_once() {
        let created = at("2030-01-01T00:00:00Z");
        assert_eq!(after_refusal(false, 1, created, created), AfterRefusal::Fail);
    }
}
