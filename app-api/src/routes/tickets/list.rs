//! `GET /v1/tickets`: the tickets the caller may see, newest first, filtered, searched, in pages.

use axum::Json;
use axum::extract::Query;
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::{Page, PageParams};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::context::{TenantContext, TenantDb};
use crate::tickets::access::Viewer;
use crate::tickets::listing::{self, Filter};
use crate::tickets::priority::Priority;
use crate::tickets::status::Status;
use crate::tickets::store::Ticket;

const QUERY_MAX_CHARS: usize = 200;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TicketFilter {
    /// One status or several, comma-separated (`open,in_progress`).
    pub status: Option<String>,
    /// One priority or several, comma-separated.
    pub priority: Option<String>,
    pub assigned_to: Option<Uuid>,
    pub category: Option<String>,
    /// The customer.
    pub user_id: Option<Uuid>,
    pub order_id: Option<i64>,
    /// `true`: only tickets nobody is assigned to; `false`: only assigned ones.
    pub unassigned: Option<bool>,
    /// Full-text search over subject, description and the thread (web search syntax: words,
    /// "phrases", OR, -not); customers' searches never read internal notes.
    pub q: Option<String>,
    /// 1 to 100, default 50.
    pub limit: Option<u32>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// A comma-separated list of known values; an unknown one is a 400 naming the field.
fn parse_list<T>(field: &str, value: Option<&str>, parse: fn(&str) -> Option<T>) -> ApiResult<Vec<T>> {
    let Some(value) = value else { return Ok(Vec::new()) };
    value
        .split(',')
        .map(|item| {
            parse(item.trim()).ok_or_else(|| {
                ApiError::invalid(vec![FieldError::new(field, format!("unknown value {item:?}"))])
                    .with_status(axum::http::StatusCode::BAD_REQUEST)
            })
        })
        .collect()
}

/// Tickets the caller may see.
#[utoipa::path(get, path = "/v1/tickets", tag = "tickets", security(("bearer" = [])), params(TicketFilter),
    responses(
        (status = 200, description = "A page of tickets, newest first", body = Page<Ticket>),
        (status = 400, description = "`validation_failed`: an unknown parameter or value"),
        (status = 422, description = "`validation_failed`: a bad limit, cursor or query"),
    ))]
pub async fn list_tickets(
    context: TenantContext,
    tenant_db: TenantDb,
    Query(filter): Query<TicketFilter>,
) -> ApiResult<Json<Page<Ticket>>> {
    let page = PageParams { limit: filter.limit, cursor: filter.cursor.clone() };
    let limit = page.limit()?;
    let after: Option<i64> = page.position()?;
    let statuses = parse_list("status", filter.status.as_deref(), Status::parse)?;
    let priorities = parse_list("priority", filter.priority.as_deref(), Priority::parse)?;
    let q = filter.q.as_deref().map(str::trim);
    if q.is_some_and(|q| q.is_empty() || q.chars().count() > QUERY_MAX_CHARS) {
        return Err(ApiError::invalid(vec![FieldError::new("q", "must be 1 to 200 characters")]));
    }
    let mut db = tenant_db.connect().await?;
    let viewer = Viewer::load(&mut db, context.user_id).await?;
    let wanted = Filter {
        statuses,
        priorities,
        assigned_to: filter.assigned_to,
        unassigned: filter.unassigned,
        category: filter.category.as_deref(),
        user_id: filter.user_id,
        order_id: filter.order_id,
        q,
        before: after,
        limit,
    };
    let rows = listing::list(&mut db, viewer, &wanted).await?;
    Ok(Json(Page::from_rows(rows, limit, |t| t.id)))
}
