//! A control plane: control-api's router on a fresh control database (and, when asked, its own
//! Redis namespace and the provisioning worker), served on a loopback port, with fixtures for
//! people and tenants. Everything it provisioned is dropped with it.

use control_api::identity::password;
use control_api::{AppState, build_router};
use harness::{TestDatabase, TestRedis, TestResponse, TestServer, drop_tenants_of, test_name_prefix};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::options::{ControlOptions, PASSWORD, TenantTemplate, WithRedis, Worker};
use crate::people::{signup_body, unique_email, unique_slug};

/// A running control plane. Fields drop in order: the server and the worker stop before the
/// tenant databases and the control database go.
#[allow(dead_code, reason = "not every test reaches into every part")]
pub struct ControlPlane {
    pub server: TestServer,
    pub state: AppState,
    pub redis: Option<TestRedis>,
    /// The prefix of the names of this plane's tenant databases and roles.
    tenant_prefix: String,
    /// A tenant template of the plane's own, dropped with it.
    own_template: Option<String>,
    worker: Option<oneshot::Sender<()>>,
    /// Stops the account mail sender.
    mail: Option<oneshot::Sender<()>>,
    pub db: TestDatabase,
}

impl ControlPlane {
    /// Identity alone, without Redis.
    pub async fn spawn() -> Self {
        ControlOptions::default().start().await
    }

    /// Identity alone, without Redis, with `configure`'s settings.
    pub async fn spawn_with(configure: impl FnOnce(&mut control_api::ControlConfig) + Send + 'static) -> Self {
        ControlOptions::default().configure(configure).start().await
    }

    pub async fn build(
        redis: WithRedis,
        configure: impl FnOnce(&mut control_api::ControlConfig) + Send + 'static,
    ) -> Self {
        ControlOptions::default().redis(redis).configure(configure).start().await
    }

    /// With tenancy on the test server: tenant databases named so that leftovers are swept,
    /// and dropped with the plane.
    pub async fn spawn_tenancy(redis: WithRedis, worker: Worker) -> Self {
        ControlOptions::default().redis(redis).tenancy(worker).start().await
    }

    /// `spawn_tenancy` with each new tenant in a database of its own.
    pub async fn spawn_dedicated(redis: WithRedis, worker: Worker) -> Self {
        ControlOptions::default().redis(redis).tenancy(worker).dedicated().start().await
    }

    pub async fn start(options: ControlOptions) -> Self {
        // With tenancy on the shared template, a clone of a database prepared once per run: a
        // template of the plane's own must be made by `prepare`.
        if options.tenancy.is_some() && options.template == TenantTemplate::Shared {
            let db = Box::pin(crate::image::prepared_database()).await;
            return Box::pin(Self::start_on(db, options, false)).await;
        }
        let db = TestDatabase::create("control", &control_api::schema::CONTROL).await;
        Box::pin(Self::start_on(db, options, true)).await
    }

    /// A plane on `db`, which `prepare`s it unless told the database is prepared already.
    pub(crate) async fn start_on(db: TestDatabase, options: ControlOptions, prepare: bool) -> Self {
        let tenant_prefix = test_name_prefix();
        let own_template = (options.template == TenantTemplate::Own).then(|| format!("{tenant_prefix}tpl"));
        let tenancy = options.tenancy;
        let (config, redis) = options.config(&db.url(), &tenant_prefix, own_template.as_deref());
        let state = AppState::new(config).expect("clients build");
        let mut plane = Self {
            server: TestServer::start(build_router(state.clone())).await,
            state,
            redis,
            tenant_prefix,
            own_template,
            worker: None,
            mail: None,
            db,
        };
        plane.run_mail_sender();
        if let Some(worker) = tenancy {
            if prepare {
                control_api::prepare(&plane.state).await.expect("tenancy prepares");
            }
            if worker == Worker::Background {
                plane.run_worker();
            }
        }
        plane
    }

    /// Starts the provisioning worker in the background.
    pub(crate) fn run_worker(&mut self) {
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(self.state.worker.clone().run(async {
            let _ = stopped.await;
        }));
        self.worker = Some(stop);
    }

    /// Starts the account mail sender in the background, as `serve` does (without a mail
    /// server it only keeps the mail waiting).
    fn run_mail_sender(&mut self) {
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(self.state.mail.sender.clone().run(async {
            let _ = stopped.await;
        }));
        self.mail = Some(stop);
    }

    /// The prefix of this plane's tenant database and role names.
    pub fn tenant_prefix(&self) -> &str {
        &self.tenant_prefix
    }

    /// Waits (bounded) until `slug` reaches `status`.
    pub async fn wait_for_status(&self, slug: &str, status: &str) {
        let db = &self.state.db;
        harness::eventually(std::time::Duration::from_secs(30), &format!("{slug} becomes {status}"), || async move {
            let current: Option<String> =
                sqlx::query_scalar("SELECT status FROM tenants WHERE slug = $1 AND slug_released_at IS NULL")
                    .bind(slug)
                    .fetch_optional(db)
                    .await
                    .unwrap();
            (current.as_deref() == Some(status)).then_some(())
        })
        .await;
    }

