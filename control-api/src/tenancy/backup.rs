//! `control-api backup` and `control-api restore-tenant`: the control database and every tenant
//! database dumped with `pg_dump` (custom format) in parallel into a folder with a manifest, and
//! one tenant's database brought back from such a folder while the tenant is suspended.
//!
//! The PostgreSQL tools run as child processes with the cluster's admin credentials in their
//! environment (`PGPASSWORD` and friends), never on their command line, where other users of the
//! machine could read them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use shared::tenant::TenantStatus;
use tokio::io::AsyncReadExt as _;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use uuid::Uuid;

use super::notify::{Notifier, TenantChange};
use super::placement::Mode;
use super::provision::{
    ProvisionError, Provisioner, create_empty_database, drop_database, grant_role, keep_off_migrations,
};
use super::{admin_pool, clusters, template};
use sqlx::{Connection as _, PgConnection};
use tenant_schema::moving;

/// The manifest's file name in a backup folder.
pub const MANIFEST: &str = "manifest.json";
/// The manifest format this binary writes and reads.
const FORMAT: u32 = 1;

/// What a backup folder holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub created_at: DateTime<Utc>,
    pub control: Archive,
    pub tenants: Vec<TenantArchive>,
}

/// One archive: its file (relative to the folder), its schema version, size and digest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Archive {
    pub file: String,
    pub schema_version: i64,
    pub bytes: u64,
    /// Hex SHA-256 of the file.
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TenantArchive {
    pub slug: String,
    pub id: Uuid,
    #[serde(flatten)]
    pub archive: Archive,
}

#[derive(Debug, Clone)]
pub struct BackupOptions {
    pub out: PathBuf,
    /// Only these tenants (comma-separated slugs on the command line); all when `None`.
    pub only: Option<Vec<String>>,
    pub concurrency: usize,
}

/// How one tenant's dump went.
#[derive(Debug, Clone)]
pub struct BackupOutcome {
    pub slug: String,
    pub result: Result<u64, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} exists and is not an empty folder: a backup goes into a new or empty one")]
    NotEmpty(PathBuf),
    #[error("cannot write the backup: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot dump the control database: {0}")]
    Control(String),
    #[error(transparent)]
    Provision(#[from] ProvisionError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the manifest is unreadable: {0}")]
    Manifest(String),
    #[error("{0}")]
    Refused(String),
    /// The command's clients could not be built (`AppState::new`).
    #[error(transparent)]
    Setup(Box<dyn std::error::Error + Send + Sync>),
    #[error("{tool} failed: {detail}")]
    Tool { tool: &'static str, detail: String },
}

/// The libpq environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`)
/// for a PostgreSQL URL, on `database` when given.
pub fn libpq_env(url: &str, database: Option<&str>) -> Result<Vec<(&'static str, String)>, String> {
    let hosts = shared::config::split_hosts(url)?
        .iter()
        .map(|host| url::Url::parse(host).map_err(|e| format!("not a PostgreSQL URL: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let parsed = &hosts[0];
    if !matches!(parsed.scheme(), "postgres" | "postgresql") {
        return Err("not a PostgreSQL URL".into());
    }
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let names: Vec<&str> = hosts
        .iter()
        .map(|h| h.host_str().unwrap_or("localhost").trim_start_matches('[').trim_end_matches(']'))
        .collect();
    let ports: Vec<String> = hosts.iter().map(|h| h.port().unwrap_or(5432).to_string()).collect();
    let mut env = vec![
        ("PGHOST", names.join(",")),
        ("PGPORT", ports.join(",")),
        ("PGSSLMODE", clusters::ssl_mode_of(url).to_owned()),
    ];
    if hosts.len() > 1 {
        // The primary, as the services choose it.
        env.push(("PGTARGETSESSIONATTRS", "read-write".to_owned()));
    }
    if !parsed.username().is_empty() {
        env.push(("PGUSER", decode(parsed.username())));
    }
    if let Some(password) = parsed.password() {
        env.push(("PGPASSWORD", decode(password)));
    }
    let path_database = parsed.path().trim_start_matches('/');
    let database = database.map(str::to_owned).or_else(|| (!path_database.is_empty()).then(|| decode(path_database)));
    if let Some(database) = database {
        env.push(("PGDATABASE", database));
    }
    Ok(env)
}

/// Runs a PostgreSQL tool with `env`; its error output on failure.
async fn run_tool(tool: &'static str, args: &[&str], env: &[(&'static str, String)]) -> Result<(), BackupError> {
    let output = tokio::process::Command::new(tool)
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env_remove("PGSERVICE")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| BackupError::Tool {
            tool,
            detail: format!("cannot run it ({e}): is the PostgreSQL client installed?"),
        })?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(BackupError::Tool { tool, detail: stderr.lines().take(5).collect::<Vec<_>>().join(" / ") })
    }
}

