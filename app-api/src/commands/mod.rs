//! The commands that write tickets: the one way a ticket is written. A change is a command
//! (`Change`): the ticket is loaded under its row lock as the caller may see it, the pure rules
//! (`lifecycle`) apply it in memory and build its history entries and events, and one
//! transaction saves the ticket, records the entries and writes the events to the outbox; after
//! the commit the worker is hinted. Every route that writes a ticket comes through here
//! (`TicketWriter`), and so will anything that later acts on tickets (macros, mail,
//! integrations); the scheduled jobs end their changes through the same `finish`, which runs
//! the tenant's rules (`rules`) before anything is recorded.

pub mod conversation;
pub mod rules;

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use sav::ids::TeamId;
use sav::macros::{self, Applying, Effect, Reviewed, Values};
use sav::routing::{self, Assignment};
use sav::tickets::access::Viewer;
use sav::tickets::events::{Event, SenderType};
use sav::tickets::fields::{self, Setter};
use sav::tickets::history::{self, Entry};
use sav::tickets::lifecycle::{self, Acting, Applied, Edit};
use sav::tickets::messages::{self, Channel, Message, NewMessage};
use sav::tickets::priority::{self, Facts, Priority};
use sav::tickets::refusal::Refused;
use sav::tickets::status::Status;
use sav::tickets::store::{self, NewTicket, Ticket};
use sav::tickets::{content, intake, merging, sla_by_condition, sla_default, tags};
use sav::users;
use sav::{teams, ticket_settings};
use shared::auth::Role;
use shared::error::{ApiError, ApiResult, FieldError};
use sqlx::{Connection as _, PgConnection, Postgres, Transaction};
use uuid::Uuid;

use crate::attachments;
use crate::context::TenantContext;
use crate::events::metrics::RoutingMetrics;
use crate::events::{Events, outbox};
use crate::refusals::{Answer as _, Answered as _};
use crate::state::AppState;
use crate::tenancy::pools::TenantConnection;
use crate::tenancy::resolve::Tenant;
use crate::tenancy::{Tenancy, TenantDb};
use crate::turns::RoundRobinTurns;

