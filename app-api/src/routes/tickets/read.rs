//! `GET /v1/tickets/{id}`: one ticket with where it stands against its SLA and how many messages
//! from the other side the caller has not read, in one round trip to the database; with
//! `?include=`, what its page shows beside it (the thread's first page, the linked tickets, the
//! customer's panel), each as its own route answers it, so a page opens on one request.

use axum::extract::{Path, Query};
use axum::response::Response;
use chrono::{DateTime, Utc};
use sav::customers::{self, Panel};
use sav::tickets::access::Viewer;
use sav::tickets::badge::{self, Shown, SlaBadge};
use sav::tickets::events::SenderType;
use sav::tickets::fields;
use sav::tickets::links::{self, Link};
use sav::tickets::messages::AttachmentSummary;
use sav::tickets::messages::{self, Message};
use sav::tickets::participants::{self, Participant};
use sav::tickets::sla::{self, Answers, Hours};
use sav::tickets::view::TicketView;
use sav::users::{Colleague, Customer};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::{Page, PageParams};
use sqlx::PgConnection;
use utoipa::{IntoParams, ToSchema};

use crate::access::{Access, Members, Scoped, TicketNotFound};
use crate::live::versions::Revalidation;
use sav::ids::{TicketId, UserId};

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
    #[schema(value_type = Option<i64>)]
    pub merged_into: Option<TicketId>,
    /// The tickets merged into this one, oldest first.
    #[schema(value_type = Vec<i64>)]
    pub merged_from: Vec<TicketId>,
    /// The files of the ticket itself (each message lists its own), oldest first; a customer
    /// sees no internal file.
    pub attachments: Vec<AttachmentSummary>,
    /// Who the ticket is about, with the VIP flag.
    pub customer: Option<Customer>,
    /// Who handles it, by name.
    pub assignee: Option<Colleague>,
    /// The people copied on its conversation, and for staff its followers, oldest first.
    pub participants: Vec<Participant>,
    /// What `?include=` asked for; absent without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub included: Option<Included>,
}

/// What a ticket's page shows beside it, each part present when asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct Included {
    /// `messages`: the thread's first page, as `GET /v1/tickets/{id}/messages` answers it (and,
    /// as it does, what the caller's side receives on it is marked read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Page<Message>>,
    /// `links` (staff): as `GET /v1/tickets/{id}/links` answers them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<Link>>,
    /// `customer` (staff): as `GET /v1/tickets/{id}/customer` answers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<Panel>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DetailParams {
    /// Comma-separated, any of `messages`, `links` (staff), `customer` (staff).
    pub include: Option<String>,
}

/// The parts `?include=` names.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Include {
    messages: bool,
    links: bool,
    customer: bool,
}

impl Include {
    /// 400 naming `include` for a value it does not know (or an empty one).
    fn parse(raw: Option<&str>) -> ApiResult<Self> {
        let mut include = Self::default();
        for part in raw.map(|raw| raw.split(',')).into_iter().flatten() {
            match part.trim() {
                "messages" => include.messages = true,
                "links" => include.links = true,
                "customer" => include.customer = true,
                other => {
                    let detail = format!("`include` takes messages, links and customer, not `{other}`");
                    return Err(ApiError::bad_request(detail.clone())
                        .with_field_errors(vec![FieldError::new("include", detail)]));
                }
            }
        }
        Ok(include)
    }

    fn any(self) -> bool {
        self.messages || self.links || self.customer
    }
}

/// One ticket; `?include=` adds what its page shows beside it (`included`).
#[utoipa::path(get, path = "/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path), DetailParams),
    responses(
        (status = 200, description = "The ticket", body = TicketDetail),
        Revalidation,
        (status = 400, description = "`validation_failed` naming `include`: a part it does not know"),
        (status = 403, description = "`forbidden`: a customer asking for `links` or `customer`"),
        TicketNotFound,
    ))]
pub async fn get_ticket(
    revalidation: Revalidation,
    access: Access<Members>,
    Path(id): Path<TicketId>,
    Query(params): Query<DetailParams>,
) -> ApiResult<Response> {
    let include = Include::parse(params.include.as_deref())?;
    // An included thread page read before, unchanged since: nothing on it can be unread (marking
    // it read changed the tenant's version), as for the thread's own route.
    if let Some(answered) = revalidation.answered() {
        return Ok(answered);
    }
    let Scoped { viewer, item: row, mut db } = access.ticket_detail(id).await?;
    if (include.links || include.customer) && !viewer.is_staff() {
        return Err(ApiError::forbidden("a ticket's links and customer panel are for staff"));
    }
    let mut tx = db.begin().await?;
    let shown = fields::shown(&mut tx, viewer).await?;
    let participants = participants::list(&mut tx, id, viewer.is_staff()).await?;
    let mut unread_count = match viewer.receives_from() {
        SenderType::Agent => row.unread_from_agent,
        SenderType::Customer => row.unread_from_customer,
    };
    let included = if include.any() {
        let (parts, marked) = read_included(&mut tx, viewer, id, row.ticket.user_id, include).await?;
        // What the thread's page marked read is committed before revalidations are told.
        tx.commit().await?;
        if marked > 0 {
            // Read receipts and unread counts changed: revalidations must see it.
            revalidation.read_changed().await;
            // The count answers as after this read, like the thread it comes with.
            unread_count = (unread_count - i64::try_from(marked).unwrap_or(i64::MAX)).max(0);
        }
        Some(parts)
    } else {
        drop(tx);
        None
    };
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
        included,
    };
    revalidation.answer(&detail, turns)
}

/// The parts `include` names for ticket `id` (about customer `customer_id`), each read as its
/// own route reads it, and how many messages of the thread's first page this read marked read.
async fn read_included(
    db: &mut PgConnection,
    viewer: Viewer,
    id: TicketId,
    customer_id: UserId,
    include: Include,
) -> ApiResult<(Included, usize)> {
    let mut parts = Included { messages: None, links: None, customer: None };
    let mut marked = 0;
    if include.messages {
        let limit = PageParams::default().limit()?;
        let mut rows = messages::page(db, id, viewer.sees_internal_notes(), None, limit).await?;
        let shown = rows.len().min(limit as usize);
        let receives = viewer.receives_from();
        let unread = |rows: &[Message]| {
            rows.iter().filter(|m| m.read_at.is_none() && !m.is_internal && m.sender_type == receives).count()
        };
        let before = unread(&rows[..shown]);
        // A colleague's reading leaves the requester's messages unread for the requester.
        if viewer.colleague.is_none() && messages::mark_read(db, id, receives, &mut rows[..shown]).await? {
            marked = before - unread(&rows[..shown]);
        }
        parts.messages = Some(Page::from_rows(rows, limit, |m| (m.created_at, m.id)));
    }
    if include.links {
        parts.links = Some(links::list(db, id, viewer.scope()).await?);
    }
    if include.customer {
        let panel = customers::panel(db, id, customer_id)
            .await?
            .ok_or_else(|| ApiError::internal("a ticket's customer is not in the users mirror"))?;
        parts.customer = Some(panel);
    }
    Ok((parts, marked))
}
