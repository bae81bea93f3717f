//! Redis, as every part of a service uses it: a pool with short timeouts behind one circuit
//! breaker. Redis is optional everywhere: rate limits, lockouts, caches and change messages
//! each have an in-process fallback, and they all take it the same way. A call that fails or
//! outlasts `CALL_TIMEOUT` opens the breaker; for `OPEN_FOR` afterwards every caller falls back
//! at once instead of waiting on a dead server, then one call tries Redis again.
//!
//! Metrics: `redis_breaker_open` (0 or 1) and `redis_fallbacks_total{use}`. Channels are
//! listened to through `subscriber`, the one subscription loop.
//!
//! Redis is one server, or the master of a group watched by Sentinel (`RedisAddress`): then each
//! new connection asks the sentinels where the master is, and a connection that failed is
//! dropped, so after a failover the next connections go to the new master.

pub mod subscriber;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use deadpool::Runtime;
use deadpool::managed::{self, Metrics, PoolConfig, RecycleError, RecycleResult, Timeouts};
use prometheus::{IntCounterVec, IntGauge, Opts, Registry};
use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::{Cmd, Pipeline, RedisError, RedisFuture, Value};

use crate::config::{RedisAddress, RedisSentinels};

/// The longest one Redis call may take, connection included.
pub const CALL_TIMEOUT: Duration = Duration::from_millis(500);
/// How long callers fall back without trying after a failure.
pub const OPEN_FOR: Duration = Duration::from_secs(5);

/// Makes the pool's connections and takes them back without a round trip. (deadpool-redis's
/// manager sends `UNWATCH` and `PING` every time a connection leaves the pool: a second round trip
/// for every call.) A connection whose last call failed on the connection, or never finished
/// (cut by `CALL_TIMEOUT`), is dropped instead of reused.
pub struct Connections {
    address: RedisAddress,
}

/// A client of the server at `address`: the master the sentinels name, when there are sentinels
/// (asked in turn; the one they name is checked to be a master).
pub async fn client(address: &RedisAddress) -> redis::RedisResult<redis::Client> {
    match address {
        RedisAddress::Url(url) => redis::Client::open(url.expose()),
        // Boxed: the sentinels' future is deep, and every call's future would carry it.
        RedisAddress::Sentinel(group) => Box::pin(master(group)).await,
    }
}

async fn master(group: &RedisSentinels) -> redis::RedisResult<redis::Client> {
    use secrecy::ExposeSecret as _;
    let mut sentinel = redis::sentinel::Sentinel::build(group.sentinels.clone())?;
    let node = redis::sentinel::SentinelNodeConnectionInfo {
        tls_mode: None,
        redis_connection_info: group.password.as_ref().map(|password| redis::RedisConnectionInfo {
            password: Some(password.expose_secret().to_owned()),
            ..redis::RedisConnectionInfo::default()
        }),
    };
    sentinel.async_master_for(&group.master, Some(&node)).await
}

/// A pooled connection and whether it may be used again.
pub struct Tracked {
    conn: MultiplexedConnection,
    broken: bool,
}

impl managed::Manager for Connections {
    type Type = Tracked;
    type Error = RedisError;

    async fn create(&self) -> Result<Tracked, RedisError> {
        let client = client(&self.address).await?;
        Ok(Tracked { conn: client.get_multiplexed_async_connection().await?, broken: false })
    }

    async fn recycle(&self, conn: &mut Tracked, _: &Metrics) -> RecycleResult<RedisError> {
        if conn.broken { Err(RecycleError::message("its last call failed or was cut off")) } else { Ok(()) }
    }
}

/// The pool of connections to Redis.
pub type Pool = managed::Pool<Connections>;

/// A connection taken from the pool, as commands use it (`query_async(&mut conn)`).
pub struct Connection(managed::Object<Connections>);

/// Whether a call's failure leaves its connection unfit for the next call: the connection
/// failed, or its server is a replica now (a master demoted by a failover refuses writes).
fn breaks_connection<T>(result: &redis::RedisResult<T>) -> bool {
    result.as_ref().is_err_and(|e| {
        e.is_io_error()
            || e.is_connection_dropped()
            || e.is_unrecoverable_error()
            || e.kind() == redis::ErrorKind::ReadOnly
    })
}

// Each call marks the connection broken until it ends well: a call cut off (dropped by
// `CALL_TIMEOUT`) leaves it marked.
impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let tracked = &mut *self.0;
            tracked.broken = true;
            let result = tracked.conn.req_packed_command(cmd).await;
            tracked.broken = breaks_connection(&result);
            result
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let tracked = &mut *self.0;
            tracked.broken = true;
            let result = tracked.conn.req_packed_commands(cmd, offset, count).await;
            tracked.broken = breaks_connection(&result);
            result
        })
    }

    fn get_db(&self) -> i64 {
        self.0.conn.get_db()
    }
}

