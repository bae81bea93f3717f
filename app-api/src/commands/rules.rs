//! The tenant's rules in the one write path. At the end of a ticket write (`finish`), the
//! events the write announces say which rules it triggers (`ticket.created`; `message.added`
//! for each message; `ticket.updated` for any other change; `sla.breached`); those whose
//! conditions hold for the ticket as it now is run in position order, each seeing the ticket as
//! the rules before it left it, each in a savepoint of the write's transaction:
//!
//! - a run's actions go through the same lifecycle functions, checks and routing as a person's,
//!   as history entries naming the rule, with the usual events;
//! - a refused action (an invalid move, a team deleted since, a missing required field) refuses
//!   that run alone: its savepoint is rolled back, the refusal logged in the rule's runs, and the
//!   person's change and the other runs stay;
//! - a run's changes trigger rules again, up to `MAX_DEPTH` deep, and a rule runs at most once
//!   per person's change whatever the depth, so rules that undo each other stop after one run
//!   each (a write makes at most as many runs as the tenant has rules).
//!
//! The write's moved anchors arm the time rules (`sav::rules::store::arm`); the jobs run a due
//! one through `run_timed`.

use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use sav::ids::{MacroId, RuleId, TicketId, UserId};
use sav::macros::{self, Values};
use sav::routing::{self, Trigger as Routed};
use sav::rules::book::Book;
use sav::rules::conditions::{self, Facts, Message};
use sav::rules::store::{self, ActiveRule, NewRun};
use sav::rules::{Action, Event as On, Recipient, Since, Trigger};
use sav::teams;
use sav::tickets::access::Viewer;
use sav::tickets::change::{self, Post, Work};
use sav::tickets::events::{Event, SenderType};
use sav::tickets::fields::{self, Setter};
use sav::tickets::lifecycle::{self, Acting, Edit};
use sav::tickets::messages::Channel;
use sav::tickets::status::Status;
use sav::tickets::store::Ticket;
use sav::tickets::tags;
use sav::users;
use serde::Serialize;
use serde_json::{Value, json};
use shared::error::ApiError;
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;

use crate::events::Events;
use crate::notifications::render::text_of;
use crate::refusals::{Answer as _, Answered as _};
use crate::tenancy::resolve::Tenant;

/// Changes made by rules trigger rules down to this depth (the person's change is 0): a change
/// this deep triggers nothing.
pub const MAX_DEPTH: u8 = 5;

/// A change rules may run on: what it was, how deep, and the message it added.
#[derive(Debug, Clone)]
struct Triggering {
    event: On,
    depth: u8,
    message: Option<TriggeringMessage>,
}

/// A message, as conditions read it.
#[derive(Debug, Clone)]
struct TriggeringMessage {
    text: String,
    is_internal: bool,
    sender: SenderType,
}

/// What a time rule's run came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ran {
    /// Its conditions did not hold.
    NotMatched,
    Applied,
    /// One of its actions was refused; nothing it did was kept.
    Refused,
}

/// Runs the rules that the write recorded in `work` triggers on `ticket`, adding their changes
/// to `work`; then arms the time rules whose anchors the write moved.
pub(crate) async fn run(
    tx: &mut PgConnection,
    tenant: &Tenant,
    events: &Events,
    ticket: &mut Ticket,
    work: &mut Work,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let book = events.rules.books.current(tx, tenant.id).await?;
    if book.rules.is_empty() {
        return Ok(());
    }
    // A time rule's changes are one deep, after its own run.
    let (depth, fired) = match work.made_by {
        Some(rule) => (1, BTreeSet::from([rule])),
        None => (0, BTreeSet::new()),
    };
    let first = triggers(work, depth);
    let mut cascade = Cascade { events, book: &book, customer: None, fired };
    cascade.flow(tx, ticket, work, first.into(), now).await?;
    arm(tx, &book, ticket, work, now).await
}

