//! What a change does to a ticket, as plain functions over the ticket in memory: the state
//! machine's checks, the side effects (`resolved_at`, `closed_at`, the assignee, the first
//! response, breaches recorded when a clock stops past its due time), the history entry and the
//! events. No I/O: `write` loads, locks, saves, records and announces around them.

use base::FieldError;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::badge::{self, Target};
use super::events::{Event, SenderType, SlaType};
use super::history::{Action, Entry, SystemPart};
use super::moves::{self, Caller, Plan, Refusal, State};
use super::priority::Priority;
use super::refusal::Refused;
use super::sla::Targets;
use super::status::{self, Actor, Status};
use super::store::{self, Ticket};
use super::tags;

use crate::ids::{OrganizationId, RuleId, TeamId, TicketId, UserId};

/// Who makes a change: a person (with the part they play) or the system (and which part of it).
#[derive(Debug, Clone, Copy)]
pub struct Acting {
    pub by: Option<UserId>,
    pub actor: Actor,
    pub system: Option<SystemPart>,
    /// The rule whose run made the change (`sav::rules`).
    pub rule: Option<RuleId>,
}

impl Acting {
    pub const SYSTEM: Self = Self { by: None, actor: Actor::System, system: None, rule: None };
    /// Automatic assignment (`sav::routing`).
    pub const ROUTING: Self = Self { by: None, actor: Actor::System, system: Some(SystemPart::Routing), rule: None };

    /// A person, from the side `actor` of the state machine.
    pub fn person(by: UserId, actor: Actor) -> Self {
        Self { by: Some(by), actor, system: None, rule: None }
    }

    /// Rule `id` of the tenant's: it acts with an agent's rights, as nobody.
    pub fn rule(id: RuleId) -> Self {
        Self { by: None, actor: Actor::Agent, system: Some(SystemPart::Rule), rule: Some(id) }
    }

    /// Who makes the change, to the rules of `moves`: a rule is an agent that is nobody.
    pub fn caller(self) -> Caller {
        Caller { id: self.by.unwrap_or(UserId::NOBODY), actor: self.actor }
    }
}

impl State {
    pub fn of(ticket: &Ticket) -> Self {
        Self { status: ticket.status, assignee: ticket.assigned_to, resolved: ticket.resolved_at.is_some() }
    }
}

/// Why the rules refuse an action; a refused move lists what the caller may do instead.
pub fn refused(refusal: &Refusal, ticket: &Ticket, caller: Caller) -> Refused {
    match refusal {
        Refusal::Closed => Refused::Closed(ticket.ticket_number.clone()),
        Refusal::Transition(err) => Refused::Transition {
            detail: err.to_string(),
            allowed: moves::allowed_statuses(&State::of(ticket), caller),
        },
        Refusal::KeepsAssignee(status) => Refused::Assignee(format!(
            "a ticket that is {} keeps someone on it: assign it to someone else instead",
            status.as_str()
        )),
        Refusal::NeedsAssignee => Refused::Assignee("assign the ticket to someone to start it".to_owned()),
    }
}

/// What one change did: the history entry to record, the events to announce, and whether the
/// SLA clock's inputs changed (status, priority, first response), so the due dates move.
#[derive(Debug)]
pub struct Applied {
    pub entry: Entry,
    pub events: Vec<Event>,
    pub clock_moved: bool,
}

fn entry(ticket: &Ticket, acting: Acting, action: Action, now: DateTime<Utc>) -> Entry {
    Entry {
        ticket_id: ticket.id,
        actor_id: acting.by.map(|person| person.0),
        actor: acting.actor,
        system: acting.system,
        rule_id: acting.rule,
        action,
        from: None,
        to: None,
        reason: None,
        changes: json!({}),
        at: now,
    }
}

