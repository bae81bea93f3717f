//! The state every handler shares: one cheap-to-clone handle on the process's clients, in
//! parts. Each feature takes only its part (`State<Arc<Attachments>>`, `State<Arc<Live>>`, ...),
//! through `FromRef`, and so do the functions it calls.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use shared::metrics::Metrics;
use shared::ratelimit::RateLimiter;
use sqlx::postgres::PgPoolOptions;

use crate::attachments::Attachments;
use crate::config::AppConfig;
use crate::events::Events;
use crate::infra::Gate;
use crate::infra::access_tokens::TokenVerifier;
use crate::infra::revocations::RevokedSessions;
use crate::integrations::Integrations;
use crate::live::Live;
use crate::notifications::Mail;
use crate::tenancy::Tenancy;
use crate::tenancy::pools::PoolManager;
use crate::tenancy::resolve::Resolver;

#[derive(Clone)]
pub struct AppState(Arc<App>);

pub struct App {
    pub config: Arc<AppConfig>,
    pub metrics: Metrics,
    /// Resolution, the control database and the tenants' pools.
    pub tenancy: Arc<Tenancy>,
    /// Rate limits, the token verifier, revoked sessions.
    pub gate: Arc<Gate>,
    /// Outbox hints, the relay's side of the broker, and the event metrics.
    pub events: Arc<Events>,
    /// The blob store, the virus scanner and the upload limits.
    pub attachments: Arc<Attachments>,
    /// The SMTP client and the notifications' metrics.
    pub mail: Arc<Mail>,
    /// API keys, webhook visits and their metrics.
    pub integrations: Arc<Integrations>,
    /// Open streams, presence, change versions, kept answers.
    pub live: Arc<Live>,
    /// The help center's metrics and voters' key.
    pub help_center: Arc<crate::help_center::HelpCenter>,
    /// Round robin's turns for new tickets, taken together by team.
    pub turns: Arc<crate::turns::RoundRobinTurns>,
    pub mail_in_metrics: crate::infra::mail_in_metrics::MailInMetrics,
    /// The work queues' one metrics family (depth, oldest age, attempts by outcome).
    pub queue_metrics: shared::work_queue::QueueMetrics,
    pub redis: Option<shared::redis::Redis>,
    /// The process's one RabbitMQ connection, when `AMQP_URL` is set.
    pub broker: Option<Arc<shared::amqp::Broker>>,
    /// control-api, when `CONTROL_API_URL` is set.
    pub control_api: Option<Arc<crate::infra::control_plane::ControlApi>>,
}

/// Each part, taken from the state by the handlers and extractors that need it.
macro_rules! parts {
    ($($field:ident: $part:ty),* $(,)?) => {
        $(impl FromRef<AppState> for $part {
            fn from_ref(state: &AppState) -> Self {
                state.$field.clone()
            }
        })*
    };
}

parts! {
    config: Arc<AppConfig>,
    metrics: Metrics,
    tenancy: Arc<Tenancy>,
    gate: Arc<Gate>,
    events: Arc<Events>,
    attachments: Arc<Attachments>,
    mail: Arc<Mail>,
    integrations: Arc<Integrations>,
    live: Arc<Live>,
    turns: Arc<crate::turns::RoundRobinTurns>,
    help_center: Arc<crate::help_center::HelpCenter>,
    control_api: Option<Arc<crate::infra::control_plane::ControlApi>>,
}

/// Why the service cannot start with its configuration.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("REDIS_URL: {0}")]
    Redis(String),
    #[error("the token verification keys: {0}")]
    Keys(String),
    #[error("{0}")]
    Mail(shared::config::ConfigError),
    #[error("the tenant connection budget: {0}")]
    Budget(String),
}

/// The tenant connection budget fitted to the clusters' limits (`tenancy::budget`), said in the
/// log. Without the control database (yet), the configured total, said too.
async fn learn_budget(
    control_db: &sqlx::PgPool,
    config: &AppConfig,
) -> Result<crate::tenancy::budget::Fit, StartError> {
    let configured = config.pools.total;
    let clusters = match control_schema::directory::cluster_limits(control_db).await {
        Ok(clusters) => clusters,
        Err(err) => {
            tracing::warn!(error = %err, configured, "cannot read the clusters' connection limits: the configured budget stands");
            return Ok(crate::tenancy::budget::Fit::unfitted(configured));
        }
    };
    let options = config.control_db.connect_options();
    let control_server = (options.get_host(), options.get_port());
    let fit = crate::tenancy::budget::fit(
        configured,
        &clusters,
        config.connection_share,
        config.control_db_max_connections,
        control_server,
    )
    .map_err(StartError::Budget)?;
    match &fit.limited_by {
        Some(limit) => tracing::info!(
            budget = fit.total,
            configured,
            cluster = %limit.cluster,
            max_connections = limit.max_connections,
            reserved = limit.reserved,
            share_percent = limit.share_percent,
            replicas = limit.replicas,
            control_pool = limit.control_pool,
            "tenant connection budget lowered to fit the cluster"
        ),
        None => {
            tracing::info!(
                budget = fit.total,
                clusters = clusters.len(),
                "tenant connection budget fits every cluster"
            );
        }
    }
    if !fit.unknown.is_empty() {
        tracing::warn!(clusters = ?fit.unknown, "these clusters' connection limits are not known yet (control-api reads them at start): not counted");
    }
    Ok(fit)
}

