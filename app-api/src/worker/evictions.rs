//! Listens for what control-api publishes on Redis and acts at once: a tenant change evicts the
//! cached lookup (here and in Redis) and, unless the tenant is still active, its connection
//! pool; revoked sessions join the set whose tokens are refused (caught up from the control
//! database on every (re)subscription). Without Redis there is nothing to listen to: the cache
//! TTL bounds staleness, and revocations are polled.

use std::time::Duration;

use futures_util::StreamExt as _;
use serde::Deserialize;
use shared::tenant::TenantStatus;
use uuid::Uuid;

use crate::state::AppState;

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

pub async fn listen(state: AppState, shutdown: impl Future<Output = ()>) {
    let Some(url) = state.config.redis_url.clone() else { return };
    let prefix = &state.config.redis_key_prefix;
    let channels =
        Channels { tenants: format!("{prefix}tenant-changes"), revocations: format!("{prefix}session-revocations") };
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            result = subscribe_and_evict(&state, url.expose(), &channels) => {
                if let Err(err) = result {
                    tracing::warn!(error = %err, "tenant change subscription lost; resubscribing");
                }
            }
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

struct Channels {
    tenants: String,
    revocations: String,
}

async fn subscribe_and_evict(state: &AppState, url: &str, channels: &Channels) -> redis::RedisResult<()> {
    let client = redis::Client::open(url)?;
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(&channels.tenants).await?;
    pubsub.subscribe(&channels.revocations).await?;
    // Changes published while we were not listening are unknown: start from nothing, and read
    // the revocations from their source.
    state.resolver.evict_all();
    if let Err(err) = state.revoked.catch_up(&state.control_db).await {
        tracing::warn!(error = %err, "cannot read revoked sessions from the control database");
    }
    tracing::info!(channel = channels.tenants, "listening for tenant changes and revoked sessions");
    let mut messages = pubsub.on_message();
    while let Some(message) = messages.next().await {
        let Ok(payload) = message.get_payload::<String>() else { continue };
        if message.get_channel_name() == channels.revocations {
            if let Ok(revoked) = serde_json::from_str::<Revoked>(&payload) {
                state.revoked.insert_all(revoked.sessions);
            } else {
                tracing::warn!("ignoring a malformed session revocation message");
            }
            continue;
        }
        let Ok(change) = serde_json::from_str::<TenantChange>(&payload) else {
            tracing::warn!("ignoring a malformed tenant change message");
            continue;
        };
        state.resolver.evict(&change.slug).await;
        // A status this version does not know is treated like any other inactive one.
        if TenantStatus::parse(&change.status) != Some(TenantStatus::Active) {
            state.pools.forget(change.tenant_id);
        }
        tracing::debug!(slug = change.slug, status = change.status, "tenant evicted");
    }
    Ok(())
}
