//! The virus scan (a real clamd), the orphan cleanup, and objects following their rows when a
//! ticket is deleted or a customer erased.

use std::time::Duration;

use reqwest::Method;

use super::{Bucket, EICAR, PDF, PNG, clamav_addr, desk_on_s3, ticket_of, upload, uploaded};

#[tokio::test]
async fn with_clamd_an_infected_file_is_refused_and_never_stored() {
    let bucket = Bucket::new();
    let desk = desk_on_s3(&bucket, |c| c.attachments.clamav_addr = Some(clamav_addr())).await;
    let ready = desk.app.get(&desk.org.slug, "/ready", None).await.json();
    assert_eq!(ready["dependencies"]["clamav"]["status"], "up", "{ready}");
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;

    let infected = upload(&desk, &customer, ticket, "readme.txt", EICAR, &[]).await;
    let problem = infected.assert_problem(422, "file_infected");
    assert!(problem["detail"].as_str().unwrap().contains("Eicar"), "{problem}");
    assert_eq!(desk.db.count("ticket_attachments").await, 0);
    assert!(bucket.keys().await.is_empty());
    // Clean files pass the scan.
    uploaded(&desk, &customer, ticket, "photo.png", PNG).await;
    assert_eq!(bucket.keys().await.len(), 1);
}

#[tokio::test]
async fn without_clamd_uploads_are_refused_and_ready_says_why() {
    let bucket = Bucket::new();
    // Configured, but nothing listens there: uploads fail closed.
    let desk = desk_on_s3(&bucket, |c| c.attachments.clamav_addr = Some("127.0.0.1:9".to_owned())).await;
    let ready = desk.app.get(&desk.org.slug, "/ready", None).await.json();
    assert_eq!(ready["dependencies"]["clamav"]["status"], "down", "{ready}");
    assert_eq!(ready["status"], "degraded");
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;
    let refused = upload(&desk, &customer, ticket, "photo.png", PNG, &[]).await;
    let problem = refused.assert_problem(503, "dependency_unavailable");
    assert_eq!(problem["dependency"], "clamav");
    assert_eq!(desk.db.count("ticket_attachments").await, 0);
    assert!(bucket.keys().await.is_empty());
}

#[tokio::test]
async fn the_cleanup_finds_objects_without_rows_and_rows_without_objects() {
    let bucket = Bucket::new();
    let desk = desk_on_s3(&bucket, |_| {}).await;
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;
    let kept = uploaded(&desk, &customer, ticket, "kept.pdf", PDF).await;
    let lost = uploaded(&desk, &customer, ticket, "lost.png", PNG).await;
    let tenant: uuid::Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(&desk.org.slug)
        .fetch_one(&desk.platform.control.db)
        .await
        .unwrap();
    let key = |file: &serde_json::Value, ext: &str| {
        format!("tenants/{tenant}/tickets/{ticket}/{}.{ext}", file["sha256"].as_str().unwrap())
    };
    // An object left by an upload that died before its row, and an object lost from the store.
    let stray = format!("tenants/{tenant}/tickets/{ticket}/{}.zip", "0".repeat(64));
    let spool = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(spool.path(), b"PK\x03\x04 stray").unwrap();
    let store = &desk.app.state.attachments.store;
    store.put_file(&stray, spool.path(), 10, "application/zip").await.unwrap();
    store.delete(&[key(&lost, "png")]).await.unwrap();

    // Within the grace period nothing is touched.
    let state = &desk.app.state;
    let report = app_api::worker::orphans::all_tenants(state, Duration::from_secs(3600), false).await.unwrap();
    assert_eq!((report.objects_without_row, report.rows_without_object), (0, 0), "{report:?}");
    // A dry run past it reports both and deletes nothing.
    let report = app_api::worker::orphans::all_tenants(state, Duration::ZERO, true).await.unwrap();
    assert_eq!((report.tenants, report.objects_without_row, report.rows_without_object), (1, 1, 1), "{report:?}");
    assert_eq!(report.sample, std::slice::from_ref(&stray));
    assert_eq!(bucket.keys().await.len(), 2);
    assert_eq!(desk.db.count("ticket_attachments").await, 2);
    // The real run deletes them, and leaves the rest as it was.
    let report = app_api::worker::orphans::all_tenants(state, Duration::ZERO, false).await.unwrap();
    assert_eq!((report.objects_deleted, report.rows_deleted), (1, 1), "{report:?}");
    assert_eq!(bucket.keys().await, [key(&kept, "pdf")]);
    let rows: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM ticket_attachments").fetch_all(&desk.db.pool).await.unwrap();
    assert_eq!(rows, [kept["id"].as_i64().unwrap()]);
    assert_eq!(desk.db.scalar("SELECT bytes_used FROM storage_usage").await, i64::try_from(PDF.len()).unwrap());
    let report = app_api::worker::orphans::all_tenants(state, Duration::ZERO, false).await.unwrap();
    assert_eq!((report.objects_without_row, report.rows_without_object), (0, 0), "{report:?}");
}