/// A lazily connecting pool with short timeouts.
fn pool(address: &RedisAddress, max_size: usize) -> Result<Pool, String> {
    if let RedisAddress::Url(url) = address {
        redis::Client::open(url.expose()).map_err(|e| e.to_string())?;
    }
    let config = PoolConfig {
        max_size,
        timeouts: Timeouts { wait: Some(CALL_TIMEOUT), create: Some(CALL_TIMEOUT), recycle: Some(CALL_TIMEOUT) },
        ..PoolConfig::default()
    };
    Pool::builder(Connections { address: address.clone() })
        .config(config)
        .runtime(Runtime::Tokio1)
        .build()
        .map_err(|e| e.to_string())
}

/// Closed, or open until a moment (as milliseconds since the breaker's epoch).
struct Breaker {
    epoch: Instant,
    open_until_ms: AtomicU64,
    open: AtomicBool,
}

impl Breaker {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn allows(&self) -> bool {
        self.now_ms() >= self.open_until_ms.load(Ordering::Acquire)
    }

    fn trip(&self) {
        let until = self.now_ms() + u64::try_from(OPEN_FOR.as_millis()).unwrap_or(u64::MAX);
        self.open_until_ms.store(until, Ordering::Release);
        self.open.store(true, Ordering::Release);
    }

    /// A call went through: true when that closed an open breaker.
    fn reset(&self) -> bool {
        self.open.swap(false, Ordering::AcqRel)
    }
}

#[derive(Clone)]
struct RedisMetrics {
    breaker_open: IntGauge,
    fallbacks: IntCounterVec,
}

#[derive(Clone)]
pub struct Redis {
    pool: Pool,
    breaker: Arc<Breaker>,
    metrics: RedisMetrics,
}

impl Redis {
    /// Connects lazily: nothing is opened until the first call.
    pub fn new(address: &RedisAddress, max_size: usize, registry: &Registry) -> Result<Self, String> {
        let breaker_open = IntGauge::new("redis_breaker_open", "1 while Redis calls are skipped after a failure")
            .expect("valid metric");
        let fallbacks = IntCounterVec::new(
            Opts::new("redis_fallbacks_total", "Redis calls that fell back to in-process state, by use"),
            &["use"],
        )
        .expect("valid metric");
        registry.register(Box::new(breaker_open.clone())).map_err(|e| e.to_string())?;
        registry.register(Box::new(fallbacks.clone())).map_err(|e| e.to_string())?;
        let breaker = Breaker { epoch: Instant::now(), open_until_ms: AtomicU64::new(0), open: AtomicBool::new(false) };
        Ok(Self {
            pool: pool(address, max_size)?,
            breaker: Arc::new(breaker),
            metrics: RedisMetrics { breaker_open, fallbacks },
        })
    }

    /// `PING`, past the breaker: the readiness probe must see Redis recover, breaker or not.
    pub async fn ping(&self) -> Result<(), String> {
        let attempt = tokio::time::timeout(CALL_TIMEOUT, async {
            let mut conn = Connection(self.pool.get().await.map_err(|e| e.to_string())?);
            redis::cmd("PING").query_async::<String>(&mut conn).await.map(drop).map_err(|e| e.to_string())
        });
        attempt.await.map_err(|_| "timed out".to_owned())?
    }

    pub fn breaker_open(&self) -> bool {
        !self.breaker.allows()
    }

    /// Runs `call` on a pooled connection. `None` when Redis is down, refused the call, or took
    /// longer than `CALL_TIMEOUT` (the breaker opens, and `use_` is counted as a fallback), and
    /// at once while the breaker is open: the caller then uses its in-process state.
    pub async fn run<T, F, Fut>(&self, use_: &'static str, call: F) -> Option<T>
    where
        F: FnOnce(Connection) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if !self.breaker.allows() {
            self.metrics.fallbacks.with_label_values(&[use_]).inc();
            return None;
        }
        // An error says whether the server looks gone (or demoted): then the idle connections
        // go too, as they likely lead to the same place.
        let attempt = tokio::time::timeout(CALL_TIMEOUT, async {
            let conn = self.pool.get().await.map_err(|e| {
                let unreachable = matches!(e, managed::PoolError::Backend(_));
                (e.to_string(), unreachable)
            })?;
            let result = call(Connection(conn)).await;
            let gone = breaks_connection(&result);
            result.map_err(|e| (e.to_string(), gone))
        })
        .await;
        match attempt {
            Ok(Ok(value)) => {
                if self.breaker.reset() {
                    self.metrics.breaker_open.set(0);
                    tracing::info!("Redis answers again");
                }
                Some(value)
            }
            Ok(Err((reason, gone))) => {
                if gone {
                    self.pool.retain(|_, _| false);
                }
                self.fail(use_, &reason);
                None
            }
            Err(_) => {
                self.fail(use_, "timed out");
                None
            }
        }
    }

