//! Linked tickets (staff): `GET/POST /v1/tickets/{id}/links`, `DELETE .../links/{ticket_id}`,
//! and a customer's message split off into a ticket of its own, linked `related` to the first
//! (`POST /v1/tickets/{id}/messages/{message_id}/split`).

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use sav::tickets::fields;
use sav::tickets::links::{self, Link, LinkKind};
use sav::tickets::view::TicketView;
use serde::Deserialize;
use shared::error::{ApiError, ApiResult};
use shared::http::JsonBody;
use shared::http::openapi::NotFound;
use utoipa::ToSchema;

use crate::access::{Access, Scoped, Staff};
use crate::commands::TicketWriter;
use crate::commands::conversation;
use sav::ids::TicketId;

/// The tickets linked to this one that the caller may see, by id.
#[utoipa::path(get, path = "/v1/tickets/{id}/links", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "`kind`: what each ticket is to this one", body = Vec<Link>), NotFound))]
pub async fn list_links(access: Access<Staff>, Path(id): Path<TicketId>) -> ApiResult<Json<Vec<Link>>> {
    let Scoped { viewer, item: ticket, mut db } = access.ticket(id).await?;
    Ok(Json(links::list(&mut *db.begin().await?, ticket.id, viewer.scope()).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddLink {
    #[schema(value_type = i64)]
    pub ticket_id: TicketId,
    /// What `ticket_id` is to this ticket (`parent`: it is this ticket's parent).
    pub kind: LinkKind,
}

/// Links another ticket to this one.
#[utoipa::path(post, path = "/v1/tickets/{id}/links", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AddLink,
    responses(
        (status = 201, description = "Linked; the other ticket lists the inverse", body = Link),
        (status = 403, description = "`forbidden`: customers"),
        NotFound,
        (status = 422, description = "`validation_failed`: itself, a ticket the caller cannot see, a merged ticket, linked already, a cycle; `limit_reached`: 50 links"),
    ))]
pub async fn add_link(
    writer: TicketWriter,
    Path(id): Path<TicketId>,
    JsonBody(body): JsonBody<AddLink>,
) -> ApiResult<(StatusCode, Json<Link>)> {
    let mut db = writer.connect().await?;
    let link = writer.link(&mut db, id, body.ticket_id, body.kind).await?;
    Ok((StatusCode::CREATED, Json(link)))
}

/// Unlinks another ticket from this one.
#[utoipa::path(delete, path = "/v1/tickets/{id}/links/{ticket_id}", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path), ("ticket_id" = i64, Path)),
    responses((status = 204, description = "Unlinked"), (status = 403, description = "`forbidden`: customers"), NotFound))]
pub async fn remove_link(writer: TicketWriter, Path((id, other)): Path<(TicketId, TicketId)>) -> ApiResult<StatusCode> {
    let mut db = writer.connect().await?;
    writer.unlink(&mut db, id, other).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
/// `{}` keeps the first ticket's subject.
pub struct SplitRequest {
    /// The new ticket's subject (default: the first ticket's).
    pub subject: Option<String>,
}

/// Splits a customer's message off into a ticket of its own: its sender's, with its words and
/// files (it leaves the first thread), linked `related` to the first.
#[utoipa::path(post, path = "/v1/tickets/{id}/messages/{message_id}/split", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path), ("message_id" = i64, Path)), request_body = SplitRequest,
    responses(
        (status = 201, description = "The new ticket", body = TicketView),
        (status = 403, description = "`forbidden`: customers"),
        NotFound,
        (status = 409, description = "`ticket_closed`"),
        (status = 422, description = "`validation_failed`: a staff message, a subject too long"),
    ))]
pub async fn split_message(
    writer: TicketWriter,
    Path((id, message_id)): Path<(TicketId, i64)>,
    JsonBody(body): JsonBody<SplitRequest>,
) -> ApiResult<(StatusCode, Json<TicketView>)> {
    let subject = conversation::split_subject(body.subject.as_deref()).map_err(|e| ApiError::invalid(vec![e]))?;
    let mut db = writer.connect().await?;
    let written = writer.split(&mut db, id, message_id, subject).await?;
    let shown = fields::shown(&mut *db.begin().await?, written.viewer).await?;
    Ok((StatusCode::CREATED, Json(TicketView::new(written.ticket, written.viewer, &shown))))
}
