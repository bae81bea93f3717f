//! control-api configuration, read from the environment once at start.

use std::time::Duration;

use shared::auth::{PublicKey, PublicKeys, SigningKey};
use shared::config::{ConfigError, DatabaseUrl, EncryptionKey, Env, HttpConfig, LogConfig, RedisAddress, ServiceUrl};
use shared::crypto::ControlKeys;

use crate::identity::lockout::{Policies, Policy};
use crate::tenancy::TenancySettings;
use crate::tenancy::placement::Mode;

#[derive(Debug, Clone)]
pub struct ControlConfig {
    pub http: HttpConfig,
    pub log: LogConfig,
    /// `CONTROL_DATABASE_URL`: the control database.
    pub control_db: DatabaseUrl,
    /// `CONTROL_DB_MAX_CONNECTIONS` (10): pool size for the control database.
    pub control_db_max_connections: u32,
    /// `TENANT_DATABASE_URL`: admin URL of the default tenant cluster; defaults to the control
    /// database's server.
    pub tenant_db: DatabaseUrl,
    /// The keys of each kind of secret at rest, derived from `DB_ENCRYPTION_KEY` (see
    /// `shared::crypto`).
    pub keys: ControlKeys,
    pub jwt: JwtConfig,
    pub tenancy: TenancySettings,
    /// `REDIS_URL`, or Sentinel's `REDIS_SENTINELS` and `REDIS_SENTINEL_MASTER`.
    pub redis: Option<RedisAddress>,
    /// `REDIS_KEY_PREFIX` ("hd:"): namespace of every Redis key, so environments can share a
    /// server.
    pub redis_key_prefix: String,
    pub amqp_url: Option<ServiceUrl>,
    pub abuse: AbuseLimits,
    /// `APP_PUBLIC_URL`: where a tenant's web app lives, `{slug}` standing for its slug
    /// (`https://{slug}.helpdeskly.example`); the sign-up page sends new organisations there, and
    /// the links of account mail point there.
    pub app_public_url: Option<AppUrlTemplate>,
    /// `SMTP_URL`, `MAIL_FROM`, `MAIL_REPLY_DOMAIN`: account mail (see `shared::mail`).
    pub mail: shared::mail::MailConfig,
    /// `SSO_ALLOW_INSECURE_ISSUERS` (false): single sign-on providers may be `http://` issuers
    /// (development and tests).
    pub sso_allow_insecure_issuers: bool,
}

pub use shared::config::AppUrlTemplate;

/// Bounds on what anonymous callers can make the platform do.
#[derive(Debug, Clone)]
pub struct AbuseLimits {
    /// `LOCKOUT_ACCOUNT_ATTEMPTS` (5) and `LOCKOUT_IP_ATTEMPTS` (30): attempts at a secret before
    /// the growing locks start.
    pub lockout: Policies,
    /// `PASSWORD_HASH_CONCURRENCY` (the number of cores, at most 4): argon2's threads, each
    /// keeping one 19 MiB block for its life.
    pub hash_concurrency: usize,
    /// `PASSWORD_HASH_QUEUE` (32): callers waiting for a turn; beyond it, 503 with Retry-After.
    pub hash_queue: usize,
    /// `SIGNUPS_PER_IP_PER_HOUR` (5) and `SIGNUPS_PER_HOUR` (120, every address together): new
    /// organisations; 0 disables a limit.
    pub signups_per_ip_per_hour: u32,
    pub signups_per_hour: u32,
    /// `REGISTRATIONS_PER_IP_PER_HOUR` (20): customers registering from one client IP; 0
    /// disables.
    pub registrations_per_ip_per_hour: u32,
    /// `PASSWORD_RESETS_PER_IP_PER_HOUR` (20) and `PASSWORD_RESETS_PER_EMAIL_PER_HOUR` (5):
    /// password reset requests from one client IP, and for one email whoever asks (so nobody
    /// floods a mailbox); 0 disables a limit.
    pub password_resets_per_ip_per_hour: u32,
    pub password_resets_per_email_per_hour: u32,
}

