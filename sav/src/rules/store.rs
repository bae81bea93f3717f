//! The rules in the tenant database: the commands that keep them (`create`, `change`, `remove`,
//! each checked whole by `parse` against the tenant's fields, teams, staff and macros, in one
//! transaction with its audit entry, the rules' version raised), what the write path reads of
//! them (`version`, `enabled`), their run log (`record_run`, `runs`), and the time rules'
//! timers (`arm`, `arm_existing`, `due_timers`, `take_timer`).

use base::FieldError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;
use uuid::Uuid;

use super::grammar::{RuleAction, RuleConditions, RuleEffect, RuleTrigger};
use super::{Action, MAX_PER_TENANT, Operand, Rule, Subject, Trigger};
use crate::ids::{OrganizationId, RuleId, TeamId, TicketId, UserId};
use crate::tickets::fields;
use crate::{macros, organizations, teams, users};

/// The newest runs of a rule its log keeps.
pub const RUNS_KEPT: i64 = 100;
/// The longest refusal a run log keeps.
const ERROR_MAX_CHARS: usize = 1_000;

/// A rule as it is kept and shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Rule)]
pub struct Saved {
    #[schema(value_type = Uuid)]
    pub id: RuleId,
    pub name: String,
    pub enabled: bool,
    /// 1..n: rules run in this order.
    pub position: i32,
    #[schema(value_type = RuleTrigger)]
    pub trigger: Value,
    /// Both lists, empty when none.
    #[schema(value_type = RuleConditions)]
    pub conditions: Value,
    #[schema(value_type = Vec<RuleAction>)]
    pub actions: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new rule, as given.
#[derive(Debug)]
pub struct Draft {
    pub name: String,
    pub enabled: bool,
    pub trigger: Value,
    pub conditions: Value,
    pub actions: Value,
    /// Where it goes (1..n+1); absent: last.
    pub position: Option<i32>,
}

/// What to change of a rule; absent parts stay.
#[derive(Debug, Default)]
pub struct Patch {
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub trigger: Option<Value>,
    pub conditions: Option<Value>,
    pub actions: Option<Value>,
    /// Its new place (1..n); the rules between move by one.
    pub position: Option<i32>,
}

/// A rule as the write path runs it.
#[derive(Debug, Clone)]
pub struct ActiveRule {
    pub id: RuleId,
    pub name: String,
    /// Who saved it last: its notes and macro messages are written in their name.
    pub author: Option<UserId>,
    pub rule: Rule,
}

/// Why a rule is not made, changed, deleted or tried; the HTTP layer gives each its answer
/// (app-api's `refusals`).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// No rule of this tenant has the id asked for.
    #[error("no such rule")]
    NotFound,
    /// Another rule has this name.
    #[error("another rule has this name")]
    NameTaken,
    /// The tenant holds `MAX_PER_TENANT` rules already.
    #[error("this organisation holds 200 rules: delete one first")]
    LimitReached,
    /// Fields that break the rules, each with why.
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Every rule, in position order.
pub async fn all(conn: &mut PgConnection) -> sqlx::Result<Vec<Saved>> {
    sqlx::query_as!(
        Saved,
        r#"SELECT id AS "id: RuleId", name, enabled, position, trigger, conditions, actions, created_at, updated_at
         FROM rules ORDER BY position"#
    )
    .fetch_all(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, id: RuleId) -> sqlx::Result<Option<Saved>> {
    sqlx::query_as!(
        Saved,
        r#"SELECT id AS "id: RuleId", name, enabled, position, trigger, conditions, actions, created_at, updated_at
         FROM rules WHERE id = $1"#,
        id as _
    )
    .fetch_optional(conn)
    .await
}

/// The rules' version: raised by every change of them.
pub async fn version(conn: &mut PgConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar!("SELECT version FROM rule_book").fetch_one(conn).await
}

/// The enabled rules and the version they are of, read in one statement, each parsed against
/// the tenant's fields now; one that no longer parses (a field it names was deleted) is left
/// out and logged.
pub async fn enabled(conn: &mut PgConnection) -> sqlx::Result<(i64, Vec<ActiveRule>)> {
    let rows = sqlx::query!(
        r#"SELECT b.version, r.id AS "id?: RuleId", r.name AS "name?", r.updated_by, r.trigger AS "trigger?",
                  r.conditions AS "conditions?", r.actions AS "actions?"
           FROM rule_book b LEFT JOIN rules r ON r.enabled
           ORDER BY r.position"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let version = rows.first().map_or(0, |row| row.version);
    if rows.iter().all(|row| row.id.is_none()) {
        return Ok((version, Vec::new()));
    }
    let defined = fields::all(conn).await?;
    let mut active = Vec::with_capacity(rows.len());
    for row in rows {
        let (Some(id), Some(name), Some(trigger), Some(conditions), Some(actions)) =
            (row.id, row.name, row.trigger, row.conditions, row.actions)
        else {
            continue;
        };
        match super::parse(&trigger, &conditions, &actions, &defined) {
            Ok(rule) => active.push(ActiveRule { id, name, author: row.updated_by.map(UserId), rule }),
            Err(errors) => {
                let why: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
                tracing::warn!(rule = %id, why = why.join("; "), "rules: a rule that no longer reads is not run");
            }
        }
    }
    Ok((version, active))
}

/// Rule `id` as the write path would run it, enabled or not (a dry run): 404 when there is no
/// such rule, 422 when it no longer reads (a field it names was deleted since).
pub async fn active_by_id(conn: &mut PgConnection, id: RuleId) -> Result<ActiveRule, Refused> {
    let row = sqlx::query!("SELECT name, updated_by, trigger, conditions, actions FROM rules WHERE id = $1", id as _)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(Refused::NotFound)?;
    let defined = fields::all(conn).await?;
    let rule = super::parse(&row.trigger, &row.conditions, &row.actions, &defined).map_err(Refused::Invalid)?;
    Ok(ActiveRule { id, name: row.name, author: row.updated_by.map(UserId), rule })
}

/// The id of the ticket numbered `number`.
pub async fn ticket_numbered(conn: &mut PgConnection, number: &str) -> sqlx::Result<Option<TicketId>> {
    sqlx::query_scalar!(r#"SELECT id AS "id: TicketId" FROM support_tickets WHERE ticket_number = $1"#, number)
        .fetch_optional(conn)
        .await
}

/// Raises the rules' version, holding its row for the rest of the transaction: the rules'
/// changes take turns.
async fn raise_version(tx: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("UPDATE rule_book SET version = version + 1").execute(tx).await.map(drop)
}

/// `name` trimmed, or why it cannot be a rule's.
fn checked_name(name: &str) -> Result<String, FieldError> {
    let name = name.trim();
    let length = name.chars().count();
    if !(1..=100).contains(&length) || name.chars().any(char::is_control) {
        return Err(FieldError::new("name", "must be 1 to 100 characters, without control characters"));
    }
    Ok(name.to_owned())
}

/// The rule `trigger`, `conditions` and `actions` make, checked against the tenant's fields and
/// the teams, staff and macros they name; with the conditions as kept (`{all, any}`).
async fn checked(
    conn: &mut PgConnection,
    trigger: &Value,
    conditions: &Value,
    actions: &Value,
) -> Result<(Rule, Value), Refused> {
    let defined = fields::all(conn).await?;
    let rule = super::parse(trigger, conditions, actions, &defined).map_err(Refused::Invalid)?;
    let mut errors = Vec::new();
    for (list, place) in [(&rule.conditions.all, "all"), (&rule.conditions.any, "any")] {
        for (index, condition) in list.iter().enumerate() {
            for value in &condition.values {
                let Operand::Id(id) = value else { continue };
                let known = match condition.subject {
                    Subject::TeamId => teams::exists(conn, TeamId(*id)).await?,
                    Subject::AssignedTo => users::assignable(conn, UserId(*id)).await?,
                    Subject::CustomerOrganizationId => organizations::exists(conn, OrganizationId(*id)).await?,
                    _ => true,
                };
                if !known {
                    errors.push(FieldError::new(
                        format!("conditions.{place}[{index}].value"),
                        unknown(&condition.subject),
                    ));
                }
            }
        }
    }
    for (index, action) in rule.actions.iter().enumerate() {
        let refused = match action {
            Action::SetTeam(Some(team)) if !teams::exists(conn, *team).await? => {
                Some(("value", "is not a team of this organisation"))
            }
            Action::AssignTo(Some(person)) if !users::assignable(conn, UserId(*person)).await? => {
                Some(("value", "is not an active agent or admin of this organisation"))
            }
            Action::ApplyMacro(id) if macros::get(conn, *id).await?.is_none() => {
                Some(("macro_id", "is not a macro of this organisation"))
            }
            _ => None,
        };
        if let Some((key, why)) = refused {
            errors.push(FieldError::new(format!("actions[{index}].{key}"), why));
        }
    }
    if !errors.is_empty() {
        return Err(Refused::Invalid(errors));
    }
    let list = |key: &str| conditions.get(key).filter(|v| !v.is_null()).cloned().unwrap_or_else(|| json!([]));
    Ok((rule, json!({ "all": list("all"), "any": list("any") })))
}

fn unknown(subject: &Subject) -> &'static str {
    match subject {
        Subject::TeamId => "is not a team of this organisation",
        Subject::CustomerOrganizationId => "is not a customer organisation of this tenant",
        _ => "is not an active agent or admin of this organisation",
    }
}

async fn name_in_use(tx: &mut PgConnection, name: &str, except: Option<RuleId>) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM rules WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2) AS "taken!""#,
        name,
        except as _,
    )
    .fetch_one(tx)
    .await
}

