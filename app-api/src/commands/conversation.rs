//! The writes around a ticket's thread: who is on its conversation (participants), the tickets
//! it is linked to, a message split off into a ticket of its own, and a parent resolved with its
//! children. Each locks what it writes, records a history entry with its actor and announces
//! a `TicketUpdated` event through `finish`, like every other write (so rules see them too).

use chrono::{DateTime, Utc};
use sav::ticket_settings::AgentAccess;
use sav::tickets::access::Viewer;
use sav::tickets::change::{self, Change, Post, Work};
use sav::tickets::lifecycle::{self, Acting};
use sav::tickets::links::{self, Link, LinkKind, Nesting};
use sav::tickets::participants::{self, Kind, NewParticipant, Participant};
use sav::tickets::refusal::Refused;
use sav::tickets::status::Status;
use sav::tickets::store::{self, Ticket};
use sav::tickets::{content, due, messages};
use sav::users;
use serde::Serialize;
use serde_json::json;
use shared::auth::Role;
use shared::error::{ApiError, ApiResult, FieldError};
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;

use super::finish::{Unwritten, finish};
use super::writer::{Opening, Requester, TicketWriter, Written};
use crate::events::Events;
use crate::refusals::{Answer as _, Answered as _};
use crate::tenancy::pools::TenantConnection;
use crate::tenancy::resolve::Tenant;
use sav::ids::TicketId;

/// A participant to add, as checked input (`email` lower-case).
#[derive(Debug, Clone)]
pub struct Joining {
    pub email: String,
    pub name: String,
    pub kind: Kind,
}

/// A child a parent's resolution left as it was, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChildLeft {
    #[schema(value_type = i64)]
    pub ticket_id: TicketId,
    pub ticket_number: String,
    pub status: Status,
}

fn field(name: &str, detail: impl Into<String>) -> ApiError {
    ApiError::invalid(vec![FieldError::new(name, detail)])
}

impl TicketWriter {
    /// Adds a participant to ticket `id`: staff add either kind, its customer copies someone.
    /// An address already on the ticket changes nothing (`false`, with the participant).
    pub async fn add_participant(
        &self,
        db: &mut TenantConnection,
        id: TicketId,
        joining: Joining,
    ) -> ApiResult<(Participant, bool)> {
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let done = self.add_participant_in(&mut tx, id, joining, now).await;
        self.settle(tx, done.map(|(participant, added)| ((participant, added), added))).await
    }

    async fn add_participant_in(
        &self,
        tx: &mut PgConnection,
        id: TicketId,
        joining: Joining,
        now: DateTime<Utc>,
    ) -> ApiResult<(Participant, bool)> {
        let (viewer, mut ticket) = store::visible(tx, self.user_id, id, true).await.answered()?;
        match joining.kind {
            Kind::Follower => viewer.require_staff().answered()?,
            Kind::Cc if !viewer.is_staff() && viewer.id != ticket.user_id => {
                return Err(ApiError::forbidden("only staff and the ticket's customer copy people on it"));
            }
            Kind::Cc => {}
        }
        if let Some(there) = participants::by_address(tx, id, &joining.email).await? {
            return Ok((there, false));
        }
        store::ensure_open(&ticket).answered()?;
        let customer = users::active(tx, ticket.user_id).await?;
        if customer.is_some_and(|c| c.email.eq_ignore_ascii_case(&joining.email)) {
            return Err(field("email", "is the ticket's customer, who is on its conversation already"));
        }
        if participants::count(tx, id).await? >= participants::MAX_PER_TICKET {
            let detail = format!("a ticket has at most {} participants", participants::MAX_PER_TICKET);
            return Err(
                ApiError::limit_reached(detail.clone()).with_field_errors(vec![FieldError::new("email", detail)])
            );
        }
        let member = participants::member(tx, &joining.email).await?;
        if joining.kind == Kind::Follower && !matches!(member, Some((_, Role::Owner | Role::Admin | Role::Agent))) {
            return Err(field("email", "a follower must be an active agent or admin of this organisation"));
        }
        let before = participants::list(tx, id, true).await?;
        let new = NewParticipant {
            email: joining.email,
            name: joining.name,
            user_id: member.map(|(user, _)| user),
            kind: joining.kind,
            added_by: Some(viewer.id),
        };
        let Some(added) = participants::insert(tx, id, &new).await? else {
            // Added beside this write: the same address, nothing to record.
            let there = participants::by_address(tx, id, &new.email).await?;
            return there.map(|p| (p, false)).ok_or_else(|| ApiError::internal("a participant went as it came"));
        };
        let mut after = before.clone();
        after.push(added.clone());
        let acting = Acting::person(viewer.id, viewer.actor());
        let mut work = Work::on(&ticket);
        work.changed(Some(lifecycle::noted(
            &mut ticket,
            participants::changed(added.kind, &before, &after),
            None,
            acting,
            now,
        )));
        finish(tx, self.db.tenant(), &self.events, &mut ticket, work, now).await?;
        Ok((added, true))
    }

