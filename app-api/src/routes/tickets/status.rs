//! `POST /v1/tickets/{id}/status`: a move in the state machine, by whoever the transition allows
//! (staff act as agents, customers on their own tickets as the customer).

use axum::Json;
use axum::extract::Path;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::error::{ApiError, ApiResult};
use shared::http::JsonBody;
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;

use crate::context::{TenantContext, TenantDb};
use crate::events::enqueue;
use crate::tickets::content;
use crate::tickets::history::Action;
use crate::tickets::lifecycle::{self, Acting, Move};
use crate::tickets::moves::{self, Caller, State};
use crate::tickets::status::Status;
use crate::tickets::store::{self, Ticket};

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
        (status = 200, description = "The ticket in its new status", body = Ticket),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`invalid_transition`, with `allowed`: the statuses the caller may choose from here"),
        (status = 422, description = "`validation_failed`: reason too long"),
    ))]
pub async fn change_status(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<StatusChange>,
) -> ApiResult<Json<Ticket>> {
    let reason = content::reason(body.reason.as_deref()).map_err(|e| ApiError::invalid(vec![e]))?;
    let mut db = tenant_db.connect().await?;
    change_one(&mut db, &context, id, body.status, reason, Utc::now()).await.map(Json)
}

/// Moves ticket `id` to `to` for the caller, in a transaction of its own with its history and
/// events: what the single and the bulk endpoints do for each ticket. Nothing is left behind
/// when it fails.
pub(super) async fn change_one(
    db: &mut PgConnection,
    context: &TenantContext,
    id: i64,
    to: Status,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> ApiResult<Ticket> {
    let mut tx = db.begin().await?;
    match change_in(&mut tx, context, id, to, reason, now).await {
        Ok(ticket) => {
            tx.commit().await?;
            Ok(ticket)
        }
        Err(err) => {
            // Now: the row lock must not wait for the connection's next use.
            let _ = tx.rollback().await;
            Err(err)
        }
    }
}

async fn change_in(
    tx: &mut PgConnection,
    context: &TenantContext,
    id: i64,
    to: Status,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> ApiResult<Ticket> {
    let (viewer, mut ticket) = store::visible(tx, context.user_id, id, true).await?;
    let actor = viewer.actor();
    let plan = moves::set_status(&State::of(&ticket), to, Caller { id: viewer.id, actor })
        .map_err(|refusal| lifecycle::refused(&refusal, &ticket, actor))?;
    let change = Move::planned(plan, reason);
    let acting = Acting { by: Some(viewer.id), actor };
    let events = lifecycle::apply(tx, &mut ticket, change, acting, Action::StatusChanged, now).await?;
    store::save(tx, &ticket).await?;
    enqueue(tx, &context.tenant, now, &events).await?;
    Ok(ticket)
}