/// Applies a checked `plan` (from `moves`) to `ticket`: its side effects, its entry and events.
pub fn apply(
    ticket: &mut Ticket,
    plan: Plan,
    reason: Option<String>,
    acting: Acting,
    action: Action,
    now: DateTime<Utc>,
) -> Result<Applied, Refused> {
    let from = ticket.status;
    let moves = plan.to != from;
    let after = moves::settle(State::of(ticket), plan);
    if let Some(broken) = moves::invariant_breaks(&after) {
        return Err(Refused::Broken(ticket.id, broken.to_string()));
    }
    // Between open and in progress the clock runs on and nothing waits to close: the due dates
    // and the auto-close time stay where they are, nothing to measure again.
    let clock_moved = moves && !(from.clock_runs() && after.status.clock_runs());
    let mut applied = Applied { entry: entry(ticket, acting, action, now), events: Vec::new(), clock_moved };
    let previous_assignee = ticket.assigned_to;
    if after.assignee != previous_assignee {
        applied.entry.changes = json!({ "assigned_to": [previous_assignee, after.assignee] });
        ticket.assigned_to = after.assignee;
    }
    if moves {
        if from.clock_runs() && !after.status.clock_runs() {
            record_missed(ticket, now);
        }
        ticket.status = after.status;
        if after.status == Status::Closed {
            ticket.closed_at = Some(now);
        }
        if from == Status::Resolved && !matches!(after.status, Status::Resolved | Status::Closed) {
            ticket.reopens += 1;
        }
        if !after.resolved {
            ticket.resolved_at = None;
        } else if from != Status::Resolved && after.status == Status::Resolved {
            ticket.resolved_at = Some(now);
        }
        applied.entry.from = Some(from);
        applied.entry.to = Some(after.status);
        applied.entry.reason.clone_from(&reason);
    }
    ticket.updated_at = now;

    if ticket.assigned_to != previous_assignee {
        applied.events.push(Event::TicketAssigned {
            ticket_id: ticket.id,
            ticket_number: ticket.ticket_number.clone(),
            assigned_to: ticket.assigned_to,
            assigned_by: acting.by,
            previous_status: from,
            new_status: ticket.status,
        });
    }
    if moves {
        applied.events.push(Event::TicketStatusChanged {
            ticket_id: ticket.id,
            ticket_number: ticket.ticket_number.clone(),
            user_id: ticket.user_id,
            previous_status: from,
            new_status: ticket.status,
            changed_by: acting.by,
            reason,
        });
    }
    if moves && ticket.status == Status::Resolved {
        let missed = badge::breaches(ticket, now);
        applied.events.push(Event::TicketResolved {
            ticket_id: ticket.id,
            ticket_number: ticket.ticket_number.clone(),
            user_id: ticket.user_id,
            resolved_by: acting.by,
            resolution_time_minutes: (now - ticket.created_at).num_minutes(),
            sla_met: !missed.any(),
            category: ticket.category.clone(),
        });
    }
    Ok(applied)
}

/// A running clock stops (waiting for the customer, resolved, closed) past a due time the jobs
/// have not reached yet: the breach is recorded now, as they would have, so it stays on the badge.
fn record_missed(ticket: &mut Ticket, now: DateTime<Utc>) {
    let missed = badge::breaches(ticket, now);
    if missed.response && ticket.response_breached_at.is_none() {
        ticket.response_breached_at = Some(now);
    }
    if missed.resolution && ticket.resolution_breached_at.is_none() {
        ticket.resolution_breached_at = Some(now);
    }
    if badge::outstanding(ticket, Target::NextResponse).is_some_and(|due| due < now) {
        ticket.next_response_breached_at = Some(now);
        ticket.next_response_breaches += 1;
    }
}

/// Staff assign the ticket to someone, or unassign it. `None`: nothing to do.
pub fn assign(
    ticket: &mut Ticket,
    to: Option<UserId>,
    by: Caller,
    now: DateTime<Utc>,
) -> Result<Option<Applied>, Refused> {
    assign_as(ticket, to, Acting::person(by.id, by.actor), now)
}

