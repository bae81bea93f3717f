//! app-api configuration, read from the environment once at start.

use std::time::Duration;

use shared::auth::{PublicKey, PublicKeys};
use shared::config::{
    ConfigError, DatabaseUrl, EncryptionKey, Env, FromEnv, HttpConfig, LogConfig, Millis, RedisAddress, Seconds,
    ServiceUrl,
};
use shared::crypto::AppPlaneKeys;

/// The largest `OUTBOX_BATCH_SIZE`: a batch published again must fit in what a live stream
/// remembers to send each frame once (`live::sent::WINDOW`).
pub const OUTBOX_BATCH_MAX: u16 = 1024;

#[derive(Debug, Clone)]
pub struct AppConfig {
    pub http: HttpConfig,
    pub log: LogConfig,
    /// `CONTROL_DATABASE_URL`: read for tenant resolution only.
    pub control_db: DatabaseUrl,
    /// `CONTROL_DB_MAX_CONNECTIONS` (5).
    pub control_db_max_connections: u32,
    /// `APP_PLANE_KEY` (`control-api app-plane-key` prints it): the keys that open tenant
    /// database passwords and sign the tenant cache. app-api never holds the master key.
    pub keys: AppPlaneKeys,
    /// `APP_BASE_DOMAIN`: tenants live at `{slug}.{APP_BASE_DOMAIN}`; without it the tenant
    /// comes from `X-Tenant-Slug` only.
    pub base_domain: Option<BaseDomain>,
    /// `REDIS_URL`, or Sentinel's `REDIS_SENTINELS` and `REDIS_SENTINEL_MASTER`.
    pub redis: Option<RedisAddress>,
    /// `REDIS_KEY_PREFIX` ("hd:"), as on control-api.
    pub redis_key_prefix: String,
    pub amqp_url: Option<ServiceUrl>,
    /// `CONTROL_API_URL`: control-api, asked to remove the members an erasure erases; `serve`
    /// refuses to start without it (the worker does not need it).
    pub control_api_url: Option<ServiceUrl>,
    pub tokens: TokenKeys,
    pub rate_limits: RateLimits,
    pub pools: PoolLimits,
    pub connection_share: ConnectionShare,
    /// `JWT_EXPIRES_IN_SECONDS` (900), as on control-api: how long a revoked session's access
    /// tokens must be remembered as revoked.
    pub access_token_lifetime: Duration,
    /// `TENANT_CACHE_TTL_SECONDS` (5): how long a tenant lookup is trusted in process memory
    /// (changes published by control-api evict at once; this bounds staleness without Redis).
    pub tenant_cache_ttl: Duration,
    pub events: EventsConfig,
    pub jobs: JobsConfig,
    pub attachments: AttachmentsConfig,
    pub notifications: NotificationsConfig,
    pub integrations: IntegrationsConfig,
    pub mail_in: MailInConfig,
    /// `STREAMS_PER_USER` (20): live streams one person may hold open on one replica.
    pub streams_per_user: usize,
    /// `ANSWER_CACHE_MB` (64): memory for the versioned reads' answers kept and served again
    /// while nothing changed (`crate::live::answers`); 0 keeps none.
    pub answer_cache_bytes: u64,
}

/// The notification worker and the mail it sends.
#[derive(Debug, Clone)]
pub struct NotificationsConfig {
    /// `NOTIFICATIONS_IN_SERVE` (true): `serve` runs the notification worker too (`worker`
    /// always does).
    pub in_serve: bool,
    /// `NOTIFICATIONS_QUEUE` (`app-api.notifications`): its durable queue on the events exchange.
    pub queue: String,
    /// `SMTP_URL`, `MAIL_FROM`, `MAIL_REPLY_DOMAIN`.
    pub mail: shared::mail::MailConfig,
    /// `APP_PUBLIC_URL`: a tenant's web address, where mail links point (default
    /// `https://{slug}.{APP_BASE_DOMAIN}`, or `http://{slug}.localhost:{APP_PORT}` without a
    /// base domain).
    pub app_public_url: Option<shared::config::AppUrlTemplate>,
    /// `MAIL_CONCURRENCY` (4): tenants whose mail is sent at once, per process.
    pub mail_concurrency: usize,
    /// The port, for the default address without a base domain.
    port: u16,
}

