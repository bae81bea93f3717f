//! Revalidation that costs nothing: each tenant has a change version (`shared::change_version`,
//! a Redis counter shared by every replica and by control-api), raised by every change to the
//! tenant's data before its answer (a request's, a job's, a member synced from the control
//! plane) and by the relay before it publishes a tenant's events. A conditional GET of the
//! ticket list, a ticket or its thread is tagged with the version read before its query, the
//! caller and the address, and a 30-second bucket of the clock; one that names the current tag
//! is answered 304 without touching the tenant's database, nor Redis: each replica keeps the
//! versions it read for `KEPT_FOR`. The answer itself is kept too (`super::answers`), under the
//! version, the caller and the address, for as long as nothing but a write can change it.
//!
//! How stale a 304 or a kept answer can be:
//! - **A change through this replica**: never. Its bump happens after its commit and before its
//!   answer and sets the version kept here, so a read that starts after the answer sees the new
//!   version; a read racing the write can only keep an old answer under the old version. A bump
//!   Redis did not take blinds this replica to the tenant's versions for `LONGEST_LIFE`: no tag,
//!   nothing kept or served from memory.
//! - **A change that raised an event, through any replica**: never once this replica's streams
//!   have its frame. The relay bumps the version before publishing, and the fan-out
//!   (`crate::worker::fanout`) forgets the kept version before handing the frame to the streams,
//!   so a page that refetches on a frame gets the change.
//! - **Any other change through another replica or control-api** (a notification setting, read
//!   receipts, a member renamed or given another role): at most `KEPT_FOR` (1 s), the life of a
//!   kept version.
//! - **What time alone changes**: an answer says when (`Timed`; for where tickets stand, the
//!   badge's `sav::tickets::badge::Turns`). A badge that turns at risk or breached at a known
//!   instant is served from memory until that instant and no longer; what moves all the time (a
//!   paused clock's waited seconds) at most 30 seconds, the bucket. A 304 is bounded by the
//!   bucket in every case.
//! - **A change whose bump Redis did not take** (refused, or away): about a second
//!   (`REPAIR_EVERY`). The service that missed it records the miss in the control database
//!   (`control_schema::versions`); every replica reads the misses each second (`repair`), keeps
//!   and serves nothing for those tenants meanwhile, raises the version once Redis takes it, and
//!   settles the miss. Only if the control database refused the record too: at most
//!   `LONGEST_LIFE`.
//! - **Anything else** (a change made around both services): at most `LONGEST_LIFE` (5 min), the
//!   longest an answer is kept.
//! - **Without Redis** (one replica, or Redis away) there is no shared version: the answers are
//!   digested as before (`shared::http::etag`) and nothing is kept.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use sav::tickets::badge::Turns;
use sha2::{Digest as _, Sha256};
use shared::http::openapi::problem_responses;
use utoipa::openapi::RefOr;
use uuid::Uuid;

use super::Live;
use super::answers::AnswerKey;
use sav::ids::UserId;

/// Seconds a tag stays valid whatever happens (changes time alone makes).
pub const BUCKET_SECONDS: u64 = 30;

/// How long a replica answers from a version it read from Redis before reading it again.
pub const KEPT_FOR: Duration = Duration::from_secs(1);
/// The longest an answer is kept, whatever it says of time; also how long a replica whose bump
/// Redis did not take stays blind to the tenant's versions.
pub const LONGEST_LIFE: Duration = Duration::from_secs(300);
/// How often a replica reads the misses (`repair`); a listed tenant stays blind here for twice
/// that after each read that lists it.
pub const REPAIR_EVERY: Duration = Duration::from_secs(1);
/// KnownVersion versions beyond which the expired ones are dropped.
const KEPT_MAX: usize = 10_000;

/// The change versions of the tenants: Redis's, and the ones this replica read lately.
pub struct Versions {
    redis: Option<shared::redis::Redis>,
    /// Where the misses are recorded (`control_schema::versions`).
    control_db: sqlx::PgPool,
    prefix: String,
    kept: Mutex<HashMap<Uuid, KnownVersion>>,
}

/// A version this replica read or wrote. `epoch` counts what happened to the tenant here since
/// (bumps, `forget`): a read from Redis that started before one of them is not kept.
#[derive(Debug, Clone, Copy, Default)]
struct KnownVersion {
    version: u64,
    read_at: Option<Instant>,
    epoch: u64,
    /// A bump Redis did not take: no version until then.
    blind_until: Option<Instant>,
}

impl KnownVersion {
    fn fresh(&self) -> Option<u64> {
        self.read_at.filter(|at| at.elapsed() < KEPT_FOR).map(|_| self.version)
    }

    fn blind(&self) -> bool {
        self.blind_until.is_some_and(|until| Instant::now() < until)
    }

