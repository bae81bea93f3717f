//! Configuration read from the environment, typed and validated once at start.
//!
//! Every reader names the variable it failed on, and never echoes a value back (values may be
//! secrets). Services compose their own config structs from the groups defined here.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

use axum::http::HeaderValue;
use base64::Engine as _;
pub use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::PgConnectOptions;

/// A configuration problem, rendered as one line naming the variable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{name} {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

impl ConfigError {
    fn invalid(name: &'static str, why: impl fmt::Display) -> Self {
        Self { name, problem: format!("is invalid: {why}") }
    }
}

/// A snapshot of environment variables. Empty values count as unset.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, Option<String>>,
}

impl Env {
    /// The process environment. Values that are not UTF-8 are kept as invalid, not dropped.
    pub fn from_process() -> Self {
        let vars =
            std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()))).collect();
        Self { vars }
    }

    /// An explicit set of variables (tests, tools).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        let vars = pairs.into_iter().map(|(k, v)| (k.into(), Some(v.into()))).collect();
        Self { vars }
    }

    /// Sets or replaces one variable.
    #[must_use]
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.vars.insert(name.to_owned(), Some(value.into()));
        self
    }

    /// Removes one variable.
    #[must_use]
    pub fn without(mut self, name: &str) -> Self {
        self.vars.remove(name);
        self
    }

    fn raw(&self, name: &'static str) -> Result<Option<&str>, ConfigError> {
        match self.vars.get(name) {
            None => Ok(None),
            Some(None) => Err(ConfigError::invalid(name, "not valid UTF-8")),
            Some(Some(v)) if v.trim().is_empty() => Ok(None),
            Some(Some(v)) => Ok(Some(v.as_str())),
        }
    }

    /// A variable that must be present and parse as `T`.
    pub fn required<T: FromEnv>(&self, name: &'static str) -> Result<T, ConfigError> {
        self.optional(name)?.ok_or_else(|| ConfigError { name, problem: "is not set".into() })
    }

    /// A variable that may be absent.
    pub fn optional<T: FromEnv>(&self, name: &'static str) -> Result<Option<T>, ConfigError> {
        self.raw(name)?.map(|raw| T::from_env(raw.trim()).map_err(|why| ConfigError::invalid(name, why))).transpose()
    }

    /// A variable with a default when absent.
    pub fn or<T: FromEnv>(&self, name: &'static str, default: T) -> Result<T, ConfigError> {
        Ok(self.optional(name)?.unwrap_or(default))
    }
}

/// Parsing of one variable's text. Implemented for `FromStr` types through [`Parsed`] and for
/// the config value types below; the error text must not contain the value.
pub trait FromEnv: Sized {
    fn from_env(raw: &str) -> Result<Self, String>;
}

macro_rules! from_env_via_from_str {
    ($($t:ty),*) => {$(
        impl FromEnv for $t {
            fn from_env(raw: &str) -> Result<Self, String> {
                raw.parse::<$t>().map_err(|e| e.to_string())
            }
        }
    )*};
}
from_env_via_from_str!(u16, u32, u64, usize, IpAddr);

impl FromEnv for String {
    fn from_env(raw: &str) -> Result<Self, String> {
        Ok(raw.to_owned())
    }
}

impl FromEnv for SecretString {
    fn from_env(raw: &str) -> Result<Self, String> {
        Ok(SecretString::from(raw.to_owned()))
    }
}

impl FromEnv for bool {
    fn from_env(raw: &str) -> Result<Self, String> {
        match raw.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err("expected true or false".into()),
        }
    }
}

/// A whole number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seconds(pub Duration);

impl FromEnv for Seconds {
    fn from_env(raw: &str) -> Result<Self, String> {
        let secs: u64 = raw.parse().map_err(|_| "expected a whole number of seconds".to_owned())?;
        Ok(Self(Duration::from_secs(secs)))
    }
}

/// A whole number of milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Millis(pub Duration);

impl FromEnv for Millis {
    fn from_env(raw: &str) -> Result<Self, String> {
        let millis: u64 = raw.parse().map_err(|_| "expected a whole number of milliseconds".to_owned())?;
        Ok(Self(Duration::from_millis(millis)))
    }
}

/// A PostgreSQL connection URL. Debug output hides the credentials. It may name several hosts,
/// as libpq's URLs do (`postgresql://u@h1:5432,h2:5432/db?target_session_attrs=read-write`):
/// connections then go to the host that accepts writes (`crate::db::connect_writable`).
#[derive(Clone)]
pub struct DatabaseUrl(SecretString);

