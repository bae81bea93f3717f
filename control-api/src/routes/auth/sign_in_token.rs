//! `POST /v1/auth/sign-in-token`: the token a sign-up answers with signs the new organisation's
//! owner in as a password login would, once the organisation is active, so that the web app
//! goes from "your organisation is ready" to its console without asking for the password again.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use shared::error::ApiResult;
use shared::http::JsonBody;
use utoipa::ToSchema;

use super::cookie::SetRefreshCookie;
use super::login::{LoginResponse, proven};
use super::password_reset::invalid_token;
use crate::identity::account_tokens::{self, Purpose};
use crate::identity::sessions::Origin;
use crate::identity::users::{self, Refusal};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInTokenRequest {
    /// The organisation's slug.
    pub tenant: String,
    /// The sign-up's `sign_in_token`.
    pub token: String,
}

/// Sign the owner a sign-up made in, with its token.
#[utoipa::path(post, path = "/v1/auth/sign-in-token", tag = "auth", request_body = SignInTokenRequest,
    responses(
        (status = 200, description = "Tokens (and the refresh cookie), or a 2FA challenge, as a password login answers", body = LoginResponse),
        (status = 400, description = "`invalid_token`: used, expired, forged or another organisation's; `validation_failed`: unreadable body"),
        (status = 503, description = "`tenant_provisioning`: the organisation is not active yet; retry (the token stays good)"),
    ))]
pub async fn post_sign_in_token(
    State(state): State<AppState>,
    origin: Origin,
    JsonBody(request): JsonBody<SignInTokenRequest>,
) -> ApiResult<(Option<SetRefreshCookie>, Json<LoginResponse>)> {
    let slug = request.tenant.trim().to_lowercase();
    let mut tx = state.db.begin().await?;
    let holder = account_tokens::find(&mut tx, Purpose::SignIn, &request.token).await?.ok_or_else(invalid_token)?;
    let candidate = users::candidate_by_id(&mut tx, holder.user_id, Some(holder.tenant_id))
        .await?
        .filter(|candidate| candidate.tenant_slug.as_deref() == Some(slug.as_str()))
        .ok_or_else(invalid_token)?;
    let role = match candidate.grantable_role(true) {
        Ok(role) => role,
        // Not spent: the web app asks again in a moment.
        Err(refusal @ Refusal::TenantProvisioning) => return Err(refusal.into()),
        Err(_) => return Err(invalid_token()),
    };
    // Spent in this transaction: of two requests with one token, one signs in.
    account_tokens::spend(&mut tx, Purpose::SignIn, &request.token).await?.ok_or_else(invalid_token)?;
    let response = proven(&state, &mut tx, &candidate, role, "signup", Some(holder.tenant_id), &origin).await?;
    tx.commit().await?;
    Ok((response.refresh_cookie(&state), Json(response)))
}
