//! SLA policies by condition: an ordered list, replaced whole by admins, the first of which whose
//! conditions all match a ticket (its priority, team, tags, category and customer's VIP flag)
//! gives its targets, counted in the policy's schedule (or 24/7). When none matches, the
//! versioned policy (`sla_default`) applies, counted in its version's schedule (`schedule`).
//! `matching` is the one match,
//! run by the ticket write path whenever a ticket's clock changes (`store`).

use base::FieldError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;

use super::priority::Priority;
use super::sla::{Hours, Targets};
use super::sla_default::MAX_MINUTES;
use super::tags;
use crate::ids::{OrganizationId, ScheduleId, TeamId, UserId};
use crate::schedules::business::Schedule;
use crate::schedules::{self, Interval};
use crate::users;

/// A tenant holds at most this many policies.
pub const MAX_POLICIES: usize = 50;
pub const NAME_MAX_CHARS: usize = 100;
/// The most values one condition lists.
pub const MAX_VALUES: usize = 50;
pub const CATEGORY_MAX_CHARS: usize = 100;

/// The list, in order: the first that matches applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicies {
    pub policies: Vec<ConditionalSlaPolicy>,
}

/// A policy: the tickets it applies to, the hours its targets count, and its targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionalSlaPolicy {
    /// 1 to 100 characters, unique ignoring case; shown on each ticket's SLA badge.
    pub name: String,
    /// All must match; an empty object matches every ticket.
    #[serde(default)]
    pub conditions: SlaConditions,
    /// The schedule whose working hours the targets count; `null`: every hour (24/7).
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub schedule_id: Option<ScheduleId>,
    /// Targets for exactly the priorities the policy can match (those of
    /// `conditions.priorities`, or all four).
    pub targets: PolicyTargetGrid,
}

/// What a ticket must be for a policy to apply; a condition left out (or `null`) matches every
/// ticket, a list matches a ticket with one of its values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaConditions {
    #[serde(default)]
    pub priorities: Option<Vec<Priority>>,
    /// A team named here cannot be deleted (409 `team_in_use`).
    #[serde(default)]
    #[schema(value_type = Option<Vec<Uuid>>)]
    pub team_ids: Option<Vec<TeamId>>,
    /// The ticket holds at least one of these tags.
    #[serde(default)]
    pub tags_any: Option<Vec<String>>,
    /// Compared ignoring case.
    #[serde(default)]
    pub categories: Option<Vec<String>>,
    /// The customer is a VIP (`true`) or not (`false`).
    #[serde(default)]
    pub vip: Option<bool>,
    /// The ticket's customer organisation is one of these. An organisation named here cannot be
    /// deleted (409 `organization_in_use`).
    #[serde(default)]
    #[schema(value_type = Option<Vec<Uuid>>)]
    pub organization_ids: Option<Vec<OrganizationId>>,
}

/// Targets per priority.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyTargetGrid {
    #[serde(default)]
    pub low: Option<PolicyTargets>,
    #[serde(default)]
    pub medium: Option<PolicyTargets>,
    #[serde(default)]
    pub high: Option<PolicyTargets>,
    #[serde(default)]
    pub urgent: Option<PolicyTargets>,
}

impl PolicyTargetGrid {
    fn of(&self, priority: Priority) -> Option<&PolicyTargets> {
        match priority {
            Priority::Low => self.low.as_ref(),
            Priority::Medium => self.medium.as_ref(),
            Priority::High => self.high.as_ref(),
            Priority::Urgent => self.urgent.as_ref(),
        }
    }
}

/// One priority's targets, in minutes of the policy's hours, from 1 to 525,600.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyTargets {
    /// Until the first public staff reply.
    #[schema(minimum = 1, maximum = 525_600)]
    pub response_minutes: i64,
    /// After each customer message that follows a public staff reply, until the next one;
    /// `null`: no such target.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 525_600)]
    pub next_response_minutes: Option<i64>,
    /// Until resolved.
    #[schema(minimum = 1, maximum = 525_600)]
    pub resolution_minutes: i64,
}

impl PolicyTargets {
    /// As the clock counts them (checked on write, so within an `i32`).
    fn targets(self) -> Targets {
        let minutes = |value: i64| i32::try_from(value).unwrap_or(MAX_MINUTES);
        Targets {
            response_minutes: minutes(self.response_minutes),
            resolution_minutes: minutes(self.resolution_minutes),
            next_response_minutes: self.next_response_minutes.map(minutes),
        }
    }
}

