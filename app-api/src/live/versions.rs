//! Revalidation that costs nothing: each tenant has a change version (a Redis counter shared by
//! every replica, `{REDIS_KEY_PREFIX}tenant-version:{id}`), bumped by every write app-api makes
//! to the tenant before its answer (a request's, a job's) and by the relay before it publishes a
//! tenant's events. A conditional GET of the ticket list or of a ticket is tagged with the
//! version read before its query, the caller and the address, and a 30-second bucket of the
//! clock; one that names the current tag is answered 304 without touching the tenant's
//! database, nor Redis: each replica keeps the versions it read for `KEPT_FOR`.
//!
//! How stale a 304 can be:
//! - **A change through this replica**: never. Its bump happens after its commit and before its
//!   answer and sets the version kept here, so a revalidation that starts after the answer sees
//!   the new version; a read racing the write can only tag an old answer with the old version.
//! - **A change that raised an event, through any replica**: never once this replica's streams
//!   have its frame. The relay bumps the version before publishing, and the fan-out
//!   (`crate::worker::fanout`) forgets the kept version before handing the frame to the streams,
//!   so a page that refetches on a frame gets the change.
//! - **Any other change through another replica** (a notification setting, read receipts): at
//!   most `KEPT_FOR` (1 s), the life of a kept version.
//! - **What changes without app-api writing** (control-api renaming a member or changing a role,
//!   the SLA badge's at-risk flag as time passes): at most 30 seconds, the bucket.
//! - **Without Redis** (one replica, or Redis away) there is no shared version: the answers are
//!   digested as before (`shared::http::etag`), and a bump that could not be written is bounded
//!   by the bucket too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::answers::Answers;

/// Seconds a tag stays valid whatever happens (changes app-api does not write, time-derived
/// fields).
pub const BUCKET_SECONDS: u64 = 30;

/// How long a replica answers from a version it read from Redis before reading it again.
pub const KEPT_FOR: Duration = Duration::from_secs(1);
/// Kept versions beyond which the expired ones are dropped.
const KEPT_MAX: usize = 10_000;

/// The change versions of the tenants: Redis's, and the ones this replica read lately.
pub struct Versions {
    redis: Option<shared::redis::Redis>,
    prefix: String,
    kept: Mutex<HashMap<Uuid, Kept>>,
}

/// A version this replica read or wrote. `epoch` counts what happened to the tenant here since
/// (bumps, `forget`): a read from Redis that started before one of them is not kept.
#[derive(Debug, Clone, Copy, Default)]
struct Kept {
    version: u64,
    read_at: Option<Instant>,
    epoch: u64,
}

impl Kept {
    fn fresh(&self) -> Option<u64> {
        self.read_at.filter(|at| at.elapsed() < KEPT_FOR).map(|_| self.version)
    }
}

impl Versions {
    pub fn new(redis: Option<shared::redis::Redis>, prefix: &str) -> Self {
        Self { redis, prefix: prefix.to_owned(), kept: Mutex::new(HashMap::new()) }
    }

