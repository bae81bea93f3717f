//! `POST /v1/auth/2fa/setup`, `/enable`, `/disable`: managing the caller's TOTP second factor.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::auth::Authenticated;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use utoipa::ToSchema;

use super::mfa::mfa_account;
use super::{locked_out, lockout_subjects};
use crate::identity::audit::{self, Action};
use crate::identity::lockout::Subject;
use crate::identity::sessions::Origin;
use crate::identity::{password, second_factor, totp};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct TwoFactorSetup {
    /// The secret in base32, for typing into an authenticator app.
    pub secret: String,
    pub otpauth_url: String,
    /// The otpauth URL as a QR code (SVG document).
    pub qr_svg: String,
}

/// Start (or restart) 2FA setup: a new secret, not active until confirmed with a code.
#[utoipa::path(post, path = "/v1/auth/2fa/setup", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The new secret", body = TwoFactorSetup),
        (status = 401, description = "`unauthorized`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: 2FA is already enabled", body = shared::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_setup(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
) -> ApiResult<Json<TwoFactorSetup>> {
    let mut tx = state.db.begin().await?;
    let key = &state.config.encryption_key;
    if second_factor::stored_secret(&mut tx, key, claims.sub).await?.is_some_and(|s| s.enabled) {
        return Err(ApiError::conflict("2FA is already enabled; disable it first to change the secret"));
    }
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(claims.sub)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ApiError::unauthorized("this account no longer exists"))?;
    let secret = totp::generate_secret();
    second_factor::begin_setup(&mut tx, key, claims.sub, &secret).await?;
    tx.commit().await?;
    let otpauth_url = totp::otpauth_url(&secret, &email);
    let qr_svg = totp::qr_svg(&otpauth_url);
    Ok(Json(TwoFactorSetup { secret: totp::secret_base32(&secret), otpauth_url, qr_svg }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnableRequest {
    /// The current code from the authenticator app.
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten single-use codes, shown this once.
    pub recovery_codes: Vec<String>,
}

fn wrong_code() -> ApiError {
    ApiError::invalid(vec![FieldError::new("code", "the code is not valid")])
}

/// Confirm setup with a code: 2FA becomes active and ten recovery codes are issued.
#[utoipa::path(post, path = "/v1/auth/2fa/enable", tag = "auth", request_body = EnableRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "Enabled", body = RecoveryCodes),
        (status = 409, description = "`conflict`: no setup in progress, or already enabled", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: wrong code", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = shared::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_enable(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    origin: Origin,
    JsonBody(request): JsonBody<EnableRequest>,
) -> ApiResult<Json<RecoveryCodes>> {
    let subjects = lockout_subjects(mfa_account(claims.sub), &origin);
    state.lockout.check(&subjects).await.map_err(locked_out)?;
    let key = &state.config.encryption_key;
    let mut tx = state.db.begin().await?;
    let stored = second_factor::stored_secret(&mut tx, key, claims.sub)
        .await?
        .ok_or_else(|| ApiError::conflict("start with POST /v1/auth/2fa/setup"))?;
    if stored.enabled {
        return Err(ApiError::conflict("2FA is already enabled"));
    }
    if !second_factor::accept_code(&mut tx, claims.sub, &stored.secret, &request.code).await? {
        drop(tx);
        state.lockout.record_failure(&subjects).await;
        return Err(wrong_code());
    }
    let recovery_codes = second_factor::enable(&mut tx, key, claims.sub).await?;
    audit::record(&mut tx, Action::MfaEnabled, Some(claims.sub), claims.tid, &origin, serde_json::json!({})).await?;
    tx.commit().await?;
    state.lockout.clear(&Subject::Account(mfa_account(claims.sub))).await;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

/// Exactly one of a current code or the account password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableRequest {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}

/// Turn 2FA off (the recovery codes go too).
#[utoipa::path(post, path = "/v1/auth/2fa/disable", tag = "auth", request_body = DisableRequest, security(("bearer" = [])),
    responses(
        (status = 204, description = "Disabled"),
        (status = 409, description = "`conflict`: 2FA is not enabled", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: wrong code or password, or not exactly one of them", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = shared::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_disable(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    origin: Origin,
    JsonBody(request): JsonBody<DisableRequest>,
) -> ApiResult<StatusCode> {
    let subjects = lockout_subjects(mfa_account(claims.sub), &origin);
    state.lockout.check(&subjects).await.map_err(locked_out)?;
    let key = &state.config.encryption_key;
    let mut tx = state.db.begin().await?;
    let stored = second_factor::stored_secret(&mut tx, key, claims.sub)
        .await?
        .filter(|s| s.enabled)
        .ok_or_else(|| ApiError::conflict("2FA is not enabled"))?;
    let proven = match (request.code, request.password) {
        (Some(code), None) => second_factor::accept_code(&mut tx, claims.sub, &stored.secret, &code).await?,
        (None, Some(given)) if given.chars().count() <= password::MAX_CHARS => {
            let hash: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(claims.sub)
                .fetch_optional(&mut *tx)
                .await?;
            password::verify(given, hash).await
        }
        (None, Some(_)) => false,
        _ => return Err(ApiError::invalid(vec![FieldError::new("code", "give exactly one of code and password")])),
    };
    if !proven {
        drop(tx);
        state.lockout.record_failure(&subjects).await;
        return Err(ApiError::invalid(vec![FieldError::new("", "the code or password is not valid")]));
    }
    second_factor::disable(&mut tx, claims.sub).await?;
    audit::record(&mut tx, Action::MfaDisabled, Some(claims.sub), claims.tid, &origin, serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
