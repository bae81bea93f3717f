//! The control plane in this process, on a fresh control database, with tenant databases on
//! the local server; everything it made is dropped by `finish`.

use std::time::{Duration, Instant};

use control_api::{AppState, ControlConfig, build_router};
use shared::config::Env;
use shared::testkit::{TestDatabase, TestServer, admin_options, admin_url, drop_tenants_of, test_name_prefix};
use sqlx::postgres::PgConnectOptions;

pub const PASSWORD: &str = "benchmark password 0123";
pub const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
pub const PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";

pub struct Platform {
    pub db: TestDatabase,
    pub state: AppState,
    pub server: TestServer,
    pub prefix: String,
    template: String,
    stop_worker: Option<tokio::sync::oneshot::Sender<()>>,
    worker: Option<tokio::task::JoinHandle<()>>,
}

impl Platform {
    pub async fn start() -> Self {
        Self::start_logging_at("warn").await
    }

    /// As `start`, logging at `level` unless `BENCH_LOG_LEVEL` says otherwise: a benchmark that
    /// drives slow statements on purpose would otherwise print a warning for each.
    pub async fn start_logging_at(level: &str) -> Self {
        let db = TestDatabase::create("control", &control_api::schema::CONTROL).await;
        let prefix = test_name_prefix();
        let template = format!("{prefix}tpl");
        let env = Env::from_pairs([
            ("CONTROL_DATABASE_URL", db.url()),
            ("TENANT_DATABASE_URL", admin_url()),
            ("TENANT_TEMPLATE_DATABASE", template.clone()),
            ("TENANT_DB_PREFIX", prefix.clone()),
            ("DB_ENCRYPTION_KEY", KEY.to_owned()),
            ("JWT_PRIVATE_KEY", PRIVATE_KEY.to_owned()),
            ("LOG_LEVEL", std::env::var("BENCH_LOG_LEVEL").unwrap_or_else(|_| level.to_owned())),
            ("LOG_FORMAT", "pretty".to_owned()),
            ("CONTROL_DB_MAX_CONNECTIONS", "20".to_owned()),
            // The benchmarks sign up many organisations from one address.
            ("SIGNUPS_PER_IP_PER_HOUR", "0".to_owned()),
            ("SIGNUPS_PER_HOUR", "0".to_owned()),
            ("REGISTRATIONS_PER_IP_PER_HOUR", "0".to_owned()),
        ]);
        let config = ControlConfig::from_env(&env).expect("valid configuration");
        shared::telemetry::init(&config.log);
        let state = AppState::new(config).expect("clients");
        control_api::prepare(&state).await.expect("prepare");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(state.worker.clone().run(async {
            let _ = stopped.await;
        }));
        let server = TestServer::start(build_router(state.clone())).await;
        Self { db, state, server, prefix, template, stop_worker: Some(stop), worker: Some(worker) }
    }

    pub async fn signup(&self, n: usize) -> String {
        let slug = format!("bench-{n}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let body = serde_json::json!({
            "organization_name": format!("Bench {n}"),
            "slug": slug,
            "admin": { "email": format!("owner-{slug}@example.org"), "password": PASSWORD, "firstname": "B", "lastname": "M" },
        });
        let response = self.server.post_json("/v1/tenants/signup", &body).await;
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
            let login = self.server.post_json("/v1/auth/login", &body).await;
            assert_eq!(login.status, 200, "{}", login.body);
            let token = login.json()["access_token"].as_str().expect("a token").to_owned();
            tenants.push((slug, token));
        }
        tenants
    }

    /// Polls the public status endpoint every 2 ms, as a client would.
    pub async fn await_active(&self, slug: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let status = self.server.get(&format!("/v1/tenants/{slug}/status")).await.json();
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
        let database: String = sqlx::query_scalar("SELECT database_name FROM tenants WHERE slug = $1")
            .bind(slug)
            .fetch_one(&self.state.db)
            .await
            .expect("a provisioned tenant has a database");
        let options = admin_options().database(&database);
        (database, options)
    }

    pub async fn finish(mut self) {
        if let Some(stop) = self.stop_worker.take() {
            let _ = stop.send(());
        }
        if let Some(worker) = self.worker.take() {
            let _ = worker.await;
        }
        drop(self.server);
        self.state.db.close().await;
        let (url, template) = (self.db.url(), self.template.clone());
        tokio::task::spawn_blocking(move || {
            drop_tenants_of(&url, control_api::schema::TENANT_DATABASES_AND_ROLES, vec![template]);
        })
        .await
        .expect("cleanup");
        drop(self.db);
    }
}
