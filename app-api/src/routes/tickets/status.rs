//! `POST /v1/tickets/{id}/status`: a move in the state machine, by whoever the transition allows
//! (staff act as agents, customers on their own tickets as the customer).

use axum::Json;
use axum::extract::Path;
use serde::Deserialize;
use shared::error::{ApiError, ApiResult};
use shared::http::JsonBody;
use shared::http::openapi::NotFound;
use utoipa::ToSchema;

use crate::commands::{Change, TicketWriter};
use crate::sav::tickets::content;
use crate::sav::tickets::fields;
use crate::sav::tickets::status::Status;
use crate::sav::tickets::view::TicketView;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: Status,
    /// Up to 1,000 characters; it reaches the customer in the status event.
    pub reason: Option<String>,
}

/// Move a ticket to another status.
#[utoipa::path(post, path = "/v1/tickets/{id}/status", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = StatusChange,
    responses(
        (status = 200, description = "The ticket in its new status", body = TicketView),
        NotFound,
        (status = 409, description = "`invalid_transition`, with `allowed`: the statuses the caller may choose from here (its `allowed_statuses`)"),
        (status = 422, description = "`validation_failed`: reason too long; `fields_required`: resolving while a field required to resolve is empty (each named `fields.KEY`)"),
    ))]
pub async fn change_status(
    writer: TicketWriter,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<StatusChange>,
) -> ApiResult<Json<TicketView>> {
    let reason = content::reason(body.reason.as_deref()).map_err(|e| ApiError::invalid(vec![e]))?;
    let mut db = writer.connect().await?;
    let written = writer.change(&mut db, id, vec![Change::Status { to: body.status, reason }]).await?;
    let shown = fields::shown(&mut db, written.viewer).await?;
    Ok(Json(TicketView::new(written.ticket, written.viewer, &shown)))
}
