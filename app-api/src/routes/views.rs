//! `/v1/views`: saved ticket filters (`sav::views`). Staff keep their own, owners and
//! admins the shared ones; a view's tickets and every view's count are found by the ticket
//! list's own parser and builder (`tickets::list`), so they are exactly what `GET /v1/tickets`
//! with the same filters finds.

use std::collections::HashMap;

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use chrono::Utc;
use sav::ids::ViewId;
use sav::tickets::access::Viewer;
use sav::tickets::fields;
use sav::tickets::listing::Order;
use sav::tickets::tallies;
use sav::views::{self, Fields, Patch, Sort, View};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::openapi::NotFound;
use shared::http::{JsonBody, Page, PageParams};
use utoipa::{IntoParams, ToSchema};

use super::tickets::list::{TicketFilter, TicketListItem, page_of};
use crate::access::{Access, Staff};
use crate::refusals::{Answer as _, Answered as _};

type Filters = serde_json::Map<String, serde_json::Value>;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewView {
    /// 1 to 100 characters.
    pub name: String,
    /// The `GET /v1/tickets` filters by name (not `sort`, `limit` or `cursor`), each a string,
    /// or a list of strings for `status`, `priority`, `tag`, `tag_any` and `no_tag`; `{}`: every
    /// ticket the viewer may see.
    #[schema(value_type = Object)]
    pub filters: Filters,
    /// `newest` (the default) or `oldest` first.
    #[serde(default)]
    pub sort: Sort,
    /// Seen by the whole staff (owners and admins make and keep them); default: the caller's own.
    #[serde(default)]
    pub shared: bool,
}

/// The fields to change; absent ones stay. Whether a view is shared never changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewPatch {
    pub name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub filters: Option<Filters>,
    pub sort: Option<Sort>,
}

/// How many tickets a view finds now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ViewCount {
    #[schema(value_type = Uuid)]
    pub id: ViewId,
    pub count: i64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ViewPage {
    /// 1 to 100, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// The ticket list's parameters a view's `filters` ask for, read but not yet checked (the
/// caller checks them once, with `TicketFilter::checked`); a name or value the list cannot read
/// is a 422 naming `filters.<name>`.
fn ticket_filter(filters: &Filters) -> ApiResult<TicketFilter> {
    let query = views::filter_query(filters).map_err(|e| ApiError::invalid(vec![e]))?;
    TicketFilter::parse(&query).map_err(|e| as_view_error(&e))
}

/// A view's `filters`, refused as a whole (422 naming `filters.<name>`) unless the list takes
/// every one of them, custom fields read against the definitions: what a view is saved with.
async fn check_filters(db: &mut sqlx::PgConnection, viewer: Viewer, filters: &Filters) -> ApiResult<()> {
    let filter = ticket_filter(filters)?;
    filter.checked().map_err(|e| as_view_error(&e))?;
    fields::resolve(db, viewer, &filter.custom).await.map(drop).map_err(|e| as_view_error(&e.answer()))
}

/// The list's refusal of a filter, as a refusal of the view's `filters`.
fn as_view_error(err: &ApiError) -> ApiError {
    let errors = err
        .problem()
        .errors
        .into_iter()
        .map(|e| {
            FieldError::new(
                if e.field.is_empty() { "filters".to_owned() } else { format!("filters.{}", e.field) },
                e.message,
            )
        })
        .collect();
    ApiError::invalid(errors)
}

/// The caller's own views and the shared ones: shared first, each by name (staff).
#[utoipa::path(get, path = "/v1/views", tag = "views", security(("bearer" = [])),
    responses(
        (status = 200, description = "The shared views, then the caller's own (at most 150)", body = Vec<View>),
        Access<Staff>,
    ))]
pub async fn list_views(access: Access<Staff>) -> ApiResult<Json<Vec<View>>> {
    let (viewer, mut db) = access.connect().await?;
    Ok(Json(views::visible(&mut *db.begin().await?, viewer.id).await?))
}

/// Save a view (staff; a shared one: owners and admins).
#[utoipa::path(post, path = "/v1/views", tag = "views", security(("bearer" = [])), request_body = NewView,
    responses(
        (status = 201, description = "The view", body = View),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        (status = 403, description = "`forbidden`: staff only, and a shared view owners and admins only"),
        (status = 422, description = "`validation_failed`: a name, or a filter the ticket list does not take (`filters.<name>`); `limit_reached`: 50 views of one's own, or 100 shared"),
    ))]