/// `assign`, by whoever `acting` is.
pub fn assign_as(
    ticket: &mut Ticket,
    to: Option<UserId>,
    acting: Acting,
    now: DateTime<Utc>,
) -> Result<Option<Applied>, Refused> {
    let plan = moves::assign(&State::of(ticket), to).map_err(|refusal| refused(&refusal, ticket, acting.caller()))?;
    plan.map(|plan| apply(ticket, plan, None, acting, Action::Assigned, now)).transpose()
}

/// Routing gives the ticket to `to` (a member of its team it chose). `None`: nothing to do.
pub fn route(ticket: &mut Ticket, to: UserId, now: DateTime<Utc>) -> Result<Option<Applied>, Refused> {
    let system = Caller { id: UserId::NOBODY, actor: Actor::System };
    let plan = moves::assign(&State::of(ticket), Some(to)).map_err(|refusal| refused(&refusal, ticket, system))?;
    plan.map(|plan| apply(ticket, plan, None, Acting::ROUTING, Action::Assigned, now)).transpose()
}

/// A caller asks for a status.
pub fn set_status(
    ticket: &mut Ticket,
    to: Status,
    reason: Option<String>,
    by: Caller,
    now: DateTime<Utc>,
) -> Result<Applied, Refused> {
    set_status_as(ticket, to, reason, Acting::person(by.id, by.actor), now)
}

/// `set_status`, by whoever `acting` is. Nobody (a rule) starts a ticket without an assignee;
/// staff reopen a resolved ticket only with a reason, kept in its history entry.
pub fn set_status_as(
    ticket: &mut Ticket,
    to: Status,
    reason: Option<String>,
    acting: Acting,
    now: DateTime<Utc>,
) -> Result<Applied, Refused> {
    let by = acting.caller();
    if by.id.is_nobody() && to == Status::InProgress && ticket.assigned_to.is_none() {
        return Err(refused(&Refusal::NeedsAssignee, ticket, by));
    }
    let plan = moves::set_status(&State::of(ticket), to, by).map_err(|refusal| refused(&refusal, ticket, by))?;
    if by.actor == Actor::Agent && ticket.status == Status::Resolved && reason.is_none() {
        return Err(Refused::Field(FieldError::new(
            "reason",
            "say why the ticket is reopened (1 to 1,000 characters): the history keeps it",
        )));
    }
    apply(ticket, plan, reason, acting, Action::StatusChanged, now)
}

/// The system closes the ticket (a merge, a delay passed).
pub fn close(ticket: &mut Ticket, reason: String, now: DateTime<Utc>) -> Result<Applied, Refused> {
    let system = Caller { id: UserId::NOBODY, actor: Actor::System };
    status::check(ticket.status, Status::Closed, Actor::System)
        .map_err(|err| refused(&Refusal::Transition(err), ticket, system))?;
    let plan = Plan { to: Status::Closed, assign: None };
    apply(ticket, plan, Some(reason), Acting::SYSTEM, Action::StatusChanged, now)
}

/// Fields staff correct; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct Edit {
    pub subject: Option<String>,
    /// `Some(None)` clears the category.
    #[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
    pub category: Option<Option<String>>,
    pub priority: Option<Priority>,
    pub metadata: Option<serde_json::Value>,
    /// `Some(None)` takes the ticket out of its team (checked to exist by the caller).
    #[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
    pub team_id: Option<Option<TeamId>>,
    /// `Some(None)` leaves it without a customer organisation; another is one of the
    /// requester's (checked by the caller).
    #[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
    pub organization_id: Option<Option<OrganizationId>>,
    /// A new set of tags, or tags added and removed (applied to the tags as loaded).
    pub tags: Option<tags::Change>,
}

