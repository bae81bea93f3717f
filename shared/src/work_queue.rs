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
//! - **`LeasedQueue` and `drain_leased`**: a queue whose items are leased rather than locked
//!   (the tenants' schedules, mail a crash left half read: their work outlives a transaction,
//!   and several items are worked at once). A claim takes a batch with the same `SKIP LOCKED`
//!   statement shape and pushes each item's due time to the lease's end, so an item whose worker
//!   died is due again when the lease is over; the work settles its item itself (writes its next
//!   due time, or removes it) and comes to the same outcomes, counted in the same family. The
//!   webhook deliveries lease their items the same way in their own loop (one receiver's order).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use prometheus::{GaugeVec, IntCounterVec, IntGaugeVec, Registry};
use sqlx::{PgConnection, Postgres, Transaction};
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

/// Where a queue's transactions begin: a plain connection, or one to a tenant's rows, whose
/// transactions name their tenant first.
pub trait Transactions: Send {
    fn begin(&mut self) -> impl Future<Output = sqlx::Result<Transaction<'_, Postgres>>> + Send;
}

impl Transactions for PgConnection {
    fn begin(&mut self) -> impl Future<Output = sqlx::Result<Transaction<'_, Postgres>>> + Send {
        sqlx::Connection::begin(self)
    }
}

/// Claims, works and settles items of `queue` on `conn`, one transaction each, until none is
/// due, `budget` items were settled, or an item's work found its dependency away.
pub async fn drain<Q: WorkQueue>(
    queue: &Q,
    conn: &mut impl Transactions,
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

/// A durable queue whose items are leased: claimed a batch at a time with their due time pushed
/// to the lease's end, then worked outside the claim's transaction, a few at once.
pub trait LeasedQueue: Send + Sync + 'static {
    type Item: Send + 'static;
    /// What working one item tells the caller (a visit's counts, say).
    type Worked: Send + 'static;
    /// Why a claim failed (the database, or reaching it).
    type Error;

    /// The queue's name in metrics and logs.
    fn name(&self) -> &'static str;

    /// Claims up to `limit` due items (`FOR UPDATE SKIP LOCKED`, in one statement), leasing each
    /// one: its due time moves to the lease's end.
    fn claim(&self, limit: i64) -> impl Future<Output = Result<Vec<Self::Item>, Self::Error>> + Send;

    /// Works the item and settles it (writes its next due time, or takes it off the queue). An
    /// item left unsettled comes back when its lease is over: its outcome is a `Retry` at that
    /// time.
    fn work(&self, item: Self::Item) -> impl Future<Output = (Outcome, Self::Worked)> + Send;
}

/// How `drain_leased` takes a leased queue's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lanes {
    /// Items one claim takes.
    pub batch: i64,
    /// Items worked at once.
    pub concurrency: usize,
    /// Claims one drain makes at most (it stops sooner when a claim comes back short).
    pub claims: usize,
}

/// What one `drain_leased` came to.
#[derive(Debug)]
pub struct DrainedLeased<W> {
    /// What each worked item told, in the order they finished.
    pub worked: Vec<W>,
    /// Items whose work panicked: their lease brings them back.
    pub panicked: usize,
}