impl DatabaseUrl {
    /// The options of the first host (the only one, mostly).
    pub fn connect_options(&self) -> PgConnectOptions {
        self.hosts().swap_remove(0)
    }

    /// The options of each host, in the URL's order.
    pub fn hosts(&self) -> Vec<PgConnectOptions> {
        // Validated when read, so these parses cannot fail.
        split_hosts(self.0.expose_secret())
            .expect("validated at start")
            .iter()
            .map(|url| url.parse().expect("validated at start"))
            .collect()
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// One URL for each host of a libpq URL (`scheme://[userinfo@]host[:port][,host[:port]...][/db][?query]`),
/// the rest of it the same.
pub fn split_hosts(raw: &str) -> Result<Vec<String>, String> {
    let (scheme, rest) = raw.split_once("://").ok_or("expected a postgres:// URL")?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => (format!("{userinfo}@"), hosts),
        None => (String::new(), authority),
    };
    if hosts.contains(',') && hosts.split(',').any(str::is_empty) {
        return Err("a host of the list is empty".into());
    }
    Ok(hosts.split(',').map(|host| format!("{scheme}://{userinfo}{host}{tail}")).collect())
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseUrl(")?;
        for (n, opts) in self.hosts().iter().enumerate() {
            let separator = if n == 0 { "" } else { "," };
            write!(f, "{separator}{}:{}", opts.get_host(), opts.get_port())?;
        }
        write!(f, "/{})", self.connect_options().get_database().unwrap_or(""))
    }
}

impl FromEnv for DatabaseUrl {
    fn from_env(raw: &str) -> Result<Self, String> {
        if !(raw.starts_with("postgres://") || raw.starts_with("postgresql://")) {
            return Err("expected a postgres:// URL".into());
        }
        for host in split_hosts(raw)? {
            PgConnectOptions::from_str(&host).map_err(|_| "not a valid PostgreSQL URL".to_owned())?;
        }
        Ok(Self(SecretString::from(raw.to_owned())))
    }
}

/// A URL of an optional backing service (Redis, AMQP). Debug output hides it.
#[derive(Clone)]
pub struct ServiceUrl(SecretString);

impl ServiceUrl {
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for ServiceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServiceUrl(..)")
    }
}

impl FromEnv for ServiceUrl {
    fn from_env(raw: &str) -> Result<Self, String> {
        if !raw.contains("://") {
            return Err("expected a URL with a scheme".into());
        }
        Ok(Self(SecretString::from(raw.to_owned())))
    }
}

/// Where Redis is: one server (`REDIS_URL`), or the master of a group watched by Sentinel
/// (`REDIS_SENTINELS`, `REDIS_SENTINEL_MASTER`, and `REDIS_PASSWORD` when the group's servers
/// ask for one), asked of the sentinels each time a connection is opened.
#[derive(Debug, Clone)]
pub enum RedisAddress {
    Url(ServiceUrl),
    Sentinel(RedisSentinels),
}

/// The sentinels of a Redis group, and the name they know its master by.
#[derive(Clone)]
pub struct RedisSentinels {
    /// `redis://host:port` of each sentinel.
    pub sentinels: Vec<String>,
    pub master: String,
    pub password: Option<SecretString>,
}

impl fmt::Debug for RedisSentinels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSentinels")
            .field("sentinels", &self.sentinels)
            .field("master", &self.master)
            .finish_non_exhaustive()
    }
}