/// One change to a ticket, as checked input.
#[derive(Debug)]
pub enum Change {
    /// Staff give the ticket to a staff member, or back to the queue (`None`).
    Assign(Option<Uuid>),
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

/// A new ticket, as checked input.
#[derive(Debug)]
pub struct Opening {
    pub subject: String,
    pub description: String,
    pub category: Option<String>,
    pub order_id: Option<i64>,
    /// Chosen by the caller: honoured for staff only.
    pub priority: Option<Priority>,
    pub metadata: serde_json::Value,
    /// Staff only: the customer it is for (default: the caller).
    pub requester: Option<Requester>,
    /// Staff only: where it came from (`web` or `phone`; default: where the request came from).
    pub channel: Option<Channel>,
    /// Staff only: the requester is told of it as if they had opened it.
    pub notify_requester: bool,
    /// Staff only: the team whose queue it joins (routed there, `sav::routing`).
    pub team_id: Option<TeamId>,
    /// Staff only: its tags, checked (`tags`).
    pub tags: BTreeSet<String>,
    /// Its custom fields' values (staff: any field; customers: those they may set), checked in
    /// the write against the definitions (`sav::tickets::fields::merge`).
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// The people a new mail copied (email in), not our own addresses: its `cc` participants,
    /// `(address, name)`.
    pub copied: Vec<(String, String)>,
}

/// The customer a ticket opened by staff is for.
#[derive(Debug)]
pub enum Requester {
    /// A member of the organisation, by id.
    Member(Uuid),
    /// The member an address named, found or made on the control plane just now: written to the
    /// tenant's copy of its members in the ticket's transaction.
    Joined(tenant_schema::members::Member),
}

impl Requester {
    fn id(&self) -> Uuid {
        match self {
            Self::Member(id) => *id,
            Self::Joined(member) => member.id,
        }
    }
}

/// Why a change was not written: a refusal of the ticket layer, kept as such for callers that act
/// on it (email in opens a new ticket when the one a mail answers is closed), or any other error.
#[derive(Debug)]
pub enum Unwritten {
    Refused(Refused),
    Failed(ApiError),
}

impl From<Refused> for Unwritten {
    fn from(refused: Refused) -> Self {
        Self::Refused(refused)
    }
}

impl From<ApiError> for Unwritten {
    fn from(err: ApiError) -> Self {
        Self::Failed(err)
    }
}

impl From<sqlx::Error> for Unwritten {
    fn from(err: sqlx::Error) -> Self {
        Self::Failed(err.into())
    }
}

impl From<Unwritten> for ApiError {
    fn from(unwritten: Unwritten) -> Self {
        match unwritten {
            Unwritten::Refused(refused) => refused.answer(),
            Unwritten::Failed(err) => err,
        }
    }
}

/// What a write left: the caller, the ticket as it is now, and the message it added.
#[derive(Debug)]
pub struct Written {
    pub viewer: Viewer,
    pub ticket: Ticket,
    pub message: Option<Message>,
}

/// What a merge left: the target as written, what moved into it, and every ticket merged into it
/// so far, oldest first.
#[derive(Debug)]
pub struct Merged {
    pub written: Written,
    pub moved: merging::Moved,
    pub merged_from: Vec<i64>,
}

/// What a transaction records and announces for one ticket at its end.
#[derive(Debug, Default)]
pub(crate) struct Work {
    entries: Vec<Entry>,
    events: Vec<Event>,
    /// The SLA clock's inputs changed: the due dates are measured again.
    clock_moved: bool,
    /// A message's words join the thread's search words (and whether it is internal).
    words: Option<(String, bool)>,
    /// The assignee when the write began: the staff a reassignment takes the ticket from hear
    /// of it on the live stream too.
    assigned_before: Option<Uuid>,
    /// The status and team when the write began (none for a new ticket): what routing and the
    /// queues' bookkeeping compare with.
    before: Option<(Status, Option<TeamId>)>,
    /// The assignee's turn in the team's round was recorded ahead of the write
    /// (`crate::turns`), not by it.
    turn_taken: bool,
    /// The custom fields' values changed: their number and date values, for the range filters.
    ranges: Option<Vec<(String, f64)>>,
    /// Where the change came from, when a person made it (else: where the ticket came from).
    channel: Option<Channel>,
    /// Something other than a message changed (what rules on `ticket.updated` run on).
    updated: bool,
    /// The time rule whose run made these changes, if one did.
    made_by: Option<Uuid>,
}

impl Work {
    /// The work of a change to `ticket` as it was loaded.
    pub(crate) fn on(ticket: &Ticket) -> Self {
        Self { assigned_before: ticket.assigned_to, before: Some((ticket.status, ticket.team_id)), ..Self::default() }
    }

    pub(crate) fn add(&mut self, applied: Option<Applied>) {
        if let Some(applied) = applied {
            self.entries.push(applied.entry);
            self.events.extend(applied.events);
            self.clock_moved |= applied.clock_moved;
        }
    }

    /// `add`, for a change that is not a message's.
    pub(crate) fn changed(&mut self, applied: Option<Applied>) {
        self.updated |= applied.is_some();
        self.add(applied);
    }

    /// Takes in what a rule's run recorded (`rules`), after what this work recorded.
    fn absorb(&mut self, run: Self) {
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
}

/// The way handlers write the tickets of the request's tenant.
pub struct TicketWriter {
    db: TenantDb,
    events: Arc<Events>,
    turns: Arc<RoundRobinTurns>,
    user_id: Uuid,
}

impl TicketWriter {
    /// Writes as `user_id` of `tenant` outside a request (email in acts as the mail's sender).
    pub fn acting(state: &AppState, tenant: Arc<Tenant>, user_id: Uuid) -> Self {
        Self {
            db: state.tenancy.db(tenant),
            events: Arc::clone(&state.events),
            turns: Arc::clone(&state.turns),
            user_id,
        }
    }
}

impl<S> FromRequestParts<S> for TicketWriter
where
    Arc<Tenancy>: FromRef<S>,
    Arc<Events>: FromRef<S>,
    Arc<RoundRobinTurns>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let context = TenantContext::from_request_parts(parts, state).await?;
        let db = Arc::<Tenancy>::from_ref(state).db(context.tenant);
        Ok(Self {
            db,
            events: Arc::<Events>::from_ref(state),
            turns: Arc::<RoundRobinTurns>::from_ref(state),
            user_id: context.user_id,
        })
    }
}

