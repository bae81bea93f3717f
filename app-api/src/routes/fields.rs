//! `/v1/fields`: the tenant's typed custom fields (`sav::tickets::fields`). Everyone
//! signed in reads the fields they are shown (customers those visible to them); owners and
//! admins keep them.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use sav::tickets::fields::{self, Choice, Draft, Field, Kind, Label, Patch};
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use shared::http::openapi::NotFound;
use utoipa::ToSchema;

use crate::access::{Access, Admins, Members};
use crate::refusals::Answered as _;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewField {
    /// `[a-z][a-z0-9_]{0,39}`, unique in the tenant; never changes.
    pub key: String,
    /// English (1 to 100 characters) and, when it differs, French.
    pub label: Label,
    #[serde(rename = "type")]
    pub kind: Kind,
    /// Dropdown and multi-select: 1 to 100 options with distinct values.
    #[serde(default)]
    pub options: Vec<Choice>,
    #[serde(default)]
    pub required_to_resolve: bool,
    #[serde(default)]
    pub visible_to_customer: bool,
    /// Needs `visible_to_customer`.
    #[serde(default)]
    pub editable_by_customer: bool,
    /// 0 to 10000; default: after the others.
    pub position: Option<i32>,
}

/// What to change; absent parts stay. `options` replaces the list. The key and the type never
/// change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    pub label: Option<Label>,
    pub options: Option<Vec<Choice>>,
    pub required_to_resolve: Option<bool>,
    pub visible_to_customer: Option<bool>,
    pub editable_by_customer: Option<bool>,
    pub position: Option<i32>,
    /// Refused: a field's key never changes.
    #[schema(value_type = Option<String>)]
    pub key: Option<serde_json::Value>,
    /// Refused: a field's type never changes.
    #[serde(rename = "type")]
    #[schema(value_type = Option<String>)]
    pub kind: Option<serde_json::Value>,
}

/// The tenant's fields the caller is shown, in their order (customers: those visible to them).
#[utoipa::path(get, path = "/v1/fields", tag = "fields", security(("bearer" = [])),
    responses(
        (status = 200, description = "The fields (at most 100)", body = Vec<Field>),
        Access<Members>,
    ))]
pub async fn list_fields(access: Access<Members>) -> ApiResult<Json<Vec<Field>>> {
    let (viewer, mut db) = access.connect().await?;
    Ok(Json(fields::seen_by(&mut *db.begin().await?, viewer).await?))
}

/// Define a field (owners and admins).
#[utoipa::path(post, path = "/v1/fields", tag = "fields", security(("bearer" = [])), request_body = NewField,
    responses(
        (status = 201, description = "The field", body = Field),
        Access<Admins>,
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        (status = 409, description = "`field_key_taken`"),
        (status = 422, description = "`validation_failed`: a key, labels, options; `limit_reached`: the tenant holds 100 fields"),
    ))]
pub async fn create_field(
    access: Access<Admins>,
    JsonBody(body): JsonBody<NewField>,
) -> ApiResult<(StatusCode, Json<Field>)> {
    let draft = Draft {
        key: body.key,
        label: body.label,
        kind: body.kind,
        options: body.options,
        required_to_resolve: body.required_to_resolve,
        visible_to_customer: body.visible_to_customer,
        editable_by_customer: body.editable_by_customer,
        position: body.position,
    };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let created = fields::create(&mut tx, admin.id, draft).await.answered()?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Change a field (owners and admins); an option tickets hold is not removed.
#[utoipa::path(patch, path = "/v1/fields/{key}", tag = "fields", security(("bearer" = [])),
    params(("key" = String, Path)), request_body = FieldChange,
    responses(
        (status = 200, description = "The field", body = Field),
        Access<Admins>,
        NotFound,
        (status = 409, description = "`option_in_use`: an option removed is held by a ticket"),
        (status = 422, description = "`validation_failed`: labels, options, `key` or `type` given"),
    ))]
pub async fn patch_field(
    access: Access<Admins>,
    Path(key): Path<String>,
    JsonBody(change): JsonBody<FieldChange>,
) -> ApiResult<Json<Field>> {
    let mut fixed = Vec::new();
    if change.key.is_some() {
        fixed.push(FieldError::new("key", "a field's key never changes"));
    }
    if change.kind.is_some() {
        fixed.push(FieldError::new("type", "a field's type never changes: make another field"));
    }
    if !fixed.is_empty() {
        return Err(ApiError::invalid(fixed));
    }
    let patch = Patch {
        label: change.label,
        options: change.options,
        required_to_resolve: change.required_to_resolve,
        visible_to_customer: change.visible_to_customer,
        editable_by_customer: change.editable_by_customer,
        position: change.position,
    };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let changed = fields::change(&mut tx, admin.id, &key, patch).await.answered()?;
    tx.commit().await?;
    Ok(Json(changed))
}

/// Delete a field and every ticket's value of it (owners and admins).
#[utoipa::path(delete, path = "/v1/fields/{key}", tag = "fields", security(("bearer" = [])),
    params(("key" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        Access<Admins>,
        NotFound,
    ))]
pub async fn delete_field(access: Access<Admins>, Path(key): Path<String>) -> ApiResult<StatusCode> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    fields::remove(&mut tx, admin.id, &key).await.answered()?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
