//! Changes pushed out. Tenant changes go to the app plane, so its resolution caches evict at
//! once (a message on the Redis channel `{REDIS_KEY_PREFIX}tenant-changes`; without Redis the
//! app plane's short cache TTL is the bound), and, when `AMQP_URL` is set, as an event on the
//! durable topic exchange `control_exchange` with routing key `control.tenant.{status}`; a move
//! to another placement also as `control.tenant.moved`.
//! Every such change, and every member synced into a tenant's database, also raises the
//! tenant's change version (`shared::change_version`), so the app plane's answers kept from
//! before are not served again; a deletion does not (the tenant serves nothing more, and the
//! purge that ends it removes the version's key: raising it then would leave the key behind).
//! A deletion is announced once, when it is asked for (`control.tenant.deleting`); its end is
//! read from the tenant's status.
//! Revoked sessions go to the app plane on `{REDIS_KEY_PREFIX}session-revocations`, so it
//! refuses their access tokens at once (it also reads recent revocations from the control
//! database when it (re)subscribes, and polls it without Redis: a lost message is caught up).

use std::sync::Arc;

use serde::Serialize;
use shared::amqp::{Message, Publisher};
use shared::redis::Redis;
use shared::tenant::TenantStatus;
use uuid::Uuid;

use super::placement::Mode;
use super::provision::TenantRecord;

/// What changed: enough for a cache to evict by id or slug.
#[derive(Debug, Clone, Serialize)]
pub struct TenantChange {
    pub tenant_id: Uuid,
    pub slug: String,
    pub status: TenantStatus,
}

impl TenantChange {
    pub fn of(tenant: &TenantRecord) -> Self {
        Self { tenant_id: tenant.id, slug: tenant.slug.clone(), status: tenant.status }
    }
}

/// The exchange control-plane events go to.
pub const CONTROL_EXCHANGE: &str = "control_exchange";

#[derive(Clone)]
pub struct Notifier {
    redis: Option<Redis>,
    /// Where a change version Redis did not take is recorded (`control_schema::versions`).
    db: sqlx::PgPool,
    prefix: String,
    channel: String,
    revocations: String,
    events: Option<Arc<Publisher>>,
}

/// The message of a revocation: the sessions whose access tokens must stop working.
#[derive(Debug, Clone, Serialize)]
pub struct Revoked<'a> {
    pub sessions: &'a [Uuid],
}

impl Notifier {
    pub fn new(redis: Option<Redis>, db: sqlx::PgPool, prefix: &str, events: Option<Arc<Publisher>>) -> Self {
        Self {
            redis,
            db,
            prefix: prefix.to_owned(),
            channel: format!("{prefix}tenant-changes"),
            revocations: format!("{prefix}session-revocations"),
            events,
        }
    }

    /// Publishes revoked sessions (after the revoking transaction committed). Best effort: the
    /// app plane catches up from the control database when it resubscribes.
    pub async fn sessions_revoked(&self, sessions: &[Uuid]) {
        if sessions.is_empty() {
            return;
        }
        let payload = serde_json::to_string(&Revoked { sessions }).expect("serializable");
        if !self.redis_publish(&self.revocations, payload).await {
            tracing::warn!(sessions = sessions.len(), "could not publish revoked sessions");
        }
    }

    /// False when Redis is configured and the message did not go out.
    async fn redis_publish(&self, channel: &str, payload: String) -> bool {
        let Some(redis) = &self.redis else { return true };
        redis
            .run("publish", |mut conn| async move {
                redis::cmd("PUBLISH").arg(channel).arg(payload).query_async::<i64>(&mut conn).await
            })
            .await
            .is_some()
    }

    /// Best effort, both ways: a lost cache message costs the app plane one cache TTL of
    /// staleness; a lost event is logged.
    pub async fn publish(&self, change: &TenantChange) {
        let gone = matches!(change.status, TenantStatus::Deleting | TenantStatus::Deleted);
        tokio::join!(self.publish_cache_eviction(change), self.publish_event(change), async {
            if !gone {
                // Boxed: the callers' futures would otherwise grow past what clippy allows.
                Box::pin(self.data_changed(change.tenant_id)).await;
            }
        });
    }

    /// Raises the tenant's change version, after a change to its data committed. When Redis
    /// does not take it, the miss is recorded: the app plane's replicas raise it once Redis does
    /// (`app_api::live::versions`). Only when the record fails too does what the app plane kept
    /// live out its longest life (5 min).
    pub async fn data_changed(&self, tenant_id: Uuid) {
        let Some(redis) = &self.redis else { return };
        let key = shared::change_version::key(&self.prefix, tenant_id);
        if shared::change_version::bump(redis, &key).await.is_some() {
            return;
        }
        tracing::warn!(tenant = %tenant_id, "could not raise a tenant's change version; recording the miss");
        if let Err(err) = control_schema::versions::record_missed(&self.db, tenant_id).await {
            tracing::warn!(tenant = %tenant_id, error = %err, "a missed version bump could not be recorded");
        }
    }

    async fn publish_event(&self, change: &TenantChange) {
        let data = serde_json::to_value(change).expect("serializable");
        self.send_event("TenantChanged", change.status.as_str(), change.tenant_id, data).await;
    }

    /// `tenant.moved` (routing key `control.tenant.moved`): the tenant's rows moved from one
    /// placement to the other (its modes only: database names stay with platform operators).
    pub async fn moved(&self, change: &TenantChange, from: Mode, to: Mode) {
        let mut data = serde_json::to_value(change).expect("serializable");
        data["from"] = from.as_str().into();
        data["to"] = to.as_str().into();
        self.send_event("TenantMoved", "moved", change.tenant_id, data).await;
    }

    async fn send_event(&self, event: &str, what: &str, tenant: Uuid, data: serde_json::Value) {
        let Some(events) = &self.events else { return };
        let payload = serde_json::json!({
            "event": event,
            "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "data": data,
        });
        let payload = serde_json::to_vec(&payload).expect("serializable");
        let message_id = Uuid::now_v7().to_string();
        let routing_key = format!("control.tenant.{what}");
        let message = Message { routing_key: &routing_key, message_id: &message_id, payload: &payload };
        if let Err(err) = events.publish(&message).await {
            tracing::warn!(error = %err, tenant = %tenant, "could not publish a tenant event");
        }
    }

    async fn publish_cache_eviction(&self, change: &TenantChange) {
        let payload = serde_json::to_string(change).expect("serializable");
        if !self.redis_publish(&self.channel, payload).await {
            tracing::warn!(tenant = %change.tenant_id, "could not publish a tenant change");
        }
    }
}
