//! Health, readiness, OpenAPI, and the binary's configuration errors.

use std::process::{Command, Stdio};

use crate::helpers::{Platform, TEST_ENCRYPTION_KEY, TEST_PUBLIC_KEY, parse};

#[tokio::test]
async fn health_and_ready_answer() {
    let platform = Platform::start(false).await;
    let app = platform.replica().await;
    assert_eq!(app.server.get("/health").await.status, 200);
    let ready = app.server.get("/ready").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    let body = ready.json();
    assert_eq!(body["dependencies"]["control_db"]["status"], "up");
    assert_eq!(body["dependencies"]["redis"]["status"], "not_configured");
    assert_eq!(body["dependencies"]["amqp"]["status"], "not_configured");
    assert_eq!(body["dependencies"]["tenant_pools"]["status"], "up");
    assert_eq!(body["dependencies"]["tenant_pools"]["detail"]["budget"], 20);
}

#[tokio::test]
async fn ready_is_503_without_the_control_database() {
    let platform = Platform::start(false).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = platform.replica_with(|c| c.control_db = parse(&format!("postgres://postgres@127.0.0.1:{port}/x"))).await;
    let ready = app.server.get("/ready").await;
    assert_eq!(ready.status, 503);
    assert_eq!(ready.json()["dependencies"]["control_db"]["status"], "down");
}

#[tokio::test]
async fn openapi_describes_the_app_plane() {
    let platform = Platform::start(false).await;
    let app = platform.replica().await;
    let doc = app.server.get("/openapi.json").await.json();
    assert_eq!(doc["info"]["title"], "Helpdeskly app API");
    assert!(doc["paths"]["/ready"]["get"]["responses"]["503"].is_object());
    for status in ["200", "400", "401", "403", "404", "429", "503"] {
        assert!(doc["paths"]["/v1/me"]["get"]["responses"][status].is_object(), "/v1/me does not document {status}");
    }
    let routes = [
        ("/v1/tickets", "get"),
        ("/v1/tickets", "post"),
        ("/v1/tickets/{id}", "get"),
        ("/v1/tickets/{id}", "patch"),
        ("/v1/tickets/{id}/assign", "post"),
        ("/v1/tickets/{id}/status", "post"),
        ("/v1/tickets/{id}/messages", "get"),
        ("/v1/tickets/{id}/messages", "post"),
        ("/v1/tickets/{id}/history", "get"),
        ("/v1/orders/{order_id}", "put"),
        ("/v1/users/{id}", "patch"),
        ("/v1/sla/summary", "get"),
        ("/v1/agents/workload", "get"),
    ];
    for (path, method) in routes {
        assert!(
            doc["paths"][path][method]["responses"]["200"].is_object()
                || doc["paths"][path][method]["responses"]["201"].is_object(),
            "{method} {path} is not documented"
        );
    }
    // Every documented error is problem+json, from one helper.
    harness::assert_errors_are_problem_json(&doc);
    let conflict = &doc["paths"]["/v1/tickets/{id}/status"]["post"]["responses"]["409"]["description"];
    assert!(conflict.as_str().unwrap().contains("invalid_transition"), "{conflict}");
    // One status for each code, wherever it is answered: a limit is 422 for rules as for fields.
    let (statuses, operations) = harness::statuses_naming(&doc, "limit_reached");
    assert_eq!(statuses.into_iter().collect::<Vec<_>>(), ["422"], "limit_reached under another status");
    assert!(operations >= 15, "limit_reached named by {operations} operations");
    assert_eq!(app.server.get("/docs/").await.status, 200);
    // The web app's API types are generated from this copy.
    let copy = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/api/app-api.json");
    harness::assert_json_snapshot(&copy, &doc);
}

#[test]
fn configuration_errors_name_the_variable() {
    let base = [
        ("CONTROL_DATABASE_URL", "postgres://u:p@h/db"),
        ("APP_PLANE_KEY", TEST_ENCRYPTION_KEY),
        ("JWT_PUBLIC_KEYS", TEST_PUBLIC_KEY),
    ];
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("CONTROL_DATABASE_URL", "")], "CONTROL_DATABASE_URL is not set"),
        (&[("APP_BASE_DOMAIN", "https://helpdeskly.example")], "APP_BASE_DOMAIN is invalid"),
        (&[("LOG_FORMAT", "xml")], "LOG_FORMAT is invalid"),
        (&[("JWT_PUBLIC_KEYS", "")], "JWT_PUBLIC_KEYS is not set (nor JWKS_URL)"),
        (&[("APP_PLANE_KEY", "c2hvcnQ=")], "APP_PLANE_KEY is invalid"),
        // The master key is not what app-api takes.
        (&[("APP_PLANE_KEY", ""), ("DB_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY)], "APP_PLANE_KEY is not set"),
    ];
    for (extra, expected) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_app-api"))
            .env_clear()
            .envs(base)
            .envs(extra.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("run app-api");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line, got: {stderr}");
        assert!(stderr.starts_with("app-api: configuration error: "), "{stderr}");
        assert!(stderr.contains(expected), "expected {expected:?} in {stderr:?}");
    }
}

/// `serve` without `CONTROL_API_URL` stops at start, naming it: an erasure could not finish.
#[test]
fn serve_refuses_to_start_without_the_control_plane_address() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_app-api"))
        .arg("serve")
        .env_clear()
        .envs([
            ("CONTROL_DATABASE_URL", "postgres://u:p@127.0.0.1:1/db"),
            ("APP_PLANE_KEY", TEST_ENCRYPTION_KEY),
            ("JWT_PUBLIC_KEYS", TEST_PUBLIC_KEY),
            ("BIND_ADDR", "127.0.0.1"),
            ("APP_PORT", "0"),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run app-api");
    // The exit is awaited on a thread of its own, so the test can give up on a server that runs.
    let mut stderr_pipe = child.stderr.take().unwrap();
    let pid = child.id();
    let (exited, exit) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = exited.send(child.wait());
    });
    let Ok(status) = exit.recv_timeout(std::time::Duration::from_secs(30)) else {
        let _ = Command::new("kill").arg(pid.to_string()).status();
        panic!("app-api serve was still running 30 s after starting without CONTROL_API_URL");
    };
    let status = status.expect("wait for app-api");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut stderr_pipe, &mut stderr).unwrap();
    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("CONTROL_API_URL is not set"), "{stderr}");
}
