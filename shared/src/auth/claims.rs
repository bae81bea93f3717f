//! The access token's claims.

use base::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Claims of an access token (`sub, tid, slug, role, sid, amr, iss, aud, iat, exp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user.
    pub sub: Uuid,
    /// The tenant the token was issued for; absent for platform operators.
    pub tid: Option<Uuid>,
    pub slug: Option<String>,
    pub role: Role,
    /// The login session (refresh-token family).
    pub sid: Uuid,
    /// Authentication methods: `["pwd"]` or `["pwd", "otp"]` (RFC 8176).
    pub amr: Vec<String>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

impl Claims {
    /// Whether the second factor was used for this session.
    pub fn used_otp(&self) -> bool {
        self.amr.iter().any(|m| m == "otp")
    }
}
