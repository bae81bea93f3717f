//! What a caller does to a ticket's files: an upload from its first byte to its row (`upload`),
//! a download link handed out (`hand_out`), and a deletion (`remove`). Each checks the ticket as
//! the caller may see it under the lock the others take, and owns its transaction.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use axum::extract::Multipart;
use sav::tickets::access::Viewer;
use sav::tickets::store as tickets;
use shared::error::{ApiError, ApiResult, FieldError};
use sqlx::PgConnection;

use super::blob::Link;
use super::metrics::UploadOutcome;
use super::store::{self, Attachment, Found};
use super::{Attachments, kinds, spool};
use crate::refusals::Answered as _;
use crate::tenancy::TenantDb;
use crate::tenancy::pools::TenantConnection;
use sav::ids::{TicketId, UserId};

/// The multipart envelope around the largest file: field headers, boundaries, small fields.
const ENVELOPE_BYTES: u64 = 64 * 1024;
/// The largest upload body read at all.
pub const UPLOAD_BODY_LIMIT: u64 = kinds::LARGEST + ENVELOPE_BYTES;

/// An upload as the request brings it.
pub struct Upload {
    pub ticket_id: TicketId,
    /// The body's `Content-Length`, when given.
    pub declared: Option<u64>,
    /// The window the body's pace is measured over.
    pub window: Duration,
    pub ip: Option<IpAddr>,
    pub multipart: Multipart,
}

/// A file stored and recorded, with a link to download it.
pub struct Uploaded {
    pub attachment: Attachment,
    pub link: Link,
}

impl Attachments {
    /// Uploads a file to ticket `upload.ticket_id` (or one of the caller's messages on it) for
    /// `user_id`: the ticket checked without holding a connection while the file arrives, the
    /// file spooled, checked and scanned, then stored and recorded under the ticket's lock. The
    /// outcome is counted.
    pub async fn upload(&self, db: &TenantDb, user_id: UserId, upload: Upload) -> ApiResult<Uploaded> {
        let pace = self.pace(upload.window);
        let (id, ip) = (upload.ticket_id, upload.ip);
        self.admitted(async {
            let spooled = self.receive(db, user_id, id, pace, upload.declared, upload.multipart).await?;
            self.record(db, user_id, id, ip, &spooled).await
        })
        .await
    }

    /// The slowest pace an upload may arrive at, measured over `window`.
    pub fn pace(&self, window: Duration) -> spool::Pace {
        let millis = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
        spool::Pace { window, min_bytes: self.min_bytes_per_second.saturating_mul(millis) / 1000 }
    }

