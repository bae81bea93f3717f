//! The SLA clock: targets per priority, each ticket's from the
//! version of its tenant's SLA policy it was created under (`sla_default`); a 24/7 clock that
//! starts at creation, is paused while the ticket waits for the customer, and does not run while
//! the ticket is resolved or closed (a reopened ticket's clock runs on). The response target is
//! met by the first public agent reply. The clock gives each target its due time; whether a
//! target is missed is the badge's rule (`badge`), read from those due times.

use chrono::{DateTime, Duration, Utc};

use super::priority::Priority;
use super::status::{Clock, Status};
use crate::schedules::business::Schedule;

/// Response and resolution targets of one priority, in whole minutes (the SLA policy's unit),
/// and the next-response target of a policy by condition that has one (`sla_by_condition`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub response_minutes: i32,
    pub resolution_minutes: i32,
    pub next_response_minutes: Option<i32>,
}

impl Targets {
    pub fn response(self) -> Duration {
        Duration::minutes(i64::from(self.response_minutes))
    }

    pub fn resolution(self) -> Duration {
        Duration::minutes(i64::from(self.resolution_minutes))
    }

    pub fn next_response(self) -> Option<Duration> {
        self.next_response_minutes.map(|minutes| Duration::minutes(i64::from(minutes)))
    }

    /// The targets of a grid (the versioned policy's, which has no next-response target).
    pub const fn of_grid(response_minutes: i32, resolution_minutes: i32) -> Self {
        Self { response_minutes, resolution_minutes, next_response_minutes: None }
    }
}

/// The targets of each priority: the grid of one version of a tenant's SLA policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    pub low: Targets,
    pub medium: Targets,
    pub high: Targets,
    pub urgent: Targets,
}

impl Grid {
    /// The default grid, every tenant's until an admin changes it: low 48 h / 7 days, medium
    /// 24 h / 3 days, high 4 h / 1 day, urgent 1 h / 4 h.
    pub const SEED: Self = Self {
        low: Targets::of_grid(48 * 60, 7 * 24 * 60),
        medium: Targets::of_grid(24 * 60, 3 * 24 * 60),
        high: Targets::of_grid(4 * 60, 24 * 60),
        urgent: Targets::of_grid(60, 4 * 60),
    };

    pub fn of(&self, priority: Priority) -> Targets {
        match priority {
            Priority::Low => self.low,
            Priority::Medium => self.medium,
            Priority::High => self.high,
            Priority::Urgent => self.urgent,
        }
    }
}

/// A status the ticket entered, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub at: DateTime<Utc>,
    pub to: Status,
}

/// When a ticket's targets are due, as its clock counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaState {
    pub response_due_at: DateTime<Utc>,
    pub resolution_due_at: DateTime<Utc>,
    /// When each target turns at risk: `AT_RISK_PERCENT` of it left, the rest run.
    pub response_risk_at: DateTime<Utc>,
    pub resolution_risk_at: DateTime<Utc>,
    /// Time spent waiting for the customer so far.
    pub paused_seconds: i64,
    pub first_response_at: Option<DateTime<Utc>>,
    /// While a next-response round runs under a target for it: when it is due, and at risk.
    pub next_response_due_at: Option<DateTime<Utc>>,
    pub next_response_risk_at: Option<DateTime<Utc>>,
}

/// A running target is at risk when this share of it or less is left, in percent.
pub const AT_RISK_PERCENT: i32 = 25;

/// The part of `target` run when it turns at risk.
fn until_risk(target: Duration) -> Duration {
    target - target * AT_RISK_PERCENT / 100
}

/// The hours an SLA clock counts: every hour (the seed's 24/7), or a schedule's working hours
/// (`sav::schedules::business`).
#[derive(Debug, Clone, Copy)]
pub enum Hours<'a> {
    Always,
    Working(&'a Schedule),
}

