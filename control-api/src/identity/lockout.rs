//! Brute-force protection for every check of a password or a second factor: attempts are
//! counted per account and per client IP over an hour, *before* the secret is checked, in one
//! atomic step with the decision, so parallel guesses cannot pass the limit. Past a few free
//! attempts each further one locks the subject for a growing delay, and a hard cap locks it for
//! the rest of the hour. A proven secret gives its attempt back. State lives in Redis (shared by
//! every replica, one script per attempt) and falls back to process memory when Redis is absent
//! or failing (`shared::redis` decides, for every use of Redis alike).

use std::net::IpAddr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use shared::kept::{Kept, kept};
use shared::redis::Redis;

/// How long attempts are remembered.
pub const WINDOW: Duration = Duration::from_secs(3600);

/// The policy of one kind of subject.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Attempts that may fail before delays start: the `free`-th failed attempt sets the first
    /// lock (1 s), so at most `free` guesses run back to back.
    pub free: u32,
    /// Attempts per window after which the subject is locked until the window ends.
    pub cap: u32,
    /// The longest growing delay.
    pub max_delay: Duration,
}

/// Accounts: 5 attempts, then locks of 1 s, 2 s, 4 s ... up to 15 min; never more than 100
/// attempts an hour.
pub const ACCOUNT: Policy = Policy { free: 5, cap: 100, max_delay: Duration::from_secs(900) };
/// Client IPs (many people may share one): 30 attempts, up to 1000 an hour.
pub const IP: Policy = Policy { free: 30, cap: 1000, max_delay: Duration::from_secs(900) };

impl Policy {
    /// How long the subject is locked after its `attempts`-th attempt in the window, whose
    /// remaining time is `window_left`.
    pub fn lock_after(&self, attempts: u32, window_left: Duration) -> Duration {
        if attempts >= self.cap {
            return window_left;
        }
        if attempts < self.free {
            return Duration::ZERO;
        }
        let exponent = (attempts - self.free).min(20);
        Duration::from_secs(1u64 << exponent).min(self.max_delay)
    }
}

/// The policies in force (configurable so that tests and small deployments can tune them).
#[derive(Debug, Clone, Copy)]
pub struct Policies {
    pub account: Policy,
    pub ip: Policy,
}

impl Default for Policies {
    fn default() -> Self {
        Self { account: ACCOUNT, ip: IP }
    }
}

/// What is being protected.
#[derive(Debug, Clone)]
pub enum Subject {
    /// A login identifier (normalized email), or `mfa:{user id}` for second factors.
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
}

#[derive(Debug, Clone, Copy)]
struct LocalState {
    attempts: u32,
    window_start: Instant,
    locked_until: Option<Instant>,
}

/// Counts one attempt against every subject, or none when any of them is locked. KEYS: for
/// each subject its attempts key then its lock key. ARGV: the window (seconds), then free, cap
/// and max delay per subject. Returns 0 when counted, else the longest lock left in ms.
static ATTEMPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(ATTEMPT_LUA));

const ATTEMPT_LUA: &str = r"
local window = tonumber(ARGV[1])
local wait = 0
for i = 2, #KEYS, 2 do
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl > wait then wait = ttl end
end
if wait > 0 then return wait end
for i = 1, #KEYS, 2 do
  local p = (i - 1) / 2 * 3 + 2
  local free, cap, max_delay = tonumber(ARGV[p]), tonumber(ARGV[p + 1]), tonumber(ARGV[p + 2])
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('EXPIRE', KEYS[i], window) end
  local delay = 0
  if n >= cap then
    delay = redis.call('TTL', KEYS[i])
  elseif n >= free then
    delay = math.min(2 ^ math.min(n - free, 20), max_delay)
  end
  if delay > 0 then redis.call('SET', KEYS[i + 1], '1', 'EX', math.floor(delay)) end
end
return 0
";

#[derive(Clone)]
pub struct Lockout {
    redis: Option<Redis>,
    prefix: Arc<str>,
    policies: Policies,
    local: Kept<String, LocalState>,
    /// Makes the in-process check-and-count of several subjects one step.
    local_step: Arc<Mutex<()>>,
}

impl Lockout {
    pub fn new(redis: Option<Redis>, prefix: &str, policies: Policies) -> Self {
        let local = kept(100_000, WINDOW);
        Self {
            redis,
            prefix: Arc::from(format!("{prefix}lockout:")),
            policies,
            local,
            local_step: Arc::new(Mutex::new(())),
        }
    }

    fn policy(&self, subject: &Subject) -> Policy {
        match subject {
            Subject::Account(_) => self.policies.account,
            Subject::Ip(_) => self.policies.ip,
        }
    }

    /// Counts an attempt against every subject before the secret is checked, or refuses it
    /// with the time left when any of them is locked (then nothing is counted).
    pub async fn attempt(&self, subjects: &[Subject]) -> Result<(), Duration> {
        if let Some(redis) = &self.redis {
            let mut script = ATTEMPT.prepare_invoke();
            script.arg(WINDOW.as_secs());
            for subject in subjects {
                let key = subject.key();
                let policy = self.policy(subject);
                script.key(format!("{}{key}:attempts", self.prefix)).key(format!("{}{key}:lock", self.prefix));
                script.arg(policy.free).arg(policy.cap).arg(policy.max_delay.as_secs());
            }
            let wait_ms: Option<i64> =
                redis.run("lockout", |mut conn| async move { script.invoke_async(&mut conn).await }).await;
            if let Some(wait_ms) = wait_ms {
                let wait = Duration::from_millis(u64::try_from(wait_ms).unwrap_or(0));
                return if wait.is_zero() { Ok(()) } else { Err(wait) };
            }
        }
        self.local_attempt(subjects)
    }

