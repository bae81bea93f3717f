//! A change to a ticket, applied: the checked input of a person's (or a macro's) change
//! (`Change`), applied to the ticket loaded under its row lock (`apply`) through the lifecycle's
//! functions, into the record of what the write will save and announce (`Work`). Everything a
//! change may be refused for is a `Refused` here; saving the ticket, routing it, running the
//! rules and writing the events are the writer's (app-api's `commands`), after.

use std::collections::BTreeSet;

use base::FieldError;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::access::Viewer;
use super::events::{Event, SenderType};
use super::fields::{self, Setter};
use super::history::Entry;
use super::lifecycle::{self, Acting, Applied, Edit};
use super::messages::{self, Channel, Message, NewMessage};
use super::refusal::Refused;
use super::status::Status;
use super::store::{self, Ticket};
use crate::ids::{OrganizationId, RuleId, TeamId, UserId};
use crate::{organizations, teams, users};

/// One change to a ticket, as checked input.
#[derive(Debug)]
pub enum Change {
    /// Staff give the ticket to a staff member, or back to the queue (`None`).
    Assign(Option<UserId>),
    /// A move in the state machine.
    Status { to: Status, reason: Option<String> },
    /// A move to `Status` unless the ticket is there already (a macro's status), on an open
    /// ticket.
    Reach(Status),
    /// The status a staff reply sets ("Send and resolve"): `Reach`, except that an open ticket
    /// without an assignee is first given to the sender when the move needs one (resolved,
    /// waiting for the customer).
    Settle(Status),
    /// Staff correct fields.
    Edit(Edit),
    /// Custom fields' values merged in (`null` clears one): staff any, the customer those they
    /// may set.
    Fields(serde_json::Map<String, serde_json::Value>),
    /// A message, or for staff an internal note, with files uploaded before.
    Post(Post),
}

/// A message to add to a ticket's thread, as checked input.
#[derive(Debug)]
pub struct Post {
    /// Sanitised HTML.
    pub text: String,
    pub internal: bool,
    /// Distinct ids of files the caller uploaded to this ticket.
    pub attachment_ids: Vec<i64>,
    /// The received mail it was read from (email in).
    pub inbound_email_id: Option<i64>,
}

/// What a write records and announces for one ticket at its end: the history entries, the
/// events, and what the end of the write must do again (the SLA clock, the search words, the
/// queues' bookkeeping, the range filters).
#[derive(Debug, Default)]
pub struct Work {
    pub entries: Vec<Entry>,
    pub events: Vec<Event>,
    /// The SLA clock's inputs changed: the due dates are measured again.
    pub clock_moved: bool,
    /// A message's words join the thread's search words (and whether it is internal).
    pub words: Option<(String, bool)>,
    /// The assignee when the write began: the staff a reassignment takes the ticket from hear
    /// of it on the live stream too.
    pub assigned_before: Option<UserId>,
    /// The status and team when the write began (none for a new ticket): what routing and the
    /// queues' bookkeeping compare with.
    pub before: Option<(Status, Option<TeamId>)>,
    /// The assignee's turn in the team's round was recorded ahead of the write (app-api's
    /// `turns`), not by it.
    pub turn_taken: bool,
    /// The custom fields' values changed: their number and date values, for the range filters.
    pub ranges: Option<Vec<(String, f64)>>,
    /// Where the change came from, when a person made it (else: where the ticket came from).
    pub channel: Option<Channel>,
    /// Something other than a message changed (what rules on `ticket.updated` run on).
    pub updated: bool,
    /// The time rule whose run made these changes, if one did.
    pub made_by: Option<RuleId>,
}

impl Work {
    /// The work of a change to `ticket` as it was loaded.
    pub fn on(ticket: &Ticket) -> Self {
        Self { assigned_before: ticket.assigned_to, before: Some((ticket.status, ticket.team_id)), ..Self::default() }
    }

    pub fn add(&mut self, applied: Option<Applied>) {
        if let Some(applied) = applied {
            self.entries.push(applied.entry);
            self.events.extend(applied.events);
            self.clock_moved |= applied.clock_moved;
        }
    }

    /// `add`, for a change that is not a message's.
    pub fn changed(&mut self, applied: Option<Applied>) {
        self.updated |= applied.is_some();
        self.add(applied);
    }

