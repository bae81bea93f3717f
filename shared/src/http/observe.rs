//! The outermost layer: request id, the request span and log line, HTTP metrics, and
//! problem+json for error responses that did not come from `ApiError` (axum's 405, the
//! body-limit layer's 413, extractor rejections). Also `time_limit`, the request timeout.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use tracing::Instrument as _;

use crate::config::{HttpConfig, TrustedProxies};
use crate::error::{ApiError, ErrorCode, code_for_status};
use crate::metrics::Metrics;

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request: the caller's `x-request-id` when it is sane, else a new
/// UUID. Available to handlers as an extension and echoed on every response.
#[derive(Debug, Clone)]
pub struct RequestId(pub HeaderValue);

impl RequestId {
    fn from_request(request: &Request) -> Self {
        request.headers().get(&X_REQUEST_ID).filter(|v| is_sane_request_id(v.as_bytes())).map_or_else(
            || Self(HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).expect("uuid is a valid header")),
            |v| Self(v.clone()),
        )
    }

    pub fn as_str(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }
}

/// How long the request's body may take to arrive (`REQUEST_BODY_TIMEOUT_SECONDS`), for the
/// extractors that read it.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

/// Caller-supplied ids end up in logs: keep them short and free of anything but
/// `[A-Za-z0-9._:-]`.
fn is_sane_request_id(id: &[u8]) -> bool {
    (1..=128).contains(&id.len()) && id.iter().all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(b))
}

/// The client's address: the TCP peer, or, when the peer is a trusted proxy, the address the
/// proxies saw (see `client_ip`). It is what is logged, audited and rate-limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Only the trusted proxies' own additions are believed. `X-Forwarded-For` is walked from the
/// right (each proxy appends the address it saw): trusted proxies are skipped and the first
/// other address is the client. Anything left of it was written by the client and is ignored,
/// and an entry that does not parse ends the walk at the nearest trusted hop, so junk can never
/// let an earlier, client-written entry win. Without `X-Forwarded-For`, a trusted peer's
/// `X-Real-IP` is taken when it parses.
fn client_ip(request: &Request, trusted: &TrustedProxies) -> Option<IpAddr> {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>()?.0.ip();
    if !trusted.contains(peer) {
        return Some(peer);
    }
    let headers = request.headers();
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|v| v.to_str().map_or_else(|_| vec!["?"], |v| v.split(',').collect()))
        .collect();
    if hops.is_empty() {
        let real = headers.get("x-real-ip").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
        return Some(real.unwrap_or(peer));
    }
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else { break };
        if !trusted.contains(ip) {
            return Some(ip);
        }
        nearest = ip;
    }
    Some(nearest)
}

#[derive(Clone)]
pub(super) struct Observer {
    metrics: Metrics,
    body_limit: usize,
    body_timeout: Duration,
    trusted_proxies: TrustedProxies,
}

impl Observer {
    pub(super) fn new(metrics: Metrics, config: &HttpConfig) -> Self {
        Self {
            metrics,
            body_limit: config.body_limit,
            body_timeout: config.body_timeout,
            trusted_proxies: config.trusted_proxies.clone(),
        }
    }
}

/// The request timeout: a request not answered within `limit` is answered 503
/// `request_timeout` with `Retry-After` (and its handler dropped).
pub(super) async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "request_timeout",
            format!("the request took longer than {} s", limit.as_secs()),
        )
        .with_retry_after(1)
        .into_response(),
    }
}

/// Routes whose requests are logged at debug: probes and scrapes would drown the rest.
fn is_probe(route: &str) -> bool {
    matches!(route, "/health" | "/ready" | "/metrics")
}

