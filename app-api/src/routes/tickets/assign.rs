//! `POST /v1/tickets/{id}/assign`: staff give a ticket to a staff member, or take it back.
//! Assigning an open ticket starts the work (in_progress); unassigning one in progress puts it
//! back in the queue (open); a ticket waiting for the customer or resolved can be reassigned but
//! not unassigned (see `tickets::moves`).

use axum::Json;
use axum::extract::Path;
use chrono::Utc;
use serde::Deserialize;
use shared::auth::Role;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use sqlx::Connection as _;
use utoipa::ToSchema;
use uuid::Uuid;

use super::present;
use crate::context::{TenantContext, TenantDb};
use crate::events::enqueue;
use crate::tickets::history::Action;
use crate::tickets::lifecycle::{self, Acting, Move};
use crate::tickets::moves::{self, State};
use crate::tickets::store::{self, Ticket};
use crate::users;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// A staff member, or null to unassign.
    #[serde(deserialize_with = "present")]
    pub assigned_to: Option<Uuid>,
}

/// Assign or unassign a ticket (staff).
#[utoipa::path(post, path = "/v1/tickets/{id}/assign", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = Assignment,
    responses(
        (status = 200, description = "The ticket as assigned", body = Ticket),
        (status = 403, description = "`forbidden`: customers"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`ticket_closed`; `conflict`: unassigning a ticket that waits for the customer or is resolved (reassign it instead)"),
        (status = 422, description = "`validation_failed`: the assignee is not an active staff member"),
    ))]
pub async fn assign_ticket(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<Assignment>,
) -> ApiResult<Json<Ticket>> {
    let mut db = tenant_db.connect().await?;
    if let Some(assignee) = body.assigned_to {
        let role = users::active_role(&mut db, assignee).await?;
        if !matches!(role, Some(Role::Owner | Role::Admin | Role::Agent)) {
            return Err(ApiError::invalid(vec![FieldError::new(
                "assigned_to",
                "is not an active agent or admin of this tenant",
            )]));
        }
    }
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let (viewer, mut ticket) = store::visible(&mut tx, context.user_id, id, true).await?;
    viewer.require_staff()?;
    let plan = moves::assign(&State::of(&ticket), body.assigned_to)
        .map_err(|refusal| lifecycle::refused(&refusal, &ticket, viewer.actor()))?;
    let Some(plan) = plan else { return Ok(Json(ticket)) };
    let acting = Acting { by: Some(viewer.id), actor: viewer.actor() };
    let change = Move::planned(plan, None);
    let events = lifecycle::apply(&mut tx, &mut ticket, change, acting, Action::Assigned, now).await?;
    store::save(&mut tx, &ticket).await?;
    enqueue(&mut tx, &context.tenant, now, &events).await?;
    tx.commit().await?;
    Ok(Json(ticket))
}