/// Email in.
#[derive(Debug, Clone)]
pub struct MailInConfig {
    /// `INBOUND_AUTHSERV_ID`: the receiving server whose `Authentication-Results` is believed for
    /// mail posted to `/v1/inbound/email` (none: no sender authentication is believed).
    pub authserv_id: Option<String>,
    /// `IMAP_POLL_SECONDS` (30): how often each tenant's mailbox is fetched.
    pub poll: Duration,
    /// `IMAP_IN_SERVE` (true): `serve` fetches the mailboxes too (`worker` always does).
    pub in_serve: bool,
}

impl MailInConfig {
    fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let authserv_id: Option<String> = env.optional("INBOUND_AUTHSERV_ID")?;
        let poll: u64 = env.or("IMAP_POLL_SECONDS", 30)?;
        if poll == 0 || poll > 86_400 {
            return Err(ConfigError {
                name: "IMAP_POLL_SECONDS",
                problem: "is invalid: must be from 1 to 86400".into(),
            });
        }
        Ok(Self {
            authserv_id: authserv_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty()),
            poll: Duration::from_secs(poll),
            in_serve: env.or("IMAP_IN_SERVE", true)?,
        })
    }
}

/// API keys and the webhook worker.
#[derive(Debug, Clone)]
pub struct IntegrationsConfig {
    /// `WEBHOOKS_IN_SERVE` (true): `serve` runs the webhook worker too (`worker` always does).
    pub in_serve: bool,
    /// `WEBHOOKS_QUEUE` (`app-api.webhooks`): its durable queue on the events exchange.
    pub queue: String,
    /// `WEBHOOK_ALLOW_PRIVATE_TARGETS` (false): lets webhooks reach loopback and private
    /// addresses (tests, single-host installs).
    pub allow_private_targets: bool,
    /// `WEBHOOK_CONCURRENCY` (32): attempts in flight at once, per process (at most 4 per
    /// endpoint, so a slow receiver cannot hold back the others).
    pub concurrency: usize,
    /// `WEBHOOK_RETRY_SCALE` (1): shortens the retry schedule by this factor (development and
    /// tests only; from 0.0001 to 1).
    pub retry_scale: f64,
    /// `RATE_LIMIT_API_KEY_PER_MINUTE` (600; 0 disables): each key's own budget.
    pub key_rate_per_minute: u32,
}

impl IntegrationsConfig {
    fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let queue: String = env.or("WEBHOOKS_QUEUE", "app-api.webhooks".to_owned())?;
        if queue.is_empty() || queue.len() > 200 || queue.chars().any(char::is_whitespace) {
            return Err(ConfigError {
                name: "WEBHOOKS_QUEUE",
                problem: "is invalid: expected a name without spaces".into(),
            });
        }
        let concurrency: usize = env.or("WEBHOOK_CONCURRENCY", 32)?;
        if concurrency == 0 || concurrency > 1024 {
            return Err(ConfigError {
                name: "WEBHOOK_CONCURRENCY",
                problem: "is invalid: must be from 1 to 1024".into(),
            });
        }
        let scale: String = env.or("WEBHOOK_RETRY_SCALE", "1".to_owned())?;
        let retry_scale = scale.parse::<f64>().ok().filter(|s| (0.0001..=1.0).contains(s)).ok_or(ConfigError {
            name: "WEBHOOK_RETRY_SCALE",
            problem: "is invalid: expected a number from 0.0001 to 1".into(),
        })?;
        Ok(Self {
            in_serve: env.or("WEBHOOKS_IN_SERVE", true)?,
            queue,
            allow_private_targets: env.or("WEBHOOK_ALLOW_PRIVATE_TARGETS", false)?,
            concurrency,
            retry_scale,
            key_rate_per_minute: env.or("RATE_LIMIT_API_KEY_PER_MINUTE", 600)?,
        })
    }
}

