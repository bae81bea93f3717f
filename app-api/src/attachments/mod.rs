//! Attachments: files on tickets and messages. The files live in a blob store (`blob`: S3 or
//! the local disk), their rows in the tenant database (`store`). An upload (`upload`, with the
//! links handed out and the deletions) is read into a spool file (`spool`), checked against the
//! accepted kinds (`kinds`), optionally scanned (`scanner`), and only then stored and recorded. Objects whose last row is gone are deleted after the
//! transaction commits (`Attachments::delete_released`), and the orphan cleanup
//! (`worker::orphans`) finds what a crash left behind on either side.

pub mod blob;
pub mod disk;
pub mod kinds;
pub mod metrics;
pub mod s3;
pub mod scanner;
pub mod spool;
pub mod store;
pub mod upload;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::http::StatusCode;
use shared::error::{ApiError, FieldError};
use shared::work_queue::{self, Outcome, QueueMetrics, WorkQueue};
use sqlx::PgConnection;
use tokio::sync::Semaphore;
use uuid::Uuid;

use self::blob::{BlobError, BlobStore, Link, Presentation};
use self::disk::DiskStore;
use self::metrics::AttachmentMetrics;
use self::scanner::Scanner;
use crate::config::{AttachmentsConfig, BlobStoreConfig};
use crate::tenancy::pools::PoolManager;
use crate::tenancy::resolve::Tenant;

use sav::ids::{TicketId, UserId};

/// At most this many files on one ticket.
pub const MAX_PER_TICKET: i64 = 200;
/// At most this many files named by one message.
pub const MAX_PER_MESSAGE: usize = 10;
/// The blob deletions' queue in the work queues' metrics.
pub const DELETIONS_QUEUE: &str = "blob_deletions";
/// Objects deleted from the store per batch, and batches after one request.
const DELETION_BATCH: u16 = 100;
const DELETION_BATCHES: usize = 10;

/// The attachment clients of a process.
pub struct Attachments {
    pub store: Arc<dyn BlobStore>,
    /// The same store when it is the local disk, whose links app-api serves.
    pub disk: Option<Arc<DiskStore>>,
    pub scanner: Option<Scanner>,
    pub spool_dir: PathBuf,
    pub url_ttl: Duration,
    pub quota_bytes: u64,
    /// The slowest an upload may arrive, on average over each window of its time limit.
    pub min_bytes_per_second: u64,
    /// Uploads under way in this process.
    pub uploads: Arc<Semaphore>,
    pub metrics: AttachmentMetrics,
    /// The blob deletions' attempts are counted with the other work queues'.
    queue_metrics: QueueMetrics,
    /// Whether the bucket (or directory) is known to exist.
    prepared: AtomicBool,
}

/// A file stored and recorded by `Attachments::keep`.
pub struct StoredFile {
    pub attachment: store::Attachment,
    /// Whether a new object was stored (else the same content was there already).
    pub created: bool,
    /// Its object's key.
    pub key: String,
}

/// 413 `storage_quota_exceeded`.
pub fn over_quota(quota: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "storage_quota_exceeded",
        format!("the organisation's storage ({quota} bytes) is full; delete files or raise the quota"),
    )
    .with_extension("quota_bytes", quota)
}

/// Why a file was not stored: the file itself was refused by a check every upload passes (its
/// name, kind, size or content, a virus, the ticket's limit, the organisation's quota), which
/// whoever sent it is told; or a part of the platform failed (the store, the scanner, the
/// database), and the same file may go through later. Either is answered as its `ApiError`.
#[derive(Debug)]
pub enum FileError {
    Refused(ApiError),
    Failed(ApiError),
}

impl From<FileError> for ApiError {
    fn from(err: FileError) -> Self {
        match err {
            FileError::Refused(err) | FileError::Failed(err) => err,
        }
    }
}

impl From<sqlx::Error> for FileError {
    fn from(err: sqlx::Error) -> Self {
        Self::Failed(err.into())
    }
}

