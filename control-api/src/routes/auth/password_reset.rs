//! `POST /v1/auth/password/forgot` and `POST /v1/auth/password/reset`: a member who lost their
//! password asks for a link (mailed, single use, 30 minutes), then sets a new password with it;
//! every session of the account ends.
//!
//! The request answers the same, byte for byte and in the same time, whether or not the email
//! belongs to a member of that organisation: the answer is given before the lookup, which runs
//! after it (a lost request costs the person a second try, nothing else). What it may cost is
//! bounded per client address and per email.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::crypto::token_digest;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use utoipa::ToSchema;

use crate::identity::account_tokens::{self, Purpose};
use crate::identity::audit::{self, Action};
use crate::identity::lockout::Subject;
use crate::identity::mail::Recipient;
use crate::identity::mail::compose::Language;
use crate::identity::password::Busy;
use crate::identity::sessions::{self, Origin, Scope};
use crate::identity::{password, users};
use crate::routes::within_limit;
use crate::state::AppState;
use crate::tenancy::jobs;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotRequest {
    /// The organisation's slug: the link points at its address.
    pub tenant: String,
    pub email: String,
    /// The language of the mail: `en` (default) or `fr`.
    #[serde(default)]
    pub language: Language,
}

/// The one answer to every reset request that passed its checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetRequested {
    #[schema(example = "if this email belongs to a member of this organisation, a reset link is on its way")]
    pub detail: &'static str,
}

const REQUESTED: &str = "if this email belongs to a member of this organisation, a reset link is on its way";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The token of the mailed link.
    pub token: String,
    /// 12 to 128 characters, not the email address.
    pub new_password: String,
}

/// The answer to a reset or verification token that is not (or no longer) good.
pub fn invalid_token() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_token",
        "this link is not valid: it was used, has expired, or is wrong",
    )
}

impl ForgotRequest {
    /// The email and slug in normal form, within bounds on what an anonymous caller can make
    /// the server look up (422 with each oversized field).
    fn checked(self) -> ApiResult<(String, String, Language)> {
        let mut errors = Vec::new();
        if self.email.len() > 254 {
            errors.push(FieldError::new("email", "must be at most 254 characters"));
        }
        if self.tenant.len() > 63 {
            errors.push(FieldError::new("tenant", "must be at most 63 characters"));
        }
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        Ok((self.email.trim().to_lowercase(), self.tenant.trim().to_lowercase(), self.language))
    }
}

/// Counts a request against the client address, then the email (the same for every email,
/// known or not).
async fn check_budget(state: &AppState, ip: Option<std::net::IpAddr>, email: &str) -> ApiResult<()> {
    let limits = &state.resets;
    let too_many = "too many password reset requests; retry later";
    if let (Some(limit), Some(ip)) = (&limits.per_ip, ip) {
        within_limit(&limits.limiter, limit, format!("ip:{ip}"), too_many).await?;
    }
    if let Some(limit) = &limits.per_email {
        // A digest: the limiter's keys name nobody.
        let key = format!("email:{}", hex::encode(token_digest(email)));
        within_limit(&limits.limiter, limit, key, too_many).await?;
    }
    Ok(())
}

/// Ask for a password reset link.
#[utoipa::path(post, path = "/v1/auth/password/forgot", tag = "auth", request_body = ForgotRequest,
    responses(
        (status = 202, description = "The same answer whether or not the email belongs to a member of the organisation; a member is mailed a single-use link valid 30 minutes", body = ResetRequested),
        (status = 422, description = "`validation_failed`: oversized fields"),
        (status = 429, description = "`rate_limited`: too many requests from this address (20 an hour by default) or for this email (5 an hour); see Retry-After"),
    ))]
pub async fn post_forgot(
    State(state): State<AppState>,
    origin: Origin,
    JsonBody(request): JsonBody<ForgotRequest>,
) -> ApiResult<(StatusCode, Json<ResetRequested>)> {
    let (email, slug, language) = request.checked()?;
    check_budget(&state, origin.ip, &email).await?;
    let work = state.clone();
    tokio::spawn(async move {
        if let Err(err) = mail_reset_link(&work, &email, &slug, language, &origin).await {
            tracing::error!(error = %err, "could not write a password reset mail");
        }
    });
    Ok((StatusCode::ACCEPTED, Json(ResetRequested { detail: REQUESTED })))
}

/// Mails a reset link if the email belongs to a member of the tenant.
async fn mail_reset_link(
    state: &AppState,
    email: &str,
    slug: &str,
    language: Language,
    origin: &Origin,
) -> sqlx::Result<()> {
    let mut tx = state.db.begin().await?;
    let Some(target) = users::reset_target(&mut tx, email, slug).await? else { return Ok(()) };
    let recipient = Recipient { user: &target.user, tenant: &target.tenant, language };
    let mail_id = state.mail.password_reset(&mut tx, &recipient).await?;
    let details = serde_json::json!({ "mail_id": mail_id });
    let (user_id, tenant_id) = (Some(target.user.id), Some(target.tenant.id));
    audit::record(&mut tx, Action::PasswordResetRequested, user_id, tenant_id, origin, details).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

/// Set a new password with the token of a reset link.
#[utoipa::path(post, path = "/v1/auth/password/reset", tag = "auth", request_body = ResetRequest,
    responses(
        (status = 204, description = "Changed; every session of the account ended, and every other reset link of it"),
        (status = 400, description = "`invalid_token`: the link was used, has expired, or is wrong"),
        (status = 422, description = "`validation_failed`: the new password breaks the policy"),
        Busy,
    ))]
pub async fn post_reset(
    State(state): State<AppState>,
    origin: Origin,
    JsonBody(request): JsonBody<ResetRequest>,
) -> ApiResult<StatusCode> {
    let holder = {
        let mut conn = state.db.acquire().await?;
        account_tokens::find(&mut conn, Purpose::PasswordReset, &request.token).await?.ok_or_else(invalid_token)?
    };
    if let Err(problem) = password::check_policy(&request.new_password, &holder.email) {
        return Err(ApiError::invalid(vec![FieldError::new("new_password", problem)]));
    }
    // No connection is held while argon2 runs.
    let hash = state.guard.hash(request.new_password).await?;
    let mut tx = state.db.begin().await?;
    // Spent here, not when found: of two requests with one token, one wins.
    let holder =
        account_tokens::spend(&mut tx, Purpose::PasswordReset, &request.token).await?.ok_or_else(invalid_token)?;
    users::set_password(&mut tx, holder.user_id, &hash).await?;
    account_tokens::spend_all(&mut tx, Purpose::PasswordReset, holder.user_id).await?;
    // The link reached the mailbox: the address is shown to be the person's.
    if users::mark_email_verified(&mut tx, holder.user_id).await? {
        jobs::enqueue_identity(&mut tx, holder.user_id).await?;
    }
    let revoked = sessions::revoke_user(&mut tx, holder.user_id, Scope::All, "password_reset").await?;
    let details = serde_json::json!({ "sessions_ended": revoked.len() });
    audit::record(&mut tx, Action::PasswordReset, Some(holder.user_id), Some(holder.tenant_id), &origin, details)
        .await?;
    tx.commit().await?;
    state.notifier.sessions_revoked(&revoked).await;
    // Whoever was locked out of the account by failed attempts may sign in at once.
    state.guard.proven(&[Subject::Account(holder.email.trim().to_lowercase())]).await;
    Ok(StatusCode::NO_CONTENT)
}
