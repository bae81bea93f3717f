//! The state every handler shares: one cheap-to-clone handle on the process's clients.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use shared::metrics::Metrics;
use shared::ratelimit::RateLimiter;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::config::AppConfig;
use crate::infra::access_tokens::TokenVerifier;
use crate::infra::revocations::RevokedSessions;
use crate::tenancy::pools::PoolManager;
use crate::tenancy::resolve::Resolver;

#[derive(Clone)]
pub struct AppState(Arc<App>);

pub struct App {
    pub config: AppConfig,
    /// The control database, read for tenant resolution.
    pub control_db: PgPool,
    pub redis: Option<shared::redis::Redis>,
    /// The process's one RabbitMQ connection, when `AMQP_URL` is set.
    pub broker: Option<Arc<shared::amqp::Broker>>,
    pub metrics: Metrics,
    pub resolver: Resolver,
    pub pools: PoolManager,
    /// How the pools' total was fitted to the clusters (`/ready` shows it).
    pub budget: crate::tenancy::budget::Fit,
    pub limiter: RateLimiter,
    pub verifier: TokenVerifier,
    pub revoked: Arc<RevokedSessions>,
    /// Outbox hints, the relay's side of the broker, and the event metrics.
    pub events: crate::events::Events,
    /// control-api, when `CONTROL_API_URL` is set.
    pub control_api: Option<crate::infra::control_plane::ControlApi>,
    /// The blob store, the virus scanner and the upload limits.
    pub attachments: crate::attachments::Attachments,
    /// The SMTP client (configured or not) and the notifications' metrics.
    pub mailer: shared::mail::Mailer,
    pub notification_metrics: crate::notifications::metrics::NotificationMetrics,
    /// The work queues' one metrics family (depth, oldest age, attempts by outcome).
    pub queue_metrics: shared::work_queue::QueueMetrics,
    /// The live streams open on this replica.
    pub live: Arc<crate::live::Hub>,
    /// Where staff's presence on tickets is announced.
    pub presence: crate::live::presence::Bus,
    /// The tenants' change versions (conditional GETs answered without a query).
    pub versions: crate::live::versions::Versions,
    /// The versioned reads' answers kept in memory, served again while nothing changed.
    pub answers: Arc<crate::live::answers::Answers>,
    /// The SLA grids of the policy versions lately read, for the badges of ticket lists.
    pub sla_grids: crate::sav::tickets::sla_policy::KeptGrids,
    /// The API keys verified lately, and each key's own rate limit (`None`: off).
    pub api_keys: crate::integrations::keys::KeyCheck,
    pub key_limit: Option<shared::ratelimit::Limit>,
    pub integration_metrics: crate::integrations::IntegrationMetrics,
    pub mail_in_metrics: crate::infra::mail_in_metrics::MailInMetrics,
    /// The tenants the webhook sender of this process is to visit.
    pub webhook_visits: crate::integrations::WebhookVisits,
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
        let control_db = PgPoolOptions::new()
            .max_connections(config.control_db_max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(config.control_db.connect_options());
        let metrics = Metrics::new();
        let redis = config
            .redis_url
            .as_ref()
            .map(|url| shared::redis::Redis::new(url, 32, metrics.registry()))
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
        let broker = config.amqp_url.clone().map(|url| Arc::new(shared::amqp::Broker::new(url)));
        let events = crate::events::Events::new(&config, broker.as_ref(), redis.clone(), metrics.registry());
        let control_api = config.control_api_url.as_ref().map(crate::infra::control_plane::ControlApi::new);
        let attachments = crate::attachments::Attachments::new(&config.attachments, &config.keys, metrics.registry());
        // The service starts whatever the store says; `/ready` reports it, and uploads try again.
        if let Err(err) = attachments.ensure_prepared().await {
            tracing::warn!(store = attachments.store.kind(), error = %err, "the blob store is not ready");
        }
        let mailer =
            shared::mail::Mailer::new(&config.notifications.mail, metrics.registry()).map_err(StartError::Mail)?;
        let notification_metrics = crate::notifications::metrics::NotificationMetrics::register(metrics.registry());
        let queue_metrics = shared::work_queue::QueueMetrics::register(metrics.registry());
        let live =
            Arc::new(crate::live::Hub::new(config.streams_per_user, config.amqp_url.is_some(), metrics.registry()));
        let presence = crate::live::presence::Bus::new(broker.as_ref(), &config.events.exchange, Arc::clone(&live));
        let versions = crate::live::versions::Versions::new(redis.clone(), &config.redis_key_prefix);
        let answers = Arc::new(crate::live::answers::Answers::new(
            config.answer_cache_bytes,
            crate::live::versions::LONGEST_LIFE,
            metrics.registry(),
        ));
        let integration_metrics = crate::integrations::IntegrationMetrics::register(metrics.registry());
        let mail_in_metrics = crate::infra::mail_in_metrics::MailInMetrics::register(metrics.registry());
        Ok(Self(Arc::new(App {
            control_db,
            redis,
            broker,
            metrics,
            resolver,
            pools,
            budget,
            limiter,
            verifier,
            revoked,
            events,
            control_api,
            attachments,
            mailer,
            notification_metrics,
            queue_metrics,
            live,
            presence,
            versions,
            answers,
            sla_grids: crate::sav::tickets::sla_policy::KeptGrids::default(),
            api_keys: crate::integrations::keys::KeyCheck::new(config.keys.api_keys.clone()),
            key_limit: shared::ratelimit::Limit::per(config.integrations.key_rate_per_minute, Duration::from_secs(60)),
            integration_metrics,
            mail_in_metrics,
            webhook_visits: crate::integrations::WebhookVisits::default(),
            config,
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
