//! The default SLA policy, the one that applies when no policy by condition matches
//! (`sla_by_condition`), in the tenant's database: response and resolution targets per priority,
//! the two auto-close delays, in whole minutes, and the schedule whose business hours the targets
//! count (none: every hour), kept as versions that never change (`sla_policy_versions`, migration
//! 0004). The newest version is the current policy; each ticket keeps the version it was created
//! under (`support_tickets.sla_version_id`), so a change applies to tickets created afterwards,
//! and a running ticket whose priority changes finds the new priority's targets in its own
//! version. Statements that need a ticket's targets join the view `sla_policy_targets` (one row
//! per version and priority) on `t.sla_version_id` and `t.priority`; its auto-close delays,
//! `sla_policy_versions` on `t.sla_version_id`. Badges need none of it: they read the ticket's
//! stored due and risk instants (`sla`).

use base::FieldError;
use chrono::{DateTime, Duration, Utc};
use sqlx::{Connection as _, PgConnection};

use super::sla::{Grid, Targets};
use crate::ids::{ScheduleId, UserId};

/// The longest target or delay: a year.
pub const MAX_MINUTES: i32 = 525_600;

/// How long a ticket waits for the customer, and stays resolved, before the system closes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoClose {
    pub waiting_customer_minutes: i32,
    pub resolved_minutes: i32,
}

impl AutoClose {
    /// The defaults: 7 days without an answer, 24 h without a reopening.
    pub const SEED: Self = Self { waiting_customer_minutes: 7 * 24 * 60, resolved_minutes: 24 * 60 };

    pub fn waiting_customer(self) -> Duration {
        Duration::minutes(i64::from(self.waiting_customer_minutes))
    }

    pub fn resolved(self) -> Duration {
        Duration::minutes(i64::from(self.resolved_minutes))
    }
}

/// An SLA policy: what `GET /v1/sla/policy` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub grid: Grid,
    pub auto_close: AutoClose,
    /// The schedule whose business hours the targets count; `None`: every hour (24/7).
    pub schedule_id: Option<ScheduleId>,
}

impl Policy {
    /// Every tenant's policy until an admin changes it (version 1).
    pub const SEED: Self = Self { grid: Grid::SEED, auto_close: AutoClose::SEED, schedule_id: None };

    /// Each value with its path in the API's body (`targets.high.response_minutes`).
    pub fn fields(&self) -> [(&'static str, i32); 10] {
        let Grid { low, medium, high, urgent } = self.grid;
        [
            ("targets.low.response_minutes", low.response_minutes),
            ("targets.low.resolution_minutes", low.resolution_minutes),
            ("targets.medium.response_minutes", medium.response_minutes),
            ("targets.medium.resolution_minutes", medium.resolution_minutes),
            ("targets.high.response_minutes", high.response_minutes),
            ("targets.high.resolution_minutes", high.resolution_minutes),
            ("targets.urgent.response_minutes", urgent.response_minutes),
            ("targets.urgent.resolution_minutes", urgent.resolution_minutes),
            ("auto_close.waiting_customer_minutes", self.auto_close.waiting_customer_minutes),
            ("auto_close.resolved_minutes", self.auto_close.resolved_minutes),
        ]
    }

    /// What changed from `self` to `next`: `{"targets.high.response_minutes": [240, 120]}`,
    /// `{"schedule_id": [null, "..."]}`.
    pub fn changes_to(&self, next: &Self) -> serde_json::Map<String, serde_json::Value> {
        let mut changes: serde_json::Map<_, _> = self
            .fields()
            .into_iter()
            .zip(next.fields())
            .filter(|((_, was), (_, now))| was != now)
            .map(|((name, was), (_, now))| (name.to_owned(), serde_json::json!([was, now])))
            .collect();
        if self.schedule_id != next.schedule_id {
            changes.insert("schedule_id".to_owned(), serde_json::json!([self.schedule_id, next.schedule_id]));
        }
        changes
    }
}

/// One version of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    /// What tickets refer to (`support_tickets.sla_version_id`); newer versions have greater ids.
    pub id: i64,
    pub policy: Policy,
    pub created_at: DateTime<Utc>,
}

