//! Teams: a tenant's staff in groups, each with how its tickets are handed out (`Assignment`,
//! carried out by `sav::routing`) and an optional cap of tickets in progress per member. Admins
//! keep them (`create`, `change`, `remove`: each one transaction with its audit entry); a ticket
//! names its team (`team_id`), and an agent's queues are the unassigned tickets of their teams
//! and of no team (`sav::tickets::access`).

use base::FieldError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ids::{TeamId, UserId};

use super::routing::{self, Assignment};
use super::users;

/// A tenant holds at most this many teams.
pub const MAX_PER_TENANT: i64 = 100;
pub const NAME_MAX_CHARS: usize = 100;
pub const DESCRIPTION_MAX_CHARS: usize = 1000;
/// The most members one request may name (a tenant's staff, bounded).
pub const MEMBERS_MAX: usize = 1000;
/// The cap of tickets in progress per member, when there is one.
pub const CAP_RANGE: std::ops::RangeInclusive<i32> = 1..=1000;

/// A team.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Team {
    #[schema(value_type = Uuid)]
    pub id: TeamId,
    pub name: String,
    pub description: String,
    pub assignment: Assignment,
    /// Tickets in progress a member may hold before routing passes them by; null: no cap.
    pub max_open_per_agent: Option<i32>,
    /// Its members (owners, admins and agents of the tenant), by id.
    #[schema(value_type = Vec<Uuid>)]
    pub member_ids: Vec<UserId>,
    pub created_at: DateTime<Utc>,
}

/// A team's fields, as given.
#[derive(Debug, Clone)]
pub struct Fields {
    pub name: String,
    pub description: String,
    pub assignment: Assignment,
    pub max_open_per_agent: Option<i32>,
    pub member_ids: Vec<UserId>,
}

/// What to change of a team; `None` keeps a field.
#[derive(Debug, Default)]
#[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
pub struct Patch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub assignment: Option<Assignment>,
    pub max_open_per_agent: Option<Option<i32>>,
    pub member_ids: Option<Vec<UserId>>,
}

/// `fields` with the name and description trimmed and members without repeats, or the errors
/// of each field that is wrong in itself (members are checked against the tenant apart).
pub fn checked(mut fields: Fields) -> Result<Fields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = fields.name.trim().to_owned();
    fields.name = name;
    let name_chars = fields.name.chars().count();
    if name_chars == 0 || name_chars > NAME_MAX_CHARS || fields.name.chars().any(char::is_control) {
        errors.push(FieldError::new("name", "must be 1 to 100 characters, without control characters"));
    }
    let description = fields.description.trim().to_owned();
    fields.description = description;
    if fields.description.chars().count() > DESCRIPTION_MAX_CHARS || fields.description.contains('\0') {
        errors.push(FieldError::new("description", "must be at most 1,000 characters"));
    }
    if fields.max_open_per_agent.is_some_and(|cap| !CAP_RANGE.contains(&cap)) {
        errors.push(FieldError::new("max_open_per_agent", "must be 1 to 1000, or null for no cap"));
    }
    if fields.member_ids.len() > MEMBERS_MAX {
        errors.push(FieldError::new("member_ids", "must name at most 1,000 members"));
    }
    fields.member_ids.sort_unstable();
    fields.member_ids.dedup();
    if errors.is_empty() { Ok(fields) } else { Err(errors) }
}

/// Every team of the tenant, by name.
pub async fn all(conn: &mut PgConnection) -> sqlx::Result<Vec<Team>> {
    read(conn, None).await
}

async fn get(conn: &mut PgConnection, id: TeamId) -> sqlx::Result<Option<Team>> {
    Ok(read(conn, Some(id)).await?.pop())
}

/// Team `id`, or every team (`None`), by name.
async fn read(conn: &mut PgConnection, id: Option<TeamId>) -> sqlx::Result<Vec<Team>> {
    sqlx::query_as!(
        Team,
        r#"SELECT t.id AS "id: TeamId", t.name, t.description, t.assignment AS "assignment: Assignment", t.max_open_per_agent,
                ARRAY(SELECT m.user_id FROM team_members m WHERE m.team_id = t.id ORDER BY m.user_id) AS "member_ids!: Vec<UserId>",
                t.created_at
           FROM teams t WHERE $1::uuid IS NULL OR t.id = $1 ORDER BY lower(t.name), t.id LIMIT $2"#,
        id as _,
        MAX_PER_TENANT,
    )
    .fetch_all(conn)
    .await
}

