//! Attachments: upload to a ticket (or one of its messages), the ticket's list, one attachment
//! with a fresh download link, deletion, the access log and the tenant's storage use. Visibility
//! is the messages': a customer never learns of an internal file, and what a caller may not see
//! does not exist for them (404).

use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::{BodyTimeout, ClientIp, Page, PageParams};
use sqlx::Connection as _;
use utoipa::ToSchema;

use crate::attachments::metrics::UploadOutcome;
use crate::attachments::store::{self as files, Access, Attachment, Found, Usage};
use crate::attachments::{kinds, spool};
use crate::context::{self, Admins, TenantContext, TenantDb};
use crate::sav::tickets::access::Viewer;
use crate::sav::tickets::store;
use crate::state::AppState;

/// The multipart envelope around the largest file: field headers, boundaries, small fields.
const ENVELOPE_BYTES: u64 = 64 * 1024;
/// The largest upload body read at all.
pub const UPLOAD_BODY_LIMIT: u64 = kinds::LARGEST + ENVELOPE_BYTES;

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

fn not_found(id: i64) -> ApiError {
    ApiError::not_found(format!("there is no attachment {id}"))
}

/// The attachment if `viewer` may see it (its ticket, and internal files for staff only).
fn visible_to(viewer: Viewer, found: Option<Found>, id: i64) -> ApiResult<Found> {
    found
        .filter(|f| viewer.sees(f.ticket_customer, f.ticket_assignee))
        .filter(|f| !f.attachment.is_internal || viewer.sees_internal_notes())
        .ok_or_else(|| not_found(id))
}

/// Upload a file to a ticket, or to one of the caller's messages on it.
#[utoipa::path(post, path = "/v1/tickets/{id}/attachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = AttachmentLink),
        (status = 400, description = "`validation_failed`: not a multipart body, an unknown or repeated field"),
        (status = 403, description = "`forbidden`: a customer uploading an internal file"),
        (status = 404, description = "`not_found`: no such ticket, or not one the caller may see"),
        (status = 408, description = "`body_timeout`: the upload stalled"),
        (status = 409, description = "`ticket_closed`"),
        (status = 413, description = "`file_too_large` (the limit of the file's type) or `storage_quota_exceeded`"),
        (status = 415, description = "`unsupported_media_type` (never accepted: programs, scripts, pages) or `media_type_mismatch` (the content is not what the name says)"),
        (status = 422, description = "`file_infected`, or `validation_failed` (no file, no name, a bad `message_id`, too many files on the ticket)"),
        (status = 503, description = "`dependency_unavailable` (the file store or the virus scanner) or `server_busy`"),
    ))]
pub async fn upload_attachment(
    State(state): State<AppState>,
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
    extensions: Extensions,
    headers: HeaderMap,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<AttachmentLink>)> {
    let started = Instant::now();
    let files = &state.attachments;
    let ip = extensions.get::<ClientIp>().map(|ip| ip.0);
    let window = extensions.get::<BodyTimeout>().map_or(Duration::from_secs(10), |t| t.0);
    let millis = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
    let min_bytes = state.config.attachments.min_bytes_per_second.saturating_mul(millis) / 1000;
    let pace = spool::Pace { window, min_bytes };
    let outcome = async {
        // Bounds the spool files and scans under way in this process.
        let _permit = files.uploads.clone().try_acquire_owned().map_err(|_| {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "server_busy", "too many uploads at once; retry in a moment")
                .with_retry_after(1)
        })?;
        let upload = receive(&state, &context, &tenant_db, id, pace, &headers, multipart).await?;
        record(&state, &context, &tenant_db, id, ip, &upload).await
    }
    .await;
    let label = match &outcome {
        Ok((_, true)) => UploadOutcome::Stored,
        Ok((_, false)) => UploadOutcome::Deduplicated,
        Err(err) => match err.code() {
            "storage_quota_exceeded" => UploadOutcome::OverQuota,
            "file_infected" => UploadOutcome::Infected,
            _ if err.status().is_server_error() => UploadOutcome::Failed,
            _ => UploadOutcome::Refused,
        },
    };
    files.metrics.upload(label);
    files.metrics.upload_seconds.observe(started.elapsed().as_secs_f64());
    outcome.map(|(link, _)| (StatusCode::CREATED, Json(link)))
}

