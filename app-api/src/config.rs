//! app-api configuration, read from the environment once at start.

use shared::config::{ConfigError, DatabaseUrl, EncryptionKey, Env, FromEnv, HttpConfig, LogConfig, ServiceUrl};

#[derive(Debug, Clone)]
pub struct AppConfig {
    pub http: HttpConfig,
    pub log: LogConfig,
    /// `CONTROL_DATABASE_URL`: read for tenant resolution only.
    pub control_db: DatabaseUrl,
    /// `CONTROL_DB_MAX_CONNECTIONS` (5).
    pub control_db_max_connections: u32,
    /// `DB_ENCRYPTION_KEY`: decrypts tenant database credentials.
    pub encryption_key: EncryptionKey,
    /// `APP_BASE_DOMAIN`: tenants live at `{slug}.{APP_BASE_DOMAIN}`; without it the tenant
    /// comes from `X-Tenant-Slug` only.
    pub base_domain: Option<BaseDomain>,
    pub redis_url: Option<ServiceUrl>,
    pub amqp_url: Option<ServiceUrl>,
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
        Ok(Self {
            http: HttpConfig::from_env(env, "APP_PORT", 6501)?,
            log: LogConfig::from_env(env)?,
            control_db: env.required("CONTROL_DATABASE_URL")?,
            control_db_max_connections,
            encryption_key: env.required("DB_ENCRYPTION_KEY")?,
            base_domain: env.optional("APP_BASE_DOMAIN")?,
            redis_url: env.optional("REDIS_URL")?,
            amqp_url: env.optional("AMQP_URL")?,
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