/// Size and hex SHA-256 of a file, read in chunks.
async fn digest(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let read = file.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        bytes += read as u64;
        hasher.update(&buffer[..read]);
    }
    Ok((bytes, hex::encode(hasher.finalize())))
}

/// Dumps one database into `folder/file`.
async fn dump(folder: &Path, file: &str, env: &[(&'static str, String)]) -> Result<(u64, String), BackupError> {
    let path = folder.join(file);
    let target = path.to_str().ok_or_else(|| BackupError::Refused("the backup folder's path is not UTF-8".into()))?;
    run_tool("pg_dump", &["--format=custom", "--no-password", "--file", target], env).await?;
    Ok(digest(&path).await?)
}

struct Target {
    id: Uuid,
    slug: String,
    cluster_id: Uuid,
    database_name: String,
    schema_version: i64,
}

/// Dumps the control database, then every tenant in scope (active or suspended, with a
/// database), `concurrency` at a time, and writes the manifest last: a folder with a manifest is
/// a finished backup. Tenants that fail are reported and left out of the manifest.
pub async fn backup(
    provisioner: &Provisioner,
    control_url: &str,
    control_version: i64,
    options: &BackupOptions,
    on_total: impl FnOnce(usize),
    mut on_tenant: impl FnMut(&BackupOutcome),
) -> Result<(Manifest, Vec<(String, String)>), BackupError> {
    let out = &options.out;
    match std::fs::read_dir(out) {
        Ok(entries) => {
            if entries.into_iter().next().is_some() {
                return Err(BackupError::NotEmpty(out.clone()));
            }
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir_all(out)?,
        Err(err) => return Err(err.into()),
    }
    std::fs::create_dir_all(out.join("tenants"))?;
    let control_env = libpq_env(control_url, None).map_err(BackupError::Control)?;
    let (bytes, sha256) =
        dump(out, "control.dump", &control_env).await.map_err(|e| BackupError::Control(e.to_string()))?;
    let control = Archive { file: "control.dump".into(), schema_version: control_version, bytes, sha256 };

    let only = options.only.as_deref();
    let targets = sqlx::query_as!(
        Target,
        r#"SELECT id, slug, cluster_id AS "cluster_id!", database_name AS "database_name!",
                coalesce(schema_version, 0) AS "schema_version!"
           FROM tenants
           WHERE status IN ('active', 'suspended') AND cluster_id IS NOT NULL AND database_name IS NOT NULL
             AND ($1::text[] IS NULL OR slug = ANY($1))
           ORDER BY slug"#,
        only,
    )
    .fetch_all(&provisioner.control)
    .await?;
    on_total(targets.len());
    // Each database once: the tenants of a pool database share its archive.
    let mut databases: Vec<Vec<Target>> = Vec::new();
    for target in targets {
        let held = databases
            .iter_mut()
            .find(|d| d[0].cluster_id == target.cluster_id && d[0].database_name == target.database_name);
        match held {
            Some(database) => database.push(target),
            None => databases.push(vec![target]),
        }
    }
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut running = JoinSet::new();
    for database in databases {
        let (permits, provisioner, out) = (Arc::clone(&permits), provisioner.clone(), out.clone());
        running.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore open");
            let result = dump_database(&provisioner, &out, &database[0]).await;
            (database, result)
        });
    }
    let (mut tenants, mut failed) = (Vec::new(), Vec::new());
    while let Some(joined) = running.join_next().await {
        let Ok((database, result)) = joined else { continue };
        for target in database {
            on_tenant(&BackupOutcome {
                slug: target.slug.clone(),
                result: result.as_ref().map(|a| a.bytes).map_err(ToString::to_string),
            });
            match &result {
                Ok(archive) => {
                    tenants.push(TenantArchive { slug: target.slug, id: target.id, archive: archive.clone() });
                }
                Err(err) => failed.push((target.slug, err.to_string())),
            }
        }
    }
    tenants.sort_by(|a, b| a.slug.cmp(&b.slug));
    failed.sort();
    let manifest = Manifest { format: FORMAT, created_at: Utc::now(), control, tenants };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Manifest(e.to_string()))?;
    tokio::fs::write(out.join(MANIFEST), text).await?;
    Ok((manifest, failed))
}

