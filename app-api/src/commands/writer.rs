//! The way handlers, mail and the jobs write tickets (`TicketWriter`): the ticket is loaded
//! under its row lock as the caller may see it, the domain applies the change
//! (`sav::tickets::change`), routing decides where it goes (`sav::routing`), and the write ends in
//! `finish`, which runs the tenant's rules and saves, records and announces it in the same
//! transaction; after the commit the worker is hinted.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use sav::ids::{OrganizationId, TeamId, TicketId, UserId};
use sav::macros::{self, Applying, Effect, Reviewed, Values};
use sav::organizations;
use sav::routing::{self, Assignment, Trigger};
use sav::ticket_settings;
use sav::tickets::access::Viewer;
use sav::tickets::change::{self, Change, Post, Work};
use sav::tickets::events::Event;
use sav::tickets::lifecycle::{self, Acting, Edit};
use sav::tickets::messages::{Channel, Message};
use sav::tickets::priority::{self, Facts, Priority};
use sav::tickets::refusal::Refused;
use sav::tickets::store::{self, NewTicket, Ticket};
use sav::tickets::{content, intake, merging, participants, tags};
use shared::auth::Role;
use shared::error::{ApiError, ApiResult, FieldError};
use sqlx::{PgConnection, Postgres, Transaction};

use super::finish::{Unwritten, finish};
use crate::context::TenantContext;
use crate::events::Events;
use crate::refusals::{Answer as _, Answered as _};
use crate::state::AppState;
use crate::tenancy::pools::TenantConnection;
use crate::tenancy::resolve::Tenant;
use crate::tenancy::{Tenancy, TenantDb};
use crate::turns::RoundRobinTurns;

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
    /// One of the requester's customer organisations (`None`: their primary, if any).
    pub organization_id: Option<OrganizationId>,
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
    Member(UserId),
    /// The member an address named, found or made on the control plane just now: written to the
    /// tenant's copy of its members in the ticket's transaction.
    Joined(tenant_schema::members::Member),
}