    /// Runs `upload` (which answers what it stored and whether the object is new) under one of
    /// this process's upload permits (503 `server_busy` when none is free), its outcome and time
    /// counted.
    pub async fn admitted<T>(&self, upload: impl Future<Output = ApiResult<(T, bool)>>) -> ApiResult<T> {
        let started = Instant::now();
        let outcome = async {
            // Bounds the spool files and scans under way in this process.
            let _permit = self
                .uploads
                .clone()
                .try_acquire_owned()
                .map_err(|_| ApiError::busy("too many uploads at once; retry in a moment"))?;
            upload.await
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
        self.metrics.upload(label);
        self.metrics.upload_seconds.observe(started.elapsed().as_secs_f64());
        outcome.map(|(stored, _)| stored)
    }

    /// Everything before the upload touches the store or a row: who and where (without holding a
    /// connection while the file arrives), the file read into its spool and checked, and scanned.
    async fn receive(
        &self,
        db: &TenantDb,
        user_id: UserId,
        id: TicketId,
        pace: spool::Pace,
        declared: Option<u64>,
        multipart: Multipart,
    ) -> ApiResult<spool::Spooled> {
        if declared.is_some_and(|length| length > UPLOAD_BODY_LIMIT) {
            return Err(spool::too_large(kinds::LARGEST, "a file"));
        }
        {
            let mut conn = db.connect().await?;
            let (viewer, ticket) = tickets::visible(&mut *conn.begin().await?, user_id, id, false).await.answered()?;
            viewer.require_may_post().answered()?;
            tickets::ensure_open(&ticket).answered()?;
        }
        self.ensure_prepared().await.map_err(|e| self.failed("check", &e))?;
        let upload = spool::receive(multipart, &self.spool_dir, pace).await?;
        self.scan(&upload).await?;
        Ok(upload)
    }

    /// Stores a checked upload and records its row, in one transaction under the ticket's lock;
    /// the file with its link, and whether a new object was stored.
    async fn record(
        &self,
        db: &TenantDb,
        user_id: UserId,
        id: TicketId,
        ip: Option<IpAddr>,
        upload: &spool::Spooled,
    ) -> ApiResult<(Uploaded, bool)> {
        let mut conn = db.connect().await?;
        let mut tx = conn.begin().await?;
        // The ticket as it stands under a share lock: the checks hold until commit, while other
        // uploads to it go on beside this one (the same content waits on its object's row).
        store::share_ticket(&mut tx, id).await?;
        let (viewer, ticket) = tickets::visible(&mut tx, user_id, id, false).await.answered()?;
        viewer.require_may_post().answered()?;
        tickets::ensure_open(&ticket).answered()?;
        let is_internal = visibility(&mut tx, viewer, ticket.id, upload).await?;
        let kept = self.keep(&mut tx, db.tenant().id, ticket.id, upload, viewer.id, is_internal).await?;
        let link = self.link(&kept.key, &kept.attachment.original_name, &kept.attachment.mime_type).await?;
        store::log_access(&mut tx, kept.attachment.id, viewer.id, ip).await?;
        tx.commit().await?;
        Ok((Uploaded { attachment: kept.attachment, link }, kept.created))
    }

    /// A fresh download link for `found`, which `viewer` may see, written to the access log.
    pub async fn hand_out(
        &self,
        conn: &mut PgConnection,
        viewer: Viewer,
        found: &Found,
        ip: Option<IpAddr>,
    ) -> ApiResult<Link> {
        let link = self.link(&found.file_path, &found.attachment.original_name, &found.attachment.mime_type).await?;
        store::log_access(conn, found.attachment.id, viewer.id, ip).await?;
        Ok(link)
    }

    /// Deletes `found`, which `viewer` may see, for its uploader or staff, unless its ticket is
    /// closed; its object goes with its last row, now or later if the store is away.
    pub async fn remove(
        &self,
        db: &TenantDb,
        mut conn: TenantConnection,
        viewer: Viewer,
        found: Found,
    ) -> ApiResult<()> {
        if !viewer.is_staff() && found.attachment.uploaded_by != Some(viewer.id) {
            return Err(ApiError::forbidden("only the person who uploaded a file, agents and admins may delete it"));
        }
        let mut tx = conn.begin().await?;
        // The ticket's share lock, as uploads take it: a closed ticket does not change.
        store::share_ticket(&mut tx, found.attachment.ticket_id).await?;
        let (_, ticket) = tickets::visible(&mut tx, viewer.id, found.attachment.ticket_id, false).await.answered()?;
        tickets::ensure_open(&ticket).answered()?;
        store::delete(&mut tx, found.attachment.id).await?;
        tx.commit().await?;
        drop(conn);
        if let Err(err) = self.delete_released(db.pools(), db.tenant()).await {
            tracing::warn!(error = %err, "a deleted attachment's object stays queued for deletion");
        }
        Ok(())
    }
}

/// Whether the upload is internal: staff may ask for it; a file of a message takes the message's
/// visibility, and must be of the caller's own message.
async fn visibility(
    conn: &mut PgConnection,
    viewer: Viewer,
    ticket_id: TicketId,
    upload: &spool::Spooled,
) -> ApiResult<bool> {
    if upload.is_internal && !viewer.is_staff() {
        return Err(ApiError::forbidden("internal files are for agents and admins"));
    }
    let Some(message_id) = upload.message_id else { return Ok(upload.is_internal) };
    let message = store::message_of_ticket(conn, ticket_id, message_id).await?;
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