    /// Removes participant `pid` of ticket `id`: staff remove anyone, its customer those they
    /// may copy, a participant themself.
    pub async fn remove_participant(&self, db: &mut TenantConnection, id: TicketId, pid: i64) -> ApiResult<()> {
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let done = self.remove_participant_in(&mut tx, id, pid, now).await;
        self.settle(tx, done.map(|()| ((), true))).await
    }

    async fn remove_participant_in(
        &self,
        tx: &mut PgConnection,
        id: TicketId,
        pid: i64,
        now: DateTime<Utc>,
    ) -> ApiResult<()> {
        let (acting, mut ticket) = match store::visible(tx, self.user_id, id, true).await {
            Ok((viewer, ticket)) => (Some(viewer), ticket),
            // A participant who cannot see the ticket may still leave it.
            Err(Refused::NoTicket(_)) => (None, due::lock(tx, id).await?.ok_or(Refused::NoTicket(id)).answered()?),
            Err(refused) => return Err(refused.answer()),
        };
        let Some(participant) = participants::get(tx, id, pid).await? else {
            return Err(ApiError::not_found("no such participant on this ticket"));
        };
        let themself = participant.user_id == Some(self.user_id);
        if let Some(viewer) = acting.filter(|_| !themself) {
            viewer.require_requester().answered()?;
        }
        let acting = match acting {
            Some(viewer) if viewer.is_staff() || themself => Acting::person(viewer.id, viewer.actor()),
            Some(viewer) if participant.kind == Kind::Cc => Acting::person(viewer.id, viewer.actor()),
            _ if themself => Acting::person(self.user_id, sav::tickets::status::Actor::Customer),
            Some(_) => return Err(ApiError::forbidden("only staff remove a follower")),
            None => return Err(Refused::NoTicket(id).answer()),
        };
        remove(tx, self.db.tenant(), &self.events, &mut ticket, &participant, acting, None, now).await
    }

    /// Links ticket `other` to ticket `id` as `kind` (what `other` is to `id`); staff only.
    pub async fn link(
        &self,
        db: &mut TenantConnection,
        id: TicketId,
        other: TicketId,
        kind: LinkKind,
    ) -> ApiResult<Link> {
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let done = self.link_in(&mut tx, id, other, Some(kind), now).await;
        let link = self.settle(tx, done.map(|link| (link, true))).await?;
        link.ok_or_else(|| ApiError::internal("a link was written and not read back"))
    }

    /// Unlinks tickets `id` and `other`; staff only.
    pub async fn unlink(&self, db: &mut TenantConnection, id: TicketId, other: TicketId) -> ApiResult<()> {
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let done = self.link_in(&mut tx, id, other, None, now).await;
        self.settle(tx, done.map(|_| ((), true))).await
    }

