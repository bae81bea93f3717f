//! Where a ticket stands against its SLA: the one rule, in Rust for the answers and in SQL for
//! the filters and the summary, side by side so they are changed together (a database test
//! checks them against each other). Which clock runs (`Status::clock`), the next target and when
//! it is due, breaches, and "at risk" (past the instant a quarter of the next target is left,
//! `sla::AT_RISK_PERCENT`). Read from the ticket's stored due and risk instants, which every
//! change keeps current, and its recorded
//! breaches, which are never cleared: a breach stays on the badge whatever the ticket does next.
//! The targets the jobs are to record missed (`outstanding`, read by `due`), and what time alone
//! does to an answer that shows a badge (`turns`), come from the same rule.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Postgres, QueryBuilder};
use utoipa::ToSchema;

use super::status::Clock;
use super::store::Ticket;
use crate::ids::ScheduleId;

/// Which target comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Response,
    /// A next-response round's (a customer message waits for a staff reply).
    NextResponse,
    Resolution,
}

/// Each flag is a field of the API's badge.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SlaBadge {
    pub clock: Clock,
    /// While the clock runs: the next target and when it is due.
    pub next: Option<Target>,
    pub due_at: Option<DateTime<Utc>>,
    /// The response target was missed: recorded by the jobs, answered late, or past due while
    /// running.
    pub response_breached: bool,
    /// The resolution target was missed: recorded by the jobs, or past due while running.
    pub resolution_breached: bool,
    /// A next-response round was missed: one recorded by the jobs or answered late, or the
    /// running one past due.
    pub next_response_breached: bool,
    /// Running, the next target not missed yet, and less than a quarter of it left.
    pub at_risk: bool,
    /// The SLA policy by condition whose targets apply, by name; `default` for the tenant's
    /// fallback policy (`/v1/sla/policy`).
    pub policy: String,
    /// The schedule whose working hours the targets count; `null`: every hour (24/7).
    #[schema(value_type = Option<Uuid>)]
    pub schedule_id: Option<ScheduleId>,
}

impl SlaBadge {
    pub fn breached(&self) -> bool {
        self.response_breached || self.resolution_breached || self.next_response_breached
    }
}

/// The policy name a badge shows for the fallback policy.
pub const DEFAULT_POLICY: &str = "default";

/// Which targets are missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missed {
    pub response: bool,
    pub resolution: bool,
    pub next_response: bool,
}

impl Missed {
    pub fn any(self) -> bool {
        self.response || self.resolution || self.next_response
    }
}

/// The badge of `ticket` at `now`.
pub fn of(ticket: &Ticket, now: DateTime<Utc>) -> SlaBadge {
    let clock = ticket.status.clock();
    let running = clock == Clock::Running;
    let missed = breaches(ticket, now);
    let (next, due_at, risk_at, breached) = match next_target(ticket) {
        (Target::Response, _, _) => {
            (Target::Response, ticket.response_due_at, ticket.response_risk_at, missed.response)
        }
        (Target::NextResponse, due_at, risk_at) => (Target::NextResponse, due_at, risk_at, missed.next_response),
        (Target::Resolution, _, _) => {
            (Target::Resolution, ticket.resolution_due_at, ticket.resolution_risk_at, missed.resolution)
        }
    };
    let at_risk = running && !breached && due_at > now && now > risk_at;
    SlaBadge {
        clock,
        next: running.then_some(next),
        due_at: running.then_some(due_at),
        response_breached: missed.response,
        resolution_breached: missed.resolution,
        next_response_breached: missed.next_response,
        at_risk,
        policy: ticket.sla_policy.clone().unwrap_or_else(|| DEFAULT_POLICY.to_owned()),
        schedule_id: ticket.sla_schedule_id,
    }
}

/// The target that comes next, with its due and risk instants: the response while unanswered
/// and due before the resolution, else a running next-response round due before the
/// resolution, else the resolution.
fn next_target(ticket: &Ticket) -> (Target, DateTime<Utc>, DateTime<Utc>) {
    if response_is_next(ticket) {
        return (Target::Response, ticket.response_due_at, ticket.response_risk_at);
    }
    match (ticket.next_response_due_at, ticket.next_response_risk_at) {
        (Some(due), Some(risk)) if due < ticket.resolution_due_at => (Target::NextResponse, due, risk),
        _ => (Target::Resolution, ticket.resolution_due_at, ticket.resolution_risk_at),
    }
}