/// Dumps the database of `target` (a pool database holds other tenants too), named after it.
async fn dump_database(provisioner: &Provisioner, out: &Path, target: &Target) -> Result<Archive, BackupError> {
    let cluster = provisioner.cluster(target.cluster_id).await?;
    let env = libpq_env(cluster.admin_url(), Some(&target.database_name)).map_err(BackupError::Refused)?;
    let file = format!("tenants/{}.dump", target.database_name);
    let (bytes, sha256) = dump(out, &file, &env).await?;
    Ok(Archive { file, schema_version: target.schema_version, bytes, sha256 })
}

/// Reads and checks a backup folder's manifest.
pub async fn read_manifest(folder: &Path) -> Result<Manifest, BackupError> {
    let text = tokio::fs::read(folder.join(MANIFEST))
        .await
        .map_err(|e| BackupError::Manifest(format!("{}: {e}", folder.join(MANIFEST).display())))?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| BackupError::Manifest(e.to_string()))?;
    if manifest.format != FORMAT {
        return Err(BackupError::Manifest(format!("format {} (this binary reads {FORMAT})", manifest.format)));
    }
    Ok(manifest)
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub slug: String,
    pub schema_version: i64,
    /// Migrations applied after the restore (a backup from an older schema).
    pub migrated_to: i64,
}

/// Brings tenant `slug`'s rows back from the backup in `folder`: checks the archive (its digest,
/// a schema no newer than this binary's, the database the tenant is in now), suspends the tenant
/// (the app plane answers 403 `tenant_suspended` and drops its connections), restores, and puts
/// the tenant back in its previous status, evicting every cache. A dedicated tenant's database is
/// restored whole in one transaction (the sessions left on it ended first, newer migrations
/// applied after); a pooled tenant's rows alone are, from its pool's archive (`restore_pooled`).
pub async fn restore_tenant(
    provisioner: &Provisioner,
    notifier: &Notifier,
    folder: &Path,
    slug: &str,
) -> Result<Restored, BackupError> {
    let manifest = read_manifest(folder).await?;
    let entry = manifest
        .tenants
        .iter()
        .find(|t| t.slug == slug)
        .ok_or_else(|| BackupError::Refused(format!("the backup has no tenant {slug}")))?;
    let latest = template::latest_version(provisioner.migrator);
    if entry.archive.schema_version > latest {
        return Err(BackupError::Refused(format!(
            "the backup of {slug} has schema version {}, newer than this binary's {latest}: restore it with a newer \
             control-api",
            entry.archive.schema_version
        )));
    }
    let archive = folder.join(&entry.archive.file);
    let (bytes, sha256) = digest(&archive).await?;
    if (bytes, sha256.as_str()) != (entry.archive.bytes, entry.archive.sha256.as_str()) {
        return Err(BackupError::Refused(format!(
            "{} does not match the manifest (size or SHA-256)",
            archive.display()
        )));
    }
    let tenant = provisioner.tenant(entry.id).await?;
    if tenant.slug != slug {
        return Err(BackupError::Refused(format!("tenant {} is now {}, not {slug}", entry.id, tenant.slug)));
    }
    let (Some(cluster_id), Some(database), Some(role)) = (tenant.cluster_id, &tenant.database_name, &tenant.login_role)
    else {
        return Err(BackupError::Refused(format!("{slug} has no database to restore into")));
    };
    let before = match tenant.status {
        status @ (TenantStatus::Active | TenantStatus::Suspended) => status,
        other => {
            return Err(BackupError::Refused(format!(
                "{slug} is {other}: only active or suspended tenants are restored"
            )));
        }
    };
    if entry.archive.file != format!("tenants/{database}.dump") {
        return Err(BackupError::Refused(format!(
            "{slug} has moved since the backup: its archive is of another database than the one holding it now"
        )));
    }
    set_status(provisioner, notifier, entry.id, TenantStatus::Suspended).await?;
    let restored = match tenant.placement {
        Mode::Dedicated => {
            restore_database(provisioner, (cluster_id, entry.id), database, role, &archive, latest).await
        }
        Mode::Pooled => restore_pooled(provisioner, (cluster_id, entry.id), database, &archive).await,
    };
    // Whatever happened, the tenant goes back to how it was: a failed restore has changed
    // nothing (one transaction), and a suspended tenant stays suspended.
    set_status(provisioner, notifier, entry.id, before).await?;
    restored?;
    Ok(Restored { slug: slug.to_owned(), schema_version: entry.archive.schema_version, migrated_to: latest })
}

