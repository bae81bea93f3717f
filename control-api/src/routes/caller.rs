//! `Caller`: the bearer token of a control-plane request, verified, and its session still open.
//! A token of a session that was logged out, revoked or has ended stops working here at once,
//! not when it expires.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use shared::auth::{Authenticated, Claims};
use shared::error::ApiError;

use crate::identity::sessions;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct Caller(pub Claims);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Authenticated(claims) =
            <Authenticated as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        let mut conn = state.db.acquire().await?;
        if !sessions::is_live(&mut conn, claims.sid, claims.sub).await? {
            return Err(ApiError::unauthorized("this session has ended; sign in again"));
        }
        Ok(Self(claims))
    }
}

/// `Option<Caller>`: `None` without an `Authorization` header; a bad or ended token is still
/// refused.
impl OptionalFromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        if parts.headers.contains_key(axum::http::header::AUTHORIZATION) {
            <Self as FromRequestParts<AppState>>::from_request_parts(parts, state).await.map(Some)
        } else {
            Ok(None)
        }
    }
}