    /// Waits (bounded) until a deleted tenant's drop is done (its database gone, its purge
    /// due), then ends the deletion as the tenant plane does once the tenant's files and Redis
    /// keys are removed (`control_schema::deletion::purged`: this plane runs without the tenant
    /// plane; app-api's tests purge for real), and checks that the status says `deleted`.
    pub async fn wait_for_deletion(&self, slug: &str) {
        let db = &self.state.db;
        let tenant: Uuid = harness::eventually(
            std::time::Duration::from_secs(30),
            &format!("{slug}'s database dropped and its purge due"),
            || async move {
                sqlx::query_scalar(
                    "SELECT t.id FROM tenants t JOIN tenant_schedule s ON s.tenant_id = t.id AND s.work = 'purge'
                      WHERE t.slug = $1 AND t.slug_released_at IS NULL AND t.status = 'deleting'",
                )
                .bind(slug)
                .fetch_optional(db)
                .await
                .unwrap()
            },
        )
        .await;
        assert!(control_schema::deletion::purged(db, tenant).await.unwrap(), "{slug} was deleting");
        self.wait_for_status(slug, "deleted").await;
    }

    /// Signs up an organisation; returns (slug, owner email).
    pub async fn signup(&self) -> (String, String) {
        let slug = unique_slug();
        let email = unique_email("owner");
        let response = self.server.post_json("/v1/tenants/signup", &signup_body(&slug, &email)).await;
        assert_eq!(response.status, 202, "{}", response.body);
        (slug, email)
    }

    /// Signs up `N` organisations, then waits until each is active; returns their (slug, owner
    /// email).
    pub async fn active_tenants<const N: usize>(&self) -> [(String, String); N] {
        let mut tenants = Vec::with_capacity(N);
        for _ in 0..N {
            tenants.push(self.signup().await);
        }
        for (slug, _) in &tenants {
            self.wait_for_status(slug, "active").await;
        }
        tenants.try_into().expect("N tenants")
    }

    /// The id of the tenant `slug` names.
    pub async fn tenant_id(&self, slug: &str) -> Uuid {
        sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
            .bind(slug)
            .fetch_one(&self.state.db)
            .await
            .expect("a tenant with this slug")
    }

    /// A connection to a tenant's database (or to `database`) with the tenant's own role.
    pub async fn connect_as_tenant(
        &self,
        slug: &str,
        database: Option<&str>,
    ) -> Result<sqlx::PgConnection, sqlx::Error> {
        connect_as_tenant(&self.state, slug, database).await
    }

    /// A platform operator's token.
    pub async fn platform_admin_token(&self) -> String {
        let email = unique_email("ops");
        self.create_platform_admin(&email).await;
        let login = self.login(None, &email, PASSWORD).await;
        login.json()["access_token"].as_str().unwrap().to_owned()
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

    /// `method path` with `token`, and a JSON body when there is one.
    pub async fn send(&self, method: Method, path: &str, token: &str, body: Option<&Value>) -> TestResponse {
        let mut request = self.server.request(method, path).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        TestResponse::from(request.send().await.expect("request sent")).await
    }

    pub async fn get_bearer(&self, path: &str, token: &str) -> TestResponse {
        self.send(Method::GET, path, token, None).await
    }

    pub async fn post_bearer(&self, path: &str, token: &str, body: &Value) -> TestResponse {
        self.send(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch_bearer(&self, path: &str, token: &str, body: &Value) -> TestResponse {
        self.send(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete_bearer(&self, path: &str, token: &str) -> TestResponse {
        self.send(Method::DELETE, path, token, None).await
    }

    pub async fn audit_actions(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id").fetch_all(&self.state.db).await.unwrap()
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        for stop in [self.worker.take(), self.mail.take()].into_iter().flatten() {
            let _ = stop.send(());
        }
        // Tenant databases and roles live on the shared server: drop what this plane made.
        drop_tenants_of(
            &self.db.url(),
            control_api::schema::TENANT_DATABASES_AND_ROLES,
            self.own_template.take().into_iter().collect(),
        );
    }
}

/// A connection to the database of the tenant `slug` (or to `database`) with the tenant's own
/// role, as app-api's connections are: held to the rows' policies.
pub async fn connect_as_tenant(
    control: &control_api::AppState,
    slug: &str,
    database: Option<&str>,
) -> Result<sqlx::PgConnection, sqlx::Error> {
    use sqlx::Connection as _;
    let (id, db_name, role, sealed): (Uuid, String, String, Vec<u8>) =
        sqlx::query_as("SELECT id, database_name, login_role, db_password_encrypted FROM tenants WHERE slug = $1")
            .bind(slug)
            .fetch_one(&control.db)
            .await
            .expect("a provisioned tenant");
    let key = &control.config.keys.app_plane_keys.tenant_database;
    let password = shared::crypto::open(key, &sealed, id.as_bytes()).expect("password decrypts");
    let options = harness::admin_options()
        .username(&role)
        .password(std::str::from_utf8(&password).unwrap())
        .database(database.unwrap_or(&db_name));
    sqlx::PgConnection::connect_with(&options).await
}
