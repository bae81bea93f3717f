//! Reading an upload: the multipart body is streamed into a temporary file (never held whole in
//! memory), hashed on the way, its first bytes checked against the kind its name claims, and cut
//! at the kind's size limit. Nothing reaches the store or the database from here.
//!
//! Fields: `file` (exactly one, with a file name), `message_id` and `is_internal` (optional).
//! Anything else is refused.

use std::path::Path;
use std::time::Duration;

use tokio::time::Instant;

use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError};
use axum::http::StatusCode;
use sha2::{Digest as _, Sha256};
use shared::error::{ApiError, FieldError};
use tokio::io::AsyncWriteExt as _;

use super::kinds::{self, Kind, Refusal};

/// How much of a refused upload is still read (and dropped) so that the client, still sending,
/// gets the answer rather than a reset connection. Past it the connection is closed.
const DRAIN_MAX_BYTES: u64 = kinds::LARGEST + 4 * 1024 * 1024;
/// How long that may take.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest text field (`message_id`, `is_internal`).
const TEXT_FIELD_MAX: usize = 64;

/// An upload read whole into its spool file.
pub struct Spooled {
    pub file: tempfile::NamedTempFile,
    pub size: u64,
    /// Lower-case hex.
    pub sha256: String,
    pub kind: Kind,
    /// The name to show (`blob::display_name`).
    pub original_name: String,
    pub message_id: Option<i64>,
    pub is_internal: bool,
}

impl Spooled {
    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

/// 413 `file_too_large` for `kind`.
pub fn too_large(limit: u64, what: &str) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large", format!("{what} may be {limit} bytes at most"))
        .with_extension("limit", limit)
}

fn refused(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::Unsupported(detail) => ApiError::unsupported_media_type(detail),
        Refusal::Mismatch(detail) => ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "media_type_mismatch", detail),
    }
}

fn body_error(err: &MultipartError) -> ApiError {
    match err.status() {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(kinds::LARGEST, "a file"),
        _ => ApiError::bad_request(format!("the multipart body is malformed: {}", err.body_text())),
    }
}

/// The progress an upload must keep up: at least `min_bytes` in every `window`. A client on a
/// slow line may take as long as its file needs; one that trickles, or stops, is cut off after
/// one window. Upload routes have no whole-request timeout: this is theirs.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub window: Duration,
    pub min_bytes: u64,
}

/// Where an upload stands against its `Pace`: the end of the current window and the bytes still
/// owed in it. A window closes early once its bytes have arrived, and the next one begins.
struct Progress {
    pace: Pace,
    deadline: Instant,
    owed: u64,
}

impl Progress {
    fn new(pace: Pace) -> Self {
        Self { pace, deadline: Instant::now() + pace.window, owed: pace.min_bytes }
    }

    /// `next` of the body, or 408 `body_timeout` when the window ends first.
    async fn next<T>(&self, next: impl Future<Output = Result<T, MultipartError>>) -> Result<T, ApiError> {
        tokio::time::timeout_at(self.deadline, next).await.map_err(|_| self.too_slow())?.map_err(|e| body_error(&e))
    }

    fn received(&mut self, bytes: usize) {
        let bytes = bytes as u64;
        if bytes >= self.owed {
            self.deadline = Instant::now() + self.pace.window;
            self.owed = self.pace.min_bytes;
        } else {
            self.owed -= bytes;
        }
    }

    fn too_slow(&self) -> ApiError {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            format!(
                "the upload sent less than {} bytes in {} s: it must keep up at least that pace",
                self.pace.min_bytes,
                self.pace.window.as_secs_f32()
            ),
        )
        .with_extension("min_bytes", self.pace.min_bytes)
        .with_extension("window_seconds", self.pace.window.as_secs_f32())
    }
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::invalid(vec![FieldError::new(field, message)])
}

/// A file already in memory (a mail's attachment) into a spool file under `spool_dir`, with the
/// checks of an upload: a name, a kind accepted by its name, within its size, whose content is
/// what the name says.
pub async fn from_bytes(name: &str, bytes: &[u8], spool_dir: &Path) -> Result<Spooled, super::FileError> {
    use super::FileError::{Failed, Refused};
    let original_name = super::blob::display_name(name)
        .ok_or_else(|| Refused(invalid("file", "needs a file name (with an extension such as .pdf or .png)")))?;
    let kind = kinds::claimed(&original_name).map_err(|r| Refused(refused(r)))?;
    let size = bytes.len() as u64;
    if size > kind.max_bytes {
        return Err(Refused(too_large(kind.max_bytes, &format!("a .{} file", kind.extension))));
    }
    if size == 0 {
        return Err(Refused(invalid("file", "is empty")));
    }
    kinds::check_content(kind, &bytes[..bytes.len().min(kinds::SNIFF_BYTES)]).map_err(|r| Refused(refused(r)))?;
    if !kinds::still_text(kind, bytes) {
        return Err(Refused(refused(Refusal::Mismatch(format!(
            "the name says {} but the content is binary",
            kind.mime_type
        )))));
    }
    let spool = tempfile::Builder::new().prefix("mail-file-").tempfile_in(spool_dir).map_err(|e| {
        Failed(ApiError::internal(format!("cannot create a spool file in {}: {e}", spool_dir.display())))
    })?;
    tokio::fs::write(spool.path(), bytes)
        .await
        .map_err(|e| Failed(ApiError::internal(format!("spool write failed: {e}"))))?;
    Ok(Spooled {
        file: spool,
        size,
        sha256: hex::encode(Sha256::digest(bytes)),
        kind,
        original_name,
        message_id: None,
        is_internal: false,
    })
}

