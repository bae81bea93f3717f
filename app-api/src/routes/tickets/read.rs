//! `GET /v1/tickets/{id}`: one ticket with where it stands against its SLA and how many messages
//! from the other side the caller has not read, in one round trip to the database.

use axum::Json;
use axum::extract::Path;
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::error::ApiResult;
use sqlx::FromRow;
use utoipa::ToSchema;

use crate::context::{TenantContext, TenantDb};
use crate::tickets::access::Viewer;
use crate::tickets::events::SenderType;
use crate::tickets::sla::{self, SlaState};
use crate::tickets::store::{self, COLUMNS, STATUS_CHANGES, Ticket, VIEWER_ROLE};

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: Ticket,
    pub sla: SlaState,
    /// Messages from the other side (staff for a customer, the customer for staff) not read yet.
    pub unread_count: i64,
}

#[derive(FromRow)]
struct Row {
    viewer_role: Option<String>,
    #[sqlx(flatten)]
    ticket: Ticket,
    /// Unread public messages from staff, and from the customer.
    unread_from_agent: i64,
    unread_from_customer: i64,
    change_at: Vec<DateTime<Utc>>,
    change_to: Vec<String>,
}

/// One ticket.
#[utoipa::path(get, path = "/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The ticket", body = TicketDetail),
        (status = 404, description = "`not_found`: no such ticket, or not one the caller may see"),
    ))]
pub async fn get_ticket(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
) -> ApiResult<Json<TicketDetail>> {
    let mut db = tenant_db.connect().await?;
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {VIEWER_ROLE}, {COLUMNS}, {STATUS_CHANGES},
            (SELECT count(*) FROM ticket_messages m WHERE m.ticket_id = t.id AND m.read_at IS NULL
                AND m.sender_type = 'agent' AND NOT m.is_internal) AS unread_from_agent,
            (SELECT count(*) FROM ticket_messages m WHERE m.ticket_id = t.id AND m.read_at IS NULL
                AND m.sender_type = 'customer') AS unread_from_customer
         FROM support_tickets t WHERE t.id = $2"
    ))
    .bind(context.user_id)
    .bind(id)
    .fetch_optional(&mut *db)
    .await?;
    let Some(row) = row else { return Err(store::missing(&mut db, context.user_id, id).await) };
    let viewer = Viewer::from_role(context.user_id, row.viewer_role.as_deref())?;
    let (viewer, ticket) = store::seen(viewer, row.ticket)?;
    let changes = store::changes_from(row.change_at, &row.change_to);
    let sla = sla::evaluate(ticket.created_at, ticket.priority, &changes, ticket.first_response_at, Utc::now());
    let unread_count = match viewer.receives_from() {
        SenderType::Agent => row.unread_from_agent,
        SenderType::Customer => row.unread_from_customer,
    };
    Ok(Json(TicketDetail { ticket, sla, unread_count }))
}
