//! Images of the articles: uploaded by staff with the checks every file passes (`attachments`:
//! kind and size, content, virus scan, the tenant's quota), stored once per content under the
//! tenant's `help/` prefix, and read by anyone on the organisation's host at `/help/images/{id}`
//! (the only image address the Markdown sanitiser keeps), which redirects to a fresh link to the
//! file. An image stays until an admin deletes it; its object goes with its last row.

use std::time::Duration;

use axum::extract::Multipart;
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::error::{ApiError, ApiResult, FieldError};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::articles::Position;
use crate::attachments::blob::{self, Link};
use crate::attachments::{Attachments, kinds, spool};
use crate::tenancy::TenantDb;
use sav::ids::UserId;

/// A tenant holds at most this many images.
pub const MAX_PER_TENANT: i64 = 10_000;
/// The multipart envelope around an image.
const ENVELOPE_BYTES: u64 = 64 * 1024;
/// The largest upload body read at all.
pub const BODY_LIMIT: u64 = kinds::IMAGE + ENVELOPE_BYTES;

/// An image of the help center.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = HelpImage)]
pub struct Image {
    pub id: Uuid,
    /// Where anyone on the organisation's host reads it: what an article's Markdown names
    /// (`![what it shows](/help/images/{id})`).
    pub url: String,
    pub original_name: String,
    pub mime_type: String,
    pub file_size: i64,
    pub created_at: DateTime<Utc>,
}

/// An upload as the request brings it.
pub struct Upload {
    /// The body's `Content-Length`, when given.
    pub declared: Option<u64>,
    /// The window the body's pace is measured over.
    pub window: Duration,
    pub multipart: Multipart,
}

/// The address an image is read at.
pub fn path_of(id: Uuid) -> String {
    format!("/help/images/{id}")
}

struct Row {
    id: Uuid,
    original_name: String,
    mime_type: String,
    file_size: i64,
    created_at: DateTime<Utc>,
}

impl From<Row> for Image {
    fn from(row: Row) -> Self {
        Self {
            id: row.id,
            url: path_of(row.id),
            original_name: row.original_name,
            mime_type: row.mime_type,
            file_size: row.file_size,
            created_at: row.created_at,
        }
    }
}

/// Stores an image for `uploader`, a member of staff the caller checked (no connection is held
/// while the file arrives): the file spooled, checked (an image kind, nothing but `file` in the
/// form) and scanned, then stored and recorded within the tenant's limits.
pub async fn upload(files: &Attachments, db: &TenantDb, uploader: UserId, upload: Upload) -> ApiResult<Image> {
    if upload.declared.is_some_and(|length| length > BODY_LIMIT) {
        return Err(spool::too_large(kinds::IMAGE, "an image"));
    }
    let pace = files.pace(upload.window);
    files
        .admitted(async {
            files.ensure_prepared().await.map_err(|e| files.failed("check", &e))?;
            let spooled = spool::receive(upload.multipart, &files.spool_dir, pace).await?;
            if !spooled.kind.mime_type.starts_with("image/") {
                return Err(ApiError::unsupported_media_type("help center images are PNG, JPEG, GIF or WebP files"));
            }
            if spooled.message_id.is_some() || spooled.is_internal {
                let problem = "an image upload takes `file` alone";
                return Err(ApiError::invalid(vec![FieldError::new("file", problem)]));
            }
            files.scan(&spooled).await?;
            let mut conn = db.connect().await?;
            let mut tx = conn.begin().await?;
            let count =
                sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM help_images"#).fetch_one(&mut *tx).await?;
            if count >= MAX_PER_TENANT {
                return Err(ApiError::limit_reached(
                    "this organisation holds 10,000 help center images: delete one first",
                ));
            }
            let key = blob::help_image_key(db.tenant().id, &spooled.sha256, spooled.kind.extension);
            let created = files.store_object(&mut tx, &key, &spooled).await?;
            let size = i64::try_from(spooled.size).map_err(|e| ApiError::internal(e.to_string()))?;
            let row = sqlx::query_as!(
                Row,
                "INSERT INTO help_images (id, original_name, file_path, mime_type, file_size, sha256, uploaded_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 RETURNING id, original_name, mime_type, file_size, created_at",
                Uuid::new_v4(),
                spooled.original_name,
                key,
                spooled.kind.mime_type,
                size,
                spooled.sha256,
                uploader as _,
            )
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok((Image::from(row), created))
        })
        .await
}

/// A page of the images, newest first, after `after`.
pub async fn page(conn: &mut PgConnection, after: Option<Position>, limit: i64) -> sqlx::Result<Vec<Image>> {
    let (after_at, after_id) = after.map_or((None, None), |(at, id)| (Some(at), Some(id)));
    let rows = sqlx::query_as!(
        Row,
        "SELECT id, original_name, mime_type, file_size, created_at FROM help_images
          WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2))
          ORDER BY created_at DESC, id DESC
          LIMIT $3",
        after_at,
        after_id,
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Image::from).collect())
}

/// Deletes an image (its object is released with its last row); whether it was there.
pub async fn delete(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<bool> {
    let deleted = sqlx::query!("DELETE FROM help_images WHERE id = $1", id).execute(conn).await?;
    Ok(deleted.rows_affected() > 0)
}

/// A link to image `id`'s file for a reader, or `None` when there is no such image.
pub async fn link(files: &Attachments, conn: &mut PgConnection, id: Uuid) -> ApiResult<Option<Link>> {
    let found = sqlx::query!("SELECT file_path, original_name, mime_type FROM help_images WHERE id = $1", id)
        .fetch_optional(conn)
        .await?;
    let Some(found) = found else { return Ok(None) };
    Ok(Some(files.link(&found.file_path, &found.original_name, &found.mime_type).await?))
}
