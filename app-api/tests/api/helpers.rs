//! The whole platform for app-api tests: a control plane (control-api's router and worker,
//! provisioning real tenant databases on the test server) and app-api replicas on the same
//! control database and Redis namespace.

use std::time::Duration;

use app_api::{AppConfig, AppState, build_router};
use reqwest::Method;
use serde_json::{Value, json};
use shared::config::Env;
use shared::testkit::{
    TestDatabase, TestRedis, TestResponse, TestServer, admin_options, admin_url, drop_tenants_of, eventually,
    test_name_prefix,
};
use uuid::Uuid;

pub const TEST_ENCRYPTION_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
pub const TEST_PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
pub const TEST_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";
pub const PASSWORD: &str = "correct horse battery staple";
pub const BASE_DOMAIN: &str = "helpdeskly.test";

/// A running app-api replica.
#[allow(dead_code, reason = "tests reach into the state when they need to")]
pub struct Replica {
    pub state: AppState,
    pub server: TestServer,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Replica {
    /// `GET path` for `slug` (by `X-Tenant-Slug`) with `token`.
    pub async fn get(&self, slug: &str, path: &str, token: Option<&str>) -> TestResponse {
        let mut request = self.server.request(Method::GET, path).header("x-tenant-slug", slug);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        TestResponse::from(request.send().await.expect("request sent")).await
    }

    /// `method path` for `slug` with `token`, and a JSON body when there is one.
    pub async fn send(
        &self,
        method: Method,
        slug: &str,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> TestResponse {
        let mut request = self.server.request(method, path).header("x-tenant-slug", slug).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        TestResponse::from(request.send().await.expect("request sent")).await
    }

    /// `method path` with a raw JSON body (bodies `serde_json::Value` cannot carry: huge ones,
    /// broken ones).
    pub async fn send_raw(&self, method: Method, slug: &str, path: &str, token: &str, body: Vec<u8>) -> TestResponse {
        let request = self
            .server
            .request(method, path)
            .header("x-tenant-slug", slug)
            .header("content-type", "application/json")
            .bearer_auth(token)
            .body(body);
        TestResponse::from(request.send().await.expect("request sent")).await
    }

    pub async fn post(&self, slug: &str, path: &str, token: &str, body: &Value) -> TestResponse {
        self.send(Method::POST, slug, path, token, Some(body)).await
    }

    pub async fn patch(&self, slug: &str, path: &str, token: &str, body: &Value) -> TestResponse {
        self.send(Method::PATCH, slug, path, token, Some(body)).await
    }

    pub async fn put(&self, slug: &str, path: &str, token: &str, body: &Value) -> TestResponse {
        self.send(Method::PUT, slug, path, token, Some(body)).await
    }
}

/// A member of an organisation, signed in to it.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    pub email: String,
    pub token: String,
    pub role: String,
}

/// Superuser access to one tenant's database, to look behind the API in assertions and to
/// arrange what the API cannot (a VIP flag, a failing trigger).
pub struct TenantDb {
    pub pool: sqlx::PgPool,
}

impl TenantDb {
    /// The single `bigint` a query returns (a count, a max).
    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        self.scalar(&format!("SELECT count(*) FROM {table}")).await
    }

