//! Routing: which member of a ticket's team gets it, decided in the transaction of the write
//! that put it there (app-api's `commands`), with the team's row locked (`lock_team`) so that
//! concurrent writes take turns: no member is picked twice for one place, nor past the team's cap.
//!
//! - **Eligible**: an active member (owner, admin or agent) who is available and holds fewer
//!   tickets in progress than the team's cap (whatever their teams).
//! - **Round robin**: the eligible member whose last assignment in the team (by routing or by
//!   hand, `team_members.last_assigned_at`) is oldest; never assigned comes first.
//! - **Least loaded**: the fewest tickets in progress, then as round robin.
//! - **Nobody eligible**: the ticket waits, open, in the team's queue. What may let it out (a
//!   member available again or below the cap, a member added, the cap raised, routing switched
//!   on) wakes the team (`wake`, a row in `routing_wakes`), and the scheduled jobs hand the
//!   queue out, soonest badge due time first (app-api's `worker::routing`).
//!
//! A member of a capped team is locked too (a transaction advisory lock per member, taken in one
//! order), so two teams never fill the same member past a cap at once.
//!
//! A **new ticket** in a round robin without a cap takes its member's turn before its write
//! begins (`take_turns`: the team locked for one statement, taken for all the creations into the
//! team waiting in this replica, app-api's `turns`), so creations into one team do not take turns on
//! the team for the length of their writes. Every other entry routes under the
//! lock in the write. A new ticket's member is known before its insert: it is written once, in
//! progress and theirs (`lifecycle::opening_state`), not inserted open then moved.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ids::{TeamId, UserId};

use super::tickets::change::Work;
use super::tickets::messages::Channel;
use super::tickets::priority::Priority;
use super::tickets::status::Status;
use super::tickets::store::{self, Ticket};

/// The first key of the members' advisory locks (`pg_advisory_xact_lock(int, int)`), "rout".
const MEMBER_LOCK: i32 = 0x726f_7574;

/// How a team's tickets are handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = TeamAssignment)]
pub enum Assignment {
    /// By hand only.
    Manual,
    /// To the available member whose last assignment in the team is oldest.
    RoundRobin,
    /// To the available member with the fewest tickets in progress, then as round robin.
    LeastLoaded,
}

impl Assignment {
    pub const ALL: [Self; 3] = [Self::Manual, Self::RoundRobin, Self::LeastLoaded];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::RoundRobin => "round_robin",
            Self::LeastLoaded => "least_loaded",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == value)
    }

    /// Whether the server hands this team's tickets out.
    pub fn routes(self) -> bool {
        self != Self::Manual
    }
}

base::text_column!(Assignment, parse);

/// A member of the team who takes tickets now, with what routing weighs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub user_id: UserId,
    /// Tickets in progress, in any team.
    pub load: i64,
    /// Their last assignment in this team.
    pub last_assigned_at: Option<DateTime<Utc>>,
}

/// A team as routing reads it, locked.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub assignment: Assignment,
    pub cap: Option<i32>,
}

/// The member to give the next ticket to, among `candidates` (available members), passing
/// over `passed_over` (the one a ticket was just taken from); `None`: nobody may take it.
pub fn choose(rule: Rule, candidates: &[Candidate], passed_over: Option<UserId>) -> Option<UserId> {
    let eligible = candidates
        .iter()
        .filter(|c| Some(c.user_id) != passed_over)
        .filter(|c| rule.cap.is_none_or(|cap| c.load < i64::from(cap)));
    // `None` sorts first: never assigned in the team is assigned longest ago.
    let round = |c: &&Candidate| (c.last_assigned_at, c.user_id);
    match rule.assignment {
        Assignment::Manual => None,
        Assignment::RoundRobin => eligible.min_by_key(round),
        Assignment::LeastLoaded => eligible.min_by_key(|c| (c.load, round(c))),
    }
    .map(|c| c.user_id)
}

/// Why a write routes its ticket: it entered a team's queue (created in a team, moved to one),
/// was taken from its assignee (never given back to them), or was reopened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Entered,
    Unassigned { from: UserId },
    Reopened,
}

