//! `Caller`: the bearer token of a control-plane request, verified, and its session still open.
//! A token of a session that was logged out, revoked or has ended stops working here at once,
//! not when it expires. `Actor`: the caller and where the request came from, as the audit log
//! records a change the caller makes to their own account.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use serde_json::Value;
use shared::auth::{Authenticated, Claims};
use shared::error::ApiError;
use sqlx::PgConnection;

use crate::identity::audit::{self, Action};
use crate::identity::sessions::{self, Origin};
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

/// A signed-in caller acting on their own account, and where the request came from.
pub struct Actor {
    pub claims: Claims,
    pub origin: Origin,
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Caller(claims) = <Caller as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        let Ok(origin) = Origin::from_request_parts(parts, state).await;
        Ok(Self { claims, origin })
    }
}

impl Actor {
    /// Records `action`, taken by the caller in the tenant of their token, in the audit log.
    pub async fn record(&self, conn: &mut PgConnection, action: Action, details: Value) -> sqlx::Result<()> {
        audit::record(conn, action, Some(self.claims.sub), self.claims.tid, &self.origin, details).await
    }
}
