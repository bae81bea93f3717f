//! How the worker learns which tenants changed, without asking every tenant: the relay (rows to
//! publish) and the scheduled jobs (SLA due dates that moved) are both woken by hints.
//!
//! A ticket write that left events or moved due dates hints its tenant right after its commit
//! (`commands::TicketWriter::settle`, and the jobs after theirs): into this process's queues where the relay and
//! the jobs run here, else on Redis
//! (`{REDIS_KEY_PREFIX}outbox-hints`, the tenant's slug) for the workers of other replicas. A
//! hint is only a wake-up: the relay reads the outbox to learn what is there, the jobs the
//! tenant's due tickets, so a hint for nothing costs one query, and a lost hint delays the work
//! until a sweep finds it (`OUTBOX_SWEEP_SECONDS`, `SLA_SWEEP_SECONDS`).
//!
//! Why this and not the alternatives: polling every tenant each cycle costs a connection and a
//! query per tenant per cycle whether it has work or not (1,000 tenants, 1,000 queries a cycle);
//! PostgreSQL `LISTEN` would need one open connection per tenant database, against the same
//! budget requests use; a "dirty tenants" table in the control database would make every write
//! request also write there. A hint costs nothing when the worker runs in the writing process and
//! one Redis `PUBLISH` otherwise, and its loss is bounded by the sweeps.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use shared::config::RedisAddress;
use shared::redis::subscriber;
use tokio::sync::Notify;

use crate::tenancy::resolve::Tenant;

/// A tenant to visit: its slug, and the tenant itself when the hint came with it.
#[derive(Debug, Clone)]
pub struct Target {
    pub slug: String,
    pub tenant: Option<Arc<Tenant>>,
}

enum Entry {
    Queued(Option<Arc<Tenant>>),
    /// Being relayed; `again` when a hint came meanwhile (rows committed after the relay's
    /// read may be waiting).
    Running {
        again: bool,
    },
}

#[derive(Default)]
struct State {
    order: VecDeque<String>,
    entries: HashMap<String, Entry>,
}

/// The tenants a worker of this process (the relay, the jobs) is to visit, each once however many
/// hints came, in the order they came.
#[derive(Default)]
pub struct Queue {
    state: Mutex<State>,
    ready: Notify,
}

impl Queue {
    /// Asks for a visit of `slug`.
    pub fn push(&self, slug: &str, tenant: Option<Arc<Tenant>>) {
        let mut state = self.state.lock().expect("not poisoned");
        match state.entries.get_mut(slug) {
            Some(Entry::Queued(known)) => {
                if tenant.is_some() {
                    *known = tenant;
                }
            }
            Some(Entry::Running { again }) => *again = true,
            None => {
                state.entries.insert(slug.to_owned(), Entry::Queued(tenant));
                state.order.push_back(slug.to_owned());
                drop(state);
                self.ready.notify_one();
            }
        }
    }

    /// The next tenant to visit, marked running; waits for one.
    pub async fn next(&self) -> Target {
        loop {
            let ready = self.ready.notified();
            tokio::pin!(ready);
            ready.as_mut().enable();
            if let Some(target) = self.take() {
                return target;
            }
            ready.await;
        }
    }

    /// The next tenant to visit, as `next`, or `None` once `stop` resolves first (a worker's
    /// loop: `while let Some(target) = queue.next_until(stop.as_mut()).await`).
    pub async fn next_until(&self, stop: std::pin::Pin<&mut impl Future<Output = ()>>) -> Option<Target> {
        tokio::select! {
            () = stop => None,
            target = self.next() => Some(target),
        }
    }

    fn take(&self) -> Option<Target> {
        let mut state = self.state.lock().expect("not poisoned");
        let slug = state.order.pop_front()?;
        let entry = state.entries.insert(slug.clone(), Entry::Running { again: false });
        let tenant = match entry {
            Some(Entry::Queued(tenant)) => tenant,
            _ => None,
        };
        let more = !state.order.is_empty();
        drop(state);
        if more {
            // Another worker may take the next one.
            self.ready.notify_one();
        }
        Some(Target { slug, tenant })
    }

