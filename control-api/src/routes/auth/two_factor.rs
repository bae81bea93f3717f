//! `POST /v1/auth/2fa/setup`, `/enable`, `/disable`: managing the caller's TOTP second factor.
//! Each needs a step-up in the same request: setup and disable the current password (disable a
//! code as well), enable a code from the new secret, within `SETUP_VALID_FOR` of a setup that
//! was itself proven with the password.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use sqlx::{Postgres, Transaction};
use utoipa::ToSchema;

use super::{StepUp, step_up};
use crate::identity::audit::Action;
use crate::identity::guard::{self, second_factor_account};
use crate::identity::lockout::Subject;
use crate::identity::second_factor::{Proof, StoredSecret};
use crate::identity::{memberships, second_factor, totp, users};
use crate::routes::{Actor, LockedOut};
use crate::state::AppState;

/// How long a setup may be confirmed after it began.
const SETUP_VALID_FOR: Duration = Duration::from_secs(900);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    /// The current password.
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TwoFactorSetup {
    /// The secret in base32, for typing into an authenticator app.
    pub secret: String,
    pub otpauth_url: String,
    /// The otpauth URL as a QR code (SVG document).
    pub qr_svg: String,
}

/// Start (or restart) 2FA setup: a new secret, not active until confirmed with a code.
#[utoipa::path(post, path = "/v1/auth/2fa/setup", tag = "auth", request_body = SetupRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "The new secret", body = TwoFactorSetup),
        (status = 409, description = "`conflict`: 2FA is already enabled"),
        StepUp,
    ))]
pub async fn post_setup(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(request): JsonBody<SetupRequest>,
) -> ApiResult<Json<TwoFactorSetup>> {
    let user_id = actor.claims.sub;
    step_up(&state, user_id, "password", request.password, &actor.origin).await?;
    let mut tx = state.db.begin().await?;
    let key = &state.config.keys;
    if second_factor::stored_secret(&mut tx, key, user_id).await?.is_some_and(|s| s.enabled) {
        return Err(ApiError::conflict("2FA is already enabled; disable it first to change the secret"));
    }
    let email =
        users::email(&mut tx, user_id).await?.ok_or_else(|| ApiError::unauthorized("this account no longer exists"))?;
    let secret = totp::generate_secret();
    second_factor::begin_setup(&mut tx, key, user_id, &secret).await?;
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

/// A change to the caller's second factor that a code proves: the attempt counts against the
/// second-factor limits, the change is made in one transaction and audited, and the limits are
/// cleared once it is.
struct FactorChange<'a> {
    state: &'a AppState,
    actor: &'a Actor,
    subjects: Vec<Subject>,
    tx: Transaction<'static, Postgres>,
}

impl<'a> FactorChange<'a> {
    /// Counts the attempt and opens the transaction; with the caller's stored secret, if any.
    async fn begin(state: &'a AppState, actor: &'a Actor) -> ApiResult<(Self, Option<StoredSecret>)> {
        let subjects = guard::subjects(second_factor_account(actor.claims.sub), actor.origin.ip);
        state.guard.attempt(&subjects).await?;
        let mut tx = state.db.begin().await?;
        let stored = second_factor::stored_secret(&mut tx, &state.config.keys, actor.claims.sub).await?;
        Ok((Self { state, actor, subjects, tx }, stored))
    }

    /// Records `action`, commits, and clears the limits.
    async fn finish(mut self, action: Action) -> ApiResult<()> {
        self.actor.record(&mut self.tx, action, serde_json::json!({})).await?;
        self.tx.commit().await?;
        self.state.guard.proven(&self.subjects).await;
        Ok(())
    }
}

/// Confirm setup with a code: 2FA becomes active and ten recovery codes are issued.
#[utoipa::path(post, path = "/v1/auth/2fa/enable", tag = "auth", request_body = EnableRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "Enabled", body = RecoveryCodes),
        (status = 409, description = "`conflict`: no setup in progress (or it is older than 15 minutes), or already enabled"),
        (status = 422, description = "`validation_failed`: wrong code"),
        LockedOut,
    ))]
pub async fn post_enable(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(request): JsonBody<EnableRequest>,
) -> ApiResult<Json<RecoveryCodes>> {
    let (mut change, stored) = FactorChange::begin(&state, &actor).await?;
    let stored = stored
        .filter(|s| s.enabled || s.age() < SETUP_VALID_FOR)
        .ok_or_else(|| ApiError::conflict("start (again) with POST /v1/auth/2fa/setup"))?;
    if stored.enabled {
        return Err(ApiError::conflict("2FA is already enabled"));
    }
    let user_id = actor.claims.sub;
    if !second_factor::accept_code(&mut change.tx, user_id, &stored.secret, &request.code).await? {
        return Err(wrong_code());
    }
    let recovery_codes = second_factor::enable(&mut change.tx, &state.config.keys, user_id).await?;
    change.finish(Action::MfaEnabled).await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

/// The current password, and exactly one of a current code or a recovery code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableRequest {
    pub password: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

/// Turn 2FA off (the recovery codes go too). Refused while the caller is an owner or admin of an
/// organisation that requires 2FA for them.
#[utoipa::path(post, path = "/v1/auth/2fa/disable", tag = "auth", request_body = DisableRequest, security(("bearer" = [])),
    responses(
        (status = 204, description = "Disabled"),
        (status = 403, description = "`mfa_required`: an organisation of the caller requires 2FA for their role"),
        (status = 409, description = "`conflict`: 2FA is not enabled"),
        StepUp,
        // Wider than the step-up's: the code is checked too.
        (status = 422, description = "`validation_failed`: wrong password or code, or not exactly one of code and recovery_code"),
    ))]
pub async fn post_disable(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(request): JsonBody<DisableRequest>,
) -> ApiResult<StatusCode> {
    let proof = Proof::parse(request.code, request.recovery_code)?;
    let user_id = actor.claims.sub;
    let requiring = memberships::requiring_second_factor(&mut *state.db.acquire().await?, user_id).await?;
    if !requiring.is_empty() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "mfa_required",
            format!("these organisations require 2FA for your role: {}", requiring.join(", ")),
        ));
    }
    step_up(&state, user_id, "password", request.password, &actor.origin).await?;

    let (mut change, stored) = FactorChange::begin(&state, &actor).await?;
    let stored = stored.filter(|s| s.enabled).ok_or_else(|| ApiError::conflict("2FA is not enabled"))?;
    let tx = &mut change.tx;
    let proven = match proof {
        Proof::Code(code) => second_factor::accept_code(tx, user_id, &stored.secret, &code).await?,
        Proof::Recovery(code) => second_factor::use_recovery_code(tx, &state.config.keys, user_id, &code).await?,
    };
    if !proven {
        return Err(wrong_code());
    }
    second_factor::disable(tx, user_id).await?;
    change.finish(Action::MfaDisabled).await?;
    Ok(StatusCode::NO_CONTENT)
}
