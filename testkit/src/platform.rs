//! The whole platform: a control plane (control-api's router and provisioning worker,
//! provisioning real tenant databases on the test server) and app-api replicas on the same
//! control database and Redis namespace, with fixtures for organisations and their members.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use app_api::{AppConfig, AppState, build_router};
use harness::{TestRedis, TestResponse, TestServer, admin_options, eventually};
use reqwest::Method;
use serde_json::{Value, json};
use shared::config::Env;
use uuid::Uuid;

use crate::control::ControlPlane;
use crate::options::{BASE_DOMAIN, ControlOptions, PASSWORD, Service, TEST_PUBLIC_KEY, Worker};

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
    /// Runs statements as the cluster admin (DDL, triggers of a test's own), past the rows'
    /// policies: the connection's role is the tenant's again afterwards.
    pub async fn execute_as_admin(&self, sql: &str) {
        let mut conn = self.pool.acquire().await.expect("a connection");
        let wrapped = format!("SET ROLE NONE; {sql}; RESET ROLE");
        sqlx::raw_sql(&wrapped).execute(&mut *conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The single `bigint` a query returns (a count, a max).
    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The single `text` a query returns (empty for null).
    pub async fn text(&self, sql: &str) -> String {
        let text: Option<String> =
            sqlx::query_scalar(sql).fetch_one(&self.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        text.unwrap_or_default()
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

/// An organisation with an active database and its owner signed in.
pub struct Org {
    pub slug: String,
    pub owner_email: String,
    pub owner_token: String,
}

/// A control plane with its provisioning worker in the background, and what app-api
/// replicas of it share. Dropping it drops every tenant it provisioned.
pub struct Platform {
    /// The control plane's state (its configuration, its database pool, its worker).
    pub control: control_api::AppState,
    /// The replicas' local-disk blob store (tests on S3 configure a bucket instead).
    blobs: tempfile::TempDir,
    /// Replicas started, each of which subscribes to tenant changes when Redis is there.
    replicas: AtomicUsize,
    pub plane: ControlPlane,
}

impl Platform {
    /// A platform with or without Redis.
    pub async fn start(with_redis: bool) -> Self {
        let redis = if with_redis { Service::Test } else { Service::Off };
        Self::start_with(ControlOptions::default().redis(redis)).await
    }

    /// A platform whose control plane starts with `options` (the worker always runs in the
    /// background).
    pub async fn start_with(options: ControlOptions) -> Self {
        Self::of(Box::pin(options.tenancy(Worker::Background).start()).await)
    }

    fn of(plane: ControlPlane) -> Self {
        let blobs = tempfile::tempdir().expect("a blob directory");
        Self { control: plane.state.clone(), blobs, replicas: AtomicUsize::new(0), plane }
    }

    /// A platform with an organisation already signed up: a clone of the one signed up once
    /// per run (see `image`), provisioned for this test alone by the worker.
    pub async fn with_org(with_redis: bool) -> (Self, Org) {
        let redis = if with_redis { Service::Test } else { Service::Off };
        Box::pin(Self::with_org_and(ControlOptions::default().redis(redis))).await
    }

    /// `with_org`, its control plane started with `options` (Redis, configuration).
    pub async fn with_org_and(options: ControlOptions) -> (Self, Org) {
        // Boxed, as the other starts below: the futures of tests that nest them inline grow past
        // the compiler's query depth.
        let db = Box::pin(crate::image::control_database()).await;
        let options = options.tenancy(Worker::Manual);
        let mut plane = Box::pin(ControlPlane::start_on(db, options, false)).await;
        let ran = plane.state.worker.run_due().await.expect("the provisioning job runs");
        assert!(ran > 0, "the organisation's provisioning job was due");
        plane.run_worker();
        let platform = Self::of(plane);
        let slug = crate::image::SLUG.to_owned();
        platform.plane.wait_for_status(&slug, "active").await;
        let owner_email = crate::image::owner_email();
        let owner_token = platform.login(&slug, &owner_email).await;
        (platform, Org { slug, owner_email, owner_token })
    }

    /// The control plane's server.
    pub fn control_server(&self) -> &TestServer {
        &self.plane.server
    }

    /// The Redis namespace the control plane and the replicas share, when there is Redis.
    pub fn redis(&self) -> Option<&TestRedis> {
        self.plane.redis.as_ref()
    }

    /// The prefix of this platform's tenant database and role names.
    pub fn tenant_prefix(&self) -> &str {
        self.plane.tenant_prefix()
    }

    /// The configuration of an app-api replica of this platform, with `configure`'s changes.
    pub fn app_config(&self, configure: impl FnOnce(&mut AppConfig)) -> AppConfig {
        let env = Env::from_pairs([
            ("CONTROL_DATABASE_URL", self.plane.db.url()),
            // What an operator hands app-api: the key `control-api app-plane-key` prints.
            ("APP_PLANE_KEY", self.control.config.keys.app_plane.to_base64()),
            ("JWT_PUBLIC_KEYS", TEST_PUBLIC_KEY.to_owned()),
            ("APP_BASE_DOMAIN", BASE_DOMAIN.to_owned()),
            ("LOG_LEVEL", "warn".to_owned()),
        ]);
        let mut config = AppConfig::from_env(&env).expect("app configuration");
        config.control_db_max_connections = 3;
        config.pools.total = 20;
        // Tests that arrange due dates in the database run the jobs themselves, on a clock of
        // their own (`tickets::jobs`).
        config.jobs.in_serve = false;
        // The notification worker declares a durable queue on the broker: tests about it run it
        // on a queue of their own (`notifications`), the others leave it off.
        config.notifications.in_serve = false;
        // So does the webhook worker (`integrations`).
        config.integrations.in_serve = false;
        // Tests of the mailbox fetcher drive it themselves (`mail_in`).
        config.mail_in.in_serve = false;
        config.control_api_url = Some(crate::options::url(&self.plane.server.url("")));
        config.attachments.store = app_api::config::BlobStoreConfig::Disk { dir: self.blobs.path().to_owned() };
        if let Some(redis) = self.redis() {
            config.redis = Some(crate::options::redis_at(&redis.url));
            config.redis_key_prefix.clone_from(&redis.prefix);
        }
        configure(&mut config);
        config
    }

    pub async fn replica(&self) -> Replica {
        self.replica_with(|_| {}).await
    }

    /// A replica whose configuration `configure` changes.
    pub async fn replica_with(&self, configure: impl FnOnce(&mut AppConfig)) -> Replica {
        let state = Box::pin(AppState::new(self.app_config(configure))).await.expect("app state");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(state.clone().run_background(async {
            let _ = stopped.await;
        }));
        let options = shared::serve::ServeOptions {
            grace: Duration::from_secs(5),
            header_timeout: state.config.http.header_timeout,
        };
        let server = TestServer::start_with(build_router(state.clone()), options).await;
        if let Some(redis) = self.redis() {
            // Changes published before the replica listens would only reach it by cache expiry.
            let replicas = self.replicas.fetch_add(1, Ordering::SeqCst) + 1;
            let channel = format!("{}tenant-changes", redis.prefix);
            let client = redis::Client::open(redis.url.as_str()).unwrap();
            let (client, channel) = (&client, channel.as_str());
            eventually(Duration::from_secs(10), "the replica listens for tenant changes", || async move {
                let mut conn = client.get_multiplexed_async_connection().await.ok()?;
                let (_, listeners): (String, usize) =
                    redis::cmd("PUBSUB").arg("NUMSUB").arg(channel).query_async(&mut conn).await.ok()?;
                (listeners >= replicas).then_some(())
            })
            .await;
        }
        Replica { state, server, stop: Some(stop) }
    }

    /// Signs an organisation up and waits (bounded) until its database is active.
    pub async fn org(&self) -> Org {
        let slug = format!("t-{}", &Uuid::new_v4().simple().to_string()[..12]);
        let owner_email = format!("owner-{slug}@example.org");
        let body = crate::people::signup_body(&slug, &owner_email);
        let response = self.control_server().post_json("/v1/tenants/signup", &body).await;
        assert_eq!(response.status, 202, "{}", response.body);
        let (server, path) = (self.control_server(), format!("/v1/tenants/{slug}/status"));
        let path = path.as_str();
        eventually(Duration::from_secs(30), &format!("{slug} becomes active"), || async move {
            (server.get(path).await.json()["status"] == "active").then_some(())
        })
        .await;
        let owner_token = self.login(&slug, &owner_email).await;
        Org { slug, owner_email, owner_token }
    }

    pub async fn login(&self, slug: &str, email: &str) -> String {
        let login = self
            .control_server()
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
        self.member_at(app, org, role, &email).await
    }

    /// `member` with the address `email`.
    pub async fn member_at(&self, app: &Replica, org: &Org, role: &str, email: &str) -> Person {
        let email = email.to_owned();
        let server = self.control_server();
        let id = if role == "customer" {
            let body = json!({
                "tenant": org.slug, "email": email, "password": PASSWORD, "firstname": "Cust", "lastname": "Omer"
            });
            let registered = server.post_json("/v1/auth/register", &body).await;
            assert_eq!(registered.status, 201, "{}", registered.body);
            let login = json!({ "tenant": org.slug, "email": email, "password": PASSWORD });
            let login = server.post_json("/v1/auth/login", &login).await;
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
            let accepted = server
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

    /// A pool on the database of the tenant `slug`, on its cluster (the tests' clusters are
    /// servers on this machine, reached as `TEST_DATABASE_URL`'s role on their own port), that
    /// sees and writes the tenant's rows alone, as the tenant's role under its policies with the
    /// tenant named for the session (`execute_as_admin` for what only the admin may do).
    pub async fn tenant_db(&self, slug: &str) -> TenantDb {
        let (id, name, role, port): (Uuid, String, String, i32) = sqlx::query_as(
            "SELECT t.id, t.database_name, t.login_role, c.port FROM tenants t JOIN db_clusters c ON c.id = t.cluster_id
             WHERE t.slug = $1",
        )
        .bind(slug)
        .fetch_one(&self.control.db)
        .await
        .expect("a provisioned tenant");
        let port = u16::try_from(port).expect("a port");
        // Two connections: tests run six at a time against one server.
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(2)
            .connect_with(
                admin_options()
                    .database(&name)
                    .port(port)
                    .options([("role", role.as_str()), (tenant_schema::TENANT_SETTING, id.to_string().as_str())]),
            )
            .await
            .expect("connect to the tenant database");
        TenantDb { pool }
    }

    /// A platform operator's token on the control plane.
    pub async fn operator_token(&self) -> String {
        let email = format!("ops-{}@example.org", Uuid::new_v4().simple());
        control_api::create_platform_admin(self.control.config.clone(), &email, PASSWORD.to_owned()).await.unwrap();
        let login =
            self.control_server().post_json("/v1/auth/login", &json!({ "email": email, "password": PASSWORD })).await;
        login.json()["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn control_post(&self, path: &str, token: &str, body: &Value) -> TestResponse {
        self.control_request(Method::POST, path, token, body).await
    }

    pub async fn control_request(&self, method: Method, path: &str, token: &str, body: &Value) -> TestResponse {
        self.plane.send(method, path, token, Some(body)).await
    }
}
