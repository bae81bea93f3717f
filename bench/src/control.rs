//! control-api benchmarks: the real router and worker in this process, on a fresh control
//! database, with tenant databases on the local server.

use std::time::{Duration, Instant};

use control_api::tenancy::migrate::{MigrateOptions, migrate_tenants as run_migrations};
use control_api::tenancy::provision::Provisioner;
use control_api::{AppState, ControlConfig, build_router};
use shared::config::Env;
use shared::testkit::{TestDatabase, TestServer, admin_url, drop_databases_and_roles, test_name_prefix};
use sqlx::migrate::Migrator;

use crate::stats::summarize;

const PASSWORD: &str = "benchmark password 0123";
const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";

struct Platform {
    db: TestDatabase,
    state: AppState,
    server: TestServer,
    template: String,
    stop_worker: Option<tokio::sync::oneshot::Sender<()>>,
    worker: Option<tokio::task::JoinHandle<()>>,
}

impl Platform {
    async fn start() -> Self {
        let db = TestDatabase::create("control", &shared::migrations::CONTROL).await;
        let prefix = test_name_prefix();
        let template = format!("{prefix}tpl");
        let env = Env::from_pairs([
            ("CONTROL_DATABASE_URL", db.url()),
            ("TENANT_DATABASE_URL", admin_url()),
            ("TENANT_TEMPLATE_DATABASE", template.clone()),
            ("TENANT_DB_PREFIX", prefix),
            ("DB_ENCRYPTION_KEY", KEY.to_owned()),
            ("JWT_PRIVATE_KEY", PRIVATE_KEY.to_owned()),
            ("LOG_LEVEL", std::env::var("BENCH_LOG_LEVEL").unwrap_or_else(|_| "warn".to_owned())),
            ("LOG_FORMAT", "pretty".to_owned()),
            ("CONTROL_DB_MAX_CONNECTIONS", "20".to_owned()),
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
        Self { db, state, server, template, stop_worker: Some(stop), worker: Some(worker) }
    }

    async fn signup(&self, n: usize) -> String {
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

    /// Polls the public status endpoint every 2 ms, as a client would.
    async fn await_active(&self, slug: &str) {
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

    async fn finish(mut self) {
        if let Some(stop) = self.stop_worker.take() {
            let _ = stop.send(());
        }
        if let Some(worker) = self.worker.take() {
            let _ = worker.await;
        }
        let rows: Vec<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT database_name, login_role FROM tenants")
                .fetch_all(&self.state.db)
                .await
                .unwrap_or_default();
        let mut databases: Vec<String> = rows.iter().filter_map(|r| r.0.clone()).collect();
        databases.push(self.template.clone());
        let roles = rows.iter().filter_map(|r| r.1.clone()).collect();
        drop(self.server);
        self.state.db.close().await;
        tokio::task::spawn_blocking(move || drop_databases_and_roles(databases, roles)).await.expect("cleanup");
        drop(self.db);
    }
}

/// Signup to active, one after another: the latency a new customer sees.
pub async fn signup(count: usize) {
    let platform = Platform::start().await;
    // One warm-up signup (first connections, template already current).
    let warm = platform.signup(0).await;
    platform.await_active(&warm).await;
    let mut samples = Vec::with_capacity(count);
    for n in 1..=count {
        let started = Instant::now();
        let slug = platform.signup(n).await;
        platform.await_active(&slug).await;
        samples.push(started.elapsed());
    }
    println!("signup -> active (sequential, client-observed): {}", summarize(samples));
    platform.finish().await;
}

/// The tenant migrations plus one, as the next release would bring.
async fn migrator_with_extra_migration() -> &'static Migrator {
    let dir = std::env::temp_dir().join(format!("hd-bench-migrations-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/tenant");
    for entry in std::fs::read_dir(source).expect("migrations folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "sql") {
            std::fs::copy(&path, dir.join(path.file_name().expect("file name"))).expect("copy");
        }
    }
    std::fs::write(
        dir.join("90000_bench_column.sql"),
        "ALTER TABLE users ADD COLUMN locale text NOT NULL DEFAULT 'fr';\nCREATE INDEX users_locale_idx ON users (locale);",
    )
    .expect("write");
    let migrator = Migrator::new(dir.as_path()).await.expect("migrator");
    std::fs::remove_dir_all(&dir).expect("cleanup");
    Box::leak(Box::new(migrator))
}

pub async fn migrate_tenants(tenants: usize, concurrency: usize) {
    let platform = Platform::start().await;
    let started = Instant::now();
    let mut slugs = Vec::new();
    for n in 1..=tenants {
        slugs.push(platform.signup(n).await);
    }
    for slug in &slugs {
        platform.await_active(slug).await;
    }
    println!("provisioned {tenants} tenants in {:.1}s", started.elapsed().as_secs_f64());
    let options = MigrateOptions { concurrency, only: None };

    let current = platform.state.worker.provisioner.clone();
    let timed = Instant::now();
    let report = run_migrations(&current, &options, |_| {}, |_| {}).await.expect("migrate");
    println!(
        "migrate-tenants, nothing pending: {:.3}s (up to date {}, migrated {}, failed {})",
        timed.elapsed().as_secs_f64(),
        report.up_to_date,
        report.migrated.len(),
        report.failed.len()
    );

    let next = Provisioner { migrator: migrator_with_extra_migration().await, ..current };
    let timed = Instant::now();
    let report = run_migrations(&next, &options, |_| {}, |_| {}).await.expect("migrate");
    println!(
        "migrate-tenants, one new migration, concurrency {concurrency}: {:.3}s (migrated {}, failed {})",
        timed.elapsed().as_secs_f64(),
        report.migrated.len(),
        report.failed.len()
    );
    platform.finish().await;
}