/// Runs time rule `rule` on ticket `ticket` (locked) as the jobs found it due: its conditions,
/// then its actions as any run's. The event rules its changes trigger run in `finish`, as
/// changes one deep.
pub(crate) async fn run_timed(
    tx: &mut PgConnection,
    tenant: &Tenant,
    events: &Events,
    ticket: &mut Ticket,
    work: &mut Work,
    rule: &ActiveRule,
    now: DateTime<Utc>,
) -> Result<Ran, ApiError> {
    let book = events.rules.books.current(tx, tenant.id).await?;
    let mut cascade = Cascade { events, book: &book, customer: None, fired: BTreeSet::new() };
    if !cascade.holds(tx, rule, ticket, work, None).await? {
        return Ok(Ran::NotMatched);
    }
    if run_one(tx, events, ticket, work, rule, "time", 0, now).await?.is_none() {
        return Ok(Ran::Refused);
    }
    work.made_by = Some(rule.id);
    Ok(Ran::Applied)
}

/// What a rule would do to a ticket now (a dry run).
#[derive(Debug, Serialize, ToSchema)]
pub struct Tried {
    /// Whether its conditions hold for the ticket as it is (a rule on `message.added` is tried
    /// without a message: message conditions read no message).
    pub matches: bool,
    /// What its run would change; empty when it does not match or would be refused.
    #[schema(value_type = Vec<sav::rules::grammar::RuleEffect>)]
    pub changes: Vec<Value>,
    /// Why its run would be refused (nothing of it would be kept).
    pub error: Option<String>,
}

/// Tries rule `rule` on ticket `ticket` as `admin` sees it: its conditions and its actions run
/// in a transaction that is rolled back, so nothing is written, told or counted.
pub async fn try_rule(
    db: &mut PgConnection,
    events: &Events,
    admin: UserId,
    rule: RuleId,
    ticket: TicketId,
) -> Result<Tried, ApiError> {
    let mut tx = db.begin().await?;
    let tried = async {
        let rule = store::active_by_id(&mut tx, rule).await.answered()?;
        let (_, mut ticket) = sav::tickets::store::visible(&mut tx, admin, ticket, true).await.answered()?;
        let (vip, email) = store::customer(&mut tx, ticket.user_id).await?;
        let facts = Facts {
            ticket: &ticket,
            channel: origin(&ticket).as_str(),
            customer_vip: vip,
            customer_email: &email,
            message: None,
        };
        if !conditions::hold(&rule.rule.conditions, &facts) {
            return Ok(Tried { matches: false, changes: Vec::new(), error: None });
        }
        let mut run = Work::on(&ticket);
        Ok::<_, ApiError>(match act_all(&mut tx, events, &mut ticket, &mut run, &rule, Utc::now()).await {
            Ok(changes) => Tried { matches: true, changes, error: None },
            Err(why) => Tried { matches: true, changes: Vec::new(), error: Some(why) },
        })
    }
    .await;
    tx.rollback().await?;
    tried
}

/// The runs of one person's change: the rules, the ticket's customer (read once, when a rule
/// first looks at it), and the rules that have run (each runs at most once).
struct Cascade<'a> {
    events: &'a Events,
    book: &'a Book,
    customer: Option<(bool, String)>,
    fired: BTreeSet<RuleId>,
}