    /// The visit of `target` is over; it is queued again (at the back) when `again` or when a
    /// hint came meanwhile.
    pub fn done(&self, target: Target, again: bool) {
        let mut state = self.state.lock().expect("not poisoned");
        let hinted = matches!(state.entries.get(&target.slug), Some(Entry::Running { again: true }));
        if again || hinted {
            state.entries.insert(target.slug.clone(), Entry::Queued(target.tenant));
            state.order.push_back(target.slug);
            drop(state);
            self.ready.notify_one();
        } else {
            state.entries.remove(&target.slug);
        }
    }

    /// Tenants queued or being relayed.
    pub fn len(&self) -> usize {
        self.state.lock().expect("not poisoned").entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where the hints of this process go.
pub struct Hints {
    /// Whether the relay, and the jobs, run in this process.
    relay_here: AtomicBool,
    jobs_here: AtomicBool,
    /// The relay's queue, and the jobs' queue.
    pub relay_queue: Arc<Queue>,
    pub jobs_queue: Arc<Queue>,
    redis: Option<shared::redis::Redis>,
    channel: String,
}

impl Hints {
    pub fn new(redis: Option<shared::redis::Redis>, prefix: &str) -> Self {
        Self {
            relay_here: AtomicBool::new(false),
            jobs_here: AtomicBool::new(false),
            relay_queue: Arc::default(),
            jobs_queue: Arc::default(),
            redis,
            channel: channel(prefix),
        }
    }

    /// A relay runs in this process from now on (or no longer): hints go to its queue.
    pub fn relay_runs_here(&self, runs: bool) {
        self.relay_here.store(runs, Ordering::Release);
    }

    /// The scheduled jobs run in this process from now on (or no longer).
    pub fn jobs_run_here(&self, run: bool) {
        self.jobs_here.store(run, Ordering::Release);
    }

    /// `tenant` committed work: to the queues of this process, and on Redis unless both the
    /// relay and the jobs run here.
    pub fn hint(&self, tenant: &Arc<Tenant>) {
        let relay = self.relay_here.load(Ordering::Acquire);
        let jobs = self.jobs_here.load(Ordering::Acquire);
        if relay {
            self.relay_queue.push(&tenant.slug, Some(Arc::clone(tenant)));
        }
        if jobs {
            self.jobs_queue.push(&tenant.slug, Some(Arc::clone(tenant)));
        }
        if relay && jobs {
            return;
        }
        let Some(redis) = self.redis.clone() else { return };
        let (channel, slug) = (self.channel.clone(), tenant.slug.clone());
        // Off the response's path; a lost hint is caught by the sweeps.
        tokio::spawn(async move {
            redis
                .run("outbox_hint", |mut conn| async move {
                    redis::cmd("PUBLISH").arg(channel).arg(slug).query_async::<i64>(&mut conn).await
                })
                .await;
        });
    }
}

fn channel(prefix: &str) -> String {
    format!("{prefix}outbox-hints")
}

/// Feeds the hints other replicas publish on Redis into `queue` until `shutdown` resolves,
/// subscribing again after a failure.
pub async fn listen(address: RedisAddress, prefix: String, queue: Arc<Queue>, shutdown: impl Future<Output = ()>) {
    let hints = Wakeups { channel: channel(&prefix), queue: &queue };
    subscriber::listen(&address, &hints, shutdown).await;
}

struct Wakeups<'a> {
    channel: String,
    queue: &'a Queue,
}

impl subscriber::Listener for Wakeups<'_> {
    fn name(&self) -> &'static str {
        "outbox hints"
    }

    fn channels(&self) -> Vec<String> {
        vec![self.channel.clone()]
    }

    async fn message(&self, _: &str, slug: String) {
        // Only a wake-up: the slug is resolved like a request's before anything is read.
        if shared::tenant::Slug::parse_syntax(&slug).is_ok() {
            self.queue.push(&slug, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_tenant_is_queued_once_and_again_when_hinted_while_running() {
        let queue = Queue::default();
        queue.push("acme", None);
        queue.push("acme", None);
        queue.push("beta", None);
        assert_eq!(queue.len(), 2);
        let first = queue.next().await;
        assert_eq!(first.slug, "acme");
        queue.push("acme", None);
        let second = queue.next().await;
        assert_eq!(second.slug, "beta");
        queue.done(second, false);
        queue.done(first, false);
        assert_eq!(queue.len(), 1, "acme was hinted while it ran: it comes back");
        let again = queue.next().await;
        assert_eq!(again.slug, "acme");
        queue.done(again, false);
        assert!(queue.is_empty());
    }
}