/// Staff correct fields. `None`: nothing changes.
pub fn edit(ticket: &mut Ticket, edit: Edit, acting: Acting, now: DateTime<Utc>) -> Result<Option<Applied>, Refused> {
    store::ensure_open(ticket)?;
    let mut changes = serde_json::Map::new();
    if let Some(subject) = edit.subject.filter(|s| *s != ticket.subject) {
        changes.insert("subject".into(), json!([ticket.subject, subject]));
        ticket.subject = subject;
    }
    if let Some(category) = edit.category.filter(|c| *c != ticket.category) {
        changes.insert("category".into(), json!([ticket.category, category]));
        ticket.category = category;
    }
    if let Some(priority) = edit.priority.filter(|p| *p != ticket.priority) {
        changes.insert("priority".into(), json!([ticket.priority, priority]));
        ticket.priority = priority;
    }
    if let Some(metadata) = edit.metadata.filter(|m| *m != ticket.metadata) {
        changes.insert("metadata".into(), json!([ticket.metadata, metadata]));
        ticket.metadata = metadata;
    }
    if let Some(team) = edit.team_id.filter(|t| *t != ticket.team_id) {
        changes.insert("team_id".into(), json!([ticket.team_id, team]));
        ticket.team_id = team;
    }
    if let Some(organization) = edit.organization_id.filter(|o| *o != ticket.organization_id) {
        changes.insert("organization_id".into(), json!([ticket.organization_id, organization]));
        ticket.organization_id = organization;
    }
    if let Some(change) = edit.tags {
        let next = tags::apply(&ticket.tags, &change).map_err(|too_many| Refused::TooManyTags(too_many.to_string()))?;
        if next != ticket.tags {
            changes.insert("tags".into(), json!([ticket.tags, next]));
            ticket.tags = next;
        }
    }
    if changes.is_empty() {
        return Ok(None);
    }
    // What the SLA policies match on: they are matched again, the targets counted anew.
    let clock_moved =
        ["priority", "category", "team_id", "organization_id", "tags"].iter().any(|key| changes.contains_key(*key));
    ticket.updated_at = now;
    Ok(Some(updated(ticket, acting, serde_json::Value::Object(changes), None, clock_moved, now)))
}

/// A change of the ticket's properties (`changes`: `{property: [before, after]}`), already made
/// to `ticket`: its history entry and its `TicketUpdated` event.
fn updated(
    ticket: &Ticket,
    acting: Acting,
    changes: serde_json::Value,
    reason: Option<String>,
    clock_moved: bool,
    now: DateTime<Utc>,
) -> Applied {
    let mut entry = entry(ticket, acting, Action::Updated, now);
    entry.reason = reason;
    entry.changes = changes.clone();
    let event = Event::TicketUpdated {
        ticket_id: ticket.id,
        ticket_number: ticket.ticket_number.clone(),
        user_id: ticket.user_id,
        updated_by: acting.by,
        changes,
        team_id: ticket.team_id,
        organization_id: ticket.organization_id,
        tags: ticket.tags.clone(),
        fields: ticket.fields.clone(),
    };
    Applied { entry, events: vec![event], clock_moved }
}

/// A change of who is on the ticket or what it is linked to, recorded as `changes` (`{what:
/// [before, after]}`): none of its properties moves, and nothing about its clock.
pub fn noted(
    ticket: &mut Ticket,
    changes: serde_json::Value,
    reason: Option<String>,
    acting: Acting,
    now: DateTime<Utc>,
) -> Applied {
    ticket.updated_at = now;
    updated(ticket, acting, changes, reason, false, now)
}

/// The ticket's custom fields become `values` (checked by `fields::merge`), by staff or by its
/// customer. `None`: nothing changes.
pub fn set_fields(
    ticket: &mut Ticket,
    values: serde_json::Value,
    acting: Acting,
    now: DateTime<Utc>,
) -> Result<Option<Applied>, Refused> {
    store::ensure_open(ticket)?;
    let Some(changed) = super::fields::differences(&ticket.fields, &values) else { return Ok(None) };
    ticket.fields = values;
    ticket.updated_at = now;
    Ok(Some(updated(ticket, acting, json!({ "fields": changed }), None, false, now)))
}