impl Trigger {
    /// The trigger of a change of `ticket` that began in status and team `before` with
    /// `assigned_before` (none before: a new ticket, routed as it is inserted), if it routes.
    pub fn of(
        before: Option<(Status, Option<TeamId>)>,
        assigned_before: Option<UserId>,
        ticket: &Ticket,
    ) -> Option<Self> {
        let (status_before, team_before) = before?;
        ticket.team_id?;
        match (ticket.status, ticket.assigned_to) {
            (Status::Open, None) => match assigned_before {
                Some(from) => Some(Self::Unassigned { from }),
                None => (team_before != ticket.team_id).then_some(Self::Entered),
            },
            (Status::InProgress, Some(_)) if status_before == Status::Resolved => Some(Self::Reopened),
            _ => None,
        }
    }

    /// The trigger of the write recorded in `work` on `ticket`, if it routes.
    pub fn of_work(work: &Work, ticket: &Ticket) -> Option<Self> {
        Self::of(work.before, work.assigned_before, ticket)
    }
}

/// What routing decided for a ticket of a routed team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub assignment: Assignment,
    /// The member given the ticket; `None`: it waits in the queue or stays with its assignee.
    pub chosen: Option<UserId>,
    pub outcome: Outcome,
}

/// How a routing decision came out, as the routing metrics count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Assigned,
    /// A reopened ticket stays with its assignee: nobody else may take it.
    Kept,
    Waiting,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assigned => "assigned",
            Self::Kept => "kept",
            Self::Waiting => "waiting",
        }
    }
}

/// Routes a ticket of `team` that `trigger` routes (held by `assignee`), under the team's lock:
/// `None` when the team is not routed (no such team, or by hand), or when a reopened ticket stays
/// with its assignee, available and still a member.
pub async fn decide(
    tx: &mut PgConnection,
    team: TeamId,
    trigger: Trigger,
    assignee: Option<UserId>,
) -> sqlx::Result<Option<Decision>> {
    let Some(rule) = lock_team(tx, team).await? else { return Ok(None) };
    if !rule.assignment.routes() {
        return Ok(None);
    }
    let candidates = candidates(tx, team, rule).await?;
    let decided = |chosen: Option<UserId>, outcome| Some(Decision { assignment: rule.assignment, chosen, outcome });
    let passed_over = match trigger {
        Trigger::Entered => None,
        Trigger::Unassigned { from } => Some(from),
        // Available and still a member: it stays theirs, nothing decided.
        Trigger::Reopened if candidates.iter().any(|c| Some(c.user_id) == assignee) => return Ok(None),
        Trigger::Reopened => assignee,
    };
    Ok(match choose(rule, &candidates, passed_over) {
        Some(member) => decided(Some(member), Outcome::Assigned),
        None if trigger == Trigger::Reopened => decided(None, Outcome::Kept),
        None => decided(None, Outcome::Waiting),
    })
}

/// When `ticket` began to wait in its team's queue, after a write that began in status and
/// team `before` (none: a new ticket): kept while it waits in the same queue, now when it
/// enters one, none when it waits in none.
pub fn queued_at(
    ticket: &Ticket,
    before: Option<(Status, Option<TeamId>)>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let (status_before, team_before) = before.unzip();
    let waiting = ticket.status == Status::Open && ticket.team_id.is_some();
    let waited = status_before == Some(Status::Open) && team_before.flatten() == ticket.team_id;
    match (waiting, waited) {
        (true, true) => ticket.queued_at.or(Some(now)),
        (true, false) => Some(now),
        (false, _) => None,
    }
}

/// What the write recorded in `work` does to the teams' queues: the assignee's place in the
/// round, the time the ticket began to wait, and a wake of the teams of a member whose load fell.
pub async fn follow_write(
    tx: &mut PgConnection,
    ticket: &mut Ticket,
    work: &Work,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    if let (Some(team), Some(member)) = (ticket.team_id, ticket.assigned_to)
        && ticket.assigned_to != work.assigned_before
        && !work.turn_taken
    {
        assigned(tx, team, member).await?;
    }
    ticket.queued_at = queued_at(ticket, work.before, now);
    if let Some(member) = work.assigned_before
        && work.before.is_some_and(|(status, _)| status == Status::InProgress)
        && (ticket.status != Status::InProgress || ticket.assigned_to != Some(member))
    {
        wake_teams_of(tx, member, now).await?;
    }
    Ok(())
}

