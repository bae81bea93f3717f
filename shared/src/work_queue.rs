//! The one shape of a durable work queue: rows in PostgreSQL that wait until they are due, are
//! claimed `FOR UPDATE SKIP LOCKED` (another worker skips them, so replicas share the work and
//! none runs an item twice), worked, and settled: done, tried again later on the one backoff rule
//! (`Retries`), given up for good (the terminal `failed` state), or left as they were because
//! what the work needs is away (a mail server that cannot be reached counts no attempt).
//!
//! Each queue keeps its own table and its SQL, checked against the schema at build time; what
//! is written once is here:
//! - **`WorkQueue` and `drain`**: a queue says how it claims, works and settles one item; `drain`
//!   runs items one transaction each (the claim's lock is held while the item is worked, so a
//!   crashed worker's lock goes with its connection and the item is due again), until none is
//!   due, a budget is spent, or the work's dependency is away.
//! - **`poll`**: the loop of a queue in one database (the control plane's): drain, then wait to
//!   be woken or for the next poll, backing off while the dependency is away or the database
//!   fails.
//! - **`Retries`**: after a refusal, when to try again, and when to give up (after a number of
//!   attempts or a time from the item's creation).
//! - **`QueueMetrics`**: one metrics family for every queue: `work_queue_depth`,
//!   `work_queue_oldest_seconds` and `work_queue_attempts_total` by queue and outcome.
//!
//! Queues whose items are leased rather than locked (the webhook deliveries, the tenants'
//! schedules: their work outlives a transaction) claim with the same `SKIP LOCKED` statement
//! shape, push the item's due time to the lease's end, and settle through the same outcomes and
//! metrics.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use prometheus::{GaugeVec, IntCounterVec, IntGaugeVec, Registry};
use sqlx::{Connection as _, PgConnection};
use tokio::sync::Notify;

use crate::backoff::Backoff;
use crate::metrics::Registrar;

/// What became of one claimed item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Worked: the item leaves the queue.
    Done,
    /// Refused for now: tried again at `at`; the attempt counts.
    Retry { at: DateTime<Utc>, error: String },
    /// Refused for good at once (a permanent refusal): the item is failed and stays as a record.
    Refused { error: String },
    /// Retried past the limit: the item is failed and stays as a record.
    Failed { error: String },
    /// What the work needs could not be reached: the item stays due, no attempt counts, and the
    /// queue pauses (`backoff::MAIL_SERVER_AWAY` and the like) before it tries again.
    Away { error: String },
}

impl Outcome {
    /// The outcome's name in metrics and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Retry { .. } => "retry",
            Self::Refused { .. } => "refused",
            Self::Failed { .. } => "failed",
            Self::Away { .. } => "away",
        }
    }

    /// What went wrong, if anything did.
    pub fn error(&self) -> Option<&str> {
        match self {
            Self::Done => None,
            Self::Retry { error, .. } | Self::Refused { error } | Self::Failed { error } | Self::Away { error } => {
                Some(error)
            }
        }
    }
}

/// When a refused item is given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// After this many attempts.
    After(i32),
    /// When the next try would fall later than this after the item's creation.
    Past(Duration),
}

/// A queue's retry rule: the schedule of its tries, and when it gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retries {
    pub schedule: Backoff,
    pub give_up: GiveUp,
}

impl Retries {
    pub const fn new(schedule: Backoff, give_up: GiveUp) -> Self {
        Self { schedule, give_up }
    }

    /// What becomes of an item refused at `now`: `attempts` counts this refusal, `created_at`
    /// is when the item was written. A refusal that is not `transient` is final at once.
    pub fn after_refusal(
        &self,
        transient: bool,
        attempts: i32,
        created_at: DateTime<Utc>,
        now: DateTime<Utc>,
        error: impl Into<String>,
    ) -> Outcome {
        let error = error.into();
        if !transient {
            return Outcome::Refused { error };
        }
        let wait = self.schedule.after_attempts(attempts);
        let at = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
        let give_up = match self.give_up {
            GiveUp::After(limit) => attempts >= limit,
            GiveUp::Past(window) => {
                at > created_at + chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX)
            }
        };
        if give_up { Outcome::Failed { error } } else { Outcome::Retry { at, error } }
    }
}

