//! `/v1/webhooks` (owners and admins): endpoints the tenant's events are sent to, signed per
//! Standard Webhooks (`integrations::webhooks`), their secrets (shown once, rotated with a 24 h
//! overlap), a test delivery, the delivery log and replays. The webhook worker
//! (`worker::webhooks`) sends them.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::openapi::NotFound;
use shared::http::{JsonBody, PageParams};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::{Access, Admins};
use crate::config::AppConfig;
use crate::integrations::Integrations;
use crate::integrations::deliveries::{self, AttemptEntry, Change, Endpoint};
use crate::integrations::manage::{self, NewEndpoint, no_endpoint};
use crate::integrations::target::{self, Refused};
use crate::integrations::webhooks::EventType;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `http://` or `https://`, at most 2000 characters; not a private address (unless
    /// `WEBHOOK_ALLOW_PRIVATE_TARGETS=true`).
    pub url: String,
    /// The events to send (at least one).
    pub events: Vec<EventType>,
    /// At most 500 characters.
    pub description: Option<String>,
}

/// An endpoint just made, with its signing secret: shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// `whsec_...`: the base64 after the prefix is the HMAC-SHA256 key.
    pub secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<EventType>>,
    /// Null clears it.
    #[serde(default, deserialize_with = "crate::routes::nullable")]
    #[schema(value_type = Option<String>)]
    #[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
    pub description: Option<Option<String>>,
    /// Enabling clears `disabled_reason` and the failures counted towards disabling.
    pub enabled: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub data: Vec<Endpoint>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedSecret {
    /// The new `whsec_...`, shown this once.
    pub secret: String,
    /// Until when the secret before it still signs (both sign meanwhile).
    pub previous_expires_at: Option<DateTime<Utc>>,
}

/// A delivery queued by `/test` or a replay.
#[derive(Debug, Serialize, ToSchema)]
pub struct Queued {
    pub delivery_id: Uuid,
    /// The `webhook-id` it is sent with.
    pub event_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptPage {
    pub data: Vec<AttemptEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttemptParams {
    /// 1 to 100, default 50.
    pub limit: Option<u32>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

fn invalid_target(refused: &Refused) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_target", format!("url {refused}"))
        .with_field_errors(vec![FieldError::new("url", refused.to_string())])
}

fn events_of(events: &[EventType]) -> Result<Vec<String>, ApiError> {
    let mut names: Vec<String> = events.iter().map(|e| e.as_str().to_owned()).collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Err(ApiError::invalid(vec![FieldError::new("events", "must name at least one event")]));
    }
    Ok(names)
}

fn description_of(description: Option<String>) -> Result<Option<String>, ApiError> {
    let description = description.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
    if description.as_ref().is_some_and(|d| d.chars().count() > 500) {
        return Err(ApiError::invalid(vec![FieldError::new("description", "must be at most 500 characters")]));
    }
    Ok(description)
}

/// Add a webhook endpoint (owners and admins). Its secret is in this answer only.
#[utoipa::path(post, path = "/v1/webhooks", tag = "integrations", security(("bearer" = [])), request_body = NewWebhook,
    responses(
        (status = 201, description = "The endpoint, with its secret shown this once", body = CreatedWebhook),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field or event, wrong type"),
        Access<Admins>,
        (status = 422, description = "`invalid_target`: not an http(s) URL, or a private address; `validation_failed`: no event, a description too long; `limit_reached`: the tenant has 20 endpoints"),
    ))]
pub async fn create_webhook(
    State(config): State<Arc<AppConfig>>,
    access: Access<Admins>,
    JsonBody(body): JsonBody<NewWebhook>,
) -> ApiResult<(StatusCode, Json<CreatedWebhook>)> {
    let allow_private = config.integrations.allow_private_targets;
    let url = target::check(body.url.trim(), allow_private).map_err(|r| invalid_target(&r))?;
    let events = events_of(&body.events)?;
    let description = description_of(body.description)?;
    let (admin, mut db) = access.connect().await?;
    let new = NewEndpoint { url: url.as_str(), events: &events, description: description.as_deref() };
    let mut tx = db.begin().await?;
    let (endpoint, secret) = manage::create_endpoint(&mut tx, &config.keys.webhook_secrets, admin.id, new).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(CreatedWebhook { endpoint, secret })))
}

/// The tenant's webhook endpoints (owners and admins).
#[utoipa::path(get, path = "/v1/webhooks", tag = "integrations", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every endpoint, oldest first (20 at most)", body = WebhookList),
        Access<Admins>,
    ))]
pub async fn list_webhooks(access: Access<Admins>) -> ApiResult<Json<WebhookList>> {
    let (_, mut db) = access.connect().await?;
    Ok(Json(WebhookList { data: deliveries::all(&mut *db.begin().await?).await? }))
}

/// One webhook endpoint (owners and admins).
#[utoipa::path(get, path = "/v1/webhooks/{id}", tag = "integrations", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The endpoint", body = Endpoint),
        Access<Admins>,
        NotFound,
    ))]
pub async fn get_webhook(access: Access<Admins>, Path(id): Path<Uuid>) -> ApiResult<Json<Endpoint>> {
    let (_, mut db) = access.connect().await?;
    deliveries::get(&mut *db.begin().await?, id).await?.map(Json).ok_or_else(no_endpoint)
}

