//! The built web app (`WEB_DIR`), served by the service itself when no nginx is in front
//! (development): every GET that is not the API gets a file, and a client-side route gets
//! `index.html`. The answers carry the headers nginx gives the same files in production (the CSP
//! below is the one in `nginx/templates/snippets/headers-web.conf.template`, and a test keeps the
//! two equal, but for the files host nginx adds to `img-src`), `index.html` is revalidated on
//! every load, and the content-hashed files under `/assets/` are cached for good.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::ApiError;

/// The web app's Content-Security-Policy: its own scripts and styles only, no inline script.
/// Images from its own origin too, where development serves attachments (`BLOB_DIR`, links
/// relative to the host); behind nginx they also come from the files host, which nginx's copy of
/// this policy adds to `img-src` as `$files_origin`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
    form-action 'self'; frame-ancestors 'none'";

const REVALIDATE: &str = "no-cache";
const FOREVER: &str = "public, max-age=31536000, immutable";

/// A fallback that serves the app in `dir` and answers the API's 404 for everything else: any
/// `/v1/` path, and methods other than GET and HEAD.
pub fn fallback(dir: &Path) -> Router {
    let assets = ServeDir::new(dir.join("assets"));
    let pages = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
    Router::new().fallback(move |request: Request<Body>| {
        let (assets, pages) = (assets.clone(), pages.clone());
        async move {
            let path = request.uri().path().to_owned();
            let is_page_request = matches!(*request.method(), Method::GET | Method::HEAD) && !path.starts_with("/v1/");
            if !is_page_request {
                return super::not_found(request).await.into_response();
            }
            if let Some(asset) = path.strip_prefix("/assets/") {
                let missing = ApiError::not_found(format!("no file {path}"));
                let mut request = request;
                *request.uri_mut() = format!("/{asset}").parse().unwrap_or_default();
                let response = match assets.oneshot(request).await {
                    Ok(found) if found.status() == StatusCode::NOT_FOUND => missing.into_response(),
                    Ok(found) => found.into_response(),
                    Err(e) => ApiError::internal(e).into_response(),
                };
                return with_headers(response, FOREVER);
            }
            let response = pages.oneshot(request).await.map(IntoResponse::into_response);
            with_headers(response.unwrap_or_else(|e| ApiError::internal(e).into_response()), REVALIDATE)
        }
    })
}

fn with_headers(mut response: Response, cache: &'static str) -> Response {
    // Only found files are cached for good.
    let cache = if response.status().is_success() { cache } else { REVALIDATE };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_sends_the_same_policy_with_the_files_host() {
        let snippet = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../nginx/templates/snippets/headers-web.conf.template"),
        )
        .unwrap();
        let images = "img-src 'self' data: blob:;";
        assert!(CONTENT_SECURITY_POLICY.contains(images), "the policy names no img-src: update this test");
        let with_files = CONTENT_SECURITY_POLICY.replacen(images, "img-src 'self' data: blob: $files_origin;", 1);
        let expected = format!("add_header Content-Security-Policy \"{with_files}\" always;");
        assert!(snippet.contains(&expected), "headers-web.conf.template does not send {with_files}");
    }
}
