//! Attachments: upload to a ticket (or one of its messages), the ticket's list, one attachment
//! with a fresh download link, deletion, the access log and the tenant's storage use. Visibility
//! is the messages': a customer never learns of an internal file, and what a caller may not see
//! does not exist for them (404).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::error::ApiResult;
use shared::http::openapi::{NotFound, problem_responses};
use shared::http::{BodyTimeout, ClientIp, Page, PageParams};
use utoipa::ToSchema;
use utoipa::openapi::{RefOr, Response};

use sav::ids::TicketId;

use crate::access::{self, Admins, Members, Scoped, TicketNotFound};
use crate::attachments::Attachments;
use crate::attachments::blob::Link;
use crate::attachments::store::{self, Access, Attachment, Usage};
use crate::attachments::upload::Upload;

/// An attachment with a link to download it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentLink {
    #[serde(flatten)]
    pub attachment: Attachment,
    /// Downloads the file until `url_expires_at`. Local-disk links are relative to this host.
    pub url: String,
    pub url_expires_at: DateTime<Utc>,
}

/// The tenant's storage.
#[derive(Debug, Serialize, ToSchema)]
pub struct StorageUsage {
    #[serde(flatten)]
    pub usage: Usage,
    pub quota_bytes: u64,
}

/// The multipart form of an upload (for the OpenAPI document; the body is read as a stream).
#[derive(ToSchema)]
#[allow(dead_code, reason = "documents the form")]
pub struct UploadForm {
    /// The file, with its name: images (jpg, png, gif, webp) up to 5 MiB, pdf and office files
    /// (doc, docx, xls, xlsx, csv) up to 10 MiB, text up to 2 MiB, zip up to 20 MiB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: String,
    /// The caller's own message of this ticket the file belongs to.
    pub message_id: Option<i64>,
    /// A file for staff only (agents and admins), to attach to an internal note.
    pub is_internal: Option<bool>,
}

impl AttachmentLink {
    fn of(attachment: Attachment, link: Link) -> Self {
        Self { attachment, url: link.url, url_expires_at: link.expires_at }
    }
}

/// Upload a file to a ticket, or to one of the caller's messages on it.
#[utoipa::path(post, path = "/v1/tickets/{id}/attachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = AttachmentLink),
        Uploading,
        (status = 403, description = "`forbidden`: a customer uploading an internal file"),
        TicketNotFound,
        (status = 409, description = "`ticket_closed`"),
        (status = 413, description = "`file_too_large` (the limit of the file's type) or `storage_quota_exceeded`"),
        (status = 415, description = "`unsupported_media_type` (never accepted: programs, scripts, pages) or `media_type_mismatch` (the content is not what the name says)"),
        (status = 422, description = "`file_infected`, or `validation_failed` (no file, no name, a bad `message_id`, too many files on the ticket)"),
    ))]
pub async fn upload_attachment(
    State(files): State<Arc<Attachments>>,
    access: access::Access<Members>,
    Path(id): Path<TicketId>,
    extensions: Extensions,
    headers: HeaderMap,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<AttachmentLink>)> {
    let upload = Upload {
        ticket_id: id,
        declared: declared_length(&headers),
        window: pace_window(&extensions),
        ip: extensions.get::<ClientIp>().map(|ip| ip.0),
        multipart,
    };
    let uploaded = files.upload(access.db(), access.user_id(), upload).await?;
    Ok((StatusCode::CREATED, Json(AttachmentLink::of(uploaded.attachment, uploaded.link))))
}

/// An upload body's declared `Content-Length`, when given.
pub(super) fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok())
}

/// The window an upload body's pace is measured over (the upload routes' time limit).
pub(super) fn pace_window(extensions: &Extensions) -> Duration {
    extensions.get::<BodyTimeout>().map_or(Duration::from_secs(10), |t| t.0)
}

/// What any upload answers while its body arrives and its file is scanned and stored, whatever
/// the file is for (a ticket's, a help center image): list `Uploading` in the route's
/// `responses`.
pub(super) struct Uploading;

