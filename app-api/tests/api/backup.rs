//! `control-api backup` and `restore-tenant` on real tenants: one tenant damaged and brought back
//! exactly from its archive while another keeps serving; a tampered archive or a backup of a
//! newer schema refused.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use control_api::tenancy::backup::{BackupError, BackupOptions, Manifest, read_manifest};
use serde_json::json;

use crate::helpers::{ControlOptions, Org, Person, Platform, Replica, Service, TenantDb};

/// Row counts and a digest of every row of the SAV tables, in a stable order (a table that is
/// gone counts -1).
async fn fingerprint(db: &TenantDb) -> Vec<(String, i64, String)> {
    let mut out = Vec::new();
    for table in ["support_tickets", "ticket_messages", "ticket_history", "outbox", "users", "order_refs"] {
        let exists: bool =
            sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL").bind(table).fetch_one(&db.pool).await.unwrap();
        if !exists {
            out.push((table.to_owned(), -1, String::new()));
            continue;
        }
        let (count, digest): (i64, Option<String>) =
            sqlx::query_as(&format!("SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {table} t"))
                .fetch_one(&db.pool)
                .await
                .unwrap_or_else(|e| panic!("{table}: {e}"));
        out.push((table.to_owned(), count, digest.unwrap_or_default()));
    }
    out
}

