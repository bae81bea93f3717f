//! Conditional GETs: a JSON answer carries an `ETag` (a digest of its bytes), and a request that
//! names it in `If-None-Match` gets `304 Not Modified` without the body. Clients that poll (the
//! web console's queue and ticket, every few seconds) then re-download and re-render nothing
//! while nothing changed. The digest is of the exact bytes, so an answer that changed for any
//! reason never matches; the query still runs on every poll. Only whole answers of a known size
//! are tagged: a streamed answer (an export) or one that says how it may be cached (`no-store`)
//! passes through untouched.

use axum::body::Body;
use axum::body::HttpBody as _;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Answers above this are passed through untouched rather than held to be digested.
const MAX_DIGESTED_BYTES: usize = 4 * 1024 * 1024;

pub async fn conditional_get(request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let wanted = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    let is_json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let whole = response.body().size_hint().exact().is_some_and(|size| size <= MAX_DIGESTED_BYTES as u64);
    if response.status() != StatusCode::OK
        || !is_json
        || !whole
        || response.headers().contains_key(header::CACHE_CONTROL)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_DIGESTED_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => return crate::error::ApiError::internal(e.to_string()).into_response(),
    };
    let digest = Sha256::digest(&bytes);
    let tag = format!("\"{}\"", hex::encode(&digest[..16]));
    let tag = HeaderValue::from_str(&tag).expect("hex is a valid header value");
    // Revalidate every time: the answer depends on the caller and changes at any moment.
    parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    parts.headers.insert(header::ETAG, tag.clone());
    if wanted.as_ref().is_some_and(|w| matches(w, &tag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `If-None-Match`: `*` or a list of tags, weak ones compared by their value.
fn matches(wanted: &HeaderValue, tag: &HeaderValue) -> bool {
    let Ok(wanted) = wanted.to_str() else { return false };
    let tag = tag.to_str().unwrap_or_default();
    wanted.split(',').map(str::trim).any(|w| w == "*" || w.trim_start_matches("W/") == tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_in_lists_weakly_and_by_star() {
        let tag = HeaderValue::from_static("\"abc\"");
        for wanted in ["\"abc\"", "W/\"abc\"", "\"x\", \"abc\"", "*"] {
            assert!(matches(&HeaderValue::from_static(wanted), &tag), "{wanted}");
        }
        for wanted in ["\"abd\"", "abc", ""] {
            assert!(!matches(&HeaderValue::from_static(wanted), &tag), "{wanted}");
        }
    }
}
