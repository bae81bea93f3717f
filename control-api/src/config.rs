//! control-api configuration, read from the environment once at start.

use shared::config::{ConfigError, DatabaseUrl, EncryptionKey, Env, HttpConfig, LogConfig, ServiceUrl};

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
    pub redis_url: Option<ServiceUrl>,
    pub amqp_url: Option<ServiceUrl>,
}

impl ControlConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let control_db: DatabaseUrl = env.required("CONTROL_DATABASE_URL")?;
        let control_db_max_connections: u32 = env.or("CONTROL_DB_MAX_CONNECTIONS", 10)?;
        if control_db_max_connections == 0 {
            return Err(ConfigError {
                name: "CONTROL_DB_MAX_CONNECTIONS",
                problem: "is invalid: must be above 0".into(),
            });
        }
        Ok(Self {
            http: HttpConfig::from_env(env, "CONTROL_PORT", 6500)?,
            log: LogConfig::from_env(env)?,
            tenant_db: env.or("TENANT_DATABASE_URL", control_db.clone())?,
            control_db,
            control_db_max_connections,
            encryption_key: env.required("DB_ENCRYPTION_KEY")?,
            redis_url: env.optional("REDIS_URL")?,
            amqp_url: env.optional("AMQP_URL")?,
        })
    }
}
