//! Tenant changes pushed to the app plane, so its resolution caches evict at once: a message
//! on the Redis channel `{REDIS_KEY_PREFIX}tenant-changes`. Without Redis the app plane's short
//! cache TTL is the bound.

use serde::Serialize;
use uuid::Uuid;

use super::provision::TenantRecord;

/// What changed: enough for a cache to evict by id or slug.
#[derive(Debug, Clone, Serialize)]
pub struct TenantChange {
    pub tenant_id: Uuid,
    pub slug: String,
    pub status: String,
}

impl TenantChange {
    pub fn of(tenant: &TenantRecord) -> Self {
        Self { tenant_id: tenant.id, slug: tenant.slug.clone(), status: tenant.status.clone() }
    }
}

#[derive(Clone)]
pub struct Notifier {
    redis: Option<deadpool_redis::Pool>,
    channel: String,
}

impl Notifier {
    pub fn new(redis: Option<deadpool_redis::Pool>, prefix: &str) -> Self {
        Self { redis, channel: format!("{prefix}tenant-changes") }
    }

    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// Best effort: a lost message costs the app plane one cache TTL of staleness.
    pub async fn publish(&self, change: &TenantChange) {
        let Some(pool) = &self.redis else { return };
        let payload = serde_json::to_string(change).expect("serializable");
        let result = async {
            let mut conn = pool.get().await.map_err(|e| e.to_string())?;
            redis::cmd("PUBLISH")
                .arg(&self.channel)
                .arg(payload)
                .query_async::<i64>(&mut conn)
                .await
                .map_err(|e| e.to_string())
        }
        .await;
        if let Err(err) = result {
            tracing::warn!(error = %err, tenant = %change.tenant_id, "could not publish a tenant change");
        }
    }
}
