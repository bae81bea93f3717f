//! `POST /v1/auth/email/verify`: the link mailed to a self-registered customer shows that the
//! address is theirs. Until then they sign in and use the portal, but the tenant plane mails
//! them no notification: the verified flag is mirrored into every tenant they belong to.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::error::ApiResult;
use shared::http::JsonBody;
use utoipa::ToSchema;

use super::password_reset::invalid_token;
use crate::identity::account_tokens::{self, Purpose};
use crate::identity::audit::{self, Action};
use crate::identity::sessions::Origin;
use crate::identity::users;
use crate::state::AppState;
use crate::tenancy::jobs;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    /// The token of the mailed link.
    pub token: String,
}

/// Verify an email address with the token of the mailed link.
#[utoipa::path(post, path = "/v1/auth/email/verify", tag = "auth", request_body = VerifyEmailRequest,
    responses(
        (status = 204, description = "Verified (or already verified): notification mail may reach the address"),
        (status = 400, description = "`invalid_token`: the link was used, has expired (after 7 days), or is wrong"),
    ))]
pub async fn post_verify_email(
    State(state): State<AppState>,
    origin: Origin,
    JsonBody(request): JsonBody<VerifyEmailRequest>,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let holder =
        account_tokens::spend(&mut tx, Purpose::EmailVerification, &request.token).await?.ok_or_else(invalid_token)?;
    if users::mark_email_verified(&mut tx, holder.user_id).await? {
        jobs::enqueue_identity(&mut tx, holder.user_id).await?;
        audit::record(
            &mut tx,
            Action::EmailVerified,
            Some(holder.user_id),
            Some(holder.tenant_id),
            &origin,
            serde_json::json!({}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
