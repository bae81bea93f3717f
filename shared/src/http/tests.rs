//! The layer stack, exercised in-process on a small router.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::{get, post};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

use super::{JsonBody, with_common_layers};
use crate::config::{CorsOrigins, Env, HttpConfig};
use crate::metrics::Metrics;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Note {
    text: String,
}

fn app(config: &HttpConfig, metrics: &Metrics) -> Router {
    let routes = Router::new()
        .route("/notes", post(|JsonBody(note): JsonBody<Note>| async move { note.text }))
        .route("/tickets/{id}", get(|| async { "ok" }))
        .route("/stuck", get(std::future::pending::<&'static str>));
    with_common_layers(routes, Router::new(), config, metrics.clone())
}

fn config(pairs: &[(&str, &str)]) -> HttpConfig {
    HttpConfig::from_env(&Env::from_pairs(pairs.iter().copied()), "PORT", 1).unwrap()
}

async fn send(router: &Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
    let response = router.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (parts.status, parts.headers, json)
}

fn json_post(body: impl Into<Body>) -> Request<Body> {
    Request::post("/notes").header(header::CONTENT_TYPE, "application/json").body(body.into()).unwrap()
}

#[tokio::test]
async fn oversized_bodies_get_413_with_or_without_content_length() {
    let router = app(&config(&[("REQUEST_BODY_LIMIT_BYTES", "64")]), &Metrics::new());
    let big = format!(r#"{{"text": "{}"}}"#, "x".repeat(200));

    let declared = Request::post("/notes")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, big.len())
        .body(Body::from(big.clone()))
        .unwrap();
    let (status, headers, body) = send(&router, declared).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(body["code"], "payload_too_large");

    // A streamed body carries no length: the limit trips while reading.
    let streamed = Body::from_stream(futures_stream(big));
    let (status, _, body) = send(&router, json_post(streamed)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["code"], "payload_too_large");
}

fn futures_stream(text: String) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send {
    let chunks: Vec<_> = text.into_bytes().chunks(16).map(|c| Ok(c.to_vec())).collect();
    futures_util::stream::iter(chunks)
}

#[tokio::test]
async fn json_rejections_are_problems() {
    let router = app(&config(&[]), &Metrics::new());
    let (status, _, body) = send(&router, Request::post("/notes").body(Body::from("{}")).unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type")));

    let (status, _, body) = send(&router, json_post(r#"{"text": 5}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["field"], "text");

    let (status, _, body) = send(&router, json_post(r#"{"text": "a", "admin": true}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("unknown field `admin`"));

    let (status, _, _) = send(&router, json_post(r#"{"text": "hello"}"#)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let router = app(&config(&[]), &Metrics::new());
    let (status, _, body) = send(&router, Request::get("/nope").body(Body::empty()).unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    assert_eq!(body["detail"], "no route for GET /nope");

    let (status, headers, body) = send(&router, Request::delete("/tickets/7").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["code"], "method_not_allowed");
    assert!(headers[header::ALLOW].to_str().unwrap().contains("GET"));
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(body["detail"], "DELETE is not allowed here; allowed: GET, HEAD", "{body}");
}

#[tokio::test]
async fn path_rejections_keep_their_explanation() {
    let routes = Router::new()
        .route("/tickets/{id}", get(|axum::extract::Path(id): axum::extract::Path<u64>| async move { id.to_string() }));
    let app = with_common_layers(routes, Router::new(), &config(&[]), Metrics::new());
    let (status, _, body) = send(&app, Request::get("/tickets/abc").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "validation_failed");
    assert!(body["detail"].as_str().unwrap().contains("abc"), "{body}");
}

#[tokio::test]
async fn slow_requests_time_out_with_503() {
    // On real time, with a limit below REQUEST_TIMEOUT_SECONDS's whole seconds, set on the
    // parsed configuration: `/stuck` never answers, so only the time limit can, after it and well
    // within the bound.
    let limit = Duration::from_millis(200);
    let router = app(&HttpConfig { request_timeout: limit, ..config(&[]) }, &Metrics::new());
    let started = Instant::now();
    let answered = tokio::time::timeout(
        Duration::from_millis(1500),
        send(&router, Request::get("/stuck").body(Body::empty()).unwrap()),
    )
    .await;
    let took = started.elapsed();
    let (status, headers, body) = answered.expect("the time limit answers a stuck request");
    assert!(took >= limit, "answered after {took:?}, before the {limit:?} limit");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["code"], "request_timeout");
    assert_eq!(headers.get("retry-after").map(|v| v.to_str().unwrap()), Some("1"), "the client may try again");
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let router = app(&config(&[]), &Metrics::new());
    let request = Request::get("/tickets/1").header("x-request-id", "edge-42").body(Body::empty()).unwrap();
    let (_, headers, _) = send(&router, request).await;
    assert_eq!(headers["x-request-id"], "edge-42");

    let request = Request::get("/tickets/1").header("x-request-id", "has space").body(Body::empty()).unwrap();
    let (_, headers, _) = send(&router, request).await;
    let generated = headers["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(generated).is_ok(), "{generated}");
}

#[tokio::test]
async fn metrics_use_the_matched_route_not_the_path() {
    let metrics = Metrics::new();
    let router = app(&config(&[]), &metrics);
    for path in ["/tickets/1", "/tickets/2", "/tickets/3", "/nope/9"] {
        send(&router, Request::get(path).body(Body::empty()).unwrap()).await;
    }
    let text = metrics.render();
    assert!(text.contains(r#"http_requests_total{method="GET",route="/tickets/{id}",status_class="2xx"} 3"#), "{text}");
    assert!(text.contains(r#"http_requests_total{method="GET",route="unmatched",status_class="4xx"} 1"#), "{text}");
    assert!(!text.contains("/tickets/1"), "a raw path leaked into the labels");
}

#[tokio::test]
async fn cors_answers_listed_origins_only() {
    let http = config(&[("CORS_ORIGINS", "https://app.example")]);
    assert!(matches!(http.cors_origins, CorsOrigins::List(_)));
    let router = app(&http, &Metrics::new());
    let preflight = |origin: &str| {
        Request::options("/notes")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .body(Body::empty())
            .unwrap()
    };
    let (_, headers, _) = send(&router, preflight("https://app.example")).await;
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example");
    // A browser may send the headers the API reads: the tenant, and a retry's key.
    let allowed = headers[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().to_owned();
    for name in ["authorization", "x-tenant-slug", "idempotency-key"] {
        assert!(allowed.contains(name), "{name} not in {allowed}");
    }
    let (_, headers, _) = send(&router, preflight("https://evil.example")).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}