/// Counts one more ticket in progress for `member` among `candidates`, assigned last: the next
/// choice in the same transaction sees it. Assigned last means after every assignment the
/// candidates hold, whatever `now` says (the stored times are the database's, taken as each
/// assignment was written, and may be later than the clock a visit started on).
pub fn took(candidates: &mut [Candidate], member: UserId, now: DateTime<Utc>) {
    let latest = candidates.iter().filter_map(|c| c.last_assigned_at).max().map_or(now, |at| at.max(now));
    if let Some(c) = candidates.iter_mut().find(|c| c.user_id == member) {
        c.load += 1;
        c.last_assigned_at = Some(latest + chrono::Duration::microseconds(1));
    }
}

/// Team `id`'s rule, its row locked for the rest of the transaction; `None`: no such team. The
/// lock is `FOR NO KEY UPDATE`: routers take turns, while the key share a ticket's reference to
/// the team takes (a new ticket in the team, inserted before it is routed) does not wait, nor
/// make two routers wait for each other.
pub async fn lock_team(tx: &mut PgConnection, id: TeamId) -> sqlx::Result<Option<Rule>> {
    let row = sqlx::query!(
        r#"SELECT assignment AS "assignment: Assignment", max_open_per_agent FROM teams WHERE id = $1
           FOR NO KEY UPDATE"#,
        id as _
    )
    .fetch_optional(tx)
    .await?;
    Ok(row.map(|row| Rule { assignment: row.assignment, cap: row.max_open_per_agent }))
}

/// The available members of team `id` (locked), with their loads as `rule` needs them: exact
/// for least loaded, counted up to the cap for a capped round, not at all for a round without a
/// cap (a member's tickets in progress are not read for nothing while the team is locked). Under
/// a cap, each member's lock is taken first, in one order for every transaction: a member in
/// two capped teams is filled by one of them at a time.
pub async fn candidates(tx: &mut PgConnection, id: TeamId, rule: Rule) -> sqlx::Result<Vec<Candidate>> {
    if rule.cap.is_some() {
        sqlx::query_scalar!(
            r#"SELECT count(pg_advisory_xact_lock($2, hashtext(m.user_id::text))) AS "locked!"
               FROM (SELECT user_id FROM team_members WHERE team_id = $1 ORDER BY hashtext(user_id::text)) AS m"#,
            id as _,
            MEMBER_LOCK,
        )
        .fetch_one(&mut *tx)
        .await?;
    }
    // `LIMIT NULL` counts them all.
    let count_up_to = match (rule.assignment, rule.cap) {
        (Assignment::LeastLoaded, _) => None,
        (_, Some(cap)) => Some(i64::from(cap)),
        (_, None) => Some(0),
    };
    let rows = sqlx::query!(
        r#"SELECT m.user_id, m.last_assigned_at,
                (SELECT count(*) FROM (SELECT 1 FROM support_tickets t
                                       WHERE t.assigned_to = m.user_id AND t.status = 'in_progress' LIMIT $2) AS held)
                  AS "load!"
           FROM team_members m JOIN users u ON u.id = m.user_id
           WHERE m.team_id = $1 AND u.active AND u.available AND u.role IN ('owner', 'admin', 'agent')"#,
        id as _,
        count_up_to,
    )
    .fetch_all(tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Candidate { user_id: UserId(row.user_id), load: row.load, last_assigned_at: row.last_assigned_at })
        .collect())
}

/// Takes the next turns of round-robin team `team`, in order, for tickets `callers` are about to
/// create in it, outside any transaction (`routing_take_turns`, migration 0021): for each, the
/// member to assign, their turn recorded and committed. `None` for a caller who may not put
/// tickets in teams, and for all when the team routes otherwise (a cap, least loaded, manual),
/// when nobody takes tickets now or when there is no such team: those writes route under the
/// team's lock. A turn whose write then fails is lost: the round moves on one place.
pub async fn take_turns(
    conn: &mut PgConnection,
    team: TeamId,
    callers: &[UserId],
) -> sqlx::Result<Vec<Option<UserId>>> {
    let turns = sqlx::query_scalar!(
        r#"SELECT routing_take_turns($1, $2) AS "turns!: Vec<Option<Uuid>>""#,
        team as _,
        callers as _
    )
    .fetch_one(conn)
    .await?;
    Ok(turns.into_iter().map(|turn| turn.map(UserId)).collect())
}

