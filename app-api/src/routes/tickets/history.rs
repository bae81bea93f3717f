//! `GET /v1/tickets/{id}/history`: the audit trail of a ticket, for staff: every change with who
//! made it, when, why, and the fields it changed.

use axum::Json;
use axum::extract::{Path, Query};
use sav::tickets::history::{self, HistoryEntry};
use shared::error::ApiResult;
use shared::http::openapi::NotFound;
use shared::http::{Page, PageParams};

use crate::access::{Access, Scoped, Staff};
use sav::ids::TicketId;

/// A ticket's history, oldest first (staff).
#[utoipa::path(get, path = "/v1/tickets/{id}/history", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path), PageParams),
    responses(
        (status = 200, description = "A page of the history", body = Page<HistoryEntry>),
        Access<Staff>,
        NotFound,
    ))]
pub async fn get_history(
    access: Access<Staff>,
    Path(id): Path<TicketId>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<HistoryEntry>>> {
    let rows = async |after, limit| -> ApiResult<_> {
        let Scoped { item: ticket, mut db, .. } = access.ticket(id).await?;
        Ok(history::page(&mut *db.begin().await?, ticket.id, after, limit).await?)
    };
    Ok(Json(page.fetch(rows, |e| e.id).await?))
}