    fn worth_keeping(&self) -> bool {
        self.fresh().is_some() || self.blind()
    }
}

impl Versions {
    pub fn new(redis: Option<shared::redis::Redis>, control_db: sqlx::PgPool, prefix: &str) -> Self {
        Self { redis, control_db, prefix: prefix.to_owned(), kept: Mutex::new(HashMap::new()) }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, KnownVersion>> {
        self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps `version` of `tenant`: a read's (started at `epoch`) only if nothing happened to
    /// the tenant here since; a bump's (`None`) always, as a new epoch. Never a version older
    /// than one kept: the counter only grows.
    fn keep(&self, tenant: Uuid, version: u64, epoch: Option<u64>) {
        let mut kept = self.kept();
        if kept.len() >= KEPT_MAX {
            kept.retain(|_, k| k.worth_keeping());
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

    /// The tenant's version now; `None` without Redis, or while blind to it.
    pub async fn current(&self, tenant: Uuid) -> Option<u64> {
        let epoch = {
            let kept = self.kept();
            let entry = kept.get(&tenant).copied().unwrap_or_default();
            if entry.blind() {
                return None;
            }
            if let Some(version) = entry.fresh() {
                return Some(version);
            }
            entry.epoch
        };
        let redis = self.redis.as_ref()?;
        let version = shared::change_version::read(redis, &shared::change_version::key(&self.prefix, tenant)).await?;
        self.keep(tenant, version, Some(epoch));
        Some(version)
    }

    /// Marks a change of `tenant` (after its commit, before its answer or its event). When
    /// Redis does not take it, this replica stops trusting any version of the tenant until the
    /// version is raised (`repair`), or for `LONGEST_LIFE` at most, and records the miss for the
    /// other replicas.
    pub async fn bump(&self, tenant: Uuid) {
        let Some(redis) = self.redis.as_ref() else { return };
        let key = shared::change_version::key(&self.prefix, tenant);
        if let Some(version) = shared::change_version::bump(redis, &key).await {
            self.keep(tenant, version, None);
            return;
        }
        self.blind(tenant, LONGEST_LIFE);
        if let Err(err) = control_schema::versions::record_missed(&self.control_db, tenant).await {
            tracing::warn!(tenant = %tenant, error = %err, "a missed version bump could not be recorded");
        }
    }

    /// Stops trusting any version of `tenant` here for `blind_for` (or longer, if already so).
    fn blind(&self, tenant: Uuid, blind_for: Duration) {
        let mut kept = self.kept();
        let entry = kept.entry(tenant).or_default();
        entry.epoch += 1;
        entry.read_at = None;
        let until = Instant::now() + blind_for;
        entry.blind_until = Some(entry.blind_until.map_or(until, |blind| blind.max(until)));
    }

    /// Reads the misses recorded by any service: each listed tenant is blind here for twice
    /// `REPAIR_EVERY`, and its version is raised when Redis takes it (the miss settled, and the
    /// tenant seen again here). How many misses were settled.
    pub async fn repair(&self) -> sqlx::Result<usize> {
        let Some(redis) = self.redis.as_ref() else { return Ok(0) };
        let mut settled = 0;
        for missed in control_schema::versions::missed(&self.control_db).await? {
            self.blind(missed.tenant_id, 2 * REPAIR_EVERY);
            let key = shared::change_version::key(&self.prefix, missed.tenant_id);
            let Some(version) = shared::change_version::bump(redis, &key).await else { continue };
            control_schema::versions::settle(&self.control_db, missed).await?;
            let mut kept = self.kept();
            let entry = kept.entry(missed.tenant_id).or_default();
            entry.blind_until = None;
            drop(kept);
            self.keep(missed.tenant_id, version, None);
            settled += 1;
        }
        Ok(settled)
    }

    /// Runs `repair` every `REPAIR_EVERY` until `stop` resolves.
    pub async fn keep_repairing(&self, stop: impl Future<Output = ()>) {
        if self.redis.is_none() {
            return;
        }
        tokio::pin!(stop);
        loop {
            match self.repair().await {
                Ok(0) => {}
                Ok(settled) => tracing::info!(settled, "missed change versions raised"),
                Err(err) => tracing::warn!(error = %err, "the missed change versions could not be read"),
            }
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(REPAIR_EVERY) => {}
            }
        }
    }

    /// Removes `tenant`'s counter from Redis and what this replica kept of it (the tenant is
    /// deleted); false when Redis did not take it.
    pub async fn remove(&self, tenant: Uuid) -> bool {
        self.kept().remove(&tenant);
        let Some(redis) = &self.redis else { return true };
        shared::change_version::forget(redis, &shared::change_version::key(&self.prefix, tenant)).await.is_some()
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

/// What time alone changes in an answer, with nothing written to the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timed {
    /// Nothing: the answer holds while the tenant's version does.
    Never,
    /// Something at this instant (a badge turning at risk, a target missed), nothing before.
    At(DateTime<Utc>),
    /// Something all the time (a paused clock's waited seconds): kept for the bucket only.
    Always,
}

/// What time alone does to where tickets stand, as an answer's life.
impl From<Turns> for Timed {
    fn from(turns: Turns) -> Self {
        match turns {
            Turns::Never => Self::Never,
            Turns::At(at) => Self::At(at),
            Turns::Always => Self::Always,
        }
    }
}

/// A versioned read: its tag, whether the caller holds it already, and the answer kept for it.
/// Read as an extractor (`crate::context`), before the handler's query; list it in the route's
/// `responses` for its 304.
pub struct Revalidation {
    tag: Option<HeaderValue>,
    /// Where the answer is kept, and when the tag's bucket turns.
    kept_as: Option<(AnswerKey, Instant)>,
    fresh: bool,
    live: Arc<Live>,
    tenant: Uuid,
}

impl Revalidation {
    /// The tag for `user` of `tenant` reading `uri` now, compared with the request's
    /// `If-None-Match`.
    pub async fn check(live: Arc<Live>, tenant: Uuid, user: UserId, uri: &str, headers: &HeaderMap) -> Self {
        let Some(version) = live.versions.current(tenant).await else {
            return Self { tag: None, kept_as: None, fresh: false, live, tenant };
        };
        let digest = Sha256::digest([user.0.as_bytes().as_slice(), uri.as_bytes()].concat());
        // Each caller and address turns its bucket at its own second, so the tags do not all
        // turn at once.
        let offset = u64::from(u16::from_be_bytes([digest[8], digest[9]])) % BUCKET_SECONDS;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let shifted = now.as_secs() + offset;
        let bucket = shifted / BUCKET_SECONDS;
        let turns_in = Duration::from_secs(BUCKET_SECONDS - shifted % BUCKET_SECONDS)
            .saturating_sub(Duration::from_nanos(u64::from(now.subsec_nanos())));
        let tag = format!("W/\"v{version}.{bucket}.{}\"", hex::encode(&digest[..8]));
        let tag = HeaderValue::from_str(&tag).expect("a valid header value");
        let fresh = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|wanted| wanted.split(',').any(|w| w.trim() == tag.to_str().unwrap_or_default()));
        let mut reader = [0; 16];
        reader.copy_from_slice(&digest[..16]);
        let key = AnswerKey { tenant, version, reader };
        Self { tag: Some(tag), kept_as: Some((key, Instant::now() + turns_in)), fresh, live, tenant }
    }

    /// The answer without a query: `304 Not Modified` when the caller's copy is current, else
    /// the answer kept for this version, caller and address (`crate::live::answers`), if any.
    pub fn answered(&self) -> Option<Response> {
        let tag = self.tag.as_ref()?;
        if self.fresh {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            response.headers_mut().insert(header::ETAG, tag.clone());
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
            return Some(response);
        }
        let (key, _) = self.kept_as.as_ref()?;
        let body = self.live.answers.get(key)?;
        Some(self.tagged(body))
    }

    /// Marks the tenant changed by this read itself (read receipts, unread counts), before its
    /// answer: a revalidation after it must not be answered from before it.
    pub async fn read_changed(&self) {
        self.live.versions.bump(self.tenant).await;
    }

    /// `value` as the JSON answer, tagged with the version read before its query and kept while
    /// nothing but a write changes it (`timed`: what time alone changes in it); untagged without
    /// a version: the digest of the body tags it then.
    pub fn answer<T: serde::Serialize>(
        &self,
        value: &T,
        timed: impl Into<Timed>,
    ) -> Result<Response, shared::error::ApiError> {
        let body = Bytes::from(
            serde_json::to_vec(value).map_err(|e| shared::error::ApiError::internal(format!("an answer: {e}")))?,
        );
        if let Some((key, bucket_turns)) = &self.kept_as {
            let until = match timed.into() {
                Timed::Never => Instant::now() + LONGEST_LIFE,
                Timed::At(at) => Instant::now() + (at - Utc::now()).to_std().unwrap_or_default().min(LONGEST_LIFE),
                Timed::Always => *bucket_turns,
            };
            self.live.answers.keep(*key, body.clone(), until);
        }
        Ok(self.tagged(body))
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

/// The 304 of a versioned read: list `Revalidation` in the route's `responses`.
impl utoipa::IntoResponses for Revalidation {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        problem_responses([("304", "Not modified: `If-None-Match` names the current tag (answered without a query)")])
    }
}
