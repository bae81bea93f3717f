//! `POST /v1/tickets/{id}/merge`: staff fold duplicates into one ticket. The sources' messages
//! (internal notes staying internal) and attachments move into the target in time order; each
//! source is closed by the system with a reason naming the target and points at it; the
//! target's history names its sources. Every ticket involved is locked in id order, so two
//! merges touching the same tickets take turns and never lose a message.

use std::collections::HashSet;

use axum::Json;
use axum::extract::Path;
use sav::tickets::fields;
use sav::tickets::view::TicketView;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use utoipa::ToSchema;

use crate::commands::TicketWriter;
use sav::ids::TicketId;

/// Sources one merge may fold in.
pub const MAX_SOURCES: usize = 20;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// 1 to 20 distinct tickets to fold into this one.
    #[schema(value_type = Vec<i64>)]
    pub source_ticket_ids: Vec<TicketId>,
    /// Admins only: merge tickets of different customers (each customer then sees the merged
    /// thread's public messages on the target only if it is theirs).
    #[serde(default)]
    pub allow_different_customers: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResult {
    /// The target, as it is now.
    pub ticket: TicketView,
    /// Every ticket merged into the target so far, oldest first.
    #[schema(value_type = Vec<i64>)]
    pub merged_from: Vec<TicketId>,
    pub messages_moved: i64,
    pub attachments_moved: i64,
}

fn check(target: TicketId, request: &MergeRequest) -> Result<(), Vec<FieldError>> {
    let sources = &request.source_ticket_ids;
    let mut errors = Vec::new();
    if sources.is_empty() || sources.len() > MAX_SOURCES {
        errors.push(FieldError::new("source_ticket_ids", format!("must hold 1 to {MAX_SOURCES} ticket ids")));
    }
    if sources.contains(&target) {
        errors.push(FieldError::new("source_ticket_ids", "a ticket cannot be merged into itself"));
    }
    if sources.iter().any(|id| id.0 <= 0) {
        errors.push(FieldError::new("source_ticket_ids", "ticket ids are positive"));
    }
    if sources.iter().collect::<HashSet<_>>().len() != sources.len() {
        errors.push(FieldError::new("source_ticket_ids", "must not name a ticket twice"));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Merge tickets into this one (staff).
#[utoipa::path(post, path = "/v1/tickets/{id}/merge", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = MergeRequest,
    responses(
        (status = 200, description = "The target with its new thread's counts", body = MergeResult),
        (status = 403, description = "`forbidden`: customers; agents asking `allow_different_customers`"),
        (status = 404, description = "`not_found`: the target or a source does not exist or is not the caller's to see"),
        (status = 409, description = "`ticket_closed`: the target or a source is closed; `different_customers`"),
        (status = 422, description = "`validation_failed`: no source, more than 20, a ticket twice, the target among its sources"),
    ))]
pub async fn merge_tickets(
    writer: TicketWriter,
    Path(id): Path<TicketId>,
    JsonBody(request): JsonBody<MergeRequest>,
) -> ApiResult<Json<MergeResult>> {
    check(id, &request).map_err(ApiError::invalid)?;
    let mut db = writer.connect().await?;
    let sources = &request.source_ticket_ids;
    let merged = writer.merge(&mut db, id, sources, request.allow_different_customers).await?;
    Ok(Json(MergeResult {
        ticket: TicketView::new(merged.written.ticket, merged.written.viewer, &fields::Shown::All),
        merged_from: merged.merged_from,
        messages_moved: merged.moved.messages,
        attachments_moved: merged.moved.attachments,
    }))
}
