//! `/v1/categories`: the organisation's ticket categories (`sav::categories`). Anyone on
//! the organisation's host reads the active ones (the portal's form offers them before sign-in
//! too); staff may ask for the archived ones; owners and admins keep them.

use axum::Json;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use sav::categories::{self, Category, Draft, Patch};
use sav::tickets::access::Viewer;
use sav::tickets::fields::Label;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult};
use shared::http::openapi::NotFound;
use shared::http::{JsonBody, parse_list_query};
use utoipa::ToSchema;

use crate::access::{Access, Admins, Admitted, Visitor};
use crate::refusals::Answered as _;

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TicketCategoryList)]
pub struct CategoryList {
    pub data: Vec<Category>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    archived: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewTicketCategory)]
pub struct NewCategory {
    /// `[a-z0-9][a-z0-9_-]{0,63}`, unique in the organisation; never changes.
    pub key: String,
    /// English (1 to 100 characters) and, when it differs, French.
    pub label: Label,
    /// 1 to 10000; default: after the others.
    pub position: Option<i32>,
}

/// What to change; absent parts stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TicketCategoryChange)]
pub struct CategoryChange {
    pub label: Option<Label>,
    pub position: Option<i32>,
    /// Archived: no longer offered for new tickets; kept on the tickets that hold it.
    pub archived: Option<bool>,
}

/// The organisation's ticket categories, by position then key (anyone on its host; archived
/// ones with `?archived=true`, staff only).
#[utoipa::path(get, path = "/v1/categories", tag = "tickets",
    params(("archived" = Option<bool>, Query, description = "`true`: the archived ones too (staff only)")),
    responses(
        (status = 200, description = "The categories (at most 100)", body = CategoryList),
        (status = 400, description = "`validation_failed`: an unknown parameter or value"),
        (status = 403, description = "`forbidden`: the archived ones asked for by someone not on the staff"),
    ))]
pub async fn list_ticket_categories(visitor: Visitor, RawQuery(query): RawQuery) -> ApiResult<Json<CategoryList>> {
    let asked: ListQuery = parse_list_query(query.as_deref().unwrap_or_default())?;
    let (viewer, mut db) = visitor.connect().await?;
    if asked.archived && !viewer.is_some_and(Viewer::is_staff) {
        return Err(ApiError::forbidden("archived categories are for staff"));
    }
    Ok(Json(CategoryList { data: categories::all(&mut *db.begin().await?, asked.archived).await? }))
}

/// Add a category (owners and admins).
#[utoipa::path(post, path = "/v1/categories", tag = "tickets", security(("bearer" = [])), request_body = NewCategory,
    responses(
        (status = 201, description = "The category", body = Category),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        Access<Admins>,
        (status = 409, description = "`category_key_taken`"),
        (status = 422, description = "`validation_failed`: the key, the labels or the position; `limit_reached`: the organisation holds 100 categories"),
    ))]
pub async fn create_ticket_category(
    Admitted { viewer: admin, mut db, .. }: Admitted<Admins>,
    JsonBody(body): JsonBody<NewCategory>,
) -> ApiResult<(StatusCode, Json<Category>)> {
    let draft = Draft { key: body.key, label: body.label, position: body.position };
    let mut tx = db.begin().await?;
    let created = categories::create(&mut tx, admin.id, draft).await.answered()?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Rename, reorder or archive a category (owners and admins); its key never changes.
#[utoipa::path(patch, path = "/v1/categories/{key}", tag = "tickets", security(("bearer" = [])),
    params(("key" = String, Path)), request_body = CategoryChange,
    responses(
        (status = 200, description = "The category", body = Category),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        Access<Admins>,
        NotFound,
        (status = 422, description = "`validation_failed`: the labels or the position"),
    ))]
pub async fn patch_ticket_category(
    Admitted { viewer: admin, mut db, .. }: Admitted<Admins>,
    Path(key): Path<String>,
    JsonBody(change): JsonBody<CategoryChange>,
) -> ApiResult<Json<Category>> {
    let patch = Patch { label: change.label, position: change.position, archived: change.archived };
    let mut tx = db.begin().await?;
    let changed = categories::change(&mut tx, admin.id, &key, patch).await.answered()?;
    tx.commit().await?;
    Ok(Json(changed))
}
