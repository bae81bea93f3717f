//! Who someone is to a tenant or to the platform.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
