//! Health, readiness, metrics, OpenAPI and docs.

use crate::helpers::{ControlOptions, Service, TestApp, parse};

#[tokio::test]
async fn health_answers() {
    let app = TestApp::spawn().await;
    let response = app.server.get("/health").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["status"], "up");
}

#[tokio::test]
async fn ready_reports_each_dependency() {
    let app = ControlOptions::default().redis(Service::Test).broker(Service::Test).start().await;
    let response = app.server.get("/ready").await;
    assert_eq!(response.status, 200, "{}", response.body);
    let body = response.json();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["dependencies"]["control_db"]["status"], "up");
    assert_eq!(body["dependencies"]["control_db"]["required"], true);
    assert_eq!(body["dependencies"]["redis"]["status"], "up");
    assert_eq!(body["dependencies"]["amqp"]["status"], "up");
    assert_eq!(body["dependencies"]["amqp"]["required"], false);
}

#[tokio::test]
async fn ready_is_503_when_postgres_is_unreachable() {
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app =
        TestApp::spawn_with(move |c| c.control_db = parse(&format!("postgres://postgres@127.0.0.1:{port}/control")))
            .await;
    let response = app.server.get("/ready").await;
    assert_eq!(response.status, 503);
    let body = response.json();
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["dependencies"]["control_db"]["status"], "down");
    // sqlx retries a refused connection until the check's timeout: either reason is honest.
    let reason = body["dependencies"]["control_db"]["error"].as_str().unwrap();
    assert!(["unreachable", "timed out"].contains(&reason), "{reason}");
    assert!(!response.body.contains(&port.to_string()), "the report leaks connection details");
}

#[tokio::test]
async fn ready_is_degraded_when_redis_or_rabbitmq_is_down() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = ControlOptions::default()
        .redis(Service::At(format!("redis://127.0.0.1:{port}")))
        .broker(Service::At(format!("amqp://guest:guest@127.0.0.1:{port}/%2f")))
        .start()
        .await;
    let response = app.server.get("/ready").await;
    assert_eq!(response.status, 200);
    let body = response.json();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["dependencies"]["redis"]["status"], "down");
    assert_eq!(body["dependencies"]["amqp"]["status"], "down");
}

