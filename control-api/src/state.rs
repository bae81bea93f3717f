//! The state every handler shares: one cheap-to-clone handle on the process's clients.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use shared::auth::Verifier;
use shared::metrics::Metrics;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::config::ControlConfig;
use crate::identity::guard::Guard;
use crate::identity::lockout::Lockout;
use crate::identity::mail::AccountMail;
use crate::identity::mail::sender::{MailMetrics, Sender};
use crate::identity::password::Hasher;
use crate::identity::sso::provider::{Directory, SsoMetrics};
use crate::identity::tokens::TokenIssuer;
use crate::tenancy::jobs::{JobMetrics, Worker};
use crate::tenancy::notify::Notifier;
use crate::tenancy::provision::Provisioner;

#[derive(Clone)]
pub struct AppState(Arc<App>);

pub struct App {
    pub config: ControlConfig,
    pub db: PgPool,
    pub redis: Option<shared::redis::Redis>,
    /// The process's one RabbitMQ connection, when `AMQP_URL` is set.
    pub broker: Option<Arc<shared::amqp::Broker>>,
    pub metrics: Metrics,
    pub tokens: TokenIssuer,
    pub verifier: Arc<Verifier>,
    pub guard: Guard,
    pub signups: SignupLimits,
    pub resets: ResetLimits,
    pub notifier: Notifier,
    pub worker: Worker,
    /// Writing account mail, and the sender `serve` and `worker` run.
    pub mail: AccountMail,
    /// The single sign-on providers' documents and keys.
    pub sso: Directory,
}

/// How many organisations may be created, per client address and in all, and how many
/// customers may register from one address.
pub struct SignupLimits {
    pub limiter: shared::ratelimit::RateLimiter,
    pub per_ip: Option<shared::ratelimit::Limit>,
    pub global: Option<shared::ratelimit::Limit>,
    pub registrations_per_ip: Option<shared::ratelimit::Limit>,
}

/// How many password resets may be asked for, per client address and per email.
pub struct ResetLimits {
    pub limiter: shared::ratelimit::RateLimiter,
    pub per_ip: Option<shared::ratelimit::Limit>,
    pub per_email: Option<shared::ratelimit::Limit>,
}

/// Why the process's clients could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot set up the Redis client: {0}")]
    Redis(String),
    #[error("cannot set up the mail client: {0}")]
    Mail(#[from] shared::config::ConfigError),
}

impl AppState {
    /// Builds the clients. Nothing connects yet: pools connect on first use.
    pub fn new(config: ControlConfig) -> Result<Self, StartError> {
        let db = shared::primary::pool(
            &config.control_db,
            PgPoolOptions::new()
                .max_connections(config.control_db_max_connections)
                .acquire_timeout(Duration::from_secs(5)),
        );
        let metrics = Metrics::new();
        let redis = config
            .redis
            .as_ref()
            .map(|address| shared::redis::Redis::new(address, 16, metrics.registry()))
            .transpose()
            .map_err(StartError::Redis)?;
        let jwt = &config.jwt;
        let tokens =
            TokenIssuer::new(jwt.signing_key.clone(), jwt.issuer.clone(), jwt.audience.clone(), jwt.access_ttl);
        let verifier = Arc::new(Verifier::new(&jwt.published_keys(), &jwt.issuer, &jwt.audience));
        let abuse = &config.abuse;
        let guard = Guard::new(
            Lockout::new(redis.clone(), &config.redis_key_prefix, abuse.lockout),
            Hasher::new(abuse.hash_concurrency, abuse.hash_queue),
        );
        let hour = Duration::from_secs(3600);
        let signups = SignupLimits {
            limiter: shared::ratelimit::RateLimiter::new(
                redis.clone(),
                &format!("{}signup:", config.redis_key_prefix),
                0,
                0,
            ),
            per_ip: shared::ratelimit::Limit::per(abuse.signups_per_ip_per_hour, hour),
            global: shared::ratelimit::Limit::per(abuse.signups_per_hour, hour),
            registrations_per_ip: shared::ratelimit::Limit::per(abuse.registrations_per_ip_per_hour, hour),
        };
        let resets = ResetLimits {
            limiter: shared::ratelimit::RateLimiter::new(
                redis.clone(),
                &format!("{}reset:", config.redis_key_prefix),
                0,
                0,
            ),
            per_ip: shared::ratelimit::Limit::per(abuse.password_resets_per_ip_per_hour, hour),
            per_email: shared::ratelimit::Limit::per(abuse.password_resets_per_email_per_hour, hour),
        };
        let mailer = shared::mail::Mailer::new(&config.mail, metrics.registry())?;
        let queues = shared::work_queue::QueueMetrics::register(metrics.registry());
        let sender = Sender::new(db.clone(), mailer, MailMetrics::register(metrics.registry(), queues.clone()));
        let mail = AccountMail::new(sender, config.mail.reply_domain.clone(), config.app_public_url.clone());
        let sso = Directory::new(SsoMetrics::register(metrics.registry()));
        let broker = config.amqp_url.as_ref().map(|url| Arc::new(shared::amqp::Broker::new(url)));
        let events = broker
            .clone()
            .map(|broker| Arc::new(shared::amqp::Publisher::new(broker, crate::tenancy::notify::CONTROL_EXCHANGE)));
        let notifier = Notifier::new(redis.clone(), db.clone(), &config.redis_key_prefix, events);
        let provisioner = Provisioner {
            control: db.clone(),
            keys: config.keys.clone(),
            settings: config.tenancy.clone(),
            migrator: &tenant_schema::MIGRATOR,
        };
        let worker = Worker {
            provisioner,
            notifier: notifier.clone(),
            metrics: JobMetrics::register(metrics.registry(), queues),
        };
        Ok(Self(Arc::new(App {
            config,
            db,
            redis,
            broker,
            metrics,
            tokens,
            verifier,
            guard,
            signups,
            resets,
            notifier,
            worker,
            mail,
            sso,
        })))
    }
}

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}

impl FromRef<AppState> for Metrics {
    fn from_ref(state: &AppState) -> Metrics {
        state.metrics.clone()
    }
}

impl FromRef<AppState> for Arc<Verifier> {
    fn from_ref(state: &AppState) -> Arc<Verifier> {
        Arc::clone(&state.verifier)
    }
}