/// A message from `by` on the ticket: the first public staff message meets the response target;
/// a customer's public message that follows a public staff reply starts a next-response round,
/// which the next public staff message ends; a customer's answer wakes a ticket that waits for
/// them. `None`: the status stays and nothing is recorded beyond the message (whose event `write`
/// announces with its id). The flag: the SLA clock's inputs changed.
pub fn message(
    ticket: &mut Ticket,
    internal: bool,
    by: Caller,
    now: DateTime<Utc>,
) -> Result<(Option<Applied>, bool), Refused> {
    store::ensure_open(ticket)?;
    let mut clock_moved = false;
    if !internal {
        clock_moved = match SenderType::of(by.actor) {
            SenderType::Agent => answered(ticket, now),
            SenderType::Customer => awaits_answer(ticket, now),
        };
    }
    ticket.updated_at = now;
    let plan = moves::message(&State::of(ticket), by.actor).map_err(|refusal| refused(&refusal, ticket, by))?;
    let acting = Acting::person(by.id, by.actor);
    let applied = plan.map(|plan| apply(ticket, plan, None, acting, Action::StatusChanged, now)).transpose()?;
    Ok((applied, clock_moved))
}

/// A public staff reply: the first meets the response target; one during a next-response
/// round ends it (a round answered past its due time and not recorded missed yet counts as
/// missed). Whether the clock's inputs changed.
fn answered(ticket: &mut Ticket, now: DateTime<Utc>) -> bool {
    if ticket.first_response_at.is_none() {
        ticket.first_response_at = Some(now);
        return true;
    }
    if ticket.next_response_since.take().is_none() {
        return false;
    }
    if ticket.next_response_breached_at.is_none() && ticket.next_response_due_at.is_some_and(|due| due < now) {
        ticket.next_response_breaches += 1;
    }
    ticket.next_response_breached_at = None;
    true
}

/// A public customer message: after a public staff reply (the first one given, no round
/// running), a next-response round starts. Whether the clock's inputs changed.
fn awaits_answer(ticket: &mut Ticket, now: DateTime<Utc>) -> bool {
    if ticket.first_response_at.is_none() || ticket.next_response_since.is_some() {
        return false;
    }
    ticket.next_response_since = Some(now);
    ticket.next_response_breached_at = None;
    true
}

/// The state a new ticket is inserted in: open, or, given to `routed_to` by its team's routing
/// as it opens, what that assignment makes of an open ticket (in progress, theirs).
pub fn opening_state(routed_to: Option<UserId>) -> State {
    match moves::assign(&State::NEW, routed_to) {
        Ok(Some(plan)) => moves::settle(State::NEW, plan),
        Ok(None) | Err(_) => State::NEW,
    }
}

/// A new ticket's entries and events: its opening, then, when its team's routing gave it to
/// `routed_to` as it opened, that assignment, as `route` records it. `ticket` is as inserted, in
/// `opening_state(routed_to)`: one write instead of an insert and an update of indexed columns.
pub fn opened(
    ticket: &Ticket,
    routed_to: Option<UserId>,
    acting: Acting,
    now: DateTime<Utc>,
) -> Result<Vec<Applied>, Refused> {
    let mut replayed = Ticket { status: Status::Open, assigned_to: None, ..ticket.clone() };
    let mut applied = vec![opening(&replayed, acting, now)];
    if let Some(member) = routed_to {
        applied.extend(route(&mut replayed, member, now)?);
    }
    if (replayed.status, replayed.assigned_to) != (ticket.status, ticket.assigned_to) {
        return Err(Refused::Broken(ticket.id, "a new ticket was not inserted in its opening state".into()));
    }
    Ok(applied)
}

