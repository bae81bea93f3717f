//! The orphan cleanup: what a crash or a lost store call left behind. Per tenant, the objects
//! under its prefix and its stored-object rows are walked side by side in key order (memory
//! stays a page on each side, however many files): an object without a row, or a row without an
//! object, older than the grace period, is reported and (unless it is a dry run) deleted. The
//! objects waiting for deletion are deleted first. Every object of a deleted tenant is deleted:
//! its files go with it.
//!
//! Run weekly by the scheduled jobs (one replica claims each run, `maintenance_runs`) and by hand
//! as `app-api cleanup-orphans [--grace-hours N] [--dry-run]`.

use std::cmp::Ordering;
use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::attachments::blob::{self, BlobStore, StoredObject};
use crate::attachments::store;
use crate::state::AppState;
use crate::tenancy::resolve::Tenant;

/// Rows read per page.
const ROWS_PAGE: u16 = 1000;
/// The job's name in `maintenance_runs`.
pub const JOB: &str = "attachments.orphan_cleanup";

/// What a cleanup found and did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    pub tenants: u64,
    pub tenants_failed: u64,
    /// Objects whose last row had gone, deleted now.
    pub released_deleted: u64,
    pub objects_without_row: u64,
    pub rows_without_object: u64,
    /// What was deleted of the two above (0 in a dry run).
    pub objects_deleted: u64,
    pub rows_deleted: u64,
    /// Objects of deleted tenants: deleted (counted, in a dry run).
    pub deleted_tenants_objects: u64,
    /// The objects found without a row (at most 100 listed).
    pub sample: Vec<String>,
}

impl Report {
    fn add(&mut self, other: Report) {
        self.tenants += other.tenants;
        self.tenants_failed += other.tenants_failed;
        self.released_deleted += other.released_deleted;
        self.objects_without_row += other.objects_without_row;
        self.rows_without_object += other.rows_without_object;
        self.objects_deleted += other.objects_deleted;
        self.rows_deleted += other.rows_deleted;
        self.deleted_tenants_objects += other.deleted_tenants_objects;
        let room = 100usize.saturating_sub(self.sample.len());
        self.sample.extend(other.sample.into_iter().take(room));
    }
}

/// The objects of a tenant in key order, a page at a time.
struct Objects<'a> {
    store: &'a dyn BlobStore,
    prefix: String,
    page: VecDeque<StoredObject>,
    next: Option<String>,
    done: bool,
}

impl Objects<'_> {
    async fn peek(&mut self) -> Result<Option<&StoredObject>, String> {
        if self.page.is_empty() && !self.done {
            let page = self.store.list(&self.prefix, self.next.as_deref()).await.map_err(|e| e.to_string())?;
            self.done = page.next.is_none();
            self.next = page.next;
            self.page = page.objects.into();
        }
        Ok(self.page.front())
    }
}

/// The stored-object rows of a tenant in key order, a page at a time.
struct Rows<'a> {
    state: &'a AppState,
    tenant: &'a Tenant,
    page: VecDeque<(String, DateTime<Utc>)>,
    last: Option<String>,
    done: bool,
}

impl Rows<'_> {
    async fn peek(&mut self) -> Result<Option<&(String, DateTime<Utc>)>, String> {
        if self.page.is_empty() && !self.done {
            let mut db = self.state.tenancy.pools.acquire(self.tenant).await.map_err(|e| e.to_string())?;
            let mut tx = db.begin().await.map_err(|e| e.to_string())?;
            let page = store::objects_page(&mut tx, self.last.as_deref(), i64::from(ROWS_PAGE))
                .await
                .map_err(|e| e.to_string())?;
            self.done = page.len() < usize::from(ROWS_PAGE);
            self.last = page.last().map(|(path, _)| path.clone());
            self.page = page.into();
        }
        Ok(self.page.front())
    }
}

