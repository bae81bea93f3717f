//! `GET /v1/tickets/{id}/customer`: the customer beside a ticket's thread, for staff
//! (`crate::sav::customers`).

use axum::Json;
use axum::extract::Path;
use shared::error::{ApiError, ApiResult};

use crate::context::{TenantContext, TenantDb};
use crate::sav::customers::{self, Panel};
use crate::sav::tickets::store;

/// Who the ticket's customer is: their other tickets, orders and ratings (staff).
#[utoipa::path(get, path = "/v1/tickets/{id}/customer", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The customer, their other tickets, orders and satisfaction", body = Panel),
        (status = 403, description = "`forbidden`: customers"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn get_ticket_customer(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
) -> ApiResult<Json<Panel>> {
    let mut db = tenant_db.connect().await?;
    let (viewer, ticket) = store::visible(&mut db, context.user_id, id, false).await?;
    viewer.require_staff()?;
    let panel = customers::panel(&mut db, ticket.id, ticket.user_id)
        .await?
        .ok_or_else(|| ApiError::internal("a ticket's customer is not in the users mirror"))?;
    Ok(Json(panel))
}
