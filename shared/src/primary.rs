//! PostgreSQL behind several hosts: a primary and its standbys, one of which an operator (or
//! Patroni, or a managed service) promotes when the primary dies. A URL naming several hosts
//! (`config::DatabaseUrl`) is served by the one that accepts writes, as libpq's
//! `target_session_attrs=read-write` chooses: `connect_writable` for a connection of its own,
//! `pool` for a pool that follows the primary to another host after a failover. A URL of one
//! host costs nothing more.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection as _, PgConnection};

use crate::config::DatabaseUrl;

/// How long connecting to one host may take before the next is tried.
const HOST_TIMEOUT: Duration = Duration::from_secs(2);
/// How often a pool over several hosts checks that its host still accepts writes.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// Whether the server on `conn` accepts writes (not a standby, not read-only by default).
async fn accepts_writes(conn: &mut PgConnection) -> sqlx::Result<bool> {
    let read_only: String = sqlx::query_scalar("SHOW transaction_read_only").fetch_one(conn).await?;
    Ok(read_only == "off")
}

/// A connection to the first of `hosts` that accepts writes (the only one without checking,
/// when there is one). An error when none does: the last host's, or an I/O error saying so
/// (a 503 for a request).
pub async fn connect_writable(hosts: &[PgConnectOptions]) -> sqlx::Result<PgConnection> {
    if let [only] = hosts {
        return PgConnection::connect_with(only).await;
    }
    let mut failure = None;
    for options in hosts {
        let connecting = tokio::time::timeout(HOST_TIMEOUT, PgConnection::connect_with(options));
        match connecting.await {
            Ok(Ok(mut conn)) => match accepts_writes(&mut conn).await {
                Ok(true) => return Ok(conn),
                Ok(false) => {
                    let _ = conn.close().await;
                }
                Err(err) => failure = Some(err),
            },
            Ok(Err(err)) => failure = Some(err),
            Err(_) => {}
        }
    }
    Err(failure.unwrap_or_else(none_writable))
}

/// The options of the first of `hosts` that accepts writes now (of the only one, without
/// connecting, when there is one); an error as `connect_writable`'s when none does.
pub async fn writable_host(hosts: &[PgConnectOptions]) -> sqlx::Result<PgConnectOptions> {
    if let [only] = hosts {
        return Ok(only.clone());
    }
    let mut failure = None;
    for options in hosts {
        let connecting = tokio::time::timeout(HOST_TIMEOUT, PgConnection::connect_with(options));
        let Ok(connected) = connecting.await else { continue };
        match connected {
            Ok(mut conn) => {
                let writable = accepts_writes(&mut conn).await;
                let _ = conn.close().await;
                match writable {
                    Ok(true) => return Ok(options.clone()),
                    Ok(false) => {}
                    Err(err) => failure = Some(err),
                }
            }
            Err(err) => failure = Some(err),
        }
    }
    Err(failure.unwrap_or_else(none_writable))
}

fn none_writable() -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::NotConnected, "no host of the list accepts writes"))
}

/// A pool on `url`, connecting lazily. Over several hosts, it starts on the first and a task
/// checks every `CHECK_EVERY` that its host still accepts writes; when it does not (gone, or a
/// standby now), the pool's new connections go to the host that does, and every connection
/// opened before the move is closed instead of handed out. Needs a Tokio runtime; the task ends
/// with the pool.
pub fn pool(url: &DatabaseUrl, options: PgPoolOptions) -> PgPool {
    let hosts = url.hosts();
    if hosts.len() == 1 {
        return options.connect_lazy_with(hosts[0].clone());
    }
    let moved = Arc::new(Mutex::new(None::<Instant>));
    let seen = Arc::clone(&moved);
    let pool = options
        .before_acquire(move |_, meta| {
            let moved = *seen.lock().unwrap_or_else(PoisonError::into_inner);
            // Opened before the primary moved: to the old one.
            let stale = moved.is_some_and(|at| meta.age > at.elapsed());
            Box::pin(async move { Ok(!stale) })
        })
        .connect_lazy_with(hosts[0].clone());
    tokio::spawn(follow(pool.clone(), hosts, moved));
    pool
}

async fn follow(pool: PgPool, hosts: Vec<PgConnectOptions>, moved: Arc<Mutex<Option<Instant>>>) {
    let mut interval = tokio::time::interval(CHECK_EVERY);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if pool.is_closed() {
            return;
        }
        let current = async {
            let mut conn = pool.acquire().await?;
            accepts_writes(&mut conn).await
        };
        if let Ok(Ok(true)) = tokio::time::timeout(HOST_TIMEOUT, current).await {
            continue;
        }
        if let Ok(writable) = writable_host(&hosts).await {
            let (before, after) = (pool.connect_options(), &writable);
            if before.get_host() != after.get_host() || before.get_port() != after.get_port() {
                tracing::warn!(
                    host = after.get_host(),
                    port = after.get_port(),
                    "the database's primary moved: new connections go there"
                );
                pool.set_connect_options(writable);
                *moved.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
            }
        }
    }
}
