//! Fresh databases per test, cloned with `CREATE DATABASE ... TEMPLATE` from a template that
//! is migrated once per set of migrations (its name carries their checksum). Test processes
//! coordinate through a PostgreSQL advisory lock, so any number may start at once. Databases
//! are dropped when the handle drops; leftovers of killed runs are swept when a template is
//! built.

use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use tokio::sync::OnceCell;

/// Prefix of every per-test database, followed by the creation time in seconds.
const TEST_DB_PREFIX: &str = "hdtest_";
/// Swept when older than this.
const STALE_AFTER_SECS: u64 = 6 * 3600;

/// The server tests run against: `TEST_DATABASE_URL`, by default the local PostgreSQL as
/// `postgres`. The role must be allowed to create databases and roles.
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn admin_options() -> PgConnectOptions {
    PgConnectOptions::from_str(&admin_url()).expect("TEST_DATABASE_URL is a PostgreSQL URL")
}

async fn admin_connection() -> PgConnection {
    PgConnection::connect_with(&admin_options())
        .await
        .expect("the test PostgreSQL server is reachable (scripts/test.sh starts it)")
}

/// A database created for one test and dropped with it.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    options: PgConnectOptions,
}

impl TestDatabase {
    /// A fresh database holding `migrator`'s schema. `kind` names the template family
    /// (`control`, `tenant`).
    pub async fn create(kind: &str, migrator: &'static Migrator) -> Self {
        let template = template_for(kind, migrator).await;
        let name = format!("{TEST_DB_PREFIX}{}_{}", unix_now(), uuid::Uuid::new_v4().simple());
        let mut admin = admin_connection().await;
        admin
            .execute(format!(r#"CREATE DATABASE "{name}" TEMPLATE "{template}""#).as_str())
            .await
            .expect("create the test database");
        let options = admin_options().database(&name);
        Self { name, options }
    }

    /// A fresh clone of `template`, a template database built by [`derived_template`].
    pub async fn clone_of(template: &str) -> Self {
        let name = format!("{TEST_DB_PREFIX}{}_{}", unix_now(), uuid::Uuid::new_v4().simple());
        let mut admin = admin_connection().await;
        admin
            .execute(format!(r#"CREATE DATABASE "{name}" TEMPLATE "{template}""#).as_str())
            .await
            .expect("clone the template");
        let options = admin_options().database(&name);
        Self { name, options }
    }

    /// An empty database (no schema), for tests that migrate it themselves.
    pub async fn empty() -> Self {
        let name = format!("{TEST_DB_PREFIX}{}_{}", unix_now(), uuid::Uuid::new_v4().simple());
        let mut admin = admin_connection().await;
        admin.execute(format!(r#"CREATE DATABASE "{name}""#).as_str()).await.expect("create the test database");
        let options = admin_options().database(&name);
        Self { name, options }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Superuser options for this database.
    pub fn options(&self) -> PgConnectOptions {
        self.options.clone()
    }

    /// A `postgres://` URL for this database, for configuration under test.
    pub fn url(&self) -> String {
        let base = admin_url();
        let (server, _) = base.rsplit_once('/').expect("URL has a path");
        format!("{server}/{}", self.name)
    }

    /// A small pool on this database.
    pub async fn pool(&self) -> PgPool {
        PgPoolOptions::new()
            .max_connections(4)
            .connect_with(self.options())
            .await
            .expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = std::mem::take(&mut self.name);
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread with
        // its own runtime. FORCE ends connections the test's pools still hold.
        let handle = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let mut admin = admin_connection().await;
                if let Err(err) =
                    admin.execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str()).await
                {
                    eprintln!("harness: could not drop {name}: {err}");
                }
            });
        });
        let _ = handle.join();
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs()
}

/// The template's name: the kind and a digest of the migrations, so a changed migration set
/// gets a new template and an unchanged one is reused across runs.
fn template_name(kind: &str, migrator: &Migrator) -> String {
    let mut digest = Sha256::new();
    for migration in migrator.iter() {
        digest.update(migration.version.to_le_bytes());
        digest.update(&migration.checksum);
    }
    format!("hdtpl_{kind}_{}", &hex::encode(digest.finalize())[..16])
}

async fn template_for(kind: &str, migrator: &'static Migrator) -> String {
    static CONTROL: OnceCell<String> = OnceCell::const_new();
    static TENANT: OnceCell<String> = OnceCell::const_new();
    static OTHER: OnceCell<String> = OnceCell::const_new();
    let cell = match kind {
        "control" => &CONTROL,
        "tenant" => &TENANT,
        _ => &OTHER,
    };
    cell.get_or_init(|| ensure_template(kind, migrator)).await.clone()
}

async fn ensure_template(kind: &str, migrator: &'static Migrator) -> String {
    let name = template_name(kind, migrator);
    build_once(kind, &name, None, |url| async move {
        let mut conn = PgConnection::connect(&url).await.expect("connect to the template");
        migrator.run(&mut conn).await.expect("migrations apply to a fresh database");
        conn.close().await.expect("close the template connection");
    })
    .await;
    name
}

/// Builds template `name` of `kind` once across all test processes, under the template lock:
/// a fresh database (a clone of `from`, when given) that `fill` prepares through its URL, then
/// published under its name and marked a template. Leftovers of killed or failed runs, and
/// templates of the same kind under other names, are swept first.
async fn build_once<F, Fut>(kind: &str, name: &str, from: Option<&str>, fill: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut admin = admin_connection().await;
    // One builder at a time across all test processes.
    admin.execute("SELECT pg_advisory_lock(72034001)").await.expect("take the template lock");
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(&mut admin)
        .await
        .expect("look up the template");
    sweep_stale(&mut admin, kind, name).await;
    if !exists {
        let building = format!("{name}_building");
        admin
            .execute(format!(r#"DROP DATABASE IF EXISTS "{building}" WITH (FORCE)"#).as_str())
            .await
            .expect("drop a half-built template");
        let template = from.map(|from| format!(r#" TEMPLATE "{from}""#)).unwrap_or_default();
        admin
            .execute(format!(r#"CREATE DATABASE "{building}"{template}"#).as_str())
            .await
            .expect("create the template");
        let (server, _) =
            admin_url().rsplit_once('/').map(|(s, p)| (s.to_owned(), p.to_owned())).expect("URL has a path");
        fill(format!("{server}/{building}")).await;
        admin
            .execute(format!(r#"ALTER DATABASE "{building}" RENAME TO "{name}""#).as_str())
            .await
            .expect("publish the template (nothing may stay connected to it)");
        admin
            .execute(format!(r#"ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"#).as_str())
            .await
            .expect("mark the template");
    }
    admin.execute("SELECT pg_advisory_unlock(72034001)").await.expect("release the template lock");
}

/// The prefix for names of databases and roles a test creates through the code under test
/// (tenant databases): `hdtest_{now}_{random}_`, so leftovers of killed runs are swept like the
/// rest, and tests that provision the same tenant (a clone of one signed-up organisation) in the
/// same second name its database and role apart.
pub fn test_name_prefix() -> String {
    format!("{TEST_DB_PREFIX}{}_{}_", unix_now(), &uuid::Uuid::new_v4().simple().to_string()[..6])
}

/// A template database of `kind` built once per `key` (which should digest everything the
/// contents depend on) by `fill`, which gets the URL of a fresh clone of `base` (a migrated
/// template, see [`TestDatabase::create`]) and leaves in it what every clone should start
/// with. Test processes coordinate through the template lock like [`TestDatabase::create`];
/// templates of the same kind with another key are swept.
pub async fn derived_template<F, Fut>(kind: &str, key: &str, base: (&str, &'static Migrator), fill: F) -> String
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    // Before the lock: building the base takes it too.
    let base = template_for(base.0, base.1).await;
    let name = format!("hdtpl_{kind}_{key}");
    build_once(kind, &name, Some(&base), fill).await;
    name
}

fn is_stale(name: &str, now: u64) -> bool {
    name.strip_prefix(TEST_DB_PREFIX)
        .and_then(|rest| rest.split('_').next())
        .and_then(|ts| ts.parse::<u64>().ok())
        .is_some_and(|ts| now.saturating_sub(ts) > STALE_AFTER_SECS)
}

/// Drops per-test databases and roles left by killed or failed runs, and templates of other
/// migration sets.
async fn sweep_stale(admin: &mut PgConnection, kind: &str, current_template: &str) {
    let now = unix_now();
    let databases: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'hd%'")
        .fetch_all(&mut *admin)
        .await
        .unwrap_or_default();
    for name in databases {
        let stale = if name.starts_with(TEST_DB_PREFIX) {
            is_stale(&name, now)
        } else {
            name.starts_with(&format!("hdtpl_{kind}_")) && name != current_template
        };
        if stale {
            let _ = admin.execute(format!(r#"ALTER DATABASE "{name}" WITH IS_TEMPLATE false"#).as_str()).await;
            let _ = admin.execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str()).await;
        }
    }
    let roles: Vec<String> = sqlx::query_scalar("SELECT rolname FROM pg_roles WHERE rolname LIKE 'hdtest%'")
        .fetch_all(&mut *admin)
        .await
        .unwrap_or_default();
    for role in roles.into_iter().filter(|r| is_stale(r, now)) {
        let _ = admin.execute(format!(r#"DROP ROLE IF EXISTS "{role}""#).as_str()).await;
    }
}

/// Runs one cleanup statement, retrying a few times: concurrent tests change the same shared
/// catalogs, and a lost cleanup leaves garbage until the sweep.
async fn run_cleanup(admin: &mut PgConnection, statement: &str) {
    let mut last = None;
    for attempt in 0..4 {
        match admin.execute(statement).await {
            Ok(_) => return,
            Err(err) => last = Some(err),
        }
        tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
    }
    if let Some(err) = last {
        eprintln!("harness: cleanup failed ({statement}): {err}");
    }
}

/// Drops databases and roles by name, from synchronous code (a `Drop`).
pub fn drop_databases_and_roles(databases: Vec<String>, roles: Vec<String>) {
    drop_databases_and_roles_at(admin_options(), databases, roles);
}

/// As `drop_databases_and_roles`, on the server `admin` reaches (another cluster of the tests).
fn drop_databases_and_roles_at(admin: PgConnectOptions, databases: Vec<String>, roles: Vec<String>) {
    let handle = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let Ok(mut admin) = PgConnection::connect_with(&admin).await else {
                eprintln!(
                    "harness: cannot reach {}:{} to drop what a test made there",
                    admin.get_host(),
                    admin.get_port()
                );
                return;
            };
            for database in databases {
                let _ = admin.execute(format!(r#"ALTER DATABASE "{database}" WITH IS_TEMPLATE false"#).as_str()).await;
                run_cleanup(&mut admin, &format!(r#"DROP DATABASE IF EXISTS "{database}" WITH (FORCE)"#)).await;
            }
            for role in roles {
                run_cleanup(&mut admin, &format!(r#"DROP ROLE IF EXISTS "{role}""#)).await;
            }
        });
    });
    let _ = handle.join();
}

/// Drops the tenant databases and roles a control database lists (tests that provision real
/// tenants) with `listing`, a query returning (database, role, cluster port) rows that the
/// control plane supplies, plus any `extra_databases` (on the first server). Each is dropped on
/// its cluster: the tests' clusters are servers on this machine, reached as `TEST_DATABASE_URL`'s
/// role on the port the control database records. Synchronous, for `Drop`.
pub fn drop_tenants_of(control_url: &str, listing: &'static str, extra_databases: Vec<String>) {
    let url = control_url.to_owned();
    let listed = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            // The server may be busy with other tests: retry before giving up on the cleanup.
            let mut conn = None;
            for attempt in 0..4 {
                if let Ok(connected) = PgConnection::connect(&url).await {
                    conn = Some(connected);
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100 << attempt)).await;
            }
            let Some(mut conn) = conn else {
                eprintln!("harness: cannot list the tenants to drop: the control database is unreachable");
                return vec![];
            };
            let rows: Vec<(Option<String>, Option<String>, Option<i32>)> =
                sqlx::query_as(listing).fetch_all(&mut conn).await.unwrap_or_default();
            let _ = conn.close().await;
            rows
        })
    })
    .join()
    .unwrap_or_default();
    let first = admin_options();
    let mut by_port: std::collections::BTreeMap<u16, (Vec<String>, Vec<String>)> = std::collections::BTreeMap::new();
    by_port.entry(first.get_port()).or_default().0.extend(extra_databases);
    for (database, role, port) in listed {
        let port = port.and_then(|p| u16::try_from(p).ok()).unwrap_or(first.get_port());
        let (databases, roles) = by_port.entry(port).or_default();
        databases.extend(database);
        roles.extend(role);
    }
    for (port, (databases, roles)) in by_port {
        drop_databases_and_roles_at(first.clone().port(port), databases, roles);
    }
}
