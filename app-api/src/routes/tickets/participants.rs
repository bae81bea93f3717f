//! A ticket's participants: `GET/POST /v1/tickets/{id}/participants`, `DELETE
//! .../participants/{pid}`, and the link in a copied participant's mail that takes them off the
//! conversation (`POST /v1/participants/leave?token=`, RFC 8058 one-click: no sign-in, the
//! token is the permission).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use sav::tickets::participants::{self, Kind, Participant};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use shared::http::openapi::NotFound;
use utoipa::{IntoParams, ToSchema};

use crate::access::{Access, Members, Scoped};
use crate::commands::TicketWriter;
use crate::commands::conversation::{self, Joining};
use crate::config::AppConfig;
use crate::events::Events;
use crate::mailin::OwnAddresses;
use crate::notifications::links::Leave;
use crate::routes::mail_links::MailLinks;
use sav::ids::TicketId;

/// A ticket's participants: staff see every one, its customer the people copied on it.
#[utoipa::path(get, path = "/v1/tickets/{id}/participants", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "Oldest first", body = Vec<Participant>), NotFound))]
pub async fn list_participants(access: Access<Members>, Path(id): Path<TicketId>) -> ApiResult<Json<Vec<Participant>>> {
    let Scoped { viewer, item: ticket, mut db } = access.ticket(id).await?;
    Ok(Json(participants::list(&mut *db.begin().await?, ticket.id, viewer.is_staff()).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddParticipant {
    pub email: String,
    /// How mail names them (up to 255 characters).
    pub name: Option<String>,
    pub kind: Kind,
}

/// Copies someone on a ticket's conversation, or makes a staff member one of its followers.
#[utoipa::path(post, path = "/v1/tickets/{id}/participants", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AddParticipant,
    responses(
        (status = 201, description = "Added", body = Participant),
        (status = 200, description = "The address was a participant already: nothing changed", body = Participant),
        (status = 403, description = "`forbidden`: a customer adding a follower, or copying someone on another's ticket"),
        NotFound,
        (status = 409, description = "`ticket_closed`"),
        (status = 422, description = "`validation_failed`: not an address, one of the organisation's own, the ticket's customer, a follower who is not staff; `limit_reached`: 20 participants"),
    ))]
pub async fn add_participant(
    State(config): State<Arc<AppConfig>>,
    writer: TicketWriter,
    Path(id): Path<TicketId>,
    JsonBody(body): JsonBody<AddParticipant>,
) -> ApiResult<(StatusCode, Json<Participant>)> {
    let mut errors = Vec::new();
    let email = shared::mail::address(&body.email);
    if email.is_none() {
        errors.push(FieldError::new("email", "must be an email address such as ana@example.com"));
    }
    let name = body.name.as_deref().unwrap_or_default().trim().to_owned();
    if name.chars().count() > 255 || name.chars().any(char::is_control) {
        errors.push(FieldError::new("name", "must be at most 255 characters on one line"));
    }
    let mut db = writer.connect().await?;
    if let Some(email) = &email
        && OwnAddresses::of(&config, &mut *db.begin().await?).await?.includes(email)
    {
        errors.push(FieldError::new("email", "is one of this organisation's own addresses"));
    }
    super::reject(errors)?;
    let joining = Joining { email: email.unwrap_or_default(), name, kind: body.kind };
    let (participant, added) = writer.add_participant(&mut db, id, joining).await?;
    Ok((if added { StatusCode::CREATED } else { StatusCode::OK }, Json(participant)))
}

/// Takes a participant off a ticket: staff anyone, its customer the people copied on it, a
/// participant themself.
#[utoipa::path(delete, path = "/v1/tickets/{id}/participants/{pid}", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path), ("pid" = i64, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "`forbidden`: a customer removing a follower"),
        NotFound,
    ))]
pub async fn remove_participant(writer: TicketWriter, Path((id, pid)): Path<(TicketId, i64)>) -> ApiResult<StatusCode> {
    let mut db = writer.connect().await?;
    writer.remove_participant(&mut db, id, pid).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LeaveParams {
    /// The token of the link in a copied participant's mail.
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Left {
    pub ticket_number: String,
    pub email: String,
}

/// One-click leave (RFC 8058): the copied participant the mail was sent to is taken off the
/// conversation. A second click finds them gone: 400, as for any link that names nobody.
#[utoipa::path(post, path = "/v1/participants/leave", tag = "tickets", params(LeaveParams),
    responses((status = 200, description = "They left", body = Left), MailLinks))]
pub async fn leave(
    State(events): State<Arc<Events>>,
    links: MailLinks,
    Query(params): Query<LeaveParams>,
) -> ApiResult<Json<Left>> {
    let invalid =
        || ApiError::new(StatusCode::BAD_REQUEST, "invalid_token", "this link is not valid, or they left already");
    let Some((link, mut db, tenant)) = links.open_with_tenant::<Leave>(&params.token).await? else {
        return Err(invalid());
    };
    let Some((participant, ticket_number)) =
        conversation::leave(&mut db, &tenant, &events, link.participant_id).await?
    else {
        return Err(invalid());
    };
    Ok(Json(Left { ticket_number, email: participant.email }))
}