/// Whether team `id` exists (a ticket may name it).
pub async fn exists(conn: &mut PgConnection, id: TeamId) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM teams WHERE id = $1) AS "exists!""#, id as _)
        .fetch_one(conn)
        .await
}

/// The teams `user` is a member of.
pub async fn of_member(conn: &mut PgConnection, user: UserId) -> sqlx::Result<Vec<TeamId>> {
    sqlx::query_scalar!(
        r#"SELECT team_id AS "team_id: TeamId" FROM team_members WHERE user_id = $1 ORDER BY team_id"#,
        user as _
    )
    .fetch_all(conn)
    .await
}

/// Teams are made and renamed one at a time per tenant, so the count and the names hold.
async fn lock_for_change(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("LOCK TABLE teams IN SHARE ROW EXCLUSIVE MODE").execute(conn).await.map(drop)
}

async fn name_taken(conn: &mut PgConnection, name: &str, except: Option<TeamId>) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM teams WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2) AS "taken!""#,
        name,
        except as _,
    )
    .fetch_one(conn)
    .await
}

/// The ids among `ids` that are not active owners, admins or agents of the tenant.
async fn not_staff(conn: &mut PgConnection, ids: &[UserId]) -> sqlx::Result<Vec<UserId>> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id!: UserId" FROM unnest($1::uuid[]) AS given (id)
           WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = given.id AND u.active
                               AND u.role IN ('owner', 'admin', 'agent'))"#,
        ids as _,
    )
    .fetch_all(conn)
    .await
}

/// Why a team is not made, changed or deleted; the HTTP layer gives each its answer
/// (app-api's `refusals`).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// No team has this id.
    #[error("no such team")]
    NotFound,
    /// Another team of the tenant has this name.
    #[error("another team has this name")]
    NameTaken,
    /// An SLA policy's conditions name the team: it stays while they do.
    #[error("an SLA policy's conditions name this team: change that policy first")]
    InUse,
    /// The tenant holds `MAX_PER_TENANT` teams already.
    #[error("this organisation holds 100 teams: delete one first")]
    LimitReached,
    /// Fields that break the rules, each with why.
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Checks `fields` against the tenant: a name of its own, members who are staff.
async fn check_in_tenant(conn: &mut PgConnection, fields: &Fields, except: Option<TeamId>) -> Result<(), Refused> {
    let strangers = not_staff(conn, &fields.member_ids).await?;
    if let Some(first) = strangers.first() {
        return Err(Refused::Invalid(vec![FieldError::new(
            "member_ids",
            format!("{first} is not an active agent, admin or owner of this organisation"),
        )]));
    }
    if name_taken(conn, &fields.name, except).await? {
        return Err(Refused::NameTaken);
    }
    Ok(())
}

/// Makes a team for `admin`, within the tenant's limit, with its audit entry, in one
/// transaction; a routed team with members has its queue looked at.
pub async fn create(conn: &mut PgConnection, admin: UserId, fields: Fields) -> Result<Team, Refused> {
    let fields = checked(fields).map_err(Refused::Invalid)?;
    let mut tx = conn.begin().await?;
    lock_for_change(&mut tx).await?;
    let count = sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM teams"#).fetch_one(&mut *tx).await?;
    if count >= MAX_PER_TENANT {
        return Err(Refused::LimitReached);
    }
    check_in_tenant(&mut tx, &fields, None).await?;
    let id = TeamId(Uuid::now_v7());
    write(&mut tx, id, &fields).await?;
    if fields.assignment.routes() && !fields.member_ids.is_empty() {
        routing::wake(&mut tx, &[id], Utc::now()).await?;
    }
    let details = serde_json::json!({ "team_id": id, "name": fields.name });
    users::audit(&mut tx, admin, "team_created", id.0, details).await?;
    let created = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    tx.commit().await?;
    Ok(created)
}

/// Team `id` becomes `fields` (made, or changed): its row, and its members, those who stay
/// keeping their place in the round.
async fn write(tx: &mut PgConnection, id: TeamId, fields: &Fields) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO teams (id, name, description, assignment, max_open_per_agent) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
           assignment = EXCLUDED.assignment, max_open_per_agent = EXCLUDED.max_open_per_agent, updated_at = now()",
        id as _,
        fields.name,
        fields.description,
        fields.assignment.as_str(),
        fields.max_open_per_agent,
    )
    .execute(&mut *tx)
    .await?;
    let members = &fields.member_ids;
    sqlx::query!("DELETE FROM team_members WHERE team_id = $1 AND user_id <> ALL($2)", id as _, members as _)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "INSERT INTO team_members (team_id, user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
        id as _,
        members as _,
    )
    .execute(tx)
    .await
    .map(drop)
}

