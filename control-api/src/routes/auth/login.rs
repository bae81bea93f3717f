//! `POST /v1/auth/login`: email and password, for a tenant membership or (no tenant) for
//! platform operators. Users with 2FA get a challenge instead of tokens.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use utoipa::ToSchema;

use super::cookie::SetRefreshCookie;
use super::{TokenResponse, complete_login, refused};
use crate::identity::audit::{self, Action};
use crate::identity::sessions::Origin;
use crate::identity::users::{self, Refusal};
use crate::identity::{guard, password, second_factor};
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

/// Bounds on what an anonymous caller can make the server hash or look up.
fn check_shape(request: &LoginRequest) -> ApiResult<()> {
    let mut errors = Vec::new();
    if request.email.len() > 254 {
        errors.push(FieldError::new("email", "must be at most 254 characters"));
    }
    if request.password.chars().count() > password::MAX_CHARS {
        errors.push(FieldError::new("password", "must be at most 128 characters"));
    }
    if request.tenant.as_ref().is_some_and(|t| t.len() > 63) {
        errors.push(FieldError::new("tenant", "must be at most 63 characters"));
    }
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(errors)) }
}

/// Sign in.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Tokens, or a 2FA challenge", body = LoginResponse),
        (status = 401, description = "`unauthorized`: wrong email or password (the same answer for an unknown email)"),
        (status = 403, description = "`tenant_suspended`"),
        (status = 422, description = "`validation_failed`: oversized fields"),
        (status = 429, description = "`rate_limited`: too many failures; see Retry-After"),
        (status = 503, description = "`tenant_provisioning`, or `server_busy` (see Retry-After)"),
    ))]
pub async fn post_login(
    State(state): State<AppState>,
    origin: Origin,
    JsonBody(request): JsonBody<LoginRequest>,
) -> ApiResult<(Option<SetRefreshCookie>, Json<LoginResponse>)> {
    check_shape(&request)?;
    let account = request.email.trim().to_lowercase();
    let tenant = request.tenant.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_lowercase);
    // No connection is held while argon2 runs: a few slow logins must not starve the pool.
    let candidate = {
        let mut conn = state.db.acquire().await?;
        users::login_candidate(&mut conn, &account, tenant.as_deref()).await?
    };
    let subjects = guard::subjects(account, origin.ip);
    let stored = candidate.as_ref().map(|c| c.password_hash.clone());
    let proven = state.guard.check_password(&subjects, request.password, stored).await?;
    let grant = match &candidate {
        Some(c) if proven => c.grantable_role(tenant.is_some()),
        _ => Err(Refusal::NoAccess),
    };
    let role = match grant {
        Ok(role) => role,
        Err(refusal) => {
            let reason = if proven { "no_access" } else { "bad_credentials" };
            // Only a tenant the person belongs to hears of the failure: another tenant's log
            // must not learn that this identity exists.
            let (actor, tenant_id) = candidate
                .as_ref()
                .map_or((None, None), |c| (Some(c.user_id), c.tenant_id.filter(|_| c.role.is_some())));
            let mut conn = state.db.acquire().await?;
            let details = serde_json::json!({ "reason": reason });
            audit::record(&mut conn, Action::LoginFailed, actor, tenant_id, &origin, details).await?;
            return Err(refused(refusal));
        }
    };
    let candidate = candidate.expect("a granted role implies a candidate");
    state.guard.proven(&subjects).await;

    let mut tx = state.db.begin().await?;
    let response = if candidate.mfa_enabled {
        let tenant_id = candidate.tenant_ref().map(|t| t.id).filter(|_| tenant.is_some());
        let mfa_token = second_factor::open_challenge(&mut tx, candidate.user_id, tenant_id).await?;
        LoginResponse::MfaRequired(MfaChallenge {
            mfa_required: true,
            mfa_token,
            expires_in: second_factor::CHALLENGE_TTL.as_secs(),
        })
    } else {
        LoginResponse::Tokens(complete_login(&state, &mut tx, &candidate, role, vec!["pwd".into()], &origin).await?)
    };
    tx.commit().await?;
    let cookie = match &response {
        LoginResponse::Tokens(tokens) => {
            Some(SetRefreshCookie::issue(&tokens.refresh_token, state.config.jwt.refresh_ttl))
        }
        LoginResponse::MfaRequired(_) => None,
    };
    Ok((cookie, Json(response)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_fields_are_refused_before_any_work() {
        let request = LoginRequest { tenant: Some("x".repeat(64)), email: "a".repeat(300), password: "p".repeat(129) };
        let problem = check_shape(&request).unwrap_err().problem();
        let fields: Vec<_> = problem.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "password", "tenant"]);
    }
}
