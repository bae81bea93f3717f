//! A ticket's thread: `GET` (oldest first; internal notes hidden from customers; what the caller's
//! side receives is marked read) and `POST` (a public message or, for staff, an internal note).
//! A customer's answer wakes a ticket that waits for them; the first public staff message meets
//! the response target.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use sav::tickets::change::{Change, Post};
use sav::tickets::content;
use sav::tickets::messages::{self, Message};
use sav::tickets::status::Status;
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::openapi::NotFound;
use shared::http::{JsonBody, Page, PageParams};
use utoipa::ToSchema;

use crate::access::{Access, Members, Scoped};
use crate::attachments;
use crate::commands::TicketWriter;
use crate::live::versions::{Revalidation, Timed};
use sav::ids::TicketId;

/// The thread of a ticket.
#[utoipa::path(get, path = "/v1/tickets/{id}/messages", tag = "messages", security(("bearer" = [])),
    params(("id" = i64, Path), PageParams),
    responses(
        (status = 200, description = "A page of the thread, oldest first", body = Page<Message>),
        Revalidation,
        NotFound,
    ))]
pub async fn list_messages(
    revalidation: Revalidation,
    access: Access<Members>,
    Path(id): Path<TicketId>,
    Query(page): Query<PageParams>,
) -> ApiResult<Response> {
    let limit = page.limit()?;
    let after: Option<(DateTime<Utc>, i64)> = page.position()?;
    // A page read before, unchanged since: nothing can be unread on it (marking it read, or a
    // new message, changed the tenant's version).
    if let Some(answered) = revalidation.answered() {
        return Ok(answered);
    }
    let Scoped { viewer, item: ticket, mut db } = access.ticket(id).await?;
    let mut tx = db.begin().await?;
    let mut rows = messages::page(&mut tx, ticket.id, viewer.sees_internal_notes(), after, limit).await?;
    let shown = rows.len().min(limit as usize);
    // A colleague's reading leaves the requester's messages unread for the requester.
    let marked = viewer.colleague.is_none()
        && messages::mark_read(&mut tx, ticket.id, viewer.receives_from(), &mut rows[..shown]).await?;
    tx.commit().await?;
    if marked {
        // Read receipts and unread counts changed: revalidations must see it.
        revalidation.read_changed().await;
    }
    revalidation.answer(&Page::from_rows(rows, limit, |m| (m.created_at, m.id)), Timed::Never)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// HTML allowed (sanitised), 1 to 20,000 characters.
    pub message: String,
    /// An internal note, for staff only.
    #[serde(default)]
    pub is_internal: bool,
    /// Files the caller uploaded to this ticket (`POST /v1/tickets/{id}/attachments`) and not yet
    /// attached to a message, at most 10: they become the message's. An internal note takes
    /// internal files (`is_internal` at upload), a public message public ones.
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
    /// Staff only: the status the ticket moves to with the message ("Send and resolve", "Send and
    /// wait for the customer"), in the same transaction: a move the status route would refuse
    /// refuses the message too (409 `invalid_transition` with `allowed`, 422 `fields_required`).
    /// The ticket's own status is no move; an open ticket without an assignee is first given to
    /// the sender for `resolved` and `waiting_customer`.
    pub status: Option<Status>,
}

/// Add a message (or, for staff, an internal note) to a ticket.
#[utoipa::path(post, path = "/v1/tickets/{id}/messages", tag = "messages", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = NewMessage,
    responses(
        (status = 201, description = "Added", body = Message),
        (status = 403, description = "`forbidden`: a customer writing an internal note, or setting a `status`"),
        NotFound,
        (status = 409, description = "`ticket_closed`; `invalid_transition` (with `allowed`): the `status` asked for is not a move from here"),
        (status = 422, description = "`validation_failed`: empty or too long, or `attachment_ids` naming files that cannot be attached; `fields_required`: resolving while a field required to resolve is empty"),
    ))]
pub async fn post_message(
    writer: TicketWriter,
    Path(id): Path<TicketId>,
    JsonBody(body): JsonBody<NewMessage>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    // A customer's `status` is refused (403) by the move, which rolls the message back with it.
    let status = body.status;
    let post = body.checked()?;
    let mut changes = vec![Change::Post(post)];
    changes.extend(status.map(Change::Settle));
    let mut db = writer.connect().await?;
    let written = writer.change(&mut db, id, changes).await?;
    let message = written.message.ok_or_else(|| ApiError::internal("a posted message was not written"))?;
    Ok((StatusCode::CREATED, Json(message)))
}

impl NewMessage {
    /// The post this body asks for: sanitised text, distinct files (422 otherwise).
    fn checked(self) -> ApiResult<Post> {
        let text = content::rich_text("message", &self.message, true).map_err(|e| ApiError::invalid(vec![e]))?;
        let requested = self.attachment_ids.len();
        let mut attachment_ids = self.attachment_ids;
        attachment_ids.sort_unstable();
        attachment_ids.dedup();
        if attachment_ids.len() != requested
            || attachment_ids.len() > attachments::MAX_PER_MESSAGE
            || attachment_ids.iter().any(|id| *id <= 0)
        {
            return Err(ApiError::invalid(vec![FieldError::new(
                "attachment_ids",
                format!("at most {} distinct attachment ids", attachments::MAX_PER_MESSAGE),
            )]));
        }
        Ok(Post { text, internal: self.is_internal, attachment_ids, inbound_email_id: None })
    }
}