impl NotificationsConfig {
    fn from_env(env: &Env, port: u16) -> Result<Self, ConfigError> {
        let queue: String = env.or("NOTIFICATIONS_QUEUE", "app-api.notifications".to_owned())?;
        if queue.is_empty() || queue.len() > 200 || queue.chars().any(char::is_whitespace) {
            return Err(ConfigError {
                name: "NOTIFICATIONS_QUEUE",
                problem: "is invalid: expected a name without spaces".into(),
            });
        }
        let mail_concurrency: usize = env.or("MAIL_CONCURRENCY", 4)?;
        if mail_concurrency == 0 || mail_concurrency > 64 {
            return Err(ConfigError { name: "MAIL_CONCURRENCY", problem: "is invalid: must be from 1 to 64".into() });
        }
        Ok(Self {
            in_serve: env.or("NOTIFICATIONS_IN_SERVE", true)?,
            queue,
            mail: shared::mail::MailConfig::from_env(env)?,
            app_public_url: env.optional("APP_PUBLIC_URL")?,
            mail_concurrency,
            port,
        })
    }

    /// The web address of `slug`, without a trailing slash.
    pub fn app_url(&self, slug: &str, base_domain: Option<&BaseDomain>) -> String {
        match (&self.app_public_url, base_domain) {
            (Some(template), _) => template.for_slug(slug),
            (None, Some(domain)) => format!("https://{slug}.{}", domain.as_str()),
            (None, None) => format!("http://{slug}.localhost:{}", self.port),
        }
    }
}

/// Where attachments are stored and what uploads may be.
#[derive(Debug, Clone)]
pub struct AttachmentsConfig {
    pub store: BlobStoreConfig,
    /// `ATTACHMENT_URL_TTL_SECONDS` (900): how long a download link works.
    pub url_ttl: Duration,
    /// `TENANT_STORAGE_QUOTA_BYTES` (5 GiB): what one tenant's stored objects may add up to.
    pub quota_bytes: u64,
    /// `CLAMAV_ADDR` (`host:port` of clamd): when set, every upload is scanned before it is
    /// stored, and uploads are refused while clamd is down.
    pub clamav_addr: Option<String>,
    /// `UPLOAD_SPOOL_DIR` (the system's temporary directory; `BLOB_DIR` with the disk store): where
    /// an upload is written while it arrives, is checked and scanned.
    pub spool_dir: Option<std::path::PathBuf>,
    /// `UPLOAD_CONCURRENCY` (16): uploads one process takes at once; more are answered 503.
    pub concurrency: usize,
    /// `UPLOAD_MIN_BYTES_PER_SECOND` (8192): the pace an upload must keep up, measured over
    /// every `REQUEST_BODY_TIMEOUT_SECONDS`. Uploads have no `REQUEST_TIMEOUT_SECONDS`: a 20 MB
    /// file on a slow line takes what it takes, as long as it keeps coming.
    pub min_bytes_per_second: u64,
    /// `UPLOAD_TIMEOUT_SECONDS` (3600): the longest an upload request may take, all included.
    pub upload_timeout: Duration,
    /// `ORPHAN_GRACE_HOURS` (24): an object with no row, or a row with no object, is left alone
    /// this long (an upload in flight has one without the other for a moment).
    pub orphan_grace: Duration,
    /// `ORPHAN_CLEANUP_HOURS` (168): how often the worker runs the orphan cleanup.
    pub orphan_cleanup_every: Duration,
}

/// `S3_ENDPOINT` or `S3_BUCKET` set: S3; otherwise the local disk under `BLOB_DIR`.
#[derive(Debug, Clone)]
pub enum BlobStoreConfig {
    S3(S3Config),
    /// `BLOB_DIR` (`.data/blobs`): files on the local disk, downloaded through links app-api
    /// signs and serves itself.
    Disk {
        dir: std::path::PathBuf,
    },
}

#[derive(Debug, Clone)]
pub struct S3Config {
    /// `S3_ENDPOINT`: an S3-compatible server (MinIO); unset for AWS itself.
    pub endpoint: Option<String>,
    /// `S3_PUBLIC_ENDPOINT` (`S3_ENDPOINT`): where browsers reach that server, when the
    /// service's own address is one they cannot (`http://minio:9000` in compose). Download links
    /// are signed for it; the service keeps talking to `S3_ENDPOINT`.
    pub public_endpoint: Option<String>,
    /// `S3_BUCKET` (`sav`), created at start when missing.
    pub bucket: String,
    /// `S3_REGION` (`us-east-1`).
    pub region: String,
    /// `S3_FORCE_PATH_STYLE` (true with `S3_ENDPOINT`, false without): `endpoint/bucket/key`
    /// rather than `bucket.endpoint/key`.
    pub force_path_style: bool,
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (required with S3).
    pub access_key_id: String,
    pub secret_access_key: shared::config::SecretString,
}