impl Cascade<'_> {
    /// Runs the rules each change of `queue` triggers, and those their changes trigger in turn,
    /// within the depth, each rule once.
    async fn flow(
        &mut self,
        tx: &mut PgConnection,
        ticket: &mut Ticket,
        work: &mut Work,
        mut queue: VecDeque<Triggering>,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        while let Some(change) = queue.pop_front() {
            for rule in self.book.on(change.event) {
                if self.fired.contains(&rule.id) || !self.holds(tx, rule, ticket, work, change.message.as_ref()).await?
                {
                    continue;
                }
                self.fired.insert(rule.id);
                let trigger = change.event.as_str();
                let Some(next) = run_one(tx, self.events, ticket, work, rule, trigger, change.depth, now).await? else {
                    continue;
                };
                let depth = change.depth + 1;
                if depth < MAX_DEPTH {
                    queue.extend(triggers(&next, depth));
                }
            }
        }
        Ok(())
    }

    /// Whether `rule`'s conditions hold for `ticket` as it is now, and `said`.
    async fn holds(
        &mut self,
        tx: &mut PgConnection,
        rule: &ActiveRule,
        ticket: &Ticket,
        work: &Work,
        said: Option<&TriggeringMessage>,
    ) -> Result<bool, ApiError> {
        let unread = (false, String::new());
        let (vip, email) = match &self.customer {
            Some(found) => found,
            None if rule.rule.conditions.read_customer() => {
                self.customer.insert(store::customer(tx, ticket.user_id).await?)
            }
            None => &unread,
        };
        let facts = Facts {
            ticket,
            channel: work.channel.unwrap_or_else(|| origin(ticket)).as_str(),
            customer_vip: *vip,
            customer_email: email,
            message: said.map(|said| Message {
                body: &said.text,
                is_internal: said.is_internal,
                sender_type: said.sender.as_str(),
            }),
        };
        Ok(conditions::hold(&rule.rule.conditions, &facts))
    }
}

/// Runs `rule` on `ticket` in a savepoint: its changes join `work` and its run is logged; the
/// run's own work (for the rules its changes trigger), or `None` when it was refused.
#[allow(clippy::too_many_arguments, reason = "one run: where, what, on which change")]
async fn run_one(
    tx: &mut PgConnection,
    events: &Events,
    ticket: &mut Ticket,
    work: &mut Work,
    rule: &ActiveRule,
    trigger: &'static str,
    depth: u8,
    now: DateTime<Utc>,
) -> Result<Option<Work>, ApiError> {
    let mut trial = ticket.clone();
    let mut run = Work::on(&trial);
    run.channel = work.channel;
    let mut savepoint = tx.begin().await?;
    let done = act_all(&mut savepoint, events, &mut trial, &mut run, rule, now).await;
    let metrics = &events.rules.metrics;
    match done {
        Ok(changes) => {
            savepoint.commit().await?;
            let changes = Value::Array(changes);
            let logged =
                NewRun { rule_id: rule.id, ticket_id: ticket.id, trigger, depth, outcome: Ok(&changes), at: now };
            store::record_run(tx, &logged).await?;
            metrics.ran(trigger, "applied");
            *ticket = trial;
            let next = Work {
                events: run.events.clone(),
                updated: run.updated,
                words: run.words.clone(),
                channel: run.channel,
                ..Work::default()
            };
            work.absorb(run);
            Ok(Some(next))
        }
        Err(why) => {
            savepoint.rollback().await?;
            let logged = NewRun { rule_id: rule.id, ticket_id: ticket.id, trigger, depth, outcome: Err(&why), at: now };
            store::record_run(tx, &logged).await?;
            metrics.ran(trigger, "refused");
            tracing::info!(rule = %rule.id, ticket = %ticket.id, %why, "rules: a run was refused");
            Ok(None)
        }
    }
}

/// Applies every action of `rule` to `ticket` in order, routing it after a change of team or
/// assignee as a person's change would be (so the actions after see whom it went to); what
/// each changed, or why one was refused.
async fn act_all(
    tx: &mut PgConnection,
    events: &Events,
    ticket: &mut Ticket,
    run: &mut Work,
    rule: &ActiveRule,
    now: DateTime<Utc>,
) -> Result<Vec<Value>, String> {
    let acting = Acting::rule(rule.id);
    let mut changes = Vec::new();
    for action in &rule.rule.actions {
        let before = run.entries.len();
        let was = ((ticket.status, ticket.team_id), ticket.assigned_to);
        let kind = action_name(action);
        let extra = act(tx, ticket, run, rule, action, acting, now).await?;
        if matches!(action, Action::SetTeam(_) | Action::AssignTo(_))
            && let Some(trigger) = Routed::of(Some(was.0), was.1, ticket)
            && let Some(team) = ticket.team_id
        {
            let decided = routing::decide(tx, team, trigger, ticket.assigned_to).await.map_err(|e| why(&e.into()))?;
            let chosen = events.routing.counted(decided);
            if let Some(to) = chosen {
                run.add(lifecycle::route(ticket, to, now).map_err(|e| why(&e.answer()))?);
            }
        }
        changes.extend(run.entries[before..].iter().flat_map(|entry| describe(kind, entry)));
        changes.extend(extra.map(|(field, to)| json!({ "action": kind, "field": field, "from": null, "to": to })));
    }
    Ok(changes)
}