/// Changes team `id` by `patch`, checked as a whole, with its audit entry, in one transaction.
/// Anything that may let a waiting ticket out (a member added, a cap raised or lifted, routing
/// switched on) has the queue looked at.
pub async fn change(conn: &mut PgConnection, admin: UserId, id: TeamId, patch: Patch) -> Result<Team, Refused> {
    let mut tx = conn.begin().await?;
    lock_for_change(&mut tx).await?;
    let current = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    let fields = Fields {
        name: patch.name.unwrap_or_else(|| current.name.clone()),
        description: patch.description.unwrap_or_else(|| current.description.clone()),
        assignment: patch.assignment.unwrap_or(current.assignment),
        max_open_per_agent: patch.max_open_per_agent.unwrap_or(current.max_open_per_agent),
        member_ids: patch.member_ids.unwrap_or_else(|| current.member_ids.clone()),
    };
    let fields = checked(fields).map_err(Refused::Invalid)?;
    check_in_tenant(&mut tx, &fields, Some(id)).await?;
    write(&mut tx, id, &fields).await?;
    let raised = match (current.max_open_per_agent, fields.max_open_per_agent) {
        (_, None) => current.max_open_per_agent.is_some(),
        (Some(before), Some(after)) => after > before,
        (None, Some(_)) => false,
    };
    let joined = fields.member_ids.iter().any(|m| !current.member_ids.contains(m));
    if fields.assignment.routes() && (raised || joined || !current.assignment.routes()) {
        routing::wake(&mut tx, &[id], Utc::now()).await?;
    }
    let details = serde_json::json!({ "team_id": id, "name": fields.name });
    users::audit(&mut tx, admin, "team_changed", id.0, details).await?;
    let changed = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    tx.commit().await?;
    Ok(changed)
}

/// Deletes team `id` with its audit entry; its tickets are left without a team (their history
/// keeps the team they were in). How many tickets it held. Refused while an SLA policy's
/// conditions name it (409 `team_in_use`), so no policy is left naming a team that is not.
pub async fn remove(conn: &mut PgConnection, admin: UserId, id: TeamId) -> Result<u64, Refused> {
    let mut tx = conn.begin().await?;
    // The policies are replaced under a stronger lock: none can name the team meanwhile.
    sqlx::query!("LOCK TABLE sla_policies IN SHARE MODE").execute(&mut *tx).await?;
    let named = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM sla_policies WHERE $1 = ANY (team_ids)) AS "named!""#,
        id as _
    )
    .fetch_one(&mut *tx)
    .await?;
    if named {
        return Err(Refused::InUse);
    }
    // The tickets first, then the team: a ticket write in progress (which locks its ticket, then
    // the team to route it) is waited for rather than met the other way round.
    let left = sqlx::query!("UPDATE support_tickets SET team_id = NULL WHERE team_id = $1", id as _)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let name = sqlx::query_scalar!("DELETE FROM teams WHERE id = $1 RETURNING name", id as _)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Refused::NotFound)?;
    let details = serde_json::json!({ "team_id": id, "name": name, "tickets": left });
    users::audit(&mut tx, admin, "team_deleted", id.0, details).await?;
    tx.commit().await?;
    Ok(left)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(name: &str, cap: Option<i32>) -> Fields {
        Fields {
            name: name.to_owned(),
            description: String::new(),
            assignment: Assignment::RoundRobin,
            max_open_per_agent: cap,
            member_ids: Vec::new(),
        }
    }

    #[test]
    fn a_team_is_checked_field_by_field() {
        let ok = checked(fields("  Returns  ", Some(5))).unwrap();
        assert_eq!((ok.name.as_str(), ok.max_open_per_agent), ("Returns", Some(5)));
        let fields_of = |errors: Vec<FieldError>| errors.into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields_of(checked(fields(" ", Some(0))).unwrap_err()), ["name", "max_open_per_agent"]);
        assert_eq!(
            fields_of(checked(fields(&"x".repeat(101), Some(1001))).unwrap_err()),
            ["name", "max_open_per_agent"]
        );
        let one = UserId(Uuid::now_v7());
        let twice = Fields { member_ids: vec![one, one], ..fields("Billing", None) };
        assert_eq!(checked(twice).unwrap().member_ids, [one]);
    }

    #[test]
    fn only_manual_teams_are_left_alone() {
        assert_eq!(Assignment::ALL.map(Assignment::routes), [false, true, true]);
        for mode in Assignment::ALL {
            assert_eq!(Assignment::parse(mode.as_str()), Some(mode));
        }
    }
}
