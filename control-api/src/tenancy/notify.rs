//! Tenant changes pushed out: to the app plane, so its resolution caches evict at once (a
//! message on the Redis channel `{REDIS_KEY_PREFIX}tenant-changes`; without Redis the app
//! plane's short cache TTL is the bound), and, when `AMQP_URL` is set, as an event on the
//! durable topic exchange `control_exchange` with routing key `control.tenant.{status}`.

use std::sync::Arc;

use serde::Serialize;
use shared::amqp::{Message, Publisher};
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

/// The exchange control-plane events go to.
pub const CONTROL_EXCHANGE: &str = "control_exchange";

#[derive(Clone)]
pub struct Notifier {
    redis: Option<deadpool_redis::Pool>,
    channel: String,
    events: Option<Arc<Publisher>>,
}

impl Notifier {
    pub fn new(redis: Option<deadpool_redis::Pool>, prefix: &str, events: Option<Arc<Publisher>>) -> Self {
        Self { redis, channel: format!("{prefix}tenant-changes"), events }
    }

    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// Best effort, both ways: a lost cache message costs the app plane one cache TTL of
    /// staleness; a lost event is logged.
    pub async fn publish(&self, change: &TenantChange) {
        tokio::join!(self.publish_cache_eviction(change), self.publish_event(change));
    }

    async fn publish_event(&self, change: &TenantChange) {
        let Some(events) = &self.events else { return };
        let payload = serde_json::json!({
            "event": "TenantChanged",
            "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "data": change,
        });
        let payload = serde_json::to_vec(&payload).expect("serializable");
        let message_id = Uuid::now_v7().to_string();
        let routing_key = format!("control.tenant.{}", change.status);
        let message = Message { routing_key: &routing_key, message_id: &message_id, payload: &payload };
        if let Err(err) = events.publish(&message).await {
            tracing::warn!(error = %err, tenant = %change.tenant_id, "could not publish a tenant event");
        }
    }

    async fn publish_cache_eviction(&self, change: &TenantChange) {
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
