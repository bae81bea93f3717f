//! `/v1/channels/email`: the tenant's mailbox, fetched over IMAP (owners and admins). The
//! password is sealed at rest and never returned; saving checks nothing against the server (a
//! fetch is scheduled at once and its error, if any, shows in `last_error`).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use utoipa::ToSchema;

use crate::access::{Access, Admins};
use crate::config::AppConfig;
use crate::mailin::channel::{self, no_mailbox};
use crate::mailin::store::{self, Channel, ChannelSettings};
use crate::tenancy::Tenancy;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutEmailChannel {
    /// `imaps://host[:port]` (993), or `imap://host[:port]` for a server on this network.
    pub imap_url: String,
    pub username: String,
    /// Write-only: required each time the settings are saved.
    pub password: String,
    /// `INBOX` by default.
    pub folder: Option<String>,
    /// The receiving server whose `Authentication-Results` is believed for this mailbox's mail.
    pub authserv_id: Option<String>,
    /// Mail from an unknown address opens a ticket for a new customer account (default), or is
    /// quarantined (`false`).
    pub create_customers: Option<bool>,
}

/// The mailbox and how its fetching goes.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailChannel {
    pub imap_url: String,
    pub username: String,
    pub folder: String,
    pub authserv_id: Option<String>,
    pub create_customers: bool,
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub uid_validity: Option<i64>,
    pub last_uid: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Channel> for EmailChannel {
    fn from(c: Channel) -> Self {
        Self {
            imap_url: c.imap_url,
            username: c.username,
            folder: c.folder,
            authserv_id: c.authserv_id,
            create_customers: c.create_customers,
            last_fetch_at: c.last_fetch_at,
            last_error: c.last_error,
            uid_validity: c.uid_validity,
            last_uid: c.last_uid,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// The mailbox (owners and admins).
#[utoipa::path(get, path = "/v1/channels/email", tag = "email", security(("bearer" = [])),
    responses(
        (status = 200, description = "The mailbox", body = EmailChannel),
        Access<Admins>,
        (status = 404, description = "`not_found`: no mailbox"),
    ))]
pub async fn get_email_channel(access: Access<Admins>) -> ApiResult<Json<EmailChannel>> {
    let (_, mut db) = access.connect().await?;
    let channel = store::channel(&mut *db.begin().await?).await?.ok_or_else(no_mailbox)?;
    Ok(Json(channel.into()))
}

/// Set the mailbox (owners and admins); the mail already waiting in it is imported.
#[utoipa::path(put, path = "/v1/channels/email", tag = "email", security(("bearer" = [])), request_body = PutEmailChannel,
    responses(
        (status = 200, description = "Saved; a fetch is due now", body = EmailChannel),
        Access<Admins>,
    ))]
pub async fn put_email_channel(
    State(config): State<Arc<AppConfig>>,
    State(tenancy): State<Arc<Tenancy>>,
    access: Access<Admins>,
    JsonBody(body): JsonBody<PutEmailChannel>,
) -> ApiResult<Json<EmailChannel>> {
    let mut errors = Vec::new();
    let imap_url = body.imap_url.trim().to_owned();
    if imap_url.len() > 2000 {
        errors.push(FieldError::new("imap_url", "must be at most 2000 characters"));
    } else if let Err(problem) = crate::mailin::imap_server(&imap_url) {
        errors.push(FieldError::new("imap_url", problem));
    }
    let username = body.username.trim().to_owned();
    if username.is_empty() || username.chars().count() > 320 {
        errors.push(FieldError::new("username", "must be 1 to 320 characters"));
    }
    if body.password.is_empty() || body.password.len() > 1000 {
        errors.push(FieldError::new("password", "must be 1 to 1000 bytes"));
    }
    let folder = body.folder.as_deref().map_or("INBOX", str::trim).to_owned();
    if folder.is_empty() || folder.chars().count() > 255 || folder.chars().any(char::is_control) {
        errors.push(FieldError::new("folder", "must be 1 to 255 characters, without control characters"));
    }
    let authserv_id = body.authserv_id.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned);
    if authserv_id.as_ref().is_some_and(|a| a.len() > 255 || a.contains(char::is_whitespace) || a.contains(';')) {
        errors.push(FieldError::new("authserv_id", "must be a server name (no spaces or `;`), at most 255 characters"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let tenant = access.tenant();
    let sealed = shared::crypto::seal(&config.keys.mailbox_passwords, body.password.as_bytes(), tenant.id.as_bytes());
    let (admin, mut db) = access.connect().await?;
    let settings = ChannelSettings {
        imap_url: &imap_url,
        username: &username,
        password_sealed: &sealed,
        folder: &folder,
        authserv_id: authserv_id.as_deref(),
        create_customers: body.create_customers.unwrap_or(true),
    };
    let channel = channel::save(&mut db, &tenancy.control_db, tenant.id, admin.id, &settings).await?;
    Ok(Json(channel.into()))
}

/// Remove the mailbox (owners and admins): nothing more is fetched; mail already taken stays.
#[utoipa::path(delete, path = "/v1/channels/email", tag = "email", security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        Access<Admins>,
        (status = 404, description = "`not_found`: no mailbox"),
    ))]
pub async fn delete_email_channel(
    State(tenancy): State<Arc<Tenancy>>,
    access: Access<Admins>,
) -> ApiResult<StatusCode> {
    let (admin, mut db) = access.connect().await?;
    channel::remove(&mut db, &tenancy.control_db, access.tenant().id, admin.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
