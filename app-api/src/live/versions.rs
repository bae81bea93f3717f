//! Revalidation that costs nothing: each tenant has a change version (a Redis counter shared by
//! every replica, `{REDIS_KEY_PREFIX}tenant-version:{id}`), bumped by every write app-api makes
//! to the tenant before its answer (a request's, a job's). A conditional GET of the ticket list or
//! of a ticket is tagged with the version read before its query, the caller and the address, and
//! a 30-second bucket of the clock; one that names the current tag is answered 304 without
//! touching the tenant's database.
//!
//! - A change through app-api is never answered with a stale 304: its bump happens after its
//!   commit and before its answer, so a revalidation that starts after the answer reads the new
//!   version; a read racing the write can only tag an old answer with the old version.
//! - What changes without app-api writing (control-api renaming a member or changing a role, the
//!   SLA badge's at-risk flag as time passes) is at most 30 seconds stale: the bucket.
//! - Without Redis (one replica, or Redis away) there is no shared version: the answers are
//!   digested as before (`shared::http::etag`), and a bump that could not be written is bounded
//!   by the bucket too.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

/// Seconds a tag stays valid whatever happens (changes app-api does not write, time-derived
/// fields).
pub const BUCKET_SECONDS: u64 = 30;

/// The change versions of the tenants.
pub struct Versions {
    redis: Option<shared::redis::Redis>,
    prefix: String,
}

impl Versions {
    pub fn new(redis: Option<shared::redis::Redis>, prefix: &str) -> Self {
        Self { redis, prefix: prefix.to_owned() }
    }

    fn key(&self, tenant: Uuid) -> String {
        format!("{}tenant-version:{tenant}", self.prefix)
    }

    /// The tenant's version now; `None` without Redis.
    pub async fn current(&self, tenant: Uuid) -> Option<u64> {
        let redis = self.redis.as_ref()?;
        let key = self.key(tenant);
        redis
            .run("tenant_version", |mut conn| async move {
                redis::cmd("GET").arg(key).query_async::<Option<u64>>(&mut conn).await
            })
            .await
            .map(Option::unwrap_or_default)
    }

    /// Marks a change of `tenant` (after its commit, before its answer).
    pub async fn bump(&self, tenant: Uuid) {
        let Some(redis) = self.redis.as_ref() else { return };
        let key = self.key(tenant);
        redis
            .run("tenant_version", |mut conn| async move {
                redis::pipe()
                    .cmd("INCR")
                    .arg(&key)
                    .ignore()
                    .cmd("EXPIRE")
                    .arg(&key)
                    .arg(7 * 24 * 3600)
                    .ignore()
                    .query_async::<()>(&mut conn)
                    .await
            })
            .await;
    }
}

/// A conditional GET of a versioned answer: its tag, and whether the caller holds it already.
/// Read as an extractor (`crate::context`), before the handler's query.
pub struct Revalidation {
    tag: Option<HeaderValue>,
    fresh: bool,
}

impl Revalidation {
    /// The tag for `user` reading `uri` now, compared with the request's `If-None-Match`.
    pub async fn check(versions: &Versions, tenant: Uuid, user: Uuid, uri: &str, headers: &HeaderMap) -> Self {
        let Some(version) = versions.current(tenant).await else { return Self { tag: None, fresh: false } };
        let bucket = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() / BUCKET_SECONDS);
        let digest = Sha256::digest([user.as_bytes().as_slice(), uri.as_bytes()].concat());
        let tag = format!("W/\"v{version}.{bucket}.{}\"", hex::encode(&digest[..8]));
        let tag = HeaderValue::from_str(&tag).expect("a valid header value");
        let fresh = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|wanted| wanted.split(',').any(|w| w.trim() == tag.to_str().unwrap_or_default()));
        Self { tag: Some(tag), fresh }
    }

    /// `304 Not Modified`, when the caller's copy is current.
    pub fn not_modified(&self) -> Option<Response> {
        let tag = self.tag.as_ref().filter(|_| self.fresh)?;
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response.headers_mut().insert(header::ETAG, tag.clone());
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        Some(response)
    }

    /// Tags `response` (a 200) with the version read before its query.
    pub fn tag(&self, mut response: Response) -> Response {
        if let Some(tag) = &self.tag
            && response.status() == StatusCode::OK
        {
            response.headers_mut().insert(header::ETAG, tag.clone());
            // The digest of the body (shared::http::etag) steps aside for a tagged answer.
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        }
        response
    }
}
