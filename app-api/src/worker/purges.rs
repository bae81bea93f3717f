//! The end of a tenant's deletion (`control_schema::deletion`). Once control-api has dropped the
//! tenant's database and role, the tenant is due for a purge here, where the object store is:
//! every second a worker claims the due purges and, for each tenant, deletes every object under
//! its prefix, removes its keys from Redis (its cached resolution, its change version, its
//! rate-limit budgets), and records the deletion complete: the tenant becomes `deleted`. A purge
//! that fails (the store or Redis away) is tried again when its lease runs out, `RETRY` later;
//! what it removed stays removed.

use std::sync::Arc;
use std::time::Duration;

use control_schema::directory::TenantRow;
use control_schema::schedule::Work;
use shared::work_queue::Lanes;

use super::pacing::{RetriedVisit, Visits};
use crate::attachments::blob;
use crate::state::AppState;

/// The purges' queue in the work queues' metrics.
pub const QUEUE: &str = "tenant_purges";
/// Tenants claimed per turn, and purged at once.
const LANES: Lanes = Lanes { batch: 10, concurrency: 2, claims: 1 };

/// Runs the purges until `stop`.
pub async fn run(state: AppState, stop: impl Future<Output = ()> + Send + 'static) {
    // HelpdesklyTenantDeletionLate reads the retries: a series from the start.
    state.queue_metrics.expect(QUEUE, &["retry"]);
    super::pacing::drain_schedule(Arc::new(state), Work::Purge, |state| Visits(Purges(state)), LANES, stop).await;
}

/// The purge part of the tenants' schedule.
struct Purges(Arc<AppState>);

impl RetriedVisit for Purges {
    const QUEUE: &'static str = QUEUE;
    const WORK: Work = Work::Purge;
    const RETRY: Duration = Duration::from_secs(30);
    const FAILED: &'static str = "tenant purge failed";

    fn control_db(&self) -> &sqlx::PgPool {
        &self.0.tenancy.control_db
    }

    async fn visit(&self, tenant: TenantRow) -> Result<(), String> {
        purge(&self.0, &tenant).await
    }
}

/// Removes what `tenant` left in the object store and in Redis, then records its deletion
/// complete.
pub async fn purge(state: &AppState, tenant: &TenantRow) -> Result<(), String> {
    let prefix = blob::tenant_prefix(tenant.id);
    let files = blob::empty_prefix(state.attachments.store.as_ref(), &prefix, false)
        .await
        .map_err(|e| format!("its files: {e}"))?;
    let unanswered = |what: &str| format!("{what}: Redis did not answer");
    if !state.tenancy.resolver.evict(&tenant.slug).await {
        return Err(unanswered("its cached resolution"));
    }
    if !state.live.versions.remove(tenant.id).await {
        return Err(unanswered("its change version"));
    }
    let budgets = state.gate.limiter.forget_tenant(tenant.id).await.ok_or_else(|| unanswered("its rate limits"))?;
    let ended = control_schema::deletion::purged(&state.tenancy.control_db, tenant.id)
        .await
        .map_err(|e| format!("recording the deletion complete: {e}"))?;
    tracing::info!(tenant = %tenant.id, slug = tenant.slug, files, budgets, ended, "tenant deletion complete");
    Ok(())
}
