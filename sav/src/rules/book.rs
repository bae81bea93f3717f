//! The enabled rules of each tenant as this replica runs them, parsed once and kept while the
//! rules' version (`rule_book`, raised by every change of them) says they are current: a write
//! reads one number, not the rules.

use std::sync::Arc;
use std::time::Duration;

use base::kept::{Kept, kept};
use sqlx::PgConnection;
use uuid::Uuid;

use super::store::{self, ActiveRule};
use super::{Event, Trigger};
use crate::ids::RuleId;

/// Tenants whose rules one replica keeps.
const TENANTS_KEPT: u64 = 10_000;
/// How long a tenant's rules are kept unread: a tenant that stopped writing gives its room back.
const KEPT_FOR: Duration = Duration::from_secs(3_600);

/// A tenant's enabled rules, in position order, as of `version`.
#[derive(Debug, Default)]
pub struct Book {
    pub version: i64,
    pub rules: Vec<ActiveRule>,
}

impl Book {
    /// The rules `event` triggers, in position order.
    pub fn on(&self, event: Event) -> impl Iterator<Item = &ActiveRule> {
        self.rules.iter().filter(move |active| active.rule.trigger == Trigger::On(event))
    }

    pub fn has_time_rules(&self) -> bool {
        self.rules.iter().any(|active| matches!(active.rule.trigger, Trigger::After { .. }))
    }

    /// Rule `id`, if it is enabled.
    pub fn get(&self, id: RuleId) -> Option<&ActiveRule> {
        self.rules.iter().find(|active| active.id == id)
    }
}

/// Every tenant's book this replica read.
pub struct Books(Kept<Uuid, Arc<Book>>);

impl Default for Books {
    fn default() -> Self {
        Self(kept(TENANTS_KEPT, KEPT_FOR))
    }
}

impl Books {
    /// Tenant `tenant`'s rules as they are now in its database (`conn`).
    pub async fn current(&self, conn: &mut PgConnection, tenant: Uuid) -> sqlx::Result<Arc<Book>> {
        let version = store::version(conn).await?;
        if let Some(book) = self.0.get(&tenant).filter(|book| book.version == version) {
            return Ok(book);
        }
        let (version, rules) = store::enabled(conn).await?;
        let book = Arc::new(Book { version, rules });
        self.0.insert(tenant, Arc::clone(&book));
        Ok(book)
    }
}
