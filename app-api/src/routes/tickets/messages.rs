//! A ticket's thread: `GET` (oldest first; internal notes hidden from customers; what the caller's
//! side receives is marked read) and `POST` (a public message or, for staff, an internal note).
//! A customer's answer wakes a ticket that waits for them; the first public staff message meets
//! the response target.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::{JsonBody, Page, PageParams};
use sqlx::Connection as _;
use utoipa::ToSchema;

use crate::attachments;
use crate::context::{TenantContext, TenantDb};
use crate::events::enqueue;
use crate::tickets::content;
use crate::tickets::events::{Event, SenderType};
use crate::tickets::history::Action;
use crate::tickets::lifecycle::{self, Acting, Move};
use crate::tickets::messages::{self, Message};
use crate::tickets::moves::{self, State};
use crate::tickets::store;

/// The thread of a ticket.
#[utoipa::path(get, path = "/v1/tickets/{id}/messages", tag = "messages", security(("bearer" = [])),
    params(("id" = i64, Path), PageParams),
    responses(
        (status = 200, description = "A page of the thread, oldest first", body = Page<Message>),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn list_messages(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<Message>>> {
    let limit = page.limit()?;
    let after: Option<(DateTime<Utc>, i64)> = page.position()?;
    let mut db = tenant_db.connect().await?;
    let (viewer, ticket) = store::visible(&mut db, context.user_id, id, false).await?;
    let mut rows = messages::page(&mut db, ticket.id, viewer.sees_internal_notes(), after, limit).await?;
    let shown = rows.len().min(limit as usize);
    messages::mark_read(&mut db, viewer.receives_from(), &mut rows[..shown]).await?;
    Ok(Json(Page::from_rows(rows, limit, |m| (m.created_at, m.id))))
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
}

/// Add a message (or, for staff, an internal note) to a ticket.
#[utoipa::path(post, path = "/v1/tickets/{id}/messages", tag = "messages", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = NewMessage,
    responses(
        (status = 201, description = "Added", body = Message),
        (status = 403, description = "`forbidden`: a customer writing an internal note"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`ticket_closed`"),
        (status = 422, description = "`validation_failed`: empty or too long, or `attachment_ids` naming files that cannot be attached"),
    ))]
pub async fn post_message(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<NewMessage>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    let text = content::rich_text("message", &body.message, true).map_err(|e| ApiError::invalid(vec![e]))?;
    let requested = body.attachment_ids.len();
    let mut attachment_ids = body.attachment_ids;
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
    let now = Utc::now();
    let mut db = tenant_db.connect().await?;
    let mut tx = db.begin().await?;
    let (viewer, mut ticket) = store::visible(&mut tx, context.user_id, id, true).await?;
    if body.is_internal && !viewer.is_staff() {
        return Err(ApiError::forbidden("internal notes are for agents and admins"));
    }
    store::ensure_open(&ticket)?;
    let side = viewer.side();
    let new = messages::NewMessage {
        ticket_id: ticket.id,
        sender_id: viewer.id,
        sender_type: side,
        text: &text,
        is_internal: body.is_internal,
        at: now,
    };
    let mut message = messages::insert(&mut tx, &new).await?;
    if !attachment_ids.is_empty() {
        let attached = attachments::store::attach_to_message(
            &mut tx,
            &attachment_ids,
            ticket.id,
            message.id,
            viewer.id,
            body.is_internal,
        )
        .await?;
        if attached.len() != attachment_ids.len() {
            return Err(ApiError::invalid(vec![FieldError::new(
                "attachment_ids",
                "each must be a file you uploaded to this ticket, not yet attached to a message, and as internal as the message",
            )]));
        }
        message.attachments = messages::attachments_of(&mut tx, message.id).await?;
    }

    let mut events = vec![Event::MessageAdded {
        ticket_id: ticket.id,
        ticket_number: ticket.ticket_number.clone(),
        message_id: message.id,
        sender_id: viewer.id,
        sender_type: side,
        is_internal: body.is_internal,
        has_attachments: !attachment_ids.is_empty(),
        attachment_count: i64::try_from(attachment_ids.len()).unwrap_or(i64::MAX),
        attachment_ids,
    }];
    let first_response = side == SenderType::Agent && !body.is_internal && ticket.first_response_at.is_none();
    if first_response {
        ticket.first_response_at = Some(now);
    }
    let plan = moves::message(&State::of(&ticket), viewer.actor())
        .map_err(|refusal| lifecycle::refused(&refusal, &ticket, viewer.actor()))?;
    if let Some(plan) = plan {
        let acting = Acting { by: Some(viewer.id), actor: viewer.actor() };
        let change = Move::planned(plan, None);
        events.extend(lifecycle::apply(&mut tx, &mut ticket, change, acting, Action::StatusChanged, now).await?);
    } else if first_response {
        store::refresh_sla(&mut tx, &mut ticket, now).await?;
    }
    ticket.updated_at = now;
    store::save_with_message(&mut tx, &ticket, &text, body.is_internal).await?;
    enqueue(&mut tx, &context.tenant, now, &events).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(message)))
}
