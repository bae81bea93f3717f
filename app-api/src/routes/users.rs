//! `PATCH /v1/users/{id}`: admins set a customer's VIP flag. The priority rules read it on the
//! customer's next ticket; the change is written to the tenant's audit log.

use axum::Json;
use axum::extract::Path;
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use sqlx::Connection as _;
use utoipa::ToSchema;
use uuid::Uuid;

use super::me::Me;
use crate::context::{TenantContext, TenantDb};
use crate::tickets::access::Viewer;

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
    let current: Option<(String, bool)> =
        sqlx::query_as("SELECT role, vip FROM users WHERE id = $1 AND active FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let (role, was_vip) = current.ok_or_else(|| ApiError::not_found("no member of this tenant has this id"))?;
    if role != "customer" {
        return Err(ApiError::invalid(vec![FieldError::new("vip", "applies to customers only")]));
    }
    let user: Me = sqlx::query_as(
        "UPDATE users SET vip = $2, updated_at = CASE WHEN vip = $2 THEN updated_at ELSE now() END WHERE id = $1
         RETURNING id, email, firstname, lastname, role, vip",
    )
    .bind(id)
    .bind(patch.vip)
    .fetch_one(&mut *tx)
    .await?;
    if was_vip != patch.vip {
        sqlx::query("INSERT INTO audit_log (actor_id, action, subject_id, details) VALUES ($1, 'vip_changed', $2, $3)")
            .bind(context.user_id)
            .bind(id)
            .bind(serde_json::json!({ "vip": [was_vip, patch.vip] }))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Json(user))
}
