//! Request rate limits: GCRA (the algorithm `governor` implements), with its state in Redis so
//! every replica shares one budget (one atomic script per check, on Redis's clock), and an
//! in-process `governor` limiter when Redis is absent or failing (`crate::redis` decides).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock as _, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter as Governor};
use uuid::Uuid;

use crate::redis::Redis;

/// The outcome of one check, for `RateLimit-*` headers and `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the full budget is back.
    pub reset_secs: u64,
    /// Seconds until the next request would be allowed (0 when allowed).
    pub retry_after_secs: u64,
}

/// GCRA over a theoretical arrival time (µs) per key. KEYS[1]: the key. ARGV[1]: emission
/// interval in µs, ARGV[2]: burst. Returns allowed, remaining, µs until full, µs until allowed.
static GCRA: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| redis::Script::new(GCRA_LUA));

const GCRA_LUA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local window = interval * burst
local ahead = new_tat - now
if ahead > window then
  return {0, 0, tat - now, ahead - window}
end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil(ahead / 1000))
return {1, math.floor((window - ahead) / interval), ahead, 0}
";

type Local = Governor<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// One limit: `count` requests per `period` for a kind of key (bursts up to `count`).
pub struct Limit {
    count: NonZeroU32,
    period: Duration,
    local: Local,
}

impl Limit {
    /// `None` when `count` is 0 (the limit is off).
    pub fn per(count: u32, period: Duration) -> Option<Self> {
        let count = NonZeroU32::new(count)?;
        let quota = Quota::with_period(period / count.get())?.allow_burst(count);
        let local = Governor::keyed(quota).with_middleware::<StateInformationMiddleware>();
        Some(Self { count, period, local })
    }

    fn interval(&self) -> Duration {
        self.period / self.count.get()
    }
}

const MINUTE: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct RateLimiter {
    redis: Option<Redis>,
    prefix: Arc<str>,
    per_user: Option<Arc<Limit>>,
    per_ip: Option<Arc<Limit>>,
}

impl RateLimiter {
    /// Limits of 0 are disabled.
    pub fn new(redis: Option<Redis>, prefix: &str, per_user_per_minute: u32, per_ip_per_minute: u32) -> Self {
        Self {
            redis,
            prefix: Arc::from(format!("{prefix}rl:")),
            per_user: Limit::per(per_user_per_minute, MINUTE).map(Arc::new),
            per_ip: Limit::per(per_ip_per_minute, MINUTE).map(Arc::new),
        }
    }

    /// A user's budget within a tenant; `None` when the limit is off. Revalidations (a GET
    /// naming the answer it holds, `If-None-Match`: what an open page polls with) have a budget
    /// of their own, of the same size: a page kept open does not eat the user's budget for work.
    pub async fn check_user(&self, tenant: Uuid, user: Uuid, revalidation: bool) -> Option<Decision> {
        let limit = self.per_user.as_ref()?;
        let budget = if revalidation { "revalidate" } else { "user" };
        Some(self.check(limit, format!("{budget}:{tenant}:{user}")).await)
    }

    /// Removes the budgets of `tenant` from Redis (its users', its API keys'): what a deleted
    /// tenant leaves. How many keys went; `None` when Redis did not answer (0 without Redis:
    /// budgets in process memory go with their process).
    pub async fn forget_tenant(&self, tenant: Uuid) -> Option<u64> {
        let Some(redis) = &self.redis else { return Some(0) };
        redis.unlink_matching("rate_limit", &format!("{}*:{tenant}:*", self.prefix)).await
    }

    /// A client address's budget for unauthenticated traffic; `None` when the limit is off.
    pub async fn check_ip(&self, ip: IpAddr) -> Option<Decision> {
        let limit = self.per_ip.as_ref()?;
        Some(self.check(limit, format!("ip:{ip}")).await)
    }

    /// Any other limit, on a key of the caller's choosing (shared by every replica through
    /// Redis like the rest; in process while Redis is away).
    pub async fn check(&self, limit: &Limit, key: String) -> Decision {
        if let Some(redis) = &self.redis {
            let interval_us = u64::try_from(limit.interval().as_micros()).unwrap_or(u64::MAX);
            let redis_key = format!("{}{key}", self.prefix);
            let answer: Option<GcraAnswer> = redis
                .run("rate_limit", |mut conn| async move {
                    GCRA.key(redis_key).arg(interval_us).arg(limit.count.get()).invoke_async(&mut conn).await
                })
                .await;
            if let Some((allowed, remaining, until_full_us, until_allowed_us)) = answer {
                let secs = |us: i64| u64::try_from(us).unwrap_or(0).div_ceil(1_000_000);
                return Decision {
                    allowed: allowed == 1,
                    limit: limit.count.get(),
                    remaining: u32::try_from(remaining).unwrap_or(0),
                    reset_secs: secs(until_full_us),
                    retry_after_secs: secs(until_allowed_us),
                };
            }
        }
        check_local(limit, &key)
    }
}

type GcraAnswer = (i64, i64, i64, i64);

fn check_local(limit: &Limit, key: &str) -> Decision {
    // Keys of addresses and users come and go: forget the idle ones now and then.
    if limit.local.len() > 100_000 {
        limit.local.retain_recent();
    }
    let count = limit.count.get();
    match limit.local.check_key(&key.to_owned()) {
        Ok(snapshot) => {
            let remaining = snapshot.remaining_burst_capacity();
            let reset = limit.interval() * (count - remaining);
            Decision { allowed: true, limit: count, remaining, reset_secs: reset.as_secs().max(1), retry_after_secs: 0 }
        }
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Decision {
                allowed: false,
                limit: count,
                remaining: 0,
                reset_secs: limit.period.as_secs(),
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_61st_request_in_a_minute_is_refused_in_process() {
        let limiter = RateLimiter::new(None, "t:", 60, 0);
        let (tenant, user) = (Uuid::new_v4(), Uuid::new_v4());
        for n in 1..=60 {
            let decision = limiter.check_user(tenant, user, false).await.unwrap();
            assert!(decision.allowed, "request {n}");
            assert_eq!(decision.remaining, 60 - n);
        }
        let refused = limiter.check_user(tenant, user, false).await.unwrap();
        assert!(!refused.allowed);
        assert!((1..=1).contains(&refused.retry_after_secs), "{refused:?}");
        // Another user has a budget of their own; the IP limit is off.
        assert!(limiter.check_user(tenant, Uuid::new_v4(), false).await.unwrap().allowed);
        assert!(limiter.check_ip("127.0.0.1".parse().unwrap()).await.is_none());
    }
}