pub(super) async fn observe(State(observer): State<Observer>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let in_flight = observer.metrics.request_started();
    let request_id = RequestId::from_request(&request);
    request.extensions_mut().insert(request_id.clone());
    request.extensions_mut().insert(BodyTimeout(observer.body_timeout));
    if let Some(ip) = client_ip(&request, &observer.trusted_proxies) {
        request.extensions_mut().insert(ClientIp(ip));
    }
    let method = request.method().clone();
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());

    let span = tracing::info_span!(
        "request",
        method = %method,
        route = %route,
        request_id = %request_id.as_str(),
        tenant = tracing::field::Empty,
        user = tracing::field::Empty,
    );
    let response = next.run(request).instrument(span.clone()).await;
    let mut response = into_problem(response, &method, observer.body_limit).await;
    response.headers_mut().insert(X_REQUEST_ID.clone(), request_id.0);

    drop(in_flight);
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    observer.metrics.observe_request(&method, &route, status, elapsed.as_secs_f64());
    let code = response.extensions().get::<ErrorCode>().map(|c| c.0);
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if is_probe(&route) {
            tracing::debug!(status, latency_ms, "request completed");
        } else if status >= 500 {
            tracing::warn!(status, latency_ms, code, "request completed");
        } else {
            tracing::info!(status, latency_ms, code, "request completed");
        }
    });
    response
}

/// Rewrites a bare error response into problem+json, keeping its status
/// and headers. A short plain-text body from a 4xx (an extractor's rejection) becomes the
/// detail; anything from a 5xx is dropped.
async fn into_problem(response: Response, method: &axum::http::Method, body_limit: usize) -> Response {
    let status = response.status();
    // Only bare answers from the framework and layers (no body type, or plain text) are
    // rewritten; a handler's deliberate JSON error body (`/ready`'s 503) is left alone.
    let content_type = response.headers().get(header::CONTENT_TYPE).map(|ct| ct.as_bytes().to_vec());
    let is_text = content_type.as_deref().is_some_and(|ct| ct.starts_with(b"text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !(content_type.is_none() || is_text) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = if status.is_client_error() && is_text {
        body.collect().await.ok().map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
    } else {
        None
    };
    let code = code_for_status(status);
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(body_limit),
        // The methods it allows are named by `name_allowed_methods`, once the header exists.
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(status, code, format!("{method} is not allowed here")),
        _ => match text.filter(|t| !t.is_empty() && t.len() <= 512) {
            Some(text) => ApiError::new(status, code, text),
            None => ApiError::new(status, code, status.canonical_reason().unwrap_or("error")),
        },
    };
    let rendered = error.into_response();
    for name in [header::CONTENT_TYPE, header::CONTENT_LENGTH, header::TRANSFER_ENCODING] {
        parts.headers.remove(&name);
    }
    let (new_parts, body) = rendered.into_parts();
    parts.headers.extend(new_parts.headers);
    parts.extensions.extend(new_parts.extensions);
    Response::from_parts(parts, Body::new(body))
}