impl AbuseLimits {
    fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let defaults = Policies::default();
        let account: u32 = env.or("LOCKOUT_ACCOUNT_ATTEMPTS", defaults.account.free)?;
        let ip: u32 = env.or("LOCKOUT_IP_ATTEMPTS", defaults.ip.free)?;
        positive("LOCKOUT_ACCOUNT_ATTEMPTS", u64::from(account))?;
        positive("LOCKOUT_IP_ATTEMPTS", u64::from(ip))?;
        // Each hashing thread keeps its 19 MiB block: four at most by default, so a large host
        // holds 76 MiB for passwords, not 19 MiB a core.
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let hash_concurrency: usize = env.or("PASSWORD_HASH_CONCURRENCY", cores.min(4))?;
        positive("PASSWORD_HASH_CONCURRENCY", hash_concurrency as u64)?;
        Ok(Self {
            lockout: Policies {
                account: Policy { free: account, ..defaults.account },
                ip: Policy { free: ip, ..defaults.ip },
            },
            hash_concurrency,
            hash_queue: env.or("PASSWORD_HASH_QUEUE", 32)?,
            signups_per_ip_per_hour: env.or("SIGNUPS_PER_IP_PER_HOUR", 5)?,
            signups_per_hour: env.or("SIGNUPS_PER_HOUR", 120)?,
            registrations_per_ip_per_hour: env.or("REGISTRATIONS_PER_IP_PER_HOUR", 20)?,
            password_resets_per_ip_per_hour: env.or("PASSWORD_RESETS_PER_IP_PER_HOUR", 20)?,
            password_resets_per_email_per_hour: env.or("PASSWORD_RESETS_PER_EMAIL_PER_HOUR", 5)?,
        })
    }
}

/// Token settings.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// `JWT_PRIVATE_KEY`: Ed25519, PKCS#8 PEM.
    pub signing_key: SigningKey,
    /// `JWT_PUBLIC_KEYS` (optional): older keys still published in the JWKS during a rotation.
    pub previous_keys: Vec<PublicKey>,
    /// `JWT_ISSUER` ("helpdeskly") and `JWT_AUDIENCE` ("helpdeskly").
    pub issuer: String,
    pub audience: String,
    /// `JWT_EXPIRES_IN_SECONDS` (900).
    pub access_ttl: Duration,
    /// `REFRESH_TOKEN_DAYS` (7): how long a refresh token lives unused.
    pub refresh_ttl: Duration,
    /// `SESSION_MAX_DAYS` (30): a session ends this long after its login, however often it is
    /// refreshed.
    pub session_lifetime: Duration,
}

fn positive(name: &'static str, value: u64) -> Result<u64, ConfigError> {
    if value == 0 {
        return Err(ConfigError { name, problem: "is invalid: must be above 0".into() });
    }
    Ok(value)
}

impl JwtConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let access_secs = positive("JWT_EXPIRES_IN_SECONDS", env.or("JWT_EXPIRES_IN_SECONDS", 900)?)?;
        let refresh_days = positive("REFRESH_TOKEN_DAYS", env.or("REFRESH_TOKEN_DAYS", 7)?)?;
        let session_days = positive("SESSION_MAX_DAYS", env.or("SESSION_MAX_DAYS", 30)?)?;
        Ok(Self {
            signing_key: env.required("JWT_PRIVATE_KEY")?,
            previous_keys: env.optional::<PublicKeys>("JWT_PUBLIC_KEYS")?.map(|k| k.0).unwrap_or_default(),
            issuer: env.or("JWT_ISSUER", "helpdeskly".to_owned())?,
            audience: env.or("JWT_AUDIENCE", "helpdeskly".to_owned())?,
            access_ttl: Duration::from_secs(access_secs),
            refresh_ttl: Duration::from_secs(refresh_days.saturating_mul(86_400)),
            session_lifetime: Duration::from_secs(session_days.saturating_mul(86_400)),
        })
    }

    /// How long refresh tokens and sessions live.
    pub fn lifetimes(&self) -> crate::identity::sessions::Lifetimes {
        crate::identity::sessions::Lifetimes { refresh: self.refresh_ttl, session: self.session_lifetime }
    }

    /// Every key the JWKS publishes: the signing key first, then older ones, without repeats.
    pub fn published_keys(&self) -> Vec<PublicKey> {
        let mut keys = vec![self.signing_key.public().clone()];
        for key in &self.previous_keys {
            if keys.iter().all(|k| k.kid() != key.kid()) {
                keys.push(key.clone());
            }
        }
        keys
    }
}

