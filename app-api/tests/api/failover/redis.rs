//! Redis watched by Sentinel: a group of the test's own (a master, a replica, three sentinels,
//! `redis-server` processes on free ports of 127.0.0.1) behind an app-api replica configured with
//! `REDIS_SENTINELS` and `REDIS_SENTINEL_MASTER`. The master is killed while requests flow: every
//! request succeeds (Redis is optional), and the replica's rate-limit calls reach the promoted
//! master within 10 s of the kill.

use std::time::{Duration, Instant};

use harness::eventually;
use shared::config::{RedisAddress, RedisSentinels};

use super::{Process, free_port};
use crate::helpers::Platform;

const MASTER_NAME: &str = "helpdeskly-test";

/// A master, its replica and three sentinels, stopped on drop, then their folder removed (the
/// fields drop in this order).
struct RedisGroup {
    master: (u16, Option<Process>),
    replica: (u16, Process),
    sentinels: Vec<(u16, Process)>,
    /// Removed when the group drops, after its processes.
    _dir: tempfile::TempDir,
}

fn server(dir: &std::path::Path, name: &str, port: u16, extra: &[&str]) -> Process {
    let mut args = vec![
        "--port".to_owned(),
        port.to_string(),
        "--bind".to_owned(),
        "127.0.0.1".to_owned(),
        "--save".to_owned(),
        String::new(),
        "--appendonly".to_owned(),
        "no".to_owned(),
        "--dir".to_owned(),
        dir.display().to_string(),
        "--dbfilename".to_owned(),
        format!("{name}.rdb"),
    ];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    Process::spawn(name, "redis-server", &args)
}

/// Answers `command` from the server at `port`, or the error's text.
async fn ask<T: redis::FromRedisValue>(port: u16, command: &redis::Cmd) -> Result<T, String> {
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).map_err(|e| e.to_string())?;
    let attempt = async {
        let mut conn = client.get_multiplexed_async_connection().await?;
        command.query_async(&mut conn).await
    };
    tokio::time::timeout(Duration::from_secs(2), attempt)
        .await
        .map_err(|_| "timed out".to_owned())?
        .map_err(|e| e.to_string())
}

/// `ROLE`'s first word: `master`, `slave` or `sentinel`.
async fn role(port: u16) -> Option<String> {
    let role: Vec<redis::Value> = ask(port, &redis::cmd("ROLE")).await.ok()?;
    match role.first()? {
        redis::Value::BulkString(word) => Some(String::from_utf8_lossy(word).into_owned()),
        redis::Value::SimpleString(word) => Some(word.clone()),
        _ => None,
    }
}

/// How many times the server at `port` ran a script sent by a client (`EVALSHA`).
async fn scripts_run(port: u16) -> u64 {
    let info: String = ask(port, redis::cmd("INFO").arg("commandstats")).await.unwrap_or_default();
    info.lines()
        .find_map(|line| line.strip_prefix("cmdstat_evalsha:calls="))
        .and_then(|rest| rest.split(',').next())
        .and_then(|calls| calls.parse().ok())
        .unwrap_or(0)
}

