//! Control databases prepared once per run: one as `serve` leaves it (the default cluster
//! registered, the tenant template recorded as current), for control planes with tenancy, and
//! one holding besides an organisation right after its sign-up (owner, membership, the pending
//! provisioning job), for the many tests that need a tenant and nothing particular about how it
//! came to be. Each test clones one; with the organisation, the worker provisions its tenant,
//! so every test still gets a tenant database and login role of its own. Neither pays for the
//! sign-up (a password hash) nor for checking the tenant template under its exclusive lock,
//! which `prepare` does for every fresh control database and which stalls the other tests'
//! provisioning meanwhile.
//!
//! A template's name digests what its contents depend on (see `key`); the organisation's also
//! the day, so a clone is never old enough for the abandoned-tenant sweep (72 hours).

use std::time::{SystemTime, UNIX_EPOCH};

use harness::{TestDatabase, TestServer, admin_options, admin_url, derived_template};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use crate::options::{ControlOptions, Worker, test_tenant_template};
use crate::people::signup_body;

/// The organisation's slug.
pub const SLUG: &str = "t-prepared";
/// Bumped when what `fill` leaves changes.
const CONTENTS_VERSION: u8 = 1;

pub fn owner_email() -> String {
    format!("owner-{SLUG}@example.org")
}

/// A fresh control database prepared for tenancy on the test server, with no tenant.
pub async fn prepared_database() -> TestDatabase {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    clone(&TEMPLATE, "plane", false).await
}

/// A fresh control database prepared for tenancy, holding the organisation, not yet
/// provisioned.
pub async fn control_database() -> TestDatabase {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    clone(&TEMPLATE, "org", true).await
}

async fn clone(template: &OnceCell<String>, kind: &str, with_org: bool) -> TestDatabase {
    let base = ("control", &control_api::schema::CONTROL);
    let key = key(with_org).await;
    let template = template.get_or_init(|| derived_template(kind, &key, base, move |url| fill(url, with_org))).await;
    TestDatabase::clone_of(template).await
}

/// What a template's contents depend on: both migration sets, the server and the shared
/// tenant template (recorded as current in the clones: one dropped and made again by anyone
/// has another oid); with the organisation, the day too.
async fn key(with_org: bool) -> String {
    use sqlx::Connection as _;
    let mut admin = sqlx::PgConnection::connect_with(&admin_options()).await.expect("the test server is reachable");
    let tenant_template: Option<i64> = sqlx::query_scalar("SELECT oid::bigint FROM pg_database WHERE datname = $1")
        .bind(test_tenant_template())
        .fetch_optional(&mut admin)
        .await
        .expect("look up the tenant template");
    let _ = admin.close().await;
    let mut digest = Sha256::new();
    for migration in control_api::schema::CONTROL.iter().chain(tenant_schema::MIGRATOR.iter()) {
        digest.update(migration.version.to_le_bytes());
        digest.update(&migration.checksum);
    }
    digest.update(admin_url().as_bytes());
    digest.update(tenant_template.unwrap_or(0).to_le_bytes());
    if with_org {
        let day = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs() / 86_400;
        digest.update(day.to_le_bytes());
    }
    digest.update([CONTENTS_VERSION]);
    hex::encode(digest.finalize())[..16].to_owned()
}

/// Prepares the control database at `url` as `serve` would, and signs the organisation up
/// through the API when asked; nothing stays connected.
async fn fill(url: String, with_org: bool) {
    let options = ControlOptions::default().tenancy(Worker::Manual);
    let (config, _) = options.config(&url, "hdtpl_unused_", None);
    let state = control_api::AppState::new(config).expect("clients build");
    control_api::prepare(&state).await.expect("tenancy prepares");
    if with_org {
        let server = TestServer::start(control_api::build_router(state.clone())).await;
        let response = server.post_json("/v1/tenants/signup", &signup_body(SLUG, &owner_email())).await;
        assert_eq!(response.status, 202, "{}", response.body);
        server.shutdown().await.expect("the server stops");
    }
    state.db.close().await;
}
