//! `PUT /v1/tickets/{id}/presence` and `DELETE`: staff on a ticket's page say so, and whether
//! they are typing a reply; the other staff who may see the ticket hear it on their streams
//! (`crate::live::presence`). Nothing is stored.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use shared::error::ApiResult;
use shared::http::JsonBody;
use shared::http::openapi::NotFound;
use utoipa::ToSchema;

use crate::access::{Access, Scoped, Staff};
use crate::live::Live;
use crate::live::presence::Presence;
use crate::sav::users;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Here {
    /// Typing a reply now.
    pub typing: bool,
}

async fn announce(live: &Live, access: &Access<Staff>, id: i64, typing: bool, left: bool) -> ApiResult<StatusCode> {
    let Scoped { viewer, item: ticket, mut db } = access.ticket(id).await?;
    let name = users::display_name(&mut db, viewer.id).await?;
    drop(db);
    let presence = Presence {
        tenant: access.tenant().id,
        ticket_id: ticket.id,
        user_id: viewer.id,
        name,
        typing,
        left,
        assignee: ticket.assigned_to,
    };
    live.presence.announce(presence).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Say the caller has the ticket open, and whether they are typing (staff; every 15 s or so).
#[utoipa::path(put, path = "/v1/tickets/{id}/presence", tag = "live", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = Here,
    responses(
        (status = 204, description = "Told to the other staff on the ticket, for 30 s"),
        Access<Staff>,
        NotFound,
    ))]
pub async fn put_presence(
    State(live): State<Arc<Live>>,
    access: Access<Staff>,
    Path(id): Path<i64>,
    JsonBody(here): JsonBody<Here>,
) -> ApiResult<StatusCode> {
    announce(&live, &access, id, here.typing, false).await
}

/// Say the caller left the ticket's page (staff).
#[utoipa::path(delete, path = "/v1/tickets/{id}/presence", tag = "live", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Told to the other staff on the ticket"),
        Access<Staff>,
        NotFound,
    ))]
pub async fn delete_presence(
    State(live): State<Arc<Live>>,
    access: Access<Staff>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    announce(&live, &access, id, false, true).await
}
