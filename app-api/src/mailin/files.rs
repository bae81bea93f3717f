//! A received mail's bytes and files in the blob store: the original kept before anything is
//! read, and the attachments through the checks every upload passes (kind, size, content,
//! scan, the ticket's limit, the tenant's quota). A refused file is named in the message, and
//! stays in the original.

use std::sync::Arc;

use shared::error::{ApiError, ApiResult};
use sqlx::{Connection as _, PgConnection};

use super::parse::Inbound;
use crate::attachments::FileError;
use crate::attachments::spool::{self, Spooled};
use crate::attachments::store as rows;
use crate::state::AppState;
use crate::tenancy::resolve::Tenant;
use sav::ids::{TicketId, UserId};

/// Stores the original under `key` (one object per content) and counts it in the tenant's
/// storage. The quota does not refuse it: a mail already accepted by the mail server is kept.
pub async fn keep_original(state: &AppState, db: &mut PgConnection, key: &str, raw: &[u8]) -> ApiResult<()> {
    let files = &state.attachments;
    files.ensure_prepared().await.map_err(|e| files.failed("check", &e))?;
    let size = i64::try_from(raw.len()).unwrap_or(i64::MAX);
    let mut tx = db.begin().await?;
    if rows::claim_object(&mut tx, key, size).await? {
        let spool = tempfile::Builder::new()
            .prefix("mail-")
            .tempfile_in(&files.spool_dir)
            .map_err(|e| ApiError::internal(format!("cannot create a spool file: {e}")))?;
        tokio::fs::write(spool.path(), raw)
            .await
            .map_err(|e| ApiError::internal(format!("spool write failed: {e}")))?;
        files
            .store
            .put_file(key, spool.path(), raw.len() as u64, "message/rfc822")
            .await
            .map_err(|e| files.failed("put", &e))?;
        rows::add_usage(&mut tx, size).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The original of a received mail.
pub async fn original(state: &AppState, key: &str) -> ApiResult<Vec<u8>> {
    let files = &state.attachments;
    files.store.get(key).await.map_err(|e| files.failed("get", &e))
}

/// The mail's files checked and scanned, ready to store, and a line for each one refused.
pub struct Checked {
    pub files: Vec<Spooled>,
    pub refused: Vec<String>,
}

/// Checks and scans every file of `mail` (those past the per-mail limit are refused too).
pub async fn check(state: &AppState, mail: &Inbound) -> ApiResult<Checked> {
    let files = &state.attachments;
    let mut checked = Checked { files: Vec::new(), refused: Vec::new() };
    for file in &mail.files {
        let spooled = match spool::from_bytes(&file.name, &file.bytes, &files.spool_dir).await {
            Ok(spooled) => spooled,
            Err(FileError::Refused(err)) => {
                checked.refused.push(format!("{}: {}", file.name, why(&err)));
                continue;
            }
            Err(FileError::Failed(err)) => return Err(err),
        };
        match files.scan(&spooled).await {
            Ok(()) => checked.files.push(spooled),
            Err(FileError::Refused(err)) => checked.refused.push(format!("{}: {}", file.name, why(&err))),
            Err(FileError::Failed(err)) => return Err(err),
        }
    }
    if mail.files_left > 0 {
        checked.refused.push(format!(
            "{} more file(s): a mail brings {} files at most",
            mail.files_left,
            super::parse::MAX_FILES
        ));
    }
    Ok(checked)
}

/// Stores the checked files on ticket `ticket_id` as `uploader`'s (to be attached to their
/// message); the ids stored, and a line for each refused here (the ticket's limit, the quota).
pub async fn store(
    state: &AppState,
    tenant: &Arc<Tenant>,
    ticket_id: TicketId,
    uploader: UserId,
    checked: &Checked,
) -> ApiResult<(Vec<i64>, Vec<String>)> {
    let files = &state.attachments;
    let mut ids = Vec::new();
    let mut refused = Vec::new();
    for file in &checked.files {
        let mut db = state.tenancy.pools.acquire(tenant).await?;
        let mut tx = db.begin().await?;
        rows::share_ticket(&mut tx, ticket_id).await?;
        match files.keep(&mut tx, tenant.id, ticket_id, file, uploader, false).await {
            Ok(kept) => {
                tx.commit().await?;
                ids.push(kept.attachment.id);
            }
            Err(FileError::Refused(err)) => {
                let _ = tx.rollback().await;
                refused.push(format!("{}: {}", file.original_name, why(&err)));
            }
            Err(FileError::Failed(err)) => return Err(err),
        }
    }
    Ok((ids, refused))
}

/// What an error says to a person, in one line.
fn why(err: &ApiError) -> String {
    let problem = err.problem();
    let fields: Vec<String> = problem.errors.iter().map(|e| format!("{} {}", e.field, e.message)).collect();
    if fields.is_empty() { problem.detail.unwrap_or(problem.code) } else { fields.join("; ") }
}
