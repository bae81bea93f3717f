//! `GET /v1/auth/me`: the caller, their memberships, and whether 2FA is on.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use shared::auth::Role;
use shared::error::{ApiError, ApiResult};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::identity::users::{self, UserProfile};
use crate::routes::Caller;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Membership {
    pub tenant_id: Uuid,
    pub slug: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub status: shared::tenant::TenantStatus,
    pub role: String,
}

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
        (status = 401, description = "`unauthorized` or `token_expired`"),
    ))]
pub async fn get_me(State(state): State<AppState>, Caller(claims): Caller) -> ApiResult<Json<Me>> {
    let mut conn = state.db.acquire().await?;
    let user = users::profile(&mut conn, claims.sub)
        .await?
        .ok_or_else(|| ApiError::unauthorized("this account no longer exists or is disabled"))?;
    let memberships: Vec<Membership> = sqlx::query_as(
        "SELECT t.id AS tenant_id, t.slug, t.name, t.status, m.role
         FROM memberships m JOIN tenants t ON t.id = m.tenant_id
         WHERE m.user_id = $1 AND t.status NOT IN ('deleting', 'deleted')
         ORDER BY t.slug",
    )
    .bind(claims.sub)
    .fetch_all(&mut *conn)
    .await?;
    let (mfa_enabled, platform_admin): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM user_mfa WHERE user_id = $1 AND enabled_at IS NOT NULL), is_platform_admin
         FROM users WHERE id = $1",
    )
    .bind(claims.sub)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Json(Me { user, role: claims.role, tenant_id: claims.tid, memberships, mfa_enabled, platform_admin }))
}
