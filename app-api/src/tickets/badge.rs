//! Where a ticket stands against its SLA at a glance, for lists: which clock runs, the next due
//! time while it runs, breaches, and "at risk" (under a quarter of the target left, the rule of
//! the SLA summary). Read from the ticket's stored due times, which every change keeps current,
//! so a list needs no history; `GET /v1/tickets/{id}` gives the full account.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::sla::Targets;
use super::status::Status;

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
    pub response_breached: bool,
    pub resolution_breached: bool,
    /// The next target is not breached yet but less than a quarter of it is left.
    pub at_risk: bool,
}

/// What the badge is computed from: the ticket's stored SLA columns.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub status: Status,
    pub response_due_at: DateTime<Utc>,
    pub resolution_due_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    /// When the jobs found each target breached (never cleared).
    pub response_breached_at: Option<DateTime<Utc>>,
    pub resolution_breached_at: Option<DateTime<Utc>>,
    pub targets: Targets,
}

pub fn badge(s: Standing, now: DateTime<Utc>) -> SlaBadge {
    let clock = match s.status {
        Status::Open | Status::InProgress => Clock::Running,
        Status::WaitingCustomer => Clock::Paused,
        Status::Resolved | Status::Closed => Clock::Stopped,
    };
    let running = clock == Clock::Running;
    let response_breached = s.response_breached_at.is_some()
        || s.first_response_at.map_or(running && now > s.response_due_at, |at| at > s.response_due_at);
    let resolution_breached = s.resolution_breached_at.is_some() || (running && now > s.resolution_due_at);
    let (next, due_at, target, breached) = if s.first_response_at.is_none() && s.response_due_at < s.resolution_due_at {
        (Target::Response, s.response_due_at, s.targets.response(), response_breached)
    } else {
        (Target::Resolution, s.resolution_due_at, s.targets.resolution(), resolution_breached)
    };
    let at_risk = running && !breached && due_at > now && (due_at - now) * 4 < target;
    SlaBadge {
        clock,
        next: running.then_some(next),
        due_at: running.then_some(due_at),
        response_breached,
        resolution_breached,
        at_risk,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone as _};

    use super::*;

    fn standing(status: Status) -> Standing {
        let created = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        Standing {
            status,
            response_due_at: created + Duration::minutes(60),
            resolution_due_at: created + Duration::minutes(480),
            first_response_at: None,
            response_breached_at: None,
            resolution_breached_at: None,
            targets: Targets { response_minutes: 60, resolution_minutes: 480 },
        }
    }

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, minute, 0).unwrap()
    }

    #[test]
    fn a_running_ticket_approaches_its_response_then_its_resolution() {
        let open = standing(Status::Open);
        let early = badge(open, at(9, 10));
        assert_eq!((early.clock, early.next, early.due_at), (Clock::Running, Some(Target::Response), Some(at(10, 0))));
        assert!(!early.at_risk && !early.response_breached);
        // 14 minutes left of 60: under a quarter.
        assert!(badge(open, at(9, 46)).at_risk);
        assert!(!badge(open, at(9, 44)).at_risk);
        let late = badge(open, at(10, 1));
        assert!(late.response_breached && !late.at_risk && !late.resolution_breached);

        let answered = Standing { first_response_at: Some(at(9, 30)), ..open };
        let next = badge(answered, at(10, 1));
        assert_eq!((next.next, next.due_at), (Some(Target::Resolution), Some(at(17, 0))));
        assert!(!next.response_breached);
        assert!(badge(answered, at(16, 0)).at_risk);
        assert!(badge(answered, at(17, 1)).resolution_breached);
        // Answered late: the breach stays.
        assert!(badge(Standing { first_response_at: Some(at(10, 5)), ..open }, at(10, 6)).response_breached);
    }

    #[test]
    fn paused_and_stopped_clocks_have_no_due_time_nor_risk() {
        for (status, clock) in [
            (Status::WaitingCustomer, Clock::Paused),
            (Status::Resolved, Clock::Stopped),
            (Status::Closed, Clock::Stopped),
        ] {
            let b = badge(standing(status), at(23, 0));
            assert_eq!((b.clock, b.next, b.due_at, b.at_risk), (clock, None, None, false), "{status:?}");
            assert!(!b.response_breached && !b.resolution_breached, "a stopped clock does not breach by itself");
        }
        // A breach found earlier is kept whatever the status.
        let found = Standing { resolution_breached_at: Some(at(17, 1)), ..standing(Status::Resolved) };
        assert!(badge(found, at(18, 0)).resolution_breached);
    }
}
