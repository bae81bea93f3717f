//! `GET /v1/me`: the caller as this tenant knows them. The first endpoint that walks the
//! whole path: resolve the tenant, verify the token, take a connection from the tenant's pool,
//! query the tenant's own database.

use axum::Json;
use shared::error::{ApiError, ApiResult};

use crate::access::{Access, Own};
use crate::sav::users::{self, Me};

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
pub async fn get_me(access: Access<Own>) -> ApiResult<Json<Me>> {
    let mut db = access.own().await?;
    let me = users::active(&mut db, access.user_id()).await?;
    me.map(Json).ok_or_else(|| ApiError::not_found("you are not a member of this tenant (any more)"))
}