async fn count(tx: &mut PgConnection) -> sqlx::Result<i32> {
    let n = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM rules"#).fetch_one(tx).await?;
    Ok(i32::try_from(n).unwrap_or(i32::MAX))
}

fn position_refused(last: i32) -> Refused {
    Refused::Invalid(vec![FieldError::new("position", format!("must be 1 to {last}"))])
}

/// Makes a rule for `admin`, within the tenant's limit, with its audit entry; a time rule is
/// armed on the tickets not closed.
pub async fn create(conn: &mut PgConnection, admin: UserId, draft: Draft) -> Result<Saved, Refused> {
    let name = checked_name(&draft.name).map_err(|e| Refused::Invalid(vec![e]))?;
    let mut tx = conn.begin().await?;
    raise_version(&mut tx).await?;
    let (rule, conditions) = checked(&mut tx, &draft.trigger, &draft.conditions, &draft.actions).await?;
    let held = count(&mut tx).await?;
    if usize::try_from(held).is_ok_and(|n| n >= MAX_PER_TENANT) {
        return Err(Refused::LimitReached);
    }
    let position = draft.position.unwrap_or(held + 1);
    if !(1..=held + 1).contains(&position) {
        return Err(position_refused(held + 1));
    }
    if name_in_use(&mut tx, &name, None).await? {
        return Err(Refused::NameTaken);
    }
    let id = RuleId(Uuid::now_v7());
    sqlx::query!("UPDATE rules SET position = position + 1 WHERE position >= $1", position).execute(&mut *tx).await?;
    sqlx::query!(
        "INSERT INTO rules (id, name, enabled, position, trigger, event, conditions, actions, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        id as _,
        name,
        draft.enabled,
        position,
        draft.trigger,
        rule.trigger.kind(),
        conditions,
        draft.actions,
        admin as _,
    )
    .execute(&mut *tx)
    .await?;
    if draft.enabled {
        arm_existing(&mut tx, id, rule.trigger).await?;
    }
    users::audit(&mut tx, admin, "rule_created", id.0, json!({ "rule_id": id, "name": name })).await?;
    let saved = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    tx.commit().await?;
    Ok(saved)
}

