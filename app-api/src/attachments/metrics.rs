//! The metrics of attachments. Labels are fixed sets (outcomes, store operations, orphan kinds),
//! never a tenant or a file.

use prometheus::{Histogram, IntCounter, IntCounterVec, Registry};
use shared::metrics::Registrar;

/// What an upload came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadOutcome {
    /// A new object was stored.
    Stored,
    /// The same content was already stored in the ticket: a new row, no new object.
    Deduplicated,
    /// Refused for its type, its content, its size, its name or its fields.
    Refused,
    /// Over the tenant's storage quota.
    OverQuota,
    /// The virus scanner found something.
    Infected,
    /// The store, the scanner or the database failed.
    Failed,
}

impl UploadOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stored => "stored",
            Self::Deduplicated => "deduplicated",
            Self::Refused => "refused",
            Self::OverQuota => "over_quota",
            Self::Infected => "infected",
            Self::Failed => "failed",
        }
    }
}

#[derive(Clone)]
pub struct AttachmentMetrics {
    uploads: IntCounterVec,
    pub uploaded_bytes: IntCounter,
    pub links: IntCounter,
    pub store_errors: IntCounterVec,
    pub objects_deleted: IntCounter,
    pub orphans: IntCounterVec,
    pub scan_seconds: Histogram,
    pub upload_seconds: Histogram,
}

impl AttachmentMetrics {
    pub fn register(registry: &Registry) -> Self {
        let registrar = Registrar(registry);
        let counter = |name, help| registrar.counter(name, help);
        let counter_vec = |name, help, label| registrar.counter_vec(name, help, &[label]);
        let histogram = |name, help, buckets| registrar.histogram(name, help, buckets);
        let metrics = Self {
            uploads: counter_vec("attachment_uploads_total", "Uploads by outcome", "outcome"),
            uploaded_bytes: counter("attachment_uploaded_bytes_total", "Bytes of uploads stored as new objects"),
            links: counter("attachment_links_total", "Download links handed out (each one is in the access log)"),
            store_errors: counter_vec(
                "blob_store_errors_total",
                "Failed calls to the blob store by operation",
                "operation",
            ),
            objects_deleted: counter(
                "blob_objects_deleted_total",
                "Objects deleted from the blob store after their last row went",
            ),
            orphans: counter_vec(
                "attachment_orphans_total",
                "What the orphan cleanup found: objects without a row, rows without an object",
                "kind",
            ),
            scan_seconds: histogram(
                "attachment_scan_seconds",
                "Time clamd took to scan an upload",
                vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0],
            ),
            upload_seconds: histogram(
                "attachment_upload_seconds",
                "Time from the first byte of an upload to its answer",
                vec![0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0],
            ),
        };
        // Every outcome from the start, so rates read 0 rather than nothing.
        for outcome in [
            UploadOutcome::Stored,
            UploadOutcome::Deduplicated,
            UploadOutcome::Refused,
            UploadOutcome::OverQuota,
            UploadOutcome::Infected,
            UploadOutcome::Failed,
        ] {
            metrics.uploads.with_label_values(&[outcome.as_str()]);
        }
        for operation in ["put", "delete", "link", "list", "check"] {
            metrics.store_errors.with_label_values(&[operation]);
        }
        for kind in ["object_without_row", "row_without_object"] {
            metrics.orphans.with_label_values(&[kind]);
        }
        metrics
    }

    pub fn upload(&self, outcome: UploadOutcome) {
        self.uploads.with_label_values(&[outcome.as_str()]).inc();
    }
}
