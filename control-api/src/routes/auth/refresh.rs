//! `POST /v1/auth/refresh` and `POST /v1/auth/logout`.

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::error::{ApiError, ApiResult};
use shared::http::JsonBody;
use utoipa::ToSchema;

use super::TokenResponse;
use super::cookie::{RefreshCookie, SetRefreshCookie};
use crate::identity::audit::{self, Action};
use crate::identity::sessions::{self, Origin, Rotation};
use crate::identity::tokens::Grant;
use crate::identity::users;
use crate::routes::Caller;
use crate::state::AppState;

/// The refresh token, in the body or (browsers) in the `helpdeskly_refresh` cookie: send `{}`
/// to use the cookie.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// The refresh token a request gives: the body's (`RefreshRequest`), else the cookie's; none
/// when it is longer than a token of ours can be.
pub struct GivenRefresh(Option<String>);

impl<S: Send + Sync> FromRequest<S> for GivenRefresh {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let Ok(RefreshCookie(cookie)) = RefreshCookie::from_request_parts(&mut parts, state).await;
        let JsonBody(given) = JsonBody::<RefreshRequest>::from_request(Request::from_parts(parts, body), state).await?;
        Ok(Self(given.refresh_token.or(cookie).filter(|t| t.len() <= 128)))
    }
}

fn invalid_refresh() -> ApiError {
    ApiError::unauthorized("the refresh token is invalid, expired or revoked")
}

/// Trade a refresh token for a new pair. The old token stops working; presenting it again
/// revokes the whole session. The new refresh token is also set as the cookie; a refused one
/// clears it.
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new access token and refresh token", body = TokenResponse),
        (status = 401, description = "`unauthorized`: no token, or an unknown, expired, revoked or reused one"),
    ))]
pub async fn post_refresh(
    State(state): State<AppState>,
    origin: Origin,
    GivenRefresh(token): GivenRefresh,
) -> Response {
    match refresh(&state, &origin, token).await {
        Ok(tokens) => tokens.issued(&state).into_response(),
        Err(error) if error.status() == StatusCode::UNAUTHORIZED => (SetRefreshCookie::clear(), error).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn refresh(state: &AppState, origin: &Origin, token: Option<String>) -> ApiResult<TokenResponse> {
    let token = token.ok_or_else(invalid_refresh)?;
    let mut tx = state.db.begin().await?;
    let (session, refresh_token) = match sessions::rotate(&mut tx, &token, state.config.jwt.lifetimes()).await? {
        Rotation::Invalid => return Err(invalid_refresh()),
        Rotation::Reused(session) => {
            let details = serde_json::json!({ "session_id": session.session_id });
            audit::record(
                &mut tx,
                Action::RefreshReuseDetected,
                Some(session.user_id),
                session.tenant_id,
                origin,
                details,
            )
            .await?;
            tx.commit().await?;
            state.notifier.sessions_revoked(&[session.session_id]).await;
            tracing::warn!(session_id = %session.session_id, "refresh token reuse: session revoked");
            return Err(ApiError::unauthorized("this refresh token was already used; the session is revoked"));
        }
        Rotation::Rotated { session, refresh_token } => (session, refresh_token),
    };
    // The membership may have changed since the login: read it again.
    let candidate = users::candidate_by_id(&mut tx, session.user_id, session.tenant_id).await?;
    let granted = candidate.as_ref().map(|c| (c, c.grantable_role(session.tenant_id.is_some())));
    let Some((candidate, Ok(role))) = granted else {
        sessions::revoke(&mut tx, session.session_id, "access_withdrawn").await?;
        tx.commit().await?;
        state.notifier.sessions_revoked(&[session.session_id]).await;
        return Err(invalid_refresh());
    };
    let tenant = candidate.tenant_ref().filter(|_| session.tenant_id.is_some());
    let access = state.tokens.mint(&Grant {
        user_id: session.user_id,
        tenant: tenant.as_ref().map(|t| (t.id, t.slug.clone())),
        role,
        session_id: session.session_id,
        amr: session.amr.clone(),
    });
    tx.commit().await?;
    Ok(TokenResponse::new(access, refresh_token, candidate.profile(), tenant, role))
}

/// End the session the refresh token (body or cookie) belongs to, and the access tokens of that
/// session, and clear the cookie. Idempotent.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", request_body = RefreshRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The session is closed"),
    ))]
pub async fn post_logout(
    State(state): State<AppState>,
    Caller(claims): Caller,
    origin: Origin,
    GivenRefresh(token): GivenRefresh,
) -> ApiResult<(SetRefreshCookie, StatusCode)> {
    let token = token.unwrap_or_default();
    let mut tx = state.db.begin().await?;
    let mut revoked = Vec::new();
    if let Some(session) = sessions::find_open(&mut tx, &token).await? {
        // Only the owner may close a session; anyone else learns nothing.
        if session.user_id == claims.sub {
            sessions::revoke(&mut tx, session.session_id, "logout").await?;
            let details = serde_json::json!({ "session_id": session.session_id });
            audit::record(&mut tx, Action::Logout, Some(claims.sub), session.tenant_id, &origin, details).await?;
            revoked.push(session.session_id);
        }
    }
    tx.commit().await?;
    state.notifier.sessions_revoked(&revoked).await;
    Ok((SetRefreshCookie::clear(), StatusCode::NO_CONTENT))
}