/// A durable queue of items in one database: how one item is claimed, worked and settled.
pub trait WorkQueue: Send + Sync {
    type Item: Send + Sync;

    /// The queue's name in metrics and logs.
    fn name(&self) -> &'static str;

    /// Claims the next due item in the caller's transaction (`FOR UPDATE SKIP LOCKED`), or
    /// `None` when none is due.
    fn claim(&self, tx: &mut PgConnection) -> impl Future<Output = sqlx::Result<Option<Self::Item>>> + Send;

    /// Works the item; the claim's transaction stays open (and the item locked) meanwhile.
    fn work(&self, item: &Self::Item) -> impl Future<Output = Outcome> + Send;

    /// Records `outcome` in the claim's transaction, which commits right after.
    fn settle(
        &self,
        tx: &mut PgConnection,
        item: &Self::Item,
        outcome: &Outcome,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;

    /// Called once the outcome is committed (counters, logs, what follows a change).
    fn settled(&self, item: &Self::Item, outcome: &Outcome) -> impl Future<Output = ()> + Send {
        let _ = (item, outcome);
        async {}
    }
}

/// What one `drain` came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drained {
    /// Items settled, whatever their outcome.
    pub settled: usize,
    /// Items worked to `Done`.
    pub done: usize,
    /// The drain stopped because the work's dependency is away (the item is still due).
    pub away: bool,
    /// The drain stopped because its budget was spent: more may be due.
    pub more: bool,
    /// The soonest retry among the items it put off.
    pub soonest_retry: Option<DateTime<Utc>>,
}

/// Claims, works and settles items of `queue` on `conn`, one transaction each, until none is
/// due, `budget` items were settled, or an item's work found its dependency away.
pub async fn drain<Q: WorkQueue>(
    queue: &Q,
    conn: &mut PgConnection,
    budget: usize,
    metrics: &QueueMetrics,
) -> sqlx::Result<Drained> {
    let mut drained = Drained::default();
    loop {
        if drained.settled >= budget {
            drained.more = true;
            return Ok(drained);
        }
        let mut tx = conn.begin().await?;
        let Some(item) = queue.claim(&mut tx).await? else {
            tx.rollback().await?;
            return Ok(drained);
        };
        let outcome = queue.work(&item).await;
        queue.settle(&mut tx, &item, &outcome).await?;
        tx.commit().await?;
        metrics.attempt(queue.name(), outcome.name());
        queue.settled(&item, &outcome).await;
        match &outcome {
            Outcome::Away { .. } => {
                drained.away = true;
                return Ok(drained);
            }
            Outcome::Done => drained.done += 1,
            Outcome::Retry { at, .. } => {
                drained.soonest_retry = Some(drained.soonest_retry.map_or(*at, |soonest| soonest.min(*at)));
            }
            Outcome::Refused { .. } | Outcome::Failed { .. } => {}
        }
        drained.settled += 1;
    }
}

/// How `poll` paces a queue.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// How often an idle queue looks for items written elsewhere or come due.
    pub idle: Duration,
    /// How long it waits while the work's dependency is away, by the times in a row.
    pub away: Backoff,
    /// How long it waits after the database failed it.
    pub database_error: Duration,
}

