//! The domain's ids as types of their own, so that a team's id is never passed where a ticket's
//! is expected. Each is its inner value in SQL and JSON (transparent): a checked `query_as!`
//! reads one into a struct's field by itself (`From`), `team_id AS "team_id: TeamId"` reads one
//! elsewhere, and `team as _` binds one; the API documents show the inner type (fields name it
//! with `#[schema(value_type = ...)]`, paths with `params`).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Each id: its inner type, transparent in SQL and JSON, shown as that type.
macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident($inner:ty);)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub $inner);

        /// What a checked query reads a column into (`query_as!` converts each column with `From`).
        impl From<$inner> for $name {
            fn from(inner: $inner) -> Self {
                Self(inner)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

ids! {
    /// A ticket's id (a number, as the tenant's sequence gives it; its `TKT-` number is another).
    TicketId(i64);
    /// A person's id: staff or customer, as the platform's identity and the users mirror know them.
    UserId(Uuid);
    /// A team's id.
    TeamId(Uuid);
    /// A macro's id (a number, as the tenant's sequence gives it).
    MacroId(i64);
    /// A business-hours schedule's id.
    ScheduleId(Uuid);
    /// A saved view's id.
    ViewId(Uuid);
    /// A rule's id.
    RuleId(Uuid);
    /// A customer organisation's id.
    OrganizationId(Uuid);
}

impl UserId {
    /// Nobody's id: what the system and the rules act as, never a person's.
    pub const NOBODY: Self = Self(Uuid::nil());

    pub fn is_nobody(self) -> bool {
        self == Self::NOBODY
    }
}
