//! Brute-force protection for logins and second factors: failures are counted per account and
//! per client IP over an hour; past a few free failures each further one locks the subject for
//! a growing delay, and a hard cap locks it for the rest of the hour. State lives in Redis
//! (shared by every replica, one atomic script per failure) and falls back to process memory
//! when Redis is absent or failing.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deadpool_redis::Pool;
use moka::sync::Cache;

/// How long failures are remembered.
pub const WINDOW: Duration = Duration::from_secs(3600);

/// The policy of one kind of subject.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures allowed before delays start.
    pub free: u32,
    /// Failures per window after which the subject is locked until the window ends.
    pub cap: u32,
    /// The longest growing delay.
    pub max_delay: Duration,
}

/// Accounts: 5 free failures, then 1 s, 2 s, 4 s ... up to 15 min; never more than 100 failures
/// an hour.
pub const ACCOUNT: Policy = Policy { free: 5, cap: 100, max_delay: Duration::from_secs(900) };
/// Client IPs (many people may share one): 30 free failures, up to 1000 an hour.
pub const IP: Policy = Policy { free: 30, cap: 1000, max_delay: Duration::from_secs(900) };

impl Policy {
    /// How long the subject is locked after its `failures`-th failure in the window, whose
    /// remaining time is `window_left`.
    pub fn lock_after(&self, failures: u32, window_left: Duration) -> Duration {
        if failures >= self.cap {
            return window_left;
        }
        if failures <= self.free {
            return Duration::ZERO;
        }
        let exponent = (failures - self.free - 1).min(20);
        Duration::from_secs(1u64 << exponent).min(self.max_delay)
    }
}

/// What is being protected.
#[derive(Debug, Clone)]
pub enum Subject {
    /// A login identifier (normalized email) or a user id for second factors.
    Account(String),
    Ip(IpAddr),
}

impl Subject {
    fn key(&self) -> String {
        match self {
            Self::Account(id) => format!("account:{id}"),
            Self::Ip(ip) => format!("ip:{ip}"),
        }
    }