/// The first instant from `now` on after which `of` may answer otherwise with nothing written:
/// while the clock runs, when a target turns at risk or is missed; `None` when nothing turns (a
/// clock paused or stopped, or every turn passed). The badge at any instant before it is the
/// badge at `now`; it may be a turn that changes nothing.
pub fn turns_at(ticket: &Ticket, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if !ticket.status.clock_runs() {
        return None;
    }
    // At risk past its risk instant, missed once past due.
    let mut turns = vec![ticket.resolution_risk_at, ticket.resolution_due_at];
    if ticket.first_response_at.is_none() {
        turns.extend([ticket.response_risk_at, ticket.response_due_at]);
    }
    turns.extend(ticket.next_response_risk_at.into_iter().chain(ticket.next_response_due_at));
    turns.into_iter().filter(|at| *at >= now).min()
}

/// What an answer shows of where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Its badge (the lists).
    Badge,
    /// Its badge and its clock's account: the due times with the time waited or stopped so far
    /// added, and the time waited (one ticket's read).
    Account,
}

/// What time alone does to an answer that shows where tickets stand, with nothing written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turns {
    /// Nothing: the answer holds until a write.
    Never,
    /// A badge turns at this instant (at risk, a target missed), nothing before.
    At(DateTime<Utc>),
    /// It moves all the time: a paused or stopped clock's account, or which tickets a filter on
    /// the badge finds.
    Always,
}

impl Turns {
    /// The sooner of two.
    #[must_use]
    pub fn and(self, other: Self) -> Self {
        match (self, other) {
            (Self::Always, _) | (_, Self::Always) => Self::Always,
            (Self::Never, other) | (other, Self::Never) => other,
            (Self::At(a), Self::At(b)) => Self::At(a.min(b)),
        }
    }
}

/// What time alone does to what `shown` shows of `ticket` from `now` on: the badge's next turn
/// (`turns_at`); a clock's account moves all the time while it does not run.
pub fn turns(ticket: &Ticket, now: DateTime<Utc>, shown: Shown) -> Turns {
    if shown == Shown::Account && !ticket.status.clock_runs() {
        return Turns::Always;
    }
    turns_at(ticket, now).map_or(Turns::Never, Turns::At)
}

/// The due time of `target` while the clock runs and the target is neither met (the response, by
/// a first response) nor recorded missed; `None` otherwise. Past it the target is missed, and
/// from it on the jobs record it (`due`).
pub fn outstanding(ticket: &Ticket, target: Target) -> Option<DateTime<Utc>> {
    if !ticket.status.clock_runs() {
        return None;
    }
    match target {
        Target::Response => (ticket.first_response_at.is_none() && ticket.response_breached_at.is_none())
            .then_some(ticket.response_due_at),
        Target::NextResponse => ticket.next_response_due_at.filter(|_| ticket.next_response_breached_at.is_none()),
        Target::Resolution => ticket.resolution_breached_at.is_none().then_some(ticket.resolution_due_at),
    }
}

/// Which targets are missed: recorded, answered late, or past due while outstanding.
pub fn breaches(ticket: &Ticket, now: DateTime<Utc>) -> Missed {
    let past_due = |target| outstanding(ticket, target).is_some_and(|due| now > due);
    Missed {
        response: ticket.response_breached_at.is_some()
            || ticket.first_response_at.is_some_and(|at| at > ticket.response_due_at)
            || past_due(Target::Response),
        resolution: ticket.resolution_breached_at.is_some() || past_due(Target::Resolution),
        next_response: ticket.next_response_breaches > 0 || past_due(Target::NextResponse),
    }
}

/// The response comes next while unanswered and due before the resolution.
fn response_is_next(ticket: &Ticket) -> bool {
    ticket.first_response_at.is_none() && ticket.response_due_at < ticket.resolution_due_at
}

/// The same rule in SQL, over `support_tickets t` joined with its targets `sla_policy_targets p`
/// (`p.version_id = t.sla_version_id AND p.priority = t.priority`), at the bound time `now`.
pub struct Sql {
    pub now: DateTime<Utc>,
}

impl Sql {
    /// `response_is_next`, as a boolean expression.
    fn push_response_is_next(query: &mut QueryBuilder<'_, Postgres>) {
        query.push("t.first_response_at IS NULL AND t.response_due_at < t.resolution_due_at");
    }

