//! The benchmarks' platform: the test platform's control plane (`testkit::Platform`) in this
//! process, on a fresh control database, with tenant databases cloned from a template of its
//! own on the local server; everything it made is dropped by `finish`.

use std::time::{Duration, Instant};

use app_api::AppConfig;
use control_api::AppState;
use control_api::tenancy::placement::Mode;
use harness::{TestServer, admin_options};
use shared::config::{LogConfig, LogFormat};
use sqlx::postgres::PgConnectOptions;
use testkit::{ControlOptions, TenantTemplate, WithRedis};

pub use testkit::PASSWORD;

pub struct Platform {
    /// The control plane's state.
    pub state: AppState,
    /// The prefix of the tenant database and role names.
    pub prefix: String,
    pub inner: testkit::Platform,
}

impl Platform {
    pub async fn start() -> Self {
        Self::start_logging_at("warn").await
    }

    /// As `start`, logging at `level` unless `BENCH_LOG_LEVEL` says otherwise: a benchmark that
    /// drives slow statements on purpose would otherwise print a warning for each.
    pub async fn start_logging_at(level: &str) -> Self {
        Self::start_with(level, WithRedis::No).await
    }

    /// As `start_logging_at`, with Redis (`TEST_REDIS_URL`, keys under a prefix of its own) or
    /// without.
    pub async fn start_with(level: &str, redis: WithRedis) -> Self {
        Self::start_placed(level, redis, Mode::Pooled).await
    }

    /// As `start_with`, new tenants placed as `placement` says (`TENANT_DEFAULT_PLACEMENT`).
    pub async fn start_placed(level: &str, redis: WithRedis, placement: Mode) -> Self {
        let log = LogConfig {
            level: std::env::var("BENCH_LOG_LEVEL").unwrap_or_else(|_| level.to_owned()),
            format: LogFormat::Pretty,
        };
        shared::telemetry::init(&log);
        // A template of its own: the benchmarks neither wait on tests' use of the shared one nor
        // hold it from them.
        let options = ControlOptions::default().template(TenantTemplate::Own).redis(redis).configure(move |c| {
            c.log = log;
            c.control_db_max_connections = 20;
            c.tenancy.default_placement = placement;
        });
        let inner = testkit::Platform::start_with(options).await;
        Self { state: inner.control.clone(), prefix: inner.tenant_prefix().to_owned(), inner }
    }

    pub fn server(&self) -> &TestServer {
        self.inner.control_server()
    }

    /// The configuration of an app-api replica of this platform, logging errors only, with
    /// `configure`'s changes.
    pub fn app_config(&self, configure: impl FnOnce(&mut AppConfig)) -> AppConfig {
        self.inner.app_config(|c| {
            "error".clone_into(&mut c.log.level);
            configure(c);
        })
    }

