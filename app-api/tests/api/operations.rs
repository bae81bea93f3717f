//! Health, readiness, OpenAPI, and the binary's configuration errors.

use std::process::{Command, Stdio};

use crate::helpers::{TEST_ENCRYPTION_KEY, TestApp};

#[tokio::test]
async fn health_and_ready_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(app.server.get("/health").await.status, 200);
    let ready = app.server.get("/ready").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    let body = ready.json();
    assert_eq!(body["dependencies"]["control_db"]["status"], "up");
    assert_eq!(body["dependencies"]["redis"]["status"], "not_configured");
}

#[tokio::test]
async fn ready_is_503_without_the_control_database() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app =
        TestApp::spawn_with(|env| env.with("CONTROL_DATABASE_URL", format!("postgres://postgres@127.0.0.1:{port}/x")))
            .await;
    let ready = app.server.get("/ready").await;
    assert_eq!(ready.status, 503);
    assert_eq!(ready.json()["dependencies"]["control_db"]["status"], "down");
}

#[tokio::test]
async fn openapi_describes_the_app_plane() {
    let app = TestApp::spawn().await;
    let doc = app.server.get("/openapi.json").await.json();
    assert_eq!(doc["info"]["title"], "Helpdeskly app API");
    assert!(doc["paths"]["/ready"]["get"]["responses"]["503"].is_object());
    assert_eq!(app.server.get("/docs/").await.status, 200);
}

#[test]
fn configuration_errors_name_the_variable() {
    let base = [("CONTROL_DATABASE_URL", "postgres://u:p@h/db"), ("DB_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY)];
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[], "CONTROL_DATABASE_URL is not set"),
        (&[("APP_BASE_DOMAIN", "https://helpdeskly.example")], "APP_BASE_DOMAIN is invalid"),
        (&[("LOG_FORMAT", "xml")], "LOG_FORMAT is invalid"),
    ];
    for (extra, expected) in cases {
        let mut command = Command::new(env!("CARGO_BIN_EXE_app-api"));
        command.env_clear().stdin(Stdio::null());
        if !extra.is_empty() {
            command.envs(base).envs(extra.iter().copied());
        }
        let output = command.output().expect("run app-api");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line, got: {stderr}");
        assert!(stderr.starts_with("app-api: configuration error: "), "{stderr}");
        assert!(stderr.contains(expected), "expected {expected:?} in {stderr:?}");
    }
}