impl RedisAddress {
    /// `REDIS_URL`, or `REDIS_SENTINELS` (`host:port` separated by commas) with
    /// `REDIS_SENTINEL_MASTER`; none when neither is set (Redis is optional), an error when both are.
    pub fn from_env(env: &Env) -> Result<Option<Self>, ConfigError> {
        let url: Option<ServiceUrl> = env.optional("REDIS_URL")?;
        let sentinels: Option<String> = env.optional("REDIS_SENTINELS")?;
        let master: Option<String> = env.optional("REDIS_SENTINEL_MASTER")?;
        let password: Option<String> = env.optional("REDIS_PASSWORD")?;
        match (url, sentinels) {
            (Some(_), Some(_)) => {
                Err(ConfigError::invalid("REDIS_SENTINELS", "set REDIS_URL or REDIS_SENTINELS, not both"))
            }
            (Some(url), None) => Ok(Some(Self::Url(url))),
            (None, None) => Ok(None),
            (None, Some(list)) => {
                let sentinels = list
                    .split(',')
                    .map(str::trim)
                    .filter(|node| !node.is_empty())
                    .map(|node| {
                        let (host, port) = node.rsplit_once(':').ok_or("each sentinel is host:port")?;
                        port.parse::<u16>().map_err(|_| "each sentinel's port is a number")?;
                        if host.is_empty() {
                            return Err("each sentinel is host:port");
                        }
                        Ok(format!("redis://{node}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|why| ConfigError::invalid("REDIS_SENTINELS", why))?;
                if sentinels.is_empty() {
                    return Err(ConfigError::invalid("REDIS_SENTINELS", "names no sentinel"));
                }
                let master = master.filter(|name| !name.is_empty()).ok_or(ConfigError {
                    name: "REDIS_SENTINEL_MASTER",
                    problem: "is not set (REDIS_SENTINELS is)".into(),
                })?;
                Ok(Some(Self::Sentinel(RedisSentinels {
                    sentinels,
                    master,
                    password: password.map(SecretString::from),
                })))
            }
        }
    }
}

/// `APP_PUBLIC_URL`: a tenant's web address, `{slug}` standing for its slug
/// (`https://{slug}.helpdeskly.example`), http or https; links in mail and sign-up point there.
#[derive(Debug, Clone)]
pub struct AppUrlTemplate(String);

impl AppUrlTemplate {
    pub fn for_slug(&self, slug: &str) -> String {
        self.0.replace("{slug}", slug)
    }
}

impl FromEnv for AppUrlTemplate {
    fn from_env(raw: &str) -> Result<Self, String> {
        let template = raw.trim().trim_end_matches('/');
        let sample = url::Url::parse(&template.replace("{slug}", "acme")).map_err(|e| e.to_string())?;
        if !template.contains("{slug}") {
            return Err("must contain {slug}, e.g. https://{slug}.helpdeskly.example".into());
        }
        if !matches!(sample.scheme(), "http" | "https") || sample.host_str().is_none() {
            return Err("must be an http or https address".into());
        }
        Ok(Self(template.to_owned()))
    }
}

/// 32 bytes, base64-encoded, for AES-256-GCM encryption of secrets at rest.
#[derive(Clone)]
pub struct EncryptionKey(std::sync::Arc<secrecy::SecretBox<[u8; 32]>>);

impl EncryptionKey {
    pub fn bytes(&self) -> &[u8; 32] {
        self.0.expose_secret()
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(std::sync::Arc::new(secrecy::SecretBox::new(Box::new(bytes))))
    }

    /// The key in base64, as the variables take it (to hand a derived key to another service).
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.bytes())
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionKey(..)")
    }
}

impl FromEnv for EncryptionKey {
    fn from_env(raw: &str) -> Result<Self, String> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(raw).map_err(|_| "expected base64".to_owned())?;
        let key: [u8; 32] = bytes.try_into().map_err(|v: Vec<u8>| format!("expected 32 bytes, got {}", v.len()))?;
        Ok(Self::from_bytes(key))
    }
}

/// `LOG_FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

impl FromEnv for LogFormat {
    fn from_env(raw: &str) -> Result<Self, String> {
        match raw {
            "json" => Ok(Self::Json),
            "pretty" => Ok(Self::Pretty),
            _ => Err("expected json or pretty".into()),
        }
    }
}

/// Logging: `LOG_LEVEL` (an env-filter directive such as `info` or `info,sqlx=warn`) and
/// `LOG_FORMAT`.
#[derive(Debug, Clone)]
pub struct LogConfig {
    pub level: String,
    pub format: LogFormat,
}

impl LogConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let level: String = env.or("LOG_LEVEL", "info".to_owned())?;
        tracing_subscriber::EnvFilter::try_new(&level).map_err(|e| ConfigError::invalid("LOG_LEVEL", e))?;
        Ok(Self { level, format: env.or("LOG_FORMAT", LogFormat::Json)? })
    }
}

/// Allowed CORS origins: `CORS_ORIGINS`, a comma-separated list of origins, or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// No cross-origin access (the variable is unset).
    None,
    Any,
    List(Vec<HeaderValue>),
}

