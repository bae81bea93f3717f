//! `TestApp`: control-api on a fresh database (and its own Redis namespace), served on a
//! loopback port, with fixtures for people and tenants.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use control_api::identity::password;
use control_api::{AppState, ControlConfig, build_router};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{Value, json};
use shared::config::Env;
use shared::testkit::{
    TestDatabase, TestRedis, TestResponse, TestServer, admin_url, drop_tenants_of, test_name_prefix,
};
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
    /// Stops the background provisioning worker, when one runs.
    worker: Option<tokio::sync::oneshot::Sender<()>>,
}

/// The template shared by tests that provision tenants (kept current like any cluster's).
pub const TEST_TENANT_TEMPLATE: &str = "hd_test_tenant_template";

/// How a test wants tenancy set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    /// The provisioning worker runs in the background, as in `serve`.
    Background,
    /// Jobs run only when the test says so.
    Manual,
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
        let db = TestDatabase::create("control", &control_api::schema::CONTROL).await;
        let redis = (redis == WithRedis::Yes).then(TestRedis::new);
        let mut env = base_env(&db.url());
        if let Some(r) = &redis {
            env = env.with("REDIS_URL", r.url.clone()).with("REDIS_KEY_PREFIX", r.prefix.clone());
        }
        let config = ControlConfig::from_env(&adjust(env)).expect("test configuration is valid");
        let state = AppState::new(config).expect("clients build");
        let server = TestServer::start(build_router(state.clone())).await;
        Self { server, state, db, redis, worker: None }
    }

    /// An app whose default cluster is the test server, with tenant databases named so that
    /// leftovers are swept, and dropped with the app.
    pub async fn spawn_tenancy(redis: WithRedis, worker: Worker) -> Self {
        Self::spawn_tenancy_with(redis, worker, |env| env).await
    }

    pub async fn spawn_tenancy_with(redis: WithRedis, worker: Worker, adjust: impl FnOnce(Env) -> Env) -> Self {
        let mut app = Self::build(redis, |env| {
            adjust(
                env.with("TENANT_DATABASE_URL", admin_url())
                    .with("TENANT_TEMPLATE_DATABASE", TEST_TENANT_TEMPLATE)
                    .with("TENANT_DB_PREFIX", test_name_prefix()),
            )
        })
        .await;
        control_api::prepare(&app.state).await.expect("tenancy prepares");
        if worker == Worker::Background {
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(app.state.worker.clone().run(async {
                let _ = stopped.await;
            }));
            app.worker = Some(stop);
        }
        app
    }

    /// Waits (bounded) until `slug` reaches `status`.
    pub async fn wait_for_status(&self, slug: &str, status: &str) {
        let db = &self.state.db;
        shared::testkit::eventually(
            std::time::Duration::from_secs(30),
            &format!("{slug} becomes {status}"),
            || async move {
                let current: Option<String> = sqlx::query_scalar("SELECT status FROM tenants WHERE slug = $1")
                    .bind(slug)
                    .fetch_optional(db)
                    .await
                    .unwrap();
                (current.as_deref() == Some(status)).then_some(())
            },
        )
        .await;
    }

    /// Signs up an organisation; returns (slug, owner email).
    pub async fn signup(&self) -> (String, String) {
        let slug = unique_slug();
        let email = unique_email("owner");
        let response = self.server.post_json("/v1/tenants/signup", &signup_body(&slug, &email)).await;
        assert_eq!(response.status, 202, "{}", response.body);
        (slug, email)
    }

    /// A connection to a tenant's database with the tenant's own role.
    pub async fn connect_as_tenant(
        &self,
        slug: &str,
        database: Option<&str>,
    ) -> Result<sqlx::PgConnection, sqlx::Error> {
        use sqlx::Connection as _;
        let (id, db_name, role, sealed): (Uuid, String, String, Vec<u8>) =
            sqlx::query_as("SELECT id, database_name, login_role, db_password_encrypted FROM tenants WHERE slug = $1")
                .bind(slug)
                .fetch_one(&self.state.db)
                .await
                .expect("a provisioned tenant");
        let key = &self.state.config.keys.app_plane_keys.tenant_database;
        let password = shared::crypto::open(key, &sealed, id.as_bytes()).expect("password decrypts");
        let options = shared::testkit::admin_options()
            .username(&role)
            .password(std::str::from_utf8(&password).unwrap())
            .database(database.unwrap_or(&db_name));
        sqlx::PgConnection::connect_with(&options).await
    }

    pub async fn platform_admin_token(&self) -> String {
        let email = unique_email("ops");
        self.create_platform_admin(&email).await;
        let login = self.login(None, &email, PASSWORD).await;
        login.json()["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn delete_bearer(&self, path: &str, token: &str) -> TestResponse {
        TestResponse::from(
            self.server.request(Method::DELETE, path).bearer_auth(token).send().await.expect("request sent"),
        )
        .await
    }

    pub async fn patch_bearer(&self, path: &str, token: &str, body: &Value) -> TestResponse {
        TestResponse::from(
            self.server.request(Method::PATCH, path).bearer_auth(token).json(body).send().await.expect("request sent"),
        )
        .await
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

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.worker.take() {
            let _ = stop.send(());
        }
        // Tenant databases and roles live on the shared server: drop what this test made.
        drop_tenants_of(&self.db.url(), control_api::schema::TENANT_DATABASES_AND_ROLES, vec![]);
    }
}

/// A signup request body.
pub fn signup_body(slug: &str, email: &str) -> Value {
    json!({
        "organization_name": format!("{slug} SAV"),
        "slug": slug,
        "admin": { "email": email, "password": PASSWORD, "firstname": "Grace", "lastname": "Hopper" }
    })
}

/// The environment a test instance starts from.
pub fn base_env(database_url: &str) -> Env {
    Env::from_pairs([
        ("CONTROL_DATABASE_URL", database_url),
        ("DB_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY),
        ("JWT_PRIVATE_KEY", TEST_PRIVATE_KEY),
        ("LOG_LEVEL", "warn"),
        // Tests run six at a time against one server with max_connections 100.
        ("CONTROL_DB_MAX_CONNECTIONS", "4"),
        // Tests sign up many organisations from one address; the limit has tests of its own.
        ("SIGNUPS_PER_IP_PER_HOUR", "0"),
        ("SIGNUPS_PER_HOUR", "0"),
        ("REGISTRATIONS_PER_IP_PER_HOUR", "0"),
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

/// The claims of a JWT, read without checking it.
pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// `claims` signed with EdDSA under `kid` (the server's own key is `TEST_PRIVATE_KEY`).
pub fn sign(claims: &Value, kid: &str, key: &EncodingKey) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

/// An Ed25519 key the server does not know: what a forger signs with.
pub fn foreign_key() -> EncodingKey {
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    let pem = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .unwrap();
    EncodingKey::from_ed_pem(pem.as_bytes()).unwrap()
}