#[tokio::test]
async fn deleting_a_ticket_or_erasing_a_customer_deletes_their_objects() {
    let bucket = Bucket::new();
    let desk = desk_on_s3(&bucket, |_| {}).await;
    let customer = desk.member("customer").await;
    let first = ticket_of(&desk, &customer).await;
    let second = ticket_of(&desk, &customer).await;
    uploaded(&desk, &customer, first, "a.png", PNG).await;
    uploaded(&desk, &customer, second, "b.pdf", PDF).await;
    assert_eq!(bucket.keys().await.len(), 2);

    // However a ticket goes, its files' objects follow once the deletions are carried out.
    desk.db.execute(&format!("DELETE FROM support_tickets WHERE id = {first}")).await;
    assert_eq!(desk.db.count("blob_deletions").await, 1);
    let state = &desk.app.state;
    let tenant =
        state.tenancy.resolver.resolve(&shared::tenant::Slug::parse_syntax(&desk.org.slug).unwrap()).await.unwrap();
    assert_eq!(state.attachments.delete_released(&state.tenancy.pools, &tenant).await.unwrap(), 1);
    assert_eq!(bucket.keys().await.len(), 1);
    assert_eq!(desk.db.count("blob_deletions").await, 0);
    let metrics = state.metrics.render();
    assert!(metrics.contains(r#"work_queue_attempts_total{outcome="done",queue="blob_deletions"} 1"#), "{metrics}");

    // An erasure deletes the files the customer uploaded.
    let erased = desk
        .app
        .send(Method::DELETE, &desk.org.slug, &format!("/v1/users/{}", customer.id), &desk.owner.token, None)
        .await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    assert_eq!(erased.json()["erased"]["attachments"], 1);
    assert!(bucket.keys().await.is_empty());
    assert_eq!(desk.db.scalar("SELECT bytes_used FROM storage_usage").await, 0);
}

#[tokio::test]
async fn the_cleanup_command_reports_as_json_and_deletes_only_without_dry_run() {
    let bucket = Bucket::new();
    let desk = desk_on_s3(&bucket, |_| {}).await;
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;
    uploaded(&desk, &customer, ticket, "kept.png", PNG).await;
    let tenant: uuid::Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(&desk.org.slug)
        .fetch_one(&desk.platform.control.db)
        .await
        .unwrap();
    let stray = format!("tenants/{tenant}/tickets/{ticket}/{}.zip", "f".repeat(64));
    let spool = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(spool.path(), b"PK\x03\x04 stray").unwrap();
    desk.app.state.attachments.store.put_file(&stray, spool.path(), 10, "application/zip").await.unwrap();

    let config = &desk.platform.control.config;
    let (key, secret) = super::s3_keys();
    let vars = [
        ("CONTROL_DATABASE_URL", config.control_db.expose().to_owned()),
        ("APP_PLANE_KEY", config.keys.app_plane.to_base64()),
        ("JWT_PUBLIC_KEYS", crate::helpers::TEST_PUBLIC_KEY.to_owned()),
        ("S3_ENDPOINT", super::s3_endpoint()),
        ("S3_BUCKET", bucket.name.clone()),
        ("AWS_ACCESS_KEY_ID", key),
        ("AWS_SECRET_ACCESS_KEY", secret),
        ("CONTROL_DB_MAX_CONNECTIONS", "2".to_owned()),
        ("TENANT_POOLS_MAX_TOTAL_CONNECTIONS", "2".to_owned()),
        ("LOG_LEVEL", "error".to_owned()),
    ];
    let run = |args: &'static [&'static str]| {
        let vars = vars.clone();
        async move {
            let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_app-api"))
                .arg("cleanup-orphans")
                .args(args)
                .env_clear()
                .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
                .stdin(std::process::Stdio::null())
                .output()
                .await
                .expect("run app-api cleanup-orphans");
            assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
            serde_json::from_slice::<serde_json::Value>(&output.stdout).expect("a JSON report")
        }
    };
    // The default grace period (24 h) protects the new stray object.
    let report = run(&[]).await;
    assert_eq!((report["tenants"].as_u64(), report["objects_without_row"].as_u64()), (Some(1), Some(0)), "{report}");
    let report = run(&["--grace-hours", "0", "--dry-run"]).await;
    assert_eq!(report["objects_without_row"], 1, "{report}");
    assert_eq!(report["sample"][0], stray);
    assert_eq!(bucket.keys().await.len(), 2);
    let report = run(&["--grace-hours", "0"]).await;
    assert_eq!(report["objects_deleted"], 1, "{report}");
    assert_eq!(bucket.keys().await.len(), 1);
    assert!(!bucket.keys().await.contains(&stray));
}

/// A deleted tenant's files go with it: the cleanup empties its prefix (a dry run only counts),
/// and leaves every other tenant's objects alone.
#[tokio::test]
async fn the_cleanup_deletes_every_file_of_a_deleted_tenant() {
    let bucket = Bucket::new();
    let desk = desk_on_s3(&bucket, |_| {}).await;
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;
    uploaded(&desk, &customer, ticket, "a.pdf", PDF).await;
    uploaded(&desk, &customer, ticket, "b.png", PNG).await;
    // Another tenant's object in the same bucket (a prefix no deleted tenant has).
    let neighbour = neighbours_object(&desk).await;
    assert_eq!(bucket.keys().await.len(), 3);

    sqlx::query("UPDATE tenants SET status = 'deleted' WHERE slug = $1")
        .bind(&desk.org.slug)
        .execute(&desk.platform.control.db)
        .await
        .unwrap();
    let state = &desk.app.state;
    let report = app_api::worker::orphans::all_tenants(state, Duration::ZERO, true).await.unwrap();
    assert_eq!(report.deleted_tenants_objects, 2, "{report:?}");
    assert_eq!(bucket.keys().await.len(), 3, "a dry run deletes nothing");
    let report = app_api::worker::orphans::all_tenants(state, Duration::ZERO, false).await.unwrap();
    assert_eq!(report.deleted_tenants_objects, 2, "{report:?}");
    assert_eq!(bucket.keys().await, [neighbour]);
    let report = app_api::worker::orphans::all_tenants(state, Duration::ZERO, false).await.unwrap();
    assert_eq!(report.deleted_tenants_objects, 0, "{report:?}");
}

/// Deleting a tenant ends with nothing of it left: once control-api has dropped its database,
/// app-api's purge deletes its files and its Redis keys (cached resolution, change version,
/// rate-limit budgets), and only then does the status say `deleted`, within a minute. Another
/// tenant's object and key stay.
#[tokio::test]
async fn a_deletion_removes_the_tenants_files_and_keys_before_it_says_deleted() {
    let (platform, org) = crate::helpers::Platform::with_org(true).await;
    let bucket = Bucket::new();
    let app = platform
        .replica_with(|c| {
            bucket.configure(c);
            c.jobs.in_serve = true;
            c.rate_limits.per_user_per_minute = 1000;
        })
        .await;
    let owner = platform.owner(&app, &org).await;
    let db = platform.tenant_db(&org.slug).await;
    let desk = crate::tickets::Desk { db, app, org, owner, platform };
    let (slug, redis) = (desk.org.slug.clone(), desk.platform.redis().expect("Redis"));
    let tenant: uuid::Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&desk.platform.control.db)
        .await
        .unwrap();
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;
    uploaded(&desk, &customer, ticket, "a.pdf", PDF).await;
    uploaded(&desk, &customer, ticket, "b.png", PNG).await;
    let neighbour = neighbours_object(&desk).await;
    let other_version = format!("{}tenant-version:{}", redis.prefix, uuid::Uuid::new_v4());
    let mut conn = redis::Client::open(redis.url.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let () = redis::cmd("SET").arg(&other_version).arg(1).query_async(&mut conn).await.unwrap();

    let of_tenant = async || -> Vec<String> {
        let keys = redis.keys().await;
        keys.into_iter().filter(|k| k.contains(&tenant.to_string()) || k.contains(&slug)).collect()
    };
    // A key of each kind before the deletion (a request writes them; on a loaded machine Redis's
    // breaker may have skipped one, which the next request writes).
    let kinds = [format!("tenant:{slug}"), format!("tenant-version:{tenant}"), format!("rl:user:{tenant}:")];
    harness::eventually(Duration::from_secs(10), "a Redis key of each kind", || async {
        let _ = desk.post(&customer, "/v1/tickets", &serde_json::json!({"subject": "Key", "description": "x"})).await;
        let before = of_tenant().await;
        kinds.iter().all(|kind| before.iter().any(|k| k.contains(kind))).then_some(())
    })
    .await;
    assert_eq!(bucket.keys().await.len(), 3);

    let started = std::time::Instant::now();
    let path = format!("/v1/tenants/{slug}");
    let deleting =
        desk.platform.control_request(Method::DELETE, &path, &desk.org.owner_token, &serde_json::json!({})).await;
    assert_eq!(deleting.status, 202, "{}", deleting.body);
    assert_eq!(deleting.json()["status"], "deleting");
    let status_path = format!("/v1/tenants/{slug}/status");
    harness::eventually(Duration::from_secs(60), "the status says deleted", || async {
        let status = desk.platform.control_server().get(&status_path).await.json();
        (status["status"] == "deleted").then_some(())
    })
    .await;
    let took = started.elapsed();
    assert_eq!(bucket.keys().await, [neighbour], "the tenant's files are gone, the neighbour's stays");
    assert_eq!(of_tenant().await, Vec::<String>::new(), "no Redis key of the tenant is left");
    assert!(redis.keys().await.contains(&other_version), "another tenant's key stays");
    assert!(took < Duration::from_secs(60), "deleted within a minute: {took:?}");
}

/// An object of another tenant in `desk`'s bucket (a prefix no tenant of the test has); its key.
async fn neighbours_object(desk: &crate::tickets::Desk) -> String {
    let neighbour = format!("tenants/{}/tickets/1/{}.pdf", uuid::Uuid::new_v4(), "1".repeat(64));
    let spool = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(spool.path(), PDF).unwrap();
    let store = &desk.app.state.attachments.store;
    store.put_file(&neighbour, spool.path(), PDF.len() as u64, "application/pdf").await.unwrap();
    neighbour
}