async fn set_status(
    provisioner: &Provisioner,
    notifier: &Notifier,
    id: Uuid,
    status: TenantStatus,
) -> Result<(), BackupError> {
    sqlx::query!("UPDATE tenants SET status = $2, updated_at = now() WHERE id = $1", id, status.as_str())
        .execute(&provisioner.control)
        .await?;
    let record = provisioner.tenant(id).await?;
    notifier.publish(&TenantChange::of(&record)).await;
    Ok(())
}

/// How long a pooled restore waits for the tenant's transactions in flight before it holds it.
const RESTORE_FENCE_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// One pooled tenant's rows brought back from its pool database's archive: the archive restored
/// into a scratch database of the cluster and brought to this binary's schema, then the tenant's
/// rows copied from it into the pool database in place of its current ones
/// (`tenant_schema::moving`, the moves' copy), its neighbours' rows untouched, while the tenant is
/// held there (its lock taken exclusive, as a move's switch does). The scratch database is
/// dropped whatever happened; a failed copy changed nothing (one transaction).
async fn restore_pooled(
    provisioner: &Provisioner,
    (cluster_id, tenant): (Uuid, Uuid),
    database: &str,
    archive: &Path,
) -> Result<(), BackupError> {
    let cluster = provisioner.cluster(cluster_id).await?;
    let scratch = format!("{}r{}", provisioner.settings.db_prefix, &Uuid::now_v7().simple().to_string()[1..]);
    let mut admin = provisioner.admin_connection(&cluster).await?;
    create_empty_database(&mut admin, &scratch).await?;
    let copied = copy_from_scratch(provisioner, &cluster, &scratch, (database, tenant), archive).await;
    drop_database(&mut admin, &scratch, None).await?;
    admin.close().await?;
    copied
}