impl utoipa::IntoResponses for Uploading {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problem_responses([
            ("400", "`validation_failed`: not a multipart body, an unknown or repeated field"),
            ("408", "`body_timeout`: the upload stalled"),
            ("503", "`dependency_unavailable` (the file store or the virus scanner) or `server_busy`"),
        ])
    }
}

/// The files of a ticket (a customer sees no internal file), oldest first.
#[utoipa::path(get, path = "/v1/tickets/{id}/attachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path), PageParams),
    responses(
        (status = 200, description = "A page of the ticket's files", body = Page<Attachment>),
        NotFound,
    ))]
pub async fn list_attachments(
    access: access::Access<Members>,
    Path(id): Path<TicketId>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<Attachment>>> {
    let rows = async |after, limit| -> ApiResult<_> {
        let Scoped { viewer, item: ticket, mut db } = access.ticket(id).await?;
        let mut tx = db.begin().await?;
        Ok(store::page_of_ticket(&mut tx, ticket.id, viewer.sees_internal_notes(), after, limit).await?)
    };
    Ok(Json(page.fetch(rows, |a| a.id).await?))
}

/// One file with a fresh download link (valid `ATTACHMENT_URL_TTL_SECONDS`, 15 minutes by
/// default); the link is written to the access log.
#[utoipa::path(get, path = "/v1/attachments/{id}", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The file and its link", body = AttachmentLink),
        (status = 404, description = "`not_found`: no such file, or not one the caller may see"),
        (status = 503, description = "`dependency_unavailable`: the file store"),
    ))]
pub async fn get_attachment(
    State(files): State<Arc<Attachments>>,
    access: access::Access<Members>,
    Path(id): Path<i64>,
    ip: Option<axum::Extension<ClientIp>>,
) -> ApiResult<Json<AttachmentLink>> {
    let Scoped { viewer, item: found, mut db } = access.attachment(id).await?;
    let mut tx = db.begin().await?;
    let link = files.hand_out(&mut tx, viewer, &found, ip.map(|ip| ip.0.0)).await?;
    tx.commit().await?;
    Ok(Json(AttachmentLink::of(found.attachment, link)))
}

/// Delete a file (its uploader, or staff); the stored object goes with its last row.
#[utoipa::path(delete, path = "/v1/attachments/{id}", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "`forbidden`: a customer deleting someone else's file"),
        NotFound,
        (status = 409, description = "`ticket_closed`"),
    ))]
pub async fn delete_attachment(
    State(files): State<Arc<Attachments>>,
    access: access::Access<Members>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let Scoped { viewer, item: found, db } = access.attachment(id).await?;
    files.remove(access.db(), db, viewer, found).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who was handed a link to a file, newest first (owners and admins).
#[utoipa::path(get, path = "/v1/attachments/{id}/access-log", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path), PageParams),
    responses(
        (status = 200, description = "A page of the log", body = Page<Access>),
        access::Access<Admins>,
        NotFound,
    ))]
pub async fn get_access_log(
    access: access::Access<Admins>,
    Path(id): Path<i64>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<Access>>> {
    let rows = async |after, limit| -> ApiResult<_> {
        let Scoped { mut db, .. } = access.attachment(id).await?;
        Ok(store::access_page(&mut *db.begin().await?, id, after, limit).await?)
    };
    Ok(Json(page.fetch(rows, |a| (a.accessed_at, a.id)).await?))
}

/// The organisation's storage against its quota (owners and admins).
#[utoipa::path(get, path = "/v1/storage/usage", tag = "attachments", security(("bearer" = [])),
    responses(
        (status = 200, description = "Bytes used, the quota, objects and attachments", body = StorageUsage),
        access::Access<Admins>,
    ))]
pub async fn get_storage_usage(
    State(files): State<Arc<Attachments>>,
    access: access::Access<Admins>,
) -> ApiResult<Json<StorageUsage>> {
    let (_, mut db) = access.connect().await?;
    let usage = store::usage(&mut *db.begin().await?).await?;
    Ok(Json(StorageUsage { usage, quota_bytes: files.quota_bytes }))
}
