//! `TestApp`: app-api against a fresh control database, served on a loopback port.

use app_api::{AppConfig, AppState, build_router};
use shared::config::Env;
use shared::testkit::{TestDatabase, TestServer};

pub const TEST_ENCRYPTION_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

#[allow(dead_code, reason = "later test modules reach into the state and the database")]
pub struct TestApp {
    pub server: TestServer,
    pub state: AppState,
    pub control_db: TestDatabase,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|env| env).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(Env) -> Env) -> Self {
        let control_db = TestDatabase::create("control", &shared::migrations::CONTROL).await;
        let env = adjust(Env::from_pairs([
            ("CONTROL_DATABASE_URL", control_db.url().as_str()),
            ("DB_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY),
            ("LOG_LEVEL", "warn"),
        ]));
        let config = AppConfig::from_env(&env).expect("test configuration is valid");
        let state = AppState::new(config).expect("clients build");
        let server = TestServer::start(build_router(state.clone())).await;
        Self { server, state, control_db }
    }
}
