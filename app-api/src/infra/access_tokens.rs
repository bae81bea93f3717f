//! Access-token verification on the app plane: public keys only, from `JWT_PUBLIC_KEYS` or
//! from control-api's JWKS (`JWKS_URL`), fetched at start and again when a token names a key
//! not seen yet (at most once a minute, so forged `kid`s cannot make us hammer the JWKS).
//!
//! Verified tokens are remembered for a minute (by the SHA-256 of the whole token, expiry still
//! checked on every use): a client sends the same token many times, and the signature check is
//! the largest CPU cost of a small request. Every use, remembered or not, checks that the
//! token's session has not been revoked.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use shared::auth::{Claims, PublicKey, TokenError, Verifier};
use shared::error::ApiError;
use shared::kept::{Kept, kept};
use tokio::sync::Mutex;

use crate::config::{KeySource, TokenKeys};
use crate::infra::revocations::RevokedSessions;

const REFETCH_EVERY: Duration = Duration::from_secs(60);
/// How long a verified token is remembered (never past its own expiry).
const VERIFIED_TTL: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    crv: Option<String>,
    x: Option<String>,
}

pub struct TokenVerifier {
    config: TokenKeys,
    current: RwLock<Arc<Verifier>>,
    last_fetch: Mutex<Option<Instant>>,
    http: reqwest::Client,
    verified: Kept<[u8; 32], Arc<Claims>>,
    revoked: Arc<RevokedSessions>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot load the JWKS from {url}: {reason}")]
pub struct JwksError {
    url: String,
    reason: String,
}

impl TokenVerifier {
    /// Loads the keys (fetching the JWKS when configured so).
    pub async fn load(config: TokenKeys, revoked: Arc<RevokedSessions>) -> Result<Self, JwksError> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("HTTP client");
        let keys = match &config.source {
            KeySource::Static(keys) => keys.clone(),
            KeySource::Jwks(url) => fetch(&http, url).await?,
        };
        let verifier = Verifier::new(&keys, &config.issuer, &config.audience);
        let fetched = matches!(config.source, KeySource::Jwks(_)).then(Instant::now);
        Ok(Self {
            config,
            current: RwLock::new(Arc::new(verifier)),
            last_fetch: Mutex::new(fetched),
            http,
            verified: kept(100_000, VERIFIED_TTL),
            revoked,
        })
    }

    fn verifier(&self) -> Arc<Verifier> {
        Arc::clone(&self.current.read().expect("not poisoned"))
    }

    pub async fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let claims = self.verify_signed(token).await?;
        if self.revoked.contains(claims.sid) {
            return Err(ApiError::unauthorized("this session has ended; sign in again"));
        }
        Ok(claims)
    }

    async fn verify_signed(&self, token: &str) -> Result<Claims, ApiError> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(claims) = self.verified.get(&digest) {
            if claims.exp > chrono::Utc::now().timestamp() {
                return Ok(Claims::clone(&claims));
            }
            self.verified.invalidate(&digest);
        }
        let claims = match self.verifier().verify(token) {
            Err(TokenError::Invalid("unknown kid")) if self.refetch().await => self.verifier().verify(token)?,
            other => other?,
        };
        self.verified.insert(digest, Arc::new(claims.clone()));
        Ok(claims)
    }

    /// Refetches the JWKS if allowed now; true when new keys were installed.
    async fn refetch(&self) -> bool {
        let KeySource::Jwks(url) = &self.config.source else { return false };
        let mut last = self.last_fetch.lock().await;
        if last.is_some_and(|at| at.elapsed() < REFETCH_EVERY) {
            return false;
        }
        *last = Some(Instant::now());
        match fetch(&self.http, url).await {
            Ok(keys) => {
                *self.current.write().expect("not poisoned") =
                    Arc::new(Verifier::new(&keys, &self.config.issuer, &self.config.audience));
                tracing::info!(keys = keys.len(), "JWKS refetched");
                true
            }
            Err(err) => {
                tracing::warn!(error = %err, "JWKS refetch failed; keeping the current keys");
                false
            }
        }
    }
}

async fn fetch(http: &reqwest::Client, url: &str) -> Result<Vec<PublicKey>, JwksError> {
    let fail = |reason: String| JwksError { url: url.to_owned(), reason };
    let set: JwkSet = http
        .get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| fail(e.to_string()))?
        .json()
        .await
        .map_err(|e| fail(e.to_string()))?;
    let keys: Vec<PublicKey> = set
        .keys
        .iter()
        .filter(|k| k.kty == "OKP" && k.crv.as_deref() == Some("Ed25519"))
        .filter_map(|k| PublicKey::from_jwk_x(k.x.as_deref()?).ok())
        .collect();
    if keys.is_empty() {
        return Err(fail("no Ed25519 key in the set".into()));
    }
    Ok(keys)
}
