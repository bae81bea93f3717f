//! The tenant plane's plumbing that is not the domain: the access tokens it verifies
//! (`access_tokens`), the sessions revoked anywhere (pushed through Redis, `revocations`), the
//! control plane it calls, and the idempotency keys of retried requests.

pub mod access_tokens;
pub mod control_plane;
pub mod idempotency;
pub mod mail_in_metrics;
pub mod revocations;

use std::sync::Arc;

use shared::ratelimit::RateLimiter;

use self::access_tokens::TokenVerifier;
use self::revocations::RevokedSessions;

/// The way in, for the tenant middleware: the rate limits, the token verifier and the sessions
/// (and API keys) revoked anywhere.
pub struct Gate {
    pub limiter: RateLimiter,
    pub verifier: TokenVerifier,
    pub revoked: Arc<RevokedSessions>,
    /// Where revocations are announced to the other replicas (`{prefix}session-revocations`).
    pub redis: Option<shared::redis::Redis>,
    pub revocations_channel: String,
    /// `http_rate_limited_total{limit}`: requests answered 429, by the budget they ran out of
    /// (`user`, `revalidation`, `ip`, `api_key`).
    pub refused: prometheus::IntCounterVec,
}

/// The budgets a request may run out of, as `http_rate_limited_total`'s `limit` label.
pub const LIMITS: [&str; 4] = ["user", "revalidation", "ip", "api_key"];

/// `http_rate_limited_total`, registered with every label at 0.
pub fn refused_counter(registry: &prometheus::Registry) -> prometheus::IntCounterVec {
    let counter = prometheus::IntCounterVec::new(
        prometheus::Opts::new("http_rate_limited_total", "Requests answered 429, by the budget they ran out of"),
        &["limit"],
    )
    .expect("a valid metric");
    registry.register(Box::new(counter.clone())).expect("registered once");
    for limit in LIMITS {
        counter.with_label_values(&[limit]);
    }
    counter
}

impl Gate {
    /// Tells every replica (this one at once) that `id` (a session, or an API key) is revoked: it
    /// joins the revoked set that every request is checked against, kept or not.
    pub async fn announce_revoked(&self, id: uuid::Uuid) {
        self.revoked.insert_all([id]);
        let Some(redis) = &self.redis else { return };
        let channel = self.revocations_channel.clone();
        let message = serde_json::json!({ "sessions": [id] }).to_string();
        let published: Option<i64> = redis
            .run("publish", |mut conn| async move {
                redis::cmd("PUBLISH").arg(channel).arg(message).query_async(&mut conn).await
            })
            .await;
        if published.is_none() {
            tracing::warn!(key = %id, "cannot announce a revoked API key on Redis: other replicas refuse it within a second");
        }
    }
}