pub async fn create_view(
    access: Access<Staff>,
    JsonBody(body): JsonBody<NewView>,
) -> ApiResult<(StatusCode, Json<View>)> {
    let (viewer, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    check_filters(&mut tx, viewer, &body.filters).await?;
    let fields = Fields { name: body.name, filters: body.filters, sort: body.sort, shared: body.shared };
    let view = views::create(&mut tx, viewer, fields).await.answered()?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Change a view (its owner; a shared one: owners and admins).
#[utoipa::path(patch, path = "/v1/views/{id}", tag = "views", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ViewPatch,
    responses(
        (status = 200, description = "The view", body = View),
        (status = 403, description = "`forbidden`: a shared view is kept by owners and admins"),
        NotFound,
        (status = 422, description = "`validation_failed`: a name, or a filter the ticket list does not take"),
    ))]
pub async fn patch_view(
    access: Access<Staff>,
    Path(id): Path<ViewId>,
    JsonBody(patch): JsonBody<ViewPatch>,
) -> ApiResult<Json<View>> {
    let (viewer, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    if let Some(filters) = &patch.filters {
        check_filters(&mut tx, viewer, filters).await?;
    }
    let patch = Patch { name: patch.name, filters: patch.filters, sort: patch.sort };
    let view = views::change(&mut tx, viewer, id, patch).await.answered()?;
    tx.commit().await?;
    Ok(Json(view))
}

/// Delete a view (its owner; a shared one: owners and admins).
#[utoipa::path(delete, path = "/v1/views/{id}", tag = "views", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "`forbidden`: a shared view is kept by owners and admins"),
        NotFound,
    ))]
pub async fn delete_view(access: Access<Staff>, Path(id): Path<ViewId>) -> ApiResult<StatusCode> {
    let (viewer, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    views::remove(&mut tx, viewer, id).await.answered()?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A view's tickets as the caller may see them, in its order, in pages like `GET /v1/tickets`
/// (staff).
#[utoipa::path(get, path = "/v1/views/{id}/tickets", tag = "views", security(("bearer" = [])),
    params(("id" = Uuid, Path), ViewPage),
    responses(
        (status = 200, description = "A page of the view's tickets", body = Page<TicketListItem>),
        (status = 400, description = "`validation_failed`: an unknown parameter"),
        Access<Staff>,
        NotFound,
        (status = 422, description = "`validation_failed`: a bad limit or cursor"),
    ))]
pub async fn view_tickets(
    access: Access<Staff>,
    Path(id): Path<ViewId>,
    axum::extract::Query(paging): axum::extract::Query<ViewPage>,
) -> ApiResult<Json<Page<TicketListItem>>> {
    let (viewer, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let view = views::get(&mut tx, viewer.id, id).await?.ok_or(views::Refused::NotFound).answered()?;
    let filter = ticket_filter(&view.filters)?;
    let mut wanted = filter.checked().map_err(|e| as_view_error(&e))?;
    wanted.fields = fields::resolve(&mut tx, viewer, &filter.custom).await.map_err(|e| as_view_error(&e.answer()))?;
    let page = PageParams { limit: paging.limit, cursor: paging.cursor };
    wanted.limit = page.limit()?;
    wanted.after = page.position()?;
    wanted.order = match view.sort {
        Sort::Newest => Order::NewestFirst,
        Sort::Oldest => Order::OldestFirst,
    };
    let (page, _) = page_of(&mut tx, viewer, &wanted).await?;
    Ok(Json(page))
}

/// How many tickets each view the caller sees finds now, exactly, in one request (staff).
#[utoipa::path(get, path = "/v1/views/counts", tag = "views", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every view the caller sees with its count, in the order of `GET /v1/views`", body = Vec<ViewCount>),
        Access<Staff>,
    ))]
pub async fn view_counts(access: Access<Staff>) -> ApiResult<Json<Vec<ViewCount>>> {
    let (viewer, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let seen = views::visible(&mut tx, viewer.id).await?;
    let filters = seen.iter().map(|view| ticket_filter(&view.filters)).collect::<ApiResult<Vec<_>>>()?;
    let defined = if filters.iter().any(|f| !f.custom.is_empty()) { fields::all(&mut tx).await? } else { Vec::new() };
    let mut wanted = Vec::with_capacity(seen.len());
    for (view, filter) in seen.iter().zip(&filters) {
        let mut checked = filter.checked().map_err(|e| as_view_error(&e))?;
        // A view naming a field deleted since finds nothing (its tickets say why).
        let Ok(conditions) = fields::conditions(&defined, &filter.custom, viewer) else { continue };
        checked.fields = conditions;
        wanted.push((view.id, checked));
    }
    let found = tallies::view_counts(&mut tx, viewer, &wanted, Utc::now()).await?;
    if found.fold_wanted {
        super::tags::fold_later(access.db());
    }
    let counts: HashMap<ViewId, i64> = found.counts.into_iter().collect();
    Ok(Json(
        seen.iter().map(|view| ViewCount { id: view.id, count: counts.get(&view.id).copied().unwrap_or(0) }).collect(),
    ))
}
