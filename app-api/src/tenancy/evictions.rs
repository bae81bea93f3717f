//! Listens for tenant changes control-api publishes on Redis and evicts at once: the cached
//! lookup (here and in Redis) and, unless the tenant is still active, its connection pool.
//! Without Redis there is nothing to listen to: the cache TTL bounds staleness.

use std::time::Duration;

use futures_util::StreamExt as _;
use serde::Deserialize;
use uuid::Uuid;

use crate::state::AppState;

#[derive(Debug, Deserialize)]
struct TenantChange {
    tenant_id: Uuid,
    slug: String,
    status: String,
}

pub async fn listen(state: AppState, shutdown: impl Future<Output = ()>) {
    let Some(url) = state.config.redis_url.clone() else { return };
    let channel = format!("{}tenant-changes", state.config.redis_key_prefix);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            result = subscribe_and_evict(&state, url.expose(), &channel) => {
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

async fn subscribe_and_evict(state: &AppState, url: &str, channel: &str) -> redis::RedisResult<()> {
    let client = redis::Client::open(url)?;
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    // Changes published while we were not listening are unknown: start from nothing.
    state.resolver.evict_all();
    tracing::info!(channel, "listening for tenant changes");
    let mut messages = pubsub.on_message();
    while let Some(message) = messages.next().await {
        let Ok(payload) = message.get_payload::<String>() else { continue };
        let Ok(change) = serde_json::from_str::<TenantChange>(&payload) else {
            tracing::warn!("ignoring a malformed tenant change message");
            continue;
        };
        state.resolver.evict(&change.slug).await;
        if change.status != "active" {
            state.pools.forget(change.tenant_id);
        }
        tracing::debug!(slug = change.slug, status = change.status, "tenant evicted");
    }
    Ok(())
}