    /// Links (`Some(kind)`) or unlinks the two tickets, both locked in id order.
    async fn link_in(
        &self,
        tx: &mut PgConnection,
        id: TicketId,
        other: TicketId,
        kind: Option<LinkKind>,
        now: DateTime<Utc>,
    ) -> ApiResult<Option<Link>> {
        // Unlinking what is not linked, or what the caller cannot see, finds nothing.
        let unlinked = || ApiError::not_found("these tickets are not linked");
        if other == id {
            return Err(if kind.is_some() {
                field("ticket_id", "a ticket cannot be linked to itself")
            } else {
                unlinked()
            });
        }
        let (mut this, mut that, viewer) = {
            let first = store::visible(tx, self.user_id, id.min(other), true).await;
            let second = store::visible(tx, self.user_id, id.max(other), true).await;
            let ((viewer, low), (_, high)) = match (first, second) {
                (Ok(low), Ok(high)) => (low, high),
                (Err(refused), _) | (_, Err(refused)) => {
                    return Err(match refused {
                        Refused::NoTicket(missing) if missing == other && kind.is_none() => unlinked(),
                        Refused::NoTicket(missing) if missing == other => {
                            field("ticket_id", "is not a ticket of this organisation you can see")
                        }
                        refused => refused.answer(),
                    });
                }
            };
            if low.id == id { (low, high, viewer) } else { (high, low, viewer) }
        };
        viewer.require_staff().answered()?;
        let acting = Acting::person(viewer.id, viewer.actor());
        let linked = links::between(tx, id, other).await?;
        let (on_this, on_that) = if let Some(kind) = kind {
            if linked.is_some() {
                return Err(field("ticket_id", "is linked to this ticket already"));
            }
            check_link(tx, id, other, kind).await?;
            links::insert(tx, id, other, kind, Some(viewer.id)).await?;
            (link_change(&that, kind, true), link_change(&this, kind.inverse(), true))
        } else {
            let Some(was) = linked else { return Err(unlinked()) };
            links::delete(tx, id, other).await?;
            (link_change(&that, was, false), link_change(&this, was.inverse(), false))
        };
        for (ticket, changes) in [(&mut this, on_this), (&mut that, on_that)] {
            let mut work = Work::on(ticket);
            work.changed(Some(lifecycle::noted(ticket, changes, None, acting, now)));
            finish(tx, self.db.tenant(), &self.events, ticket, work, now).await?;
        }
        let Some(kind) = kind else { return Ok(None) };
        Ok(Some(Link {
            ticket_id: that.id,
            ticket_number: that.ticket_number,
            subject: that.subject,
            status: that.status,
            kind,
            created_at: now,
        }))
    }

    /// Resolves ticket `id` and, in the same transaction, each of its children that may move to
    /// `resolved` (each its own write, with its own entry and events); the children left as
    /// they were are returned.
    pub async fn resolve_with_children(
        &self,
        db: &mut TenantConnection,
        id: TicketId,
        reason: Option<String>,
    ) -> ApiResult<(Written, Vec<ChildLeft>)> {
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let done = self.resolve_with_children_in(&mut tx, id, reason, now).await;
        self.settle(tx, done.map(|done| (done, true))).await
    }