/// Cleans one tenant.
pub async fn clean_tenant(state: &AppState, tenant: &Tenant, grace: Duration, dry_run: bool) -> Result<Report, String> {
    let files = &state.attachments;
    let mut report = Report { tenants: 1, ..Report::default() };
    if !dry_run {
        report.released_deleted =
            files.delete_released(&state.tenancy.pools, tenant).await.map_err(|e| e.to_string())?;
    }
    let cutoff = Utc::now() - grace;
    let mut objects = Objects {
        store: files.store.as_ref(),
        prefix: blob::tenant_prefix(tenant.id),
        page: VecDeque::new(),
        next: None,
        done: false,
    };
    let mut rows = Rows { state, tenant, page: VecDeque::new(), last: None, done: false };
    let (mut lone_objects, mut lone_rows) = (Vec::new(), Vec::new());
    loop {
        let object = objects.peek().await?.cloned();
        let row = rows.peek().await?.cloned();
        let order = match (&object, &row) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(o), Some((path, _))) => o.key.as_str().cmp(path.as_str()),
        };
        match order {
            Ordering::Equal => {
                objects.page.pop_front();
                rows.page.pop_front();
            }
            Ordering::Less => {
                let object = objects.page.pop_front().expect("peeked");
                if object.modified < cutoff {
                    lone_objects.push(object.key);
                }
            }
            Ordering::Greater => {
                let (path, created_at) = rows.page.pop_front().expect("peeked");
                if created_at < cutoff {
                    lone_rows.push(path);
                }
            }
        }
        if !dry_run && lone_objects.len() >= 100 {
            report.objects_deleted += remove_objects(state, tenant, &mut lone_objects, &mut report).await?;
        }
    }
    report.rows_without_object = lone_rows.len() as u64;
    if dry_run {
        report.objects_without_row += lone_objects.len() as u64;
        report.sample.extend(lone_objects.into_iter().take(100));
    } else {
        report.objects_deleted += remove_objects(state, tenant, &mut lone_objects, &mut report).await?;
        let mut db = state.tenancy.pools.acquire(tenant).await.map_err(|e| e.to_string())?;
        for path in &lone_rows {
            // Each object's rows in a transaction of their own.
            let deleted = async {
                let mut tx = db.begin().await?;
                let deleted = store::delete_rows_of_object(&mut tx, path).await?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(deleted)
            };
            report.rows_deleted += deleted.await.map_err(|e| e.to_string())?;
        }
        drop(db);
        // The rows just deleted queued their (missing) objects: clear the list.
        files.delete_released(&state.tenancy.pools, tenant).await.map_err(|e| e.to_string())?;
    }
    files.metrics.orphans.with_label_values(&["object_without_row"]).inc_by(report.objects_without_row);
    files.metrics.orphans.with_label_values(&["row_without_object"]).inc_by(report.rows_without_object);
    Ok(report)
}

/// Deletes objects found without a row, after checking again under the database's view that no
/// upload has claimed one of them since the walk saw it.
async fn remove_objects(
    state: &AppState,
    tenant: &Tenant,
    keys: &mut Vec<String>,
    report: &mut Report,
) -> Result<u64, String> {
    if keys.is_empty() {
        return Ok(0);
    }
    let mut db = state.tenancy.pools.acquire(tenant).await.map_err(|e| e.to_string())?;
    let known = store::known_paths(&mut *db.begin().await.map_err(|e| e.to_string())?, keys)
        .await
        .map_err(|e| e.to_string())?;
    drop(db);
    keys.retain(|k| !known.contains(k));
    report.objects_without_row += keys.len() as u64;
    let room = 100usize.saturating_sub(report.sample.len());
    report.sample.extend(keys.iter().take(room).cloned());
    state.attachments.store.delete(keys).await.map_err(|e| e.to_string())?;
    let deleted = keys.len() as u64;
    keys.clear();
    Ok(deleted)
}

/// Cleans every active tenant, a few at a time, and empties the prefixes of deleted ones.
pub async fn all_tenants(state: &AppState, grace: Duration, dry_run: bool) -> Result<Report, String> {
    let deleted =
        control_schema::directory::deleted_tenants(&state.tenancy.control_db).await.map_err(|e| e.to_string())?;
    let mut total = Report::default();
    for tenant in deleted {
        let prefix = blob::tenant_prefix(tenant);
        total.deleted_tenants_objects +=
            blob::empty_prefix(state.attachments.store.as_ref(), &prefix, dry_run).await.map_err(|e| e.to_string())?;
    }
    let rows = control_schema::directory::active_tenants(&state.tenancy.control_db).await.map_err(|e| e.to_string())?;
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(state.config.jobs.concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    for row in rows {
        let Ok(tenant) = Tenant::from_row(row) else { continue };
        let (state, limit) = (state.clone(), limit.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("never closed");
            let outcome = clean_tenant(&state, &tenant, grace, dry_run).await;
            (tenant.slug, outcome)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((_, Ok(report))) => total.add(report),
            Ok((slug, Err(err))) => {
                tracing::warn!(tenant = %slug, error = %err, "orphan cleanup of a tenant failed");
                total.tenants += 1;
                total.tenants_failed += 1;
            }
            Err(err) => tracing::error!(error = %err, "orphan cleanup task failed"),
        }
    }
    Ok(total)
}

/// The scheduled cleanup: every hour, one replica claims the run when the last one started
/// `ORPHAN_CLEANUP_HOURS` ago, and cleans every tenant, until `shutdown`.
pub async fn run_periodically(state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) {
    let every = state.config.attachments.orphan_cleanup_every;
    let grace = state.config.attachments.orphan_grace;
    let mut tick = tokio::time::interval(every.min(Duration::from_secs(3600)));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = tick.tick() => {}
        }
        match control_schema::maintenance::claim_run(&state.tenancy.control_db, JOB, every).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(err) => {
                tracing::warn!(error = %err, "orphan cleanup: cannot read the schedule");
                continue;
            }
        }
        let run = all_tenants(&state, grace, false);
        tokio::select! {
            () = &mut shutdown => return,
            outcome = run => match outcome {
                Ok(report) => tracing::info!(
                    tenants = report.tenants,
                    failed = report.tenants_failed,
                    objects_without_row = report.objects_without_row,
                    rows_without_object = report.rows_without_object,
                    deleted_tenants_objects = report.deleted_tenants_objects,
                    "orphan cleanup done"
                ),
                Err(err) => tracing::warn!(error = %err, "orphan cleanup failed"),
            },
        }
    }
}