/// Everything before the upload touches the store or a row: who and where (without holding a
/// connection while the file arrives), the file read into its spool and checked, and scanned.
async fn receive(
    state: &AppState,
    context: &TenantContext,
    tenant_db: &TenantDb,
    id: i64,
    pace: spool::Pace,
    headers: &HeaderMap,
    multipart: Multipart,
) -> ApiResult<spool::Spooled> {
    let files = &state.attachments;
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > UPLOAD_BODY_LIMIT) {
        return Err(spool::too_large(kinds::LARGEST, "a file"));
    }
    {
        let mut db = tenant_db.connect().await?;
        let (_, ticket) = store::visible(&mut db, context.user_id, id, false).await?;
        store::ensure_open(&ticket)?;
    }
    files.ensure_prepared().await.map_err(|e| files.failed("check", &e))?;
    let upload = spool::receive(multipart, &files.spool_dir, pace).await?;
    files.scan(&upload).await?;
    Ok(upload)
}

/// Stores a checked upload and records its row, in one transaction under the ticket's lock; the
/// link, and whether a new object was stored.
async fn record(
    state: &AppState,
    context: &TenantContext,
    tenant_db: &TenantDb,
    id: i64,
    ip: Option<std::net::IpAddr>,
    upload: &spool::Spooled,
) -> ApiResult<(AttachmentLink, bool)> {
    let files = &state.attachments;
    let mut db = tenant_db.connect().await?;
    let mut tx = db.begin().await?;
    // The ticket as it stands under a share lock: the checks hold until commit, while other
    // uploads to it go on beside this one (the same content waits on its object's row).
    files::share_ticket(&mut tx, id).await?;
    let (viewer, ticket) = store::visible(&mut tx, context.user_id, id, false).await?;
    store::ensure_open(&ticket)?;
    let is_internal = visibility(&mut tx, viewer, ticket.id, upload).await?;
    let kept = files.keep(&mut tx, context.tenant.id, ticket.id, upload, viewer.id, is_internal).await?;
    let (attachment, created, key) = (kept.attachment, kept.created, kept.key);
    let link = files.link(&key, &attachment.original_name, &attachment.mime_type).await?;
    files::log_access(&mut tx, attachment.id, viewer.id, ip).await?;
    tx.commit().await?;
    Ok((AttachmentLink { attachment, url: link.url, url_expires_at: link.expires_at }, created))
}

/// Whether the upload is internal: staff may ask for it; a file of a message takes the message's
/// visibility, and must be of the caller's own message.
async fn visibility(
    conn: &mut sqlx::PgConnection,
    viewer: Viewer,
    ticket_id: i64,
    upload: &spool::Spooled,
) -> ApiResult<bool> {
    if upload.is_internal && !viewer.is_staff() {
        return Err(ApiError::forbidden("internal files are for agents and admins"));
    }
    let Some(message_id) = upload.message_id else { return Ok(upload.is_internal) };
    let message = files::message_of_ticket(conn, ticket_id, message_id).await?;
    let Some((_, message_internal)) = message.filter(|(sender, _)| *sender == viewer.id) else {
        let problem = "must be one of your own messages on this ticket";
        return Err(ApiError::invalid(vec![FieldError::new("message_id", problem)]));
    };
    if upload.is_internal && !message_internal {
        let problem = "a file of a public message is public: attach internal files to an internal note";
        return Err(ApiError::invalid(vec![FieldError::new("is_internal", problem)]));
    }
    Ok(message_internal)
}

