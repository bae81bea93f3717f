//! The help center's images: uploaded by agents and admins (`POST /v1/kb/images`), listed for
//! them, deleted by admins, and read by anyone on the organisation's host at
//! `/help/images/{id}` (`crate::help_center::images`).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Redirect, Response};
use shared::error::{ApiError, ApiResult};
use shared::http::openapi::NotFound;
use shared::http::{Page, PageParams};
use utoipa::ToSchema;
use uuid::Uuid;

use super::attachments::{Uploading, declared_length, pace_window};
use crate::access::{Access, Admins, Admitted, Staff, Visitor};
use crate::attachments::Attachments;
use crate::help_center::images::{self, Image, Upload};

/// The multipart form of an image upload (for the OpenAPI document; the body is read as a
/// stream).
#[derive(ToSchema)]
#[allow(dead_code, reason = "documents the form")]
pub struct ImageForm {
    /// The image, with its name: PNG, JPEG, GIF or WebP, up to 5 MiB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: String,
}

/// Upload an image for articles (agents and admins): checked, scanned and counted in the
/// organisation's storage; the answer's `url` is what an article's Markdown names.
#[utoipa::path(post, path = "/v1/kb/images", tag = "help center", security(("bearer" = [])),
    request_body(content = ImageForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = Image),
        Access<Staff>,
        Uploading,
        (status = 413, description = "`file_too_large` (5 MiB) or `storage_quota_exceeded`"),
        (status = 415, description = "`unsupported_media_type` (not PNG, JPEG, GIF or WebP) or `media_type_mismatch` (the content is not what the name says)"),
        (status = 422, description = "`file_infected`, `validation_failed` (no file, no name, a field besides `file`), or `limit_reached` (the help center holds 10,000 images)"),
    ))]
pub async fn upload_image(
    Admitted { viewer: uploader, db, visitor, .. }: Admitted<Staff>,
    State(files): State<Arc<Attachments>>,
    extensions: Extensions,
    headers: HeaderMap,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<Image>)> {
    // The upload takes its connections itself, as the file arrives.
    drop(db);
    let uploader = uploader.id;
    let upload = Upload { declared: declared_length(&headers), window: pace_window(&extensions), multipart };
    Ok((StatusCode::CREATED, Json(images::upload(&files, visitor.db(), uploader, upload).await?)))
}

/// The help center's images, newest first (agents and admins).
#[utoipa::path(get, path = "/v1/kb/images", tag = "help center", security(("bearer" = [])), params(PageParams),
    responses((status = 200, description = "A page of images", body = Page<Image>), Access<Staff>))]
pub async fn list_images(
    Admitted { mut db, .. }: Admitted<Staff>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<Image>>> {
    let rows = async |after, limit| -> ApiResult<_> { Ok(images::page(&mut *db.begin().await?, after, limit).await?) };
    Ok(Json(page.fetch(rows, |i: &Image| (i.created_at, i.id)).await?))
}

/// Delete an image (owners and admins): articles that show it show it no more; its file goes
/// with the last use of its content.
#[utoipa::path(delete, path = "/v1/kb/images/{id}", tag = "help center", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), Access<Admins>, NotFound))]
pub async fn delete_image(
    Admitted { mut db, visitor, .. }: Admitted<Admins>,
    State(files): State<Arc<Attachments>>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let mut tx = db.begin().await?;
    if !images::delete(&mut tx, id).await? {
        return Err(ApiError::not_found("there is no such image"));
    }
    // Its object is deleted once the row's deletion is committed.
    tx.commit().await?;
    drop(db);
    if let Err(err) = files.delete_released(visitor.db().pools(), visitor.db().tenant()).await {
        tracing::warn!(error = %err, "a deleted image's object stays queued for deletion");
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /help/images/{id}`: an image, for anyone on the organisation's host, by a redirect to a
/// fresh link to its file (kept by browsers a few minutes, well inside the link's life).
pub async fn help_image(
    visitor: Visitor,
    State(files): State<Arc<Attachments>>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let Ok(id) = Uuid::parse_str(&id) else { return Err(ApiError::not_found("there is no such image")) };
    let (_, mut db) = visitor.connect().await?;
    let link = images::link(&files, &mut *db.begin().await?, id)
        .await?
        .ok_or_else(|| ApiError::not_found("there is no such image"))?;
    let mut response = Redirect::to(&link.url).into_response();
    let seconds = (link.expires_at - chrono::Utc::now()).num_seconds().clamp(0, 300);
    let cache =
        HeaderValue::from_str(&format!("private, max-age={seconds}")).map_err(|e| ApiError::internal(e.to_string()))?;
    response.headers_mut().insert(header::CACHE_CONTROL, cache);
    Ok(response)
}
