//! `POST /v1/auth/mfa/verify`: the second step of a login with 2FA.

use axum::extract::State;
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use utoipa::ToSchema;

use super::{IssuedTokens, TokenResponse, open_session};
use crate::identity::audit::{self, Action};
use crate::identity::guard::{self, second_factor_account};
use crate::identity::second_factor::{self, Proof};
use crate::identity::sessions::Origin;
use crate::identity::users;
use crate::routes::LockedOut;
use crate::state::AppState;

/// The challenge token and exactly one of `code` (from the authenticator app) or
/// `recovery_code`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaVerifyRequest {
    pub mfa_token: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

/// Complete a login with a TOTP code or a recovery code.
#[utoipa::path(post, path = "/v1/auth/mfa/verify", tag = "auth", request_body = MfaVerifyRequest,
    responses(
        (status = 200, description = "Tokens, with `amr` pwd+otp", body = TokenResponse),
        (status = 401, description = "`unauthorized`: unknown, used or expired mfa_token, or a wrong or replayed code"),
        (status = 422, description = "`validation_failed`: not exactly one of code and recovery_code"),
        LockedOut,
    ))]
pub async fn post_mfa_verify(
    State(state): State<AppState>,
    origin: Origin,
    JsonBody(request): JsonBody<MfaVerifyRequest>,
) -> ApiResult<IssuedTokens> {
    let proof = Proof::parse(request.code, request.recovery_code)?;
    let mut tx = state.db.begin().await?;
    let invalid_token = || ApiError::unauthorized("the mfa_token is invalid or expired");
    let (user_id, tenant_id) =
        second_factor::find_challenge(&mut tx, &request.mfa_token).await?.ok_or_else(invalid_token)?;
    let subjects = guard::subjects(second_factor_account(user_id), origin.ip);
    state.guard.attempt(&subjects).await?;

    let proven = second_factor::prove(&mut tx, &state.config.keys, user_id, &proof).await?;
    if !proven {
        tx.rollback().await?;
        let mut conn = state.db.acquire().await?;
        audit::record(&mut conn, Action::MfaFailed, Some(user_id), tenant_id, &origin, serde_json::json!({})).await?;
        return Err(ApiError::unauthorized("the code is not valid"));
    }
    if !second_factor::spend_challenge(&mut tx, &request.mfa_token).await? {
        return Err(invalid_token());
    }
    if matches!(proof, Proof::Recovery(_)) {
        audit::record(&mut tx, Action::RecoveryCodeUsed, Some(user_id), tenant_id, &origin, serde_json::json!({}))
            .await?;
    }
    let candidate = users::candidate_by_id(&mut tx, user_id, tenant_id).await?.ok_or_else(invalid_token)?;
    let role = candidate.grantable_role(tenant_id.is_some())?;
    let (tokens, _) =
        open_session(&state, &mut tx, &candidate, role, vec!["pwd".into(), "otp".into()], &origin).await?;
    tx.commit().await?;
    state.guard.proven(&subjects).await;
    Ok(tokens.issued(&state))
}

impl Proof {
    /// Exactly one of a current code and a recovery code, each of a bounded length (422 otherwise).
    pub(super) fn parse(code: Option<String>, recovery_code: Option<String>) -> ApiResult<Self> {
        match (code, recovery_code) {
            (Some(code), None) if code.len() <= 16 => Ok(Self::Code(code)),
            (None, Some(code)) if code.len() <= 64 => Ok(Self::Recovery(code)),
            _ => Err(ApiError::invalid(vec![FieldError::new("code", "give exactly one of code and recovery_code")])),
        }
    }
}