/// One action on `ticket`: its changes are recorded in `run`; what it did beyond them (a note
/// written, a mail sent), as a field and a value for the run's log.
async fn act(
    tx: &mut PgConnection,
    ticket: &mut Ticket,
    run: &mut Work,
    rule: &ActiveRule,
    action: &Action,
    acting: Acting,
    now: DateTime<Utc>,
) -> Result<Option<(&'static str, Value)>, String> {
    let refused = |e: sav::tickets::refusal::Refused| why(&e.answer());
    let sql = |e: sqlx::Error| why(&e.into());
    let edit = |edit: Edit, ticket: &mut Ticket, run: &mut Work| -> Result<(), String> {
        run.changed(lifecycle::edit(ticket, edit, acting, now).map_err(refused)?);
        Ok(())
    };
    match action {
        Action::SetPriority(priority) => edit(Edit { priority: Some(*priority), ..Edit::default() }, ticket, run)?,
        Action::SetStatus(status) => {
            if ticket.status != *status {
                run.changed(Some(lifecycle::set_status_as(ticket, *status, None, acting, now).map_err(refused)?));
            }
        }
        Action::SetTeam(team) => {
            if let Some(team) = team
                && !teams::exists(tx, *team).await.map_err(sql)?
            {
                return Err("its team is no longer one of this organisation".to_owned());
            }
            edit(Edit { team_id: Some(*team), ..Edit::default() }, ticket, run)?;
        }
        Action::AssignTo(to) => {
            if let Some(person) = to
                && !users::assignable(tx, UserId(*person)).await.map_err(sql)?
            {
                return Err("its assignee is no longer an active agent or admin of this organisation".to_owned());
            }
            run.changed(lifecycle::assign_as(ticket, to.map(UserId), acting, now).map_err(refused)?);
        }
        Action::AddTags(added) | Action::RemoveTags(added) => {
            let set = added.iter().cloned().collect();
            let change = if matches!(action, Action::AddTags(_)) {
                tags::Change::Adjust { add: set, remove: BTreeSet::new() }
            } else {
                tags::Change::Adjust { add: BTreeSet::new(), remove: set }
            };
            edit(Edit { tags: Some(change), ..Edit::default() }, ticket, run)?;
        }
        Action::SetField { key, value } => {
            let defined = fields::all(tx).await.map_err(sql)?;
            let mut given = serde_json::Map::new();
            given.insert(key.clone(), value.clone().unwrap_or(Value::Null));
            let values = fields::merge(&defined, &ticket.fields, &given, Setter::Staff).map_err(|errors| {
                errors.into_iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
            })?;
            let ranges = fields::ranges(&defined, &values);
            if let Some(applied) = lifecycle::set_fields(ticket, values, acting, now).map_err(refused)? {
                run.ranges = Some(ranges);
                run.changed(Some(applied));
            }
        }
        Action::AddInternalNote(body) => {
            let author = author(tx, rule).await?;
            let text = shared::mail::text_to_html(body);
            let id = note(tx, author, ticket, text, true, run, rule, now).await?;
            return Ok(Some(("note", json!(id))));
        }
        Action::ApplyMacro(id) => {
            let written = apply_macro(tx, ticket, run, rule, *id, acting, now).await?;
            return Ok(written.map(|id| ("message", json!(id))));
        }
        Action::NotifyEmail { to, subject, body } => {
            let told = mail(tx, ticket, run, rule, to, subject, body).await.map_err(sql)?;
            return Ok(Some(("mail", told)));
        }
    }
    Ok(None)
}