/// The files of a ticket (a customer sees no internal file), oldest first.
#[utoipa::path(get, path = "/v1/tickets/{id}/attachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path), PageParams),
    responses(
        (status = 200, description = "A page of the ticket's files", body = Page<Attachment>),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn list_attachments(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<Attachment>>> {
    let limit = page.limit()?;
    let after: Option<i64> = page.position()?;
    let mut db = tenant_db.connect().await?;
    let (viewer, ticket) = store::visible(&mut db, context.user_id, id, false).await?;
    let rows = files::page_of_ticket(&mut db, ticket.id, viewer.sees_internal_notes(), after, limit).await?;
    Ok(Json(Page::from_rows(rows, limit, |a| a.id)))
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
    State(state): State<AppState>,
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
    ip: Option<axum::Extension<ClientIp>>,
) -> ApiResult<Json<AttachmentLink>> {
    let mut db = tenant_db.connect().await?;
    let viewer = Viewer::load(&mut db, context.user_id).await?;
    let found = visible_to(viewer, files::find(&mut db, id).await?, id)?;
    let link =
        state.attachments.link(&found.file_path, &found.attachment.original_name, &found.attachment.mime_type).await?;
    files::log_access(&mut db, id, viewer.id, ip.map(|ip| ip.0.0)).await?;
    Ok(Json(AttachmentLink { attachment: found.attachment, url: link.url, url_expires_at: link.expires_at }))
}

/// Delete a file (its uploader, or staff); the stored object goes with its last row.
#[utoipa::path(delete, path = "/v1/attachments/{id}", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "`forbidden`: a customer deleting someone else's file"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`ticket_closed`"),
    ))]
pub async fn delete_attachment(
    State(state): State<AppState>,
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    {
        let mut db = tenant_db.connect().await?;
        let mut tx = db.begin().await?;
        let viewer = Viewer::load(&mut tx, context.user_id).await?;
        let found = visible_to(viewer, files::find(&mut tx, id).await?, id)?;
        if !viewer.is_staff() && found.attachment.uploaded_by != Some(viewer.id) {
            return Err(ApiError::forbidden("only the person who uploaded a file, agents and admins may delete it"));
        }
        // The ticket's share lock, as uploads take it: a closed ticket does not change.
        files::share_ticket(&mut tx, found.attachment.ticket_id).await?;
        let (_, ticket) = store::visible(&mut tx, context.user_id, found.attachment.ticket_id, false).await?;
        store::ensure_open(&ticket)?;
        files::delete(&mut tx, id).await?;
        tx.commit().await?;
    }
    // The row is gone; the object follows now, or later if the store is away.
    if let Err(err) = state.attachments.delete_released(&state.pools, &context.tenant).await {
        tracing::warn!(error = %err, "a deleted attachment's object stays queued for deletion");
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Who was handed a link to a file, newest first (owners and admins).
#[utoipa::path(get, path = "/v1/attachments/{id}/access-log", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path), PageParams),
    responses(
        (status = 200, description = "A page of the log", body = Page<Access>),
        (status = 403, description = "`forbidden`: not an owner or admin"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn get_access_log(
    access: context::Access<Admins>,
    Path(id): Path<i64>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<Access>>> {
    let limit = page.limit()?;
    let after: Option<(DateTime<Utc>, i64)> = page.position()?;
    let (viewer, mut db) = access.connect().await?;
    visible_to(viewer, files::find(&mut db, id).await?, id)?;
    let rows = files::access_page(&mut db, id, after, limit).await?;
    Ok(Json(Page::from_rows(rows, limit, |a| (a.accessed_at, a.id))))
}

/// The organisation's storage against its quota (owners and admins).
#[utoipa::path(get, path = "/v1/storage/usage", tag = "attachments", security(("bearer" = [])),
    responses(
        (status = 200, description = "Bytes used, the quota, objects and attachments", body = StorageUsage),
        (status = 403, description = "`forbidden`: not an owner or admin"),
    ))]
pub async fn get_storage_usage(
    State(state): State<AppState>,
    access: context::Access<Admins>,
) -> ApiResult<Json<StorageUsage>> {
    let (_, mut db) = access.connect().await?;
    let usage = files::usage(&mut db).await?;
    Ok(Json(StorageUsage { usage, quota_bytes: state.attachments.quota_bytes }))
}