/// What the policies may name: the tenant's teams, schedules and customer organisations.
#[derive(Debug, Default)]
pub struct Known {
    pub teams: Vec<TeamId>,
    pub schedules: Vec<ScheduleId>,
    pub organizations: Vec<OrganizationId>,
}

/// `policies` checked and normalised (names and categories trimmed, tags lower-cased, lists
/// sorted and distinct), given what they may name, or every rule they break, each naming its
/// field.
pub fn checked(
    mut policies: Vec<ConditionalSlaPolicy>,
    known: &Known,
) -> Result<Vec<ConditionalSlaPolicy>, Vec<FieldError>> {
    let mut errors = Vec::new();
    if policies.len() > MAX_POLICIES {
        errors.push(FieldError::new("policies", format!("must hold at most {MAX_POLICIES} policies")));
        return Err(errors);
    }
    let mut names = std::collections::BTreeMap::new();
    for (index, policy) in policies.iter_mut().enumerate() {
        let at = |field: &str| format!("policies[{index}].{field}");
        policy.name = policy.name.trim().to_owned();
        let chars = policy.name.chars().count();
        if chars == 0 || chars > NAME_MAX_CHARS || policy.name.chars().any(char::is_control) {
            errors.push(FieldError::new(at("name"), "must be 1 to 100 characters, without control characters"));
        } else if let Some(first) = names.insert(policy.name.to_lowercase(), index) {
            errors.push(FieldError::new(at("name"), format!("policies[{first}] has this name")));
        }
        let conditions = &mut policy.conditions;
        let mut list = |field: &str, len: Option<usize>| {
            if let Some(len) = len
                && !(1..=MAX_VALUES).contains(&len)
            {
                errors.push(FieldError::new(
                    at(&format!("conditions.{field}")),
                    format!("must list 1 to {MAX_VALUES} values, or be left out to match every ticket"),
                ));
            }
        };
        list("priorities", conditions.priorities.as_ref().map(Vec::len));
        list("team_ids", conditions.team_ids.as_ref().map(Vec::len));
        list("tags_any", conditions.tags_any.as_ref().map(Vec::len));
        list("categories", conditions.categories.as_ref().map(Vec::len));
        list("organization_ids", conditions.organization_ids.as_ref().map(Vec::len));
        if let Some(priorities) = &mut conditions.priorities {
            priorities.sort_unstable();
            priorities.dedup();
        }
        if let Some(ids) = &mut conditions.team_ids {
            ids.sort_unstable();
            ids.dedup();
            if ids.iter().any(|id| !known.teams.contains(id)) {
                errors.push(FieldError::new(at("conditions.team_ids"), "each must be a team of this organisation"));
            }
        }
        if let Some(ids) = &mut conditions.organization_ids {
            ids.sort_unstable();
            ids.dedup();
            if ids.iter().any(|id| !known.organizations.contains(id)) {
                errors.push(FieldError::new(
                    at("conditions.organization_ids"),
                    "each must be a customer organisation of this tenant",
                ));
            }
        }
        if let Some(given) = &conditions.tags_any {
            match tags::checked(&at("conditions.tags_any"), given) {
                Ok(set) => conditions.tags_any = Some(set.into_iter().collect()),
                Err(error) => errors.push(error),
            }
        }
        if let Some(categories) = &mut conditions.categories {
            for category in categories.iter_mut() {
                *category = category.trim().to_owned();
            }
            categories.sort_unstable_by_key(|c| c.to_lowercase());
            categories.dedup_by_key(|c| c.to_lowercase());
            if categories.iter().any(|c| c.is_empty() || c.chars().count() > CATEGORY_MAX_CHARS) {
                errors.push(FieldError::new(at("conditions.categories"), "each must be 1 to 100 characters"));
            }
        }
        if let Some(id) = policy.schedule_id
            && !known.schedules.contains(&id)
        {
            errors.push(FieldError::new(at("schedule_id"), "is not a schedule of this organisation"));
        }
        let matched: Vec<Priority> = conditions.priorities.clone().unwrap_or_else(|| Priority::ALL.to_vec());
        for priority in Priority::ALL {
            let field = at(&format!("targets.{}", priority.as_str()));
            match (policy.targets.of(priority), matched.contains(&priority)) {
                (None, true) => errors.push(FieldError::new(field, "is required: the policy applies to this priority")),
                (Some(_), false) => errors
                    .push(FieldError::new(field, "never applies: the policy's conditions leave this priority out")),
                (Some(targets), true) => {
                    let mut minutes = |name: &str, value: i64| {
                        if !(1..=i64::from(MAX_MINUTES)).contains(&value) {
                            errors.push(FieldError::new(
                                format!("{field}.{name}"),
                                "must be a whole number of minutes from 1 to 525600",
                            ));
                        }
                    };
                    minutes("response_minutes", targets.response_minutes);
                    minutes("resolution_minutes", targets.resolution_minutes);
                    if let Some(next) = targets.next_response_minutes {
                        minutes("next_response_minutes", next);
                    }
                }
                (None, false) => {}
            }
        }
    }
    if errors.is_empty() { Ok(policies) } else { Err(errors) }
}