impl RedisGroup {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (master_port, replica_port) = (free_port(), free_port());
        let master = server(dir.path(), "master", master_port, &[]);
        eventually(Duration::from_secs(10), "the master answers", || async { role(master_port).await }).await;
        let replica_of = master_port.to_string();
        let replica = server(dir.path(), "replica", replica_port, &["--replicaof", "127.0.0.1", &replica_of]);
        eventually(Duration::from_secs(10), "the replica follows the master", || async {
            let info: String = ask(replica_port, redis::cmd("INFO").arg("replication")).await.ok()?;
            info.contains("master_link_status:up").then_some(())
        })
        .await;
        let mut sentinels = Vec::new();
        for n in 0..3 {
            let port = free_port();
            let config = dir.path().join(format!("sentinel-{n}.conf"));
            let text = format!(
                "port {port}\nbind 127.0.0.1\ndir {dir}\nsentinel monitor {MASTER_NAME} 127.0.0.1 {master_port} 2\n\
                 sentinel down-after-milliseconds {MASTER_NAME} 500\nsentinel failover-timeout {MASTER_NAME} 10000\n",
                dir = dir.path().display(),
            );
            std::fs::write(&config, text).unwrap();
            let args = [config.display().to_string(), "--sentinel".to_owned()];
            sentinels.push((port, Process::spawn(&format!("sentinel-{n}"), "redis-server", &args)));
        }
        let group =
            Self { master: (master_port, Some(master)), replica: (replica_port, replica), sentinels, _dir: dir };
        // Each sentinel knows the replica and the two other sentinels: a failover can be agreed.
        for (port, _) in &group.sentinels {
            let port = *port;
            eventually(Duration::from_secs(30), "the sentinels know each other and the replica", || async move {
                let others: Vec<redis::Value> =
                    ask(port, redis::cmd("SENTINEL").arg("sentinels").arg(MASTER_NAME)).await.ok()?;
                let replicas: Vec<redis::Value> =
                    ask(port, redis::cmd("SENTINEL").arg("replicas").arg(MASTER_NAME)).await.ok()?;
                (others.len() == 2 && replicas.len() == 1).then_some(())
            })
            .await;
        }
        group
    }

    fn address(&self) -> RedisAddress {
        RedisAddress::Sentinel(RedisSentinels {
            sentinels: self.sentinels.iter().map(|(port, _)| format!("redis://127.0.0.1:{port}")).collect(),
            master: MASTER_NAME.to_owned(),
            password: None,
        })
    }

    /// The master's address as the first sentinel gives it.
    async fn master_port(&self) -> Option<u16> {
        let (host, port): (String, String) =
            ask(self.sentinels[0].0, redis::cmd("SENTINEL").arg("get-master-addr-by-name").arg(MASTER_NAME))
                .await
                .ok()?;
        (host == "127.0.0.1").then_some(())?;
        port.parse().ok()
    }
}

#[tokio::test]
async fn when_the_redis_master_dies_requests_go_on_and_the_promoted_replica_is_used_within_ten_seconds() {
    let mut group = RedisGroup::start().await;
    let (platform, org) = Platform::with_org(false).await;
    let address = group.address();
    let app = platform
        .replica_with(move |c| {
            c.redis = Some(address);
            c.redis_key_prefix = format!("hdtest:{}:", uuid::Uuid::now_v7().simple());
            c.rate_limits.per_user_per_minute = 1_000_000;
            c.events.relay_in_serve = false;
        })
        .await;
    let (master_port, replica_port) = (group.master.0, group.replica.0);
    let me = || app.get(&org.slug, "/v1/me", Some(&org.owner_token));
    assert_eq!(me().await.status, 200);
    assert!(scripts_run(master_port).await > 0, "the replica counts its rate limits on the master");
    assert_eq!(scripts_run(replica_port).await, 0, "and not on the replica");

    let killed_at = Instant::now();
    drop(group.master.1.take());
    let failed = std::sync::Mutex::new(Vec::new());
    let promoted_after = std::sync::Mutex::new(None);
    let used_after = eventually(Duration::from_secs(30), "the service uses the promoted replica", || async {
        let response = me().await;
        if response.status != 200 {
            failed.lock().unwrap().push(format!("{} {}", response.status, response.body));
        }
        if promoted_after.lock().unwrap().is_none() && group.master_port().await == Some(replica_port) {
            *promoted_after.lock().unwrap() = Some(killed_at.elapsed());
        }
        (scripts_run(replica_port).await > 0).then(|| killed_at.elapsed())
    })
    .await;
    let (failed, promoted_after) = (failed.into_inner().unwrap(), promoted_after.into_inner().unwrap());
    assert!(failed.is_empty(), "requests failed while the master was away: {failed:?}");
    assert_eq!(role(replica_port).await.as_deref(), Some("master"), "the replica was promoted");
    println!("master killed: promoted after {promoted_after:?}, used by the service after {used_after:?}");
    assert!(used_after < Duration::from_secs(10), "the new master was used after {used_after:?}");
    // From then on the breaker stays closed: calls go to the new master.
    let before = scripts_run(replica_port).await;
    for _ in 0..5 {
        assert_eq!(me().await.status, 200);
    }
    assert!(scripts_run(replica_port).await >= before + 5, "every request's limit counted on the new master");
    let metrics = app.server.get("/metrics").await.body;
    assert!(metrics.contains("redis_breaker_open 0"), "{metrics}");
}