impl AttachmentsConfig {
    fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let http_url = |name: &'static str| -> Result<Option<String>, ConfigError> {
            let url: Option<String> = env.optional(name)?;
            if let Some(url) = &url
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                return Err(ConfigError { name, problem: "is invalid: expected an http(s) URL".into() });
            }
            Ok(url)
        };
        let endpoint = http_url("S3_ENDPOINT")?;
        let public_endpoint = http_url("S3_PUBLIC_ENDPOINT")?;
        let bucket: Option<String> = env.optional("S3_BUCKET")?;
        let store = if endpoint.is_some() || bucket.is_some() {
            let bucket = bucket.unwrap_or_else(|| "sav".to_owned());
            let valid_bucket = (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
            if !valid_bucket {
                return Err(ConfigError {
                    name: "S3_BUCKET",
                    problem: "is invalid: expected an S3 bucket name".into(),
                });
            }
            BlobStoreConfig::S3(S3Config {
                force_path_style: env.or("S3_FORCE_PATH_STYLE", endpoint.is_some())?,
                endpoint,
                public_endpoint,
                bucket,
                region: env.or("S3_REGION", "us-east-1".to_owned())?,
                access_key_id: env.required("AWS_ACCESS_KEY_ID")?,
                secret_access_key: env.required("AWS_SECRET_ACCESS_KEY")?,
            })
        } else {
            BlobStoreConfig::Disk { dir: env.or("BLOB_DIR", ".data/blobs".to_owned())?.into() }
        };
        let url_ttl = env.or("ATTACHMENT_URL_TTL_SECONDS", Seconds(Duration::from_secs(900)))?.0;
        if url_ttl.is_zero() || url_ttl > Duration::from_secs(7 * 24 * 3600) {
            return Err(ConfigError {
                name: "ATTACHMENT_URL_TTL_SECONDS",
                problem: "is invalid: expected 1 to 604800 (S3 signs links for a week at most)".into(),
            });
        }
        let concurrency: usize = env.or("UPLOAD_CONCURRENCY", 16)?;
        if concurrency == 0 {
            return Err(ConfigError { name: "UPLOAD_CONCURRENCY", problem: "is invalid: must be above 0".into() });
        }
        let min_bytes_per_second: u64 = env.or("UPLOAD_MIN_BYTES_PER_SECOND", 8192)?;
        if min_bytes_per_second == 0 {
            return Err(ConfigError {
                name: "UPLOAD_MIN_BYTES_PER_SECOND",
                problem: "is invalid: must be above 0".into(),
            });
        }
        let upload_timeout = env.or("UPLOAD_TIMEOUT_SECONDS", Seconds(Duration::from_secs(3600)))?.0;
        if upload_timeout.is_zero() {
            return Err(ConfigError { name: "UPLOAD_TIMEOUT_SECONDS", problem: "is invalid: must be above 0".into() });
        }
        let hours = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            let hours: u64 = env.or(name, default)?;
            if hours == 0 {
                return Err(ConfigError { name, problem: "is invalid: must be above 0".into() });
            }
            Ok(Duration::from_secs(hours * 3600))
        };
        let clamav_addr: Option<String> = env.optional("CLAMAV_ADDR")?;
        if let Some(addr) = &clamav_addr
            && !addr.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
        {
            return Err(ConfigError { name: "CLAMAV_ADDR", problem: "is invalid: expected host:port".into() });
        }
        Ok(Self {
            store,
            url_ttl,
            quota_bytes: env.or("TENANT_STORAGE_QUOTA_BYTES", 5 * 1024 * 1024 * 1024)?,
            clamav_addr,
            spool_dir: env.optional::<String>("UPLOAD_SPOOL_DIR")?.map(Into::into),
            concurrency,
            min_bytes_per_second,
            upload_timeout,
            orphan_grace: hours("ORPHAN_GRACE_HOURS", 24)?,
            orphan_cleanup_every: hours("ORPHAN_CLEANUP_HOURS", 168)?,
        })
    }
}

