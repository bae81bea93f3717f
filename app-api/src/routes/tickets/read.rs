//! `GET /v1/tickets/{id}`: one ticket with where it stands against its SLA and how many messages
//! from the other side the caller has not read, in one round trip to the database.

use axum::extract::Path;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::error::ApiResult;
use utoipa::ToSchema;

use crate::access::{Access, Members, Scoped};
use crate::live::versions::Revalidation;
use crate::sav::tickets::badge::{self, Shown, SlaBadge};
use crate::sav::tickets::events::SenderType;
use crate::sav::tickets::fields;
use crate::sav::tickets::messages::AttachmentSummary;
use crate::sav::tickets::participants::{self, Participant};
use crate::sav::tickets::sla::{self, Answers, Hours};
use crate::sav::tickets::view::TicketView;
use crate::sav::users::{Colleague, Customer};

/// A ticket's standing against its SLA: the badge lists carry, and the clock's account.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSla {
    #[serde(flatten)]
    pub badge: SlaBadge,
    /// When each target is due, with the time waited for the customer so far added.
    pub response_due_at: DateTime<Utc>,
    pub resolution_due_at: DateTime<Utc>,
    /// Time spent waiting for the customer so far.
    pub paused_seconds: i64,
    pub first_response_at: Option<DateTime<Utc>>,
    /// While a next-response round runs under a target for it: when it is due.
    pub next_response_due_at: Option<DateTime<Utc>>,
    /// The clock runs, but its schedule is closed now: no target advances until it opens.
    pub outside_business_hours: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: TicketView,
    pub sla: TicketSla,
    /// Messages from the other side (staff for a customer, the customer for staff) not read yet.
    pub unread_count: i64,
    /// The ticket this one was merged into (its thread lives on there), if any.
    pub merged_into: Option<i64>,
    /// The tickets merged into this one, oldest first.
    pub merged_from: Vec<i64>,
    /// The files of the ticket itself (each message lists its own), oldest first; a customer
    /// sees no internal file.
    pub attachments: Vec<AttachmentSummary>,
    /// Who the ticket is about, with the VIP flag.
    pub customer: Option<Customer>,
    /// Who handles it, by name.
    pub assignee: Option<Colleague>,
    /// The people copied on its conversation, and for staff its followers, oldest first.
    pub participants: Vec<Participant>,
}

/// One ticket.
#[utoipa::path(get, path = "/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The ticket", body = TicketDetail),
        (status = 304, description = "Not modified: `If-None-Match` names the current tag (answered without a query)"),
        (status = 404, description = "`not_found`: no such ticket, or not one the caller may see"),
    ))]
pub async fn get_ticket(
    revalidation: Revalidation,
    access: Access<Members>,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    if let Some(answered) = revalidation.answered() {
        return Ok(answered);
    }
    let Scoped { viewer, item: row, mut db } = access.ticket_detail(id).await?;
    let shown = fields::shown(&mut db, viewer).await?;
    let participants = participants::list(&mut db, id, viewer.is_staff()).await?;
    drop(db);
    let ticket = row.ticket;
    let now = Utc::now();
    let hours = row.schedule.as_ref().map_or(Hours::Always, Hours::Working);
    let answers = Answers { first: ticket.first_response_at, awaited_since: ticket.next_response_since };
    let clock = sla::evaluate_in(hours, ticket.created_at, row.targets, &row.changes, answers, now);
    let outside_business_hours = ticket.status.clock_runs() && hours.closed_at(now);
    let sla = TicketSla {
        badge: badge::of(&ticket, now),
        response_due_at: clock.response_due_at,
        resolution_due_at: clock.resolution_due_at,
        paused_seconds: clock.paused_seconds,
        first_response_at: clock.first_response_at,
        next_response_due_at: clock.next_response_due_at,
        outside_business_hours,
    };
    // A running clock's schedule opens and closes with nothing written.
    let turns = match row.schedule.as_ref().filter(|_| ticket.status.clock_runs()) {
        Some(schedule) => badge::turns(&ticket, now, Shown::Account)
            .and(schedule.next_change(now).map_or(badge::Turns::Never, badge::Turns::At)),
        None => badge::turns(&ticket, now, Shown::Account),
    };
    let unread_count = match viewer.receives_from() {
        SenderType::Agent => row.unread_from_agent,
        SenderType::Customer => row.unread_from_customer,
    };
    let detail = TicketDetail {
        ticket: TicketView::new(ticket, viewer, &shown),
        sla,
        unread_count,
        merged_into: row.merged_into,
        merged_from: row.merged_from,
        attachments: row.attachments,
        customer: row.customer,
        assignee: row.assignee,
        participants,
    };
    revalidation.answer(&detail, turns)
}
