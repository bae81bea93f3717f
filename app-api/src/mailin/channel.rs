//! The tenant's mailbox as its admins keep it: saved or removed in one transaction with its audit
//! entry, then the fetch schedule (in the control database) told: a saved mailbox is fetched at
//! once, a removed one no more.

use chrono::Utc;
use control_schema::schedule::{self, Work};
use sav::users;
use shared::error::{ApiError, ApiResult};
use sqlx::PgPool;
use uuid::Uuid;

use super::store::{self, Channel, ChannelSettings};
use crate::tenancy::pools::TenantConnection;
use sav::ids::UserId;

/// 404: the tenant has no mailbox.
pub fn no_mailbox() -> ApiError {
    ApiError::not_found("the organisation has no mailbox")
}

/// Sets the mailbox of `tenant` for `admin`, and schedules its fetch now.
pub async fn save(
    db: &mut TenantConnection,
    control_db: &PgPool,
    tenant: Uuid,
    admin: UserId,
    settings: &ChannelSettings<'_>,
) -> ApiResult<Channel> {
    let mut tx = db.begin().await?;
    let channel = store::put_channel(&mut tx, settings).await?;
    let details =
        serde_json::json!({ "imap_url": settings.imap_url, "username": settings.username, "folder": settings.folder });
    users::audit(&mut tx, admin, "email_channel_saved", admin.0, details).await?;
    tx.commit().await?;
    schedule::set_due(control_db, Work::Mailbox, tenant, Some(Utc::now())).await?;
    Ok(channel)
}

/// Removes the mailbox of `tenant` for `admin`: nothing more is fetched; mail already taken
/// stays.
pub async fn remove(db: &mut TenantConnection, control_db: &PgPool, tenant: Uuid, admin: UserId) -> ApiResult<()> {
    let mut tx = db.begin().await?;
    if !store::delete_channel(&mut tx).await? {
        return Err(no_mailbox());
    }
    users::audit(&mut tx, admin, "email_channel_deleted", admin.0, serde_json::json!({})).await?;
    tx.commit().await?;
    schedule::set_due(control_db, Work::Mailbox, tenant, None).await?;
    Ok(())
}