impl TicketWriter {
    /// A connection to the tenant's database, for the writes of one request.
    pub async fn connect(&self) -> ApiResult<TenantConnection> {
        self.db.connect().await
    }

    /// Who writes.
    pub fn user_id(&self) -> Uuid {
        self.user_id
    }

    /// The organisation written to.
    pub fn tenant(&self) -> &Arc<Tenant> {
        self.db.tenant()
    }

    /// Applies `changes` to ticket `id` for the caller, all or none, in a transaction of its own.
    pub async fn change(&self, db: &mut PgConnection, id: i64, changes: Vec<Change>) -> ApiResult<Written> {
        Ok(self.try_change(db, id, changes).await?)
    }

    /// `change`, with the ticket layer's refusal kept typed.
    pub async fn try_change(&self, db: &mut PgConnection, id: i64, changes: Vec<Change>) -> Result<Written, Unwritten> {
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let done = self.change_in(&mut tx, id, changes, now).await;
        self.settle(tx, done).await
    }

    /// Applies a macro, read for the caller by `Access::macro_to_apply`, to ticket `id` as the
    /// agent `reviewed` it: its assignment, message, status, priority and tags, in that order and
    /// all or none.
    pub async fn apply_macro(
        &self,
        db: &mut PgConnection,
        id: i64,
        viewer: Viewer,
        applying: Applying,
        reviewed: Reviewed,
    ) -> ApiResult<Written> {
        let changes = macro_changes(db, id, viewer, &applying, reviewed).await?;
        self.change(db, id, changes).await
    }

    /// What applying the macro to ticket `id` would do, written nowhere: the changes are tried
    /// on the ticket in a transaction that is rolled back, so a change the apply would refuse is
    /// refused here as it would be there; nothing is recorded, announced or routed.
    pub async fn preview_macro(
        &self,
        db: &mut PgConnection,
        id: i64,
        viewer: Viewer,
        applying: Applying,
    ) -> ApiResult<macros::Preview> {
        let changes = macro_changes(db, id, viewer, &applying, Reviewed::default()).await?;
        let filled = applying.chosen.body.as_deref().zip(applying.values.as_ref()).map(|(template, values)| {
            let (customer, number, agent) = values;
            macros::fill(
                template,
                Values { customer_firstname: customer, ticket_number: number, agent_firstname: agent },
            )
        });
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let tried = self.try_changes(&mut tx, id, changes, now).await;
        let _ = tx.rollback().await;
        let before = tried?;
        let current = (before.status, before.priority, before.assigned_to, before.tags.as_slice());
        Ok(macros::Preview::of(&applying.chosen, viewer.id, filled, current))
    }

    /// Applies `changes` to ticket `id` in `tx` as `change_in` would, up to the check of the
    /// fields required to resolve, and records nothing; the ticket as it was before.
    async fn try_changes(
        &self,
        tx: &mut PgConnection,
        id: i64,
        changes: Vec<Change>,
        now: DateTime<Utc>,
    ) -> Result<Ticket, Unwritten> {
        let (viewer, mut ticket) = store::visible(tx, self.user_id, id, true).await?;
        let before = ticket.clone();
        let mut work = Work::on(&ticket);
        apply_in(tx, viewer, &mut ticket, changes, &mut work, now).await?;
        check_resolvable(tx, &ticket, &work).await?;
        Ok(before)
    }

    /// Opens a ticket for the caller (or, for staff, a customer they name); returns it with the
    /// connection it was written with, for the reads of the answer. A round robin's turn is taken
    /// first, holding no connection meanwhile (`crate::turns`).
    pub async fn open(&self, opening: Opening) -> ApiResult<(Written, TenantConnection)> {
        let turn = match opening.team_id {
            Some(team) => self.turns.take(&self.db, team, self.user_id).await,
            None => None,
        };
        let mut db = self.connect().await?;
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let done = self.open_in(&mut tx, opening, turn, now).await;
        let written = self.settle(tx, done).await?;
        Ok((written, db))
    }

