//! PostgreSQL with a synchronous standby: a cluster of the test's own (a primary and a standby
//! streaming from it with `synchronous_standby_names = '*'`, `postgres` processes on free ports
//! of 127.0.0.1), registered with both hosts as an operator would (`add-cluster`), an
//! organisation placed on it. Tickets are created one after another while the primary is
//! killed and the standby promoted: every ticket acknowledged before the kill is on the new
//! primary, the gap answers 503 with `Retry-After`, and from 10 s after the promotion every
//! request succeeds.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::eventually;
use serde_json::json;
use shared::config::FromEnv as _;
use sqlx::Connection as _;

use super::{Process, free_port};
use crate::helpers::{Platform, Replica};

/// Clients creating tickets at once.
const WRITERS: usize = 4;

/// The newest PostgreSQL server programs installed (Debian's layout).
fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's server programs under /usr/lib/postgresql")
        .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("initdb under /usr/lib/postgresql/*/bin")
}

/// Whether this process runs as root: PostgreSQL's programs refuse to, and run as `postgres`.
fn as_root() -> bool {
    let id = std::process::Command::new("id").arg("-u").output().expect("id");
    String::from_utf8_lossy(&id.stdout).trim() == "0"
}

/// `program` of the server programs with `args`, as `postgres` when this process is root.
fn command_line(program: &str, args: &[String]) -> (String, Vec<String>) {
    let path = bin_dir().join(program).display().to_string();
    if as_root() {
        let mut all = vec!["-u".to_owned(), "postgres".to_owned(), "--".to_owned(), path];
        all.extend_from_slice(args);
        ("runuser".to_owned(), all)
    } else {
        (path, args.to_vec())
    }
}

/// Runs `program` to its end; panics with its output when it fails.
fn run(program: &str, args: &[String]) {
    let (program, args) = command_line(program, args);
    let output = std::process::Command::new(&program).args(&args).output().expect("a server program");
    assert!(
        output.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

/// One server of the pair: its folder, port and process.
struct Node {
    port: u16,
    data: PathBuf,
    process: Option<Process>,
}

impl Node {
    fn start(name: &str, data: &Path, port: u16, settings: &[&str], socket_dir: &Path) -> Self {
        let mut args = strings(&["-D", &data.display().to_string(), "-p", &port.to_string()]);
        let socket = socket_dir.display().to_string();
        for setting in [&["listen_addresses=127.0.0.1", "fsync=off"][..], settings].concat() {
            args.extend(strings(&["-c", setting]));
        }
        args.extend(strings(&["-c", &format!("unix_socket_directories={socket}")]));
        let (program, args) = command_line("postgres", &args);
        Self { port, data: data.to_owned(), process: Some(Process::spawn(name, &program, &args)) }
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}?sslmode=disable", self.port)
    }

    async fn connect(&self, database: &str) -> Option<sqlx::PgConnection> {
        sqlx::PgConnection::connect(&self.url(database)).await.ok()
    }

    /// Stops the server as a crash does: every process at once, no checkpoint, every client's
    /// connection cut (`pg_ctl stop -m immediate`; the process this test started may be
    /// `runuser`, not the server).
    fn crash(&mut self) {
        run("pg_ctl", &strings(&["-D", &self.data.display().to_string(), "stop", "-m", "immediate"]));
        self.process = None;
    }

    async fn in_recovery(&self) -> Option<bool> {
        let mut conn = self.connect("postgres").await?;
        sqlx::query_scalar("SELECT pg_is_in_recovery()").fetch_one(&mut conn).await.ok()
    }
}

/// A primary and its synchronous standby, stopped on drop, then their folder removed.
struct Pair {
    primary: Node,
    standby: Node,
    dir: tempfile::TempDir,
}

impl Pair {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        if as_root() {
            let owned = std::process::Command::new("chown").arg("postgres:postgres").arg(dir.path()).status().unwrap();
            assert!(owned.success());
        }
        let (primary_data, standby_data) = (dir.path().join("primary"), dir.path().join("standby"));
        run("initdb", &strings(&["-D", &primary_data.display().to_string(), "-U", "postgres", "--auth=trust", "-N"]));
        let synchronous = ["wal_level=replica", "max_wal_senders=4", "synchronous_standby_names=*"];
        let primary = Node::start("pg-primary", &primary_data, free_port(), &synchronous, dir.path());
        eventually(Duration::from_secs(30), "the primary answers", || async { primary.in_recovery().await }).await;
        run(
            "pg_basebackup",
            &strings(&[
                "-h",
                "127.0.0.1",
                "-p",
                &primary.port.to_string(),
                "-U",
                "postgres",
                "-D",
                &standby_data.display().to_string(),
                "-R",
                "-X",
                "stream",
            ]),
        );
        let standby = Node::start("pg-standby", &standby_data, free_port(), &["hot_standby=on"], dir.path());
        let watched = &primary;
        eventually(Duration::from_secs(30), "the standby streams synchronously", || async move {
            let mut conn = watched.connect("postgres").await?;
            let states: Vec<String> =
                sqlx::query_scalar("SELECT sync_state FROM pg_stat_replication").fetch_all(&mut conn).await.ok()?;
            (states == ["sync"]).then_some(())
        })
        .await;
        Self { primary, standby, dir }
    }

    /// The cluster's admin URL naming both hosts, the primary first.
    fn url(&self) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/postgres?sslmode=disable&target_session_attrs=read-write",
            self.primary.port, self.standby.port
        )
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for node in [&self.primary, &self.standby] {
            if node.process.is_some() {
                let data = node.data.display().to_string();
                let (program, args) = command_line("pg_ctl", &strings(&["-D", &data, "stop", "-m", "immediate"]));
                let _ = std::process::Command::new(program).args(args).output();
            }
        }
        let _ = &self.dir;
    }
}