/// The outbox relay and the order events consumer (both need `AMQP_URL`).
#[derive(Debug, Clone)]
pub struct EventsConfig {
    /// `RELAY_IN_SERVE` (true): `serve` runs the outbox relay too (`worker` always does).
    pub relay_in_serve: bool,
    /// `ORDERS_CONSUMER_IN_SERVE` (true): `serve` consumes order events too.
    pub consumer_in_serve: bool,
    /// `EVENTS_EXCHANGE` (`sav_exchange`): the durable topic exchange the relay publishes to.
    pub exchange: String,
    /// `OUTBOX_RETENTION_HOURS` (168): published rows older than this are pruned.
    pub retention: Duration,
    /// `OUTBOX_SWEEP_SECONDS` (60): how often the relay looks at every active tenant, the safety
    /// net for hints that were lost.
    pub sweep_every: Duration,
    /// `OUTBOX_BATCH_SIZE` (500): rows one tenant publishes per claim.
    pub batch_size: u16,
    /// `RELAY_CONCURRENCY` (4): tenants relayed at once, and tenants the sweep reads at once.
    pub concurrency: usize,
    /// `ORDERS_EXCHANGE` (`orders_exchange`): the topic exchange order events come from.
    pub orders_exchange: String,
    /// `ORDERS_QUEUE` (`app-api.orders`): the durable queue bound to it; rejected messages go to
    /// `{ORDERS_QUEUE}.dead`.
    pub orders_queue: String,
}

impl EventsConfig {
    fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let hours: u32 = env.or("OUTBOX_RETENTION_HOURS", 168)?;
        if hours == 0 {
            return Err(ConfigError { name: "OUTBOX_RETENTION_HOURS", problem: "is invalid: must be above 0".into() });
        }
        let sweep_every = env.or("OUTBOX_SWEEP_SECONDS", Seconds(Duration::from_secs(60)))?.0;
        if sweep_every.is_zero() {
            return Err(ConfigError { name: "OUTBOX_SWEEP_SECONDS", problem: "is invalid: must be above 0".into() });
        }
        let batch_size: u16 = env.or("OUTBOX_BATCH_SIZE", 500)?;
        if batch_size == 0 || batch_size > OUTBOX_BATCH_MAX {
            return Err(ConfigError {
                name: "OUTBOX_BATCH_SIZE",
                problem: format!("is invalid: must be from 1 to {OUTBOX_BATCH_MAX}"),
            });
        }
        let concurrency: usize = env.or("RELAY_CONCURRENCY", 4)?;
        if concurrency == 0 {
            return Err(ConfigError { name: "RELAY_CONCURRENCY", problem: "is invalid: must be above 0".into() });
        }
        let name = |var: &'static str, default: &str| -> Result<String, ConfigError> {
            let value: String = env.or(var, default.to_owned())?;
            if value.is_empty() || value.len() > 200 || value.chars().any(char::is_whitespace) {
                return Err(ConfigError { name: var, problem: "is invalid: expected a name without spaces".into() });
            }
            Ok(value)
        };
        Ok(Self {
            relay_in_serve: env.or("RELAY_IN_SERVE", true)?,
            consumer_in_serve: env.or("ORDERS_CONSUMER_IN_SERVE", true)?,
            exchange: name("EVENTS_EXCHANGE", "sav_exchange")?,
            retention: Duration::from_secs(u64::from(hours) * 3600),
            sweep_every,
            batch_size,
            concurrency,
            orders_exchange: name("ORDERS_EXCHANGE", "orders_exchange")?,
            orders_queue: name("ORDERS_QUEUE", "app-api.orders")?,
        })
    }
}

/// The scheduled SAV jobs: SLA breaches and auto-close (`worker::jobs`).
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// `JOBS_IN_SERVE` (true): `serve` runs the jobs too (`worker` always does).
    pub in_serve: bool,
    /// `SLA_CHECK_SECONDS` (2): how often the due tenants are claimed from the schedule; a
    /// breach is found at most this long after its due time (plus the time to act).
    pub check_every: Duration,
    /// `SLA_SWEEP_SECONDS` (300): how often every active tenant's next due time is read again,
    /// the safety net for hints that were lost.
    pub sweep_every: Duration,
    /// `JOBS_CONCURRENCY` (4): tenants acted on at once, and tenants a sweep reads at once.
    pub concurrency: usize,
}