#[tokio::test]
async fn a_damaged_tenant_comes_back_exactly_while_the_others_keep_serving() {
    // With Redis, as in production: the suspension the restore publishes makes app-api drop its
    // connections to the tenant, which the restore then ends on the server.
    // Restored one by one: each tenant in a database of its own.
    let platform = Platform::start_with(
        ControlOptions::default()
            .redis(Service::Test)
            .configure(|c| c.tenancy.default_placement = control_api::tenancy::placement::Mode::Dedicated),
    )
    .await;
    let app = platform.replica_with(|c| c.rate_limits.per_user_per_minute = 0).await;
    let (damaged, other) = (platform.org().await, platform.org().await);
    let customer = seed(&platform, &app, &damaged, &other).await;
    let (damaged_db, other_db) = (platform.tenant_db(&damaged.slug).await, platform.tenant_db(&other.slug).await);
    let before = fingerprint(&damaged_db).await;
    assert_eq!(before[0].1, 5);

    let (_folder, out, options, manifest) = back_up(&platform).await;
    let mut slugs: Vec<_> = manifest.tenants.iter().map(|t| t.slug.clone()).collect();
    slugs.sort();
    let mut expected = vec![damaged.slug.clone(), other.slug.clone()];
    expected.sort();
    assert_eq!(slugs, expected);
    assert_eq!(read_manifest(&out).await.unwrap(), manifest);
    assert!(out.join(&manifest.control.file).is_file() && manifest.control.bytes > 0);
    // The newest tenant migration: every database the backup holds is at it.
    let latest = tenant_schema::MIGRATOR.iter().map(|m| m.version).max().unwrap();
    for tenant in &manifest.tenants {
        assert_eq!(tenant.archive.schema_version, latest, "{tenant:?}");
        assert_eq!(std::fs::metadata(out.join(&tenant.archive.file)).unwrap().len(), tenant.archive.bytes);
    }
    // A backup never mixes with another one.
    let again = control_api::backup(platform.control.config.clone(), &options, |_| {}, |_| {}).await;
    assert!(matches!(again, Err(BackupError::NotEmpty(_))), "{again:?}");

    // The damage: tickets deleted (their messages and history with them), a table dropped.
    damaged_db.execute_as_admin("DELETE FROM support_tickets WHERE id > 2; DROP TABLE order_refs CASCADE").await;
    assert_ne!(fingerprint(&damaged_db).await.first(), before.first());
    let other_before = fingerprint(&other_db).await;

    // The other tenant is read without pause for as long as the restore runs.
    let restoring = Arc::new(AtomicBool::new(true));
    let served = Arc::new(AtomicUsize::new(0));
    let reader = {
        let (restoring, served) = (Arc::clone(&restoring), Arc::clone(&served));
        let (url, slug, token) = (app.server.url("/v1/tickets"), other.slug.clone(), other.owner_token.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            while restoring.load(Ordering::SeqCst) {
                let answer = client.get(&url).header("x-tenant-slug", &slug).bearer_auth(&token).send().await.unwrap();
                assert_eq!(answer.status(), 200, "the other tenant kept serving");
                served.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let restored = control_api::restore_tenant(platform.control.config.clone(), &out, &damaged.slug).await.unwrap();
    restoring.store(false, Ordering::SeqCst);
    reader.await.expect("the other tenant's reads all succeeded");
    assert!(served.load(Ordering::SeqCst) > 0);
    assert_eq!((restored.schema_version, restored.migrated_to), (latest, latest));

    // Exactly what was backed up, the other tenant untouched, and both serving.
    assert_eq!(fingerprint(&damaged_db).await, before);
    assert_eq!(fingerprint(&other_db).await, other_before);
    let status: String = sqlx::query_scalar("SELECT status FROM tenants WHERE slug = $1")
        .bind(&damaged.slug)
        .fetch_one(&platform.control.db)
        .await
        .unwrap();
    assert_eq!(status, "active");
    let customer_token = platform.login(&damaged.slug, &customer.email).await;
    let listed = harness::eventually(std::time::Duration::from_secs(10), "the restored tenant serves", || {
        let (app, slug, token) = (&app, &damaged.slug, &customer_token);
        async move {
            let listed = app.get(slug, "/v1/tickets", Some(token)).await;
            (listed.status == 200).then(|| listed.json())
        }
    })
    .await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 5);

    // A tampered archive and a backup of a newer schema are refused before anything changes.
    let archive = out.join(&manifest.tenants.iter().find(|t| t.slug == damaged.slug).unwrap().archive.file);
    let mut bytes = std::fs::read(&archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&archive, &bytes).unwrap();
    let tampered = control_api::restore_tenant(platform.control.config.clone(), &out, &damaged.slug).await;
    assert!(matches!(&tampered, Err(BackupError::Refused(why)) if why.contains("SHA-256")), "{tampered:?}");
    let mut newer = manifest.clone();
    for tenant in &mut newer.tenants {
        tenant.archive.schema_version = 99;
    }
    std::fs::write(out.join("manifest.json"), serde_json::to_vec(&newer).unwrap()).unwrap();
    let refused = control_api::restore_tenant(platform.control.config.clone(), &out, &other.slug).await;
    assert!(matches!(&refused, Err(BackupError::Refused(why)) if why.contains("newer")), "{refused:?}");
    let unknown = control_api::restore_tenant(platform.control.config.clone(), &out, "no-such-tenant").await;
    assert!(matches!(unknown, Err(BackupError::Refused(_))));
    assert_eq!(fingerprint(&other_db).await, other_before);
}

/// A backup of every tenant of `platform` into a new folder, none failed: the folder (removed
/// when dropped), the backup's path in it, its options and its manifest.
async fn back_up(platform: &Platform) -> (tempfile::TempDir, std::path::PathBuf, BackupOptions, Manifest) {
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("backup");
    let options = BackupOptions { out: out.clone(), only: None, concurrency: 2 };
    let (manifest, failed) =
        control_api::backup(platform.control.config.clone(), &options, |_| {}, |_| {}).await.unwrap();
    assert!(failed.is_empty(), "{failed:?}");
    (folder, out, options, manifest)
}

/// Five tickets with a message each in `damaged`, one ticket in `other`; `damaged`'s customer.
async fn seed(platform: &Platform, app: &Replica, damaged: &Org, other: &Org) -> Person {
    let customer = platform.member(app, damaged, "customer").await;
    for n in 0..5 {
        let ticket = app
            .post(
                &damaged.slug,
                "/v1/tickets",
                &customer.token,
                &json!({"subject": format!("Parcel {n}"), "description": "x"}),
            )
            .await;
        assert_eq!(ticket.status, 201, "{}", ticket.body);
        let id = ticket.json()["id"].as_i64().unwrap();
        let said = app
            .post(
                &damaged.slug,
                &format!("/v1/tickets/{id}/messages"),
                &customer.token,
                &json!({"message": "Any news?"}),
            )
            .await;
        assert_eq!(said.status, 201);
    }
    let other_ticket =
        app.post(&other.slug, "/v1/tickets", &other.owner_token, &json!({"subject": "Kept", "description": "y"})).await;
    assert_eq!(other_ticket.status, 201);
    customer
}

#[tokio::test]
async fn a_pooled_tenant_comes_back_alone_from_its_pools_archive_and_its_neighbour_keeps_what_it_wrote_since() {
    let platform = Platform::start_with(ControlOptions::default().redis(Service::Test)).await;
    let app = platform.replica_with(|c| c.rate_limits.per_user_per_minute = 0).await;
    let (damaged, other) = (platform.org().await, platform.org().await);
    seed(&platform, &app, &damaged, &other).await;
    let (damaged_db, other_db) = (platform.tenant_db(&damaged.slug).await, platform.tenant_db(&other.slug).await);
    let (tenant, database): (uuid::Uuid, String) =
        sqlx::query_as("SELECT id, database_name FROM tenants WHERE slug = $1 AND placement = 'pooled'")
            .bind(&damaged.slug)
            .fetch_one(&platform.control.db)
            .await
            .unwrap();
    let before = fingerprint(&damaged_db).await;
    assert_eq!(before[0].1, 5);

    let (_folder, out, _, manifest) = back_up(&platform).await;
    let pool_archive = format!("tenants/{database}.dump");
    assert!(manifest.tenants.iter().all(|t| t.archive.file == pool_archive), "one archive for the pool: {manifest:?}");

    // After the backup: the neighbour writes, and the damaged tenant loses tickets.
    let since = app
        .post(&other.slug, "/v1/tickets", &other.owner_token, &json!({"subject": "Since", "description": "z"}))
        .await;
    assert_eq!(since.status, 201, "{}", since.body);
    damaged_db
        .execute_as_admin(&format!(
            "DELETE FROM support_tickets WHERE tenant_id = '{tenant}' AND ticket_number <> 'TKT-1'"
        ))
        .await;
    assert_ne!(fingerprint(&damaged_db).await, before);
    let other_before = fingerprint(&other_db).await;
    assert_eq!(other_before[0].1, 2, "the neighbour's ticket from before the backup and the one since");

    let restored = control_api::restore_tenant(platform.control.config.clone(), &out, &damaged.slug).await.unwrap();
    assert_eq!(restored.slug, damaged.slug);
    assert_eq!(fingerprint(&damaged_db).await, before, "the damaged tenant is as it was backed up");
    assert_eq!(fingerprint(&other_db).await, other_before, "its neighbour keeps what it wrote since");
    let listed = harness::eventually(std::time::Duration::from_secs(10), "the restored tenant serves", || {
        let (app, slug, token) = (&app, &damaged.slug, &damaged.owner_token);
        async move {
            let listed = app.get(slug, "/v1/tickets", Some(token)).await;
            (listed.status == 200).then(|| listed.json())
        }
    })
    .await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 5);
    let created = app
        .post(&damaged.slug, "/v1/tickets", &damaged.owner_token, &json!({"subject": "After", "description": "w"}))
        .await;
    assert_eq!(created.json()["ticket_number"], "TKT-6", "numbers go on from the restored counter: {}", created.body);
    let scratch: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname LIKE $1")
        .bind(format!("{}r%", platform.control.config.tenancy.db_prefix))
        .fetch_one(&platform.control.db)
        .await
        .unwrap();
    assert_eq!(scratch, 0, "no scratch database is left");
}