/// What one attempt to create a ticket got, and when it was sent and answered.
struct Attempt {
    sent: Instant,
    at: Instant,
    status: u16,
    retry_after: bool,
    number: Option<String>,
    /// The answer's body when it was not a 201.
    refusal: Option<String>,
}

/// Creates tickets as `(slug, token)` one after another until `stop`, each attempt noted in `attempts`.
async fn write(
    app: Arc<Replica>,
    (slug, token): (String, String),
    attempts: Arc<Mutex<Vec<Attempt>>>,
    stop: Arc<AtomicBool>,
) {
    while !stop.load(Ordering::Relaxed) {
        let body = json!({"subject": "Screen cracked", "description": "On arrival"});
        let sent = Instant::now();
        let response = app.post(&slug, "/v1/tickets", &token, &body).await;
        let number =
            (response.status == 201).then(|| response.json()["ticket_number"].as_str().map(str::to_owned)).flatten();
        let retry_after = response.header("retry-after").is_some();
        let refusal = (response.status != 201).then(|| response.body.clone());
        let status = response.status.as_u16();
        let attempt = Attempt { sent, at: Instant::now(), status, retry_after, number, refusal };
        attempts.lock().unwrap().push(attempt);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn when_the_primary_dies_and_the_standby_is_promoted_no_acknowledged_ticket_is_lost() {
    let mut pair = Pair::start().await;
    let platform = Platform::start(false).await;
    let config = platform.control.config.clone();
    let url = shared::config::DatabaseUrl::from_env(&pair.url()).unwrap();
    control_api::add_cluster(config, "ha", &url, None).await.unwrap();
    // The default cluster takes no new tenant: the next one goes to the pair.
    sqlx::query("UPDATE db_clusters SET status = 'draining' WHERE name = 'default'")
        .execute(&platform.control.db)
        .await
        .unwrap();
    let app = Arc::new(
        platform
            .replica_with(|c| {
                c.rate_limits.per_user_per_minute = 0;
                c.events.relay_in_serve = false;
            })
            .await,
    );
    let org = platform.org().await;
    let database: String = sqlx::query_scalar(
        "SELECT t.database_name FROM tenants t JOIN db_clusters c ON c.id = t.cluster_id WHERE t.slug = $1 AND c.name = 'ha'",
    )
    .bind(&org.slug)
    .fetch_one(&platform.control.db)
    .await
    .expect("the organisation is on the pair");

    // Four writers, each one ticket after another, from before the kill to well after the
    // promotion (a request in flight at the kill can wait for the request timeout).
    let attempts = Arc::new(Mutex::new(Vec::<Attempt>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            tokio::spawn(write(
                Arc::clone(&app),
                (org.slug.clone(), org.owner_token.clone()),
                Arc::clone(&attempts),
                Arc::clone(&stop),
            ))
        })
        .collect();
    let acknowledged =
        |attempts: &Mutex<Vec<Attempt>>| attempts.lock().unwrap().iter().filter(|a| a.status == 201).count();
    eventually(Duration::from_secs(30), "tickets are created on the pair", || async {
        (acknowledged(&attempts) >= 20).then_some(())
    })
    .await;

    let killed_at = Instant::now();
    pair.primary.crash();
    // Promoted once the service has met the gap.
    eventually(Duration::from_secs(30), "a request meets the dead primary", || async {
        attempts.lock().unwrap().iter().any(|a| a.sent > killed_at && a.status == 503).then_some(())
    })
    .await;
    run("pg_ctl", &strings(&["-D", &pair.standby.data.display().to_string(), "promote", "-w"]));
    let standby = &pair.standby;
    eventually(Duration::from_secs(30), "the standby is promoted", || async {
        (standby.in_recovery().await == Some(false)).then_some(())
    })
    .await;
    let promoted_at = Instant::now();
    // Traffic goes on until every writer has had answers sent from 10 s after the promotion.
    let settled = promoted_at + Duration::from_secs(10);
    eventually(Duration::from_secs(60), "requests answered after the service settled", || async {
        let answered = attempts.lock().unwrap().iter().filter(|a| a.sent > settled).count();
        (answered >= 4 * WRITERS).then_some(())
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }

    let attempts = std::mem::take(&mut *attempts.lock().unwrap());
    let before_kill: Vec<&Attempt> = attempts.iter().filter(|a| a.at < killed_at).collect();
    assert!(before_kill.iter().all(|a| a.status == 201), "every ticket before the kill was created");
    for failed in attempts.iter().filter(|a| a.status != 201) {
        assert_eq!(failed.status, 503, "a request in the gap is told to come back: {:?}", failed.refusal);
        assert!(failed.retry_after, "with Retry-After: {:?}", failed.refusal);
    }
    let after: Vec<&Attempt> = attempts.iter().filter(|a| a.sent > settled).collect();
    let stalled = attempts.iter().filter(|a| a.at - a.sent > Duration::from_secs(5)).count();
    assert!(!after.is_empty(), "requests were made after the service settled");
    assert!(after.iter().all(|a| a.status == 201), "every request from 10 s after the promotion succeeds");
    let first_success = attempts.iter().find(|a| a.at > promoted_at && a.status == 201).map(|a| a.at - promoted_at);
    let failures = attempts.iter().filter(|a| a.status != 201).count();
    println!(
        "primary killed: {failures} requests answered 503 ({stalled} of them after more than 5 s); the first success \
         {first_success:?} after the promotion ({:?} after the kill)",
        promoted_at - killed_at
    );

    // Every acknowledged ticket is on the new primary.
    let mut conn = pair.standby.connect(&database).await.expect("the new primary answers");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT ticket_number FROM support_tickets").fetch_all(&mut conn).await.unwrap();
    let lost: Vec<&String> =
        attempts.iter().filter_map(|a| a.number.as_ref()).filter(|number| !stored.contains(number)).collect();
    assert!(lost.is_empty(), "acknowledged tickets lost: {lost:?}");
    assert!(stored.len() >= before_kill.len());
    drop(conn);
    drop(app);
}
