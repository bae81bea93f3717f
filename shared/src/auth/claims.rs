//! The access token's claims.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A role: in a tenant (`owner`, `admin`, `agent`, `customer`), on the platform, or an
/// integration (a tenant's API key, in that tenant's users mirror only: never in a token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Agent,
    Customer,
    PlatformAdmin,
    Integration,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Agent => "agent",
            Self::Customer => "customer",
            Self::PlatformAdmin => "platform_admin",
            Self::Integration => "integration",
        }
    }

    /// Parses a stored membership role.
    pub fn from_db(value: &str) -> Option<Self> {
        Some(match value {
            "owner" => Self::Owner,
            "admin" => Self::Admin,
            "agent" => Self::Agent,
            "customer" => Self::Customer,
            "platform_admin" => Self::PlatformAdmin,
            "integration" => Self::Integration,
            _ => return None,
        })
    }
}

crate::text_column!(Role, from_db);

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