    /// Folds `sources` into ticket `target`: their threads move there and each is closed. Only
    /// owners and admins merge tickets of different customers.
    pub async fn merge(
        &self,
        db: &mut PgConnection,
        target: i64,
        sources: &[i64],
        different_customers: bool,
    ) -> ApiResult<Merged> {
        if different_customers {
            Viewer::load(db, self.user_id)
                .await
                .answered()?
                .require_admin()
                .map_err(|_| ApiError::forbidden("only owners and admins may merge tickets of different customers"))?;
        }
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let done = self.merge_in(&mut tx, target, sources, different_customers, now).await;
        let (written, moved) = self.settle(tx, done).await?;
        let (merged_from, _) = merging::links(db, target).await?;
        Ok(Merged { written, moved, merged_from })
    }

    /// Commits `tx` after work `done` (then hints the worker when asked), or rolls it back.
    async fn settle<T, E: From<sqlx::Error>>(
        &self,
        tx: Transaction<'_, Postgres>,
        done: Result<(T, bool), E>,
    ) -> Result<T, E> {
        match done {
            Ok((done, hint)) => {
                tx.commit().await?;
                if hint {
                    self.events.hints.hint(self.db.tenant());
                }
                Ok(done)
            }
            Err(err) => {
                // Now: the row locks must not wait for the connection's next use.
                let _ = tx.rollback().await;
                Err(err)
            }
        }
    }

    async fn change_in(
        &self,
        tx: &mut PgConnection,
        id: i64,
        changes: Vec<Change>,
        now: DateTime<Utc>,
    ) -> Result<(Written, bool), Unwritten> {
        let (viewer, mut ticket) = store::visible(tx, self.user_id, id, true).await?;
        let mut work = Work::on(&ticket);
        work.channel = Some(if viewer.role == Role::Integration { Channel::Api } else { Channel::Web });
        let added = apply_in(tx, viewer, &mut ticket, changes, &mut work, now).await?;
        if let Some(trigger) = Trigger::of(work.before, work.assigned_before, &ticket) {
            self.route(tx, &mut ticket, trigger, &mut work, now).await?;
        }
        let hint = finish(tx, self.db.tenant(), &self.events, &mut ticket, work, now).await?;
        Ok((Written { viewer, ticket, message: added }, hint))
    }

