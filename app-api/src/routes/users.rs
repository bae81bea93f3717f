//! `PATCH /v1/users/{id}`: admins set a customer's VIP flag. The priority rules read it on the
//! customer's next ticket; the change is written to the tenant's audit log.

use axum::Json;
use axum::extract::Path;
use serde::Deserialize;
use shared::auth::Role;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use sqlx::Connection as _;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::context::{TenantContext, TenantDb};
use crate::tickets::access::Viewer;
use crate::users::{self, Me};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// Whether the customer is a VIP (their tickets start one priority level up).
    pub vip: bool,
}

/// Set a customer's VIP flag (owners and admins).
#[utoipa::path(patch, path = "/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = UserPatch,
    responses(
        (status = 200, description = "The customer, as changed", body = Me),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        (status = 403, description = "`forbidden`: owners and admins only"),
        (status = 404, description = "`not_found`: no active member of this tenant has this id"),
        (status = 422, description = "`validation_failed`: the member is staff, not a customer"),
    ))]
pub async fn patch_user(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<Uuid>,
    JsonBody(patch): JsonBody<UserPatch>,
) -> ApiResult<Json<Me>> {
    let mut db = tenant_db.connect().await?;
    let mut tx = db.begin().await?;
    Viewer::load(&mut tx, context.user_id).await?.require_admin()?;
    let current = users::standing_for_update(&mut tx, id).await?;
    let current = current.ok_or_else(|| ApiError::not_found("no member of this tenant has this id"))?;
    if current.role != Role::Customer {
        return Err(ApiError::invalid(vec![FieldError::new("vip", "applies to customers only")]));
    }
    let user = users::set_vip(&mut tx, id, patch.vip).await?;
    if current.vip != patch.vip {
        users::audit_vip_change(&mut tx, context.user_id, id, current.vip, patch.vip).await?;
    }
    tx.commit().await?;
    Ok(Json(user))
}