impl Attachments {
    /// Scans a spooled file when a scanner is configured: 422 `file_infected`, or 503 when the
    /// scanner cannot be reached.
    pub async fn scan(&self, upload: &spool::Spooled) -> Result<(), FileError> {
        let Some(scanner) = &self.scanner else { return Ok(()) };
        let started = std::time::Instant::now();
        let verdict = scanner.scan(upload.path()).await.map_err(|err| {
            FileError::Failed(ApiError::unavailable(err.to_string()).with_extension("dependency", "clamav"))
        })?;
        self.metrics.scan_seconds.observe(started.elapsed().as_secs_f64());
        if let scanner::Verdict::Infected(signature) = verdict {
            tracing::warn!(signature = %signature, "a file was refused: infected");
            return Err(FileError::Refused(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "file_infected",
                format!("the virus scanner found {signature}; the file was not stored"),
            )));
        }
        Ok(())
    }

    /// Stores a checked and scanned file of ticket `ticket_id` (locked by the caller, who has
    /// checked who may add it) and records its row, in the caller's transaction: the ticket's
    /// file limit and the tenant's quota hold, and the same content is one object.
    pub async fn keep(
        &self,
        tx: &mut PgConnection,
        tenant: Uuid,
        ticket_id: TicketId,
        upload: &spool::Spooled,
        uploader: UserId,
        is_internal: bool,
    ) -> Result<StoredFile, FileError> {
        let size = i64::try_from(upload.size).map_err(|e| FileError::Failed(ApiError::internal(e.to_string())))?;
        let key = blob::object_key(tenant, ticket_id, &upload.sha256, upload.kind.extension);
        store::lock_files_of(tx, ticket_id).await?;
        if store::count_of_ticket(tx, ticket_id).await? >= MAX_PER_TICKET {
            let message = format!("a ticket holds {MAX_PER_TICKET} files at most");
            return Err(FileError::Refused(ApiError::invalid(vec![FieldError::new("file", message)])));
        }
        let created = self.store_object(tx, &key, upload).await?;
        let stored_name = format!("{}.{}", upload.sha256, upload.kind.extension);
        let new = store::NewAttachment {
            ticket_id,
            message_id: upload.message_id,
            original_name: &upload.original_name,
            filename: &stored_name,
            file_path: &key,
            mime_type: upload.kind.mime_type,
            file_size: size,
            sha256: &upload.sha256,
            is_internal,
            uploaded_by: uploader,
        };
        let attachment = store::insert(tx, &new).await?;
        Ok(StoredFile { attachment, created, key })
    }

    /// Claims the object `key` for a checked and scanned upload, in the caller's transaction: the
    /// same content already stored is used again (false), a new one is stored and counted in
    /// the tenant's storage within its quota (true).
    pub async fn store_object(
        &self,
        tx: &mut PgConnection,
        key: &str,
        upload: &spool::Spooled,
    ) -> Result<bool, FileError> {
        let size = i64::try_from(upload.size).map_err(|e| FileError::Failed(ApiError::internal(e.to_string())))?;
        if !store::claim_object(tx, key, size).await? {
            return Ok(false);
        }
        let quota = i64::try_from(self.quota_bytes).unwrap_or(i64::MAX);
        if store::usage(tx).await?.bytes_used.saturating_add(size) > quota {
            return Err(FileError::Refused(over_quota(self.quota_bytes)));
        }
        self.store
            .put_file(key, upload.path(), upload.size, upload.kind.mime_type)
            .await
            .map_err(|e| FileError::Failed(self.failed("put", &e)))?;
        // Counted under the usage row's lock: concurrent uploads see each other's bytes.
        if store::add_usage(tx, size).await? > quota {
            // Still holding the object's claim: no other upload can be relying on it.
            let key = key.to_owned();
            if let Err(err) = self.store.delete(std::slice::from_ref(&key)).await {
                tracing::warn!(error = %err, "an object over the quota was not deleted; the orphan cleanup will");
            }
            return Err(FileError::Refused(over_quota(self.quota_bytes)));
        }
        self.metrics.uploaded_bytes.inc_by(upload.size);
        Ok(true)
    }

    pub fn new(
        config: &AttachmentsConfig,
        keys: &shared::crypto::AppPlaneKeys,
        registry: &prometheus::Registry,
        queue_metrics: QueueMetrics,
    ) -> Self {
        let (store, disk): (Arc<dyn BlobStore>, Option<Arc<DiskStore>>) = match &config.store {
            BlobStoreConfig::S3(s3) => (Arc::new(s3::S3Store::new(s3)), None),
            BlobStoreConfig::Disk { dir } => {
                let disk = Arc::new(DiskStore::new(dir.clone(), keys.blob_url.clone()));
                (disk.clone(), Some(disk))
            }
        };
        let spool_dir = config
            .spool_dir
            .clone()
            .or_else(|| disk.as_ref().map(|d| d.spool_dir()))
            .unwrap_or_else(std::env::temp_dir);
        Self {
            store,
            disk,
            scanner: config.clamav_addr.clone().map(Scanner::new),
            spool_dir,
            url_ttl: config.url_ttl,
            quota_bytes: config.quota_bytes,
            min_bytes_per_second: config.min_bytes_per_second,
            uploads: Arc::new(Semaphore::new(config.concurrency)),
            metrics: AttachmentMetrics::register(registry),
            queue_metrics,
            prepared: AtomicBool::new(false),
        }
    }

    /// Makes sure the bucket (or directory) and the spool directory exist; the store is asked
    /// only until that has worked once.
    pub async fn ensure_prepared(&self) -> Result<(), BlobError> {
        if self.prepared.load(Ordering::Relaxed) {
            return Ok(());
        }
        tokio::fs::create_dir_all(&self.spool_dir).await.map_err(|e| BlobError::Failed(e.to_string()))?;
        match tokio::time::timeout(blob::CALL_TIMEOUT, self.store.prepare()).await {
            Ok(Ok(())) => {
                self.prepared.store(true, Ordering::Relaxed);
                Ok(())
            }
            Ok(Err(err)) => Err(err),
            Err(_) => Err(BlobError::Unreachable("no answer".into())),
        }
    }

    /// A download link for an object, logged as handed out.
    pub async fn link(&self, key: &str, file_name: &str, mime_type: &str) -> Result<Link, ApiError> {
        let content_type = served_type(mime_type);
        let presentation = Presentation { file_name, content_type: &content_type };
        let link = self.store.link(key, presentation, self.url_ttl).await.map_err(|e| self.failed("link", &e))?;
        self.metrics.links.inc();
        Ok(link)
    }

    /// A store failure as an answer: 503, counted by operation.
    pub fn failed(&self, operation: &'static str, err: &BlobError) -> ApiError {
        self.metrics.store_errors.with_label_values(&[operation]).inc();
        ApiError::unavailable(err.to_string())
    }

    /// Deletes from the store the objects whose last row went (in transactions that committed),
    /// a few batches at most; what fails stays listed for the next call or the cleanup. How many
    /// objects were deleted.
    pub async fn delete_released(&self, pools: &PoolManager, tenant: &Tenant) -> Result<u64, ApiError> {
        let mut db = pools.acquire(tenant).await?;
        let deletions = Deletions { files: self, deleted: AtomicU64::new(0), away: OnceLock::new() };
        work_queue::drain(&deletions, &mut db, DELETION_BATCHES, &self.queue_metrics).await?;
        if let Some(error) = deletions.away.into_inner() {
            return Err(ApiError::unavailable(format!("the blob store could not delete released objects: {error}")));
        }
        Ok(deletions.deleted.into_inner())
    }
}

