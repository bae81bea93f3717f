//! The binary itself: configuration errors, and graceful shutdown on SIGTERM.

use std::process::{Command, Stdio};
use std::time::Duration;

use harness::TestDatabase;
use tokio::io::AsyncReadExt as _;
use tokio::net::TcpListener;

use crate::helpers::{TEST_ENCRYPTION_KEY, TEST_PRIVATE_KEY};

const BIN: &str = env!("CARGO_BIN_EXE_control-api");

fn run_with_env(vars: &[(&str, &str)]) -> std::process::Output {
    Command::new(BIN).env_clear().envs(vars.iter().copied()).stdin(Stdio::null()).output().expect("run control-api")
}

#[test]
fn missing_or_malformed_configuration_names_the_variable() {
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[], "CONTROL_DATABASE_URL is not set"),
        (&[("CONTROL_DATABASE_URL", "mysql://x")], "CONTROL_DATABASE_URL is invalid"),
        (
            &[("CONTROL_DATABASE_URL", "postgres://u:p@h/db"), ("DB_ENCRYPTION_KEY", "short")],
            "DB_ENCRYPTION_KEY is invalid",
        ),
        (
            &[
                ("CONTROL_DATABASE_URL", "postgres://u:p@h/db"),
                ("DB_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY),
                ("CONTROL_PORT", "70000"),
            ],
            "CONTROL_PORT is invalid",
        ),
        (
            &[
                ("CONTROL_DATABASE_URL", "postgres://u:p@h/db"),
                ("DB_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY),
                ("JWT_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"),
            ],
            "JWT_PRIVATE_KEY is invalid: expected an Ed25519 private key in PEM (PKCS#8)",
        ),
    ];
    for (vars, expected) in cases {
        let output = run_with_env(vars);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line, got: {stderr}");
        assert!(stderr.contains(expected), "expected {expected:?} in {stderr:?}");
        assert!(!stderr.contains("u:p@"), "a secret was echoed: {stderr}");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// control-api with `args`, set to serve on `port` from `db` (tenancy on the shared test
/// template, warnings logged); stopped when dropped.
fn serving(args: &[&str], db: &TestDatabase, port: u16) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(BIN);
    command
        .args(args)
        .env_clear()
        .envs([
            ("CONTROL_DATABASE_URL", db.url()),
            ("DB_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY.to_owned()),
            ("JWT_PRIVATE_KEY", TEST_PRIVATE_KEY.to_owned()),
            // The shared test template is maintained under a lock taken on this cluster's admin
            // database: every process touching it must use the same one.
            ("TENANT_DATABASE_URL", harness::admin_url()),
            ("TENANT_TEMPLATE_DATABASE", crate::helpers::test_tenant_template().to_owned()),
            ("CONTROL_PORT", port.to_string()),
            ("BIND_ADDR", "127.0.0.1".to_owned()),
            ("LOG_LEVEL", "warn".to_owned()),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .kill_on_drop(true);
    command
}

/// Waits until the server answers /health (or fails if it exits first).
async fn wait_until_healthy(client: &reqwest::Client, base: &str, child: &mut tokio::process::Child) {
    harness::eventually(Duration::from_secs(15), "control-api answers /health", || {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("control-api exited early with {status}");
        }
        async move { client.get(format!("{base}/health")).send().await.is_ok_and(|r| r.status() == 200).then_some(()) }
    })
    .await;
}

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_then_exits_zero() {
    let db = TestDatabase::create("control", &control_api::schema::CONTROL).await;
    // A "Redis" that accepts connections and never answers: /ready stays in flight on it
    // until its check times out.
    let silent_redis = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redis_port = silent_redis.local_addr().unwrap().port();
    let port = free_port();
    let mut child = serving(&[], &db, port)
        .env("REDIS_URL", format!("redis://127.0.0.1:{redis_port}"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("start control-api");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    wait_until_healthy(&client, &base, &mut child).await;

    let in_flight = tokio::spawn({
        let client = client.clone();
        let url = format!("{base}/ready");
        async move { client.get(url).send().await }
    });
    // The request is in flight once its Redis check has connected.
    let (_held, _) = tokio::time::timeout(Duration::from_secs(10), silent_redis.accept())
        .await
        .expect("the readiness check reaches Redis")
        .unwrap();

    let pid = child.id().expect("running").to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().expect("send SIGTERM");
    assert!(killed.success());

    let response = in_flight.await.unwrap().expect("the in-flight request gets an answer");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["dependencies"]["redis"]["status"], "down");

    let status =
        tokio::time::timeout(Duration::from_secs(15), child.wait()).await.expect("exits after draining").unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).await.unwrap();
    assert!(status.success(), "exit status {status}; stderr: {stderr}");
    assert!(client.get(format!("{base}/health")).send().await.is_err(), "still accepting after shutdown");
}

#[tokio::test]
async fn create_platform_admin_is_idempotent() {
    use std::io::Write as _;

    let db = TestDatabase::create("control", &control_api::schema::CONTROL).await;
    let run = |password: &str| {
        let mut child = Command::new(BIN)
            .args(["create-platform-admin", "--email", "Ops@Example.org", "--password-stdin"])
            .env_clear()
            .envs([
                ("CONTROL_DATABASE_URL", db.url().as_str()),
                ("DB_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY),
                ("JWT_PRIVATE_KEY", TEST_PRIVATE_KEY),
                ("LOG_LEVEL", "error"),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let first = run("a long operator password");
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let id = String::from_utf8(first.stdout).unwrap().trim().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let second = run("another long password");
    assert_eq!(String::from_utf8(second.stdout).unwrap().trim(), id, "the same user, not a second one");

    let short = run("short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));

    let pool = db.pool().await;
    let admins: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE is_platform_admin").fetch_one(&pool).await.unwrap();
    assert_eq!(admins, 1);
}

#[tokio::test]
async fn the_worker_serves_its_probes_and_metrics_only_and_stops_on_sigterm() {
    let db = TestDatabase::create("control", &control_api::schema::CONTROL).await;
    let port = free_port();
    let mut child = serving(&["worker"], &db, port).stderr(Stdio::null()).spawn().expect("start control-api worker");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    wait_until_healthy(&client, &base, &mut child).await;

    let ready = client.get(format!("{base}/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["dependencies"]["control_db"]["status"], "up", "{ready}");
    let metrics = client.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("tenant_signup_to_active_seconds"), "the worker's own metrics: {metrics}");
    // No API: the worker is not a second control-api.
    let signup = client.post(format!("{base}/v1/tenants/signup")).json(&serde_json::json!({})).send().await.unwrap();
    assert_eq!(signup.status(), 404);

    let pid = child.id().expect("running").to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("send SIGTERM").success());
    let status = tokio::time::timeout(Duration::from_secs(15), child.wait()).await.expect("stops").unwrap();
    assert!(status.success(), "exit status {status}");
}
