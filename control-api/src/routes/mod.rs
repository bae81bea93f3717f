//! Handlers, one module per resource.

pub mod auth;
mod caller;
pub mod jwks;
pub mod operations;
mod refusals;
pub mod tenants;

use axum::http::StatusCode;
use shared::error::{ApiError, ApiResult};
use shared::ratelimit::{Limit, RateLimiter};

pub use caller::{Actor, Caller};
pub use refusals::LockedOut;

/// Counts a request against `limit` under `key`; once the limit is spent, a 429 `rate_limited`
/// saying `detail`, with the time to wait.
async fn within_limit(limiter: &RateLimiter, limit: &Limit, key: String, detail: &'static str) -> ApiResult<()> {
    let decision = limiter.check(limit, key).await;
    if decision.allowed {
        return Ok(());
    }
    Err(ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", detail)
        .with_retry_after(decision.retry_after_secs.max(1)))
}