    pub async fn signup(&self, n: usize) -> String {
        let slug = format!("bench-{n}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let body = serde_json::json!({
            "organization_name": format!("Bench {n}"),
            "slug": slug,
            "admin": { "email": format!("owner-{slug}@example.org"), "password": PASSWORD, "firstname": "B", "lastname": "M" },
        });
        let response = self.server().post_json("/v1/tenants/signup", &body).await;
        assert_eq!(response.status, 202, "{}", response.body);
        slug
    }

    /// Signs up and signs in `count` owners; returns (slug, access token) pairs.
    pub async fn tenants_with_tokens(&self, count: usize) -> Vec<(String, String)> {
        let mut slugs = Vec::with_capacity(count);
        for n in 1..=count {
            slugs.push(self.signup(n).await);
        }
        let mut tenants = Vec::with_capacity(count);
        for slug in slugs {
            self.await_active(&slug).await;
            let body = serde_json::json!({ "tenant": slug, "email": format!("owner-{slug}@example.org"), "password": PASSWORD });
            let login = self.server().post_json("/v1/auth/login", &body).await;
            assert_eq!(login.status, 200, "{}", login.body);
            let token = login.json()["access_token"].as_str().expect("a token").to_owned();
            tenants.push((slug, token));
        }
        tenants
    }

    /// Adds an agent to tenant `slug` as people join it (invited by the owner, the invitation
    /// accepted) and signs them in: their email and access token. app-api knows them once the
    /// control plane has written them into the tenant's members mirror, shortly after.
    pub async fn agent(&self, slug: &str, owner_token: &str) -> (String, String) {
        let email = format!("agent-{}@example.org", uuid::Uuid::new_v4().simple());
        let body = serde_json::json!({ "email": email, "role": "agent" });
        let invited = self.inner.control_post(&format!("/v1/tenants/{slug}/invitations"), owner_token, &body).await;
        assert_eq!(invited.status, 201, "{}", invited.body);
        let invitation = invited.json()["token"].as_str().expect("an invitation token").to_owned();
        let body = serde_json::json!({ "password": PASSWORD, "firstname": "Grace", "lastname": "Agent" });
        let accepted = self.server().post_json(&format!("/v1/invitations/{invitation}/accept"), &body).await;
        assert_eq!(accepted.status, 200, "{}", accepted.body);
        let token = self.inner.login(slug, &email).await;
        (email, token)
    }

    /// Registers customer `email` in tenant `slug` and signs them in: their id and access token.
    pub async fn customer(&self, slug: &str, email: &str) -> (uuid::Uuid, String) {
        let body = serde_json::json!({ "tenant": slug, "email": email, "password": PASSWORD, "firstname": "C", "lastname": "U" });
        let registered = self.server().post_json("/v1/auth/register", &body).await;
        assert_eq!(registered.status, 201, "{}", registered.body);
        let body = serde_json::json!({ "tenant": slug, "email": email, "password": PASSWORD });
        let login = self.server().post_json("/v1/auth/login", &body).await.json();
        let id = login["user"]["id"].as_str().and_then(|id| id.parse().ok()).expect("the customer's id");
        (id, login["access_token"].as_str().expect("a token").to_owned())
    }

    /// Polls the public status endpoint every 2 ms, as a client would.
    pub async fn await_active(&self, slug: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let status = self.server().get(&format!("/v1/tenants/{slug}/status")).await.json();
            if status["status"] == "active" {
                return;
            }
            assert!(Instant::now() < deadline, "{slug} never became active: {status}");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// The tenant's own database as the server's superuser: benchmarks seed it directly, far
    /// faster than through the API, and inspect it (`EXPLAIN`).
    pub async fn tenant_admin_options(&self, slug: &str) -> (String, PgConnectOptions) {
        let (id, database): (uuid::Uuid, String) =
            sqlx::query_as("SELECT id, database_name FROM tenants WHERE slug = $1")
                .bind(slug)
                .fetch_one(&self.state.db)
                .await
                .expect("a provisioned tenant has a database");
        // Superuser sessions pass the rows' policies; the tenant they name fills `tenant_id`.
        let options = admin_options().database(&database).options([(tenant_schema::TENANT_SETTING, id)]);
        (database, options)
    }

    /// The names of the tenant databases the platform provisioned.
    pub async fn tenant_databases(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT database_name FROM tenants WHERE database_name IS NOT NULL")
            .fetch_all(&self.state.db)
            .await
            .expect("the control database")
    }

    /// One organisation, signed up and active, served by an app-api replica of this process
    /// (logging errors only, without rate limits: one user sends all the load) with
    /// `configure`'s changes; the organisation, the replica and its owner, signed in.
    pub async fn organisation(
        &self,
        configure: impl FnOnce(&mut AppConfig),
    ) -> (testkit::Org, testkit::Replica, testkit::Person) {
        let slug = self.signup(1).await;
        self.await_active(&slug).await;
        let owner_email = format!("owner-{slug}@example.org");
        let app = self
            .inner
            .replica_with(|c| {
                "error".clone_into(&mut c.log.level);
                c.rate_limits.per_user_per_minute = 0;
                c.rate_limits.per_ip_per_minute = 0;
                configure(c);
            })
            .await;
        let owner_token = self.inner.login(&slug, &owner_email).await;
        let org = testkit::Org { slug, owner_email, owner_token };
        let owner = self.inner.owner(&app, &org).await;
        (org, app, owner)
    }

    /// Stops the platform and drops what it made: its control database, tenant databases and
    /// roles, and its template.
    pub async fn finish(self) {
        tokio::task::spawn_blocking(move || drop(self)).await.expect("cleanup");
    }
}
