//! `GET /v1/tickets/{id}/customer`: the customer beside a ticket's thread, for staff
//! (`sav::customers`).

use axum::Json;
use axum::extract::Path;
use sav::customers::{self, Panel};
use shared::error::{ApiError, ApiResult};
use shared::http::openapi::NotFound;

use crate::access::{Access, Scoped, Staff};
use sav::ids::TicketId;

/// Who the ticket's customer is: their other tickets, orders and ratings (staff).
#[utoipa::path(get, path = "/v1/tickets/{id}/customer", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The customer, their other tickets, orders and satisfaction", body = Panel),
        Access<Staff>,
        NotFound,
    ))]
pub async fn get_ticket_customer(access: Access<Staff>, Path(id): Path<TicketId>) -> ApiResult<Json<Panel>> {
    let Scoped { item: ticket, mut db, .. } = access.ticket(id).await?;
    let panel = customers::panel(&mut *db.begin().await?, ticket.id, ticket.user_id)
        .await?
        .ok_or_else(|| ApiError::internal("a ticket's customer is not in the users mirror"))?;
    Ok(Json(panel))
}