impl JobsConfig {
    fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let seconds = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            let every = env.or(name, Seconds(Duration::from_secs(default)))?.0;
            if every.is_zero() {
                return Err(ConfigError { name, problem: "is invalid: must be above 0".into() });
            }
            Ok(every)
        };
        let concurrency: usize = env.or("JOBS_CONCURRENCY", 4)?;
        if concurrency == 0 {
            return Err(ConfigError { name: "JOBS_CONCURRENCY", problem: "is invalid: must be above 0".into() });
        }
        Ok(Self {
            in_serve: env.or("JOBS_IN_SERVE", true)?,
            check_every: seconds("SLA_CHECK_SECONDS", 2)?,
            sweep_every: seconds("SLA_SWEEP_SECONDS", 300)?,
            concurrency,
        })
    }
}

/// Where access-token verification keys come from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// `JWT_PUBLIC_KEYS`: PEM blocks.
    Static(Vec<PublicKey>),
    /// `JWKS_URL`: fetched at start, refetched on an unknown `kid` at most once a minute.
    Jwks(String),
}

#[derive(Debug, Clone)]
pub struct TokenKeys {
    pub source: KeySource,
    pub issuer: String,
    pub audience: String,
}

/// `RATE_LIMIT_USER_PER_MINUTE` (1,200) and `RATE_LIMIT_IP_PER_MINUTE` (300); 0 disables. A
/// person's budget is sized from the console's own use: its heaviest cold page (a ticket) made 23
/// requests when measured, so 20 pages opened by address within a minute (460) or 5 tabs at once
/// (115, a burst) stay well inside it, and a person is refused before their 1,500th request of a
/// minute. The address's budget is for traffic without a valid sign-in only.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub per_user_per_minute: u32,
    pub per_ip_per_minute: u32,
}

/// How each cluster's connection slots are shared (`tenancy::budget`): `APP_REPLICAS` (1)
/// app-api processes (`serve` and `worker` together) take `APP_CONNECTION_SHARE_PERCENT` (80)
/// of each cluster's usable slots between them; the rest is control-api's and the operators'.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionShare {
    pub replicas: u32,
    pub percent: u32,
}

/// `TENANT_POOL_MAX_CONNECTIONS` (5), `TENANT_POOLS_MAX_TOTAL_CONNECTIONS` (100),
/// `TENANT_POOLS_MAX` (500), `TENANT_POOL_ACQUIRE_TIMEOUT_SECONDS` (5),
/// `TENANT_POOL_IDLE_SECONDS` (60), `TENANT_POOL_MAX_LIFETIME_SECONDS` (1800),
/// `TENANT_STATEMENT_TIMEOUT_MS` (5,000), `REPORT_STATEMENT_TIMEOUT_MS` (60,000),
/// `REPORT_EXPORT_ROWS_PER_SECOND` (25,000).
#[derive(Debug, Clone, Copy)]
pub struct PoolLimits {
    pub per_tenant: usize,
    pub total: usize,
    pub max_pools: usize,
    pub acquire_timeout: Duration,
    pub idle_timeout: Duration,
    /// `TENANT_POOL_MAX_LIFETIME_SECONDS` (1800): a connection this old is closed when returned.
    pub max_lifetime: Duration,
    /// `TENANT_STATEMENT_TIMEOUT_MS` (5,000): the longest a statement of a tenant's may run
    /// (waiting for a lock included); one cut by it answers 503 `server_busy`. One tenant's slow
    /// query holds a connection no longer than this.
    pub statement_timeout: Duration,
    /// `REPORT_STATEMENT_TIMEOUT_MS` (60,000): the same for reports and exports
    /// (`TenantConnection::begin_report`).
    pub report_statement_timeout: Duration,
    /// `REPORT_EXPORT_ROWS_PER_SECOND` (25,000; 0 leaves exports unpaced): the rows an export
    /// writes a second at most, so one tenant's export takes no more than its share of a replica
    /// and of a pool database its neighbours share (100,000 tickets: 4 s).
    pub export_rows_per_second: u32,
}

/// A time limit in milliseconds, 1 to 3,600,000 (PostgreSQL reads 0 as no limit at all).
fn milliseconds_above_zero(env: &Env, name: &'static str, default: u64) -> Result<Duration, ConfigError> {
    let limit = env.or(name, Millis(Duration::from_millis(default)))?.0;
    if limit.is_zero() || limit > Duration::from_secs(3600) {
        return Err(ConfigError { name, problem: "is invalid: must be 1 to 3600000".into() });
    }
    Ok(limit)
}