/// A macro applied by a rule: its assignment ("me" is the rule's author), its message in the
/// author's name, its status, priority and tags, as a person applying it would; the message's id.
async fn apply_macro(
    tx: &mut PgConnection,
    ticket: &mut Ticket,
    run: &mut Work,
    rule: &ActiveRule,
    id: MacroId,
    acting: Acting,
    now: DateTime<Utc>,
) -> Result<Option<i64>, String> {
    let refused = |e: sav::tickets::refusal::Refused| why(&e.answer());
    let chosen = macros::get(tx, id).await.map_err(|e| why(&e.into()))?.ok_or("its macro was deleted")?;
    let author = author(tx, rule).await?;
    if let Some(assignment) = chosen.assign_to {
        run.changed(lifecycle::assign_as(ticket, assignment.assignee(author.id), acting, now).map_err(refused)?);
    }
    let mut written = None;
    if let Some(template) = &chosen.body {
        let (customer, agent) = store::first_names(tx, ticket.user_id, author.id).await.map_err(|e| why(&e.into()))?;
        let values =
            Values { customer_firstname: &customer, ticket_number: &ticket.ticket_number, agent_firstname: &agent };
        let text = macros::message(template, values).map_err(|e| e.message)?;
        written = Some(note(tx, author, ticket, text, chosen.is_internal, run, rule, now).await?);
    }
    if let Some(status) = chosen.status
        && ticket.status != status
    {
        run.changed(Some(lifecycle::set_status_as(ticket, status, None, acting, now).map_err(refused)?));
    }
    if chosen.priority.is_some() || !chosen.add_tags.is_empty() {
        let add: BTreeSet<String> = chosen.add_tags.iter().cloned().collect();
        let tags =
            Some(add).filter(|add| !add.is_empty()).map(|add| tags::Change::Adjust { add, remove: BTreeSet::new() });
        let edit = Edit { priority: chosen.priority, tags, ..Edit::default() };
        run.changed(lifecycle::edit(ticket, edit, acting, now).map_err(refused)?);
    }
    Ok(written)
}

/// A rule's mail: the staff it names now (the assignee, the team's active members, the owners
/// and admins) or its address, told through a `RuleMail` event that the notification worker
/// writes once per recipient; what the run log says of it.
#[allow(clippy::too_many_arguments, reason = "a mail: where, to whom, what")]
async fn mail(
    tx: &mut PgConnection,
    ticket: &Ticket,
    run: &mut Work,
    rule: &ActiveRule,
    to: &Recipient,
    subject: &str,
    body: &str,
) -> sqlx::Result<Value> {
    let (user_ids, address) = match to {
        Recipient::Assignee => (ticket.assigned_to.into_iter().collect(), None),
        Recipient::Team => match ticket.team_id {
            Some(team) => (store::team_members(tx, team).await?, None),
            None => (Vec::new(), None),
        },
        Recipient::Admins => (crate::notifications::store::managers(tx).await?, None),
        Recipient::Address(address) => (Vec::new(), Some(address.clone())),
    };
    let told = json!({ "to": to.as_str(), "people": user_ids.len() + usize::from(address.is_some()) });
    if !user_ids.is_empty() || address.is_some() {
        run.events.push(Event::RuleMail {
            ticket_id: ticket.id,
            ticket_number: ticket.ticket_number.clone(),
            rule_id: rule.id,
            rule_name: rule.name.clone(),
            user_ids,
            address,
            subject: subject.to_owned(),
            body: body.to_owned(),
        });
    }
    Ok(told)
}

