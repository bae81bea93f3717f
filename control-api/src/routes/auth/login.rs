//! `POST /v1/auth/login`: email and password, for a tenant membership or (no tenant) for
//! platform operators. Users with 2FA get a challenge instead of tokens.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::auth::Role;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::cookie::SetRefreshCookie;
use super::{TokenResponse, open_session};
use crate::identity::login::{self, LoginAttempt, LoginError};
use crate::identity::sessions::Origin;
use crate::identity::sso::settings;
use crate::identity::users::LoginCandidate;
use crate::identity::{password, second_factor};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The tenant's slug; omitted by platform operators.
    #[serde(default)]
    pub tenant: Option<String>,
    pub email: String,
    pub password: String,
}

/// The first step of a login with 2FA.
#[derive(Debug, Serialize, ToSchema)]
pub struct MfaChallenge {
    /// Always `true`.
    pub mfa_required: bool,
    /// Single use, valid `expires_in` seconds: trade it with a code at `/v1/auth/mfa/verify`.
    pub mfa_token: String,
    pub expires_in: u64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginResponse {
    Tokens(TokenResponse),
    MfaRequired(MfaChallenge),
}

impl LoginRequest {
    /// The login in normal form, within bounds on what an anonymous caller can make the server
    /// hash or look up (422 with each oversized field).
    fn checked(self) -> ApiResult<LoginAttempt> {
        let mut errors = Vec::new();
        if self.email.len() > 254 {
            errors.push(FieldError::new("email", "must be at most 254 characters"));
        }
        if self.password.chars().count() > password::MAX_CHARS {
            errors.push(FieldError::new("password", "must be at most 128 characters"));
        }
        if self.tenant.as_ref().is_some_and(|t| t.len() > 63) {
            errors.push(FieldError::new("tenant", "must be at most 63 characters"));
        }
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        Ok(LoginAttempt {
            account: self.email.trim().to_lowercase(),
            tenant: self.tenant.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_lowercase),
            password: self.password,
        })
    }
}

/// Sign in.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Tokens, or a 2FA challenge", body = LoginResponse),
        (status = 403, description = "`sso_required`: the organisation's staff sign in with its single sign-on (an owner with 2FA still may with a password)"),
        (status = 422, description = "`validation_failed`: oversized fields"),
        LoginError,
    ))]
pub async fn post_login(
    State(state): State<AppState>,
    origin: Origin,
    JsonBody(request): JsonBody<LoginRequest>,
) -> ApiResult<(Option<SetRefreshCookie>, Json<LoginResponse>)> {
    let attempt = request.checked()?;
    let tenant_named = attempt.tenant.is_some();
    let (candidate, role) = login::authenticate(&state.db, &state.guard, attempt, &origin).await?;
    if let Some(tenant_id) = candidate.tenant_id.filter(|_| tenant_named)
        && password_barred(role, candidate.mfa_enabled)
        && settings::required_for_staff(&mut *state.db.acquire().await?, tenant_id).await?
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "sso_required",
            "this organisation's staff sign in with its single sign-on",
        ));
    }
    let tenant_id = candidate.tenant_ref().map(|t| t.id).filter(|_| tenant_named);
    let mut tx = state.db.begin().await?;
    let response = proven(&state, &mut tx, &candidate, role, "pwd", tenant_id, &origin).await?;
    tx.commit().await?;
    Ok((response.refresh_cookie(&state), Json(response)))
}

/// What a proven login answers, written in `conn`: a second-factor challenge (for `tenant_id`)
/// when `candidate` has 2FA, else tokens, the session's `amr` saying how it was proven.
pub(super) async fn proven(
    state: &AppState,
    conn: &mut PgConnection,
    candidate: &LoginCandidate,
    role: Role,
    amr: &str,
    tenant_id: Option<Uuid>,
    origin: &Origin,
) -> ApiResult<LoginResponse> {
    if candidate.mfa_enabled {
        let mfa_token = second_factor::open_challenge(conn, candidate.user_id, tenant_id).await?;
        return Ok(LoginResponse::MfaRequired(MfaChallenge {
            mfa_required: true,
            mfa_token,
            expires_in: second_factor::CHALLENGE_TTL.as_secs(),
        }));
    }
    let (tokens, _) = open_session(state, conn, candidate, role, vec![amr.to_owned()], origin).await?;
    Ok(LoginResponse::Tokens(tokens))
}

impl LoginResponse {
    /// The refresh token's cookie, with tokens (none with a challenge).
    pub(super) fn refresh_cookie(&self, state: &AppState) -> Option<SetRefreshCookie> {
        match self {
            Self::Tokens(tokens) => Some(SetRefreshCookie::issue(&tokens.refresh_token, state.config.jwt.refresh_ttl)),
            Self::MfaRequired(_) => None,
        }
    }
}

/// Whether a tenant that requires single sign-on for staff refuses this password login: staff
/// do, except an owner with 2FA (the way back when the provider breaks).
fn password_barred(role: Role, mfa_enabled: bool) -> bool {
    match role {
        Role::Admin | Role::Agent => true,
        Role::Owner => !mfa_enabled,
        Role::Customer | Role::PlatformAdmin | Role::Integration => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_fields_are_refused_before_any_work() {
        let request = LoginRequest { tenant: Some("x".repeat(64)), email: "a".repeat(300), password: "p".repeat(129) };
        let Err(err) = request.checked() else { panic!("oversized fields pass") };
        let problem = err.problem();
        let fields: Vec<_> = problem.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "password", "tenant"]);
    }
}