    /// Runs statements (several, separated by `;`, without parameters).
    pub async fn execute(&self, sql: &str) {
        sqlx::raw_sql(sql).execute(&self.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

pub struct Platform {
    tenant_prefix: String,
    /// The replicas' local-disk blob store (tests on S3 name a bucket instead).
    blobs: tempfile::TempDir,
    /// Replicas started, each of which subscribes to tenant changes when Redis is there.
    replicas: std::sync::atomic::AtomicUsize,
    pub control: control_api::AppState,
    pub control_server: TestServer,
    pub redis: Option<TestRedis>,
    db: TestDatabase,
    stop_worker: Option<tokio::sync::oneshot::Sender<()>>,
}

/// An organisation with an active database and its owner signed in.
pub struct Org {
    pub slug: String,
    pub owner_email: String,
    pub owner_token: String,
}

impl Platform {
    pub async fn start(with_redis: bool) -> Self {
        let db = TestDatabase::create("control", &control_api::schema::CONTROL).await;
        let redis = with_redis.then(TestRedis::new);
        let tenant_prefix = test_name_prefix();
        let mut env = Env::from_pairs([
            ("CONTROL_DATABASE_URL", db.url()),
            ("TENANT_DATABASE_URL", admin_url()),
            ("TENANT_TEMPLATE_DATABASE", "hd_test_tenant_template".to_owned()),
            ("TENANT_DB_PREFIX", tenant_prefix.clone()),
            ("DB_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY.to_owned()),
            ("JWT_PRIVATE_KEY", TEST_PRIVATE_KEY.to_owned()),
            ("LOG_LEVEL", "warn".to_owned()),
            // Tests run six at a time against one server with max_connections 100.
            ("CONTROL_DB_MAX_CONNECTIONS", "4".to_owned()),
            // Tests sign up many organisations from one address.
            ("SIGNUPS_PER_IP_PER_HOUR", "0".to_owned()),
            ("SIGNUPS_PER_HOUR", "0".to_owned()),
            ("REGISTRATIONS_PER_IP_PER_HOUR", "0".to_owned()),
        ]);
        if let Some(r) = &redis {
            env = env.with("REDIS_URL", r.url.clone()).with("REDIS_KEY_PREFIX", r.prefix.clone());
        }
        let control = control_api::AppState::new(control_api::ControlConfig::from_env(&env).unwrap()).unwrap();
        control_api::prepare(&control).await.expect("tenancy prepares");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(control.worker.clone().run(async {
            let _ = stopped.await;
        }));
        let control_server = TestServer::start(control_api::build_router(control.clone())).await;
        let blobs = tempfile::tempdir().expect("a blob directory");
        Self { tenant_prefix, blobs, replicas: 0.into(), control, control_server, redis, db, stop_worker: Some(stop) }
    }

    /// The prefix of this platform's tenant database and role names.
    pub fn tenant_prefix(&self) -> &str {
        &self.tenant_prefix
    }

    /// The environment of an app-api replica of this platform.
    pub fn app_env(&self) -> Env {
        let mut env = Env::from_pairs([
            ("CONTROL_DATABASE_URL", self.db.url()),
            // What an operator hands app-api: the key `control-api app-plane-key` prints.
            ("APP_PLANE_KEY", self.control.config.keys.app_plane.to_base64()),
            ("JWT_PUBLIC_KEYS", TEST_PUBLIC_KEY.to_owned()),
            ("APP_BASE_DOMAIN", BASE_DOMAIN.to_owned()),
            ("LOG_LEVEL", "warn".to_owned()),
            ("CONTROL_DB_MAX_CONNECTIONS", "3".to_owned()),
            ("TENANT_POOLS_MAX_TOTAL_CONNECTIONS", "20".to_owned()),
            // Tests that arrange due dates in the database run the jobs themselves, on a clock
            // of their own (`tickets::jobs`).
            ("JOBS_IN_SERVE", "false".to_owned()),
            ("CONTROL_API_URL", self.control_server.url("")),
            ("BLOB_DIR", self.blobs.path().to_string_lossy().into_owned()),
        ]);
        if let Some(r) = &self.redis {
            env = env.with("REDIS_URL", r.url.clone()).with("REDIS_KEY_PREFIX", r.prefix.clone());
        }
        env
    }

    pub async fn replica(&self) -> Replica {
        self.replica_with(|env| env).await
    }

    pub async fn replica_with(&self, adjust: impl FnOnce(Env) -> Env) -> Replica {
        let config = AppConfig::from_env(&adjust(self.app_env())).expect("app configuration");
        let state = AppState::new(config).await.expect("app state");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(state.clone().run_background(async {
            let _ = stopped.await;
        }));
        let options = shared::serve::ServeOptions {
            grace: std::time::Duration::from_secs(5),
            header_timeout: state.config.http.header_timeout,
        };
        let server = TestServer::start_with(build_router(state.clone()), options).await;
        if let Some(redis) = &self.redis {
            // Changes published before the replica listens would only reach it by cache expiry.
            let replicas = self.replicas.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            let channel = format!("{}tenant-changes", redis.prefix);
            let client = redis::Client::open(redis.url.as_str()).unwrap();
            let (client, channel) = (&client, channel.as_str());
            shared::testkit::eventually(
                std::time::Duration::from_secs(10),
                "the replica listens for tenant changes",
                || async move {
                    let mut conn = client.get_multiplexed_async_connection().await.ok()?;
                    let (_, listeners): (String, usize) =
                        redis::cmd("PUBSUB").arg("NUMSUB").arg(channel).query_async(&mut conn).await.ok()?;
                    (listeners >= replicas).then_some(())
                },
            )
            .await;
        }
        Replica { state, server, stop: Some(stop) }
    }

    /// Signs an organisation up and waits (bounded) until its database is active.
    pub async fn org(&self) -> Org {
        let slug = format!("t-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let owner_email = format!("owner-{slug}@example.org");
        let body = json!({
            "organization_name": format!("{slug} SAV"),
            "slug": slug,
            "admin": { "email": owner_email, "password": PASSWORD, "firstname": "Grace", "lastname": "Hopper" }
        });
        let response = self.control_server.post_json("/v1/tenants/signup", &body).await;
        assert_eq!(response.status, 202, "{}", response.body);
        let (server, path) = (&self.control_server, format!("/v1/tenants/{slug}/status"));
        let path = path.as_str();
        shared::testkit::eventually(
            std::time::Duration::from_secs(30),
            &format!("{slug} becomes active"),
            || async move { (server.get(path).await.json()["status"] == "active").then_some(()) },
        )
        .await;
        let owner_token = self.login(&slug, &owner_email).await;
        Org { slug, owner_email, owner_token }
    }

    pub async fn login(&self, slug: &str, email: &str) -> String {
        let login = self
            .control_server
            .post_json("/v1/auth/login", &json!({ "tenant": slug, "email": email, "password": PASSWORD }))
            .await;
        assert_eq!(login.status, 200, "{}", login.body);
        login.json()["access_token"].as_str().unwrap().to_owned()
    }

    /// Adds a member with `role` to `org` (customers register themselves, staff accept an
    /// invitation of the owner), signs them in, and waits (bounded) until app-api knows them,
    /// i.e. until the tenant's mirror of users holds them with that role.
    pub async fn member(&self, app: &Replica, org: &Org, role: &str) -> Person {
        let email = format!("{role}-{}@example.org", Uuid::new_v4().simple());
        let id = if role == "customer" {
            let body = json!({
                "tenant": org.slug, "email": email, "password": PASSWORD, "firstname": "Cust", "lastname": "Omer"
            });
            let registered = self.control_server.post_json("/v1/auth/register", &body).await;
            assert_eq!(registered.status, 201, "{}", registered.body);
            let login = json!({ "tenant": org.slug, "email": email, "password": PASSWORD });
            let login = self.control_server.post_json("/v1/auth/login", &login).await;
            login.json()["user"]["id"].as_str().unwrap().parse().unwrap()
        } else {
            let invited = self
                .control_post(
                    &format!("/v1/tenants/{}/invitations", org.slug),
                    &org.owner_token,
                    &json!({ "email": email, "role": role }),
                )
                .await;
            assert_eq!(invited.status, 201, "{}", invited.body);
            let invitation = invited.json()["token"].as_str().unwrap().to_owned();
            let accepted = self
                .control_server
                .post_json(
                    &format!("/v1/invitations/{invitation}/accept"),
                    &json!({ "password": PASSWORD, "firstname": "Staff", "lastname": role }),
                )
                .await;
            assert_eq!(accepted.status, 200, "{}", accepted.body);
            accepted.json()["user"]["id"].as_str().unwrap().parse().unwrap()
        };
        let token = self.login(&org.slug, &email).await;
        let (slug, token_ref) = (org.slug.as_str(), token.as_str());
        eventually(Duration::from_secs(15), &format!("{email} is mirrored into {slug}"), || async move {
            let me = app.get(slug, "/v1/me", Some(token_ref)).await;
            (me.status == 200 && me.json()["role"] == role).then_some(())
        })
        .await;
        Person { id, email, token, role: role.to_owned() }
    }

    /// The owner of `org`, as app-api knows them.
    pub async fn owner(&self, app: &Replica, org: &Org) -> Person {
        let me = app.get(&org.slug, "/v1/me", Some(&org.owner_token)).await;
        assert_eq!(me.status, 200, "{}", me.body);
        Person {
            id: me.json()["id"].as_str().unwrap().parse().unwrap(),
            email: org.owner_email.clone(),
            token: org.owner_token.clone(),
            role: "owner".to_owned(),
        }
    }

    /// A superuser pool on the database of the tenant `slug`.
    pub async fn tenant_db(&self, slug: &str) -> TenantDb {
        let name: String = sqlx::query_scalar("SELECT database_name FROM tenants WHERE slug = $1")
            .bind(slug)
            .fetch_one(&self.control.db)
            .await
            .expect("a provisioned tenant");
        // Two connections: tests run six at a time against one server.
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(2)
            .connect_with(admin_options().database(&name))
            .await
            .expect("connect to the tenant database");
        TenantDb { pool }
    }

    /// A platform operator's token on the control plane.
    pub async fn operator_token(&self) -> String {
        let email = format!("ops-{}@example.org", uuid::Uuid::new_v4().simple());
        control_api::create_platform_admin(self.control.config.clone(), &email, PASSWORD.to_owned()).await.unwrap();
        let login =
            self.control_server.post_json("/v1/auth/login", &json!({ "email": email, "password": PASSWORD })).await;
        login.json()["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn control_post(&self, path: &str, token: &str, body: &serde_json::Value) -> TestResponse {
        let request = self.control_server.request(Method::POST, path).bearer_auth(token).json(body);
        TestResponse::from(request.send().await.unwrap()).await
    }

    pub async fn control_request(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> TestResponse {
        let request = self.control_server.request(method, path).bearer_auth(token).json(body);
        TestResponse::from(request.send().await.unwrap()).await
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        if let Some(stop) = self.stop_worker.take() {
            let _ = stop.send(());
        }
        drop_tenants_of(&self.db.url(), control_api::schema::TENANT_DATABASES_AND_ROLES, vec![]);
    }
}
