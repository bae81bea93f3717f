//! `PUT /v1/tickets/{id}/presence` and `DELETE`: staff on a ticket's page say so, and whether
//! they are typing a reply; the other staff who may see the ticket hear it on their streams
//! (`crate::live::presence`). Nothing is stored.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, Path};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use sav::ids::TicketId;
use sav::users;
use serde::Deserialize;
use shared::error::ApiResult;
use shared::http::JsonBody;
use shared::http::openapi::NotFound;
use utoipa::ToSchema;

use crate::access::{Access, Scoped, Staff};
use crate::live::Live;
use crate::live::presence::Presence;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Here {
    /// Typing a reply now.
    pub typing: bool,
}

/// A staff member on ticket `{id}`'s page, and the streams of the other staff who may see it.
pub struct OnTicket {
    live: Arc<Live>,
    access: Access<Staff>,
    id: TicketId,
}

impl OnTicket {
    async fn announce(self, typing: bool, left: bool) -> ApiResult<StatusCode> {
        let Scoped { viewer, item: ticket, mut db } = self.access.ticket(self.id).await?;
        let name = users::display_name(&mut *db.begin().await?, viewer.id).await?;
        drop(db);
        let presence = Presence {
            tenant: self.access.tenant().id,
            ticket_id: ticket.id,
            user_id: viewer.id,
            name,
            typing,
            left,
            assignee: ticket.assigned_to,
            team: ticket.team_id,
        };
        self.live.presence.announce(presence).await;
        Ok(StatusCode::NO_CONTENT)
    }
}

impl FromRequestParts<AppState> for OnTicket {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let live = Arc::<Live>::from_ref(state);
        let access = Access::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        let Path(id) = Path::<TicketId>::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        Ok(Self { live, access, id })
    }
}

/// Say the caller has the ticket open, and whether they are typing (staff; every 15 s or so).
#[utoipa::path(put, path = "/v1/tickets/{id}/presence", tag = "live", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = Here,
    responses(
        (status = 204, description = "Told to the other staff on the ticket, for 30 s"),
        Access<Staff>,
        NotFound,
    ))]
pub async fn put_presence(on: OnTicket, JsonBody(here): JsonBody<Here>) -> ApiResult<StatusCode> {
    on.announce(here.typing, false).await
}

/// Say the caller left the ticket's page (staff).
#[utoipa::path(delete, path = "/v1/tickets/{id}/presence", tag = "live", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Told to the other staff on the ticket"),
        Access<Staff>,
        NotFound,
    ))]
pub async fn delete_presence(on: OnTicket) -> ApiResult<StatusCode> {
    on.announce(false, true).await
}
