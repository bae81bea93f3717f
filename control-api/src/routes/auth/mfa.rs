//! `POST /v1/auth/mfa/verify`: the second step of a login with 2FA.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use utoipa::ToSchema;

use super::{TokenResponse, complete_login, locked_out, lockout_subjects, refused};
use crate::identity::audit::{self, Action};
use crate::identity::lockout::Subject;
use crate::identity::second_factor;
use crate::identity::sessions::Origin;
use crate::identity::users;
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

/// The lockout key of a user's second factor.
pub(super) fn mfa_account(user_id: uuid::Uuid) -> String {
    format!("mfa:{user_id}")
}

/// Complete a login with a TOTP code or a recovery code.
#[utoipa::path(post, path = "/v1/auth/mfa/verify", tag = "auth", request_body = MfaVerifyRequest,
    responses(
        (status = 200, description = "Tokens, with `amr` pwd+otp", body = TokenResponse),
        (status = 401, description = "`unauthorized`: unknown, used or expired mfa_token, or a wrong or replayed code", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: not exactly one of code and recovery_code", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = shared::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_mfa_verify(
    State(state): State<AppState>,
    origin: Origin,
    JsonBody(request): JsonBody<MfaVerifyRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let proof = match (&request.code, &request.recovery_code) {
        (Some(code), None) if code.len() <= 16 => Proof::Code(code.clone()),
        (None, Some(code)) if code.len() <= 64 => Proof::Recovery(code.clone()),
        _ => {
            return Err(ApiError::invalid(vec![FieldError::new("code", "give exactly one of code and recovery_code")]));
        }
    };
    let mut tx = state.db.begin().await?;
    let invalid_token = || ApiError::unauthorized("the mfa_token is invalid or expired");
    let (user_id, tenant_id) =
        second_factor::find_challenge(&mut tx, &request.mfa_token).await?.ok_or_else(invalid_token)?;
    let subjects = lockout_subjects(mfa_account(user_id), &origin);
    state.lockout.check(&subjects).await.map_err(locked_out)?;

    let key = &state.config.encryption_key;
    let proven = match &proof {
        Proof::Code(code) => match second_factor::stored_secret(&mut tx, key, user_id).await? {
            Some(stored) if stored.enabled => {
                second_factor::accept_code(&mut tx, user_id, &stored.secret, code).await?
            }
            _ => false,
        },
        Proof::Recovery(code) => second_factor::use_recovery_code(&mut tx, key, user_id, code).await?,
    };
    if !proven {
        tx.rollback().await?;
        state.lockout.record_failure(&subjects).await;
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
    let role = candidate.grantable_role(tenant_id.is_some()).map_err(refused)?;
    let tokens = complete_login(&state, &mut tx, &candidate, role, vec!["pwd".into(), "otp".into()], &origin).await?;
    tx.commit().await?;
    state.lockout.clear(&Subject::Account(mfa_account(user_id))).await;
    Ok(Json(tokens))
}

enum Proof {
    Code(String),
    Recovery(String),
}
