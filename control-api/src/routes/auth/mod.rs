//! Login, second factor, refresh, logout, the caller's identity and its export, 2FA
//! management, the mailed links (password reset, email verification) and a sign-up's sign-in. What the handlers share: the token response, the request's origin, and
//! finishing a login.

pub mod cookie;
pub mod export;
pub mod login;
pub mod me;
pub mod mfa;
pub mod password;
pub mod password_reset;
pub mod refresh;
pub mod register;
pub mod sessions;
pub mod sign_in_token;
pub mod sso;
pub mod two_factor;
pub mod verify_email;

use std::collections::BTreeMap;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use serde::Serialize;
use shared::auth::Role;
use shared::error::{ApiError, ApiResult};
use shared::http::ClientIp;
use shared::http::openapi::problem_responses;
use sqlx::PgConnection;
use utoipa::openapi::{RefOr, Response};
use utoipa::{IntoResponses, ToSchema};
use uuid::Uuid;

use crate::identity::audit::{self, Action};
use crate::identity::guard;
use crate::identity::password::Busy;
use crate::identity::sessions::{NewSession, Origin};
use crate::identity::tokens::{AccessToken, Grant};
use crate::identity::users::{self, LoginCandidate, UserProfile};
use crate::routes::LockedOut;
use crate::state::AppState;
pub use crate::tenancy::tenants::TenantRef;

/// Tokens for a signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub user: UserProfile,
    /// The tenant the tokens are for; absent for platform operators.
    pub tenant: Option<TenantRef>,
    pub role: Role,
}

impl TokenResponse {
    pub fn new(
        access: AccessToken,
        refresh_token: String,
        user: UserProfile,
        tenant: Option<TenantRef>,
        role: Role,
    ) -> Self {
        Self {
            access_token: access.token,
            refresh_token,
            token_type: "Bearer",
            expires_in: access.expires_in,
            user,
            tenant,
            role,
        }
    }
}

/// Tokens for a browser as well: the same body, and the refresh token as an `HttpOnly` cookie.
pub type IssuedTokens = (cookie::SetRefreshCookie, axum::Json<TokenResponse>);

impl TokenResponse {
    pub fn issued(self, state: &AppState) -> IssuedTokens {
        let cookie = cookie::SetRefreshCookie::issue(&self.refresh_token, state.config.jwt.refresh_ttl);
        (cookie, axum::Json(self))
    }
}

impl LoginCandidate {
    fn tenant_ref(&self) -> Option<TenantRef> {
        Some(TenantRef { id: self.tenant_id?, slug: self.tenant_slug.clone()?, name: self.tenant_name.clone()? })
    }
}

const USER_AGENT_MAX: usize = 512;

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ClientIp>().map(|c| c.0);
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(USER_AGENT_MAX).collect());
        Ok(Origin { ip, user_agent })
    }
}

/// Step-up: the caller proves their password again before a sensitive change. The check
/// counts against the same account and IP limits as a login. A wrong password is a 422 on
/// `field` (not a 401, which clients take as a dead token).
async fn step_up(state: &AppState, user_id: Uuid, field: &str, given: String, origin: &Origin) -> ApiResult<()> {
    let wrong = || ApiError::invalid(vec![shared::error::FieldError::new(field, "is not your current password")]);
    if given.chars().count() > crate::identity::password::MAX_CHARS {
        return Err(wrong());
    }
    let credentials = {
        let mut conn = state.db.acquire().await?;
        users::credentials(&mut conn, user_id)
            .await?
            .ok_or_else(|| ApiError::unauthorized("this account no longer exists or is disabled"))?
    };
    let subjects = guard::subjects(credentials.email.trim().to_lowercase(), origin.ip);
    if state.guard.check_password(&subjects, given, Some(credentials.password_hash)).await? {
        state.guard.proven(&subjects).await;
        Ok(())
    } else {
        Err(wrong())
    }
}

/// `step_up`'s refusals, for the OpenAPI document: a wrong password, the account or the address
/// locked after failed attempts, the password queue full.
struct StepUp;

impl IntoResponses for StepUp {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut responses = problem_responses([("422", "`validation_failed`: wrong password")]);
        responses.extend(LockedOut::responses());
        responses.extend(Busy::responses());
        responses
    }
}

/// Opens a session for a proven user: their tokens, and the session's id.
async fn open_session(
    state: &AppState,
    conn: &mut PgConnection,
    candidate: &LoginCandidate,
    role: Role,
    amr: Vec<String>,
    origin: &Origin,
) -> Result<(TokenResponse, Uuid), ApiError> {
    let tenant = candidate.tenant_ref().filter(|_| role != Role::PlatformAdmin);
    let new = NewSession { user_id: candidate.user_id, tenant_id: tenant.as_ref().map(|t| t.id), amr: amr.clone() };
    let (session_id, refresh_token) =
        crate::identity::sessions::open(conn, &new, origin, state.config.jwt.lifetimes()).await?;
    let grant = Grant {
        user_id: candidate.user_id,
        tenant: tenant.as_ref().map(|t| (t.id, t.slug.clone())),
        role,
        session_id,
        amr: amr.clone(),
    };
    let access = state.tokens.mint(&grant);
    audit::record(
        conn,
        Action::LoginSucceeded,
        Some(candidate.user_id),
        new.tenant_id,
        origin,
        serde_json::json!({ "amr": amr, "session_id": session_id }),
    )
    .await?;
    Ok((TokenResponse::new(access, refresh_token, candidate.profile(), tenant, role), session_id))
}