struct Row {
    name: String,
    priorities: Option<Vec<Priority>>,
    team_ids: Option<Vec<TeamId>>,
    tags_any: Option<Vec<String>>,
    categories: Option<Vec<String>>,
    vip: Option<bool>,
    organization_ids: Option<Vec<OrganizationId>>,
    schedule_id: Option<ScheduleId>,
    targets: Json<PolicyTargetGrid>,
}

impl From<Row> for ConditionalSlaPolicy {
    fn from(row: Row) -> Self {
        Self {
            name: row.name,
            conditions: SlaConditions {
                priorities: row.priorities,
                team_ids: row.team_ids,
                tags_any: row.tags_any,
                categories: row.categories,
                vip: row.vip,
                organization_ids: row.organization_ids,
            },
            schedule_id: row.schedule_id,
            targets: row.targets.0,
        }
    }
}

/// The tenant's policies, in order.
pub async fn all(conn: &mut PgConnection) -> sqlx::Result<Vec<ConditionalSlaPolicy>> {
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT name, priorities AS "priorities: Vec<Priority>", team_ids AS "team_ids: Vec<TeamId>", tags_any, categories, vip,
                organization_ids AS "organization_ids: Vec<OrganizationId>", schedule_id AS "schedule_id: ScheduleId",
                targets AS "targets: Json<PolicyTargetGrid>"
           FROM sla_policies ORDER BY position LIMIT $1"#,
        i64::try_from(MAX_POLICIES).unwrap_or(i64::MAX),
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(ConditionalSlaPolicy::from).collect())
}

/// Why the policies are not replaced: as for the default policy.
pub use super::sla_default::Refused;

/// Replaces the tenant's policies with `policies`, checked, with an audit entry naming the
/// policies before and after, in one transaction. Clocks that start or resume afterwards (or
/// whose ticket's priority, team, tags or category change) match the new list.
pub async fn replace(
    conn: &mut PgConnection,
    admin: UserId,
    policies: Vec<ConditionalSlaPolicy>,
) -> Result<Vec<ConditionalSlaPolicy>, Refused> {
    let mut tx = conn.begin().await?;
    // One replacement at a time, and no schedule deleted under it (the foreign key refuses that
    // too; this makes the refusal a field error instead).
    sqlx::query!("LOCK TABLE sla_policies IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
    sqlx::query!("LOCK TABLE schedules IN SHARE MODE").execute(&mut *tx).await?;
    let known = Known {
        teams: sqlx::query_scalar!(r#"SELECT id AS "id: TeamId" FROM teams"#).fetch_all(&mut *tx).await?,
        schedules: sqlx::query_scalar!(r#"SELECT id AS "id: ScheduleId" FROM schedules"#).fetch_all(&mut *tx).await?,
        organizations: sqlx::query_scalar!(r#"SELECT id AS "id: OrganizationId" FROM organizations"#)
            .fetch_all(&mut *tx)
            .await?,
    };
    let policies = checked(policies, &known).map_err(Refused::Invalid)?;
    let before: Vec<String> = all(&mut tx).await?.into_iter().map(|p| p.name).collect();
    sqlx::query!("DELETE FROM sla_policies").execute(&mut *tx).await?;
    for (position, policy) in policies.iter().enumerate() {
        let c = &policy.conditions;
        let priorities: Option<Vec<&str>> = c.priorities.as_ref().map(|p| p.iter().map(|p| p.as_str()).collect());
        sqlx::query!(
            "INSERT INTO sla_policies (position, name, priorities, team_ids, tags_any, categories, vip, schedule_id, targets,
                                       organization_ids)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            i32::try_from(position).unwrap_or(i32::MAX),
            policy.name,
            priorities as Option<Vec<&str>>,
            c.team_ids.as_deref() as _,
            c.tags_any.as_deref(),
            c.categories.as_deref(),
            c.vip,
            policy.schedule_id as _,
            Json(&policy.targets) as _,
            c.organization_ids.as_deref() as _,
        )
        .execute(&mut *tx)
        .await?;
    }
    let after: Vec<&str> = policies.iter().map(|p| p.name.as_str()).collect();
    let details = serde_json::json!({ "before": before, "after": after });
    users::audit(&mut tx, admin, "sla_policies_changed", admin.0, details).await?;
    tx.commit().await?;
    Ok(policies)
}

/// What a policy is matched on: the ticket as it is, and its customer.
pub struct Facts<'a> {
    pub priority: Priority,
    pub team_id: Option<TeamId>,
    pub tags: &'a [String],
    pub category: Option<&'a str>,
    pub customer: UserId,
    pub organization: OrganizationFact,
}

/// The ticket's customer organisation, as the policies match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationFact {
    /// The one it holds (`None`: none).
    Is(Option<OrganizationId>),
    /// A new ticket's, none asked for: its requester's primary, which the insert gives it.
    RequestersPrimary,
}

impl OrganizationFact {
    /// A new ticket's, `asked` or else its requester's primary.
    pub fn of_new(asked: Option<OrganizationId>) -> Self {
        asked.map_or(Self::RequestersPrimary, |id| Self::Is(Some(id)))
    }
}

/// The policy that applies to a ticket: its name, its schedule (`None`: 24/7) and the targets of
/// the ticket's priority.
#[derive(Debug, Clone)]
pub struct Applied {
    pub name: String,
    pub schedule: Option<(ScheduleId, Schedule)>,
    pub targets: Targets,
}

impl Applied {
    /// The hours its targets count.
    pub fn hours(&self) -> Hours<'_> {
        self.schedule.as_ref().map_or(Hours::Always, |(_, schedule)| Hours::Working(schedule))
    }
}

