//! A tenant's change version: a counter in Redis, `{REDIS_KEY_PREFIX}tenant-version:{id}`, that
//! every change to the tenant's data raises, whichever service makes it (app-api's requests,
//! jobs and relay; control-api's member syncs and restores). The app plane tags its answers
//! with it and keeps them under it (`app_api::live`).
//!
//! A counter that is missing (never raised, idle for `IDLE_FOR`, or Redis restarted empty)
//! starts from the clock in microseconds, not from zero: a number is never handed out twice for
//! a tenant, so an answer kept under an old number is never taken for a current one.

use std::time::{SystemTime, UNIX_EPOCH};

use uuid::Uuid;

use crate::redis::Redis;

/// A counter not raised for this long is dropped (and starts from the clock again).
pub const IDLE_FOR_SECONDS: u64 = 7 * 24 * 3600;

/// The counter's key.
pub fn key(prefix: &str, tenant: Uuid) -> String {
    format!("{prefix}tenant-version:{tenant}")
}

fn clock_micros() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// The tenant's version now, the counter started if missing; `None` when Redis did not answer.
pub async fn read(redis: &Redis, key: &str) -> Option<u64> {
    let start = clock_micros();
    redis
        .run("tenant_version", |mut conn| async move {
            // Sets the start only when missing, and answers what was there before (nothing then).
            let before: Option<u64> = redis::cmd("SET")
                .arg(key)
                .arg(start)
                .arg("NX")
                .arg("GET")
                .arg("EX")
                .arg(IDLE_FOR_SECONDS)
                .query_async(&mut conn)
                .await?;
            Ok(before.unwrap_or(start))
        })
        .await
}

/// Raises the tenant's version (after the change committed); the new version, or `None` when
/// Redis did not take it.
pub async fn bump(redis: &Redis, key: &str) -> Option<u64> {
    redis
        .run("tenant_version", |mut conn| async move {
            redis::pipe()
                .cmd("SET")
                .arg(key)
                .arg(clock_micros())
                .arg("NX")
                .ignore()
                .cmd("INCR")
                .arg(key)
                .cmd("EXPIRE")
                .arg(key)
                .arg(IDLE_FOR_SECONDS)
                .ignore()
                .query_async::<(u64,)>(&mut conn)
                .await
                .map(|(version,)| version)
        })
        .await
}

/// Removes the counter (the tenant is deleted); `None` when Redis did not answer.
pub async fn forget(redis: &Redis, key: &str) -> Option<()> {
    redis
        .run("tenant_version", |mut conn| async move {
            redis::cmd("UNLINK").arg(key).query_async::<u64>(&mut conn).await.map(drop)
        })
        .await
}