async fn copy_from_scratch(
    provisioner: &Provisioner,
    cluster: &clusters::Cluster,
    scratch: &str,
    (database, tenant): (&str, Uuid),
    archive: &Path,
) -> Result<(), BackupError> {
    let env = libpq_env(cluster.admin_url(), Some(scratch)).map_err(BackupError::Refused)?;
    let path = archive.to_str().ok_or_else(|| BackupError::Refused("the archive's path is not UTF-8".into()))?;
    let restore = ["--single-transaction", "--exit-on-error", "--no-password", "--dbname", scratch, path];
    run_tool("pg_restore", &restore, &env).await?;
    let pool = admin_pool(cluster.admin_on(scratch).await?).await?;
    provisioner.migrator.run(&pool).await.map_err(ProvisionError::from)?;
    pool.close().await;
    let mut source = PgConnection::connect_with(&cluster.admin_on(scratch).await?).await?;
    // The pool database's connection that holds the tenant also writes its rows.
    let mut held = PgConnection::connect_with(&cluster.admin_on(database).await?).await?;
    if moving::schema_version(&mut source).await? != moving::schema_version(&mut held).await? {
        return Err(BackupError::Refused(format!(
            "{database} is not at the schema of this binary: run migrate-tenants"
        )));
    }
    moving::fence(&mut held, tenant, RESTORE_FENCE_WAIT).await?;
    let tables = moving::tables(&mut source).await?;
    let mut read =
        tenant_schema::begin_as(&mut source, tenant, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?;
    let mut write = tenant_schema::begin(&mut held, tenant).await?;
    tenant_schema::remove(&mut write).await?;
    moving::as_replica(&mut write).await?;
    for table in &tables {
        moving::copy_table(&mut read, &mut write, tenant, table).await?;
    }
    write.commit().await?;
    read.rollback().await?;
    let mut align = tenant_schema::begin(&mut held, tenant).await?;
    moving::align_sequences(&mut align, &tables.iter().collect::<Vec<_>>()).await?;
    align.commit().await?;
    held.close().await?;
    source.close().await?;
    Ok(())
}

async fn restore_database(
    provisioner: &Provisioner,
    (cluster_id, tenant): (Uuid, Uuid),
    database: &str,
    role: &str,
    archive: &Path,
    latest: i64,
) -> Result<(), BackupError> {
    let cluster = provisioner.cluster(cluster_id).await?;
    // Sessions the app plane still holds on the database would block the restore's locks.
    let admin = admin_pool(cluster.admin().await?).await?;
    sqlx::query!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        database,
    )
    .fetch_all(&admin)
    .await?;
    admin.close().await;
    let env = libpq_env(cluster.admin_url(), Some(database)).map_err(BackupError::Refused)?;
    let path = archive.to_str().ok_or_else(|| BackupError::Refused("the archive's path is not UTF-8".into()))?;
    run_tool(
        "pg_restore",
        &[
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            "--dbname",
            database,
            path,
        ],
        &env,
    )
    .await?;
    // A backup of an older schema is brought to this binary's, as migrate-tenants would.
    let pool = admin_pool(cluster.migrating(database, tenant).await?).await?;
    provisioner.migrator.run(&pool).await.map_err(ProvisionError::from)?;
    grant_role(&mut *pool.acquire().await?, role).await?;
    keep_off_migrations(&mut *pool.acquire().await?, role).await?;
    pool.close().await;
    sqlx::query!(
        "UPDATE tenants SET schema_version = $2, updated_at = now() WHERE database_name = $1",
        database,
        latest,
    )
    .execute(&provisioner.control)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_become_a_libpq_environment_without_the_command_line() {
        let env = libpq_env("postgres://admin:p%40ss%3Aword@db.internal:6543/postgres?sslmode=require", Some("hdt_1"))
            .unwrap();
        let get = |name: &str| env.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str());
        assert_eq!(get("PGHOST"), Some("db.internal"));
        assert_eq!(get("PGPORT"), Some("6543"));
        assert_eq!(get("PGUSER"), Some("admin"));
        assert_eq!(get("PGPASSWORD"), Some("p@ss:word"));
        assert_eq!(get("PGDATABASE"), Some("hdt_1"));
        assert_eq!(get("PGSSLMODE"), Some("require"));
        let env = libpq_env("postgresql://postgres@127.0.0.1/control", None).unwrap();
        assert!(env.contains(&("PGDATABASE", "control".to_owned())) && env.contains(&("PGPORT", "5432".to_owned())));
        assert!(!env.iter().any(|(k, _)| *k == "PGPASSWORD"));
        assert!(libpq_env("mysql://x@y/z", None).is_err());
        let two = libpq_env("postgres://admin@db1:5432,db2:5433/postgres", None).unwrap();
        let two: std::collections::HashMap<_, _> = two.into_iter().collect();
        assert_eq!(two["PGHOST"], "db1,db2");
        assert_eq!(two["PGPORT"], "5432,5433");
        assert_eq!(two["PGTARGETSESSIONATTRS"], "read-write");
    }
}