impl FromEnv for CorsOrigins {
    fn from_env(raw: &str) -> Result<Self, String> {
        if raw == "*" {
            return Ok(Self::Any);
        }
        let origins = raw
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|o| {
                let well_formed = (o.starts_with("http://") || o.starts_with("https://"))
                    && !o.trim_end_matches('/').contains(['?', '#', ' '])
                    && !o.ends_with('/');
                if !well_formed {
                    return Err(format!("origin {o:?} must look like https://host[:port]"));
                }
                HeaderValue::from_str(o).map_err(|_| format!("origin {o:?} is not a valid header value"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::List(origins))
    }
}

/// What every HTTP service reads: where to listen and the request limits.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub bind_addr: IpAddr,
    pub port: u16,
    pub cors_origins: CorsOrigins,
    /// Largest accepted request body, in bytes (`REQUEST_BODY_LIMIT_BYTES`).
    pub body_limit: usize,
    /// Longest a request may take before it is answered 503 (`REQUEST_TIMEOUT_SECONDS`).
    pub request_timeout: Duration,
    /// How long in-flight requests may run after a shutdown signal (`SHUTDOWN_GRACE_SECONDS`).
    pub shutdown_grace: Duration,
    /// How long a client may take to send a request's headers before the connection is closed
    /// (`REQUEST_HEADER_TIMEOUT_SECONDS`, 10).
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body before it is answered 408
    /// (`REQUEST_BODY_TIMEOUT_SECONDS`, 10).
    pub body_timeout: Duration,
    /// Peers whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`, IPs or CIDRs; default
    /// none): the client IP is the nearest address they did not add.
    pub trusted_proxies: TrustedProxies,
    /// The built web app the service serves at every path that is not its API (`WEB_DIR`;
    /// default `web/dist` under the working directory when it holds an `index.html`). Behind
    /// nginx, which serves the files itself, leave it unset and absent.
    pub web_dir: Option<std::path::PathBuf>,
}

impl HttpConfig {
    pub fn from_env(env: &Env, port_var: &'static str, default_port: u16) -> Result<Self, ConfigError> {
        let body_limit: usize = env.or("REQUEST_BODY_LIMIT_BYTES", 1024 * 1024)?;
        if body_limit == 0 {
            return Err(ConfigError::invalid("REQUEST_BODY_LIMIT_BYTES", "must be above 0"));
        }
        let positive = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            let Seconds(value) = env.or(name, Seconds(Duration::from_secs(default)))?;
            if value.is_zero() { Err(ConfigError::invalid(name, "must be above 0")) } else { Ok(value) }
        };
        let request_timeout = positive("REQUEST_TIMEOUT_SECONDS", 30)?;
        Ok(Self {
            header_timeout: positive("REQUEST_HEADER_TIMEOUT_SECONDS", 10)?,
            body_timeout: positive("REQUEST_BODY_TIMEOUT_SECONDS", 10)?,
            bind_addr: env.or("BIND_ADDR", IpAddr::from([0, 0, 0, 0]))?,
            port: env.or(port_var, default_port)?,
            cors_origins: env.or("CORS_ORIGINS", CorsOrigins::None)?,
            body_limit,
            request_timeout,
            shutdown_grace: env.or("SHUTDOWN_GRACE_SECONDS", Seconds(Duration::from_secs(25)))?.0,
            trusted_proxies: env.or("TRUSTED_PROXIES", TrustedProxies::default())?,
            web_dir: web_dir(env)?,
        })
    }
}

fn web_dir(env: &Env) -> Result<Option<std::path::PathBuf>, ConfigError> {
    let holds_app = |dir: &std::path::Path| dir.join("index.html").is_file();
    match env.optional::<String>("WEB_DIR")? {
        Some(dir) if holds_app(dir.as_ref()) => Ok(Some(dir.into())),
        Some(_) => Err(ConfigError::invalid("WEB_DIR", "is not a folder holding index.html (build web/ first)")),
        None => Ok(Some(std::path::PathBuf::from("web/dist")).filter(|dir| holds_app(dir))),
    }
}

/// `TRUSTED_PROXIES`: comma-separated IP addresses or CIDR blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }
}