struct Row {
    id: i64,
    low_response_minutes: i32,
    low_resolution_minutes: i32,
    medium_response_minutes: i32,
    medium_resolution_minutes: i32,
    high_response_minutes: i32,
    high_resolution_minutes: i32,
    urgent_response_minutes: i32,
    urgent_resolution_minutes: i32,
    auto_close_waiting_customer_minutes: i32,
    auto_close_resolved_minutes: i32,
    schedule_id: Option<ScheduleId>,
    created_at: DateTime<Utc>,
}

impl From<Row> for Version {
    fn from(row: Row) -> Self {
        let targets = Targets::of_grid;
        let grid = Grid {
            low: targets(row.low_response_minutes, row.low_resolution_minutes),
            medium: targets(row.medium_response_minutes, row.medium_resolution_minutes),
            high: targets(row.high_response_minutes, row.high_resolution_minutes),
            urgent: targets(row.urgent_response_minutes, row.urgent_resolution_minutes),
        };
        let auto_close = AutoClose {
            waiting_customer_minutes: row.auto_close_waiting_customer_minutes,
            resolved_minutes: row.auto_close_resolved_minutes,
        };
        let policy = Policy { grid, auto_close, schedule_id: row.schedule_id };
        Self { id: row.id, policy, created_at: row.created_at }
    }
}

/// The current policy: the newest version (the migration writes version 1, and versions are
/// never deleted).
pub async fn current(conn: &mut PgConnection) -> sqlx::Result<Version> {
    sqlx::query_as!(
        Row,
        r#"SELECT id, low_response_minutes, low_resolution_minutes, medium_response_minutes, medium_resolution_minutes,
            high_response_minutes, high_resolution_minutes, urgent_response_minutes, urgent_resolution_minutes,
            auto_close_waiting_customer_minutes, auto_close_resolved_minutes, schedule_id AS "schedule_id: ScheduleId",
            created_at
         FROM sla_policy_versions ORDER BY id DESC LIMIT 1"#,
    )
    .fetch_one(conn)
    .await
    .map(Version::from)
}

/// The versions with these ids (those that exist).
pub async fn versions(conn: &mut PgConnection, ids: &[i64]) -> sqlx::Result<Vec<Version>> {
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT id, low_response_minutes, low_resolution_minutes, medium_response_minutes, medium_resolution_minutes,
            high_response_minutes, high_resolution_minutes, urgent_response_minutes, urgent_resolution_minutes,
            auto_close_waiting_customer_minutes, auto_close_resolved_minutes, schedule_id AS "schedule_id: ScheduleId",
            created_at
         FROM sla_policy_versions WHERE id = ANY($1)"#,
        ids,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Version::from).collect())
}

/// What adopting a policy did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adopted {
    /// The policy was already the current one: no new version.
    Unchanged(Version),
    /// A new version, and the one it replaced.
    Changed { previous: Version, current: Version },
}

impl Adopted {
    pub fn current(&self) -> &Version {
        match self {
            Self::Unchanged(current) | Self::Changed { current, .. } => current,
        }
    }
}

/// Makes `policy` the current one, as a new version unless it already is. Call it in a
/// transaction: writers take turns from here to the commit, so each new version is compared with
/// the one it follows and the same policy written twice at once makes one version.
pub async fn adopt(conn: &mut PgConnection, policy: &Policy, now: DateTime<Utc>) -> sqlx::Result<Adopted> {
    // Self-exclusive, and no obstacle to readers nor to tickets referring to versions.
    sqlx::query!("LOCK TABLE sla_policy_versions IN SHARE ROW EXCLUSIVE MODE").execute(&mut *conn).await?;
    let previous = current(conn).await?;
    if previous.policy == *policy {
        return Ok(Adopted::Unchanged(previous));
    }
    let Grid { low, medium, high, urgent } = policy.grid;
    let current = sqlx::query_as!(
        Row,
        r#"INSERT INTO sla_policy_versions (low_response_minutes, low_resolution_minutes, medium_response_minutes,
            medium_resolution_minutes, high_response_minutes, high_resolution_minutes, urgent_response_minutes,
            urgent_resolution_minutes, auto_close_waiting_customer_minutes, auto_close_resolved_minutes, schedule_id,
            created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING id, low_response_minutes, low_resolution_minutes, medium_response_minutes,
            medium_resolution_minutes, high_response_minutes, high_resolution_minutes, urgent_response_minutes,
            urgent_resolution_minutes, auto_close_waiting_customer_minutes, auto_close_resolved_minutes,
            schedule_id AS "schedule_id: ScheduleId", created_at"#,
        low.response_minutes,
        low.resolution_minutes,
        medium.response_minutes,
        medium.resolution_minutes,
        high.response_minutes,
        high.resolution_minutes,
        urgent.response_minutes,
        urgent.resolution_minutes,
        policy.auto_close.waiting_customer_minutes,
        policy.auto_close.resolved_minutes,
        policy.schedule_id as _,
        now,
    )
    .fetch_one(conn)
    .await?
    .into();
    Ok(Adopted::Changed { previous, current })
}

