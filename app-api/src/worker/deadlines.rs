//! What the SAV clock does when a time comes, to one ticket, in a transaction of its own: a
//! missed target is recorded once (on the ticket, in its history, as a `TicketSLABreach` event)
//! and a missed response raises the priority one level; a ticket that waited for the customer,
//! or stayed resolved, past its policy's delay is closed by the system.
//!
//! The ticket is locked and what is due is checked again under the lock, so jobs in several
//! replicas never act twice on one ticket: the second finds the breach recorded, or the ticket
//! closed, and does nothing.

use chrono::{DateTime, Utc};
use serde_json::json;
use shared::error::ApiResult;
use sqlx::{Connection as _, PgConnection};

use crate::events::outbox;
use crate::sav::tickets::due::{self, Due};
use crate::sav::tickets::events::{Event, SlaType};
use crate::sav::tickets::history::{self, Action, Entry};
use crate::sav::tickets::lifecycle;
use crate::sav::tickets::priority::Priority;
use crate::sav::tickets::sla::Targets;
use crate::sav::tickets::status::{Actor, Status};
use crate::sav::tickets::store::{self, Ticket};
use crate::tenancy::resolve::Tenant;

/// What a job did to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acted {
    /// A target was missed; `raised_to` the new priority after a response breach, if any.
    Breached { sla_type: SlaType, priority: Priority, raised_to: Option<Priority> },
    /// The system closed the ticket, from this status.
    Closed { from: Status },
}

/// Acts on ticket `id` for `due` at `now`, if it is still due; `None` when it no longer is (it
/// changed meanwhile, or another job acted first).
pub async fn act(
    conn: &mut PgConnection,
    tenant: &Tenant,
    id: i64,
    due: Due,
    now: DateTime<Utc>,
) -> ApiResult<Option<Acted>> {
    let mut tx = conn.begin().await?;
    let locked = due::lock(&mut tx, id).await?.filter(|ticket| due.holds(ticket, now));
    let Some(mut ticket) = locked else {
        // Now, not when the connection is next used: the row lock must not idle in the pool.
        tx.rollback().await?;
        return Ok(None);
    };
    // The stored due dates are exact while the clock runs; measured again from the history
    // against the ticket's own policy version all the same before anything is recorded.
    let (_, targets) = store::refresh_sla(&mut tx, &mut ticket, now).await?;
    if !due.holds(&ticket, now) {
        store::save(&mut tx, &ticket).await?;
        tx.commit().await?;
        return Ok(None);
    }
    let (acted, events) = match due {
        Due::Response => breach(&mut tx, &mut ticket, SlaType::Response, targets, now).await?,
        Due::Resolution => breach(&mut tx, &mut ticket, SlaType::Resolution, targets, now).await?,
        Due::AutoClose => close(&mut tx, &mut ticket, now).await?,
    };
    store::save(&mut tx, &ticket).await?;
    outbox::enqueue(&mut tx, tenant, now, &events).await?;
    tx.commit().await?;
    Ok(Some(acted))
}

async fn breach(
    tx: &mut PgConnection,
    ticket: &mut Ticket,
    sla_type: SlaType,
    targets: Targets,
    now: DateTime<Utc>,
) -> ApiResult<(Acted, Vec<Event>)> {
    let (expected, due_at) = match sla_type {
        SlaType::Response => (targets.response_minutes, ticket.response_due_at),
        SlaType::Resolution => (targets.resolution_minutes, ticket.resolution_due_at),
    };
    let expected = i64::from(expected);
    // The clock ran the target, and the time since the due date (which pauses moved).
    let actual = expected + (now - due_at).num_minutes().max(0);
    match sla_type {
        SlaType::Response => ticket.response_breached_at = Some(now),
        SlaType::Resolution => ticket.resolution_breached_at = Some(now),
    }
    history::record(
        tx,
        &Entry {
            ticket_id: ticket.id,
            actor_id: None,
            actor: Actor::System,
            action: Action::SlaBreached,
            from: None,
            to: None,
            reason: Some(format!("{} target of {expected} minutes missed", sla_type.as_str())),
            changes: json!({ "sla_type": sla_type, "expected_minutes": expected, "actual_minutes": actual }),
            at: now,
        },
    )
    .await?;
    let priority = ticket.priority;
    let event = Event::TicketSlaBreach {
        ticket_id: ticket.id,
        ticket_number: ticket.ticket_number.clone(),
        priority,
        sla_type,
        expected_minutes: expected,
        actual_minutes: actual,
        assigned_to: ticket.assigned_to,
    };
    let raised = priority.raised();
    let raised_to = (sla_type == SlaType::Response && raised != priority).then_some(raised);
    if let Some(raised) = raised_to {
        raise(tx, ticket, raised, targets, now).await?;
    }
    ticket.updated_at = now;
    Ok((Acted::Breached { sla_type, priority, raised_to }, vec![event]))
}

/// A missed response raises the priority one level, as a system change: the resolution target
/// becomes the new priority's (in the ticket's policy version).
async fn raise(
    tx: &mut PgConnection,
    ticket: &mut Ticket,
    to: Priority,
    was: Targets,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    history::record(
        tx,
        &Entry {
            ticket_id: ticket.id,
            actor_id: None,
            actor: Actor::System,
            action: Action::Updated,
            from: None,
            to: None,
            reason: Some(format!("response target of {} minutes missed", was.response_minutes)),
            changes: json!({ "priority": [ticket.priority, to] }),
            at: now,
        },
    )
    .await?;
    ticket.priority = to;
    store::refresh_sla(tx, ticket, now).await?;
    Ok(())
}

async fn close(tx: &mut PgConnection, ticket: &mut Ticket, now: DateTime<Utc>) -> ApiResult<(Acted, Vec<Event>)> {
    let from = ticket.status;
    let since = ticket.auto_close_at.map(|at| at.to_rfc3339()).unwrap_or_default();
    let reason = match from {
        Status::WaitingCustomer => format!("no answer from the customer; closing was due at {since}"),
        Status::Resolved | Status::Open | Status::InProgress | Status::Closed => {
            format!("not reopened; closing was due at {since}")
        }
    };
    let applied = lifecycle::close(ticket, reason, now)?;
    history::record(tx, &applied.entry).await?;
    store::refresh_sla(tx, ticket, now).await?;
    Ok((Acted::Closed { from }, applied.events))
}