impl AppState {
    /// Builds the clients and loads the token keys (fetching the JWKS when configured so).
    /// Databases connect on first use.
    pub async fn new(config: AppConfig) -> Result<Self, StartError> {
        let control_db = shared::primary::pool(
            &config.control_db,
            PgPoolOptions::new()
                .max_connections(config.control_db_max_connections)
                .acquire_timeout(Duration::from_secs(5)),
        );
        let metrics = Metrics::new();
        let redis = config
            .redis
            .as_ref()
            .map(|address| shared::redis::Redis::new(address, 32, metrics.registry()))
            .transpose()
            .map_err(StartError::Redis)?;
        let resolver = Resolver::new(
            control_db.clone(),
            redis.clone(),
            &config.redis_key_prefix,
            config.base_domain.clone(),
            config.tenant_cache_ttl,
            config.keys.tenant_cache.clone(),
        );
        let budget = learn_budget(&control_db, &config).await?;
        let limits = crate::config::PoolLimits { total: budget.total, ..config.pools };
        let pools = PoolManager::new(limits, config.keys.tenant_database.clone(), metrics.registry());
        let limiter = RateLimiter::new(
            redis.clone(),
            &config.redis_key_prefix,
            config.rate_limits.per_user_per_minute,
            config.rate_limits.per_ip_per_minute,
        );
        // A minute past the lifetime covers clock skew (and the verifier's leeway).
        let revoked = Arc::new(RevokedSessions::new(config.access_token_lifetime + Duration::from_secs(60)));
        let verifier = TokenVerifier::load(config.tokens.clone(), Arc::clone(&revoked))
            .await
            .map_err(|e| StartError::Keys(e.to_string()))?;
        let broker = config.amqp_url.as_ref().map(|url| Arc::new(shared::amqp::Broker::new(url)));
        let events = crate::events::Events::new(&config, broker.as_ref(), redis.clone(), metrics.registry());
        let control_api = config.control_api_url.as_ref().map(crate::infra::control_plane::ControlApi::new);
        let queue_metrics = shared::work_queue::QueueMetrics::register(metrics.registry());
        let attachments = crate::attachments::Attachments::new(
            &config.attachments,
            &config.keys,
            metrics.registry(),
            queue_metrics.clone(),
        );
        // The service starts whatever the store says; `/ready` reports it, and uploads try again.
        if let Err(err) = attachments.ensure_prepared().await {
            tracing::warn!(store = attachments.store.kind(), error = %err, "the blob store is not ready");
        }
        let mailer =
            shared::mail::Mailer::new(&config.notifications.mail, metrics.registry()).map_err(StartError::Mail)?;
        let notification_metrics = crate::notifications::metrics::NotificationMetrics::register(metrics.registry());
        let live =
            Arc::new(crate::live::Hub::new(config.streams_per_user, config.amqp_url.is_some(), metrics.registry()));
        let presence = crate::live::presence::Bus::new(broker.as_ref(), &config.events.exchange, Arc::clone(&live));
        let versions =
            crate::live::versions::Versions::new(redis.clone(), control_db.clone(), &config.redis_key_prefix);
        let answers = Arc::new(crate::live::answers::Answers::new(
            config.answer_cache_bytes,
            crate::live::versions::LONGEST_LIFE,
            metrics.registry(),
        ));
        let integration_metrics = crate::integrations::IntegrationMetrics::register(metrics.registry());
        let mail_in_metrics = crate::infra::mail_in_metrics::MailInMetrics::register(metrics.registry());
        let integrations = Integrations {
            keys: crate::integrations::keys::KeyCheck::new(config.keys.api_keys.clone()),
            key_limit: shared::ratelimit::Limit::per(config.integrations.key_rate_per_minute, Duration::from_secs(60)),
            metrics: integration_metrics,
            webhook_visits: crate::integrations::WebhookVisits::default(),
        };
        let help_center =
            Arc::new(crate::help_center::HelpCenter::new(config.keys.help_voters.clone(), metrics.registry()));
        Ok(Self(Arc::new(App {
            tenancy: Arc::new(Tenancy { resolver, pools, control_db, budget }),
            gate: Arc::new(Gate {
                limiter,
                verifier,
                revoked,
                redis: redis.clone(),
                revocations_channel: format!("{}session-revocations", config.redis_key_prefix),
                refused: crate::infra::refused_counter(metrics.registry()),
            }),
            redis,
            broker,
            metrics,
            events: Arc::new(events),
            control_api: control_api.map(Arc::new),
            attachments: Arc::new(attachments),
            mail: Arc::new(Mail { mailer, metrics: notification_metrics }),
            live: Arc::new(Live { hub: live, presence, versions, answers }),
            turns: Arc::default(),
            help_center,
            integrations: Arc::new(integrations),
            mail_in_metrics,
            queue_metrics,
            config: Arc::new(config),
        })))
    }
}

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}