/// Why a policy is not replaced (the default one, or those by condition); the HTTP layer gives
/// each its answer (app-api's `refusals`).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// Fields that break the rules, each with why.
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Makes `policy` the current one for `actor` (`adopt`) and writes the change, if any, to the
/// audit log, in one transaction. Its schedule must exist, and cannot be deleted until this
/// commits (which then refuses the deletion: the schedule is in use).
pub async fn replace(
    conn: &mut PgConnection,
    actor: UserId,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Adopted, Refused> {
    let mut tx = conn.begin().await?;
    // The versions first, as a schedule's deletion takes them (`schedules::remove`): no deadlock.
    sqlx::query!("LOCK TABLE sla_policy_versions IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
    if let Some(id) = policy.schedule_id {
        let found = sqlx::query_scalar!("SELECT id FROM schedules WHERE id = $1 FOR KEY SHARE", id as _)
            .fetch_optional(&mut *tx)
            .await?;
        if found.is_none() {
            return Err(Refused::Invalid(vec![FieldError::new(
                "schedule_id",
                "is not a schedule of this organisation",
            )]));
        }
    }
    let adopted = adopt(&mut tx, policy, now).await?;
    if let Adopted::Changed { previous, current } = &adopted {
        audit_change(&mut tx, actor, previous, current).await?;
    }
    tx.commit().await?;
    Ok(adopted)
}

/// Writes a change of the policy by `actor` to the tenant's audit log: the versions and the
/// values that changed, `{"version": [1, 2], "targets.high.response_minutes": [240, 120]}`.
pub async fn audit_change(
    conn: &mut PgConnection,
    actor: UserId,
    previous: &Version,
    current: &Version,
) -> sqlx::Result<()> {
    let mut details = previous.policy.changes_to(&current.policy);
    details.insert("version".to_owned(), serde_json::json!([previous.id, current.id]));
    sqlx::query!(
        "INSERT INTO audit_log (actor_id, action, details) VALUES ($1, 'sla_policy_changed', $2)",
        actor as _,
        serde_json::Value::Object(details),
    )
    .execute(conn)
    .await
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::priority::Priority;

    #[test]
    fn the_seed_policy_is_the_seeds_grid_and_delays() {
        let seed = Policy::SEED;
        assert_eq!(seed.grid.of(Priority::Medium).response(), Duration::hours(24));
        assert_eq!(seed.auto_close.waiting_customer(), Duration::days(7));
        assert_eq!(seed.auto_close.resolved(), Duration::hours(24));
        // The migration's version 1, in the order of its columns.
        let migration = [2880, 10080, 1440, 4320, 240, 1440, 60, 240, 10080, 1440];
        assert_eq!(seed.fields().map(|(_, minutes)| minutes), migration);
    }

    #[test]
    fn changes_name_each_value_that_moved() {
        let mut next = Policy::SEED;
        next.grid.high.response_minutes = 120;
        next.auto_close.resolved_minutes = 60;
        let changes = Policy::SEED.changes_to(&next);
        assert_eq!(
            serde_json::Value::Object(changes),
            serde_json::json!({ "targets.high.response_minutes": [240, 120], "auto_close.resolved_minutes": [1440, 60] })
        );
        assert!(next.changes_to(&next).is_empty());
    }
}
