//! `PATCH /v1/tickets/{id}`: staff correct a ticket's subject, category, priority or metadata. A
//! new priority moves the SLA due dates to its targets.

use axum::Json;
use axum::extract::Path;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use sqlx::Connection as _;
use utoipa::ToSchema;

use super::{nullable, reject};
use crate::context::{TenantContext, TenantDb};
use crate::tickets::content;
use crate::tickets::history::{self, Action, Entry};
use crate::tickets::priority::Priority;
use crate::tickets::store::{self, Ticket};

/// The fields to change; absent ones stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    pub subject: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    #[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
    pub category: Option<Option<String>>,
    pub priority: Option<Priority>,
    /// Replaces the whole object (at most 16 KiB).
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
}

/// Change a ticket's fields (staff).
#[utoipa::path(patch, path = "/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = TicketPatch,
    responses(
        (status = 200, description = "The changed ticket", body = Ticket),
        (status = 403, description = "`forbidden`: customers"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`ticket_closed`"),
        (status = 422, description = "`validation_failed`"),
    ))]
pub async fn patch_ticket(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
    JsonBody(patch): JsonBody<TicketPatch>,
) -> ApiResult<Json<Ticket>> {
    if patch.subject.is_none() && patch.category.is_none() && patch.priority.is_none() && patch.metadata.is_none() {
        return Err(ApiError::invalid(vec![FieldError::new("", "name at least one field to change")]));
    }
    let mut errors = Vec::new();
    let subject = patch
        .subject
        .as_deref()
        .map(|s| content::subject("subject", s))
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let category = match &patch.category {
        Some(Some(c)) => match content::category(c) {
            Ok(c) => Some(Some(c)),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        Some(None) => Some(None),
        None => None,
    };
    let metadata = patch.metadata.map(content::metadata).transpose().map_err(|e| errors.push(e)).ok().flatten();
    reject(errors)?;

    let now = Utc::now();
    let mut db = tenant_db.connect().await?;
    let mut tx = db.begin().await?;
    let (viewer, mut ticket) = store::visible(&mut tx, context.user_id, id, true).await?;
    viewer.require_staff()?;
    store::ensure_open(&ticket)?;
    let mut changes = serde_json::Map::new();
    if let Some(subject) = subject.filter(|s| *s != ticket.subject) {
        changes.insert("subject".into(), json!([ticket.subject, subject]));
        ticket.subject = subject;
    }
    if let Some(category) = category.filter(|c| *c != ticket.category) {
        changes.insert("category".into(), json!([ticket.category, category]));
        ticket.category = category;
    }
    if let Some(priority) = patch.priority.filter(|p| *p != ticket.priority) {
        changes.insert("priority".into(), json!([ticket.priority, priority]));
        ticket.priority = priority;
    }
    if let Some(metadata) = metadata.filter(|m| *m != ticket.metadata) {
        changes.insert("metadata".into(), json!([ticket.metadata, metadata]));
        ticket.metadata = metadata;
    }
    if changes.is_empty() {
        return Ok(Json(ticket));
    }
    let priority_changed = changes.contains_key("priority");
    ticket.updated_at = now;
    history::record(
        &mut tx,
        Entry {
            ticket_id: ticket.id,
            actor_id: Some(viewer.id),
            actor: viewer.actor(),
            action: Action::Updated,
            from: None,
            to: None,
            reason: None,
            changes: serde_json::Value::Object(changes),
            at: now,
        },
    )
    .await?;
    if priority_changed {
        store::refresh_sla(&mut tx, &mut ticket, now).await?;
        // The due dates moved: the jobs hear of it as of any change that writes events.
        crate::events::hints::note_work();
    }
    store::save(&mut tx, &ticket).await?;
    tx.commit().await?;
    Ok(Json(ticket))
}