    /// `SlaBadge::response_breached`, as a boolean expression.
    pub fn push_response_breached(&self, query: &mut QueryBuilder<'_, Postgres>) {
        query
            .push("(t.response_breached_at IS NOT NULL OR t.first_response_at > t.response_due_at")
            .push(" OR (t.status IN ('open', 'in_progress') AND t.first_response_at IS NULL AND t.response_due_at < ")
            .push_bind(self.now)
            .push("))");
    }

    /// `SlaBadge::next_response_breached`, as a boolean expression.
    pub fn push_next_response_breached(&self, query: &mut QueryBuilder<'_, Postgres>) {
        query
            .push("(t.next_response_breaches > 0 OR (t.status IN ('open', 'in_progress')")
            .push(" AND t.next_response_breached_at IS NULL AND t.next_response_due_at < ")
            .push_bind(self.now)
            .push("))");
    }

    /// `SlaBadge::resolution_breached`, as a boolean expression.
    pub fn push_resolution_breached(&self, query: &mut QueryBuilder<'_, Postgres>) {
        query
            .push("(t.resolution_breached_at IS NOT NULL OR (t.status IN ('open', 'in_progress') AND t.resolution_due_at < ")
            .push_bind(self.now)
            .push("))");
    }

    /// The part of `push_breached` time alone decides: a running clock past a due time the jobs
    /// have not recorded missed yet, on a ticket with no breach kept (`ticket_breach_kept`,
    /// migration 0020: a target recorded missed, or the response given late). Each branch is
    /// what a partial index of the due times holds (migration 0005), so few rows are read.
    pub fn push_breached_unkept(&self, query: &mut QueryBuilder<'_, Postgres>) {
        query
            .push("((t.status IN ('open', 'in_progress') AND t.first_response_at IS NULL AND t.response_breached_at IS NULL")
            .push(" AND t.response_due_at < ")
            .push_bind(self.now)
            .push(") OR (t.status IN ('open', 'in_progress') AND t.resolution_breached_at IS NULL AND t.resolution_due_at < ")
            .push_bind(self.now)
            .push(") OR (t.status IN ('open', 'in_progress') AND t.next_response_due_at IS NOT NULL")
            .push(" AND t.next_response_breached_at IS NULL AND t.next_response_due_at < ")
            .push_bind(self.now)
            .push(")) AND NOT ticket_breach_kept(t)");
    }

    /// `SlaBadge::breached()`, as a boolean expression.
    pub fn push_breached(&self, query: &mut QueryBuilder<'_, Postgres>) {
        query.push("(");
        self.push_response_breached(query);
        query.push(" OR ");
        self.push_resolution_breached(query);
        query.push(" OR ");
        self.push_next_response_breached(query);
        query.push(")");
    }

    /// `SlaBadge::due_at` of a running ticket (the next target's due time), as an expression.
    pub fn push_next_due_at(query: &mut QueryBuilder<'_, Postgres>) {
        query.push("CASE WHEN ");
        Self::push_response_is_next(query);
        query.push(" THEN t.response_due_at WHEN ");
        Self::push_next_response_is_next(query);
        query.push(" THEN t.next_response_due_at ELSE t.resolution_due_at END");
    }

    /// `next_target`'s second branch, once the first is excluded (a `CASE`'s later `WHEN`).
    fn push_next_response_is_next(query: &mut QueryBuilder<'_, Postgres>) {
        query.push("t.next_response_risk_at IS NOT NULL AND t.next_response_due_at < t.resolution_due_at");
    }

    /// `SlaBadge::at_risk`, as a boolean expression: a running ticket whose next target is not
    /// recorded as missed, past its risk instant and not yet due (the breaches that are not
    /// recorded are exactly the past due times excluded here).
    pub fn push_at_risk(&self, query: &mut QueryBuilder<'_, Postgres>) {
        query.push("(t.status IN ('open', 'in_progress') AND CASE WHEN ");
        Self::push_response_is_next(query);
        query.push(" THEN t.response_breached_at IS NULL AND t.response_due_at > ");
        query.push_bind(self.now).push(" AND t.response_risk_at < ").push_bind(self.now);
        query.push(" WHEN ");
        Self::push_next_response_is_next(query);
        query.push(
            " THEN t.next_response_breached_at IS NULL AND t.next_response_breaches = 0 AND t.next_response_due_at > ",
        );
        query.push_bind(self.now).push(" AND t.next_response_risk_at < ").push_bind(self.now);
        query.push(" ELSE t.resolution_breached_at IS NULL AND t.resolution_due_at > ");
        query.push_bind(self.now).push(" AND t.resolution_risk_at < ").push_bind(self.now);
        query.push(" END)");
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone as _};

