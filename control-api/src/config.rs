//! control-api configuration, read from the environment once at start.

use std::time::Duration;

use shared::auth::{PublicKey, PublicKeys, SigningKey};
use shared::config::{ConfigError, DatabaseUrl, EncryptionKey, Env, HttpConfig, LogConfig, ServiceUrl};

use crate::tenancy::TenancySettings;

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
    /// `DB_ENCRYPTION_KEY`: secrets at rest.
    pub encryption_key: EncryptionKey,
    pub jwt: JwtConfig,
    pub tenancy: TenancySettings,
    pub redis_url: Option<ServiceUrl>,
    /// `REDIS_KEY_PREFIX` ("hd:"): namespace of every Redis key, so environments can share a
    /// server.
    pub redis_key_prefix: String,
    pub amqp_url: Option<ServiceUrl>,
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
    /// `REFRESH_TOKEN_DAYS` (7).
    pub refresh_ttl: Duration,
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
        Ok(Self {
            signing_key: env.required("JWT_PRIVATE_KEY")?,
            previous_keys: env.optional::<PublicKeys>("JWT_PUBLIC_KEYS")?.map(|k| k.0).unwrap_or_default(),
            issuer: env.or("JWT_ISSUER", "helpdeskly".to_owned())?,
            audience: env.or("JWT_AUDIENCE", "helpdeskly".to_owned())?,
            access_ttl: Duration::from_secs(access_secs),
            refresh_ttl: Duration::from_secs(refresh_days.saturating_mul(86_400)),
        })
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
    Ok(TenancySettings {
        template_database: identifier(
            "TENANT_TEMPLATE_DATABASE",
            env.or("TENANT_TEMPLATE_DATABASE", "hd_tenant_template".to_owned())?,
            63,
        )?,
        // 63 characters at most, minus the 32 of the tenant id.
        db_prefix: identifier("TENANT_DB_PREFIX", env.or("TENANT_DB_PREFIX", "hdt_".to_owned())?, 31)?,
        role_connection_limit: limit,
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
            encryption_key: env.required("DB_ENCRYPTION_KEY")?,
            jwt: JwtConfig::from_env(env)?,
            tenancy: tenancy_from_env(env)?,
            redis_url: env.optional("REDIS_URL")?,
            redis_key_prefix: env.or("REDIS_KEY_PREFIX", "hd:".to_owned())?,
            amqp_url: env.optional("AMQP_URL")?,
        })
    }
}
