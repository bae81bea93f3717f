//! What a test may choose about the platform it starts, as types: which dependencies are
//! there, how the provisioning worker runs, which tenant template is used, and any setting of
//! the services' own typed configurations (`ControlConfig`, `AppConfig`). The environment
//! strings the services read in production are built here once, for the base configurations.

use control_api::ControlConfig;
use harness::{TestRedis, admin_url};
use shared::config::{Env, FromEnv, ServiceUrl};

pub const TEST_ENCRYPTION_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/// The RFC 8032 test key: fixed so tests can sign tokens of their own with it.
pub const TEST_PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
pub const TEST_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";
pub const PASSWORD: &str = "correct horse battery staple";
pub const BASE_DOMAIN: &str = "helpdeskly.test";
/// The tenant template shared by every test that provisions tenants (kept current like any
/// cluster's), named after the tenant migrations it holds: a checkout whose migrations differ
/// (another branch, a migration changed before it was released) uses a template of its own on
/// the same server instead of failing on the other's.
pub fn test_tenant_template() -> &'static str {
    static NAME: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use sha2::{Digest as _, Sha256};
        let mut digest = Sha256::new();
        for migration in tenant_schema::MIGRATOR.iter() {
            digest.update(migration.version.to_le_bytes());
            digest.update(&migration.checksum);
        }
        format!("hd_test_tenant_template_{}", &hex::encode(digest.finalize())[..12])
    });
    &NAME
}

/// Where a dependency is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Service {
    /// Not configured.
    #[default]
    Off,
    /// The test server (`TEST_REDIS_URL`, `TEST_AMQP_URL`); for Redis, under a key namespace of
    /// the test's own.
    Test,
    /// This address (one nothing listens on, say).
    At(String),
}

/// How the provisioning worker runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    /// In the background, as in `serve`.
    Background,
    /// Jobs run only when the test says so (`state.worker.run_due()`).
    Manual,
}

/// With or without Redis behind rate limits, lockouts and tenant change notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithRedis {
    Yes,
    No,
}

impl From<WithRedis> for Service {
    fn from(redis: WithRedis) -> Self {
        match redis {
            WithRedis::Yes => Self::Test,
            WithRedis::No => Self::Off,
        }
    }
}

/// Which template new tenant databases are cloned from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TenantTemplate {
    /// [`test_tenant_template`], shared by every test.
    #[default]
    Shared,
    /// One of this platform's own, dropped with it (for tests that change it, and for
    /// benchmarks that must not wait on tests).
    Own,
}

type ConfigureControl = Box<dyn FnOnce(&mut ControlConfig) + Send>;

/// How a control plane starts: `ControlOptions::default().redis(Service::Test).start()`.
#[derive(Default)]
pub struct ControlOptions {
    pub redis: Service,
    pub broker: Service,
    /// Tenant databases on the test server, the templates prepared at start and the
    /// provisioning worker running this way; `None` for identity alone.
    pub tenancy: Option<Worker>,
    pub template: TenantTemplate,
    /// The mail server account mail goes to: `Service::Test` is the test server
    /// (`mailbox::smtp_url()`); off, mail waits in its table.
    pub mail: Service,
    configure: Vec<ConfigureControl>,
}

impl ControlOptions {
    #[must_use]
    pub fn redis(mut self, redis: impl Into<Service>) -> Self {
        self.redis = redis.into();
        self
    }

    #[must_use]
    pub fn broker(mut self, broker: Service) -> Self {
        self.broker = broker;
        self
    }

    #[must_use]
    pub fn mail(mut self, mail: Service) -> Self {
        self.mail = mail;
        self
    }

    #[must_use]
    pub fn tenancy(mut self, worker: Worker) -> Self {
        self.tenancy = Some(worker);
        self
    }

    #[must_use]
    pub fn template(mut self, template: TenantTemplate) -> Self {
        self.template = template;
        self
    }

    /// New tenants in databases of their own (`TENANT_DEFAULT_PLACEMENT=dedicated`), for what
    /// only a database of one tenant has (its own role and database, dropped with it).
    #[must_use]
    pub fn dedicated(self) -> Self {
        self.configure(|c| c.tenancy.default_placement = control_api::tenancy::placement::Mode::Dedicated)
    }

    /// Changes settings of the control plane's configuration (limits, lifetimes, addresses),
    /// after the options above are applied.
    #[must_use]
    pub fn configure(mut self, configure: impl FnOnce(&mut ControlConfig) + Send + 'static) -> Self {
        self.configure.push(Box::new(configure));
        self
    }

    pub async fn start(self) -> crate::ControlPlane {
        crate::ControlPlane::start(self).await
    }

    /// The configuration these options give on `database_url`, and the Redis namespace and
    /// tenant name prefix they chose.
    pub(crate) fn config(
        self,
        database_url: &str,
        tenant_prefix: &str,
        own_template: Option<&str>,
    ) -> (ControlConfig, Option<TestRedis>) {
        let mut env = Env::from_pairs([
            ("CONTROL_DATABASE_URL", database_url),
            ("DB_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY),
            ("JWT_PRIVATE_KEY", TEST_PRIVATE_KEY),
            ("LOG_LEVEL", "warn"),
        ]);
        if self.tenancy.is_some() {
            env = env
                .with("TENANT_DATABASE_URL", admin_url())
                .with("TENANT_TEMPLATE_DATABASE", own_template.unwrap_or(test_tenant_template()))
                .with("TENANT_DB_PREFIX", tenant_prefix);
        }
        let mut config = ControlConfig::from_env(&env).expect("the test configuration is valid");
        // Tests run six at a time against one server with max_connections 100.
        config.control_db_max_connections = 4;
        // Tests sign up many organisations from one address; the limits have tests of their own.
        config.abuse.signups_per_ip_per_hour = 0;
        config.abuse.signups_per_hour = 0;
        config.abuse.registrations_per_ip_per_hour = 0;
        let redis = match self.redis {
            Service::Off => None,
            Service::Test => {
                let redis = TestRedis::new();
                config.redis = Some(redis_at(&redis.url));
                config.redis_key_prefix.clone_from(&redis.prefix);
                Some(redis)
            }
            Service::At(address) => {
                config.redis = Some(redis_at(&address));
                None
            }
        };
        config.amqp_url = broker_url(&self.broker);
        config.mail.smtp_url = match self.mail {
            Service::Off => None,
            Service::Test => Some(parse(&crate::mailbox::smtp_url())),
            Service::At(address) => Some(parse(&address)),
        };
        for configure in self.configure {
            configure(&mut config);
        }
        (config, redis)
    }
}

/// A value of a configuration type from its text, as the services parse it (an address, a
/// list of proxies, a URL template).
///
/// # Panics
/// When `raw` does not parse: a mistake in the test.
pub fn parse<T: FromEnv>(raw: &str) -> T {
    T::from_env(raw).unwrap_or_else(|problem| panic!("{raw}: {problem}"))
}

/// A service URL.
pub fn url(raw: &str) -> ServiceUrl {
    parse(raw)
}

/// The Redis server at URL `raw`.
pub fn redis_at(raw: &str) -> shared::config::RedisAddress {
    shared::config::RedisAddress::Url(url(raw))
}

/// `TEST_AMQP_URL`, by default the local broker.
pub fn amqp_url() -> String {
    std::env::var("TEST_AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

/// The broker URL a service gets for `broker`.
pub fn broker_url(broker: &Service) -> Option<ServiceUrl> {
    match broker {
        Service::Off => None,
        Service::Test => Some(url(&amqp_url())),
        Service::At(address) => Some(url(address)),
    }
}