/// Drains `queue` in `db` as items come until `shutdown` resolves: after each drain it waits for
/// `wake` (notified by the writers of this process once their transaction commits) or for the
/// pace's next poll. `between` runs before each drain (housekeeping on its own schedule).
pub async fn poll<Q: WorkQueue, F: Future<Output = ()> + Send>(
    queue: &Q,
    db: &sqlx::PgPool,
    wake: &Notify,
    pace: Pace,
    metrics: &QueueMetrics,
    mut between: impl FnMut() -> F + Send,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    let mut away_times = 0u32;
    loop {
        between().await;
        let drained = match db.acquire().await {
            Ok(mut conn) => drain(queue, &mut conn, usize::MAX, metrics).await,
            Err(err) => Err(err),
        };
        let pause = match drained {
            Ok(drained) if drained.away => {
                away_times = away_times.saturating_add(1);
                pace.away.after(away_times)
            }
            Ok(_) => {
                away_times = 0;
                pace.idle
            }
            Err(err) => {
                tracing::error!(queue = queue.name(), error = %err, "work queue: database error");
                pace.database_error
            }
        };
        tokio::select! {
            () = &mut shutdown => break,
            // While the dependency is away, new items wait for the pause like the others.
            () = wake.notified(), if away_times == 0 => {}
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// A wake for a queue whose writers are in other processes too: notified on every `NOTIFY` on
/// `channel` (the writers send one in the transaction that writes an item). Without a listener
/// (it could not connect) the queue polls alone; the listener reconnects by itself.
pub async fn listen(db: &sqlx::PgPool, channel: &'static str) -> Wake {
    let wake = Wake::default();
    let mut listener = match sqlx::postgres::PgListener::connect_with(db).await {
        Ok(listener) => listener,
        Err(err) => {
            tracing::warn!(channel, error = %err, "work queue cannot LISTEN; polling instead");
            return wake;
        }
    };
    if let Err(err) = listener.listen(channel).await {
        tracing::warn!(channel, error = %err, "work queue cannot LISTEN; polling instead");
        return wake;
    }
    let notified = Arc::clone(&wake);
    tokio::spawn(async move {
        // Ends when the queue is gone (nobody holds its wake but this task).
        while Arc::strong_count(&notified) > 1 {
            match tokio::time::timeout(Duration::from_secs(5), listener.recv()).await {
                Ok(Ok(_)) => notified.notify_one(),
                Ok(Err(err)) => {
                    tracing::debug!(channel, error = %err, "work queue listener: connection lost; it reconnects");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(_) => {}
            }
        }
    });
    wake
}

/// What a queue's process does when it cannot work the queue (no mail server configured): its
/// housekeeping at the idle pace, until `shutdown` resolves.
pub async fn idle<F: Future<Output = ()> + Send>(
    pace: Pace,
    mut between: impl FnMut() -> F + Send,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    loop {
        between().await;
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(pace.idle) => {}
        }
    }
}

/// A queue's backlog: how many items wait, and since when the oldest does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    pub depth: i64,
    pub oldest: Option<DateTime<Utc>>,
}

/// Two backlogs as one (a queue's, summed over tenants).
impl std::ops::Add for Backlog {
    type Output = Self;

    fn add(self, other: Self) -> Self {
        Self {
            depth: self.depth + other.depth,
            oldest: match (self.oldest, other.oldest) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

/// The one metrics family of every work queue, labelled by queue.
#[derive(Clone)]
pub struct QueueMetrics {
    depth: IntGaugeVec,
    oldest: GaugeVec,
    attempts: IntCounterVec,
}

impl QueueMetrics {
    pub fn register(registry: &Registry) -> Self {
        let metrics = Registrar(registry);
        let depth = metrics.gauge_vec("work_queue_depth", "Items waiting in a work queue, as last read", &["queue"]);
        let oldest = metrics.float_gauge_vec(
            "work_queue_oldest_seconds",
            "How long the oldest item of a work queue has waited, as last read",
            &["queue"],
        );
        let attempts = metrics.counter_vec(
            "work_queue_attempts_total",
            "Items of a work queue worked, by outcome (done, retry, refused, failed, away)",
            &["queue", "outcome"],
        );
        Self { depth, oldest, attempts }
    }

    /// Counts one worked item by its outcome's name (`Outcome::name`: a leased queue with
    /// outcomes of its own names the one it comes to).
    pub fn attempt(&self, queue: &str, outcome: &'static str) {
        self.attempts.with_label_values(&[queue, outcome]).inc();
    }

    /// Sets the queue's depth and the age of its oldest item as of `now`.
    pub fn backlog(&self, queue: &str, backlog: Backlog, now: DateTime<Utc>) {
        self.depth.with_label_values(&[queue]).set(backlog.depth);
        #[allow(clippy::cast_precision_loss, reason = "an age in milliseconds")]
        let age = backlog.oldest.map_or(0.0, |at| (now - at).num_milliseconds().max(0) as f64 / 1000.0);
        self.oldest.with_label_values(&[queue]).set(age);
    }
}

/// Wakes a queue's poller in this process; share it between the writers and the poller.
pub type Wake = Arc<Notify>;

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + chrono::Duration::minutes(minutes)
    }

    const MAIL: Retries = Retries::new(crate::backoff::MAIL_REFUSED, GiveUp::Past(Duration::from_secs(3 * 3600)));

    #[test]
    fn a_transient_refusal_is_retried_on_the_schedule_until_the_window_closes() {
        let first = MAIL.after_refusal(true, 1, at(0), at(0), "busy");
        assert_eq!(first, Outcome::Retry { at: at(0) + chrono::Duration::seconds(30), error: "busy".into() });
        let fourth = MAIL.after_refusal(true, 4, at(0), at(10), "busy");
        assert_eq!(fourth, Outcome::Retry { at: at(14), error: "busy".into() });
        // Capped at an hour; an hour from 2 h 30 falls past the 3 h window.
        assert_eq!(MAIL.after_refusal(true, 20, at(0), at(150), "busy"), Outcome::Failed { error: "busy".into() });
        assert!(matches!(MAIL.after_refusal(true, 20, at(0), at(110), "busy"), Outcome::Retry { .. }));
    }

    #[test]
    fn a_permanent_refusal_fails_at_once() {
        assert_eq!(
            MAIL.after_refusal(false, 1, at(0), at(0), "no such user"),
            Outcome::Refused { error: "no such user".into() }
        );
    }

    #[test]
    fn a_counted_limit_gives_up_at_the_last_attempt() {
        let jobs = Retries::new(Backoff::new(Duration::from_secs(2), Duration::from_secs(300)), GiveUp::After(3));
        assert_eq!(
            jobs.after_refusal(true, 2, at(0), at(0), "e"),
            Outcome::Retry { at: at(0) + chrono::Duration::seconds(4), error: "e".into() }
        );
        assert_eq!(jobs.after_refusal(true, 3, at(0), at(0), "e"), Outcome::Failed { error: "e".into() });
    }

    #[test]
    fn backlogs_add_up_to_the_oldest_item() {
        let a = Backlog { depth: 2, oldest: Some(at(5)) };
        let b = Backlog { depth: 3, oldest: Some(at(1)) };
        assert_eq!(a + b, Backlog { depth: 5, oldest: Some(at(1)) });
        assert_eq!(a + Backlog::default(), a);
    }

    #[test]
    fn the_family_is_labelled_by_queue_and_outcome() {
        let registry = crate::metrics::Metrics::new();
        let metrics = QueueMetrics::register(registry.registry());
        metrics.attempt("account_mail", Outcome::Done.name());
        metrics.attempt("account_mail", Outcome::Away { error: "down".into() }.name());
        metrics.backlog("account_mail", Backlog { depth: 4, oldest: Some(at(0)) }, at(1));
        let text = registry.render();
        assert!(text.contains(r#"work_queue_attempts_total{outcome="done",queue="account_mail"} 1"#), "{text}");
        assert!(text.contains(r#"work_queue_attempts_total{outcome="away",queue="account_mail"} 1"#), "{text}");
        assert!(!text.contains(r#"queue="provisioning""#), "{text}");
        assert!(text.contains(r#"work_queue_depth{queue="account_mail"} 4"#), "{text}");
        assert!(text.contains(r#"work_queue_oldest_seconds{queue="account_mail"} 60"#), "{text}");
    }
}