impl AppConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let control_db_max_connections: u32 = env.or("CONTROL_DB_MAX_CONNECTIONS", 5)?;
        if control_db_max_connections == 0 {
            return Err(ConfigError {
                name: "CONTROL_DB_MAX_CONNECTIONS",
                problem: "is invalid: must be above 0".into(),
            });
        }
        let source = match (env.optional::<PublicKeys>("JWT_PUBLIC_KEYS")?, env.optional::<String>("JWKS_URL")?) {
            (Some(keys), _) => KeySource::Static(keys.0),
            (None, Some(url)) if url.starts_with("http://") || url.starts_with("https://") => KeySource::Jwks(url),
            (None, Some(_)) => {
                return Err(ConfigError { name: "JWKS_URL", problem: "is invalid: expected an http(s) URL".into() });
            }
            (None, None) => {
                return Err(ConfigError { name: "JWT_PUBLIC_KEYS", problem: "is not set (nor JWKS_URL)".into() });
            }
        };
        let at_least_one = |name: &'static str, value: usize| {
            if value == 0 {
                Err(ConfigError { name, problem: "is invalid: must be above 0".into() })
            } else {
                Ok(value)
            }
        };
        let pools = PoolLimits {
            per_tenant: at_least_one("TENANT_POOL_MAX_CONNECTIONS", env.or("TENANT_POOL_MAX_CONNECTIONS", 5)?)?,
            total: at_least_one(
                "TENANT_POOLS_MAX_TOTAL_CONNECTIONS",
                env.or("TENANT_POOLS_MAX_TOTAL_CONNECTIONS", 100)?,
            )?,
            max_pools: at_least_one("TENANT_POOLS_MAX", env.or("TENANT_POOLS_MAX", 500)?)?,
            acquire_timeout: env.or("TENANT_POOL_ACQUIRE_TIMEOUT_SECONDS", Seconds(Duration::from_secs(5)))?.0,
            idle_timeout: env.or("TENANT_POOL_IDLE_SECONDS", Seconds(Duration::from_secs(60)))?.0,
            max_lifetime: env.or("TENANT_POOL_MAX_LIFETIME_SECONDS", Seconds(Duration::from_secs(1800)))?.0,
            statement_timeout: milliseconds_above_zero(env, "TENANT_STATEMENT_TIMEOUT_MS", 5_000)?,
            report_statement_timeout: milliseconds_above_zero(env, "REPORT_STATEMENT_TIMEOUT_MS", 60_000)?,
            export_rows_per_second: env.or("REPORT_EXPORT_ROWS_PER_SECOND", 25_000)?,
        };
        let connection_share = ConnectionShare {
            replicas: env.or("APP_REPLICAS", 1)?,
            percent: env.or("APP_CONNECTION_SHARE_PERCENT", 80)?,
        };
        if !(1..=1000).contains(&connection_share.replicas) {
            return Err(ConfigError { name: "APP_REPLICAS", problem: "is invalid: must be 1 to 1000".into() });
        }
        if !(1..=100).contains(&connection_share.percent) {
            return Err(ConfigError {
                name: "APP_CONNECTION_SHARE_PERCENT",
                problem: "is invalid: must be 1 to 100".into(),
            });
        }
        let http = HttpConfig::from_env(env, "APP_PORT", 6501)?;
        let notifications = NotificationsConfig::from_env(env, http.port)?;
        Ok(Self {
            tokens: TokenKeys {
                source,
                issuer: env.or("JWT_ISSUER", "helpdeskly".to_owned())?,
                audience: env.or("JWT_AUDIENCE", "helpdeskly".to_owned())?,
            },
            rate_limits: RateLimits {
                per_user_per_minute: env.or("RATE_LIMIT_USER_PER_MINUTE", 1_200)?,
                per_ip_per_minute: env.or("RATE_LIMIT_IP_PER_MINUTE", 300)?,
            },
            pools,
            connection_share,
            tenant_cache_ttl: env.or("TENANT_CACHE_TTL_SECONDS", Seconds(Duration::from_secs(5)))?.0,
            access_token_lifetime: env.or("JWT_EXPIRES_IN_SECONDS", Seconds(Duration::from_secs(900)))?.0,
            redis_key_prefix: env.or("REDIS_KEY_PREFIX", "hd:".to_owned())?,
            http,
            log: LogConfig::from_env(env)?,
            control_db: env.required("CONTROL_DATABASE_URL")?,
            control_db_max_connections,
            keys: AppPlaneKeys::from_app_plane_key(&env.required::<EncryptionKey>("APP_PLANE_KEY")?),
            base_domain: env.optional("APP_BASE_DOMAIN")?,
            redis: RedisAddress::from_env(env)?,
            amqp_url: env.optional("AMQP_URL")?,
            control_api_url: env.optional("CONTROL_API_URL")?,
            events: EventsConfig::from_env(env)?,
            jobs: JobsConfig::from_env(env)?,
            attachments: AttachmentsConfig::from_env(env)?,
            notifications,
            integrations: IntegrationsConfig::from_env(env)?,
            mail_in: MailInConfig::from_env(env)?,
            streams_per_user: at_least_one("STREAMS_PER_USER", env.or("STREAMS_PER_USER", 20)?)?,
            answer_cache_bytes: env.or::<u64>("ANSWER_CACHE_MB", 64)?.saturating_mul(1 << 20),
        })
    }
}

