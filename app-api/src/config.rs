//! app-api configuration, read from the environment once at start.

use std::time::Duration;

use shared::auth::{PublicKey, PublicKeys};
use shared::config::{
    ConfigError, DatabaseUrl, EncryptionKey, Env, FromEnv, HttpConfig, LogConfig, Seconds, ServiceUrl,
};
use shared::crypto::AppPlaneKeys;

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
    pub redis_url: Option<ServiceUrl>,
    /// `REDIS_KEY_PREFIX` ("hd:"), as on control-api.
    pub redis_key_prefix: String,
    pub amqp_url: Option<ServiceUrl>,
    /// `CONTROL_API_URL`: control-api, asked to remove the members an erasure erases (without
    /// it, erasures stop after the tenant's data and say so).
    pub control_api_url: Option<ServiceUrl>,
    pub tokens: TokenKeys,
    pub rate_limits: RateLimits,
    pub pools: PoolLimits,
    /// `JWT_EXPIRES_IN_SECONDS` (900), as on control-api: how long a revoked session's access
    /// tokens must be remembered as revoked.
    pub access_token_lifetime: Duration,
    /// `TENANT_CACHE_TTL_SECONDS` (5): how long a tenant lookup is trusted in process memory
    /// (changes published by control-api evict at once; this bounds staleness without Redis).
    pub tenant_cache_ttl: Duration,
    pub events: EventsConfig,
    pub jobs: JobsConfig,
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
        if batch_size == 0 {
            return Err(ConfigError { name: "OUTBOX_BATCH_SIZE", problem: "is invalid: must be above 0".into() });
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

/// `RATE_LIMIT_USER_PER_MINUTE` (60) and `RATE_LIMIT_IP_PER_MINUTE` (300); 0 disables.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub per_user_per_minute: u32,
    pub per_ip_per_minute: u32,
}

/// `TENANT_POOL_MAX_CONNECTIONS` (5), `TENANT_POOLS_MAX_TOTAL_CONNECTIONS` (100),
/// `TENANT_POOLS_MAX` (500), `TENANT_POOL_ACQUIRE_TIMEOUT_SECONDS` (5),
/// `TENANT_POOL_IDLE_SECONDS` (60), `TENANT_POOL_MAX_LIFETIME_SECONDS` (1800).
#[derive(Debug, Clone, Copy)]
pub struct PoolLimits {
    pub per_tenant: usize,
    pub total: usize,
    pub max_pools: usize,
    pub acquire_timeout: Duration,
    pub idle_timeout: Duration,
    /// `TENANT_POOL_MAX_LIFETIME_SECONDS` (1800): a connection this old is closed when returned.
    pub max_lifetime: Duration,
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
        };
        Ok(Self {
            tokens: TokenKeys {
                source,
                issuer: env.or("JWT_ISSUER", "helpdeskly".to_owned())?,
                audience: env.or("JWT_AUDIENCE", "helpdeskly".to_owned())?,
            },
            rate_limits: RateLimits {
                per_user_per_minute: env.or("RATE_LIMIT_USER_PER_MINUTE", 60)?,
                per_ip_per_minute: env.or("RATE_LIMIT_IP_PER_MINUTE", 300)?,
            },
            pools,
            tenant_cache_ttl: env.or("TENANT_CACHE_TTL_SECONDS", Seconds(Duration::from_secs(5)))?.0,
            access_token_lifetime: env.or("JWT_EXPIRES_IN_SECONDS", Seconds(Duration::from_secs(900)))?.0,
            redis_key_prefix: env.or("REDIS_KEY_PREFIX", "hd:".to_owned())?,
            http: HttpConfig::from_env(env, "APP_PORT", 6501)?,
            log: LogConfig::from_env(env)?,
            control_db: env.required("CONTROL_DATABASE_URL")?,
            control_db_max_connections,
            keys: AppPlaneKeys::from_app_plane_key(&env.required::<EncryptionKey>("APP_PLANE_KEY")?),
            base_domain: env.optional("APP_BASE_DOMAIN")?,
            redis_url: env.optional("REDIS_URL")?,
            amqp_url: env.optional("AMQP_URL")?,
            control_api_url: env.optional("CONTROL_API_URL")?,
            events: EventsConfig::from_env(env)?,
            jobs: JobsConfig::from_env(env)?,
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

    #[test]
    fn base_domain_is_a_dns_name() {
        assert_eq!(BaseDomain::from_env("Helpdeskly.Example").unwrap().as_str(), "helpdeskly.example");
        assert_eq!(BaseDomain::from_env("localhost").unwrap().as_str(), "localhost");
        for bad in ["https://x.example", "x.example:80", "x..example", "-x.example", "x.example."] {
            assert!(BaseDomain::from_env(bad).is_err(), "{bad}");
        }
    }
}
