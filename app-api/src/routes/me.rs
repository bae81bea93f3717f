//! `GET /v1/me`: the caller as this tenant knows them. The first endpoint that walks the
//! whole path: resolve the tenant, verify the token, take a connection from the tenant's pool,
//! query the tenant's own database.

use axum::Json;
use serde::Serialize;
use shared::error::{ApiError, ApiResult};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::context::{TenantContext, TenantDb};

#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    /// `owner`, `admin`, `agent` or `customer`.
    pub role: String,
    pub vip: bool,
}

/// The caller's row in this tenant.
#[utoipa::path(get, path = "/v1/me", tag = "me", security(("bearer" = [])),
    params(("X-Tenant-Slug" = Option<String>, Header, description = "The tenant, when the Host is not its subdomain")),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 400, description = "`validation_failed`: no tenant named, or a malformed slug"),
        (status = 401, description = "`unauthorized` or `token_expired`"),
        (status = 403, description = "`tenant_mismatch`, `tenant_suspended` or `mfa_required`"),
        (status = 404, description = "`tenant_not_found`, or `not_found` when the caller has left the tenant"),
        (status = 429, description = "`rate_limited`"),
        (status = 503, description = "`tenant_provisioning` or `dependency_unavailable`"),
    ))]
pub async fn get_me(context: TenantContext, tenant_db: TenantDb) -> ApiResult<Json<Me>> {
    let mut db = tenant_db.connect().await?;
    let me: Option<Me> =
        sqlx::query_as("SELECT id, email, firstname, lastname, role, vip FROM users WHERE id = $1 AND active")
            .bind(context.user_id)
            .fetch_optional(&mut *db)
            .await?;
    me.map(Json).ok_or_else(|| ApiError::not_found("you are not a member of this tenant (any more)"))
}