/// Claims `queue`'s due items and works them, `lanes.concurrency` at once, until a claim comes
/// back short or `lanes.claims` claims were made; each item's outcome is counted in `metrics`.
pub async fn drain_leased<Q: LeasedQueue>(
    queue: &Arc<Q>,
    lanes: Lanes,
    metrics: &QueueMetrics,
) -> Result<DrainedLeased<Q::Worked>, Q::Error> {
    let mut drained = DrainedLeased { worked: Vec::new(), panicked: 0 };
    let limit = Arc::new(tokio::sync::Semaphore::new(lanes.concurrency.max(1)));
    for _ in 0..lanes.claims {
        let items = queue.claim(lanes.batch).await?;
        let claimed = items.len();
        let mut tasks = tokio::task::JoinSet::new();
        for item in items {
            let (queue, limit) = (Arc::clone(queue), Arc::clone(&limit));
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await.expect("never closed");
                queue.work(item).await
            });
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((outcome, worked)) => {
                    metrics.attempt(queue.name(), outcome.name());
                    if let Some(error) = outcome.error() {
                        tracing::debug!(queue = queue.name(), outcome = outcome.name(), error, "leased item worked");
                    }
                    drained.worked.push(worked);
                }
                Err(err) => {
                    metrics.attempt(queue.name(), "panicked");
                    tracing::error!(queue = queue.name(), error = %err, "leased item: its work panicked");
                    drained.panicked += 1;
                }
            }
        }
        if i64::try_from(claimed).unwrap_or(i64::MAX) < lanes.batch {
            break;
        }
    }
    Ok(drained)
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
            Ok(mut conn) => drain(queue, &mut *conn, usize::MAX, metrics).await,
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
            "Items of a work queue worked, by outcome (done, retry, refused, failed, away, panicked)",
            &["queue", "outcome"],
        );
        Self { depth, oldest, attempts }
    }

    /// Counts one worked item by its outcome's name (`Outcome::name`: a leased queue with
    /// outcomes of its own names the one it comes to).
    /// Shows `queue`'s attempts of each of `outcomes` (at 0) before any happens, so that an
    /// alert on them reads a live series from the start.
    pub fn expect(&self, queue: &str, outcomes: &[&'static str]) {
        for outcome in outcomes {
            self.attempts.with_label_values(&[queue, outcome]);
        }
    }

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

    /// A leased queue of numbers in memory: a claim takes the next `limit` of them; an even
    /// number is done, an odd one retried, 13 panics; at most `running` are worked at once.
    struct Numbers {
        next: std::sync::Mutex<std::ops::Range<i64>>,
        running: std::sync::atomic::AtomicUsize,
        most_at_once: std::sync::atomic::AtomicUsize,
    }

    impl LeasedQueue for Numbers {
        type Item = i64;
        type Worked = i64;
        type Error = std::convert::Infallible;

        fn name(&self) -> &'static str {
            "numbers"
        }

        async fn claim(&self, limit: i64) -> Result<Vec<i64>, Self::Error> {
            let mut next = self.next.lock().unwrap();
            let end = next.end.min(next.start + limit);
            let claimed = (next.start..end).collect();
            next.start = end;
            Ok(claimed)
        }

        async fn work(&self, item: i64) -> (Outcome, i64) {
            use std::sync::atomic::Ordering::SeqCst;
            let now = self.running.fetch_add(1, SeqCst) + 1;
            self.most_at_once.fetch_max(now, SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.running.fetch_sub(1, SeqCst);
            assert_ne!(item, 13, "the unlucky number");
            let outcome = if item % 2 == 0 { Outcome::Done } else { Outcome::Retry { at: at(1), error: "odd".into() } };
            (outcome, item)
        }
    }

    fn numbers(range: std::ops::Range<i64>) -> Arc<Numbers> {
        Arc::new(Numbers { next: std::sync::Mutex::new(range), running: 0.into(), most_at_once: 0.into() })
    }

    #[tokio::test]
    async fn a_leased_drain_works_every_claimed_item_a_few_at_once_until_a_claim_comes_back_short() {
        let registry = crate::metrics::Metrics::new();
        let metrics = QueueMetrics::register(registry.registry());
        let queue = numbers(0..25);
        let lanes = Lanes { batch: 10, concurrency: 3, claims: usize::MAX };
        let drained = drain_leased(&queue, lanes, &metrics).await.unwrap();
        let mut worked = drained.worked;
        worked.sort_unstable();
        assert_eq!(worked, (0..25).filter(|&n| n != 13).collect::<Vec<_>>());
        assert_eq!(drained.panicked, 1);
        assert_eq!(queue.most_at_once.load(std::sync::atomic::Ordering::SeqCst), 3);
        let text = registry.render();
        assert!(text.contains(r#"work_queue_attempts_total{outcome="done",queue="numbers"} 13"#), "{text}");
        assert!(text.contains(r#"work_queue_attempts_total{outcome="retry",queue="numbers"} 11"#), "{text}");
        assert!(text.contains(r#"work_queue_attempts_total{outcome="panicked",queue="numbers"} 1"#), "{text}");
    }

    #[tokio::test]
    async fn a_leased_drain_makes_no_more_claims_than_its_lanes_allow() {
        let registry = crate::metrics::Metrics::new();
        let metrics = QueueMetrics::register(registry.registry());
        let queue = numbers(100..200);
        let drained = drain_leased(&queue, Lanes { batch: 4, concurrency: 2, claims: 2 }, &metrics).await.unwrap();
        assert_eq!(drained.worked.len(), 8);
        assert_eq!(queue.next.lock().unwrap().start, 108, "the rest waits for the next drain");
    }

    #[test]
    fn the_family_is_labelled_by_queue_and_outcome() {
        let registry = crate::metrics::Metrics::new();
        let metrics = QueueMetrics::register(registry.registry());
        metrics.attempt("account_mail", Outcome::Done.name());
        metrics.attempt("account_mail", Outcome::Away { error: "down".into() }.name());
        metrics.backlog("account_mail", Backlog { depth: 4, oldest: Some(at(0)) }, at(1));
        metrics.expect("tenant_purges", &["retry"]);
        let text = registry.render();
        assert!(text.contains(r#"work_queue_attempts_total{outcome="retry",queue="tenant_purges"} 0"#), "{text}");
        assert!(text.contains(r#"work_queue_attempts_total{outcome="done",queue="account_mail"} 1"#), "{text}");
        assert!(text.contains(r#"work_queue_attempts_total{outcome="away",queue="account_mail"} 1"#), "{text}");
        assert!(!text.contains(r#"queue="provisioning""#), "{text}");
        assert!(text.contains(r#"work_queue_depth{queue="account_mail"} 4"#), "{text}");
        assert!(text.contains(r#"work_queue_oldest_seconds{queue="account_mail"} 60"#), "{text}");
    }
}
