//! `GET /v1/tickets`: the tickets the caller may see, newest first, filtered, searched, in pages.

use axum::Json;
use axum::extract::Query;
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::{Page, PageParams};
use sqlx::{Postgres, QueryBuilder};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::context::{TenantContext, TenantDb};
use crate::tickets::access::Viewer;
use crate::tickets::priority::Priority;
use crate::tickets::status::Status;
use crate::tickets::store::{COLUMNS, Ticket};

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

    // The page's ids first: with filters on indexed columns an index-only scan finds and sorts
    // them without reading every matching row; then the rows of those ids alone.
    let mut query = QueryBuilder::<Postgres>::new(format!(
        "SELECT {COLUMNS} FROM support_tickets t WHERE t.id = ANY(ARRAY(SELECT t.id FROM support_tickets t WHERE true"
    ));
    viewer.push_visibility(&mut query);
    if !statuses.is_empty() {
        query.push(" AND t.status = ANY(").push_bind(statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()).push(")");
    }
    if !priorities.is_empty() {
        query
            .push(" AND t.priority = ANY(")
            .push_bind(priorities.iter().map(|p| p.as_str()).collect::<Vec<_>>())
            .push(")");
    }
    if let Some(assignee) = filter.assigned_to {
        query.push(" AND t.assigned_to = ").push_bind(assignee);
    }
    match filter.unassigned {
        Some(true) => query.push(" AND t.assigned_to IS NULL"),
        Some(false) => query.push(" AND t.assigned_to IS NOT NULL"),
        None => &mut query,
    };
    if let Some(category) = &filter.category {
        query.push(" AND t.category = ").push_bind(category);
    }
    if let Some(customer) = filter.user_id {
        query.push(" AND t.user_id = ").push_bind(customer);
    }
    if let Some(order) = filter.order_id {
        query.push(" AND t.order_id = ").push_bind(order);
    }
    if let Some(q) = q {
        // The ticket and its thread as the caller may see them (migration 0002).
        let document = if viewer.sees_internal_notes() { "search_staff" } else { "search_public" };
        query.push(format!(" AND t.{document} @@ websearch_to_tsquery('simple', ")).push_bind(q).push(")");
    }
    if let Some(after) = after {
        query.push(" AND t.id < ").push_bind(after);
    }
    query.push(" ORDER BY t.id DESC LIMIT ").push_bind(i64::from(limit) + 1).push(")) ORDER BY t.id DESC");
    let rows: Vec<Ticket> = query.build_query_as().fetch_all(&mut *db).await?;
    Ok(Json(Page::from_rows(rows, limit, |t| t.id)))
}