impl Requester {
    fn id(&self) -> UserId {
        match self {
            Self::Member(id) => *id,
            Self::Joined(member) => UserId(member.id),
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
    pub merged_from: Vec<TicketId>,
}

/// The way handlers write the tickets of the request's tenant.
pub struct TicketWriter {
    pub(super) db: TenantDb,
    pub(super) events: Arc<Events>,
    turns: Arc<RoundRobinTurns>,
    pub(super) user_id: UserId,
}

impl TicketWriter {
    /// Writes as `user_id` of `tenant` outside a request (email in acts as the mail's sender).
    pub fn acting(state: &AppState, tenant: Arc<Tenant>, user_id: UserId) -> Self {
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
    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    /// The organisation written to.
    pub fn tenant(&self) -> &Arc<Tenant> {
        self.db.tenant()
    }

    /// Applies `changes` to ticket `id` for the caller, all or none, in a transaction of its own.
    pub async fn change(&self, db: &mut TenantConnection, id: TicketId, changes: Vec<Change>) -> ApiResult<Written> {
        Ok(self.try_change(db, id, changes).await?)
    }

    /// `change`, with the ticket layer's refusal kept typed.
    pub async fn try_change(
        &self,
        db: &mut TenantConnection,
        id: TicketId,
        changes: Vec<Change>,
    ) -> Result<Written, Unwritten> {
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
        db: &mut TenantConnection,
        id: TicketId,
        viewer: Viewer,
        applying: Applying,
        reviewed: Reviewed,
    ) -> ApiResult<Written> {
        let changes = macro_changes(&mut *db.begin().await?, id, viewer, &applying, reviewed).await?;
        self.change(db, id, changes).await
    }

    /// What applying the macro to ticket `id` would do, written nowhere: the changes are tried
    /// on the ticket in a transaction that is rolled back, so a change the apply would refuse is
    /// refused here as it would be there; nothing is recorded, announced or routed.
    pub async fn preview_macro(
        &self,
        db: &mut TenantConnection,
        id: TicketId,
        viewer: Viewer,
        applying: Applying,
    ) -> ApiResult<macros::Preview> {
        let mut tx = db.begin().await?;
        let changes = macro_changes(&mut tx, id, viewer, &applying, Reviewed::default()).await?;
        let filled = applying.chosen.body.as_deref().zip(applying.values.as_ref()).map(|(template, values)| {
            let (customer, number, agent) = values;
            macros::fill(
                template,
                Values { customer_firstname: customer, ticket_number: number, agent_firstname: agent },
            )
        });
        let now = Utc::now();
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
        id: TicketId,
        changes: Vec<Change>,
        now: DateTime<Utc>,
    ) -> Result<Ticket, Unwritten> {
        let (viewer, mut ticket) = store::visible(tx, self.user_id, id, true).await?;
        let before = ticket.clone();
        let mut work = Work::on(&ticket);
        change::apply(tx, viewer, &mut ticket, changes, &mut work, now).await?;
        change::check_resolvable(tx, &ticket, &work).await?;
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
        let number = Self::take_number(&mut db).await?;
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let done = self.open_in(&mut tx, opening, turn, number, now).await;
        let written = self.settle(tx, done).await?;
        Ok((written, db))
    }

    /// Folds `sources` into ticket `target`: their threads move there and each is closed. Only
    /// owners and admins merge tickets of different customers.
    pub async fn merge(
        &self,
        db: &mut TenantConnection,
        target: TicketId,
        sources: &[TicketId],
        different_customers: bool,
    ) -> ApiResult<Merged> {
        if different_customers {
            Viewer::load(&mut *db.begin().await?, self.user_id)
                .await
                .answered()?
                .require_admin()
                .map_err(|_| ApiError::forbidden("only owners and admins may merge tickets of different customers"))?;
        }
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let done = self.merge_in(&mut tx, target, sources, different_customers, now).await;
        let (written, moved) = self.settle(tx, done).await?;
        let (merged_from, _) = merging::links(&mut *db.begin().await?, target).await?;
        Ok(Merged { written, moved, merged_from })
    }

    /// A new ticket's number, in a short transaction of its own committed before the ticket's: the
    /// counter's row lock is not held while the ticket is written.
    pub(super) async fn take_number(db: &mut TenantConnection) -> sqlx::Result<String> {
        let mut tx = db.begin().await?;
        let number = store::take_ticket_number(&mut tx).await?;
        tx.commit().await?;
        Ok(number)
    }

    /// Commits `tx` after work `done` (then hints the worker when asked), or rolls it back.
    pub(super) async fn settle<T, E: From<sqlx::Error>>(
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

    pub(super) async fn change_in(
        &self,
        tx: &mut PgConnection,
        id: TicketId,
        changes: Vec<Change>,
        now: DateTime<Utc>,
    ) -> Result<(Written, bool), Unwritten> {
        let (viewer, mut ticket) = store::visible(tx, self.user_id, id, true).await?;
        let mut work = Work::on(&ticket);
        work.channel = Some(if viewer.role == Role::Integration { Channel::Api } else { Channel::Web });
        let added = change::apply(tx, viewer, &mut ticket, changes, &mut work, now).await?;
        if let Some(trigger) = Trigger::of_work(&work, &ticket) {
            self.route(tx, &mut ticket, trigger, &mut work, now).await?;
        }
        let hint = finish(tx, self.db.tenant(), &self.events, &mut ticket, work, now).await?;
        Ok((Written { viewer, ticket, message: added }, hint))
    }

    /// Opens the ticket in `tx`, numbered `number` (`store::take_ticket_number`); `turn`: the
    /// member whose turn in the ticket's team was taken for it ahead of the write (`crate::turns`).
    pub(super) async fn open_in(
        &self,
        tx: &mut PgConnection,
        opening: Opening,
        turn: Option<UserId>,
        number: String,
        now: DateTime<Utc>,
    ) -> Result<(Written, bool), Unwritten> {
        let viewer = Viewer::load(tx, self.user_id).await?;
        if let Some(Requester::Joined(member)) = &opening.requester {
            tenant_schema::members::upsert(tx, member).await?;
        }
        let customer = intake::customer_of(tx, viewer, opening.requester.as_ref().map(Requester::id)).await?;
        if viewer.role == Role::Customer {
            intake::check_order_number(ticket_settings::order_number(tx).await?, opening.order_id)?;
        }
        let facts = intake::facts(tx, customer.id, opening.category.as_deref(), opening.order_id).await?;
        let priority = priority::initial(&Facts {
            category: opening.category.as_deref(),
            order_total: facts.order_total.as_ref().map(|(cents, currency)| (*cents, currency.as_str())),
            vip: customer.vip,
            same_category_before: facts.same_category_before,
            chosen_by_staff: opening.priority.filter(|_| viewer.is_staff()),
        });
        if let Some(asked) = opening.organization_id
            && !organizations::belongs(tx, customer.id, asked).await?
        {
            let refused = FieldError::new("organization_id", "must be one of the requester's customer organisations");
            return Err(Refused::Field(refused).into());
        }
        let team_id = opening.team_id.filter(|_| viewer.is_staff());
        // Decided before the insert, so the ticket is written once, in the state it opens in. A
        // turn taken ahead found the team (and the caller on its staff): nothing to check.
        let routed_to = match (team_id, turn) {
            (Some(_), Some(member)) => {
                self.events.routing.decided(Assignment::RoundRobin.as_str(), "assigned");
                Some(member)
            }
            (Some(team), None) => {
                change::check_team(tx, team).await?;
                self.choose(tx, team, Trigger::Entered, None).await?
            }
            (None, _) => None,
        };
        let (fields, ranges) = change::opening_fields(tx, &opening.fields, viewer).await?;
        let state = lifecycle::opening_state(routed_to);
        let channel = intake::channel(viewer, &opening.metadata, opening.channel);
        let new = NewTicket {
            number,
            channel,
            team_id,
            organization_id: opening.organization_id,
            status: state.status,
            assigned_to: state.assignee,
            tags: change::opening_tags(if viewer.is_staff() { opening.tags } else { BTreeSet::new() })?,
            user_id: customer.id,
            subject: opening.subject,
            description: opening.description,
            priority,
            category: opening.category,
            order_id: opening.order_id,
            metadata: opening.metadata,
            fields,
        };
        let Some(mut ticket) = store::insert(tx, &new, now).await? else {
            return Err(ApiError::internal("five ticket numbers in a row were held by older tickets").into());
        };
        let mut work = Work {
            ranges,
            turn_taken: turn.is_some() && routed_to.is_some(),
            channel: Some(channel),
            ..Work::default()
        };
        let acting = Acting::person(viewer.id, viewer.actor());
        let told = intake::requester_told(viewer, customer.id, opening.notify_requester);
        for mut applied in lifecycle::opened(&ticket, routed_to, acting, now)? {
            for event in &mut applied.events {
                if let Event::TicketCreated { requester_notified, .. } = event {
                    *requester_notified = told;
                }
            }
            work.add(Some(applied));
        }
        if !opening.copied.is_empty() {
            work.add(participants::copy_on_opening(tx, &mut ticket, opening.copied, acting, now).await?);
        }
        let hint = finish(tx, self.db.tenant(), &self.events, &mut ticket, work, now).await?;
        Ok((Written { viewer, ticket, message: None }, hint))
    }

    async fn merge_in(
        &self,
        tx: &mut PgConnection,
        target_id: TicketId,
        source_ids: &[TicketId],
        different_customers: bool,
        now: DateTime<Utc>,
    ) -> Result<((Written, merging::Moved), bool), Unwritten> {
        // Locked in id order: merges that share tickets wait for each other instead of deadlocking.
        let mut ids = source_ids.to_vec();
        ids.push(target_id);
        ids.sort_unstable();
        let (mut target, mut sources, mut viewer) = (None, Vec::with_capacity(source_ids.len()), None);
        for id in ids {
            let (seen_by, ticket) = store::visible(tx, self.user_id, id, true).await?;
            store::ensure_open(&ticket)?;
            viewer = Some(seen_by);
            if id == target_id { target = Some(ticket) } else { sources.push(ticket) }
        }
        let (Some(viewer), Some(mut target)) = (viewer, target) else {
            return Err(ApiError::internal("the target was locked with the sources").into());
        };
        viewer.require_staff()?;
        if !different_customers && sources.iter().any(|s| s.user_id != target.user_id) {
            return Err(Refused::DifferentCustomers.into());
        }
        let moved = merging::move_threads(tx, target.id, source_ids).await?;
        let closing = format!("merged into {}", target.ticket_number);
        for source in &mut sources {
            let mut work = Work::on(source);
            work.changed(Some(lifecycle::close(source, closing.clone(), now)?));
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

    /// The member routing gives a ticket of `team` (`sav::routing::decide`), counted in the
    /// routing metrics.
    async fn choose(
        &self,
        tx: &mut PgConnection,
        team: TeamId,
        trigger: Trigger,
        assignee: Option<UserId>,
    ) -> sqlx::Result<Option<UserId>> {
        Ok(self.events.routing.counted(routing::decide(tx, team, trigger, assignee).await?))
    }
}

/// The changes of macro `applying` on ticket `id` as `viewer` sends it, `reviewed`: the
/// assignment, the message (the reviewed text, else the template filled), the status, then the
/// priority and tags in one edit; the changes taken out left out.
async fn macro_changes(
    db: &mut PgConnection,
    id: TicketId,
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