    fn policy(&self) -> Policy {
        match self {
            Self::Account(_) => ACCOUNT,
            Self::Ip(_) => IP,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct LocalState {
    failures: u32,
    window_start: Instant,
    locked_until: Option<Instant>,
}

/// Atomically counts a failure and sets the lock. KEYS: failures, lock. ARGV: free, cap,
/// max delay, window (seconds).
const RECORD_FAILURE: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
local free, cap, max_delay = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local delay = 0
if n >= cap then
  delay = redis.call('TTL', KEYS[1])
elseif n > free then
  delay = math.min(2 ^ math.min(n - free - 1, 20), max_delay)
end
if delay > 0 then redis.call('SET', KEYS[2], '1', 'EX', math.floor(delay)) end
return n
";

#[derive(Clone)]
pub struct Lockout {
    redis: Option<Pool>,
    prefix: Arc<str>,
    local: Cache<String, LocalState>,
}

impl Lockout {
    pub fn new(redis: Option<Pool>, prefix: &str) -> Self {
        let local = Cache::builder().max_capacity(100_000).time_to_live(WINDOW).build();
        Self { redis, prefix: Arc::from(format!("{prefix}lockout:")), local }
    }

    /// `Err(retry_after)` when any subject is locked.
    pub async fn check(&self, subjects: &[Subject]) -> Result<(), Duration> {
        let mut wait = Duration::ZERO;
        for subject in subjects {
            wait = wait.max(self.locked_for(subject).await);
        }
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    async fn locked_for(&self, subject: &Subject) -> Duration {
        let key = subject.key();
        if let Some(pool) = &self.redis {
            match self.redis_lock_ttl(pool, &key).await {
                Ok(ttl) => return ttl,
                Err(err) => tracing::warn!(error = %err, "lockout: Redis unavailable, using process memory"),
            }
        }
        let now = Instant::now();
        self.local
            .get(&key)
            .and_then(|s| s.locked_until)
            .map_or(Duration::ZERO, |until| until.saturating_duration_since(now))
    }

    async fn redis_lock_ttl(&self, pool: &Pool, key: &str) -> Result<Duration, String> {
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        let ms: i64 = redis::cmd("PTTL")
            .arg(format!("{}{key}:lock", self.prefix))
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        Ok(u64::try_from(ms).map_or(Duration::ZERO, Duration::from_millis))
    }

    /// Counts one failure against each subject.
    pub async fn record_failure(&self, subjects: &[Subject]) {
        for subject in subjects {
            let key = subject.key();
            let policy = subject.policy();
            if let Some(pool) = &self.redis {
                match self.redis_record(pool, &key, policy).await {
                    Ok(()) => continue,
                    Err(err) => tracing::warn!(error = %err, "lockout: Redis unavailable, using process memory"),
                }
            }
            self.local_record(key, policy);
        }
    }

    async fn redis_record(&self, pool: &Pool, key: &str, policy: Policy) -> Result<(), String> {
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        redis::Script::new(RECORD_FAILURE)
            .key(format!("{}{key}:failures", self.prefix))
            .key(format!("{}{key}:lock", self.prefix))
            .arg(policy.free)
            .arg(policy.cap)
            .arg(policy.max_delay.as_secs())
            .arg(WINDOW.as_secs())
            .invoke_async::<i64>(&mut conn)
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }

    fn local_record(&self, key: String, policy: Policy) {
        let now = Instant::now();
        self.local.entry(key).and_upsert_with(|existing| {
            let mut state = existing
                .map(moka::Entry::into_value)
                .filter(|s| now.duration_since(s.window_start) < WINDOW)
                .unwrap_or(LocalState { failures: 0, window_start: now, locked_until: None });
            state.failures += 1;
            let window_left = WINDOW.saturating_sub(now.duration_since(state.window_start));
            let lock = policy.lock_after(state.failures, window_left);
            if !lock.is_zero() {
                state.locked_until = Some(now + lock);
            }
            state
        });
    }

    /// Forgets an account's failures after it proved itself. IP counters are never cleared by
    /// a success: one valid account must not reset guessing from that address.
    pub async fn clear(&self, subject: &Subject) {
        let key = subject.key();
        self.local.invalidate(&key);
        if let Some(pool) = &self.redis {
            let result = async {
                let mut conn = pool.get().await.map_err(|e| e.to_string())?;
                redis::cmd("DEL")
                    .arg(format!("{}{key}:failures", self.prefix))
                    .arg(format!("{}{key}:lock", self.prefix))
                    .query_async::<i64>(&mut conn)
                    .await
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
            .await;
            if let Err(err) = result {
                tracing::warn!(error = %err, "lockout: could not clear in Redis");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_free_failures() {
        let hour = WINDOW;
        let delays: Vec<u64> = (1..=12).map(|n| ACCOUNT.lock_after(n, hour).as_secs()).collect();
        assert_eq!(delays, [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(ACCOUNT.lock_after(40, hour), Duration::from_secs(900));
        assert_eq!(ACCOUNT.lock_after(100, Duration::from_secs(1234)), Duration::from_secs(1234));
    }

    /// An attacker who retries the moment each lock ends gets far fewer than 100 failures an
    /// hour on one account.
    #[test]
    fn never_more_than_100_failures_an_hour() {
        let mut elapsed = Duration::ZERO;
        let mut failures = 0;
        while elapsed < WINDOW {
            failures += 1;
            elapsed += ACCOUNT.lock_after(failures, WINDOW.saturating_sub(elapsed)).max(Duration::from_millis(100));
        }
        assert!(failures <= 100, "{failures} failures in an hour");
        assert!(failures >= 10, "the policy should not lock out after a handful: {failures}");
    }

    #[tokio::test]
    async fn in_process_fallback_locks_and_clears() {
        let lockout = Lockout::new(None, "test:");
        let account = Subject::Account("ada@example.org".into());
        let subjects = [account.clone()];
        for _ in 0..5 {
            lockout.record_failure(&subjects).await;
            assert!(lockout.check(&subjects).await.is_ok());
        }
        lockout.record_failure(&subjects).await;
        let wait = lockout.check(&subjects).await.unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1), "{wait:?}");
        lockout.clear(&account).await;
        assert!(lockout.check(&subjects).await.is_ok());
    }
}