    fn key(&self, tenant: Uuid) -> String {
        format!("{}tenant-version:{tenant}", self.prefix)
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Kept>> {
        self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps `version` of `tenant`: a read's (started at `epoch`) only if nothing happened to
    /// the tenant here since; a bump's (`None`) always, as a new epoch. Never a version older
    /// than one kept: the counter only grows.
    fn keep(&self, tenant: Uuid, version: u64, epoch: Option<u64>) {
        let mut kept = self.kept();
        if kept.len() >= KEPT_MAX {
            kept.retain(|_, k| k.fresh().is_some());
        }
        let entry = kept.entry(tenant).or_default();
        match epoch {
            Some(read_at) if read_at != entry.epoch => return,
            Some(_) => {}
            None => entry.epoch += 1,
        }
        entry.version = entry.version.max(version);
        entry.read_at = Some(Instant::now());
    }

    /// The tenant's version now; `None` without Redis.
    pub async fn current(&self, tenant: Uuid) -> Option<u64> {
        let epoch = {
            let kept = self.kept();
            let entry = kept.get(&tenant).copied().unwrap_or_default();
            if let Some(version) = entry.fresh() {
                return Some(version);
            }
            entry.epoch
        };
        let redis = self.redis.as_ref()?;
        let key = self.key(tenant);
        let version = redis
            .run("tenant_version", |mut conn| async move {
                redis::cmd("GET").arg(key).query_async::<Option<u64>>(&mut conn).await
            })
            .await?
            .unwrap_or_default();
        self.keep(tenant, version, Some(epoch));
        Some(version)
    }

    /// Marks a change of `tenant` (after its commit, before its answer or its event).
    pub async fn bump(&self, tenant: Uuid) {
        let Some(redis) = self.redis.as_ref() else { return };
        let key = self.key(tenant);
        let bumped = redis
            .run("tenant_version", |mut conn| async move {
                redis::pipe()
                    .cmd("INCR")
                    .arg(&key)
                    .cmd("EXPIRE")
                    .arg(&key)
                    .arg(7 * 24 * 3600)
                    .ignore()
                    .query_async::<(u64,)>(&mut conn)
                    .await
            })
            .await;
        match bumped {
            Some((version,)) => self.keep(tenant, version, None),
            None => self.forget(tenant),
        }
    }

    /// Drops the version kept for `tenant` (another replica changed it: the fan-out saw its
    /// event), so the next revalidation reads Redis again.
    pub fn forget(&self, tenant: Uuid) {
        if let Some(entry) = self.kept().get_mut(&tenant) {
            entry.epoch += 1;
            entry.read_at = None;
        }
    }
}

/// A versioned read: its tag, whether the caller holds it already, and the answer kept under
/// it. Read as an extractor (`crate::context`), before the handler's query.
pub struct Revalidation {
    tag: Option<HeaderValue>,
    fresh: bool,
    tenant: Uuid,
    answers: Arc<Answers>,
}

impl Revalidation {
    /// The tag for `user` reading `uri` now, compared with the request's `If-None-Match`.
    pub async fn check(
        versions: &Versions,
        answers: Arc<Answers>,
        tenant: Uuid,
        user: Uuid,
        uri: &str,
        headers: &HeaderMap,
    ) -> Self {
        let Some(version) = versions.current(tenant).await else {
            return Self { tag: None, fresh: false, tenant, answers };
        };
        let digest = Sha256::digest([user.as_bytes().as_slice(), uri.as_bytes()].concat());
        // Each caller and address turns its bucket at its own second, so the answers kept do not
        // all expire at once.
        let offset = u64::from(u16::from_be_bytes([digest[8], digest[9]])) % BUCKET_SECONDS;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let bucket = (now + offset) / BUCKET_SECONDS;
        let tag = format!("W/\"v{version}.{bucket}.{}\"", hex::encode(&digest[..8]));
        let tag = HeaderValue::from_str(&tag).expect("a valid header value");
        let fresh = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|wanted| wanted.split(',').any(|w| w.trim() == tag.to_str().unwrap_or_default()));
        Self { tag: Some(tag), fresh, tenant, answers }
    }

    /// The answer without a query: `304 Not Modified` when the caller's copy is current, else
    /// the answer kept under the current tag (`crate::live::answers`), if any.
    pub fn answered(&self) -> Option<Response> {
        let tag = self.tag.as_ref()?;
        if self.fresh {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            response.headers_mut().insert(header::ETAG, tag.clone());
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
            return Some(response);
        }
        let body = self.answers.get(self.tenant, tag)?;
        Some(self.tagged(body))
    }

    /// `value` as the JSON answer, tagged with the version read before its query and kept
    /// under that tag (untagged without a version: the digest of the body tags it then).
    pub fn answer<T: serde::Serialize>(&self, value: &T) -> Result<Response, shared::error::ApiError> {
        let body = Bytes::from(
            serde_json::to_vec(value).map_err(|e| shared::error::ApiError::internal(format!("an answer: {e}")))?,
        );
        match &self.tag {
            Some(tag) => {
                self.answers.keep(self.tenant, tag.clone(), body.clone());
                Ok(self.tagged(body))
            }
            None => Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()),
        }
    }

    fn tagged(&self, body: Bytes) -> Response {
        let mut response =
            ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response();
        if let Some(tag) = &self.tag {
            response.headers_mut().insert(header::ETAG, tag.clone());
            // The digest of the body (shared::http::etag) steps aside for a tagged answer.
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        }
        response
    }
}
