//! Email in over HTTP and the mail received: `POST /v1/inbound/email` (a mail server posts one
//! raw message with an `inbound:email` API key), the list of received mail, its original, and
//! the quarantine's release and discard.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::openapi::NotFound;
use utoipa::{IntoParams, ToSchema};

use crate::access::{Access, Admins, MailServers, Staff};
use crate::mailin::intake::{self, Received, Source};
use crate::mailin::quarantine::{self, no_mail};
use crate::mailin::store::{self, InboundEmail};
use crate::mailin::{MAX_MESSAGE_BYTES, files};
use crate::state::AppState;

/// Take in one raw mail (RFC 5322, as received), posted by the tenant's mail server or a relay
/// with an API key holding the `inbound:email` scope.
#[utoipa::path(post, path = "/v1/inbound/email", tag = "email", security(("bearer" = [])),
    request_body(content = String, content_type = "message/rfc822", description = "One raw message, at most 25 MB"),
    responses(
        (status = 202, description = "Taken in: what it became", body = Received),
        (status = 400, description = "`validation_failed`: an empty body"),
        (status = 403, description = "`forbidden`: mail is posted with an API key, or `insufficient_scope`"),
        (status = 413, description = "`payload_too_large`: over 25 MB"),
        (status = 503, description = "`dependency_unavailable`: the blob store (the sender retries; nothing is lost)"),
    ))]
pub async fn post_inbound_email(
    State(state): State<AppState>,
    access: Access<MailServers>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<Received>)> {
    let (_, db) = access.connect().await?;
    drop(db);
    let declared = super::attachments::declared_length(&headers);
    if declared.is_some_and(|length| usize::try_from(length).ok().is_none_or(|length| length > MAX_MESSAGE_BYTES)) {
        return Err(ApiError::payload_too_large(MAX_MESSAGE_BYTES));
    }
    let raw = axum::body::to_bytes(body, MAX_MESSAGE_BYTES)
        .await
        .map_err(|_| ApiError::payload_too_large(MAX_MESSAGE_BYTES))?;
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid(vec![FieldError::new("body", "must be one raw mail (RFC 5322)")]));
    }
    let received = intake::receive(&state, &access.tenant(), Source::Api, &raw).await?;
    Ok((StatusCode::ACCEPTED, Json(received)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboundQuery {
    /// `quarantined` (default: `all`).
    pub state: Option<String>,
    /// 1 to 100 (50).
    pub limit: Option<u32>,
    /// The page after the mail with this id (`next_before`).
    pub before: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboundPage {
    pub items: Vec<InboundEmail>,
    pub next_before: Option<i64>,
}

/// The mail received, newest first (agents, admins and owners).
#[utoipa::path(get, path = "/v1/inbound/emails", tag = "email", security(("bearer" = [])), params(InboundQuery),
    responses(
        (status = 200, description = "A page of received mail", body = InboundPage),
        Access<Staff>,
        (status = 422, description = "`validation_failed`: a bad `state` or `limit`"),
    ))]
pub async fn list_inbound_emails(
    access: Access<Staff>,
    Query(query): Query<InboundQuery>,
) -> ApiResult<Json<InboundPage>> {
    let quarantined = match query.state.as_deref() {
        None | Some("all") => false,
        Some("quarantined") => true,
        Some(_) => return Err(ApiError::invalid(vec![FieldError::new("state", "must be quarantined or all")])),
    };
    let limit = query.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid(vec![FieldError::new("limit", "must be from 1 to 100")]));
    }
    let (_, mut db) = access.connect().await?;
    let mut items = store::page(&mut *db.begin().await?, quarantined, query.before, i64::from(limit)).await?;
    let next_before = (items.len() > limit as usize).then(|| {
        items.truncate(limit as usize);
        items.last().map(|m| m.id)
    });
    Ok(Json(InboundPage { items, next_before: next_before.flatten() }))
}

/// The original of a received mail, as it arrived (agents, admins and owners).
#[utoipa::path(get, path = "/v1/inbound/emails/{id}/raw", tag = "email", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The message", content_type = "message/rfc822", body = String),
        Access<Staff>,
        NotFound,
    ))]
pub async fn get_inbound_raw(
    State(state): State<AppState>,
    access: Access<Staff>,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (_, mut db) = access.connect().await?;
    let mail = store::get(&mut *db.begin().await?, id).await?.ok_or_else(|| no_mail(id))?;
    drop(db);
    let raw = files::original(&state, &mail.blob_key).await?;
    let mut response = raw.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("message/rfc822"));
    if let Ok(value) =
        HeaderValue::from_str(&crate::attachments::blob::content_disposition(&format!("message-{id}.eml")))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// Release a quarantined mail: it becomes a ticket or a message as if its sender were proven
/// (owners and admins).
#[utoipa::path(post, path = "/v1/inbound/emails/{id}/release", tag = "email", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "What it became", body = Received),
        Access<Admins>,
        NotFound,
        (status = 409, description = "`conflict`: not in the quarantine"),
    ))]
pub async fn release_inbound_email(
    State(state): State<AppState>,
    access: Access<Admins>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Received>> {
    let (admin, db) = access.connect().await?;
    Ok(Json(quarantine::release(&state, &access.tenant(), db, admin.id, id).await?))
}

/// Discard a quarantined mail: it stays listed, as discarded, with its original (owners and
/// admins).
#[utoipa::path(post, path = "/v1/inbound/emails/{id}/discard", tag = "email", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Discarded"),
        Access<Admins>,
        NotFound,
        (status = 409, description = "`conflict`: not in the quarantine"),
    ))]
pub async fn discard_inbound_email(access: Access<Admins>, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    let (admin, mut db) = access.connect().await?;
    quarantine::discard(&mut db, admin.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