/// Reads the whole multipart body into a spool file under `spool_dir`, at `pace` or faster.
pub async fn receive(mut multipart: Multipart, spool_dir: &Path, pace: Pace) -> Result<Spooled, ApiError> {
    let outcome = read_fields(&mut multipart, spool_dir, &mut Progress::new(pace)).await;
    if outcome.is_err() {
        drain(&mut multipart).await;
    }
    outcome
}

/// Reads what is left of a refused body, within bounds, so the answer reaches the client.
async fn drain(multipart: &mut Multipart) {
    let mut read = 0u64;
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while let Ok(Some(mut field)) = multipart.next_field().await {
            while let Ok(Some(chunk)) = field.chunk().await {
                read += chunk.len() as u64;
                if read > DRAIN_MAX_BYTES {
                    return;
                }
            }
        }
    })
    .await;
}

async fn read_fields(
    multipart: &mut Multipart,
    spool_dir: &Path,
    progress: &mut Progress,
) -> Result<Spooled, ApiError> {
    let mut file = None;
    let mut message_id = None;
    let mut is_internal = None;
    while let Some(field) = progress.next(multipart.next_field()).await? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if file.is_none() => file = Some(spool_file(field, spool_dir, progress).await?),
            "file" => return Err(ApiError::bad_request("one file per upload: `file` appears twice")),
            "message_id" if message_id.is_none() => {
                let text = text_field(field, progress).await?;
                let id = text.trim().parse::<i64>().ok().filter(|id| *id > 0);
                message_id = Some(id.ok_or_else(|| invalid("message_id", "must be a message id (a positive number)"))?);
            }
            "is_internal" if is_internal.is_none() => {
                let text = text_field(field, progress).await?;
                is_internal = Some(match text.trim() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(invalid("is_internal", "must be true or false")),
                });
            }
            "message_id" | "is_internal" => return Err(ApiError::bad_request(format!("`{name}` appears twice"))),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown field `{}`: an upload has `file`, and optionally `message_id` and `is_internal`",
                    name.chars().take(64).collect::<String>()
                )));
            }
        }
    }
    let Some(mut spooled) = file else { return Err(invalid("file", "is required: the file to attach")) };
    spooled.message_id = message_id;
    spooled.is_internal = is_internal.unwrap_or(false);
    Ok(spooled)
}

async fn text_field(mut field: Field<'_>, progress: &mut Progress) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = progress.next(field.chunk()).await? {
        progress.received(chunk.len());
        bytes.extend_from_slice(&chunk);
        if bytes.len() > TEXT_FIELD_MAX {
            return Err(ApiError::bad_request("a text field of an upload is too long"));
        }
    }
    String::from_utf8(bytes).map_err(|_| ApiError::bad_request("a text field of an upload is not UTF-8"))
}

async fn spool_file(mut field: Field<'_>, spool_dir: &Path, progress: &mut Progress) -> Result<Spooled, ApiError> {
    let sent = field.file_name().unwrap_or_default().to_owned();
    let original_name = super::blob::display_name(&sent)
        .ok_or_else(|| invalid("file", "needs a file name (with an extension such as .pdf or .png)"))?;
    let kind = kinds::claimed(&original_name).map_err(refused)?;
    let spool = tempfile::Builder::new()
        .prefix("upload-")
        .tempfile_in(spool_dir)
        .map_err(|e| ApiError::internal(format!("cannot create a spool file in {}: {e}", spool_dir.display())))?;
    let mut writer = tokio::fs::File::from_std(spool.reopen().map_err(|e| ApiError::internal(e.to_string()))?);
    let mut hasher = Sha256::new();
    let mut head: Vec<u8> = Vec::with_capacity(kinds::SNIFF_BYTES);
    let mut checked = false;
    let mut size = 0u64;
    while let Some(chunk) = progress.next(field.chunk()).await? {
        progress.received(chunk.len());
        size += chunk.len() as u64;
        if size > kind.max_bytes {
            return Err(too_large(kind.max_bytes, &format!("a .{} file", kind.extension)));
        }
        if checked {
            if !kinds::still_text(kind, &chunk) {
                return Err(refused(Refusal::Mismatch(format!(
                    "the name says {} but the content is binary",
                    kind.mime_type
                ))));
            }
        } else {
            let wanted = (kinds::SNIFF_BYTES - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..wanted]);
            if head.len() == kinds::SNIFF_BYTES {
                kinds::check_content(kind, &head).map_err(refused)?;
                checked = true;
                if !kinds::still_text(kind, &chunk[wanted..]) {
                    return Err(refused(Refusal::Mismatch(format!(
                        "the name says {} but the content is binary",
                        kind.mime_type
                    ))));
                }
            }
        }
        hasher.update(&chunk);
        writer.write_all(&chunk).await.map_err(|e| ApiError::internal(format!("spool write failed: {e}")))?;
    }
    if size == 0 {
        return Err(invalid("file", "is empty"));
    }
    if !checked {
        kinds::check_content(kind, &head).map_err(refused)?;
    }
    writer.flush().await.map_err(|e| ApiError::internal(format!("spool write failed: {e}")))?;
    Ok(Spooled {
        file: spool,
        size,
        sha256: hex::encode(hasher.finalize()),
        kind,
        original_name,
        message_id: None,
        is_internal: false,
    })
}