fn tenancy_from_env(env: &Env) -> Result<TenancySettings, ConfigError> {
    let identifier = |name: &'static str, value: String, max: usize| {
        let ok = !value.is_empty()
            && value.len() <= max
            && value.starts_with(|c: char| c.is_ascii_lowercase())
            && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(value)
        } else {
            Err(ConfigError { name, problem: format!("is invalid: expected [a-z][a-z0-9_]{{0,{}}}", max - 1) })
        }
    };
    let limit: u32 = env.or("TENANT_ROLE_CONNECTION_LIMIT", 50)?;
    positive("TENANT_ROLE_CONNECTION_LIMIT", u64::from(limit))?;
    let abandoned_hours = positive("TENANT_ABANDONED_HOURS", env.or("TENANT_ABANDONED_HOURS", 72)?)?;
    Ok(TenancySettings {
        template_database: identifier(
            "TENANT_TEMPLATE_DATABASE",
            env.or("TENANT_TEMPLATE_DATABASE", "hd_tenant_template".to_owned())?,
            63,
        )?,
        // 63 characters at most, minus the 32 of the tenant id.
        db_prefix: identifier("TENANT_DB_PREFIX", env.or("TENANT_DB_PREFIX", "hdt_".to_owned())?, 31)?,
        role_connection_limit: limit,
        abandoned_after: Duration::from_secs(abandoned_hours.saturating_mul(3600)),
        default_placement: {
            let mode: String = env.or("TENANT_DEFAULT_PLACEMENT", "pooled".to_owned())?;
            Mode::parse(&mode).ok_or_else(|| ConfigError {
                name: "TENANT_DEFAULT_PLACEMENT",
                problem: format!("is invalid: expected pooled or dedicated, not {mode:?}"),
            })?
        },
        pool_max_tenants: u32::try_from(positive(
            "POOL_DATABASE_MAX_TENANTS",
            env.or("POOL_DATABASE_MAX_TENANTS", 5_000u64)?,
        )?)
        .unwrap_or(u32::MAX),
        move_settle: Duration::from_millis(env.or("TENANT_MOVE_SETTLE_MS", 6_000u64)?),
    })
}

impl ControlConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let control_db: DatabaseUrl = env.required("CONTROL_DATABASE_URL")?;
        let control_db_max_connections: u32 = env.or("CONTROL_DB_MAX_CONNECTIONS", 10)?;
        positive("CONTROL_DB_MAX_CONNECTIONS", u64::from(control_db_max_connections))?;
        Ok(Self {
            http: HttpConfig::from_env(env, "CONTROL_PORT", 6500)?,
            log: LogConfig::from_env(env)?,
            tenant_db: env.or("TENANT_DATABASE_URL", control_db.clone())?,
            control_db,
            control_db_max_connections,
            keys: ControlKeys::from_master(&env.required::<EncryptionKey>("DB_ENCRYPTION_KEY")?),
            jwt: JwtConfig::from_env(env)?,
            tenancy: tenancy_from_env(env)?,
            redis: RedisAddress::from_env(env)?,
            redis_key_prefix: env.or("REDIS_KEY_PREFIX", "hd:".to_owned())?,
            amqp_url: env.optional("AMQP_URL")?,
            abuse: AbuseLimits::from_env(env)?,
            app_public_url: env.optional("APP_PUBLIC_URL")?,
            mail: shared::mail::MailConfig::from_env(env)?,
            sso_allow_insecure_issuers: env.or("SSO_ALLOW_INSECURE_ISSUERS", false)?,
        })
    }
}