    /// Removes every key matching `pattern` (a `SCAN` glob), walking the key space a page per
    /// call; how many went, or `None` when a call failed (what was removed before stays removed,
    /// and a second run finishes the walk). Costs a pass over every key: for rare work only (a
    /// deleted tenant's keys), never on a request's path.
    pub async fn unlink_matching(&self, use_: &'static str, pattern: &str) -> Option<u64> {
        let (mut cursor, mut removed) = (0u64, 0u64);
        loop {
            let (next, gone) = self
                .run(use_, |mut conn| async move {
                    let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(pattern)
                        .arg("COUNT")
                        .arg(1000)
                        .query_async(&mut conn)
                        .await?;
                    let gone =
                        if keys.is_empty() { 0 } else { redis::cmd("UNLINK").arg(keys).query_async(&mut conn).await? };
                    Ok((next, gone))
                })
                .await?;
            removed += gone;
            if next == 0 {
                return Some(removed);
            }
            cursor = next;
        }
    }

    fn fail(&self, use_: &'static str, reason: &str) {
        self.breaker.trip();
        self.metrics.breaker_open.set(1);
        self.metrics.fallbacks.with_label_values(&[use_]).inc();
        tracing::warn!(%reason, r#use = use_, "Redis unavailable: falling back to process memory for a while");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FromEnv as _, ServiceUrl};

    /// A port nothing listens on: every call fails fast.
    fn dead_redis(registry: &Registry) -> Redis {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let address = RedisAddress::Url(ServiceUrl::from_env(&format!("redis://127.0.0.1:{port}")).unwrap());
        Redis::new(&address, 2, registry).unwrap()
    }

    #[tokio::test]
    async fn a_failure_opens_the_breaker_and_later_calls_fall_back_at_once() {
        let registry = Registry::new();
        let redis = dead_redis(&registry);
        let first = redis.run("test", |mut c| async move { redis::cmd("PING").query_async::<String>(&mut c).await });
        assert_eq!(first.await, None);
        assert!(redis.breaker_open());
        let started = Instant::now();
        let called = std::sync::atomic::AtomicBool::new(false);
        let second = redis
            .run("test", |mut c| {
                called.store(true, Ordering::Relaxed);
                async move { redis::cmd("PING").query_async::<String>(&mut c).await }
            })
            .await;
        assert_eq!(second, None);
        assert!(!called.load(Ordering::Relaxed), "an open breaker does not even take a connection");
        assert!(started.elapsed() < Duration::from_millis(50));
        assert_eq!(redis.metrics.fallbacks.with_label_values(&["test"]).get(), 2);
        assert_eq!(redis.metrics.breaker_open.get(), 1);
    }

    /// The server's id of the connection a call gets from the pool (past the breaker).
    async fn client_id(redis: &Redis) -> i64 {
        let mut conn = Connection(redis.pool.get().await.unwrap());
        redis::cmd("CLIENT").arg("ID").query_async(&mut conn).await.unwrap()
    }

    #[tokio::test]
    async fn a_connection_is_reused_until_a_call_on_it_is_cut_off() {
        let url = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        let address = RedisAddress::Url(ServiceUrl::from_env(&url).unwrap());
        let redis = Redis::new(&address, 1, &Registry::new()).unwrap();
        let first = client_id(&redis).await;
        assert_eq!(client_id(&redis).await, first, "the same connection, taken back as it was");
        // A call that outlasts CALL_TIMEOUT is cut off: its connection may still be busy with it.
        let key = format!("helpdeskly-test-{}", uuid::Uuid::now_v7());
        let blocked = redis
            .run("test", |mut c| async move {
                redis::cmd("BLPOP").arg(key).arg(2).query_async::<Option<Vec<String>>>(&mut c).await
            })
            .await;
        assert_eq!(blocked, None);
        assert!(redis.breaker_open());
        let next = client_id(&redis).await;
        assert_ne!(next, first, "a new connection instead of the one cut off");
        assert_eq!(client_id(&redis).await, next);
    }
}