/// The first policy whose conditions all match `facts`, with its schedule, in one statement;
/// `None` when none does (the versioned policy applies). An index-ordered scan of at most 50
/// rows: a tenant without policies reads an empty table.
pub async fn matching(conn: &mut PgConnection, facts: &Facts<'_>) -> sqlx::Result<Option<Applied>> {
    let organization = match facts.organization {
        OrganizationFact::Is(organization) => organization,
        OrganizationFact::RequestersPrimary => None,
    };
    let row = sqlx::query!(
        r#"SELECT p.name, p.targets -> $1::text AS "targets!: Json<PolicyTargets>", s.id AS "schedule_id?: ScheduleId",
                s.time_zone AS "time_zone?", s.intervals AS "intervals?: Json<Vec<Interval>>",
                ARRAY(SELECT h.day FROM schedule_holidays h WHERE h.schedule_id = s.id) AS "holidays!"
           FROM sla_policies p
           LEFT JOIN schedules s ON s.id = p.schedule_id
           WHERE (p.priorities IS NULL OR $1 = ANY (p.priorities))
             AND (p.team_ids IS NULL OR $2 = ANY (p.team_ids))
             AND (p.tags_any IS NULL OR p.tags_any && $3)
             AND (p.categories IS NULL OR EXISTS (SELECT 1 FROM unnest(p.categories) c WHERE lower(c) = lower($4)))
             AND (p.vip IS NULL OR p.vip = coalesce((SELECT u.vip FROM users u WHERE u.id = $5), false))
             AND (p.organization_ids IS NULL
                  OR CASE WHEN $7 THEN person_primary_organization($5) ELSE $6 END = ANY (p.organization_ids))
           ORDER BY p.position LIMIT 1"#,
        facts.priority.as_str(),
        facts.team_id as _,
        facts.tags,
        facts.category,
        facts.customer as _,
        organization as _,
        facts.organization == OrganizationFact::RequestersPrimary,
    )
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let schedule = match (row.schedule_id, row.time_zone, row.intervals) {
        (Some(id), Some(zone), Some(intervals)) => Some((id, working(id, &zone, &intervals.0, row.holidays)?)),
        _ => None,
    };
    Ok(Some(Applied { name: row.name, schedule, targets: row.targets.0.targets() }))
}

/// Schedule `id` as business hours, for the versioned policy that names it; `None` when it is
/// gone (a past version's schedule may have been deleted: its tickets count every hour).
pub async fn schedule(conn: &mut PgConnection, id: ScheduleId) -> sqlx::Result<Option<(ScheduleId, Schedule)>> {
    let row = sqlx::query!(
        r#"SELECT s.time_zone, s.intervals AS "intervals: Json<Vec<Interval>>",
                ARRAY(SELECT h.day FROM schedule_holidays h WHERE h.schedule_id = s.id) AS "holidays!"
           FROM schedules s WHERE s.id = $1"#,
        id as _,
    )
    .fetch_optional(conn)
    .await?;
    row.map(|row| Ok((id, working(id, &row.time_zone, &row.intervals.0, row.holidays)?))).transpose()
}

