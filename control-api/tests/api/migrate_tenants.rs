//! `migrate-tenants`: a broken tenant is reported while the others finish; a rerun after the fix
//! completes and skips what is done; the binary exits non-zero while anything failed.

use std::process::{Command, Stdio};

use control_api::tenancy::migrate::{MigrateOptions, migrate_tenants};
use control_api::tenancy::provision::Provisioner;
use harness::{admin_options, admin_url};
use sqlx::migrate::Migrator;
use sqlx::{Connection as _, Executor as _, PgConnection};

use crate::helpers::{
    ControlOptions, TEST_ENCRYPTION_KEY, TEST_PRIVATE_KEY, TenantTemplate, TestApp, WithRedis, Worker,
};

/// The tenant migrations plus one more, as a release would bring.
async fn migrator_with_extra_migration() -> &'static Migrator {
    let dir = std::env::temp_dir().join(format!("hd-migrations-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/tenant");
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "sql") {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(
        dir.join("90000_satisfaction.sql"),
        "CREATE TABLE satisfaction_surveys (id bigint PRIMARY KEY, score int NOT NULL);",
    )
    .unwrap();
    let migrator = Migrator::new(dir.as_path()).await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    Box::leak(Box::new(migrator))
}

async fn admin_on(app: &TestApp, slug: &str) -> PgConnection {
    let database: String = sqlx::query_scalar("SELECT database_name FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    PgConnection::connect_with(&admin_options().database(&database)).await.unwrap()
}

#[tokio::test]
async fn a_broken_tenant_is_reported_and_a_rerun_finishes() {
    // This test's template gets the extra migration: keep it away from the shared one.
    let app = ControlOptions::default().tenancy(Worker::Manual).template(TenantTemplate::Own).dedicated().start().await;
    let mut slugs = Vec::new();
    for _ in 0..3 {
        slugs.push(app.signup().await.0);
    }
    app.state.worker.run_due().await.unwrap();
    for slug in &slugs {
        app.wait_for_status(slug, "active").await;
    }
    slugs.sort();
    let broken = &slugs[1];
    admin_on(&app, broken).await.execute("CREATE TABLE satisfaction_surveys (legacy text)").await.unwrap();

    let provisioner =
        Provisioner { migrator: migrator_with_extra_migration().await, ..app.state.worker.provisioner.clone() };
    let options = MigrateOptions { concurrency: 2, only: None };
    let mut lines = Vec::new();
    let mut total = 0;
    let report = migrate_tenants(&provisioner, &options, |n| total = n, |o| lines.push(o.clone())).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(lines.len(), 3, "one line per tenant");
    assert_eq!(report.failed.len(), 1);
    assert_eq!(&report.failed[0].0, broken);
    assert_eq!(report.migrated, [slugs[0].clone(), slugs[2].clone()]);
    let versions: Vec<(String, Option<i64>)> = sqlx::query_as("SELECT slug, schema_version FROM tenants ORDER BY slug")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(versions[0].1, Some(90000));
    assert_ne!(versions[1].1, Some(90000));
    // The migrated tenants can use the new table with their own role.
    let mut own = app.connect_as_tenant(&slugs[0], None).await.unwrap();
    own.execute("INSERT INTO satisfaction_surveys (id, score) VALUES (1, 5)").await.unwrap();

    // The operator fixes the broken database and runs it again: only that one is left.
    admin_on(&app, broken).await.execute("DROP TABLE satisfaction_surveys").await.unwrap();
    let report = migrate_tenants(&provisioner, &options, |_| {}, |_| {}).await.unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.migrated, std::slice::from_ref(broken));
    assert_eq!(report.up_to_date, 2);

    let only = MigrateOptions { concurrency: 1, only: Some(vec![slugs[0].clone()]) };
    let report = migrate_tenants(&provisioner, &only, |_| {}, |_| {}).await.unwrap();
    assert_eq!((report.migrated.len(), report.up_to_date), (0, 1));
}

#[tokio::test]
async fn the_command_exits_non_zero_while_a_tenant_fails() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Manual).await;
    let mut slugs = Vec::new();
    for _ in 0..3 {
        slugs.push(app.signup().await.0);
    }
    app.state.worker.run_due().await.unwrap();
    // One tenant is behind and its database refuses every connection.
    let broken = &slugs[0];
    let database: String =
        sqlx::query_scalar("UPDATE tenants SET schema_version = NULL WHERE slug = $1 RETURNING database_name")
            .bind(broken)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    let mut admin = PgConnection::connect_with(&admin_options()).await.unwrap();
    admin.execute(format!(r#"ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false"#).as_str()).await.unwrap();

    let run = || {
        Command::new(env!("CARGO_BIN_EXE_control-api"))
            .args(["migrate-tenants", "--concurrency", "2"])
            .env_clear()
            .envs([
                ("CONTROL_DATABASE_URL", app.db.url()),
                ("TENANT_DATABASE_URL", admin_url()),
                ("TENANT_TEMPLATE_DATABASE", crate::helpers::test_tenant_template().to_owned()),
                ("DB_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY.to_owned()),
                ("JWT_PRIVATE_KEY", TEST_PRIVATE_KEY.to_owned()),
                ("LOG_LEVEL", "error".to_owned()),
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let failed = run();
    let stdout = String::from_utf8_lossy(&failed.stdout);
    assert_eq!(failed.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains(&format!("FAILED  {broken}")), "{stdout}");
    assert!(stdout.contains("migrated 0, already current 2, failed 1"), "{stdout}");
    assert!(String::from_utf8_lossy(&failed.stderr).contains("1 tenant database(s) failed to migrate"));

    admin.execute(format!(r#"ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true"#).as_str()).await.unwrap();
    let fixed = run();
    let stdout = String::from_utf8_lossy(&fixed.stdout);
    assert!(fixed.status.success(), "{stdout}");
    assert!(stdout.contains(&format!("ok      {broken}")), "{stdout}");
    assert!(stdout.contains("migrated 1, already current 2, failed 0"), "{stdout}");
}
