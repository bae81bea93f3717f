//! The domain's ids as types of their own, so that a team's id is never passed where a member's
//! is expected. Each is its inner value in SQL and JSON (transparent): `team_id AS "team_id:
//! TeamId"` reads one and `team as _` binds one in a checked query; the API documents show the
//! inner type (fields name it with `#[schema(value_type = ...)]`).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A team's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct TeamId(pub Uuid);

impl std::fmt::Display for TeamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
