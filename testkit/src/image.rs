//! One organisation signed up once per run, for the many tests that need a tenant and nothing
//! particular about how it came to be: a control database template holding it right after its
//! sign-up (owner, membership, the pending provisioning job, the default cluster registered
//! and the tenant template recorded as current). Each test clones it and lets the worker
//! provision the tenant, so every test still gets a tenant database and login role of its own,
//! without paying for the sign-up (a password hash) or for checking the tenant template under
//! its exclusive lock, which every fresh control plane does in `prepare` and which stalls the
//! other tests' provisioning.
//!
//! The template's name digests what its contents depend on: both migration sets, the server,
//! and the day, so a clone is never old enough for the abandoned-tenant sweep (72 hours).

use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use shared::testkit::{TestDatabase, TestServer, admin_url, derived_template};
use tokio::sync::OnceCell;

use crate::control::signup_body;
use crate::options::{ControlOptions, Worker};

/// The organisation's slug.
pub const SLUG: &str = "t-prepared";
/// Bumped when what `fill` leaves changes.
const CONTENTS_VERSION: u8 = 1;

pub fn owner_email() -> String {
    format!("owner-{SLUG}@example.org")
}

/// A fresh control database holding the organisation, not yet provisioned.
pub async fn control_database() -> TestDatabase {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    let template = TEMPLATE
        .get_or_init(|| async {
            derived_template("org", &key(), ("control", &control_api::schema::CONTROL), fill).await
        })
        .await;
    TestDatabase::clone_of(template).await
}

fn key() -> String {
    let mut digest = Sha256::new();
    for migration in control_api::schema::CONTROL.iter().chain(tenant_schema::MIGRATOR.iter()) {
        digest.update(migration.version.to_le_bytes());
        digest.update(&migration.checksum);
    }
    digest.update(admin_url().as_bytes());
    let day = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs() / 86_400;
    digest.update(day.to_le_bytes());
    digest.update([CONTENTS_VERSION]);
    hex::encode(digest.finalize())[..16].to_owned()
}

/// Prepares the control database at `url` as `serve` would, and signs the organisation up
/// through the API; nothing stays connected.
async fn fill(url: String) {
    let options = ControlOptions::default().tenancy(Worker::Manual);
    let (config, _) = options.config(&url, "hdtpl_unused_", None);
    let state = control_api::AppState::new(config).expect("clients build");
    control_api::prepare(&state).await.expect("tenancy prepares");
    let server = TestServer::start(control_api::build_router(state.clone())).await;
    let response = server.post_json("/v1/tenants/signup", &signup_body(SLUG, &owner_email())).await;
    assert_eq!(response.status, 202, "{}", response.body);
    server.shutdown().await.expect("the server stops");
    state.db.close().await;
}