/// The rule's author, as a member who may still write notes.
async fn author(tx: &mut PgConnection, rule: &ActiveRule) -> Result<Viewer, String> {
    let gone = || "its author is no longer an agent or admin of this organisation: save the rule again".to_owned();
    let author = rule.author.ok_or_else(gone)?;
    let viewer = Viewer::load(tx, author).await.map_err(|_| gone())?;
    if viewer.is_staff() { Ok(viewer) } else { Err(gone()) }
}

/// Writes a message of the rule's, in its author's name, marked as the rule's; its id.
#[allow(clippy::too_many_arguments, reason = "a message: who, where, what, and the run it joins")]
async fn note(
    tx: &mut PgConnection,
    author: Viewer,
    ticket: &mut Ticket,
    text: String,
    internal: bool,
    run: &mut Work,
    rule: &ActiveRule,
    now: DateTime<Utc>,
) -> Result<i64, String> {
    let words = run.words.take();
    let post = Post { text, internal, attachment_ids: Vec::new(), inbound_email_id: None };
    let message = change::post(tx, author, ticket, post, run, now).await.map_err(|e| why(&e.answer()))?;
    store::mark_message(tx, message.id, rule.id).await.map_err(|e| why(&e.into()))?;
    // The write's own message keeps its place in the search words.
    if words.is_some() {
        run.words = words;
    }
    Ok(message.id)
}

/// The changes rules may run on that `work` recorded, at `depth`.
fn triggers(work: &Work, depth: u8) -> Vec<Triggering> {
    let at = |event, message| Triggering { event, depth, message };
    let mut found = Vec::new();
    if work.events.iter().any(|e| matches!(e, Event::TicketCreated { .. })) {
        return vec![at(On::Created, None)];
    }
    for event in &work.events {
        match event {
            Event::MessageAdded { sender_type, is_internal, .. } => {
                let text = work.words.as_ref().map(|(html, _)| text_of(html)).unwrap_or_default();
                found.push(at(
                    On::MessageAdded,
                    Some(TriggeringMessage { text, is_internal: *is_internal, sender: *sender_type }),
                ));
            }
            Event::TicketSlaBreach { .. } => found.push(at(On::SlaBreached, None)),
            _ => {}
        }
    }
    if work.updated {
        found.push(at(On::Updated, None));
    }
    found
}

/// Arms the time rules whose anchor the write moved (its events say which) on `ticket`.
async fn arm(
    tx: &mut PgConnection,
    book: &Book,
    ticket: &Ticket,
    work: &Work,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if ticket.status == Status::Closed || !book.has_time_rules() {
        return Ok(());
    }
    let mut moved = Vec::new();
    for event in &work.events {
        match event {
            Event::TicketCreated { .. } => moved.extend([Since::Created, Since::StatusChanged]),
            Event::TicketStatusChanged { .. } => moved.push(Since::StatusChanged),
            Event::MessageAdded { sender_type: SenderType::Customer, .. } => moved.push(Since::LastCustomerMessage),
            Event::MessageAdded { sender_type: SenderType::Agent, is_internal: false, .. } => {
                moved.push(Since::LastStaffReply);
            }
            _ => {}
        }
    }
    let due: Vec<(RuleId, i64)> = book
        .rules
        .iter()
        .filter_map(|rule| match rule.rule.trigger {
            Trigger::After { minutes, since } if moved.contains(&since) => Some((rule.id, minutes)),
            _ => None,
        })
        .collect();
    Ok(store::arm(tx, ticket.id, &due, now).await?)
}

/// The channel a ticket came in by, for changes no person made.
fn origin(ticket: &Ticket) -> Channel {
    match ticket.metadata.get("channel").and_then(Value::as_str) {
        Some("email") => Channel::Email,
        _ => Channel::Web,
    }
}