impl FromEnv for TrustedProxies {
    fn from_env(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("{s:?} is neither an IP address nor a CIDR block"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_may_name_several_hosts() {
        let url = DatabaseUrl::from_env(
            "postgresql://app:s%40cret@db1:5432,db2:5433/control?sslmode=disable&target_session_attrs=read-write",
        )
        .unwrap();
        let hosts: Vec<_> = url.hosts().iter().map(|o| (o.get_host().to_owned(), o.get_port())).collect();
        assert_eq!(hosts, [("db1".to_owned(), 5432), ("db2".to_owned(), 5433)]);
        for options in url.hosts() {
            assert_eq!(options.get_database(), Some("control"));
            assert_eq!(options.get_username(), "app");
        }
        assert_eq!(format!("{url:?}"), "DatabaseUrl(db1:5432,db2:5433/control)");
        assert_eq!(url.connect_options().get_host(), "db1");
        let one = DatabaseUrl::from_env("postgres://u@db/x").unwrap();
        assert_eq!(one.hosts().len(), 1);
        assert!(DatabaseUrl::from_env("postgres://u@db1,,db2/x").is_err());
        assert!(DatabaseUrl::from_env("postgres://u@db1:5432,db2:port/x").is_err());
    }

    #[test]
    fn missing_and_malformed_variables_are_named() {
        let env = Env::from_pairs([("CONTROL_PORT", "nope"), ("EMPTY", "  ")]);
        let err = env.required::<u16>("CONTROL_PORT").unwrap_err();
        assert_eq!(err.name, "CONTROL_PORT");
        assert!(err.to_string().starts_with("CONTROL_PORT is invalid"), "{err}");
        let err = env.required::<String>("EMPTY").unwrap_err();
        assert_eq!(err.to_string(), "EMPTY is not set");
    }

    #[test]
    fn values_are_never_echoed() {
        let env = Env::from_pairs([("DB_ENCRYPTION_KEY", "c2VjcmV0LXNob3J0")]);
        let err = env.required::<EncryptionKey>("DB_ENCRYPTION_KEY").unwrap_err();
        assert_eq!(err.to_string(), "DB_ENCRYPTION_KEY is invalid: expected 32 bytes, got 12");
        let env = Env::from_pairs([("URL", "mysql://root:hunter2@db/x")]);
        let err = env.required::<DatabaseUrl>("URL").unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn database_url_debug_hides_password() {
        let url = DatabaseUrl::from_env("postgres://app:hunter2@db.internal:5433/control").unwrap();
        let shown = format!("{url:?}");
        assert!(shown.contains("db.internal:5433/control"), "{shown}");
        assert!(!shown.contains("hunter2"));
    }

    #[test]
    fn cors_origins_parse() {
        assert_eq!(CorsOrigins::from_env("*").unwrap(), CorsOrigins::Any);
        let CorsOrigins::List(list) = CorsOrigins::from_env("https://a.example, http://localhost:3000").unwrap() else {
            panic!("expected a list")
        };
        assert_eq!(list.len(), 2);
        assert!(CorsOrigins::from_env("a.example").is_err());
        assert!(CorsOrigins::from_env("https://a.example/").is_err());
    }

    #[test]
    fn trusted_proxies_take_addresses_and_blocks() {
        let proxies = TrustedProxies::from_env("127.0.0.1, 10.0.0.0/8,::1").unwrap();
        assert!(proxies.contains("10.1.2.3".parse().unwrap()));
        assert!(proxies.contains("::1".parse().unwrap()));
        assert!(!proxies.contains("192.168.1.1".parse().unwrap()));
        assert!(TrustedProxies::from_env("10.0.0.0/33").is_err());
    }

    #[test]
    fn http_defaults_and_limits() {
        let http = HttpConfig::from_env(&Env::default(), "APP_PORT", 6501).unwrap();
        assert_eq!(http.port, 6501);
        assert_eq!(http.body_limit, 1024 * 1024);
        let err =
            HttpConfig::from_env(&Env::from_pairs([("REQUEST_TIMEOUT_SECONDS", "0")]), "APP_PORT", 6501).unwrap_err();
        assert_eq!(err.name, "REQUEST_TIMEOUT_SECONDS");
    }

    #[test]
    fn log_level_is_checked() {
        let err = LogConfig::from_env(&Env::from_pairs([("LOG_LEVEL", "info,[[[")])).unwrap_err();
        assert_eq!(err.name, "LOG_LEVEL");
        let err = LogConfig::from_env(&Env::from_pairs([("LOG_FORMAT", "xml")])).unwrap_err();
        assert_eq!(err.to_string(), "LOG_FORMAT is invalid: expected json or pretty");
    }
}