fn working(id: ScheduleId, zone: &str, intervals: &[Interval], holidays: Vec<NaiveDate>) -> sqlx::Result<Schedule> {
    schedules::working(zone, intervals, holidays)
        .map_err(|error| sqlx::Error::Decode(format!("schedule {id}: {error}").into()))
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn targets(response: i64, resolution: i64) -> PolicyTargets {
        PolicyTargets { response_minutes: response, next_response_minutes: None, resolution_minutes: resolution }
    }

    fn every_priority() -> PolicyTargetGrid {
        PolicyTargetGrid {
            low: Some(targets(60, 600)),
            medium: Some(targets(60, 600)),
            high: Some(targets(30, 300)),
            urgent: Some(targets(15, 120)),
        }
    }

    fn policy(name: &str) -> ConditionalSlaPolicy {
        ConditionalSlaPolicy {
            name: name.into(),
            conditions: SlaConditions::default(),
            schedule_id: None,
            targets: every_priority(),
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_catch_all_policy_needs_every_priority() {
        assert!(checked(vec![policy("All")], &Known::default()).is_ok());
        let mut missing = policy("All");
        missing.targets.high = None;
        assert_eq!(fields(&checked(vec![missing], &Known::default()).unwrap_err()), ["policies[0].targets.high"]);
    }

    #[test]
    fn a_narrowed_policy_takes_only_its_priorities() {
        let mut urgent = policy("Urgent");
        urgent.conditions.priorities = Some(vec![Priority::Urgent, Priority::Urgent]);
        let errors = checked(vec![urgent.clone()], &Known::default()).unwrap_err();
        assert_eq!(
            fields(&errors),
            ["policies[0].targets.low", "policies[0].targets.medium", "policies[0].targets.high"],
            "targets it can never use are refused"
        );
        urgent.targets = PolicyTargetGrid { urgent: Some(targets(15, 120)), ..PolicyTargetGrid::default() };
        let kept = checked(vec![urgent], &Known::default()).unwrap();
        assert_eq!(kept[0].conditions.priorities, Some(vec![Priority::Urgent]), "distinct");
    }

    #[test]
    fn names_lists_references_and_minutes_are_checked() {
        let team = TeamId(Uuid::now_v7());
        let schedule = ScheduleId(Uuid::now_v7());
        let acme = OrganizationId(Uuid::now_v7());
        let known = Known { teams: vec![team], schedules: vec![schedule], organizations: vec![acme] };
        let mut first = policy("  Billing  ");
        first.conditions.team_ids = Some(vec![team]);
        first.conditions.organization_ids = Some(vec![acme, acme]);
        first.conditions.tags_any = Some(vec![" VIP ".into(), "vip".into()]);
        first.conditions.categories = Some(vec!["Refund".into(), "refund ".into()]);
        first.schedule_id = Some(schedule);
        let kept = checked(vec![first.clone()], &known).unwrap();
        assert_eq!(kept[0].name, "Billing");
        assert_eq!(kept[0].conditions.organization_ids, Some(vec![acme]), "distinct");
        assert_eq!(kept[0].conditions.tags_any, Some(vec!["vip".to_owned()]));
        assert_eq!(kept[0].conditions.categories, Some(vec!["Refund".to_owned()]));

        let mut bad = policy("billing");
        bad.conditions.team_ids = Some(vec![TeamId(Uuid::now_v7())]);
        bad.conditions.organization_ids = Some(vec![OrganizationId(Uuid::now_v7())]);
        bad.conditions.tags_any = Some(vec!["not a tag".into()]);
        bad.conditions.categories = Some(Vec::new());
        bad.schedule_id = Some(ScheduleId(Uuid::now_v7()));
        bad.targets.low =
            Some(PolicyTargets { response_minutes: 0, next_response_minutes: Some(525_601), resolution_minutes: 10 });
        let errors = checked(vec![first, bad], &known).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                "policies[1].name",
                "policies[1].conditions.categories",
                "policies[1].conditions.team_ids",
                "policies[1].conditions.organization_ids",
                "policies[1].conditions.tags_any",
                "policies[1].schedule_id",
                "policies[1].targets.low.response_minutes",
                "policies[1].targets.low.next_response_minutes",
            ]
        );
    }

    #[test]
    fn the_list_is_bounded() {
        let many = (0..=MAX_POLICIES).map(|i| policy(&format!("P{i}"))).collect();
        assert_eq!(fields(&checked(many, &Known::default()).unwrap_err()), ["policies"]);
    }
}