/// Records that `member` was given a ticket of team `team` (by routing or by hand): round
/// robin's order. The time is the statement's own, not the write's: routers take turns under
/// the team's lock, so the order of these times is the order of the assignments even when a
/// write began before the one it waited for. Nothing for someone who is not a member.
pub async fn assigned(tx: &mut PgConnection, team: TeamId, member: UserId) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE team_members SET last_assigned_at = clock_timestamp() WHERE team_id = $1 AND user_id = $2",
        team as _,
        member as _,
    )
    .execute(tx)
    .await
    .map(drop)
}

/// Wakes `teams` at `at`: their queues are handed out then (a wake due sooner is kept).
pub async fn wake(tx: &mut PgConnection, teams: &[TeamId], at: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO routing_wakes (team_id, due_at) SELECT id, $2 FROM unnest($1::uuid[]) AS id ORDER BY id
         ON CONFLICT (tenant_id, team_id) DO UPDATE SET due_at = EXCLUDED.due_at WHERE routing_wakes.due_at > EXCLUDED.due_at",
        teams as _,
        at,
    )
    .execute(tx)
    .await
    .map(drop)
}

/// Wakes the routed teams of `member` whose queues hold a ticket: they may take one now.
pub async fn wake_teams_of(tx: &mut PgConnection, member: UserId, at: DateTime<Utc>) -> sqlx::Result<()> {
    let teams = sqlx::query_scalar!(
        r#"SELECT m.team_id AS "team_id: TeamId" FROM team_members m JOIN teams t ON t.id = m.team_id
         WHERE m.user_id = $1 AND t.assignment <> 'manual'
           AND EXISTS (SELECT 1 FROM support_tickets s WHERE s.team_id = m.team_id AND s.status = 'open')
         ORDER BY m.team_id"#,
        member as _,
    )
    .fetch_all(&mut *tx)
    .await?;
    if teams.is_empty() {
        return Ok(());
    }
    wake(tx, &teams, at).await
}