#[tokio::test]
async fn metrics_count_requests_by_matched_route() {
    let app = TestApp::spawn().await;
    app.server.get("/health").await;
    app.server.get("/docs/swagger-ui.css").await;
    app.server.get("/v1/tenants/acme/nothing-here").await;
    let response = app.server.get("/metrics").await;
    assert_eq!(response.status, 200);
    assert!(response.header("content-type").unwrap().starts_with("text/plain"));
    let text = &response.body;
    assert!(text.contains(r#"http_requests_total{method="GET",route="/health",status_class="2xx"} 1"#), "{text}");
    assert!(text.contains(r#"route="/docs/{*rest}""#), "{text}");
    assert!(text.contains(r#"http_requests_total{method="GET",route="unmatched",status_class="4xx"} 1"#), "{text}");
    assert!(!text.contains("acme"), "raw paths must not become labels");
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(text.contains("process_cpu_seconds_total"));
}

#[tokio::test]
async fn errors_outside_handlers_are_problem_json() {
    let app = TestApp::spawn().await;
    let response = app.server.get("/v1/nope").await;
    response.assert_problem(404, "not_found");

    let response = app.server.request(reqwest::Method::DELETE, "/health").send().await.unwrap();
    let response = harness::TestResponse::from(response).await;
    response.assert_problem(405, "method_not_allowed");
    assert_eq!(response.header("allow"), Some("GET,HEAD"));

    let big = vec![b'x'; 2 * 1024 * 1024];
    let response = app.server.request(reqwest::Method::POST, "/v1/tenants/signup").body(big).send().await.unwrap();
    let response = harness::TestResponse::from(response).await;
    response.assert_problem(413, "payload_too_large");
}

#[tokio::test]
async fn request_id_is_echoed() {
    let app = TestApp::spawn().await;
    let response =
        app.server.request(reqwest::Method::GET, "/health").header("x-request-id", "lb-7f3a").send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "lb-7f3a");
    let response = app.server.get("/v1/nope").await;
    assert!(uuid::Uuid::parse_str(response.header("x-request-id").unwrap()).is_ok());
}

#[tokio::test]
async fn openapi_and_docs_are_served_offline() {
    let app = TestApp::spawn().await;
    let response = app.server.get("/openapi.json").await;
    assert_eq!(response.status, 200);
    let doc = response.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    for path in ["/health", "/ready", "/metrics"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} is missing from the OpenAPI document");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let auth = [
        ("/v1/auth/login", "post", &["200", "401", "403", "422", "429", "503"][..]),
        ("/v1/auth/mfa/verify", "post", &["200", "401", "422", "429"]),
        ("/v1/auth/refresh", "post", &["200", "401"]),
        ("/v1/auth/logout", "post", &["204", "401"]),
        ("/v1/auth/me", "get", &["200", "401"]),
        ("/v1/auth/me/export", "get", &["200", "401"]),
        ("/v1/auth/logout-all", "post", &["204", "401"]),
        ("/v1/auth/sessions", "get", &["200", "401"]),
        ("/v1/auth/sessions/{id}", "delete", &["204", "401", "404"]),
        ("/v1/auth/password", "post", &["204", "401", "422", "429", "503"]),
        ("/v1/auth/2fa/setup", "post", &["200", "401", "409", "422", "429"]),
        ("/v1/auth/2fa/enable", "post", &["200", "409", "422", "429"]),
        ("/v1/auth/2fa/disable", "post", &["204", "403", "409", "422", "429"]),
        ("/v1/auth/register", "post", &["201", "404", "422", "429", "503"]),
        ("/.well-known/jwks.json", "get", &["200"]),
    ];
    for (path, method, statuses) in auth {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is missing");
        for status in statuses {
            assert!(operation["responses"][status].is_object(), "{method} {path} does not document {status}");
        }
        if method == "post" && path != "/v1/auth/logout-all" {
            assert!(
                operation["requestBody"]["content"]["application/json"]["schema"].is_object(),
                "{path} request schema"
            );
        }
    }
    assert!(doc["components"]["schemas"]["LoginRequest"]["properties"]["email"].is_object());
    // Every documented error is problem+json, from one helper.
    harness::assert_errors_are_problem_json(&doc);
    // The web app's API types are generated from this copy.
    let copy = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/api/control-api.json");
    harness::assert_json_snapshot(&copy, &doc);

    let page = app.server.get("/docs/").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("swagger-ui"), "{}", page.body);
    // The page's assets come from this server, not from a CDN.
    assert!(!page.body.contains("https://"), "the docs page loads something from the internet");
    let bundle = app.server.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status, 200);
    assert!(bundle.body.len() > 100_000);
    let init = app.server.get("/docs/swagger-initializer.js").await;
    assert!(init.body.contains("/openapi.json"), "{}", init.body);
}

/// Redis down: every use of it (here the lockout) falls back through the one breaker, which the
/// metrics show, and the lockout still holds in process.
#[tokio::test]
async fn a_dead_redis_opens_the_breaker_and_the_lockout_holds_in_process() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = ControlOptions::default().redis(Service::At(format!("redis://127.0.0.1:{port}"))).start().await;
    let slug = crate::helpers::unique_slug();
    let tenant = app.create_tenant(&slug, "active").await;
    let email = crate::helpers::unique_email("agent");
    let user = app.create_user(&email).await;
    app.add_member(user, tenant, "agent").await;
    for _ in 0..5 {
        app.login(Some(&slug), &email, "wrong password!!").await.assert_problem(401, "unauthorized");
    }
    app.login(Some(&slug), &email, crate::helpers::PASSWORD).await.assert_problem(429, "rate_limited");
    let metrics = app.server.get("/metrics").await.body;
    assert!(metrics.contains("redis_breaker_open 1"), "{metrics}");
    let fallbacks = metrics
        .lines()
        .find(|l| l.starts_with("redis_fallbacks_total{use=\"lockout\"}"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    assert!(fallbacks >= 6, "{metrics}");
}

/// The readiness probe and the publishers share one broker connection: probing does not open
/// connections of its own.
#[tokio::test]
async fn the_broker_connection_is_opened_once_and_shared() {
    let app = ControlOptions::default().broker(Service::Test).start().await;
    let broker = app.state.broker.clone().expect("AMQP_URL is set");
    assert!(!broker.is_connected().await, "nothing opens before it is needed");
    for _ in 0..3 {
        assert_eq!(app.server.get("/ready").await.json()["dependencies"]["amqp"]["status"], "up");
    }
    let first = broker.connection().await.unwrap();
    let second = broker.connection().await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &second), "one connection for the whole process");
    assert!(broker.is_connected().await);
}