impl Hours<'_> {
    /// The instant `span` of counted time after `start`; the end of time for a schedule that
    /// never opens (a week without hours).
    fn after(self, start: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
        match self {
            Self::Always => start + span,
            Self::Working(schedule) => schedule.after(start, span).unwrap_or(DateTime::<Utc>::MAX_UTC),
        }
    }

    /// Whether these hours are closed at `at` (never, counting every hour).
    pub fn closed_at(self, at: DateTime<Utc>) -> bool {
        match self {
            Self::Always => false,
            Self::Working(schedule) => !schedule.is_open(at),
        }
    }

    /// The counted time in `[from, to)`.
    pub fn within(self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        match self {
            Self::Always => (to - from).max(Duration::zero()),
            Self::Working(schedule) => schedule.open_time(from, to),
        }
    }
}

/// A stretch of time, `[from, to)`.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// The spans of `[created_at, until)` the clock ran (the ticket open or in progress), following
/// `changes` (chronological; the ticket starts `open`), and the time it was paused (waiting for
/// the customer) in that range.
fn running(created_at: DateTime<Utc>, changes: &[Change], until: DateTime<Utc>) -> (Vec<Span>, Duration) {
    let (mut spans, mut waiting) = (Vec::new(), Duration::zero());
    let mut status = Status::Open;
    let mut since = created_at;
    let boundaries = changes.iter().map(|c| (c.at, Some(c.to))).chain(std::iter::once((until, None)));
    for (at, next) in boundaries {
        let end = at.min(until);
        if end > since {
            match status.clock() {
                Clock::Running => spans.push((since, end)),
                Clock::Paused => waiting += end - since,
                Clock::Stopped => {}
            }
            since = end;
        }
        if at >= until {
            break;
        }
        if let Some(next) = next {
            status = next;
        }
    }
    (spans, waiting)
}

/// When a target of `target` counted time is due on a clock that ran `spans` up to `end`: the
/// instant it was reached inside them, or, not reached yet, what is left of it counted on from
/// `end` (as if the clock runs on from there).
fn due(hours: Hours<'_>, spans: &[Span], end: DateTime<Utc>, target: Duration) -> DateTime<Utc> {
    let mut counted = Duration::zero();
    for &(from, to) in spans {
        let here = hours.within(from, to);
        if counted + here >= target {
            return hours.after(from, target - counted);
        }
        counted += here;
    }
    hours.after(end, target - counted)
}

/// The SLA state at `now` of a ticket held to `targets` (its policy version's, for its priority),
/// counted every hour: each target is due once the clock has run it, the time waited or stopped
/// so far added.
pub fn evaluate(
    created_at: DateTime<Utc>,
    targets: Targets,
    changes: &[Change],
    first_response_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> SlaState {
    evaluate_in(
        Hours::Always,
        created_at,
        targets,
        changes,
        Answers { first: first_response_at, awaited_since: None },
        now,
    )
}

/// What the staff's public replies did to a ticket's clocks: the first one, which met the
/// response target, and since when a customer message waits for the next one (a
/// next-response round, `None` when none runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Answers {
    pub first: Option<DateTime<Utc>>,
    pub awaited_since: Option<DateTime<Utc>>,
}

