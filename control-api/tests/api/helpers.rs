//! `TestApp`: control-api on a fresh database (and its own Redis namespace), served on a
//! loopback port, with fixtures for people and tenants.

use control_api::identity::password;
use control_api::{AppState, ControlConfig, build_router};
use reqwest::Method;
use serde_json::{Value, json};
use shared::config::Env;
use shared::testkit::{TestDatabase, TestRedis, TestResponse, TestServer};
use uuid::Uuid;

pub const TEST_ENCRYPTION_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/// The RFC 8032 test key: fixed so tests can sign tokens of their own with it.
pub const TEST_PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
pub const PASSWORD: &str = "correct horse battery staple";

#[allow(dead_code, reason = "not every test module reaches into every part")]
pub struct TestApp {
    pub server: TestServer,
    pub state: AppState,
    pub db: TestDatabase,
    pub redis: Option<TestRedis>,
}

/// With or without Redis behind rate limits and lockouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithRedis {
    Yes,
    No,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|env| env).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(Env) -> Env) -> Self {
        Self::build(WithRedis::No, adjust).await
    }

    pub async fn build(redis: WithRedis, adjust: impl FnOnce(Env) -> Env) -> Self {
        let db = TestDatabase::create("control", &shared::migrations::CONTROL).await;
        let redis = (redis == WithRedis::Yes).then(TestRedis::new);
        let mut env = base_env(&db.url());
        if let Some(r) = &redis {
            env = env.with("REDIS_URL", r.url.clone()).with("REDIS_KEY_PREFIX", r.prefix.clone());
        }
        let config = ControlConfig::from_env(&adjust(env)).expect("test configuration is valid");
        let state = AppState::new(config).expect("clients build");
        let server = TestServer::start(build_router(state.clone())).await;
        Self { server, state, db, redis }
    }

    /// An active identity with `PASSWORD`.
    pub async fn create_user(&self, email: &str) -> Uuid {
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, firstname, lastname) VALUES ($1, $2, $3, 'Ada', 'Lovelace')",
        )
        .bind(id)
        .bind(email)
        .bind(password::hash(PASSWORD.into()).await)
        .execute(&self.state.db)
        .await
        .expect("insert user");
        id
    }

    pub async fn create_platform_admin(&self, email: &str) -> Uuid {
        let id = self.create_user(email).await;
        sqlx::query("UPDATE users SET is_platform_admin = true WHERE id = $1")
            .bind(id)
            .execute(&self.state.db)
            .await
            .unwrap();
        id
    }

    /// A tenant row in `status` (no database behind it: enough for identity tests).
    pub async fn create_tenant(&self, slug: &str, status: &str) -> Uuid {
        let id = Uuid::now_v7();
        sqlx::query("INSERT INTO tenants (id, slug, name, status) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(slug)
            .bind(format!("{slug} Ltd"))
            .bind(status)
            .execute(&self.state.db)
            .await
            .expect("insert tenant");
        id
    }

    pub async fn add_member(&self, user: Uuid, tenant: Uuid, role: &str) {
        sqlx::query("INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)")
            .bind(user)
            .bind(tenant)
            .bind(role)
            .execute(&self.state.db)
            .await
            .expect("insert membership");
    }

    pub async fn login(&self, tenant: Option<&str>, email: &str, password: &str) -> TestResponse {
        let mut body = json!({ "email": email, "password": password });
        if let Some(t) = tenant {
            body["tenant"] = json!(t);
        }
        self.server.post_json("/v1/auth/login", &body).await
    }

    pub async fn post_bearer(&self, path: &str, token: &str, body: &Value) -> TestResponse {
        let request = self.server.request(Method::POST, path).bearer_auth(token).json(body);
        TestResponse::from(request.send().await.expect("request sent")).await
    }

    pub async fn get_bearer(&self, path: &str, token: &str) -> TestResponse {
        TestResponse::from(
            self.server.request(Method::GET, path).bearer_auth(token).send().await.expect("request sent"),
        )
        .await
    }

    pub async fn audit_actions(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id").fetch_all(&self.state.db).await.unwrap()
    }
}

/// The environment a test instance starts from.
pub fn base_env(database_url: &str) -> Env {
    Env::from_pairs([
        ("CONTROL_DATABASE_URL", database_url),
        ("DB_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY),
        ("JWT_PRIVATE_KEY", TEST_PRIVATE_KEY),
        ("LOG_LEVEL", "warn"),
    ])
}

/// A unique email for this test.
pub fn unique_email(tag: &str) -> String {
    format!("{tag}-{}@example.org", Uuid::new_v4().simple())
}

/// A unique tenant slug for this test.
pub fn unique_slug() -> String {
    format!("t-{}", &Uuid::new_v4().simple().to_string()[..12])
}