    async fn resolve_with_children_in(
        &self,
        tx: &mut PgConnection,
        id: TicketId,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> ApiResult<(Written, Vec<ChildLeft>)> {
        let (written, _) =
            self.change_in(tx, id, vec![Change::Status { to: Status::Resolved, reason: reason.clone() }], now).await?;
        written.viewer.require_staff().answered()?;
        let mut left = Vec::new();
        for child in links::children(tx, id).await? {
            let mut savepoint = tx.begin().await?;
            let resolved = self.resolve_child(&mut savepoint, child, reason.clone(), now).await;
            match resolved {
                Ok(()) => savepoint.commit().await?,
                Err(ticket) => {
                    savepoint.rollback().await?;
                    if let Some(ticket) = ticket {
                        left.push(ChildLeft {
                            ticket_id: ticket.id,
                            ticket_number: ticket.ticket_number,
                            status: ticket.status,
                        });
                    }
                }
            }
        }
        Ok((written, left))
    }

    /// Resolves child `id`; `Err` with the child as it was (none when the caller cannot see it)
    /// when it cannot move to `resolved`.
    async fn resolve_child(
        &self,
        tx: &mut PgConnection,
        id: TicketId,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), Option<Ticket>> {
        let (viewer, mut ticket) = store::visible(tx, self.user_id, id, true).await.map_err(|_| None)?;
        if ticket.status == Status::Resolved {
            return Ok(());
        }
        let before = ticket.clone();
        let mut work = Work::on(&ticket);
        let applied = lifecycle::set_status(&mut ticket, Status::Resolved, reason, viewer.caller(), now)
            .map_err(|_| Some(before.clone()))?;
        work.changed(Some(applied));
        finish(tx, self.db.tenant(), &self.events, &mut ticket, work, now).await.map_err(|_| Some(before)).map(drop)
    }

    /// Makes message `message_id` of ticket `id` a ticket of its own: its sender's, with its
    /// words and files (the message leaves the first thread), linked `related` to the first.
    pub async fn split(
        &self,
        db: &mut TenantConnection,
        id: TicketId,
        message_id: i64,
        subject: Option<String>,
    ) -> ApiResult<Written> {
        let number = TicketWriter::take_number(db).await?;
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let done = self.split_in(&mut tx, id, message_id, subject, number, now).await;
        self.settle(tx, done.map(|written| (written, true))).await
    }

    async fn split_in(
        &self,
        tx: &mut PgConnection,
        id: TicketId,
        message_id: i64,
        subject: Option<String>,
        number: String,
        now: DateTime<Utc>,
    ) -> ApiResult<Written> {
        let (viewer, mut first) = store::visible(tx, self.user_id, id, true).await.answered()?;
        viewer.require_staff().answered()?;
        let Some(message) = messages::to_split(tx, id, message_id).await? else {
            return Err(ApiError::not_found("no such message on this ticket"));
        };
        if message.from_staff {
            return Err(field("message_id", "only a message from the customer's side becomes a ticket of its own"));
        }
        let subject = subject.unwrap_or_else(|| first.subject.clone());
        let opening = Opening {
            subject,
            description: message.text.clone(),
            category: first.category.clone(),
            order_id: None,
            priority: None,
            metadata: json!({ "channel": message.channel, "split_from": first.id }),
            requester: Some(Requester::Member(message.sender_id)),
            channel: None,
            // Their message became a ticket of its own: they are told, as when they open one.
            notify_requester: true,
            team_id: first.team_id,
            // Its requester's primary, as any ticket of theirs.
            organization_id: None,
            tags: std::collections::BTreeSet::new(),
            fields: serde_json::Map::new(),
            copied: Vec::new(),
        };
        let (written, _) = self.open_in(tx, opening, None, number, now).await?;
        messages::move_files_and_drop(tx, message_id, written.ticket.id).await?;
        links::insert(tx, id, written.ticket.id, LinkKind::Related, Some(viewer.id)).await?;
        let acting = Acting::person(viewer.id, viewer.actor());
        let changes = json!({ "split": [message_id, written.ticket.ticket_number] });
        let mut work = Work::on(&first);
        work.changed(Some(lifecycle::noted(&mut first, changes, None, acting, now)));
        finish(tx, self.db.tenant(), &self.events, &mut first, work, now).await?;
        Ok(written)
    }
}

impl TicketWriter {
    /// A copied participant's answer by mail (email in), written as the caller (their account
    /// here, on the customer's side), who need not see the ticket otherwise: a public message.
    pub async fn post_as_participant(
        &self,
        db: &mut TenantConnection,
        id: TicketId,
        post: Post,
    ) -> Result<Written, Unwritten> {
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let done = self.post_as_participant_in(&mut tx, id, post, now).await;
        self.settle(tx, done.map(|written| (written, true))).await
    }

