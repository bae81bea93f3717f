//! The end of every ticket write.

use chrono::{DateTime, Utc};
use sav::routing;
use sav::tickets::change::{self, Work};
use sav::tickets::refusal::Refused;
use sav::tickets::store::{self, Ticket};
use sav::tickets::{fields, history};
use shared::error::ApiError;
use sqlx::PgConnection;

use super::rules;
use crate::events::{Events, outbox};
use crate::refusals::Answer as _;
use crate::tenancy::resolve::Tenant;
use sav::ids::UserId;

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

/// The end of every ticket write, in its transaction: the history entries (which the SLA clock
/// reads), the due dates measured again when the clock's inputs changed, the ticket saved, the
/// events written to the outbox. True when the worker has something to do (events to relay, due
/// dates that moved): the caller hints it after the commit.
pub async fn finish(
    tx: &mut PgConnection,
    tenant: &Tenant,
    events: &Events,
    ticket: &mut Ticket,
    mut work: Work,
    now: DateTime<Utc>,
) -> Result<bool, Unwritten> {
    rules::run(tx, tenant, events, ticket, &mut work, now).await?;
    change::check_resolvable(tx, ticket, &work).await?;
    history::record(tx, &work.entries).await?;
    routing::follow_write(tx, ticket, &work, now).await?;
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
    let mut staff: Vec<UserId> = ticket.assigned_to.into_iter().chain(work.assigned_before).collect();
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
    let audience = outbox::Audience {
        customer: ticket.user_id,
        staff,
        team: ticket.team_id,
        left_queue,
        organization: ticket.organization_id,
    };
    outbox::enqueue(tx, tenant, now, &work.events, &audience).await?;
    Ok(!work.events.is_empty() || work.clock_moved)
}