    /// Takes in what a rule's run recorded, after what this work recorded.
    pub fn absorb(&mut self, run: Self) {
        self.entries.extend(run.entries);
        self.events.extend(run.events);
        self.clock_moved |= run.clock_moved;
        self.updated |= run.updated;
        if self.words.is_none() {
            self.words = run.words;
        }
        if run.ranges.is_some() {
            self.ranges = run.ranges;
        }
    }

    /// The ticket is being resolved by this write (it was not resolved when the write began).
    fn resolves(&self, ticket: &Ticket) -> bool {
        ticket.status == Status::Resolved && self.before.is_some_and(|(was, _)| was != Status::Resolved)
    }
}

/// Applies `changes` in turn to `ticket` (loaded under its row lock for `viewer`), into `work`;
/// the message one of them added.
pub async fn apply(
    tx: &mut PgConnection,
    viewer: Viewer,
    ticket: &mut Ticket,
    changes: Vec<Change>,
    work: &mut Work,
    now: DateTime<Utc>,
) -> Result<Option<Message>, Refused> {
    let by = viewer.caller();
    let mut added = None;
    for change in changes {
        // A colleague's ticket takes their messages (where the organisation shares comments),
        // nothing else: its status and fields stay its requester's.
        match &change {
            Change::Post(_) => viewer.require_may_post()?,
            _ => viewer.require_requester()?,
        }
        match change {
            Change::Assign(to) => {
                viewer.require_staff()?;
                check_assignee(tx, to).await?;
                work.changed(lifecycle::assign(ticket, to, by, now)?);
            }
            Change::Status { to, reason } => {
                work.changed(Some(lifecycle::set_status(ticket, to, reason, by, now)?));
            }
            Change::Reach(to) => {
                store::ensure_open(ticket)?;
                if ticket.status != to {
                    work.changed(Some(lifecycle::set_status(ticket, to, None, by, now)?));
                }
            }
            Change::Settle(to) => {
                viewer.require_staff()?;
                store::ensure_open(ticket)?;
                let needs_assignee = matches!(to, Status::Resolved | Status::WaitingCustomer);
                if needs_assignee && ticket.status == Status::Open && ticket.assigned_to.is_none() {
                    work.changed(lifecycle::assign(ticket, Some(viewer.id), by, now)?);
                }
                if ticket.status != to {
                    work.changed(Some(lifecycle::set_status(ticket, to, None, by, now)?));
                }
            }
            Change::Edit(edit) => {
                viewer.require_staff()?;
                if let Some(Some(team)) = edit.team_id {
                    check_team(tx, team).await?;
                }
                if let Some(Some(organization)) = edit.organization_id {
                    check_organization(tx, ticket.user_id, organization).await?;
                }
                let acting = Acting::person(viewer.id, by.actor);
                work.changed(lifecycle::edit(ticket, edit, acting, now)?);
            }
            Change::Fields(given) => {
                let defined = fields::all(tx).await?;
                let values =
                    fields::merge(&defined, &ticket.fields, &given, Setter::of(viewer)).map_err(Refused::Invalid)?;
                let ranges = fields::ranges(&defined, &values);
                let acting = Acting::person(viewer.id, by.actor);
                if let Some(applied) = lifecycle::set_fields(ticket, values, acting, now)? {
                    work.ranges = Some(ranges);
                    work.changed(Some(applied));
                }
            }
            Change::Post(post) => added = Some(self::post(tx, viewer, ticket, post, work, now).await?),
        }
    }
    Ok(added)
}