/// Names the allowed methods in a 405's problem. A route's `Allow` header is set by its method
/// router after every layer of the route has run (`observe` included, which made the problem),
/// so this runs around the whole router, where the header is there to read.
pub(super) async fn name_allowed_methods(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let response = next.run(request).await;
    let allowed = response.headers().get(header::ALLOW).and_then(|v| v.to_str().ok());
    let Some(allowed) = allowed.filter(|_| response.status() == StatusCode::METHOD_NOT_ALLOWED) else {
        return response;
    };
    let allowed: Vec<&str> = allowed.split(',').map(str::trim).filter(|m| !m.is_empty()).collect();
    if allowed.is_empty() {
        return response;
    }
    let detail = format!("{method} is not allowed here; allowed: {}", allowed.join(", "));
    let (mut parts, _) = response.into_parts();
    let (new_parts, body) =
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", detail).into_response().into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.extend(new_parts.headers);
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FromEnv as _;

    fn request(peer: &str, forwarded: Option<&str>) -> Request {
        let mut builder = axum::http::Request::get("/");
        if let Some(f) = forwarded {
            builder = builder.header("x-forwarded-for", f);
        }
        let mut request = builder.body(Body::empty()).unwrap();
        request.extensions_mut().insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 40000)));
        request
    }

    fn with_header(mut request: Request, name: &'static str, value: &str) -> Request {
        request.headers_mut().append(name, value.parse().unwrap());
        request
    }

    #[test]
    fn forwarded_for_is_believed_from_trusted_proxies_only() {
        let trusted = TrustedProxies::from_env("10.0.0.0/8").unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // A direct client cannot choose its address, by either header.
        assert_eq!(client_ip(&request("203.0.113.9", Some("1.2.3.4")), &trusted), Some(ip("203.0.113.9")));
        let direct = with_header(request("203.0.113.9", None), "x-real-ip", "1.2.3.4");
        assert_eq!(client_ip(&direct, &trusted), Some(ip("203.0.113.9")));
        // Behind our proxies: the nearest address they did not add.
        let via = request("10.0.0.2", Some("6.6.6.6, 198.51.100.7, 10.0.0.5"));
        assert_eq!(client_ip(&via, &trusted), Some(ip("198.51.100.7")));
        // Garbage in the header stops the walk; the peer is all we know.
        assert_eq!(client_ip(&request("10.0.0.2", Some("nonsense")), &trusted), Some(ip("10.0.0.2")));
    }

    #[test]
    fn a_client_cannot_smuggle_an_address_past_the_proxy() {
        let trusted = TrustedProxies::from_env("10.0.0.0/8").unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // The client sent "6.6.6.6, junk"; the proxy appended the real address.
        let spoofed = request("10.0.0.2", Some("6.6.6.6, junk, 198.51.100.7"));
        assert_eq!(client_ip(&spoofed, &trusted), Some(ip("198.51.100.7")));
        // Junk right of the real address (after a trusted hop) ends the walk at that hop, never
        // at the client-written entry on its left.
        let junk_last = request("10.0.0.2", Some("6.6.6.6, 10.0.0.9, junk"));
        assert_eq!(client_ip(&junk_last, &trusted), Some(ip("10.0.0.2")));
        let junk_middle = request("10.0.0.2", Some("6.6.6.6, junk, 10.0.0.9"));
        assert_eq!(client_ip(&junk_middle, &trusted), Some(ip("10.0.0.9")));
        // Several header lines are one list, in order.
        let lines = with_header(request("10.0.0.2", Some("6.6.6.6")), "x-forwarded-for", "198.51.100.7");
        assert_eq!(client_ip(&lines, &trusted), Some(ip("198.51.100.7")));
        // Only trusted hops: the farthest one is the client (a proxy talking for itself).
        assert_eq!(client_ip(&request("10.0.0.2", Some("10.0.0.7, 10.0.0.8")), &trusted), Some(ip("10.0.0.7")));
        // X-Real-IP from a trusted proxy, when there is no X-Forwarded-For.
        let real = with_header(request("10.0.0.2", None), "x-real-ip", "198.51.100.8");
        assert_eq!(client_ip(&real, &trusted), Some(ip("198.51.100.8")));
        let bad_real = with_header(request("10.0.0.2", None), "x-real-ip", "6.6.6.6, 1.1.1.1");
        assert_eq!(client_ip(&bad_real, &trusted), Some(ip("10.0.0.2")));
        // IPv6 entries parse like the rest.
        assert_eq!(client_ip(&request("10.0.0.2", Some("6.6.6.6, 2001:db8::7")), &trusted), Some(ip("2001:db8::7")));
    }

    #[test]
    fn request_ids_from_callers_are_bounded() {
        assert!(is_sane_request_id(b"7b1e2c9a-1d2f-4c57-9a43-2f8e8f1f7a10"));
        assert!(is_sane_request_id(b"nginx:abc.123_x"));
        assert!(!is_sane_request_id(b""));
        assert!(!is_sane_request_id(b"a b"));
        assert!(!is_sane_request_id(b"line\nbreak"));
        assert!(!is_sane_request_id(&[b'a'; 129]));
    }
}
