//! The notification worker (DESIGN.md "Notifications"): `consumer` turns the SAV events into the
//! bell's rows and mail deliveries, `sender` sends the mail, and a sweep every
//! `OUTBOX_SWEEP_SECONDS` finds the tenants with mail waiting that nothing queued (a replica that
//! died after its commit, mail that waited for a server) and reports the backlog. Runs in
//! `app-api worker`, and in `serve` unless `NOTIFICATIONS_IN_SERVE=false`; the consumer needs
//! `AMQP_URL`, the sender `SMTP_URL` (without it mail waits in its table).

pub mod consumer;
pub mod digest;
pub mod sender;

use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use shared::mail::Mailer;
use shared::work_queue::Backlog;

use super::pacing::wait;
use crate::events::hints::Queue;
use crate::notifications::metrics::NotificationMetrics;
use crate::notifications::store;
use crate::state::AppState;
use crate::tenancy::resolve::Tenant;

/// How long an organisation's name is trusted once read.
const NAME_TTL: Duration = Duration::from_secs(60);

/// What the worker's tasks share.
#[derive(Clone)]
pub struct Notifier {
    pub state: AppState,
    pub mailer: Mailer,
    /// Tenants with mail to send.
    pub mail_queue: Arc<Queue>,
    server_failures: Arc<AtomicU32>,
    server_away_logged: Arc<Mutex<Option<Instant>>>,
    names: shared::kept::Kept<uuid::Uuid, String>,
}

impl Notifier {
    pub fn of(state: &AppState) -> Self {
        Self {
            mailer: state.mail.mailer.clone(),
            state: state.clone(),
            mail_queue: Arc::default(),
            server_failures: Arc::default(),
            server_away_logged: Arc::default(),
            names: shared::kept::kept(10_000, NAME_TTL),
        }
    }

    pub fn metrics(&self) -> &NotificationMetrics {
        &self.state.mail.metrics
    }

    /// The organisation's name (the sender's display name), or its slug when it cannot be read.
    pub async fn organisation_name(&self, tenant: &Tenant) -> String {
        if let Some(name) = self.names.get(&tenant.id) {
            return name;
        }
        match control_schema::directory::tenant_name(&self.state.tenancy.control_db, tenant.id).await {
            Ok(Some(name)) => {
                self.names.insert(tenant.id, name.clone());
                name
            }
            _ => tenant.slug.clone(),
        }
    }

    /// The tenant's web address (`APP_PUBLIC_URL`), without a trailing slash.
    pub fn app_url(&self, slug: &str) -> String {
        self.state.config.notifications.app_url(slug, self.state.config.base_domain.as_ref())
    }

    /// The consumer, the sender, the sweep and the reports' digests, until `shutdown` resolves.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let (stop, _) = tokio::sync::broadcast::channel::<()>(1);
        let mut tasks = vec![
            tokio::spawn(sender::run(self.clone(), wait(stop.subscribe()))),
            tokio::spawn(self.clone().sweep_periodically(wait(stop.subscribe()))),
            tokio::spawn(digest::run(self.clone(), wait(stop.subscribe()))),
        ];
        if self.state.broker.is_some() {
            tasks.push(tokio::spawn(consumer::run(self.clone(), wait(stop.subscribe()))));
        }
        if !self.mailer.is_configured() {
            tracing::info!("SMTP_URL is not set: notification mail waits in the tenants' databases");
        }
        shutdown.await;
        let _ = stop.send(());
        for task in tasks {
            let _ = task.await;
        }
    }

    async fn sweep_periodically(self, stop: impl Future<Output = ()>) {
        let period = self.state.config.events.sweep_every;
        super::pacing::every(period, stop, super::pacing::Stopping::CutsShort, || async {
            if let Err(err) = self.sweep().await {
                tracing::warn!(error = %err, "notifications sweep: cannot list the active tenants");
            }
        })
        .await;
    }

    /// One sweep, then every tenant it queued visited until its due mail is sent (the command
    /// line and tests; the worker's loops do this continuously).
    pub async fn sweep_and_send(&self) {
        if let Err(err) = self.sweep().await {
            tracing::warn!(error = %err, "notifications sweep: cannot list the active tenants");
            return;
        }
        while !self.mail_queue.is_empty() {
            let target = self.mail_queue.next().await;
            self.visit(target).await;
        }
    }

    /// Reads every active tenant's mail backlog (one statement per database, a few databases
    /// at a time) and queues those with mail waiting; sets the backlog gauges.
    pub async fn sweep(&self) -> sqlx::Result<()> {
        let probed = crate::worker::pacing::probe_each_database(
            &self.state,
            self.state.config.events.concurrency,
            |tx, tenants| Box::pin(store::backlogs(tx, tenants)),
        )
        .await?;
        let mut total = Backlog::default();
        for (tenant, backlog) in probed.found {
            if backlog.depth > 0 {
                total = total + backlog.waiting();
                let slug = tenant.slug.clone();
                self.mail_queue.push(&slug, Some(tenant));
            }
        }
        self.state.queue_metrics.backlog(sender::QUEUE, total, Utc::now());
        Ok(())
    }
}
