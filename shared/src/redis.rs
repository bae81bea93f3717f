//! Redis connection pools. Redis is optional everywhere: callers hold `Option<Pool>` and fall
//! back to in-process state when it is absent or down.

use std::time::Duration;

use deadpool_redis::{Config, Pool, PoolConfig, Runtime, Timeouts};

use crate::config::ServiceUrl;

/// A lazily connecting pool with short timeouts, so a dead Redis costs a request at most a
/// second before the caller falls back.
pub fn pool(url: &ServiceUrl, max_size: usize) -> Result<Pool, String> {
    let mut config = Config::from_url(url.expose());
    config.pool = Some(PoolConfig {
        max_size,
        timeouts: Timeouts {
            wait: Some(Duration::from_secs(1)),
            create: Some(Duration::from_secs(1)),
            recycle: Some(Duration::from_secs(1)),
        },
        ..PoolConfig::default()
    });
    config.create_pool(Some(Runtime::Tokio1)).map_err(|e| e.to_string())
}
