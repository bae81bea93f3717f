//! `control-api migrate-tenants`: brings every tenant database to the latest tenant schema,
//! with bounded concurrency: each database once, a pool database for all its tenants at a time.
//! Each success records its tenants' schema version at once, so a rerun after an interruption
//! or a failure starts where the last one stopped.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use uuid::Uuid;

use super::provision::{ProvisionError, Provisioner, grant_role, keep_off_migrations};
use super::{admin_pool, clusters, template};

#[derive(Debug, Clone)]
pub struct MigrateOptions {
    /// Tenants migrated at once.
    pub concurrency: usize,
    /// Only these slugs (all when `None`).
    pub only: Option<Vec<String>>,
}

/// How one tenant went.
#[derive(Debug, Clone)]
pub struct TenantOutcome {
    pub slug: String,
    pub result: Result<(), String>,
}

#[derive(Debug, Default)]
pub struct MigrateReport {
    /// Tenants already at the latest version, skipped.
    pub up_to_date: usize,
    pub migrated: Vec<String>,
    pub failed: Vec<(String, String)>,
}

struct Target {
    id: Uuid,
    slug: String,
    cluster_id: Uuid,
    database_name: String,
    login_role: String,
    pooled: bool,
}

/// One database to migrate, and the tenants it holds that are behind.
struct Database {
    cluster_id: Uuid,
    name: String,
    role: String,
    /// Its one tenant, named to its migrations; none for a pool database.
    named: Option<Uuid>,
    tenants: Vec<(Uuid, String)>,
}

/// The targets by database, in the order of their first tenant.
fn by_database(targets: Vec<Target>) -> Vec<Database> {
    let mut databases: Vec<Database> = Vec::new();
    for target in targets {
        let held = databases.iter_mut().find(|d| d.cluster_id == target.cluster_id && d.name == target.database_name);
        match held {
            Some(database) => database.tenants.push((target.id, target.slug)),
            None => databases.push(Database {
                cluster_id: target.cluster_id,
                name: target.database_name,
                role: target.login_role,
                named: (!target.pooled).then_some(target.id),
                tenants: vec![(target.id, target.slug)],
            }),
        }
    }
    databases
}

/// Migrates the templates, then the tenants that are behind. `on_tenant` hears about each
/// tenant as it finishes (progress, per-tenant lines); `on_total` about the count first.
pub async fn migrate_tenants(
    provisioner: &Provisioner,
    options: &MigrateOptions,
    on_total: impl FnOnce(usize),
    mut on_tenant: impl FnMut(&TenantOutcome),
) -> Result<MigrateReport, ProvisionError> {
    let latest = template::latest_version(provisioner.migrator);
    let control = &provisioner.control;
    for id in clusters::in_service(control).await? {
        let cluster = provisioner.cluster(id).await?;
        template::ensure_current(control, &cluster, &provisioner.settings.template_database, provisioner.migrator)
            .await?;
    }

    // In scope (both queries): tenants with a database, `active` or `suspended` (their
    // databases must be current when reactivated), among `only` when it is given.
    let only = options.only.as_deref();
    let up_to_date = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM tenants
           WHERE status IN ('active', 'suspended') AND cluster_id IS NOT NULL AND database_name IS NOT NULL
             AND ($1::text[] IS NULL OR slug = ANY($1))
             AND schema_version = $2"#,
        only,
        latest,
    )
    .fetch_one(control)
    .await?;
    // `cluster_id`, `database_name` and `login_role` are set together at placement.
    let targets = sqlx::query_as!(
        Target,
        r#"SELECT id, slug, cluster_id AS "cluster_id!", database_name AS "database_name!", login_role AS "login_role!",
                  placement = 'pooled' AS "pooled!"
           FROM tenants
           WHERE status IN ('active', 'suspended') AND cluster_id IS NOT NULL AND database_name IS NOT NULL
             AND ($1::text[] IS NULL OR slug = ANY($1))
             AND schema_version IS DISTINCT FROM $2
           ORDER BY slug"#,
        only,
        latest,
    )
    .fetch_all(control)
    .await?;
    on_total(targets.len());

    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut running = JoinSet::new();
    for database in by_database(targets) {
        let permits = Arc::clone(&permits);
        let provisioner = provisioner.clone();
        running.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore open");
            let result = migrate_one(&provisioner, &database, latest).await.map_err(|e| e.to_string());
            database.tenants.into_iter().map(|(_, slug)| TenantOutcome { slug, result: result.clone() }).collect()
        });
    }
    let mut report = MigrateReport { up_to_date: usize::try_from(up_to_date).unwrap_or(0), ..MigrateReport::default() };
    while let Some(joined) = running.join_next().await {
        let outcomes: Vec<TenantOutcome> = joined
            .unwrap_or_else(|e| vec![TenantOutcome { slug: "?".into(), result: Err(format!("task failed: {e}")) }]);
        for outcome in outcomes {
            on_tenant(&outcome);
            match outcome.result {
                Ok(()) => report.migrated.push(outcome.slug),
                Err(err) => report.failed.push((outcome.slug, err)),
            }
        }
    }
    report.migrated.sort();
    report.failed.sort();
    Ok(report)
}

async fn migrate_one(provisioner: &Provisioner, database: &Database, latest: i64) -> Result<(), ProvisionError> {
    let cluster = provisioner.cluster(database.cluster_id).await?;
    let options = match database.named {
        Some(tenant) => cluster.migrating(&database.name, tenant).await?,
        None => cluster.admin_on(&database.name).await?,
    };
    let pool = admin_pool(options).await?;
    provisioner.migrator.run(&pool).await?;
    grant_role(&mut *pool.acquire().await?, &database.role).await?;
    keep_off_migrations(&mut *pool.acquire().await?, &database.role).await?;
    pool.close().await;
    let ids: Vec<Uuid> = database.tenants.iter().map(|(id, _)| *id).collect();
    sqlx::query!("UPDATE tenants SET schema_version = $2, updated_at = now() WHERE id = ANY($1)", &ids, latest)
        .execute(&provisioner.control)
        .await?;
    Ok(())
}
