//! `GET /v1/auth/me`: the caller, their memberships, and whether 2FA is on.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use shared::auth::Role;
use shared::error::{ApiError, ApiResult};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::identity::memberships::{self, Membership};
use crate::identity::users::{self, UserProfile};
use crate::routes::Caller;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: UserProfile,
    /// The role of the current token.
    pub role: Role,
    pub tenant_id: Option<Uuid>,
    pub memberships: Vec<Membership>,
    pub mfa_enabled: bool,
    pub platform_admin: bool,
}

/// The caller's identity.
#[utoipa::path(get, path = "/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
    ))]
pub async fn get_me(State(state): State<AppState>, Caller(claims): Caller) -> ApiResult<Json<Me>> {
    let mut conn = state.db.acquire().await?;
    let user = users::profile(&mut conn, claims.sub)
        .await?
        .ok_or_else(|| ApiError::unauthorized("this account no longer exists or is disabled"))?;
    let memberships = memberships::of_user(&mut conn, claims.sub).await?;
    let flags = users::account_flags(&mut conn, claims.sub).await?;
    Ok(Json(Me {
        user,
        role: claims.role,
        tenant_id: claims.tid,
        memberships,
        mfa_enabled: flags.mfa_enabled,
        platform_admin: flags.platform_admin,
    }))
}