    /// Opens the ticket in `tx`; `turn`: the member whose turn in the ticket's team was taken for
    /// it ahead of the write (`crate::turns`).
    async fn open_in(
        &self,
        tx: &mut PgConnection,
        opening: Opening,
        turn: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> ApiResult<(Written, bool)> {
        let viewer = Viewer::load(tx, self.user_id).await.answered()?;
        if let Some(Requester::Joined(member)) = &opening.requester {
            tenant_schema::members::upsert(tx, member).await?;
        }
        let customer =
            intake::customer_of(tx, viewer, opening.requester.as_ref().map(Requester::id)).await.answered()?;
        if viewer.role == Role::Customer {
            intake::check_order_number(ticket_settings::order_number(tx).await?, opening.order_id).answered()?;
        }
        let facts = intake::facts(tx, customer.id, opening.category.as_deref(), opening.order_id).await?;
        let priority = priority::initial(&Facts {
            category: opening.category.as_deref(),
            order_total: facts.order_total.as_ref().map(|(cents, currency)| (*cents, currency.as_str())),
            vip: customer.vip,
            same_category_before: facts.same_category_before,
            chosen_by_staff: opening.priority.filter(|_| viewer.is_staff()),
        });
        let team_id = opening.team_id.filter(|_| viewer.is_staff());
        // Decided before the insert, so the ticket is written once, in the state it opens in. A
        // turn taken ahead found the team (and the caller on its staff): nothing to check.
        let routed_to = match (team_id, turn) {
            (Some(_), Some(member)) => {
                self.events.routing.decided(Assignment::RoundRobin.as_str(), "assigned");
                Some(member)
            }
            (Some(team), None) => {
                check_team(tx, team).await?;
                self.choose(tx, team, Trigger::Entered, None).await?
            }
            (None, _) => None,
        };
        let tags = if viewer.is_staff() { opening.tags } else { BTreeSet::new() };
        let (values, ranges) = if opening.fields.is_empty() {
            (serde_json::json!({}), None)
        } else {
            let defined = fields::all(tx).await?;
            let values = fields::merge(&defined, &serde_json::json!({}), &opening.fields, Setter::of(viewer))
                .map_err(ApiError::invalid)?;
            let ranges = fields::ranges(&defined, &values);
            (values, Some(ranges))
        };
        let state = lifecycle::opening_state(routed_to);
        let channel = match (viewer.role, opening.metadata.get("channel").and_then(serde_json::Value::as_str)) {
            (_, Some("email")) => Channel::Email,
            (Role::Integration, _) => Channel::Api,
            _ if viewer.is_staff() => opening.channel.unwrap_or(Channel::Web),
            _ => Channel::Web,
        };
        let new = NewTicket {
            channel,
            team_id,
            status: state.status,
            assigned_to: state.assignee,
            tags: tags::initial(tags).map_err(|too_many| Refused::TooManyTags(too_many.to_string())).answered()?,
            user_id: customer.id,
            subject: opening.subject,
            description: opening.description,
            priority,
            category: opening.category,
            order_id: opening.order_id,
            metadata: opening.metadata,
            fields: values,
        };
        let policy = sla_default::current(tx).await?;
        let matched_on = sla_by_condition::Facts {
            priority: new.priority,
            team_id: new.team_id,
            tags: &new.tags,
            category: new.category.as_deref(),
            customer: new.user_id,
        };
        let applied = sla_by_condition::matching(tx, &matched_on).await?;
        let mut ticket = store::insert(tx, &new, &policy, applied.as_ref(), now)
            .await?
            .ok_or_else(|| ApiError::internal("five ticket numbers drawn in a row were taken"))?;
        let mut work = Work {
            ranges,
            turn_taken: turn.is_some() && routed_to.is_some(),
            channel: Some(channel),
            ..Work::default()
        };
        // Staff opening a ticket for a customer tell them only when asked to.
        let told = !viewer.is_staff() || customer.id == viewer.id || opening.notify_requester;
        for mut applied in
            lifecycle::opened(&ticket, routed_to, Acting::person(viewer.id, viewer.actor()), now).answered()?
        {
            for event in &mut applied.events {
                if let Event::TicketCreated { requester_notified, .. } = event {
                    *requester_notified = told;
                }
            }
            work.add(Some(applied));
        }
        if !opening.copied.is_empty() {
            let acting = Acting::person(viewer.id, viewer.actor());
            work.add(conversation::copy_on_opening(tx, &mut ticket, opening.copied, acting, now).await?);
        }
        let hint = finish(tx, self.db.tenant(), &self.events, &mut ticket, work, now).await?;
        Ok((Written { viewer, ticket, message: None }, hint))
    }

    async fn merge_in(
        &self,
        tx: &mut PgConnection,
        target_id: i64,
        source_ids: &[i64],
        different_customers: bool,
        now: DateTime<Utc>,
    ) -> ApiResult<((Written, merging::Moved), bool)> {
        // Locked in id order: merges that share tickets wait for each other instead of deadlocking.
        let mut ids = source_ids.to_vec();
        ids.push(target_id);
        ids.sort_unstable();
        let (mut target, mut sources, mut viewer) = (None, Vec::with_capacity(source_ids.len()), None);
        for id in ids {
            let (seen_by, ticket) = store::visible(tx, self.user_id, id, true).await.answered()?;
            store::ensure_open(&ticket).answered()?;
            viewer = Some(seen_by);
            if id == target_id { target = Some(ticket) } else { sources.push(ticket) }
        }
        let (Some(viewer), Some(mut target)) = (viewer, target) else {
            return Err(ApiError::internal("the target was locked with the sources"));
        };
        viewer.require_staff().answered()?;
        if !different_customers && sources.iter().any(|s| s.user_id != target.user_id) {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "different_customers",
                "these tickets are about different customers; an admin may merge them with allow_different_customers",
            ));
        }
        let moved = merging::move_threads(tx, target.id, source_ids).await?;
        let closing = format!("merged into {}", target.ticket_number);
        for source in &mut sources {
            let mut work = Work::on(source);
            work.changed(Some(lifecycle::close(source, closing.clone(), now).answered()?));
            finish(tx, self.db.tenant(), &self.events, source, work, now).await?;
        }
        let acting = Acting::person(viewer.id, viewer.actor());
        let mut work = Work::on(&target);
        work.changed(Some(lifecycle::merged(&mut target, &sources, acting, now)));
        finish(tx, self.db.tenant(), &self.events, &mut target, work, now).await?;
        Ok(((Written { viewer, ticket: target, message: None }, moved), true))
    }
}