/// Adds `post` to the thread of `ticket` (locked): the message, its files, its event, and what
/// it does to the ticket (`lifecycle::message`).
pub async fn post(
    tx: &mut PgConnection,
    viewer: Viewer,
    ticket: &mut Ticket,
    post: Post,
    work: &mut Work,
    now: DateTime<Utc>,
) -> Result<Message, Refused> {
    if post.internal && !viewer.is_staff() {
        return Err(Refused::NotYours("internal notes are for agents and admins"));
    }
    let (applied, clock_moved) = lifecycle::message(ticket, post.internal, viewer.caller(), now)?;
    let side = SenderType::of(viewer.actor());
    let channel = match (post.inbound_email_id, viewer.role) {
        (Some(_), _) => Channel::Email,
        (None, base::Role::Integration) => Channel::Api,
        (None, _) => Channel::Web,
    };
    work.channel = Some(channel);
    let new = NewMessage {
        ticket_id: ticket.id,
        sender_id: viewer.id,
        sender_type: side,
        text: &post.text,
        is_internal: post.internal,
        channel,
        inbound_email_id: post.inbound_email_id,
        at: now,
    };
    let mut message = messages::insert(tx, &new).await?;
    let files = &post.attachment_ids;
    if !files.is_empty() {
        let attached = messages::attach(tx, files, ticket.id, message.id, viewer.id, post.internal).await?;
        if attached.len() != files.len() {
            return Err(Refused::Field(FieldError::new(
                "attachment_ids",
                "each must be a file you uploaded to this ticket, not yet attached to a message, and as internal as the message",
            )));
        }
        message.attachments = messages::attachments_of(tx, message.id).await?;
    }
    work.events.push(Event::MessageAdded {
        ticket_id: ticket.id,
        ticket_number: ticket.ticket_number.clone(),
        message_id: message.id,
        sender_id: viewer.id,
        sender_type: side,
        is_internal: post.internal,
        has_attachments: !files.is_empty(),
        attachment_count: i64::try_from(files.len()).unwrap_or(i64::MAX),
        attachment_ids: post.attachment_ids,
    });
    work.clock_moved |= clock_moved;
    work.add(applied);
    work.words = Some((post.text, post.internal));
    Ok(message)
}

/// The team a ticket is put in must exist in the tenant.
pub async fn check_team(tx: &mut PgConnection, team: TeamId) -> Result<(), Refused> {
    if teams::exists(tx, team).await? {
        return Ok(());
    }
    Err(Refused::Field(FieldError::new("team_id", "is not a team of this organisation")))
}

/// The customer organisation a ticket is put in must be one of its requester's.
async fn check_organization(
    tx: &mut PgConnection,
    requester: UserId,
    organization: OrganizationId,
) -> Result<(), Refused> {
    if organizations::belongs(tx, requester, organization).await? {
        return Ok(());
    }
    Err(Refused::Field(FieldError::new("organization_id", "must be one of the requester's customer organisations")))
}

/// The assignee must be an active staff member of the tenant.
async fn check_assignee(tx: &mut PgConnection, to: Option<UserId>) -> Result<(), Refused> {
    let Some(assignee) = to else { return Ok(()) };
    if users::assignable(tx, assignee).await? {
        return Ok(());
    }
    Err(Refused::Field(FieldError::new("assigned_to", "is not an active agent or admin of this tenant")))
}

/// A ticket that `work` resolves has every field required to resolve (422 `fields_required`).
pub async fn check_resolvable(tx: &mut PgConnection, ticket: &Ticket, work: &Work) -> Result<(), Refused> {
    if work.resolves(ticket) {
        let missing = fields::missing_to_resolve(&fields::all(tx).await?, &ticket.fields);
        if !missing.is_empty() {
            return Err(Refused::FieldsRequired(missing));
        }
    }
    Ok(())
}

/// The custom fields' values a new ticket opens with, `given` by `viewer` (staff: any field;
/// customers: those they may set), checked against the definitions; with their range values
/// when there are any.
pub async fn opening_fields(
    tx: &mut PgConnection,
    given: &serde_json::Map<String, serde_json::Value>,
    viewer: Viewer,
) -> Result<(serde_json::Value, Option<Vec<(String, f64)>>), Refused> {
    if given.is_empty() {
        return Ok((serde_json::json!({}), None));
    }
    let defined = fields::all(tx).await?;
    let values =
        fields::merge(&defined, &serde_json::json!({}), given, Setter::of(viewer)).map_err(Refused::Invalid)?;
    let ranges = fields::ranges(&defined, &values);
    Ok((values, Some(ranges)))
}

/// The tags a new ticket opens with, checked.
pub fn opening_tags(tags: BTreeSet<String>) -> Result<Vec<String>, Refused> {
    super::tags::initial(tags).map_err(|too_many| Refused::TooManyTags(too_many.to_string()))
}
