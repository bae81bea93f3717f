//! `TestApp`: control-api on a fresh database, served on a loopback port.

use control_api::{AppState, ControlConfig, build_router};
use shared::config::Env;
use shared::testkit::{TestDatabase, TestServer};

/// A fixed test key (32 zero bytes would do too; any valid key works).
pub const TEST_ENCRYPTION_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

#[allow(dead_code, reason = "later test modules reach into the state and the database")]
pub struct TestApp {
    pub server: TestServer,
    pub state: AppState,
    pub db: TestDatabase,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|env| env).await
    }

    /// Starts the app with the test environment adjusted by `adjust`.
    pub async fn spawn_with(adjust: impl FnOnce(Env) -> Env) -> Self {
        let db = TestDatabase::create("control", &shared::migrations::CONTROL).await;
        let env = adjust(base_env(&db.url()));
        let config = ControlConfig::from_env(&env).expect("test configuration is valid");
        let state = AppState::new(config).expect("clients build");
        let server = TestServer::start(build_router(state.clone())).await;
        Self { server, state, db }
    }
}

/// The environment a test instance starts from.
pub fn base_env(database_url: &str) -> Env {
    Env::from_pairs([
        ("CONTROL_DATABASE_URL", database_url),
        ("DB_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY),
        ("LOG_LEVEL", "warn"),
    ])
}

/// `REDIS_URL` for tests: `TEST_REDIS_URL` or the local server.
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}
