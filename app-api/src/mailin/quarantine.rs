//! The quarantine as admins work it: a mail released becomes a ticket or a message as if its
//! sender were proven (`release`); one discarded stays listed, with its original (`discard`).
//! Each takes the mail out of the quarantine in one transaction with its audit entry, so a
//! second release or discard finds it gone.

use std::sync::Arc;

use axum::http::StatusCode;
use sav::users;
use shared::error::{ApiError, ApiResult};
use uuid::Uuid;

use super::intake::{self, Received};
use super::store::{self, InboundEmail};
use super::{files, parse};
use crate::state::AppState;
use crate::tenancy::pools::TenantConnection;
use crate::tenancy::resolve::Tenant;
use sav::ids::UserId;

/// 404: no received mail has this id.
pub fn no_mail(id: i64) -> ApiError {
    ApiError::not_found(format!("there is no received mail {id}"))
}

fn not_quarantined(id: i64) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "conflict", format!("received mail {id} is not in the quarantine"))
}

/// Takes mail `id` out of the quarantine as `outcome`, for `admin`, with the audit entry
/// `action`; the mail as it was.
async fn settle(
    conn: &mut TenantConnection,
    admin: UserId,
    id: i64,
    outcome: &str,
    action: &str,
) -> ApiResult<InboundEmail> {
    let mut tx = conn.begin().await?;
    let mail = store::get(&mut tx, id).await?.ok_or_else(|| no_mail(id))?;
    if mail.outcome != "quarantined" {
        return Err(not_quarantined(id));
    }
    store::settle(&mut tx, id, outcome, mail.reason.as_deref(), None, None, Some(admin)).await?;
    if outcome == "received" {
        // The release reads it right after: the read lease is its own meanwhile.
        store::take(&mut tx, id).await?;
    }
    users::audit(&mut tx, admin, action, Uuid::nil(), serde_json::json!({ "inbound_email_id": id })).await?;
    tx.commit().await?;
    Ok(mail)
}

/// Releases quarantined mail `id` for `admin` (on `conn`, given back before the mail is read
/// again): it becomes what its words make it, as if its sender were proven.
pub async fn release(
    state: &AppState,
    tenant: &Arc<Tenant>,
    mut conn: TenantConnection,
    admin: UserId,
    id: i64,
) -> ApiResult<Received> {
    let mail = settle(&mut conn, admin, id, "received", "inbound_email_released").await?;
    drop(conn);
    let raw = files::original(state, &mail.blob_key).await?;
    let inbound = parse::read(&raw, &intake::own_mail(state));
    intake::decide(state, tenant, id, inbound, None, Some(admin)).await
}

/// Discards quarantined mail `id` for `admin`.
pub async fn discard(conn: &mut TenantConnection, admin: UserId, id: i64) -> ApiResult<()> {
    settle(conn, admin, id, "discarded", "inbound_email_discarded").await.map(drop)
}