/// Whether `user` (staff) takes tickets now; becoming available wakes the routed teams they
/// are in whose queues hold tickets (`sav::routing`). One transaction; returns the new value.
pub async fn set_available(conn: &mut PgConnection, user: UserId, available: bool) -> sqlx::Result<bool> {
    let mut tx = conn.begin().await?;
    let changed = sqlx::query!(
        "UPDATE users SET available = $2, available_changed_at = now(), updated_at = now()
         WHERE id = $1 AND available <> $2",
        user as _,
        available,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    if changed && available {
        wake_teams_of(&mut tx, user, Utc::now()).await?;
    }
    tx.commit().await?;
    Ok(available)
}

/// Takes the wake of team `id` if it is due at `now` (for the rest of the transaction); false
/// when there is none (another replica took it, or it is not due).
pub async fn take_wake(tx: &mut PgConnection, id: TeamId, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let taken =
        sqlx::query!("DELETE FROM routing_wakes WHERE team_id = $1 AND due_at <= $2", id as _, now).execute(tx).await?;
    Ok(taken.rows_affected() > 0)
}

/// The teams whose wakes are due at `now`, soonest first: at most `limit`.
pub async fn due_wakes(conn: &mut PgConnection, now: DateTime<Utc>, limit: i64) -> sqlx::Result<Vec<TeamId>> {
    sqlx::query_scalar!(
        r#"SELECT team_id AS "team_id: TeamId" FROM routing_wakes WHERE due_at <= $1 ORDER BY due_at, team_id LIMIT $2"#,
        now,
        limit
    )
    .fetch_all(conn)
    .await
}

/// The next waiting ticket of team `id` that no other transaction holds, soonest badge due time
/// first (the response target while it is next, else the resolution target), locked.
pub async fn next_waiting(tx: &mut PgConnection, id: TeamId) -> sqlx::Result<Option<Ticket>> {
    let row = store::ticket_sql!(query
        "SELECT ",
        " FROM support_tickets t WHERE t.team_id = $1 AND t.status = 'open'
          ORDER BY CASE WHEN t.first_response_at IS NULL AND t.response_due_at < t.resolution_due_at
                        THEN t.response_due_at ELSE t.resolution_due_at END, t.id
          LIMIT 1 FOR UPDATE SKIP LOCKED",
        id as _,
    )
    .fetch_optional(tx)
    .await?;
    Ok(row.map(|row| store::ticket_of!(row)))
}

/// Whether team `id`'s queue holds a ticket (one this transaction skipped as locked elsewhere,
/// or one that came meanwhile).
pub async fn has_waiting(tx: &mut PgConnection, id: TeamId) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM support_tickets WHERE team_id = $1 AND status = 'open') AS "waiting!""#,
        id as _
    )
    .fetch_one(tx)
    .await
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn member(n: u128, load: i64, last: Option<i64>) -> Candidate {
        Candidate {
            user_id: UserId(Uuid::from_u128(n)),
            load,
            last_assigned_at: last.map(|s| Utc.timestamp_opt(s, 0).unwrap()),
        }
    }

    const ROUND: Rule = Rule { assignment: Assignment::RoundRobin, cap: None };
    const LEAST: Rule = Rule { assignment: Assignment::LeastLoaded, cap: None };

    #[test]
    fn round_robin_takes_the_member_assigned_longest_ago() {
        let team = [member(1, 0, Some(30)), member(2, 9, Some(10)), member(3, 0, Some(20))];
        assert_eq!(choose(ROUND, &team, None), Some(UserId(Uuid::from_u128(2))));
        let never = [member(1, 0, Some(30)), member(2, 0, None)];
        assert_eq!(choose(ROUND, &never, None), Some(UserId(Uuid::from_u128(2))), "never assigned comes first");
        assert_eq!(
            choose(ROUND, &team, Some(UserId(Uuid::from_u128(2)))),
            Some(UserId(Uuid::from_u128(3))),
            "passed over"
        );
    }

    #[test]
    fn least_loaded_takes_the_fewest_in_progress_then_the_round() {
        let team = [member(1, 2, Some(10)), member(2, 1, Some(30)), member(3, 1, Some(20))];
        assert_eq!(choose(LEAST, &team, None), Some(UserId(Uuid::from_u128(3))));
    }

    #[test]
    fn the_cap_and_manual_teams_leave_tickets_waiting() {
        let capped = Rule { assignment: Assignment::RoundRobin, cap: Some(2) };
        let full = [member(1, 2, None), member(2, 3, Some(5))];
        assert_eq!(choose(capped, &full, None), None);
        let manual = Rule { assignment: Assignment::Manual, cap: None };
        assert_eq!(choose(manual, &[member(1, 0, None)], None), None);
        assert_eq!(choose(ROUND, &[], None), None);
    }

    #[test]
    fn a_round_deals_evenly() {
        let mut team: Vec<Candidate> = (1..=5).map(|n| member(n, 0, None)).collect();
        let mut dealt = std::collections::HashMap::<UserId, usize>::new();
        for second in 0..100 {
            let now = Utc.timestamp_opt(1_000 + second, 0).unwrap();
            let to = choose(ROUND, &team, None).unwrap();
            took(&mut team, to, now);
            *dealt.entry(to).or_default() += 1;
        }
        assert!(dealt.values().all(|&n| n == 20), "{dealt:?}");
    }

    #[test]
    fn a_round_goes_on_from_assignments_stored_after_the_visit_began() {
        // The stored times are the database's, later than the visit's clock.
        let mut team: Vec<Candidate> = (1..=3).map(|n| member(n, 0, Some(5_000 + i64::try_from(n).unwrap()))).collect();
        let now = Utc.timestamp_opt(1_000, 0).unwrap();
        let mut order = Vec::new();
        for _ in 0..6 {
            let to = choose(ROUND, &team, None).unwrap();
            took(&mut team, to, now);
            order.push(to.0.as_u128());
        }
        assert_eq!(order, [1, 2, 3, 1, 2, 3]);
    }
}
