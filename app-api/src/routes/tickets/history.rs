//! `GET /v1/tickets/{id}/history`: the audit trail of a ticket, for staff: every change with who
//! made it, when, why, and the fields it changed.

use axum::Json;
use axum::extract::{Path, Query};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::error::ApiResult;
use shared::http::{Page, PageParams};
use sqlx::FromRow;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::context::{TenantContext, TenantDb};
use crate::tickets::store;

#[derive(Debug, Serialize, ToSchema, FromRow)]
pub struct HistoryEntry {
    pub id: i64,
    /// Null for the system.
    pub actor_id: Option<Uuid>,
    /// `agent`, `customer` or `system`.
    pub actor_kind: String,
    /// `created`, `status_changed`, `assigned` or `updated`.
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub reason: Option<String>,
    /// `{"field": [old, new]}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// A ticket's history, oldest first (staff).
#[utoipa::path(get, path = "/v1/tickets/{id}/history", tag = "tickets", security(("bearer" = [])),
    params(("id" = i64, Path), PageParams),
    responses(
        (status = 200, description = "A page of the history", body = Page<HistoryEntry>),
        (status = 403, description = "`forbidden`: customers"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn get_history(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<HistoryEntry>>> {
    let limit = page.limit()?;
    let after: Option<i64> = page.position()?;
    let mut db = tenant_db.connect().await?;
    let (viewer, ticket) = store::visible(&mut db, context.user_id, id, false).await?;
    viewer.require_staff()?;
    let rows: Vec<HistoryEntry> = sqlx::query_as(
        "SELECT id, actor_id, actor_kind, action, from_status, to_status, reason, changes, created_at
         FROM ticket_history WHERE ticket_id = $1 AND id > $2 ORDER BY id LIMIT $3",
    )
    .bind(ticket.id)
    .bind(after.unwrap_or(0))
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *db)
    .await?;
    Ok(Json(Page::from_rows(rows, limit, |e| e.id)))
}
