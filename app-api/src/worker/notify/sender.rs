//! The notification worker's sending side: visits the tenants with mail waiting (queued by the
//! consumer after its commit, by the sweep, and again when a deferred mail comes due) and sends
//! their due deliveries, one transaction per mail.
//!
//! - **Claim**: the oldest due delivery whose conversation has no earlier mail waiting, locked
//!   `FOR UPDATE SKIP LOCKED`, so senders in several replicas, and the lanes of one visit (four
//!   mails of a tenant in flight at once), never take the same mail, and the mail about a
//!   ticket leaves in order.
//! - **Send, then mark**: the mark commits right after the server's answer. A crash between
//!   that answer and the commit is the one window in which a mail can go twice (the row is still
//!   pending): at most the mails in hand (one per lane), sent again with the same `Message-ID`,
//!   which mail readers show once. A crash before the answer leaves the row pending and the mail
//!   unsent (or refused by a server that never answered): it is sent after the restart.
//! - **Failures**: the server away (or no `SMTP_URL`) leaves the row as it is and the sender
//!   backs off (1 s doubling to 10 s) before visiting again; a 4xx is retried on the row's own
//!   schedule (30 s doubling to an hour) until 72 hours after the event; a 5xx fails the
//!   delivery and suppresses the address for the tenant.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use shared::backoff;
use shared::mail::Outgoing;
use shared::work_queue::{self, Outcome, WorkQueue};
use sqlx::PgConnection;

use super::Notifier;
use crate::events::hints::Target;
use crate::notifications::metrics::Outcome as DeliveryOutcome;
use crate::notifications::store::{self, Due};
use crate::notifications::{Channel, Kind};
use crate::tenancy::resolve::{Tenant, Unservable};

/// Mail one visit sends (about) at most before the tenant goes to the back of the queue.
const VISIT_BUDGET: usize = 50;
/// The queue's name in the work queue metrics.
pub(super) const QUEUE: &str = "notification_mail";
/// Connections (and mail in flight) one tenant's visit uses at once.
const LANES: usize = 4;

/// What one visit came to.
enum Visit {
    /// Nothing more is due now.
    Drained,
    /// The budget was spent; more may be due.
    More,
    /// The mail server could not be reached: the rows wait.
    ServerAway,
}

/// Sends until `shutdown` resolves; the mail in hand is finished first.
pub async fn run(notifier: Notifier, shutdown: impl Future<Output = ()> + Send + 'static) {
    let concurrency = notifier.state.config.notifications.mail_concurrency;
    let (stop, _) = tokio::sync::broadcast::channel::<()>(1);
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let notifier = notifier.clone();
        let mut stopped = stop.subscribe();
        workers.push(tokio::spawn(async move {
            loop {
                let target = tokio::select! {
                    _ = stopped.recv() => return,
                    target = notifier.mail_queue.next() => target,
                };
                notifier.visit(target).await;
            }
        }));
    }
    shutdown.await;
    let _ = stop.send(());
    for worker in workers {
        let _ = worker.await;
    }
}

impl Notifier {
    pub(super) async fn visit(&self, target: Target) {
        if !self.mailer.is_configured() {
            // Mail waits in its table; the sweep says how much.
            self.mail_queue.done(target, false);
            return;
        }
        let tenant = match &target.tenant {
            Some(tenant) => Arc::clone(tenant),
            None => match self.resolve(&target.slug).await {
                Ok(tenant) => tenant,
                Err(err) => {
                    tracing::debug!(slug = %target.slug, error = %err, "notifications: tenant not reachable for mail");
                    self.mail_queue.done(target, false);
                    return;
                }
            },
        };
        match self.send_due(&tenant).await {
            Ok(Visit::Drained) => {
                self.server_failures.store(0, std::sync::atomic::Ordering::Relaxed);
                self.mail_queue.done(target, false);
            }
            Ok(Visit::More) => self.mail_queue.done(target, true),
            Ok(Visit::ServerAway) => {
                let failures = self.server_failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                let wait = backoff::MAIL_SERVER_AWAY.after(failures);
                self.mail_queue.done(target, false);
                self.revisit(&tenant, wait);
            }
            Err(err) => {
                tracing::warn!(tenant = %tenant.id, error = %err, "notifications: cannot send a tenant's mail now");
                self.mail_queue.done(target, false);
                self.revisit(&tenant, backoff::MAIL_SERVER_AWAY.cap);
            }
        }
    }

