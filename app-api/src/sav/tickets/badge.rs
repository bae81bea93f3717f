//! Where a ticket stands against its SLA: the one rule, in Rust for the answers and in SQL for
//! the filters and the summary, side by side so they are changed together (a database test
//! checks them against each other). Which clock runs, the next target and when it is due,
//! breaches, and "at risk" (under `AT_RISK_PERCENT` of the next target left). Read from the
//! ticket's stored due times, which every change keeps current, and its recorded breaches,
//! which are never cleared: a breach stays on the badge whatever the ticket does next.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Postgres, QueryBuilder};
use utoipa::ToSchema;

use super::sla::Targets;
use super::status::Status;
use super::store::Ticket;

/// A running ticket is at risk when less than this share of its next target is left, in percent.
pub const AT_RISK_PERCENT: i32 = 25;

/// Which SLA clock a ticket's state runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Open or in progress: the targets approach.
    Running,
    /// Waiting for the customer: the clock is stopped until they answer.
    Paused,
    /// Resolved or closed.
    Stopped,
}

/// Which target comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Response,
    Resolution,
}

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
    /// Running, the next target not missed yet, and less than a quarter of it left.
    pub at_risk: bool,
}

impl SlaBadge {
    pub fn breached(&self) -> bool {
        self.response_breached || self.resolution_breached
    }
}

/// The badge of `ticket`, held to `targets` (its priority's, in its policy version), at `now`.
pub fn of(ticket: &Ticket, targets: Targets, now: DateTime<Utc>) -> SlaBadge {
    let clock = match ticket.status {
        Status::Open | Status::InProgress => Clock::Running,
        Status::WaitingCustomer => Clock::Paused,
        Status::Resolved | Status::Closed => Clock::Stopped,
    };
    let running = clock == Clock::Running;
    let (response_breached, resolution_breached) = breaches(ticket, now);
    let (next, due_at, target, breached) = if response_is_next(ticket) {
        (Target::Response, ticket.response_due_at, targets.response(), response_breached)
    } else {
        (Target::Resolution, ticket.resolution_due_at, targets.resolution(), resolution_breached)
    };
    let at_risk = running && !breached && due_at > now && (due_at - now) * 100 < target * AT_RISK_PERCENT;
    SlaBadge {
        clock,
        next: running.then_some(next),
        due_at: running.then_some(due_at),
        response_breached,
        resolution_breached,
        at_risk,
    }
}

/// The first instant from `now` on after which `of` may answer otherwise with nothing written:
/// while the clock runs, when a target turns at risk or is missed; `None` when nothing turns (a
/// clock paused or stopped, or every turn passed). The badge at any instant before it is the
/// badge at `now`; it may be a turn that changes nothing.
pub fn turns_at(ticket: &Ticket, targets: Targets, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if !ticket.status.clock_runs() {
        return None;
    }
    // At risk once less than AT_RISK_PERCENT of the target is left, missed once past due.
    let risk = |due: DateTime<Utc>, target: chrono::Duration| due - target * AT_RISK_PERCENT / 100;
    let mut turns = vec![risk(ticket.resolution_due_at, targets.resolution()), ticket.resolution_due_at];
    if ticket.first_response_at.is_none() {
        turns.extend([risk(ticket.response_due_at, targets.response()), ticket.response_due_at]);
    }
    turns.into_iter().filter(|at| *at >= now).min()
}

