//! Tenants over two PostgreSQL clusters: the second one (`TEST_SECOND_DATABASE_URL`, a server of
//! its own that `scripts/test.sh` starts) registered as an operator does (`add-cluster`), new
//! tenants placed on both by the rule (the active cluster with the fewest tenants), and a tenant
//! on the second one served, migrated, backed up and restored.

use control_api::tenancy::backup::BackupOptions;
use control_api::tenancy::migrate::MigrateOptions;
use serde_json::json;
use shared::config::FromEnv as _;

use crate::helpers::{ControlOptions, Platform, Service};

fn second_cluster_url() -> String {
    std::env::var("TEST_SECOND_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5433/postgres".into())
}

async fn cluster_of(platform: &Platform, slug: &str) -> String {
    sqlx::query_scalar("SELECT c.name FROM tenants t JOIN db_clusters c ON c.id = t.cluster_id WHERE t.slug = $1")
        .bind(slug)
        .fetch_one(&platform.control.db)
        .await
        .unwrap()
}

/// Whether database `name` is on the server `url` names.
async fn database_on(url: &str, name: &str) -> bool {
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(url).await.expect("the cluster answers");
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn tenants_are_placed_on_both_clusters_and_one_on_the_second_is_served_migrated_backed_up_and_restored() {
    // Restored one by one: each tenant in a database of its own.
    let platform = Platform::start_with(
        ControlOptions::default()
            .redis(Service::Test)
            .configure(|c| c.tenancy.default_placement = control_api::tenancy::placement::Mode::Dedicated),
    )
    .await;
    let config = platform.control.config.clone();
    let second_url = second_cluster_url();
    let url = shared::config::DatabaseUrl::from_env(&second_url).unwrap();
    let id = control_api::add_cluster(config.clone(), "second", &url, Some(50)).await.unwrap();
    // Registering again updates the same cluster.
    assert_eq!(control_api::add_cluster(config.clone(), "second", &url, None).await.unwrap(), id);
    let listed = control_api::list_clusters(config.clone()).await.unwrap();
    let names: Vec<_> = listed.iter().map(|c| (c.name.as_str(), c.max_tenants, c.tenants)).collect();
    assert_eq!(names, [("default", 1000, 0), ("second", 50, 0)], "{listed:?}");

    // Placement: the fewest tenants first, then by name.
    let app = platform.replica_with(|c| c.rate_limits.per_user_per_minute = 0).await;
    let (first, second, third) = (platform.org().await, platform.org().await, platform.org().await);
    assert_eq!(cluster_of(&platform, &first.slug).await, "default");
    assert_eq!(cluster_of(&platform, &second.slug).await, "second");
    assert_eq!(cluster_of(&platform, &third.slug).await, "default");
    let second_db = platform.tenant_db(&second.slug).await;
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&second_db.pool).await.unwrap();
    assert!(database_on(&second_url, &database).await, "{database} is on the second cluster");
    assert!(!database_on(&harness::admin_url(), &database).await, "{database} is not on the first");

    // Served by app-api like any other.
    for org in [&first, &second] {
        let made = app
            .post(&org.slug, "/v1/tickets", &org.owner_token, &json!({"subject": "Cracked screen", "description": "x"}))
            .await;
        assert_eq!(made.status, 201, "{}: {}", org.slug, made.body);
    }
    let listed = app.get(&second.slug, "/v1/tickets", Some(&second.owner_token)).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["data"].as_array().unwrap().len(), 1);

    // migrate-tenants reaches both clusters: every tenant is current.
    let report =
        control_api::migrate_tenants(config.clone(), &MigrateOptions { concurrency: 2, only: None }, |_| {}, |_| {})
            .await
            .unwrap();
    assert!(report.failed.is_empty() && report.migrated.is_empty(), "{report:?}");
    assert_eq!(report.up_to_date, 3);

    // Backed up, damaged, restored: from its own cluster's archive, back on its own cluster.
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("backup");
    let options = BackupOptions { out: out.clone(), only: None, concurrency: 2 };
    let (manifest, failed) = control_api::backup(config.clone(), &options, |_| {}, |_| {}).await.unwrap();
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(manifest.tenants.len(), 3);
    second_db.execute("DELETE FROM support_tickets").await;
    assert_eq!(second_db.count("support_tickets").await, 0);
    control_api::restore_tenant(config.clone(), &out, &second.slug).await.unwrap();
    assert_eq!(second_db.count("support_tickets").await, 1);
    assert_eq!(cluster_of(&platform, &second.slug).await, "second");
    let served = harness::eventually(std::time::Duration::from_secs(10), "the restored tenant serves", || {
        let (app, slug, token) = (&app, &second.slug, &second.owner_token);
        async move {
            let listed = app.get(slug, "/v1/tickets", Some(token)).await;
            (listed.status == 200).then(|| listed.json())
        }
    })
    .await;
    assert_eq!(served["data"][0]["subject"], "Cracked screen");
}