/// A DNS name such as `helpdeskly.example` (lower-cased, no scheme, port or trailing dot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseDomain(String);

impl BaseDomain {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromEnv for BaseDomain {
    fn from_env(raw: &str) -> Result<Self, String> {
        let name = raw.to_ascii_lowercase();
        let valid_label = |l: &str| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if name.len() > 253 || !name.split('.').all(valid_label) {
            return Err("expected a domain name such as helpdeskly.example".into());
        }
        Ok(Self(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attachments(pairs: &[(&str, &str)]) -> Result<AttachmentsConfig, ConfigError> {
        AttachmentsConfig::from_env(&Env::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn attachments_go_to_the_disk_unless_s3_is_named() {
        let config = attachments(&[]).unwrap();
        assert!(matches!(config.store, BlobStoreConfig::Disk { ref dir } if dir.as_os_str() == ".data/blobs"));
        assert_eq!((config.url_ttl.as_secs(), config.quota_bytes), (900, 5 * 1024 * 1024 * 1024));
        let s3 = attachments(&[
            ("S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("AWS_ACCESS_KEY_ID", "k"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ])
        .unwrap();
        let BlobStoreConfig::S3(s3) = s3.store else { panic!("S3 expected") };
        assert_eq!((s3.bucket.as_str(), s3.region.as_str(), s3.force_path_style), ("sav", "us-east-1", true));
        let name = |r: Result<AttachmentsConfig, ConfigError>| r.err().map(|e| e.name);
        assert_eq!(name(attachments(&[("S3_ENDPOINT", "http://x")])), Some("AWS_ACCESS_KEY_ID"));
        assert_eq!(name(attachments(&[("S3_ENDPOINT", "ftp://x")])), Some("S3_ENDPOINT"));
        assert_eq!(name(attachments(&[("S3_BUCKET", "Bad_Bucket"), ("AWS_ACCESS_KEY_ID", "k")])), Some("S3_BUCKET"));
        assert_eq!(name(attachments(&[("ATTACHMENT_URL_TTL_SECONDS", "0")])), Some("ATTACHMENT_URL_TTL_SECONDS"));
        assert_eq!(name(attachments(&[("ATTACHMENT_URL_TTL_SECONDS", "604801")])), Some("ATTACHMENT_URL_TTL_SECONDS"));
        assert_eq!(name(attachments(&[("CLAMAV_ADDR", "localhost")])), Some("CLAMAV_ADDR"));
        assert_eq!(name(attachments(&[("UPLOAD_CONCURRENCY", "0")])), Some("UPLOAD_CONCURRENCY"));
        assert!(attachments(&[("CLAMAV_ADDR", "127.0.0.1:3310")]).unwrap().clamav_addr.is_some());
    }

    #[test]
    fn base_domain_is_a_dns_name() {
        assert_eq!(BaseDomain::from_env("Helpdeskly.Example").unwrap().as_str(), "helpdeskly.example");
        assert_eq!(BaseDomain::from_env("localhost").unwrap().as_str(), "localhost");
        for bad in ["https://x.example", "x.example:80", "x..example", "-x.example", "x.example."] {
            assert!(BaseDomain::from_env(bad).is_err(), "{bad}");
        }
    }
}