    use super::*;
    use crate::tickets::priority::Priority;
    use crate::tickets::sla::tests::{at as on, change, two_waits};
    use crate::tickets::sla::{self, Change, Grid, Targets};
    use crate::tickets::status::Status;
    use crate::tickets::store::tests::ticket;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, minute, 0).unwrap()
    }

    #[test]
    fn a_running_ticket_approaches_its_response_then_its_resolution() {
        let open = ticket(Status::Open);
        let early = of(&open, at(9, 10));
        assert_eq!((early.clock, early.next, early.due_at), (Clock::Running, Some(Target::Response), Some(at(10, 0))));
        assert!(!early.at_risk && !early.response_breached);
        // 14 minutes left of 60: under a quarter.
        assert!(of(&open, at(9, 46)).at_risk);
        assert!(!of(&open, at(9, 44)).at_risk);
        let late = of(&open, at(10, 1));
        assert!(late.response_breached && !late.at_risk && !late.resolution_breached);

        let answered = Ticket { first_response_at: Some(at(9, 30)), ..open.clone() };
        let next = of(&answered, at(10, 1));
        assert_eq!((next.next, next.due_at), (Some(Target::Resolution), Some(at(17, 0))));
        assert!(!next.response_breached);
        assert!(of(&answered, at(16, 0)).at_risk);
        assert!(of(&answered, at(17, 1)).resolution_breached);
        // Answered late: the breach stays.
        let late_answer = Ticket { first_response_at: Some(at(10, 5)), ..open };
        assert!(of(&late_answer, at(10, 6)).response_breached);
    }

    #[test]
    fn a_next_response_round_comes_next_and_is_missed_once_past_due() {
        let answered = Ticket {
            first_response_at: Some(at(9, 10)),
            next_response_since: Some(at(10, 0)),
            next_response_due_at: Some(at(11, 0)),
            next_response_risk_at: Some(at(10, 45)),
            sla_policy: Some("Billing".into()),
            ..ticket(Status::InProgress)
        };
        let badge = of(&answered, at(10, 30));
        assert_eq!((badge.next, badge.due_at), (Some(Target::NextResponse), Some(at(11, 0))));
        assert_eq!(badge.policy, "Billing");
        assert!(!badge.at_risk && !badge.breached());
        assert!(of(&answered, at(10, 50)).at_risk);
        let late = of(&answered, at(11, 1));
        assert!(late.next_response_breached && late.breached() && !late.at_risk);
        assert_eq!(turns_at(&answered, at(10, 30)), Some(at(10, 45)));
        // A round missed before stays on the badge; a new one is then never "at risk".
        let missed_before = Ticket { next_response_breaches: 1, ..answered.clone() };
        let badge = of(&missed_before, at(10, 50));
        assert!(badge.next_response_breached && !badge.at_risk);
        // Due after the resolution: the resolution comes next.
        let later =
            Ticket { next_response_due_at: Some(at(18, 0)), next_response_risk_at: Some(at(17, 45)), ..answered };
        assert_eq!(of(&later, at(10, 30)).next, Some(Target::Resolution));
        // The fallback policy is named `default`, with no schedule.
        let fallback = of(&ticket(Status::Open), at(9, 10));
        assert_eq!((fallback.policy.as_str(), fallback.schedule_id), (DEFAULT_POLICY, None));
    }

    #[test]
    fn paused_and_stopped_clocks_have_no_due_time_nor_risk() {
        for (status, clock) in [
            (Status::WaitingCustomer, Clock::Paused),
            (Status::Resolved, Clock::Stopped),
            (Status::Closed, Clock::Stopped),
        ] {
            let b = of(&ticket(status), at(23, 0));
            assert_eq!((b.clock, b.next, b.due_at, b.at_risk), (clock, None, None, false), "{status:?}");
            assert!(!b.breached(), "a stopped clock does not breach by itself");
        }
        // A breach recorded earlier stays whatever the status.
        let found = Ticket { resolution_breached_at: Some(at(17, 1)), ..ticket(Status::Resolved) };
        assert!(of(&found, at(18, 0)).resolution_breached);
        // And a recorded breach of the next target is no risk, even before its due time.
        let recorded = Ticket { response_breached_at: Some(at(9, 50)), ..ticket(Status::Open) };
        let badge = of(&recorded, at(9, 50));
        assert!(badge.response_breached && !badge.at_risk);
    }

    /// A ticket created at `created` under `targets` as the writes leave it after `changes` and a
    /// first response `answered`: at each write its due times measured again
    /// (`store::refresh_sla`), and a breach recorded where a running clock stopped past a due
    /// time (`lifecycle::apply`).
    fn written(
        created: DateTime<Utc>,
        targets: Targets,
        changes: &[Change],
        answered: Option<DateTime<Utc>>,
    ) -> Ticket {
        let start = sla::evaluate(created, targets, &[], None, created);
        let mut ticket = Ticket {
            created_at: created,
            response_due_at: start.response_due_at,
            resolution_due_at: start.resolution_due_at,
            response_risk_at: start.response_risk_at,
            resolution_risk_at: start.resolution_risk_at,
            ..ticket(Status::Open)
        };
        let mut writes: Vec<DateTime<Utc>> = changes.iter().map(|c| c.at).chain(answered).collect();
        writes.sort();
        for at in writes {
            let entered: Vec<Change> = changes.iter().filter(|c| c.at <= at).copied().collect();
            let status = entered.last().map_or(Status::Open, |c| c.to);
            if ticket.status.clock_runs() && !status.clock_runs() {
                let missed = breaches(&ticket, at);
                if missed.response && ticket.response_breached_at.is_none() {
                    ticket.response_breached_at = Some(at);
                }
                if missed.resolution && ticket.resolution_breached_at.is_none() {
                    ticket.resolution_breached_at = Some(at);
                }
            }
            ticket.status = status;
            ticket.first_response_at = answered.filter(|answer| *answer <= at);
            let state = sla::evaluate(created, targets, &entered, ticket.first_response_at, at);
            ticket.response_due_at = state.response_due_at;
            ticket.resolution_due_at = state.resolution_due_at;
            ticket.response_risk_at = state.response_risk_at;
            ticket.resolution_risk_at = state.resolution_risk_at;
        }
        ticket
    }

    #[test]
    fn the_clocks_due_times_tell_the_breaches() {
        // 10 minutes to answer and 30 to resolve, with a 5-minute wait.
        let targets = Targets::of_grid(10, 30);
        let changes = [
            change(1, 9, Status::InProgress),
            Change { at: on(1, 9, 2), to: Status::WaitingCustomer },
            Change { at: on(1, 9, 7), to: Status::InProgress },
        ];
        let unanswered = written(on(1, 9, 0), targets, &changes, None);
        assert!(!breaches(&unanswered, on(1, 9, 15)).response);
        assert!(breaches(&unanswered, on(1, 9, 16)).response);
        let answered = written(on(1, 9, 0), targets, &changes, Some(on(1, 9, 14)));
        assert!(!breaches(&answered, on(1, 9, 34)).resolution);
        assert!(breaches(&answered, on(1, 9, 36)).resolution);

        // A fresh ticket: high, 4 h / 1 day.
        let high = Grid::SEED.of(Priority::High);
        let fresh = written(on(1, 9, 0), high, &[], None);
        let missed = |response| Missed { response, resolution: false, next_response: false };
        assert_eq!(breaches(&fresh, on(1, 12, 0)), missed(false));
        assert_eq!(breaches(&fresh, on(1, 13, 1)), missed(true));
    }

    #[test]
    fn waiting_for_the_customer_pauses_the_breaches() {
        // Medium: 24 h / 3 days. Waits for the customer 10:00-12:00 and 13:00-15:00 (4 h).
        let changes = two_waits();
        let medium = Grid::SEED.of(Priority::Medium);
        let ticket = written(on(1, 8, 0), medium, &changes, None);
        assert!(!of(&ticket, on(2, 11, 0)).response_breached, "27 h elapsed, 23 h of them running");
        assert!(of(&ticket, on(2, 12, 1)).response_breached, "24 h 1 min running");
    }

    #[test]
    fn the_first_response_settles_the_response_target() {
        let (created, urgent) = (on(1, 8, 0), Grid::SEED.of(Priority::Urgent));
        let changes = [change(1, 9, Status::InProgress)];
        let answered = of(&written(created, urgent, &changes, Some(on(1, 8, 45))), on(1, 20, 0));
        assert!(!answered.response_breached, "answered within the hour, even though now is much later");
        assert!(answered.resolution_breached, "urgent: 4 h to resolve, 12 h passed");
        let slow = of(&written(created, urgent, &changes, Some(on(1, 9, 30))), on(1, 10, 0));
        assert!(slow.response_breached);
    }

    #[test]
    fn resolved_and_closed_stop_the_breaches_and_reopening_resumes_them() {
        let (created, high) = (on(1, 8, 0), Grid::SEED.of(Priority::High));
        // High: 1 day to resolve. Resolved after 20 h, reopened 2 days later.
        let resolved = [change(1, 9, Status::InProgress), change(2, 4, Status::Resolved)];
        let ticket = written(created, high, &resolved, Some(on(1, 9, 0)));
        assert!(!of(&ticket, on(5, 0, 0)).resolution_breached, "the clock stopped at 20 h");
        let reopened =
            [change(1, 9, Status::InProgress), change(2, 4, Status::Resolved), change(4, 4, Status::InProgress)];
        let ticket = written(created, high, &reopened, Some(on(1, 9, 0)));
        assert!(!of(&ticket, on(4, 7, 0)).resolution_breached, "20 h + 3 h = 23 h running");
        assert!(of(&ticket, on(4, 8, 1)).resolution_breached);
        let urgent = Grid::SEED.of(Priority::Urgent);
        let closed = written(created, urgent, &[change(1, 9, Status::InProgress), change(1, 10, Status::Closed)], None);
        assert!(!of(&closed, on(9, 0, 0)).resolution_breached);
    }

    #[test]
    fn what_time_does_to_a_badge_and_to_a_clocks_account() {
        for status in Status::ALL {
            let ticket = ticket(status);
            let now = at(9, 10);
            let badge = turns(&ticket, now, Shown::Badge);
            let account = turns(&ticket, now, Shown::Account);
            if status.clock_runs() {
                let next = turns_at(&ticket, now).expect("a running clock turns");
                assert_eq!((badge, account), (Turns::At(next), Turns::At(next)), "{status:?}");
            } else {
                assert_eq!((badge, account), (Turns::Never, Turns::Always), "{status:?}");
            }
        }
        let soon = Turns::At(at(10, 0));
        assert_eq!(soon.and(Turns::Never), soon);
        assert_eq!(soon.and(Turns::At(at(9, 0))), Turns::At(at(9, 0)));
        assert_eq!(Turns::Never.and(soon).and(Turns::Always), Turns::Always);
    }

    #[test]
    fn a_target_is_outstanding_while_the_clock_runs_until_met_or_recorded() {
        let open = ticket(Status::Open);
        assert_eq!(outstanding(&open, Target::Response), Some(at(10, 0)));
        assert_eq!(outstanding(&open, Target::Resolution), Some(at(17, 0)));
        let answered = Ticket { first_response_at: Some(at(9, 30)), ..open.clone() };
        assert_eq!(outstanding(&answered, Target::Response), None);
        let recorded =
            Ticket { response_breached_at: Some(at(10, 1)), resolution_breached_at: Some(at(17, 1)), ..open };
        assert_eq!(
            (outstanding(&recorded, Target::Response), outstanding(&recorded, Target::Resolution)),
            (None, None)
        );
        for status in [Status::WaitingCustomer, Status::Resolved, Status::Closed] {
            assert_eq!(outstanding(&ticket(status), Target::Resolution), None, "{status:?}");
        }
    }

    #[test]
    fn a_badge_stays_as_it_is_until_its_next_turn() {
        let answered = Ticket { first_response_at: Some(at(9, 30)), ..ticket(Status::InProgress) };
        let tickets = [ticket(Status::Open), answered, ticket(Status::WaitingCustomer), ticket(Status::Resolved)];
        let mut turns_seen = 0;
        for ticket in &tickets {
            // Every minute from an hour before the ticket to a day after it.
            for minute in -60..24 * 60 {
                let now = at(9, 0) + Duration::minutes(minute);
                let badge = of(ticket, now);
                let Some(turn) = turns_at(ticket, now) else {
                    assert_eq!(of(ticket, now + Duration::days(30)), badge, "{:?} at {now}", ticket.status);
                    continue;
                };
                assert!(turn >= now);
                for probe in
                    [now + (turn - now) / 2, turn - Duration::milliseconds(1)].into_iter().filter(|p| *p >= now)
                {
                    assert_eq!(of(ticket, probe), badge, "{:?} at {probe}, turning at {turn}", ticket.status);
                }
                if of(ticket, turn + Duration::milliseconds(1)) != badge {
                    turns_seen += 1;
                }
            }
        }
        assert!(turns_seen > 0, "some turn changes the badge");
    }
}
