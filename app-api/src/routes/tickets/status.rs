//! `POST /v1/tickets/{id}/status`: a move in the state machine, by whoever the transition allows
//! (staff act as agents, customers on their own tickets as the customer).

use axum::Json;
use axum::extract::Path;
use sav::tickets::change::Change;
use sav::tickets::content;
use sav::tickets::fields;
use sav::tickets::status::Status;
use sav::tickets::view::TicketView;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use shared::http::openapi::NotFound;
use utoipa::ToSchema;

use crate::commands::TicketWriter;
use crate::commands::conversation::ChildLeft;
use sav::ids::TicketId;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: Status,
    /// Up to 1,000 characters; it reaches the customer in the status event. Required when staff
    /// reopen a resolved ticket (`in_progress`): the history keeps it with its author.
    pub reason: Option<String>,
    /// With `status: resolved` (staff): its children that may move to `resolved` are resolved
    /// with it, each its own change.
    #[serde(default)]
    pub resolve_children: bool,
}

/// The ticket in its new status, and with `resolve_children` the children left as they were.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusChanged {
    #[serde(flatten)]
    pub ticket: TicketView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children_left: Option<Vec<ChildLeft>>,
}

/// Move a ticket to another status.
#[utoipa::path(post, path = "/v1/tickets/{id}/status", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = StatusChange,
    responses(
        (status = 200, description = "The ticket in its new status (with `resolve_children`, `children_left`)", body = StatusChanged),
        NotFound,
        (status = 409, description = "`invalid_transition`, with `allowed`: the statuses the caller may choose from here (its `allowed_statuses`)"),
        (status = 422, description = "`validation_failed`: reason too long, or missing when staff reopen a resolved ticket, `resolve_children` with another status; `fields_required`: resolving while a field required to resolve is empty (each named `fields.KEY`)"),
    ))]
pub async fn change_status(
    writer: TicketWriter,
    Path(id): Path<TicketId>,
    JsonBody(body): JsonBody<StatusChange>,
) -> ApiResult<Json<StatusChanged>> {
    let reason = content::reason(body.reason.as_deref()).map_err(|e| ApiError::invalid(vec![e]))?;
    if body.resolve_children && body.status != Status::Resolved {
        return Err(ApiError::invalid(vec![FieldError::new("resolve_children", "goes with status resolved only")]));
    }
    let mut db = writer.connect().await?;
    let (written, children_left) = if body.resolve_children {
        let (written, left) = writer.resolve_with_children(&mut db, id, reason).await?;
        (written, Some(left))
    } else {
        (writer.change(&mut db, id, vec![Change::Status { to: body.status, reason }]).await?, None)
    };
    let shown = fields::shown(&mut *db.begin().await?, written.viewer).await?;
    Ok(Json(StatusChanged { ticket: TicketView::new(written.ticket, written.viewer, &shown), children_left }))
}