impl TicketWriter {
    /// Routes `ticket` in its team, in the write's transaction (`sav::routing`): assigns it to the
    /// member chosen, or leaves it waiting in the queue (or, reopened, with its assignee).
    async fn route(
        &self,
        tx: &mut PgConnection,
        ticket: &mut Ticket,
        trigger: Trigger,
        work: &mut Work,
        now: DateTime<Utc>,
    ) -> Result<(), Unwritten> {
        let Some(team) = ticket.team_id else { return Ok(()) };
        if let Some(to) = self.choose(tx, team, trigger, ticket.assigned_to).await? {
            work.add(lifecycle::route(ticket, to, now)?);
        }
        Ok(())
    }

    /// The member routing gives a ticket of `team` (`choose`).
    async fn choose(
        &self,
        tx: &mut PgConnection,
        team: TeamId,
        trigger: Trigger,
        assignee: Option<Uuid>,
    ) -> sqlx::Result<Option<Uuid>> {
        choose(tx, &self.events.routing, team, trigger, assignee).await
    }
}

/// The member routing gives a ticket of `team` that `trigger` routes (held by `assignee`),
/// chosen under the team's lock: `None` when it waits in the queue, stays with its assignee
/// (reopened) or the team is not routed. Counted in the routing metrics.
async fn choose(
    tx: &mut PgConnection,
    metrics: &RoutingMetrics,
    team: TeamId,
    trigger: Trigger,
    assignee: Option<Uuid>,
) -> sqlx::Result<Option<Uuid>> {
    let Some(rule) = routing::lock_team(tx, team).await? else { return Ok(None) };
    if !rule.assignment.routes() {
        return Ok(None);
    }
    let candidates = routing::candidates(tx, team, rule).await?;
    let passed_over = match trigger {
        Trigger::Entered => None,
        Trigger::Unassigned { from } => Some(from),
        Trigger::Reopened => {
            if candidates.iter().any(|c| Some(c.user_id) == assignee) {
                // Available and still a member: it stays theirs.
                return Ok(None);
            }
            assignee
        }
    };
    let mode = rule.assignment.as_str();
    let chosen = routing::choose(rule, &candidates, passed_over);
    metrics.decided(
        mode,
        match chosen {
            Some(_) => "assigned",
            None if trigger == Trigger::Reopened => "kept",
            None => "waiting",
        },
    );
    Ok(chosen)
}

/// Why a write routes its ticket: it entered a team's queue (created in a team, moved to one),
/// was taken from its assignee (never given back to them), or was reopened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    Entered,
    Unassigned { from: Uuid },
    Reopened,
}