fn action_name(action: &Action) -> &'static str {
    match action {
        Action::SetPriority(_) => "set_priority",
        Action::SetStatus(_) => "set_status",
        Action::SetTeam(_) => "set_team",
        Action::AssignTo(_) => "assign_to",
        Action::AddTags(_) => "add_tags",
        Action::RemoveTags(_) => "remove_tags",
        Action::SetField { .. } => "set_field",
        Action::AddInternalNote(_) => "add_internal_note",
        Action::ApplyMacro(_) => "apply_macro",
        Action::NotifyEmail { .. } => "notify_email",
    }
}

/// A history entry as the run log says it: one `{action, field, from, to}` per property.
fn describe(action: &str, entry: &sav::tickets::history::Entry) -> Vec<Value> {
    let mut out = Vec::new();
    if let (Some(from), Some(to)) = (entry.from, entry.to) {
        out.push(json!({ "action": action, "field": "status", "from": from.as_str(), "to": to.as_str() }));
    }
    if let Some(changes) = entry.changes.as_object() {
        for (field, pair) in changes {
            let pair = pair.as_array().map(Vec::as_slice).unwrap_or_default();
            let (from, to) =
                (pair.first().cloned().unwrap_or(Value::Null), pair.get(1).cloned().unwrap_or(Value::Null));
            out.push(json!({ "action": action, "field": field, "from": from, "to": to }));
        }
    }
    out
}

/// What a refusal says to whoever reads the run log: its detail, and each field it names.
fn why(err: &ApiError) -> String {
    let problem = err.problem();
    let mut text = problem.detail.unwrap_or(problem.title);
    for error in problem.errors {
        let _ = write!(text, "; {}: {}", error.field, error.message);
    }
    text
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use serde_json::json;
    use uuid::Uuid;

    use super::*;
    use sav::tickets::history::{Action as Did, Entry};
    use sav::tickets::status::Actor;

    fn message(sender: SenderType, is_internal: bool) -> Event {
        Event::MessageAdded {
            ticket_id: TicketId(7),
            ticket_number: "TKT-AAAAAAAA".into(),
            message_id: 1,
            sender_id: UserId(Uuid::nil()),
            sender_type: sender,
            is_internal,
            has_attachments: false,
            attachment_count: 0,
            attachment_ids: Vec::new(),
        }
    }

    #[test]
    fn a_write_triggers_what_its_events_say() {
        let mut work = Work { words: Some(("<p>Please <b>cancel</b></p>".into(), false)), ..Work::default() };
        work.events.push(message(SenderType::Customer, false));
        let found = triggers(&work, 2);
        assert_eq!(found.len(), 1, "a message alone is no update");
        let said = found[0].message.as_ref().unwrap();
        assert_eq!((found[0].event, found[0].depth), (On::MessageAdded, 2));
        assert_eq!((said.text.trim(), said.is_internal, said.sender), ("Please cancel", false, SenderType::Customer));

        work.updated = true;
        let kinds: Vec<On> = triggers(&work, 0).iter().map(|t| t.event).collect();
        assert_eq!(kinds, [On::MessageAdded, On::Updated]);
        assert!(triggers(&Work::default(), 0).is_empty(), "nothing happened, nothing runs");
    }

    #[test]
    fn a_change_is_logged_one_property_at_a_time() {
        let entry = Entry {
            ticket_id: TicketId(7),
            actor_id: None,
            actor: Actor::Agent,
            system: None,
            rule_id: Some(RuleId(Uuid::nil())),
            action: Did::StatusChanged,
            from: Some(Status::Open),
            to: Some(Status::InProgress),
            reason: None,
            changes: json!({ "assigned_to": [null, "b"], "priority": ["low", "high"] }),
            at: Utc::now(),
        };
        assert_eq!(
            describe("assign_to", &entry),
            [
                json!({ "action": "assign_to", "field": "status", "from": "open", "to": "in_progress" }),
                json!({ "action": "assign_to", "field": "assigned_to", "from": null, "to": "b" }),
                json!({ "action": "assign_to", "field": "priority", "from": "low", "to": "high" }),
            ]
        );
    }
}
