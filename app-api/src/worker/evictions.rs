//! Listens for what control-api publishes on Redis and acts at once: a tenant change evicts the
//! cached lookup (here and in Redis) and, unless the tenant is still active, its connection
//! pool; revoked sessions join the set whose tokens are refused (caught up from the control
//! database on every (re)subscription). Without Redis there is nothing to listen to: the cache
//! TTL bounds staleness, and revocations are polled.

use std::sync::Arc;

use serde::Deserialize;
use shared::redis::subscriber;
use shared::tenant::TenantStatus;
use uuid::Uuid;

use crate::config::AppConfig;
use crate::infra::Gate;
use crate::tenancy::Tenancy;

#[derive(Debug, Deserialize)]
struct Revoked {
    sessions: Vec<Uuid>,
}

#[derive(Debug, Deserialize)]
struct TenantChange {
    tenant_id: Uuid,
    slug: String,
    status: String,
}

pub async fn listen(
    config: Arc<AppConfig>,
    tenancy: Arc<Tenancy>,
    gate: Arc<Gate>,
    shutdown: impl Future<Output = ()>,
) {
    let Some(address) = config.redis.clone() else { return };
    let prefix = &config.redis_key_prefix;
    let evictions = Evictions {
        tenancy: &tenancy,
        gate: &gate,
        tenants: format!("{prefix}tenant-changes"),
        revocations: format!("{prefix}session-revocations"),
    };
    subscriber::listen(&address, &evictions, shutdown).await;
}

struct Evictions<'a> {
    tenancy: &'a Tenancy,
    gate: &'a Gate,
    tenants: String,
    revocations: String,
}

impl subscriber::Listener for Evictions<'_> {
    fn name(&self) -> &'static str {
        "tenant changes and revoked sessions"
    }

    fn channels(&self) -> Vec<String> {
        vec![self.tenants.clone(), self.revocations.clone()]
    }

    /// Changes published while nobody listened are unknown: start from nothing, and read the
    /// revocations from their source.
    async fn subscribed(&self) {
        self.tenancy.resolver.evict_all();
        if let Err(err) = self.gate.revoked.catch_up(&self.tenancy.control_db).await {
            tracing::warn!(error = %err, "cannot read revoked sessions from the control database");
        }
    }

    async fn message(&self, channel: &str, payload: String) {
        if channel == self.revocations {
            if let Ok(revoked) = serde_json::from_str::<Revoked>(&payload) {
                self.gate.revoked.insert_all(revoked.sessions);
            } else {
                tracing::warn!("ignoring a malformed session revocation message");
            }
            return;
        }
        let Ok(change) = serde_json::from_str::<TenantChange>(&payload) else {
            tracing::warn!("ignoring a malformed tenant change message");
            return;
        };
        // Redis away: the entry there lives out its TTL.
        let _ = self.tenancy.resolver.evict(&change.slug).await;
        // A status this version does not know is treated like any other inactive one.
        if TenantStatus::parse(&change.status) != Some(TenantStatus::Active) {
            self.tenancy.pools.forget(change.tenant_id);
        }
        tracing::debug!(slug = change.slug, status = change.status, "tenant evicted");
    }
}
