//! What the SAV clock does when a time comes, to one ticket, in a transaction of its own: a
//! missed target is recorded once (on the ticket, in its history, as a `TicketSLABreach` event)
//! and a missed response raises the priority one level; a ticket that waited for the customer,
//! or stayed resolved, past its policy's delay is closed by the system; a time rule whose
//! minutes passed runs (`run_rule`).
//!
//! The ticket is locked and what is due is checked again under the lock, so jobs in several
//! replicas never act twice on one ticket: the second finds the breach recorded, or the ticket
//! closed, and does nothing.

use chrono::{DateTime, Utc};
use sav::ids::{RuleId, TicketId};
use sav::rules;
use sav::tickets::change::Work;
use sav::tickets::due::{self, Due};
use sav::tickets::events::SlaType;
use sav::tickets::lifecycle;
use sav::tickets::priority::Priority;
use sav::tickets::status::Status;
use sav::tickets::store::{self, Ticket};
use shared::error::ApiResult;

use crate::commands;
use crate::commands::rules::Ran;
use crate::events::Events;
use crate::refusals::Answered as _;
use crate::tenancy::pools::TenantConnection;
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
    conn: &mut TenantConnection,
    tenant: &Tenant,
    events: &Events,
    id: TicketId,
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
    let mut work = Work::on(&ticket);
    let acted = if let Some(sla_type) = due.missed() {
        let priority = ticket.priority;
        let (applied, raised_to) = lifecycle::breached(&mut ticket, sla_type, targets, now);
        for one in applied {
            work.add(Some(one));
        }
        Acted::Breached { sla_type, priority, raised_to }
    } else {
        let from = ticket.status;
        let reason = closing_reason(&ticket);
        work.add(Some(lifecycle::close(&mut ticket, reason, now).answered()?));
        Acted::Closed { from }
    };
    commands::finish(&mut tx, tenant, events, &mut ticket, work, now).await?;
    tx.commit().await?;
    Ok(Some(acted))
}

/// Runs time rule `rule` on ticket `id` if its timer is still due at `now`, in a transaction of
/// its own: the timer is taken first, so it runs once for its anchor whatever its conditions
/// say (a ticket they do not hold for waits for its next anchor). `None` when it was no longer
/// due (another replica took it, the anchor moved, the rule was switched off or the ticket
/// closed).
pub async fn run_rule(
    conn: &mut TenantConnection,
    tenant: &Tenant,
    events: &Events,
    rule: RuleId,
    id: TicketId,
    now: DateTime<Utc>,
) -> ApiResult<Option<Ran>> {
    let mut tx = conn.begin().await?;
    let Some(mut ticket) = due::lock(&mut tx, id).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    if !rules::store::take_timer(&mut tx, rule, id, now).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    let book = events.rules.books.current(&mut tx, tenant.id).await?;
    let Some(active) = book.get(rule).filter(|_| ticket.status != Status::Closed) else {
        tx.commit().await?;
        return Ok(None);
    };
    let mut work = Work::on(&ticket);
    let ran = commands::rules::run_timed(&mut tx, tenant, events, &mut ticket, &mut work, active, now).await?;
    if ran == Ran::Applied {
        commands::finish(&mut tx, tenant, events, &mut ticket, work, now).await?;
    }
    tx.commit().await?;
    Ok(Some(ran))
}

/// Why the system closes a ticket whose delay passed.
fn closing_reason(ticket: &Ticket) -> String {
    let since = ticket.auto_close_at.map(|at| at.to_rfc3339()).unwrap_or_default();
    match ticket.status {
        Status::WaitingCustomer => format!("no answer from the customer; closing was due at {since}"),
        Status::Resolved | Status::Open | Status::InProgress | Status::Closed => {
            format!("not reopened; closing was due at {since}")
        }
    }
}
