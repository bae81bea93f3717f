//! control-api benchmarks: signup latency and the migration fan-out.

use std::time::Instant;

use control_api::tenancy::migrate::{MigrateOptions, migrate_tenants as run_migrations};
use control_api::tenancy::placement::Mode;
use control_api::tenancy::provision::Provisioner;
use sqlx::migrate::Migrator;

use testkit::WithRedis;

use crate::platform::Platform;
use crate::stats::summarize;

/// Signup to active, one after another: the latency a new customer sees.
pub async fn signup(count: usize, placement: Mode) {
    let platform = Platform::start_placed("warn", WithRedis::No, placement).await;
    // One warm-up signup (first connections, template already current).
    let warm = platform.signup(0).await;
    platform.await_active(&warm).await;
    let mut samples = Vec::with_capacity(count);
    for n in 1..=count {
        let started = Instant::now();
        let slug = platform.signup(n).await;
        platform.await_active(&slug).await;
        samples.push(started.elapsed());
    }
    println!("signup -> active, {} (sequential, client-observed): {}", placement.as_str(), summarize(samples));
    platform.finish().await;
}

/// The tenant migrations plus one, as the next release would bring.
async fn migrator_with_extra_migration() -> &'static Migrator {
    let dir = std::env::temp_dir().join(format!("hd-bench-migrations-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/tenant");
    for entry in std::fs::read_dir(source).expect("migrations folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "sql") {
            std::fs::copy(&path, dir.join(path.file_name().expect("file name"))).expect("copy");
        }
    }
    std::fs::write(
        dir.join("90000_bench_column.sql"),
        "ALTER TABLE users ADD COLUMN locale text NOT NULL DEFAULT 'fr';\nCREATE INDEX users_locale_idx ON users (locale);",
    )
    .expect("write");
    let migrator = Migrator::new(dir.as_path()).await.expect("migrator");
    std::fs::remove_dir_all(&dir).expect("cleanup");
    Box::leak(Box::new(migrator))
}

pub async fn migrate_tenants(tenants: usize, concurrency: usize, placement: Mode) {
    let platform = Platform::start_placed("warn", WithRedis::No, placement).await;
    let started = Instant::now();
    let mut slugs = Vec::new();
    for n in 1..=tenants {
        slugs.push(platform.signup(n).await);
    }
    for slug in &slugs {
        platform.await_active(slug).await;
    }
    println!("provisioned {tenants} tenants, {}, in {:.1}s", placement.as_str(), started.elapsed().as_secs_f64());
    let options = MigrateOptions { concurrency, only: None };

    let current = platform.state.worker.provisioner.clone();
    let timed = Instant::now();
    let report = run_migrations(&current, &options, |_| {}, |_| {}).await.expect("migrate");
    println!(
        "migrate-tenants, nothing pending: {:.3}s (up to date {}, migrated {}, failed {})",
        timed.elapsed().as_secs_f64(),
        report.up_to_date,
        report.migrated.len(),
        report.failed.len()
    );

    let next = Provisioner { migrator: migrator_with_extra_migration().await, ..current };
    let timed = Instant::now();
    let report = run_migrations(&next, &options, |_| {}, |_| {}).await.expect("migrate");
    println!(
        "migrate-tenants, one new migration, concurrency {concurrency}: {:.3}s (migrated {}, failed {})",
        timed.elapsed().as_secs_f64(),
        report.migrated.len(),
        report.failed.len()
    );
    platform.finish().await;
}