    /// Queues `tenant` again after `wait` (a deferred mail coming due, a server that was away).
    fn revisit(&self, tenant: &Arc<Tenant>, wait: Duration) {
        let (queue, tenant) = (Arc::clone(&self.mail_queue), Arc::clone(tenant));
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            let slug = tenant.slug.clone();
            queue.push(&slug, Some(tenant));
        });
    }

    async fn resolve(&self, slug: &str) -> Result<Arc<Tenant>, Unservable> {
        let slug = shared::tenant::Slug::parse_syntax(slug).map_err(|_| Unservable::NotFound)?;
        self.state.tenancy.resolver.resolve(&slug).await
    }

    /// Sends a tenant's due mail on `LANES` connections at once (mail of different
    /// conversations; a conversation's next mail waits for the one before), about `VISIT_BUDGET`
    /// at most (each lane its share).
    async fn send_due(&self, tenant: &Arc<Tenant>) -> Result<Visit, shared::ApiError> {
        let mut lanes = tokio::task::JoinSet::new();
        for _ in 0..LANES {
            let (notifier, tenant) = (self.clone(), Arc::clone(tenant));
            lanes.spawn(async move { notifier.lane(&tenant).await });
        }
        let (mut visit, mut earliest_retry, mut error) = (Visit::Drained, None::<Duration>, None);
        while let Some(joined) = lanes.join_next().await {
            match joined {
                Ok(Ok((lane, retry))) => {
                    visit = match (visit, lane) {
                        (Visit::ServerAway, _) | (_, Visit::ServerAway) => Visit::ServerAway,
                        (Visit::More, _) | (_, Visit::More) => Visit::More,
                        _ => Visit::Drained,
                    };
                    if let Some(retry) = retry {
                        earliest_retry = Some(earliest_retry.map_or(retry, |w| w.min(retry)));
                    }
                }
                Ok(Err(err)) => error = Some(err),
                Err(err) => error = Some(shared::ApiError::internal(err.to_string())),
            }
        }
        if let Some(wait) = earliest_retry {
            self.revisit(tenant, wait);
        }
        match error {
            Some(err) if matches!(visit, Visit::Drained) => Err(err),
            _ => Ok(visit),
        }
    }

    /// One lane of a visit: the tenant's mail queue drained on one connection until none is
    /// due, the lane's share of the budget is spent or the server is away; with the soonest
    /// retry of the mail it deferred.
    async fn lane(&self, tenant: &Tenant) -> Result<(Visit, Option<Duration>), shared::ApiError> {
        let mut conn = self.state.tenancy.pools.acquire(tenant).await?;
        let queue = TenantMail { notifier: self, tenant };
        let budget = VISIT_BUDGET.div_ceil(LANES);
        let drained = work_queue::drain(&queue, &mut conn, budget, &self.state.queue_metrics).await?;
        let soonest = drained.soonest_retry.map(|at| (at - Utc::now()).to_std().unwrap_or_default());
        let visit = if drained.away {
            Visit::ServerAway
        } else if drained.more {
            Visit::More
        } else {
            Visit::Drained
        };
        Ok((visit, soonest))
    }

    fn log_server_away(&self, why: &str) {
        let now = Instant::now();
        let mut last = self.server_away_logged.lock().expect("not poisoned");
        if last.is_none_or(|at| now.duration_since(at) > Duration::from_secs(60)) {
            tracing::warn!(%why, "notifications: the mail server cannot be reached; mail waits");
            *last = Some(now);
        }
    }

    async fn outgoing(&self, tenant: &Tenant, due: &Due) -> Outgoing {
        Outgoing {
            to: due.address.clone(),
            to_name: None,
            from_name: self.organisation_name(tenant).await,
            subject: due.subject.clone(),
            text: due.text_body.clone(),
            html: due.html_body.clone(),
            language: due.language.clone(),
            message_id: due.message_id.clone(),
            in_reply_to: due.in_reply_to.clone(),
            references: due.refs.clone(),
            reply_to: due.reply_to.clone(),
            cc: due.cc.clone(),
            unsubscribe_url: due.unsubscribe_url.clone(),
            notification_id: Some(format!("{}.{}", tenant.slug, due.id)),
        }
    }
}

/// One tenant's mail deliveries, as a work queue.
struct TenantMail<'a> {
    notifier: &'a Notifier,
    tenant: &'a Tenant,
}

impl WorkQueue for TenantMail<'_> {
    type Item = Due;

    fn name(&self) -> &'static str {
        QUEUE
    }

    async fn claim(&self, tx: &mut PgConnection) -> sqlx::Result<Option<Due>> {
        store::claim_due(tx).await
    }

    async fn work(&self, due: &Due) -> Outcome {
        let sent = self.notifier.mailer.send(&self.notifier.outgoing(self.tenant, due).await).await;
        shared::mail::outcome(sent, due.attempts, due.created_at, Utc::now())
    }

    async fn settle(&self, tx: &mut PgConnection, due: &Due, outcome: &Outcome) -> sqlx::Result<()> {
        match outcome {
            Outcome::Done => store::mark_sent(tx, due.id).await,
            Outcome::Retry { at, error } => store::mark_retry(tx, due.id, *at, error).await,
            Outcome::Failed { error } => store::mark_failed(tx, due.id, error, None).await,
            // The address is suppressed for the tenant.
            Outcome::Refused { error } => store::mark_failed(tx, due.id, error, Some(&due.address)).await,
            // The row stays as it was.
            Outcome::Away { .. } => Ok(()),
        }
    }

    async fn settled(&self, due: &Due, outcome: &Outcome) {
        let kind = Kind::parse(&due.kind).unwrap_or(Kind::MessageAdded);
        let metrics = self.notifier.metrics();
        match outcome {
            Outcome::Done => {
                metrics.delivery(kind, Channel::Email, DeliveryOutcome::Sent);
                let age = (Utc::now() - due.created_at).to_std().unwrap_or_default();
                metrics.mail_latency.observe(age.as_secs_f64());
            }
            Outcome::Retry { .. } => metrics.delivery(kind, Channel::Email, DeliveryOutcome::Deferred),
            Outcome::Failed { .. } => metrics.delivery(kind, Channel::Email, DeliveryOutcome::Failed),
            Outcome::Refused { error } => {
                tracing::info!(tenant = %self.tenant.id, delivery = due.id, why = %error, "notifications: mail refused for good; address suppressed");
                metrics.delivery(kind, Channel::Email, DeliveryOutcome::Failed);
            }
            Outcome::Away { error } => self.notifier.log_server_away(error),
        }
    }
}