/// Changes rule `id` by `patch`, checked whole, with its audit entry. A time rule whose trigger
/// changed starts again on every ticket; one switched on is armed where it has not run for the
/// anchor the ticket has now; one switched off keeps no timers.
pub async fn change(conn: &mut PgConnection, admin: UserId, id: RuleId, patch: Patch) -> Result<Saved, Refused> {
    let name = patch.name.as_deref().map(checked_name).transpose().map_err(|e| Refused::Invalid(vec![e]))?;
    let mut tx = conn.begin().await?;
    raise_version(&mut tx).await?;
    let current = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    let trigger = patch.trigger.unwrap_or_else(|| current.trigger.clone());
    let conditions = patch.conditions.unwrap_or_else(|| current.conditions.clone());
    let actions = patch.actions.unwrap_or_else(|| current.actions.clone());
    let (rule, conditions) = checked(&mut tx, &trigger, &conditions, &actions).await?;
    let name = name.unwrap_or_else(|| current.name.clone());
    if name_in_use(&mut tx, &name, Some(id)).await? {
        return Err(Refused::NameTaken);
    }
    if let Some(to) = patch.position {
        let last = count(&mut tx).await?;
        if !(1..=last).contains(&to) {
            return Err(position_refused(last));
        }
        let from = current.position;
        sqlx::query!(
            "UPDATE rules SET position = CASE
               WHEN id = $1 THEN $3::int
               WHEN $3::int < $2::int AND position >= $3::int AND position < $2::int THEN position + 1
               WHEN $3::int > $2::int AND position > $2::int AND position <= $3::int THEN position - 1
               ELSE position END
             WHERE position BETWEEN least($2::int, $3::int) AND greatest($2::int, $3::int)",
            id as _,
            from,
            to,
        )
        .execute(&mut *tx)
        .await?;
    }
    let enabled = patch.enabled.unwrap_or(current.enabled);
    sqlx::query!(
        "UPDATE rules SET name = $2, enabled = $3, trigger = $4, event = $5, conditions = $6, actions = $7,
                updated_by = $8, updated_at = now()
         WHERE id = $1",
        id as _,
        name,
        enabled,
        trigger,
        rule.trigger.kind(),
        conditions,
        actions,
        admin as _,
    )
    .execute(&mut *tx)
    .await?;
    let retimed = trigger != current.trigger;
    if !enabled || retimed {
        sqlx::query!("DELETE FROM rule_timers WHERE rule_id = $1", id as _).execute(&mut *tx).await?;
    }
    if enabled && (retimed || !current.enabled) {
        arm_existing(&mut tx, id, rule.trigger).await?;
    }
    users::audit(&mut tx, admin, "rule_changed", id.0, json!({ "rule_id": id, "name": name })).await?;
    let saved = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    tx.commit().await?;
    Ok(saved)
}

