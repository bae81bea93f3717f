//! Minting access tokens. Only control-api holds the signing key.

use std::time::Duration;

use jsonwebtoken::{Algorithm, Header};
use shared::auth::{Claims, Role, SigningKey};
use uuid::Uuid;

/// What an access token grants.
#[derive(Debug, Clone)]
pub struct Grant {
    pub user_id: Uuid,
    /// Tenant id and slug; `None` for platform operators.
    pub tenant: Option<(Uuid, String)>,
    pub role: Role,
    pub session_id: Uuid,
    pub amr: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct AccessToken {
    pub token: String,
    pub expires_in: u64,
}

pub struct TokenIssuer {
    key: SigningKey,
    issuer: String,
    audience: String,
    ttl: Duration,
}

impl TokenIssuer {
    pub fn new(key: SigningKey, issuer: String, audience: String, ttl: Duration) -> Self {
        Self { key, issuer, audience, ttl }
    }

    pub fn mint(&self, grant: &Grant) -> AccessToken {
        let now = chrono::Utc::now().timestamp();
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        let claims = Claims {
            sub: grant.user_id,
            tid: grant.tenant.as_ref().map(|(id, _)| *id),
            slug: grant.tenant.as_ref().map(|(_, slug)| slug.clone()),
            role: grant.role,
            sid: grant.session_id,
            amr: grant.amr.clone(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            exp: now.saturating_add(ttl),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.key.kid().to_owned());
        let token = jsonwebtoken::encode(&header, &claims, self.key.encoding_key()).expect("EdDSA signing of claims");
        AccessToken { token, expires_in: self.ttl.as_secs() }
    }
}