/// The objects whose last row went (`blob_deletions`), as a work queue of batches: a batch is
/// claimed locked (an upload storing one of them again waits), deleted from the store, and taken
/// off the list in the claim's transaction; a store that cannot be reached leaves it listed.
struct Deletions<'a> {
    files: &'a Attachments,
    deleted: AtomicU64,
    /// Why the store could not delete a batch (the drain stops there).
    away: OnceLock<String>,
}

impl WorkQueue for Deletions<'_> {
    type Item = Vec<String>;

    fn name(&self) -> &'static str {
        DELETIONS_QUEUE
    }

    async fn claim(&self, tx: &mut PgConnection) -> sqlx::Result<Option<Vec<String>>> {
        let paths = store::claim_deletions(tx, i64::from(DELETION_BATCH)).await?;
        Ok((!paths.is_empty()).then_some(paths))
    }

    async fn work(&self, paths: &Vec<String>) -> Outcome {
        match self.files.store.delete(paths).await {
            Ok(()) => Outcome::Done,
            Err(err) => {
                self.files.metrics.store_errors.with_label_values(&["delete"]).inc();
                Outcome::Away { error: err.to_string() }
            }
        }
    }

    async fn settle(&self, tx: &mut PgConnection, paths: &Vec<String>, outcome: &Outcome) -> sqlx::Result<()> {
        match outcome {
            Outcome::Done => store::forget_deletions(tx, paths).await,
            _ => Ok(()),
        }
    }

    async fn settled(&self, paths: &Vec<String>, outcome: &Outcome) {
        match outcome {
            Outcome::Done => {
                let count = paths.len() as u64;
                self.deleted.fetch_add(count, Ordering::Relaxed);
                self.files.metrics.objects_deleted.inc_by(count);
            }
            Outcome::Away { error } => {
                let _ = self.away.set(error.clone());
            }
            _ => {}
        }
    }
}

/// The type a file is served with: text gets its charset.
pub fn served_type(mime_type: &str) -> String {
    if mime_type.starts_with("text/") { format!("{mime_type}; charset=utf-8") } else { mime_type.to_owned() }
}
