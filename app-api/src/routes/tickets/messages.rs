//! A ticket's thread: `GET` (oldest first; internal notes hidden from customers; what the caller's
//! side receives is marked read) and `POST` (a public message or, for staff, an internal note).
//! A customer's answer wakes a ticket that waits for them; the first public staff message meets
//! the response target.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult};
use shared::http::{JsonBody, Page, PageParams};
use sqlx::{Connection as _, FromRow, PgConnection};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::context::{TenantContext, TenantDb};
use crate::events::enqueue;
use crate::tickets::access::Viewer;
use crate::tickets::content;
use crate::tickets::events::Event;
use crate::tickets::events::SenderType;
use crate::tickets::lifecycle::{self, Acting, Move};
use crate::tickets::moves::{self, State};
use crate::tickets::store::{self, Action};

/// A file attached to a message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttachmentSummary {
    pub id: i64,
    pub original_name: String,
    pub mime_type: String,
    pub file_size: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema, FromRow)]
#[allow(clippy::struct_field_names, reason = "the contract names the text `message`")]
pub struct Message {
    pub id: i64,
    pub ticket_id: i64,
    pub sender_id: Uuid,
    /// `customer` or `agent`.
    pub sender_type: String,
    /// Sanitised HTML.
    pub message: String,
    pub is_internal: bool,
    /// When the receiving side first read it.
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[sqlx(json)]
    pub attachments: Vec<AttachmentSummary>,
}

const MESSAGE_COLUMNS: &str =
    "m.id, m.ticket_id, m.sender_id, m.sender_type, m.message, m.is_internal, m.read_at, m.created_at, m.updated_at";

/// The attachments of message `m`, as a JSON array.
const ATTACHMENTS: &str = "(SELECT coalesce(json_agg(json_build_object('id', a.id, 'original_name', a.original_name,
        'mime_type', a.mime_type, 'file_size', a.file_size, 'created_at', a.created_at) ORDER BY a.id), '[]')
    FROM ticket_attachments a WHERE a.message_id = m.id) AS attachments";

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
    let (after_at, after_id) = after.map_or((None, None), |(at, id)| (Some(at), Some(id)));
    let mut rows: Vec<Message> = sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS}, {ATTACHMENTS} FROM ticket_messages m
         WHERE m.ticket_id = $1 AND ($2 OR NOT m.is_internal)
           AND ($3::timestamptz IS NULL OR (m.created_at, m.id) > ($3, $4))
         ORDER BY m.created_at, m.id LIMIT $5"
    ))
    .bind(ticket.id)
    .bind(viewer.sees_internal_notes())
    .bind(after_at)
    .bind(after_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *db)
    .await?;
    let shown = rows.len().min(limit as usize);
    mark_read(&mut db, viewer, &mut rows[..shown]).await?;
    Ok(Json(Page::from_rows(rows, limit, |m| (m.created_at, m.id))))
}

/// Marks the shown messages that the caller's side receives as read.
async fn mark_read(conn: &mut PgConnection, viewer: Viewer, messages: &mut [Message]) -> sqlx::Result<()> {
    let from_other_side = viewer.receives_from();
    let unread: Vec<i64> = messages
        .iter()
        .filter(|m| m.read_at.is_none() && !m.is_internal && m.sender_type == from_other_side.as_str())
        .map(|m| m.id)
        .collect();
    if unread.is_empty() {
        return Ok(());
    }
    let marked: Vec<(i64, DateTime<Utc>)> = sqlx::query_as(
        "UPDATE ticket_messages SET read_at = $2 WHERE id = ANY($1) AND read_at IS NULL RETURNING id, read_at",
    )
    .bind(&unread)
    .bind(Utc::now())
    .fetch_all(conn)
    .await?;
    for (id, at) in marked {
        if let Some(message) = messages.iter_mut().find(|m| m.id == id) {
            message.read_at = Some(at);
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// HTML allowed (sanitised), 1 to 20,000 characters.
    pub message: String,
    /// An internal note, for staff only.
    #[serde(default)]
    pub is_internal: bool,
}

/// Add a message (or, for staff, an internal note) to a ticket.
#[utoipa::path(post, path = "/v1/tickets/{id}/messages", tag = "messages", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = NewMessage,
    responses(
        (status = 201, description = "Added", body = Message),
        (status = 403, description = "`forbidden`: a customer writing an internal note"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`ticket_closed`"),
        (status = 422, description = "`validation_failed`: empty or too long"),
    ))]
pub async fn post_message(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<NewMessage>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    let text = content::rich_text("message", &body.message, true).map_err(|e| ApiError::invalid(vec![e]))?;
    let now = Utc::now();
    let mut db = tenant_db.connect().await?;
    let mut tx = db.begin().await?;
    let (viewer, mut ticket) = store::visible(&mut tx, context.user_id, id, true).await?;
    if body.is_internal && !viewer.is_staff() {
        return Err(ApiError::forbidden("internal notes are for agents and admins"));
    }
    store::ensure_open(&ticket)?;
    let side = viewer.side();
    let message: Message = sqlx::query_as(&format!(
        "INSERT INTO ticket_messages AS m (ticket_id, sender_id, sender_type, message, is_internal, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {MESSAGE_COLUMNS}, '[]'::json AS attachments"
    ))
    .bind(ticket.id)
    .bind(viewer.id)
    .bind(side.as_str())
    .bind(&text)
    .bind(body.is_internal)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;

    let mut events = vec![Event::MessageAdded {
        ticket_id: ticket.id,
        ticket_number: ticket.ticket_number.clone(),
        message_id: message.id,
        sender_id: viewer.id,
        sender_type: side,
        is_internal: body.is_internal,
        has_attachments: false,
        attachment_count: 0,
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