impl Trigger {
    /// The trigger of a change of `ticket` that began in status and team `before` with
    /// `assigned_before`, if it routes.
    fn of(before: Option<(Status, Option<TeamId>)>, assigned_before: Option<Uuid>, ticket: &Ticket) -> Option<Self> {
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
}

/// The team a ticket is put in must exist in the tenant.
async fn check_team(tx: &mut PgConnection, team: TeamId) -> ApiResult<()> {
    if teams::exists(tx, team).await? {
        return Ok(());
    }
    Err(ApiError::invalid(vec![FieldError::new("team_id", "is not a team of this organisation")]))
}

/// The assignee must be an active staff member of the tenant.
/// Applies `changes` in turn to `ticket` (loaded under its row lock for `viewer`), into `work`;
/// the message one of them added.
async fn apply_in(
    tx: &mut PgConnection,
    viewer: Viewer,
    ticket: &mut Ticket,
    changes: Vec<Change>,
    work: &mut Work,
    now: DateTime<Utc>,
) -> Result<Option<Message>, Unwritten> {
    let by = viewer.caller();
    let mut added = None;
    for change in changes {
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
                let acting = Acting::person(viewer.id, by.actor);
                work.changed(lifecycle::edit(ticket, edit, acting, now)?);
            }
            Change::Fields(given) => {
                let defined = fields::all(tx).await?;
                let values =
                    fields::merge(&defined, &ticket.fields, &given, Setter::of(viewer)).map_err(ApiError::invalid)?;
                let ranges = fields::ranges(&defined, &values);
                let acting = Acting::person(viewer.id, by.actor);
                if let Some(applied) = lifecycle::set_fields(ticket, values, acting, now)? {
                    work.ranges = Some(ranges);
                    work.changed(Some(applied));
                }
            }
            Change::Post(post) => added = Some(post_in(tx, viewer, ticket, post, work, now).await?),
        }
    }
    Ok(added)
}

async fn check_assignee(tx: &mut PgConnection, to: Option<Uuid>) -> ApiResult<()> {
    let Some(assignee) = to else { return Ok(()) };
    if users::assignable(tx, assignee).await? {
        return Ok(());
    }
    Err(ApiError::invalid(vec![FieldError::new("assigned_to", "is not an active agent or admin of this tenant")]))
}

