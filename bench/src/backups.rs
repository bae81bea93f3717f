//! `control-api backup` and `restore-tenant` (issue 17) with the library calls the commands make:
//!
//! 1. 200 tenants (as provisioned: the seed data of a new organisation): one backup at
//!    concurrency 1 and 4, and the restore of one of them.
//! 2. One tenant seeded with `--tickets` tickets (their messages, customers and agents): its
//!    backup, archive size, and restore.

use std::time::Instant;

use control_api::tenancy::backup::BackupOptions;
use sqlx::ConnectOptions as _;

use crate::platform::Platform;

async fn timed_backup(
    platform: &Platform,
    out: std::path::PathBuf,
    only: Option<Vec<String>>,
    concurrency: usize,
) -> (f64, u64, usize) {
    let options = BackupOptions { out, only, concurrency };
    let started = Instant::now();
    let (manifest, failed) =
        control_api::backup(platform.state.config.clone(), &options, |_| {}, |_| {}).await.expect("backup");
    assert!(failed.is_empty(), "{failed:?}");
    let bytes = manifest.tenants.iter().map(|t| t.archive.bytes).sum::<u64>() + manifest.control.bytes;
    (started.elapsed().as_secs_f64(), bytes, manifest.tenants.len())
}

#[allow(clippy::cast_precision_loss, reason = "sizes shown in MB")]
fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

pub async fn run(tenants: usize, tickets: i32) {
    let platform = Platform::start_logging_at("error").await;
    let folder = tempfile::tempdir().expect("a temporary folder");
    let started = Instant::now();
    let mut slugs = Vec::with_capacity(tenants);
    for n in 1..=tenants {
        slugs.push(platform.signup(n).await);
    }
    for slug in &slugs {
        platform.await_active(slug).await;
    }
    println!("{tenants} tenants provisioned in {:.1} s", started.elapsed().as_secs_f64());

    for concurrency in [1, 4] {
        let (took, bytes, count) =
            timed_backup(&platform, folder.path().join(format!("all-{concurrency}")), None, concurrency).await;
        println!(
            "backup of the control database and {count} tenants, concurrency {concurrency}: {took:.1} s ({:.0} ms a tenant), {:.1} MB",
            took * 1000.0 / f64::from(u32::try_from(count).unwrap_or(u32::MAX)),
            mb(bytes)
        );
    }
    let started = Instant::now();
    control_api::restore_tenant(platform.state.config.clone(), &folder.path().join("all-4"), &slugs[0])
        .await
        .expect("restore");
    println!("restore of one of them: {:.2} s", started.elapsed().as_secs_f64());

    // One large tenant.
    let large = slugs[1].clone();
    let (_, options) = platform.tenant_admin_options(&large).await;
    let mut db = options.connect().await.expect("the tenant database");
    let started = Instant::now();
    let seeded = crate::tickets::seed::seed(&mut db, tickets).await;
    let _ = sqlx::Connection::close(db).await;
    println!(
        "one tenant seeded with {tickets} tickets and {} messages in {:.1} s ({:.0} MB on disk)",
        seeded.messages,
        started.elapsed().as_secs_f64(),
        mb(u64::try_from(seeded.database_bytes).unwrap_or(0))
    );
    let (took, bytes, _) = timed_backup(&platform, folder.path().join("large"), Some(vec![large.clone()]), 1).await;
    println!("backup of that tenant (and the control database): {took:.1} s, archive {:.1} MB", mb(bytes));
    let started = Instant::now();
    control_api::restore_tenant(platform.state.config.clone(), &folder.path().join("large"), &large)
        .await
        .expect("restore");
    println!("restore of that tenant: {:.1} s", started.elapsed().as_secs_f64());
    platform.finish().await;
}
