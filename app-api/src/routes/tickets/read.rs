//! `GET /v1/tickets/{id}`: one ticket with where it stands against its SLA and how many messages
//! from the other side the caller has not read.

use axum::Json;
use axum::extract::Path;
use chrono::Utc;
use serde::Serialize;
use shared::error::ApiResult;
use utoipa::ToSchema;

use crate::tenancy::context::{TenantContext, TenantDb};
use crate::tickets::access::Viewer;
use crate::tickets::sla::SlaState;
use crate::tickets::store::{self, Ticket};

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: Ticket,
    pub sla: SlaState,
    /// Messages from the other side (staff for a customer, the customer for staff) not read yet.
    pub unread_count: i64,
}

/// One ticket.
#[utoipa::path(get, path = "/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The ticket", body = TicketDetail),
        (status = 404, description = "`not_found`: no such ticket, or not one the caller may see", body = shared::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_ticket(
    context: TenantContext,
    TenantDb(mut db): TenantDb,
    Path(id): Path<i64>,
) -> ApiResult<Json<TicketDetail>> {
    let viewer = Viewer::load(&mut db, context.user_id).await?;
    let ticket = store::visible(&mut db, viewer, id, false).await?;
    let sla = store::sla_state(&mut db, &ticket, Utc::now()).await?;
    let from_other_side = viewer.receives_from();
    let unread_count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM ticket_messages
         WHERE ticket_id = $1 AND read_at IS NULL AND sender_type = $2 AND NOT is_internal",
    )
    .bind(ticket.id)
    .bind(from_other_side.as_str())
    .fetch_one(&mut *db)
    .await?;
    Ok(Json(TicketDetail { ticket, sla, unread_count }))
}