/// Adds `post` to the thread of `ticket` (locked): the message, its files, its event, and what
/// it does to the ticket (`lifecycle::message`).
async fn post_in(
    tx: &mut PgConnection,
    viewer: Viewer,
    ticket: &mut Ticket,
    post: Post,
    work: &mut Work,
    now: DateTime<Utc>,
) -> Result<Message, Unwritten> {
    if post.internal && !viewer.is_staff() {
        return Err(ApiError::forbidden("internal notes are for agents and admins").into());
    }
    let (applied, clock_moved) = lifecycle::message(ticket, post.internal, viewer.caller(), now)?;
    let side = SenderType::of(viewer.actor());
    let channel = match (post.inbound_email_id, viewer.role) {
        (Some(_), _) => Channel::Email,
        (None, Role::Integration) => Channel::Api,
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
        let attached =
            attachments::store::attach_to_message(tx, files, ticket.id, message.id, viewer.id, post.internal).await?;
        if attached.len() != files.len() {
            return Err(ApiError::invalid(vec![FieldError::new(
                "attachment_ids",
                "each must be a file you uploaded to this ticket, not yet attached to a message, and as internal as the message",
            )])
            .into());
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

/// What a write does to the teams' queues: the assignee's place in the round, the time the
/// ticket began to wait, and a wake of the teams of a member whose load fell.
async fn queues(tx: &mut PgConnection, ticket: &mut Ticket, work: &Work, now: DateTime<Utc>) -> sqlx::Result<()> {
    let (status_before, team_before) = work.before.unzip();
    if let (Some(team), Some(member)) = (ticket.team_id, ticket.assigned_to)
        && ticket.assigned_to != work.assigned_before
        && !work.turn_taken
    {
        routing::assigned(tx, team, member).await?;
    }
    let waiting = ticket.status == Status::Open && ticket.team_id.is_some();
    let waited = status_before == Some(Status::Open) && team_before.flatten() == ticket.team_id;
    ticket.queued_at = match (waiting, waited) {
        (true, true) => ticket.queued_at.or(Some(now)),
        (true, false) => Some(now),
        (false, _) => None,
    };
    if let Some(member) = work.assigned_before
        && status_before == Some(Status::InProgress)
        && (ticket.status != Status::InProgress || ticket.assigned_to != Some(member))
    {
        routing::wake_teams_of(tx, member, now).await?;
    }
    Ok(())
}

/// The end of every ticket write, in its transaction: the history entries (which the SLA clock
/// reads), the due dates measured again when the clock's inputs changed, the ticket saved, the
/// events written to the outbox. True when the worker has something to do (events to relay, due
/// dates that moved): the caller hints it after the commit.
/// A ticket that `work` resolves has every field required to resolve (422 `fields_required`).
async fn check_resolvable(tx: &mut PgConnection, ticket: &Ticket, work: &Work) -> ApiResult<()> {
    let resolving = ticket.status == Status::Resolved && work.before.is_some_and(|(was, _)| was != Status::Resolved);
    if resolving {
        let missing = fields::missing_to_resolve(&fields::all(tx).await?, &ticket.fields);
        if !missing.is_empty() {
            return Err(fields::required_to_resolve(missing).answer());
        }
    }
    Ok(())
}

/// The changes of macro `applying` on ticket `id` as `viewer` sends it, `reviewed`: the
/// assignment, the message (the reviewed text, else the template filled), the status, then the
/// priority and tags in one edit; the changes taken out left out.
async fn macro_changes(
    db: &mut PgConnection,
    id: i64,
    viewer: Viewer,
    applying: &Applying,
    reviewed: Reviewed,
) -> ApiResult<Vec<Change>> {
    let chosen = &applying.chosen;
    let kept = |effect| !reviewed.skip.contains(&effect);
    let mut changes = Vec::with_capacity(4);
    if let Some(assignment) = chosen.assign_to.filter(|_| kept(Effect::AssignedTo)) {
        changes.push(Change::Assign(assignment.assignee(viewer.id)));
    }
    let text = match (reviewed.message, &chosen.body) {
        (Some(text), _) => Some(content::rich_text("message", &text, true).map_err(|e| ApiError::invalid(vec![e]))?),
        (None, Some(template)) => {
            let Some((customer, number, agent)) = &applying.values else {
                return Err(store::missing(db, viewer.id, id).await.answer());
            };
            let values = Values { customer_firstname: customer, ticket_number: number, agent_firstname: agent };
            Some(macros::message(template, values).map_err(|e| ApiError::invalid(vec![e]))?)
        }
        (None, None) => None,
    };
    if let Some(text) = text {
        changes.push(Change::Post(Post {
            text,
            internal: chosen.is_internal,
            attachment_ids: Vec::new(),
            inbound_email_id: None,
        }));
    }
    if let Some(status) = chosen.status.filter(|_| kept(Effect::Status)) {
        changes.push(Change::Reach(status));
    }
    let priority = chosen.priority.filter(|_| kept(Effect::Priority));
    let add: BTreeSet<String> =
        if kept(Effect::AddTags) { chosen.add_tags.iter().cloned().collect() } else { BTreeSet::new() };
    if priority.is_some() || !add.is_empty() {
        let tags =
            Some(add).filter(|add| !add.is_empty()).map(|add| tags::Change::Adjust { add, remove: BTreeSet::new() });
        changes.push(Change::Edit(Edit { priority, tags, ..Edit::default() }));
    }
    Ok(changes)
}

pub(crate) async fn finish(
    tx: &mut PgConnection,
    tenant: &Tenant,
    events: &Events,
    ticket: &mut Ticket,
    mut work: Work,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    rules::run(tx, tenant, events, ticket, &mut work, now).await?;
    check_resolvable(tx, ticket, &work).await?;
    history::record(tx, &work.entries).await?;
    queues(tx, ticket, &work, now).await?;
    if work.clock_moved {
        store::refresh_sla(tx, ticket, now).await?;
    }
    match &work.words {
        Some((text, internal)) => store::save_with_message(tx, ticket, text, *internal).await?,
        None => store::save(tx, ticket).await?,
    }
    if let Some(ranges) = &work.ranges {
        fields::write_ranges(tx, ticket.id, ranges).await?;
    }
    let mut staff: Vec<Uuid> = ticket.assigned_to.into_iter().chain(work.assigned_before).collect();
    staff.dedup();
    // An unassigned ticket that changed queues (another team, or taken by someone) left one.
    let left_queue = match work.before {
        Some((_, team))
            if work.assigned_before.is_none() && (team != ticket.team_id || ticket.assigned_to.is_some()) =>
        {
            Some(outbox::Queue { team })
        }
        _ => None,
    };
    let audience = outbox::Audience { customer: ticket.user_id, staff, team: ticket.team_id, left_queue };
    outbox::enqueue(tx, tenant, now, &work.events, &audience).await?;
    Ok(!work.events.is_empty() || work.clock_moved)
}