/// Deletes rule `id` with its audit entry, its runs and timers; the rules after it move up.
/// The history keeps its changes (naming it as a rule deleted since).
pub async fn remove(conn: &mut PgConnection, admin: UserId, id: RuleId) -> Result<(), Refused> {
    let mut tx = conn.begin().await?;
    raise_version(&mut tx).await?;
    let gone = sqlx::query!("DELETE FROM rules WHERE id = $1 RETURNING name, position", id as _)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Refused::NotFound)?;
    sqlx::query!("UPDATE rules SET position = position - 1 WHERE position > $1", gone.position)
        .execute(&mut *tx)
        .await?;
    users::audit(&mut tx, admin, "rule_deleted", id.0, json!({ "rule_id": id, "name": gone.name })).await?;
    tx.commit().await?;
    Ok(())
}

/// One run of a rule on a ticket, for its log.
#[derive(Debug)]
pub struct NewRun<'a> {
    pub rule_id: RuleId,
    pub ticket_id: TicketId,
    /// The event's name, or `time`.
    pub trigger: &'static str,
    pub depth: u8,
    /// What it changed, or why its run was refused.
    pub outcome: Result<&'a Value, &'a str>,
    pub at: DateTime<Utc>,
}

/// Logs a run, keeping the newest `RUNS_KEPT` of the rule's.
pub async fn record_run(conn: &mut PgConnection, run: &NewRun<'_>) -> sqlx::Result<()> {
    let (changes, error) = match run.outcome {
        Ok(changes) => (Some(changes), None),
        Err(why) => (None, Some(why.chars().take(ERROR_MAX_CHARS).collect::<String>())),
    };
    let id = sqlx::query_scalar!(
        "INSERT INTO rule_runs (rule_id, ticket_id, trigger, depth, changes, error, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        run.rule_id as _,
        run.ticket_id as _,
        run.trigger,
        i16::from(run.depth),
        changes,
        error,
        run.at,
    )
    .fetch_one(&mut *conn)
    .await?;
    // Every so often rather than every time: the log may hold a few more than it keeps. Rows
    // another write is pruning are skipped, never waited for: two writes pruning one rule's log
    // would otherwise lock its old rows in different orders and deadlock, failing a person's
    // change over a log.
    if id % 16 == 0 {
        sqlx::query!(
            "DELETE FROM rule_runs WHERE id IN (
               SELECT id FROM rule_runs WHERE rule_id = $1 AND id <= (
                 SELECT id FROM rule_runs WHERE rule_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)
               FOR UPDATE SKIP LOCKED)",
            run.rule_id as _,
            RUNS_KEPT,
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// A logged run, as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Run {
    pub id: i64,
    #[schema(value_type = i64)]
    pub ticket_id: TicketId,
    pub ticket_number: String,
    pub at: DateTime<Utc>,
    /// The event's name, or `time`.
    pub trigger: String,
    /// 0: run by a person's change or the clock; n: by a change rules made n deep.
    pub depth: i16,
    /// What it changed; null when refused.
    #[schema(value_type = Option<Vec<RuleEffect>>)]
    pub changes: Option<Value>,
    /// Why its run was refused (nothing it did was kept); null when it ran.
    pub error: Option<String>,
}

/// Rule `id`'s runs before run `before`, newest first: at most `limit`, of the newest
/// `RUNS_KEPT` (the log may hold a few older ones until its next pruning).
pub async fn runs(conn: &mut PgConnection, id: RuleId, before: Option<i64>, limit: i64) -> sqlx::Result<Vec<Run>> {
    sqlx::query_as!(
        Run,
        r#"SELECT r.id, r.ticket_id, t.ticket_number, r.at, r.trigger, r.depth, r.changes, r.error
           FROM rule_runs r JOIN support_tickets t ON t.id = r.ticket_id
           WHERE r.rule_id = $1 AND r.id < $2
             AND r.id >= coalesce((SELECT k.id FROM rule_runs k WHERE k.rule_id = $1 ORDER BY k.id DESC
                                   OFFSET $4::bigint - 1 LIMIT 1), 0)
           ORDER BY r.id DESC LIMIT $3"#,
        id as _,
        before.unwrap_or(i64::MAX),
        limit,
        RUNS_KEPT,
    )
    .fetch_all(conn)
    .await
}

/// Arms time rules `rules` (their ids and minutes) on ticket `ticket`, their anchor moved to
/// `now`: each runs again once its minutes have passed.
pub async fn arm(
    conn: &mut PgConnection,
    ticket: TicketId,
    rules: &[(RuleId, i64)],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    if rules.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = rules.iter().map(|(id, _)| id.0).collect();
    let minutes: Vec<i64> = rules.iter().map(|(_, m)| *m).collect();
    sqlx::query!(
        "INSERT INTO rule_timers (rule_id, ticket_id, anchor_at, due_at)
         SELECT rule, $2, $3::timestamptz, $3::timestamptz + make_interval(mins => minutes::int)
         FROM unnest($1::uuid[], $4::bigint[]) AS r(rule, minutes)
         ON CONFLICT (tenant_id, rule_id, ticket_id) DO UPDATE SET anchor_at = EXCLUDED.anchor_at, due_at = EXCLUDED.due_at",
        &ids,
        ticket as _,
        now,
        &minutes,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Arms time rule `id` on every ticket not closed, from the anchor each has now (its creation,
/// its last status change, its last customer message or public staff reply; a ticket with no
/// such message waits for one), except where it already ran for that anchor.
async fn arm_existing(tx: &mut PgConnection, id: RuleId, trigger: Trigger) -> sqlx::Result<()> {
    let Trigger::After { minutes, since } = trigger else { return Ok(()) };
    let minutes = i32::try_from(minutes).unwrap_or(i32::MAX);
    sqlx::query!(
        r#"INSERT INTO rule_timers (rule_id, ticket_id, anchor_at, due_at)
           SELECT $1, t.id, a.at, a.at + make_interval(mins => $2)
           FROM support_tickets t,
           LATERAL (SELECT CASE $3
               WHEN 'created' THEN t.created_at
               WHEN 'status_changed' THEN coalesce(
                 (SELECT max(h.created_at) FROM ticket_history h WHERE h.ticket_id = t.id AND h.to_status IS NOT NULL),
                 t.created_at)
               WHEN 'last_customer_message' THEN
                 (SELECT max(m.created_at) FROM ticket_messages m WHERE m.ticket_id = t.id AND m.sender_type = 'customer')
               ELSE (SELECT max(m.created_at) FROM ticket_messages m
                     WHERE m.ticket_id = t.id AND m.sender_type = 'agent' AND NOT m.is_internal)
             END AS at) AS a
           WHERE t.status <> 'closed' AND a.at IS NOT NULL
           ON CONFLICT (tenant_id, rule_id, ticket_id) DO UPDATE SET anchor_at = EXCLUDED.anchor_at, due_at = EXCLUDED.due_at
             WHERE rule_timers.anchor_at <> EXCLUDED.anchor_at"#,
        id as _,
        minutes,
        since.as_str(),
    )
    .execute(tx)
    .await
    .map(drop)
}

/// Up to `limit` timers due at `now`, soonest first: (rule, ticket).
pub async fn due_timers(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<(RuleId, TicketId)>> {
    let rows = sqlx::query!(
        r#"SELECT rule_id AS "rule_id: RuleId", ticket_id AS "ticket_id: TicketId" FROM rule_timers WHERE due_at <= $1 ORDER BY due_at, ticket_id LIMIT $2"#,
        now,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.rule_id, row.ticket_id)).collect())
}

/// Takes the timer of rule `rule` on ticket `ticket` if it is still due at `now`: it will not
/// run again for the anchor it was armed from. False when it is not (it moved, or another
/// replica took it).
pub async fn take_timer(
    tx: &mut PgConnection,
    rule: RuleId,
    ticket: TicketId,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let taken = sqlx::query!(
        "UPDATE rule_timers SET due_at = NULL WHERE rule_id = $1 AND ticket_id = $2 AND due_at <= $3",
        rule as _,
        ticket as _,
        now
    )
    .execute(tx)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// The ticket's customer as conditions read them: the VIP flag and the address.
pub async fn customer(conn: &mut PgConnection, id: UserId) -> sqlx::Result<(bool, String)> {
    let row = sqlx::query!("SELECT vip, email FROM users WHERE id = $1", id as _).fetch_optional(conn).await?;
    Ok(row.map(|row| (row.vip, row.email)).unwrap_or_default())
}

/// The active members of team `team`, the people a rule's mail to the team goes to.
pub async fn team_members(conn: &mut PgConnection, team: TeamId) -> sqlx::Result<Vec<UserId>> {
    sqlx::query_scalar!(
        r#"SELECT m.user_id AS "user_id: UserId" FROM team_members m JOIN users u ON u.id = m.user_id AND u.active
         WHERE m.team_id = $1 ORDER BY m.user_id"#,
        team as _
    )
    .fetch_all(conn)
    .await
}

/// The first names of customer `customer` and agent `agent`, for a macro's message.
pub async fn first_names(conn: &mut PgConnection, customer: UserId, agent: UserId) -> sqlx::Result<(String, String)> {
    let row = sqlx::query!(
        r#"SELECT (SELECT firstname FROM users WHERE id = $1) AS "customer?",
                  (SELECT firstname FROM users WHERE id = $2) AS "agent?""#,
        customer as _,
        agent as _,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.customer.unwrap_or_default(), row.agent.unwrap_or_default()))
}

/// Marks message `id` as written by rule `rule`.
pub async fn mark_message(conn: &mut PgConnection, id: i64, rule: RuleId) -> sqlx::Result<()> {
    sqlx::query!("UPDATE ticket_messages SET rule_id = $2 WHERE id = $1", id, rule as _).execute(conn).await.map(drop)
}
