//! Changes to a locked ticket, shared by the endpoints that make them: a status change with its
//! side effects (`resolved_at`, `closed_at`, the assignee), the history entry and the events. The
//! caller holds the transaction and the row lock, and saves the ticket.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::json;
use shared::error::{ApiError, ApiResult};
use sqlx::PgConnection;
use uuid::Uuid;

use super::events::Event;
use super::history::{self, Action, Entry};
use super::moves::{self, Plan, Refusal, State};
use super::status::{self, Actor, Status, TransitionError};
use super::store::{self, Ticket};

/// Who makes a change: a person (with the part they play) or the system.
#[derive(Debug, Clone, Copy)]
pub struct Acting {
    pub by: Option<Uuid>,
    pub actor: Actor,
}

/// 409 `invalid_transition` with the statuses this actor may choose instead.
pub fn invalid_transition(err: &TransitionError, actor: Actor) -> ApiError {
    let from = match err {
        TransitionError::NotAllowed { from, .. } | TransitionError::NotYours { from, .. } => *from,
    };
    ApiError::new(StatusCode::CONFLICT, "invalid_transition", err.to_string())
        .with_extension("allowed", status::allowed_targets(from, actor))
}

/// The answer to an action the rules refuse.
pub fn refused(refusal: &Refusal, ticket: &Ticket, actor: Actor) -> ApiError {
    match refusal {
        Refusal::Closed => store::ensure_open(ticket).expect_err("a closed ticket"),
        Refusal::Transition(err) => invalid_transition(err, actor),
        Refusal::KeepsAssignee(status) => ApiError::conflict(format!(
            "a ticket that is {} keeps someone on it: assign it to someone else instead",
            status.as_str()
        )),
        Refusal::NeedsAssignee => ApiError::conflict("assign the ticket to someone to start it"),
    }
}

impl State {
    pub fn of(ticket: &Ticket) -> Self {
        Self { status: ticket.status, assignee: ticket.assigned_to, resolved: ticket.resolved_at.is_some() }
    }
}

/// A status change and the assignment that goes with it.
pub struct Move {
    pub to: Status,
    pub assign: Option<Option<Uuid>>,
    pub reason: Option<String>,
}

impl Move {
    pub fn planned(plan: Plan, reason: Option<String>) -> Self {
        Self { to: plan.to, assign: plan.assign, reason }
    }
}

/// Applies `change` to `ticket` (already locked and known to be visible): checks the state
/// machine, applies the side effects, records one history entry, refreshes the SLA clock and
/// returns the events. Saving the ticket is the caller's.
pub async fn apply(
    conn: &mut PgConnection,
    ticket: &mut Ticket,
    change: Move,
    acting: Acting,
    action: Action,
    now: DateTime<Utc>,
) -> ApiResult<Vec<Event>> {
    let from = ticket.status;
    let moves = change.to != from;
    if moves {
        status::check(from, change.to, acting.actor).map_err(|e| invalid_transition(&e, acting.actor))?;
    }
    let after = moves::settle(State::of(ticket), Plan { to: change.to, assign: change.assign });
    if let Some(broken) = moves::invariant_breaks(&after) {
        return Err(ApiError::internal(format!("ticket {}: {broken}", ticket.id)));
    }
    let mut changes = serde_json::Map::new();
    let previous_assignee = ticket.assigned_to;
    if after.assignee != ticket.assigned_to {
        changes.insert("assigned_to".into(), json!([ticket.assigned_to, after.assignee]));
        ticket.assigned_to = after.assignee;
    }
    if moves {
        ticket.status = after.status;
        if after.status == Status::Closed {
            ticket.closed_at = Some(now);
        }
        if !after.resolved {
            ticket.resolved_at = None;
        } else if from != Status::Resolved && after.status == Status::Resolved {
            ticket.resolved_at = Some(now);
        }
    }
    ticket.updated_at = now;
    history::record(
        conn,
        Entry {
            ticket_id: ticket.id,
            actor_id: acting.by,
            actor: acting.actor,
            action,
            from: moves.then_some(from),
            to: moves.then_some(change.to),
            reason: change.reason.as_deref(),
            changes: serde_json::Value::Object(changes),
            at: now,
        },
    )
    .await?;
    let (sla, _) = store::refresh_sla(conn, ticket, now).await?;

    let mut events = Vec::new();
    if ticket.assigned_to != previous_assignee {
        events.push(Event::TicketAssigned {
            ticket_id: ticket.id,
            ticket_number: ticket.ticket_number.clone(),
            assigned_to: ticket.assigned_to,
            assigned_by: acting.by,
            previous_status: from,
            new_status: ticket.status,
        });
    }
    if moves {
        events.push(Event::TicketStatusChanged {
            ticket_id: ticket.id,
            ticket_number: ticket.ticket_number.clone(),
            user_id: ticket.user_id,
            previous_status: from,
            new_status: ticket.status,
            changed_by: acting.by,
            reason: change.reason,
        });
    }
    if moves && ticket.status == Status::Resolved {
        events.push(Event::TicketResolved {
            ticket_id: ticket.id,
            ticket_number: ticket.ticket_number.clone(),
            user_id: ticket.user_id,
            resolved_by: acting.by,
            resolution_time_minutes: (now - ticket.created_at).num_minutes(),
            sla_met: !sla.response_breached && !sla.resolution_breached,
            category: ticket.category.clone(),
        });
    }
    Ok(events)
}