/// Whether the response and the resolution targets are missed: recorded, answered late, or past
/// due while the clock runs.
pub fn breaches(ticket: &Ticket, now: DateTime<Utc>) -> (bool, bool) {
    let running = ticket.status.clock_runs();
    let response = ticket.response_breached_at.is_some()
        || ticket.first_response_at.map_or(running && now > ticket.response_due_at, |at| at > ticket.response_due_at);
    let resolution = ticket.resolution_breached_at.is_some() || (running && now > ticket.resolution_due_at);
    (response, resolution)
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

    /// `SlaBadge::resolution_breached`, as a boolean expression.
    pub fn push_resolution_breached(&self, query: &mut QueryBuilder<'_, Postgres>) {
        query
            .push("(t.resolution_breached_at IS NOT NULL OR (t.status IN ('open', 'in_progress') AND t.resolution_due_at < ")
            .push_bind(self.now)
            .push("))");
    }

    /// `SlaBadge::breached()`, as a boolean expression.
    pub fn push_breached(&self, query: &mut QueryBuilder<'_, Postgres>) {
        query.push("(");
        self.push_response_breached(query);
        query.push(" OR ");
        self.push_resolution_breached(query);
        query.push(")");
    }

    /// `SlaBadge::due_at` of a running ticket (the next target's due time), as an expression.
    pub fn push_next_due_at(query: &mut QueryBuilder<'_, Postgres>) {
        query.push("CASE WHEN ");
        Self::push_response_is_next(query);
        query.push(" THEN t.response_due_at ELSE t.resolution_due_at END");
    }

    /// `SlaBadge::at_risk`, as a boolean expression: a running ticket whose next target is not
    /// recorded as missed and is ahead by less than `AT_RISK_PERCENT` of its minutes (the
    /// breaches that are not recorded are exactly the past due times excluded here).
    pub fn push_at_risk(&self, query: &mut QueryBuilder<'_, Postgres>) {
        let share_secs = |query: &mut QueryBuilder<'_, Postgres>, minutes: &str| {
            query
                .push(format!(" < make_interval(secs => {minutes} * 60 * "))
                .push_bind(AT_RISK_PERCENT)
                .push(" / 100.0)");
        };
        query.push("(t.status IN ('open', 'in_progress') AND CASE WHEN ");
        Self::push_response_is_next(query);
        query.push(" THEN t.response_breached_at IS NULL AND t.response_due_at > ");
        query.push_bind(self.now).push(" AND t.response_due_at - ").push_bind(self.now);
        share_secs(query, "p.response_minutes");
        query.push(" ELSE t.resolution_breached_at IS NULL AND t.resolution_due_at > ");
        query.push_bind(self.now).push(" AND t.resolution_due_at - ").push_bind(self.now);
        share_secs(query, "p.resolution_minutes");
        query.push(" END)");
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone as _};
    use uuid::Uuid;

    use super::*;
    use crate::sav::tickets::priority::Priority;

    const TARGETS: Targets = Targets { response_minutes: 60, resolution_minutes: 480 };

    fn ticket(status: Status) -> Ticket {
        let created = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        Ticket {
            id: 1,
            ticket_number: "TKT-00000001".into(),
            user_id: Uuid::nil(),
            subject: String::new(),
            description: String::new(),
            priority: Priority::Medium,
            status,
            category: None,
            assigned_to: None,
            order_id: None,
            metadata: serde_json::Value::Null,
            response_due_at: created + Duration::minutes(60),
            resolution_due_at: created + Duration::minutes(480),
            first_response_at: None,
            response_breached_at: None,
            resolution_breached_at: None,
            resolved_at: None,
            closed_at: None,
            auto_close_at: None,
            created_at: created,
            updated_at: created,
            sla_version_id: 1,
        }
    }

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, minute, 0).unwrap()
    }

    #[test]
    fn a_running_ticket_approaches_its_response_then_its_resolution() {
        let open = ticket(Status::Open);
        let early = of(&open, TARGETS, at(9, 10));
        assert_eq!((early.clock, early.next, early.due_at), (Clock::Running, Some(Target::Response), Some(at(10, 0))));
        assert!(!early.at_risk && !early.response_breached);
        // 14 minutes left of 60: under a quarter.
        assert!(of(&open, TARGETS, at(9, 46)).at_risk);
        assert!(!of(&open, TARGETS, at(9, 44)).at_risk);
        let late = of(&open, TARGETS, at(10, 1));
        assert!(late.response_breached && !late.at_risk && !late.resolution_breached);

        let answered = Ticket { first_response_at: Some(at(9, 30)), ..open.clone() };
        let next = of(&answered, TARGETS, at(10, 1));
        assert_eq!((next.next, next.due_at), (Some(Target::Resolution), Some(at(17, 0))));
        assert!(!next.response_breached);
        assert!(of(&answered, TARGETS, at(16, 0)).at_risk);
        assert!(of(&answered, TARGETS, at(17, 1)).resolution_breached);
        // Answered late: the breach stays.
        let late_answer = Ticket { first_response_at: Some(at(10, 5)), ..open };
        assert!(of(&late_answer, TARGETS, at(10, 6)).response_breached);
    }

    #[test]
    fn paused_and_stopped_clocks_have_no_due_time_nor_risk() {
        for (status, clock) in [
            (Status::WaitingCustomer, Clock::Paused),
            (Status::Resolved, Clock::Stopped),
            (Status::Closed, Clock::Stopped),
        ] {
            let b = of(&ticket(status), TARGETS, at(23, 0));
            assert_eq!((b.clock, b.next, b.due_at, b.at_risk), (clock, None, None, false), "{status:?}");
            assert!(!b.breached(), "a stopped clock does not breach by itself");
        }
        // A breach recorded earlier stays whatever the status.
        let found = Ticket { resolution_breached_at: Some(at(17, 1)), ..ticket(Status::Resolved) };
        assert!(of(&found, TARGETS, at(18, 0)).resolution_breached);
        // And a recorded breach of the next target is no risk, even before its due time.
        let recorded = Ticket { response_breached_at: Some(at(9, 50)), ..ticket(Status::Open) };
        let badge = of(&recorded, TARGETS, at(9, 50));
        assert!(badge.response_breached && !badge.at_risk);
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
                let badge = of(ticket, TARGETS, now);
                let Some(turn) = turns_at(ticket, TARGETS, now) else {
                    assert_eq!(of(ticket, TARGETS, now + Duration::days(30)), badge, "{:?} at {now}", ticket.status);
                    continue;
                };
                assert!(turn >= now);
                for probe in
                    [now + (turn - now) / 2, turn - Duration::milliseconds(1)].into_iter().filter(|p| *p >= now)
                {
                    assert_eq!(of(ticket, TARGETS, probe), badge, "{:?} at {probe}, turning at {turn}", ticket.status);
                }
                if of(ticket, TARGETS, turn + Duration::milliseconds(1)) != badge {
                    turns_seen += 1;
                }
            }
        }
        assert!(turns_seen > 0, "some turn changes the badge");
    }
}