/// The entry and event of a ticket's opening.
fn opening(ticket: &Ticket, acting: Acting, now: DateTime<Utc>) -> Applied {
    let mut entry = entry(ticket, acting, Action::Created, now);
    entry.to = Some(Status::Open);
    let mut changes = serde_json::Map::new();
    changes.insert("priority".into(), json!([null, ticket.priority]));
    if !ticket.tags.is_empty() {
        changes.insert("tags".into(), json!([null, ticket.tags]));
    }
    if let Some(fields) = super::fields::differences(&json!({}), &ticket.fields) {
        changes.insert("fields".into(), fields);
    }
    entry.changes = serde_json::Value::Object(changes);
    let event = Event::TicketCreated {
        ticket_id: ticket.id,
        ticket_number: ticket.ticket_number.clone(),
        user_id: ticket.user_id,
        subject: ticket.subject.clone(),
        priority: ticket.priority,
        status: ticket.status,
        order_id: ticket.order_id,
        category: ticket.category.clone(),
        team_id: ticket.team_id,
        organization_id: ticket.organization_id,
        tags: ticket.tags.clone(),
        fields: ticket.fields.clone(),
        requester_notified: true,
    };
    Applied { entry, events: vec![event], clock_moved: false }
}

/// `sources` were merged into `target` (each closed by `close`): the target's entry names them.
pub fn merged(target: &mut Ticket, sources: &[Ticket], acting: Acting, now: DateTime<Utc>) -> Applied {
    let numbers: Vec<&str> = sources.iter().map(|s| s.ticket_number.as_str()).collect();
    let ids: Vec<TicketId> = sources.iter().map(|s| s.id).collect();
    target.updated_at = now;
    let reason = Some(format!("merged {} into this ticket", numbers.join(", ")));
    updated(target, acting, json!({ "merged_from": [null, ids] }), reason, false, now)
}

/// The jobs found `sla_type`'s target missed at `now` (its targets `targets`): the breach is
/// recorded on the ticket and announced, and a missed response raises the priority one level, a
/// change of its own. The first entry is the breach; `Some` priority when it was raised.
pub fn breached(
    ticket: &mut Ticket,
    sla_type: SlaType,
    targets: Targets,
    now: DateTime<Utc>,
) -> (Vec<Applied>, Option<Priority>) {
    let (expected, due_at) = match sla_type {
        SlaType::Response => (targets.response_minutes, ticket.response_due_at),
        SlaType::Resolution => (targets.resolution_minutes, ticket.resolution_due_at),
        SlaType::NextResponse => {
            (targets.next_response_minutes.unwrap_or_default(), ticket.next_response_due_at.unwrap_or(now))
        }
    };
    let expected = i64::from(expected);
    // The clock ran the target, and the time since the due date (which pauses moved).
    let actual = expected + (now - due_at).num_minutes().max(0);
    match sla_type {
        SlaType::Response => ticket.response_breached_at = Some(now),
        SlaType::Resolution => ticket.resolution_breached_at = Some(now),
        SlaType::NextResponse => {
            ticket.next_response_breached_at = Some(now);
            ticket.next_response_breaches += 1;
        }
    }
    ticket.updated_at = now;
    let mut missed = entry(ticket, Acting::SYSTEM, Action::SlaBreached, now);
    missed.reason = Some(format!("{} target of {expected} minutes missed", sla_type.as_str()));
    missed.changes = json!({ "sla_type": sla_type, "expected_minutes": expected, "actual_minutes": actual });
    let event = Event::TicketSlaBreach {
        ticket_id: ticket.id,
        ticket_number: ticket.ticket_number.clone(),
        priority: ticket.priority,
        sla_type,
        expected_minutes: expected,
        actual_minutes: actual,
        assigned_to: ticket.assigned_to,
    };
    let mut applied = vec![Applied { entry: missed, events: vec![event], clock_moved: false }];
    let raised = ticket.priority.raised();
    if sla_type != SlaType::Response || raised == ticket.priority {
        return (applied, None);
    }
    // The resolution target becomes the new priority's (in the ticket's policy version).
    let changes = json!({ "priority": [ticket.priority, raised] });
    ticket.priority = raised;
    let reason = Some(format!("response target of {} minutes missed", targets.response_minutes));
    applied.push(updated(ticket, Acting::SYSTEM, changes, reason, true, now));
    (applied, Some(raised))
}