    fn local_attempt(&self, subjects: &[Subject]) -> Result<(), Duration> {
        let _step = self.local_step.lock().expect("not poisoned");
        let now = Instant::now();
        let wait = subjects
            .iter()
            .filter_map(|s| self.local.get(&s.key())?.locked_until)
            .map(|until| until.saturating_duration_since(now))
            .max()
            .unwrap_or(Duration::ZERO);
        if !wait.is_zero() {
            return Err(wait);
        }
        for subject in subjects {
            let policy = self.policy(subject);
            let mut state = self
                .local
                .get(&subject.key())
                .filter(|s| now.duration_since(s.window_start) < WINDOW)
                .unwrap_or(LocalState { attempts: 0, window_start: now, locked_until: None });
            state.attempts += 1;
            let window_left = WINDOW.saturating_sub(now.duration_since(state.window_start));
            let lock = policy.lock_after(state.attempts, window_left);
            state.locked_until = (!lock.is_zero()).then(|| now + lock);
            self.local.insert(subject.key(), state);
        }
        Ok(())
    }

    /// After a proven secret: the account's attempts are forgotten, and the attempt counted
    /// against the IP is given back. IP counters are never cleared: one valid account must not
    /// reset guessing from that address.
    pub async fn succeeded(&self, subjects: &[Subject]) {
        for subject in subjects {
            let key = subject.key();
            if let Some(redis) = &self.redis {
                let attempts = format!("{}{key}:attempts", self.prefix);
                let lock = format!("{}{key}:lock", self.prefix);
                let account = matches!(subject, Subject::Account(_));
                redis
                    .run("lockout", |mut conn| async move {
                        if account {
                            redis::cmd("DEL").arg(&attempts).arg(&lock).query_async::<i64>(&mut conn).await
                        } else {
                            GIVE_BACK.key(&attempts).invoke_async::<i64>(&mut conn).await
                        }
                    })
                    .await;
            }
            let _step = self.local_step.lock().expect("not poisoned");
            match subject {
                Subject::Account(_) => self.local.invalidate(&key),
                Subject::Ip(_) => {
                    if let Some(mut state) = self.local.get(&key) {
                        state.attempts = state.attempts.saturating_sub(1);
                        self.local.insert(key, state);
                    }
                }
            }
        }
    }
}

/// Gives one counted attempt back, never below zero. KEYS: the attempts key.
static GIVE_BACK: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(GIVE_BACK_LUA));

const GIVE_BACK_LUA: &str = r"
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return n
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_free_attempts() {
        let hour = WINDOW;
        let delays: Vec<u64> = (1..=12).map(|n| ACCOUNT.lock_after(n, hour).as_secs()).collect();
        assert_eq!(delays, [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128]);
        assert_eq!(ACCOUNT.lock_after(40, hour), Duration::from_secs(900));
        assert_eq!(ACCOUNT.lock_after(100, Duration::from_secs(1234)), Duration::from_secs(1234));
    }

    /// An attacker who retries the moment each lock ends gets far fewer than 100 attempts an
    /// hour on one account.
    #[test]
    fn never_more_than_100_attempts_an_hour() {
        let mut elapsed = Duration::ZERO;
        let mut attempts = 0;
        while elapsed < WINDOW {
            attempts += 1;
            elapsed += ACCOUNT.lock_after(attempts, WINDOW.saturating_sub(elapsed)).max(Duration::from_millis(100));
        }
        assert!(attempts <= 100, "{attempts} attempts in an hour");
        assert!(attempts >= 10, "the policy should not lock out after a handful: {attempts}");
    }

    #[tokio::test]
    async fn in_process_fallback_counts_before_the_check_and_clears_on_success() {
        let lockout = Lockout::new(None, "test:", Policies::default());
        let account = Subject::Account("ada@example.org".into());
        let subjects = [account.clone()];
        for _ in 0..ACCOUNT.free {
            assert!(lockout.attempt(&subjects).await.is_ok());
        }
        let wait = lockout.attempt(&subjects).await.unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1), "{wait:?}");
        lockout.succeeded(&subjects).await;
        assert!(lockout.attempt(&subjects).await.is_ok());
    }

    #[tokio::test]
    async fn a_locked_subject_blocks_the_attempt_and_counts_nothing_on_the_others() {
        let policies = Policies { account: Policy { free: 2, ..ACCOUNT }, ip: IP };
        let lockout = Lockout::new(None, "test:", policies);
        let ip = Subject::Ip("192.0.2.1".parse().unwrap());
        let first = [Subject::Account("a@example.org".into()), ip.clone()];
        assert!(lockout.attempt(&first).await.is_ok());
        assert!(lockout.attempt(&first).await.is_ok());
        assert!(lockout.attempt(&first).await.is_err(), "the account is locked");
        assert_eq!(lockout.local.get(&ip.key()).unwrap().attempts, 2, "the refused attempt was not counted");
        // A success gives the IP its attempt back, without going below zero.
        lockout.succeeded(std::slice::from_ref(&ip)).await;
        lockout.succeeded(std::slice::from_ref(&ip)).await;
        lockout.succeeded(std::slice::from_ref(&ip)).await;
        assert_eq!(lockout.local.get(&ip.key()).unwrap().attempts, 0);
    }
}
