//! `/v1/api-keys` (owners and admins): make a key (its text shown once), list the keys, revoke
//! one (refused at once on every replica the revocation reaches over Redis, within
//! `keys::TRUSTED_FOR` on any other).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::{JsonBody, PageParams};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::{Access, Admins};
use crate::infra::Gate;
use crate::integrations::keys::{self, ApiKey, Scope};
use crate::integrations::{Integrations, manage};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    /// 1 to 100 characters: what the key is for. It names the integration in the history.
    pub name: String,
    /// At least one of `tickets:read`, `tickets:write`, `inbound:email`.
    pub scopes: Vec<Scope>,
    /// When the key stops working (in the future); none: until revoked.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A key just made, with its text: shown this once, never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub api_key: ApiKey,
    /// `hdk_...`: send it as `Authorization: Bearer hdk_...`.
    pub key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyPage {
    pub data: Vec<ApiKey>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1 to 100, default 50.
    pub limit: Option<u32>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

fn validate(body: &NewApiKey, now: DateTime<Utc>) -> Result<(String, Vec<Scope>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        errors.push(FieldError::new("name", "must be 1 to 100 characters, without control characters"));
    }
    let mut scopes = body.scopes.clone();
    scopes.sort_by_key(|s| s.as_str());
    scopes.dedup();
    if scopes.is_empty() {
        errors.push(FieldError::new("scopes", "must name at least one scope"));
    }
    if body.expires_at.is_some_and(|at| at <= now) {
        errors.push(FieldError::new("expires_at", "must be in the future"));
    }
    if errors.is_empty() { Ok((name, scopes)) } else { Err(errors) }
}

/// Make an API key (owners and admins). The key is in this answer only.
#[utoipa::path(post, path = "/v1/api-keys", tag = "integrations", security(("bearer" = [])), request_body = NewApiKey,
    responses(
        (status = 201, description = "The key, with its text shown this once", body = CreatedApiKey),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field or scope, wrong type"),
        Access<Admins>,
        (status = 422, description = "`validation_failed`: empty name, no scope, an expiry in the past; `limit_reached`: the tenant holds 100 keys not revoked"),
    ))]
pub async fn create_api_key(
    State(integrations): State<Arc<Integrations>>,
    access: Access<Admins>,
    JsonBody(body): JsonBody<NewApiKey>,
) -> ApiResult<(StatusCode, Json<CreatedApiKey>)> {
    let (name, scopes) = validate(&body, Utc::now()).map_err(ApiError::invalid)?;
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let (api_key, key) =
        manage::issue_key(&mut tx, &integrations.keys, admin.id, &name, &scopes, body.expires_at).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(CreatedApiKey { api_key, key })))
}

/// The tenant's API keys, newest first, revoked ones included (owners and admins). Never their
/// text.
#[utoipa::path(get, path = "/v1/api-keys", tag = "integrations", security(("bearer" = [])), params(ListParams),
    responses(
        (status = 200, description = "A page of keys", body = ApiKeyPage),
        Access<Admins>,
    ))]
pub async fn list_api_keys(access: Access<Admins>, Query(params): Query<ListParams>) -> ApiResult<Json<ApiKeyPage>> {
    let rows = async |before, limit| -> ApiResult<_> {
        let (_, mut db) = access.connect().await?;
        Ok(keys::page(&mut *db.begin().await?, before, limit).await?)
    };
    let page = PageParams { limit: params.limit, cursor: params.cursor }.fetch(rows, |k| (k.created_at, k.id)).await?;
    Ok(Json(ApiKeyPage { data: page.data, next_cursor: page.next_cursor }))
}

/// Revoke an API key (owners and admins): refused from now on, on every replica.
#[utoipa::path(delete, path = "/v1/api-keys/{id}", tag = "integrations", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Revoked (or revoked already)"),
        Access<Admins>,
        (status = 404, description = "`not_found`: no key of this tenant has this id"),
    ))]
pub async fn revoke_api_key(
    State(gate): State<Arc<Gate>>,
    access: Access<Admins>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let (admin, mut db) = access.connect().await?;
    manage::revoke_key(&mut db, &gate, admin.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_is_checked() {
        let now = Utc::now();
        let body = |name: &str, scopes: Vec<Scope>, expires_at| NewApiKey { name: name.into(), scopes, expires_at };
        let (name, scopes) =
            validate(&body(" shop ", vec![Scope::TicketsWrite, Scope::TicketsRead, Scope::TicketsRead], None), now)
                .unwrap();
        assert_eq!((name.as_str(), scopes.len()), ("shop", 2));
        let fields = |r: Result<_, Vec<FieldError>>| r.unwrap_err().into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields(validate(&body("", vec![], Some(now)), now)), ["name", "scopes", "expires_at"]);
        assert_eq!(fields(validate(&body(&"x".repeat(101), vec![Scope::TicketsRead], None), now)), ["name"]);
    }
}
