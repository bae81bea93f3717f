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
        (status = 404, description = "`not_found`: the caller has left the tenant"),
    ))]
pub async fn get_me(access: Access<Own>) -> ApiResult<Json<Me>> {
    let mut db = access.own().await?;
    let me = users::active(&mut db, access.user_id()).await?;
    me.map(Json).ok_or_else(|| ApiError::not_found("you are not a member of this tenant (any more)"))
}
