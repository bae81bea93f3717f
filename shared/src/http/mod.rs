//! The HTTP plumbing every service shares: the layer stack in front of the routes, the JSON
//! body extractor, and the fallbacks that keep every error in problem+json.

pub mod etag;
mod json;
mod objects;
mod observe;
pub mod openapi;
mod page;
mod query;
pub mod text;
pub mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Method, Request, header};
use axum::response::IntoResponse;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;

#[cfg(test)]
mod tests;

pub use json::{JsonBody, RawBody, parse as parse_json};
pub use observe::{BodyTimeout, ClientIp, RequestId};
pub use page::{Page, PageParams};
pub use query::{ListQuery, invalid_query, one_of, parse_list_query};

use crate::config::{CorsOrigins, HttpConfig};
use crate::error::ApiError;
use crate::metrics::Metrics;

/// Wraps a service's routes in the common layers: request id, span, metrics and problem+json
/// for errors produced outside handlers (outermost), then CORS, then the timeout
/// (`REQUEST_TIMEOUT_SECONDS`) and the body limit (`REQUEST_BODY_LIMIT_BYTES`) on the `limited`
/// routes. `streamed` are routes that read large bodies as streams and enforce limits of their
/// own (uploads: a pace to keep up, and their own ceiling through `with_time_limit`): they get
/// every layer but those two. Also installs the fallback: the web app when `WEB_DIR` holds it, else a 404; 405s keep
/// axum's `Allow` header and get a problem body from the outer layer.
pub fn with_common_layers(limited: Router, streamed: Router, config: &HttpConfig, metrics: Metrics) -> Router {
    let limited = match &config.web_dir {
        Some(dir) => limited.merge(web::fallback(dir)),
        None => limited.fallback(not_found),
    };
    let limited =
        limited.layer(DefaultBodyLimit::max(config.body_limit)).layer(RequestBodyLimitLayer::new(config.body_limit));
    let router = with_time_limit(limited, config.request_timeout)
        .merge(streamed)
        .layer(axum::middleware::from_fn(text::refuse_nul_in_query));
    let router = match cors_layer(&config.cors_origins) {
        Some(cors) => router.layer(cors),
        None => router,
    };
    let router =
        router.layer(axum::middleware::from_fn_with_state(observe::Observer::new(metrics, config), observe::observe));
    // Layers of a router wrap each route inside its method router: this one wraps the whole.
    Router::new().fallback_service(router).layer(axum::middleware::from_fn(observe::name_allowed_methods))
}

/// `router` with a request timeout of `limit`: a request not answered by then is answered 503
/// `request_timeout`.
pub fn with_time_limit(router: Router, limit: std::time::Duration) -> Router {
    router.layer(axum::middleware::from_fn_with_state(limit, observe::time_limit))
}

/// What a service's worker process serves: `/health`, `/ready` (the service's own check) and
/// `/metrics`, for probes and Prometheus, behind the common layers.
pub fn operations_router<S, H, T>(ready: H, state: S, config: &HttpConfig, metrics: Metrics) -> Router
where
    S: Clone + Send + Sync + 'static,
    H: axum::handler::Handler<T, S>,
    T: 'static,
    Metrics: axum::extract::FromRef<S>,
{
    let router = Router::new()
        .route("/health", axum::routing::get(crate::readiness::get_health))
        .route("/ready", axum::routing::get(ready))
        .route("/metrics", axum::routing::get(crate::metrics::get_metrics))
        .with_state(state);
    let config = HttpConfig { web_dir: None, ..config.clone() };
    with_common_layers(router, Router::new(), &config, metrics)
}

fn cors_layer(origins: &CorsOrigins) -> Option<CorsLayer> {
    let allow = match origins {
        CorsOrigins::None => return None,
        CorsOrigins::Any => AllowOrigin::any(),
        CorsOrigins::List(list) => AllowOrigin::list(list.iter().cloned()),
    };
    let request_id = HeaderName::from_static("x-request-id");
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                request_id.clone(),
                HeaderName::from_static("x-tenant-slug"),
                HeaderName::from_static("idempotency-key"),
            ])
            .expose_headers([
                request_id,
                header::RETRY_AFTER,
                HeaderName::from_static("ratelimit-limit"),
                HeaderName::from_static("ratelimit-remaining"),
                HeaderName::from_static("ratelimit-reset"),
                HeaderName::from_static("idempotent-replayed"),
            ])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

async fn not_found(request: Request<axum::body::Body>) -> impl IntoResponse {
    ApiError::not_found(format!("no route for {} {}", request.method(), request.uri().path()))
}