/// `evaluate`, the targets counted in `hours`: each is due once the clock has run that much of
/// them, in those hours.
/// A next-response round (from `answers.awaited_since`, under `targets.next_response`) is due
/// once the clock has run that much of it since the round began.
pub fn evaluate_in(
    hours: Hours<'_>,
    created_at: DateTime<Utc>,
    targets: Targets,
    changes: &[Change],
    answers: Answers,
    now: DateTime<Utc>,
) -> SlaState {
    let first_response_at = answers.first;
    let (spans, waiting) = running(created_at, changes, now);
    let round = answers.awaited_since.zip(targets.next_response()).map(|(since, target)| {
        let spans: Vec<Span> =
            spans.iter().filter(|(_, to)| *to > since).map(|&(from, to)| (from.max(since), to)).collect();
        let end = now.max(since);
        (due(hours, &spans, end, target), due(hours, &spans, end, until_risk(target)))
    });
    // The response clock runs until the first response (or now).
    let response_end = first_response_at.map_or(now, |at| at.min(now));
    let (response_spans, _) = running(created_at, changes, response_end);
    SlaState {
        response_due_at: due(hours, &response_spans, response_end, targets.response()),
        resolution_due_at: due(hours, &spans, now, targets.resolution()),
        response_risk_at: due(hours, &response_spans, response_end, until_risk(targets.response())),
        resolution_risk_at: due(hours, &spans, now, until_risk(targets.resolution())),
        paused_seconds: waiting.num_seconds(),
        first_response_at,
        next_response_due_at: round.map(|(due_at, _)| due_at),
        next_response_risk_at: round.map(|(_, risk_at)| risk_at),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use chrono::TimeZone as _;

    use super::*;

    /// An instant in March 2026.
    pub(in crate::tickets) fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, minute, 0).unwrap()
    }

    pub(in crate::tickets) fn change(day: u32, hour: u32, to: Status) -> Change {
        Change { at: at(day, hour, 0), to }
    }

    /// In progress from 9:00 on the 1st, waiting for the customer 10:00-12:00 and 13:00-15:00
    /// (4 h in all).
    pub(in crate::tickets) fn two_waits() -> [Change; 5] {
        [
            change(1, 9, Status::InProgress),
            change(1, 10, Status::WaitingCustomer),
            change(1, 12, Status::InProgress),
            change(1, 13, Status::WaitingCustomer),
            change(1, 15, Status::InProgress),
        ]
    }

    fn seed(priority: Priority) -> Targets {
        Grid::SEED.of(priority)
    }

    #[test]
    fn the_seed_grid() {
        let hours = |p: Priority| (seed(p).response(), seed(p).resolution());
        assert_eq!(hours(Priority::Low), (Duration::hours(48), Duration::days(7)));
        assert_eq!(hours(Priority::Medium), (Duration::hours(24), Duration::days(3)));
        assert_eq!(hours(Priority::High), (Duration::hours(4), Duration::days(1)));
        assert_eq!(hours(Priority::Urgent), (Duration::hours(1), Duration::hours(4)));
    }

    #[test]
    fn the_targets_given_are_the_ones_held_to() {
        // A policy of 10 minutes to answer and 30 to resolve, with a 5-minute wait.
        let targets = Targets::of_grid(10, 30);
        let changes = [change(1, 9, Status::InProgress)];
        let waits = [
            Change { at: at(1, 9, 2), to: Status::WaitingCustomer },
            Change { at: at(1, 9, 7), to: Status::InProgress },
        ];
        let all: Vec<Change> = changes.iter().chain(&waits).copied().collect();
        let state = evaluate(at(1, 9, 0), targets, &all, None, at(1, 9, 15));
        assert_eq!(state.response_due_at, at(1, 9, 15), "10 min + 5 min paused");
        assert_eq!(state.resolution_due_at, at(1, 9, 35), "30 min + 5 min paused");
        // Answered before its due time, the response's is the same.
        let answered = evaluate(at(1, 9, 0), targets, &all, Some(at(1, 9, 14)), at(1, 9, 36));
        assert_eq!((answered.response_due_at, answered.resolution_due_at), (at(1, 9, 15), at(1, 9, 35)));
    }

    #[test]
    fn a_fresh_ticket() {
        let state = evaluate(at(1, 9, 0), seed(Priority::High), &[], None, at(1, 12, 0));
        assert_eq!(state.response_due_at, at(1, 13, 0));
        assert_eq!(state.resolution_due_at, at(2, 9, 0));
        // At risk with a quarter of each target left.
        assert_eq!((state.response_risk_at, state.resolution_risk_at), (at(1, 12, 0), at(2, 3, 0)));
        assert_eq!(state.paused_seconds, 0);
        assert_eq!(
            evaluate(at(1, 9, 0), seed(Priority::High), &[], None, at(1, 13, 1)),
            state,
            "a running clock's due times stay"
        );
    }

    #[test]
    fn several_waiting_periods_pause_the_clock() {
        // Medium: 24 h / 3 days. Waits for the customer 10:00-12:00 and 13:00-15:00 (4 h).
        let changes = two_waits();
        let created = at(1, 8, 0);
        let state = evaluate(created, seed(Priority::Medium), &changes, None, at(2, 11, 0));
        assert_eq!(state.paused_seconds, 4 * 3600);
        assert_eq!(state.response_due_at, at(2, 12, 0), "24 h + 4 h paused");
        assert_eq!(state.resolution_due_at, at(4, 12, 0), "3 days + 4 h paused");

        // While waiting, due dates move with the clock.
        let waiting = evaluate(created, seed(Priority::Medium), &changes[..4], None, at(1, 20, 0));
        assert_eq!(waiting.paused_seconds, 2 * 3600 + 7 * 3600);
        assert_eq!(waiting.resolution_due_at, created + Duration::days(3) + Duration::hours(9));
    }

    #[test]
    fn the_first_response_fixes_the_response_clock() {
        let created = at(1, 8, 0);
        let changes = [change(1, 9, Status::InProgress)];
        let answered = evaluate(created, seed(Priority::Urgent), &changes, Some(at(1, 8, 45)), at(1, 20, 0));
        assert_eq!(answered.response_due_at, at(1, 9, 0));
        assert_eq!(answered.first_response_at, Some(at(1, 8, 45)));
    }

    #[test]
    fn a_target_missed_stays_due_when_it_was_missed() {
        // Urgent: 1 h to answer. Running from 8:00, waiting 10:00-12:00, unanswered at 13:00:
        // missed at 9:00, whatever the wait after it.
        let changes = [
            change(1, 9, Status::InProgress),
            change(1, 10, Status::WaitingCustomer),
            change(1, 12, Status::InProgress),
        ];
        let state = evaluate(at(1, 8, 0), seed(Priority::Urgent), &changes, None, at(1, 13, 0));
        assert_eq!(state.response_due_at, at(1, 9, 0));
        assert_eq!(state.paused_seconds, 2 * 3600);
    }

    #[test]
    fn targets_count_in_a_schedules_working_hours() {
        use crate::schedules::business::Schedule;
        let nine_to_five = vec![(9 * 60, 17 * 60)];
        let week = [
            nine_to_five.clone(),
            nine_to_five.clone(),
            nine_to_five.clone(),
            nine_to_five.clone(),
            nine_to_five,
            Vec::new(),
            Vec::new(),
        ];
        let paris = Schedule::new("Europe/Paris", week, []).unwrap();
        let hours = Hours::Working(&paris);
        let targets = Targets::of_grid(4 * 60, 16 * 60);
        // Friday 2026-11-27 at 16:00 in Paris (UTC+1).
        let friday = Utc.with_ymd_and_hms(2026, 11, 27, 15, 0, 0).unwrap();
        let monday = |hour: u32, minute: u32| Utc.with_ymd_and_hms(2026, 11, 30, hour - 1, minute, 0).unwrap();
        let fresh = evaluate_in(hours, friday, targets, &[], Answers::default(), friday);
        assert_eq!(fresh.response_due_at, monday(12, 0), "one hour on Friday, three on Monday");
        // At risk with a quarter of it left in working hours: from Monday 11:00, not Friday night.
        assert_eq!(fresh.response_risk_at, monday(11, 0));
        assert_eq!(fresh.resolution_due_at, Utc.with_ymd_and_hms(2026, 12, 1, 15, 0, 0).unwrap(), "1 + 8 + 7 hours");

        // In progress at once, waiting for the customer from 16:30 to Monday 10:00: half an hour
        // counted on Friday, three and a half left from Monday 10:00.
        let changes = [
            Change { at: friday, to: Status::InProgress },
            Change { at: friday + Duration::minutes(30), to: Status::WaitingCustomer },
            Change { at: monday(10, 0), to: Status::InProgress },
        ];
        let resumed = evaluate_in(hours, friday, targets, &changes, Answers::default(), monday(10, 0));
        assert_eq!(resumed.response_due_at, monday(13, 30));
        assert_eq!(resumed.paused_seconds, (monday(10, 0) - friday - Duration::minutes(30)).num_seconds());

        // Open all week in UTC, it is the clock counting every hour.
        let always = Schedule::new("UTC", std::array::from_fn(|_| vec![(0, 24 * 60)]), []).unwrap();
        let created = at(1, 8, 0);
        for (changes, response) in [(&two_waits()[..], None), (&two_waits()[..3], Some(at(1, 14, 0)))] {
            for now in [at(1, 9, 30), at(1, 11, 0), at(2, 18, 0)] {
                assert_eq!(
                    evaluate_in(
                        Hours::Working(&always),
                        created,
                        seed(Priority::High),
                        changes,
                        Answers { first: response, awaited_since: None },
                        now
                    ),
                    evaluate(created, seed(Priority::High), changes, response, now)
                );
            }
        }
    }

    #[test]
    fn a_next_response_round_counts_from_the_customer_message_in_working_hours() {
        use crate::schedules::business::Schedule;
        let nine_to_five: [Vec<(u16, u16)>; 7] =
            std::array::from_fn(|day| if day < 5 { vec![(9 * 60, 17 * 60)] } else { Vec::new() });
        let paris = Schedule::new("Europe/Paris", nine_to_five, []).unwrap();
        let targets = Targets { next_response_minutes: Some(60), ..Targets::of_grid(4 * 60, 16 * 60) };
        // Created Thursday 2026-11-26 10:00 Paris, answered at 11:00; the customer writes back
        // Friday at 16:30: half an hour on Friday, half an hour on Monday.
        let paris_time =
            |day: u32, hour: u32, minute: u32| Utc.with_ymd_and_hms(2026, 11, day, hour - 1, minute, 0).unwrap();
        let created = paris_time(26, 10, 0);
        let changes = [Change { at: created, to: Status::InProgress }];
        let answers = Answers { first: Some(paris_time(26, 11, 0)), awaited_since: Some(paris_time(27, 16, 30)) };
        let state = evaluate_in(Hours::Working(&paris), created, targets, &changes, answers, paris_time(27, 16, 30));
        assert_eq!(state.next_response_due_at, Some(paris_time(30, 9, 30)));
        assert_eq!(state.next_response_risk_at, Some(paris_time(30, 9, 15)), "a quarter of an hour left");
        // Counted every hour, with a wait for the customer inside the round: the wait is added.
        let waits = [
            Change { at: created, to: Status::InProgress },
            Change { at: paris_time(27, 16, 40), to: Status::WaitingCustomer },
            Change { at: paris_time(27, 17, 10), to: Status::InProgress },
        ];
        let always = evaluate_in(Hours::Always, created, targets, &waits, answers, paris_time(27, 17, 10));
        assert_eq!(always.next_response_due_at, Some(paris_time(27, 18, 0)));
        // No round, or no target for one: nothing is due.
        let none = Answers { awaited_since: None, ..answers };
        assert_eq!(
            evaluate_in(Hours::Always, created, targets, &changes, none, paris_time(27, 17, 0)).next_response_due_at,
            None
        );
        let untargeted = Targets::of_grid(4 * 60, 16 * 60);
        assert_eq!(
            evaluate_in(Hours::Always, created, untargeted, &changes, answers, paris_time(27, 17, 0))
                .next_response_due_at,
            None
        );
    }

    #[test]
    fn resolved_and_closed_stop_the_clock_and_reopening_resumes_it() {
        let created = at(1, 8, 0);
        // High: 1 day to resolve. Resolved after 20 h, reopened 2 days later.
        let resolved = [change(1, 9, Status::InProgress), change(2, 4, Status::Resolved)];
        let state = evaluate(created, seed(Priority::High), &resolved, Some(at(1, 9, 0)), at(5, 0, 0));
        assert_eq!(state.resolution_due_at, at(5, 4, 0), "1 day + 2 days 20 h stopped so far");
        let reopened =
            [change(1, 9, Status::InProgress), change(2, 4, Status::Resolved), change(4, 4, Status::InProgress)];
        let state = evaluate(created, seed(Priority::High), &reopened, Some(at(1, 9, 0)), at(4, 7, 0));
        assert_eq!(state.resolution_due_at, at(4, 8, 0), "1 day + 48 h stopped");
        assert_eq!(state.paused_seconds, 0, "stopped is not waiting");
    }
}