    async fn post_as_participant_in(
        &self,
        tx: &mut PgConnection,
        id: TicketId,
        post: Post,
        now: DateTime<Utc>,
    ) -> Result<Written, Unwritten> {
        let Some(mut ticket) = due::lock(tx, id).await? else { return Err(Refused::NoTicket(id).into()) };
        let viewer = Viewer { id: self.user_id, role: Role::Customer, access: AgentAccess::default(), colleague: None };
        let mut work = Work::on(&ticket);
        let message = change::post(tx, viewer, &mut ticket, post, &mut work, now).await?;
        finish(tx, self.db.tenant(), &self.events, &mut ticket, work, now).await?;
        Ok(Written { viewer, ticket, message: Some(message) })
    }
}

/// Whether `other` may be linked to `id` as `kind`: neither merged, both under the limit, and
/// no cycle of parents.
async fn check_link(tx: &mut PgConnection, id: TicketId, other: TicketId, kind: LinkKind) -> ApiResult<()> {
    if links::merged_into(tx, other).await?.is_some() || links::merged_into(tx, id).await?.is_some() {
        return Err(field("ticket_id", "a merged ticket takes no link: link the ticket it was merged into"));
    }
    if links::count(tx, id).await? >= links::MAX_PER_TICKET || links::count(tx, other).await? >= links::MAX_PER_TICKET {
        let detail = format!("a ticket has at most {} links", links::MAX_PER_TICKET);
        return Err(
            ApiError::limit_reached(detail.clone()).with_field_errors(vec![FieldError::new("ticket_id", detail)])
        );
    }
    let nesting = match kind {
        LinkKind::Parent => links::nesting(tx, other, id).await?,
        LinkKind::Child => links::nesting(tx, id, other).await?,
        LinkKind::Related => Nesting::Fine,
    };
    match nesting {
        Nesting::Fine => Ok(()),
        Nesting::Cycle => Err(field("kind", "this link would make a ticket its own ancestor")),
        Nesting::TooDeep => Err(field(
            "kind",
            format!(
                "the child has more than {} tickets below it: link a ticket nearer the top",
                links::MAX_DESCENDANTS
            ),
        )),
    }
}

/// `{"link": [before, after]}` on a ticket, naming `other` and what it is to the ticket.
fn link_change(other: &Ticket, kind: LinkKind, added: bool) -> serde_json::Value {
    let named = json!({ "ticket_id": other.id, "ticket_number": other.ticket_number, "kind": kind });
    if added { json!({ "link": [null, named] }) } else { json!({ "link": [named, null] }) }
}

/// Removes `participant` from `ticket` (locked), recorded as `acting`'s change.
#[allow(clippy::too_many_arguments, reason = "one write's pieces")]
async fn remove(
    tx: &mut PgConnection,
    tenant: &Tenant,
    events: &Events,
    ticket: &mut Ticket,
    participant: &Participant,
    acting: Acting,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let before = participants::list(tx, ticket.id, true).await?;
    participants::delete(tx, ticket.id, participant.id).await?;
    let after: Vec<Participant> = before.iter().filter(|p| p.id != participant.id).cloned().collect();
    let mut work = Work::on(ticket);
    work.changed(Some(lifecycle::noted(
        ticket,
        participants::changed(participant.kind, &before, &after),
        reason,
        acting,
        now,
    )));
    finish(tx, tenant, events, ticket, work, now).await?;
    Ok(())
}

/// A copied participant leaves the conversation by their mail's link: recorded as the system's
/// change, naming them. False when they had left already.
pub async fn leave(
    db: &mut TenantConnection,
    tenant: &std::sync::Arc<Tenant>,
    events: &Events,
    participant_id: i64,
) -> ApiResult<Option<(Participant, String)>> {
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let Some(participant) = participants::by_id(&mut tx, participant_id).await? else { return Ok(None) };
    let Some(mut ticket) = due::lock(&mut tx, participant.ticket_id).await? else { return Ok(None) };
    // Read again under the ticket's lock: a removal beside this one wins.
    let Some(participant) = participants::get(&mut tx, ticket.id, participant_id).await? else { return Ok(None) };
    let reason = Some(format!("{} left the conversation by their mail's link", participant.email));
    remove(&mut tx, tenant, events, &mut ticket, &participant, Acting::SYSTEM, reason, now).await?;
    tx.commit().await?;
    events.hints.hint(tenant);
    Ok(Some((participant, ticket.ticket_number)))
}

/// Checks a split's subject, when one is given.
pub fn split_subject(subject: Option<&str>) -> Result<Option<String>, FieldError> {
    subject.map(|s| content::subject("subject", s)).transpose()
}