/// Change a webhook endpoint (owners and admins): its URL, events, description, or whether it is
/// enabled.
#[utoipa::path(patch, path = "/v1/webhooks/{id}", tag = "integrations", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = WebhookPatch,
    responses(
        (status = 200, description = "The endpoint, as changed", body = Endpoint),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field or event, wrong type"),
        Access<Admins>,
        NotFound,
        (status = 422, description = "`invalid_target` or `validation_failed`"),
    ))]
pub async fn patch_webhook(
    State(config): State<Arc<AppConfig>>,
    access: Access<Admins>,
    Path(id): Path<Uuid>,
    JsonBody(patch): JsonBody<WebhookPatch>,
) -> ApiResult<Json<Endpoint>> {
    let allow_private = config.integrations.allow_private_targets;
    let url = match &patch.url {
        Some(url) => Some(target::check(url.trim(), allow_private).map_err(|r| invalid_target(&r))?.to_string()),
        None => None,
    };
    let events = patch.events.as_deref().map(events_of).transpose()?;
    let description = match patch.description {
        Some(d) => Some(description_of(d)?),
        None => None,
    };
    let change = Change { url, events, description, enabled: patch.enabled };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let endpoint = manage::change_endpoint(&mut tx, admin.id, id, change).await?;
    tx.commit().await?;
    Ok(Json(endpoint))
}

/// Delete a webhook endpoint, its deliveries and their log (owners and admins).
#[utoipa::path(delete, path = "/v1/webhooks/{id}", tag = "integrations", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        Access<Admins>,
        NotFound,
    ))]
pub async fn delete_webhook(access: Access<Admins>, Path(id): Path<Uuid>) -> ApiResult<StatusCode> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    manage::delete_endpoint(&mut tx, admin.id, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret (owners and admins); the one before keeps signing for 24 h, so
/// receivers can switch without losing a delivery.
#[utoipa::path(post, path = "/v1/webhooks/{id}/rotate-secret", tag = "integrations", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The new secret, shown this once", body = RotatedSecret),
        Access<Admins>,
        NotFound,
    ))]
pub async fn rotate_secret(
    State(config): State<Arc<AppConfig>>,
    access: Access<Admins>,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RotatedSecret>> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let (secret, previous_expires_at) =
        manage::rotate_secret(&mut tx, &config.keys.webhook_secrets, admin.id, id).await?;
    tx.commit().await?;
    Ok(Json(RotatedSecret { secret, previous_expires_at }))
}

/// Send a `webhook.test` delivery to the endpoint now (owners and admins).
#[utoipa::path(post, path = "/v1/webhooks/{id}/test", tag = "integrations", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 202, description = "Queued: its attempts show in the delivery log", body = Queued),
        Access<Admins>,
        NotFound,
        (status = 409, description = "`endpoint_disabled`"),
    ))]
pub async fn test_webhook(
    State(integrations): State<Arc<Integrations>>,
    access: Access<Admins>,
    Path(id): Path<Uuid>,
) -> ApiResult<(StatusCode, Json<Queued>)> {
    let (admin, mut db) = access.connect().await?;
    let tenant = access.tenant();
    let (delivery_id, event_id) =
        manage::test_endpoint(&mut db, &integrations.webhook_visits, &tenant, admin.id, id).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { delivery_id, event_id })))
}

/// The endpoint's delivery log: every attempt, newest first (owners and admins).
#[utoipa::path(get, path = "/v1/webhooks/{id}/deliveries", tag = "integrations", security(("bearer" = [])),
    params(("id" = Uuid, Path), AttemptParams),
    responses(
        (status = 200, description = "A page of attempts", body = AttemptPage),
        Access<Admins>,
        NotFound,
    ))]
pub async fn list_deliveries(
    access: Access<Admins>,
    Path(id): Path<Uuid>,
    Query(params): Query<AttemptParams>,
) -> ApiResult<Json<AttemptPage>> {
    let rows = async |before, limit| -> ApiResult<_> {
        let (_, mut db) = access.connect().await?;
        let mut tx = db.begin().await?;
        deliveries::get(&mut tx, id).await?.ok_or_else(no_endpoint)?;
        Ok(deliveries::attempts(&mut tx, id, before, limit).await?)
    };
    let page = PageParams { limit: params.limit, cursor: params.cursor }.fetch(rows, |a| a.id).await?;
    Ok(Json(AttemptPage { data: page.data, next_cursor: page.next_cursor }))
}

/// Send a delivery's event again, with the same `webhook-id` (owners and admins).
#[utoipa::path(post, path = "/v1/webhooks/{id}/deliveries/{delivery_id}/replay", tag = "integrations",
    security(("bearer" = [])), params(("id" = Uuid, Path), ("delivery_id" = Uuid, Path)),
    responses(
        (status = 202, description = "Queued now", body = Queued),
        Access<Admins>,
        (status = 404, description = "`not_found`: no such endpoint, or no such delivery of it"),
        (status = 409, description = "`endpoint_disabled`"),
    ))]
pub async fn replay_delivery(
    State(integrations): State<Arc<Integrations>>,
    access: Access<Admins>,
    Path((id, delivery_id)): Path<(Uuid, Uuid)>,
) -> ApiResult<(StatusCode, Json<Queued>)> {
    let (_, mut db) = access.connect().await?;
    let tenant = access.tenant();
    let event_id = manage::replay(&mut db, &integrations.webhook_visits, &tenant, id, delivery_id).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { delivery_id, event_id })))
}
