//! `POST /v1/tickets/{id}/assign`: staff give a ticket to a staff member, or take it back.
//! Assigning an open ticket starts the work (in_progress); unassigning one in progress puts it
//! back in the queue (open); a ticket waiting for the customer or resolved can be reassigned but
//! not unassigned (see `tickets::moves`).

use axum::Json;
use axum::extract::Path;
use sav::tickets::change::Change;
use sav::tickets::fields;
use sav::tickets::view::TicketView;
use serde::Deserialize;
use shared::error::ApiResult;
use shared::http::JsonBody;
use shared::http::openapi::NotFound;
use utoipa::ToSchema;

use super::present;
use crate::commands::TicketWriter;
use sav::ids::{TicketId, UserId};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// A staff member, or null to unassign.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub assigned_to: Option<UserId>,
}

/// Assign or unassign a ticket (staff).
#[utoipa::path(post, path = "/v1/tickets/{id}/assign", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = Assignment,
    responses(
        (status = 200, description = "The ticket as assigned", body = TicketView),
        (status = 403, description = "`forbidden`: customers"),
        NotFound,
        (status = 409, description = "`ticket_closed`; `conflict`: unassigning a ticket that waits for the customer or is resolved (reassign it instead)"),
        (status = 422, description = "`validation_failed`: the assignee is not an active staff member"),
    ))]
pub async fn assign_ticket(
    writer: TicketWriter,
    Path(id): Path<TicketId>,
    JsonBody(body): JsonBody<Assignment>,
) -> ApiResult<Json<TicketView>> {
    let mut db = writer.connect().await?;
    let written = writer.change(&mut db, id, vec![Change::Assign(body.assigned_to)]).await?;
    Ok(Json(TicketView::new(written.ticket, written.viewer, &fields::Shown::All)))
}
