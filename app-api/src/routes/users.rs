//! `PATCH /v1/users/{id}`: admins set a customer's VIP flag. The priority rules read it on the
//! customer's next ticket; the change is written to the tenant's audit log.
//!
//! `DELETE /v1/users/{id}`: admins erase a customer (GDPR article 17; the person's own request
//! goes through them): the tenant's data first (`crate::sav::erasure`, one transaction), then the
//! control plane removes the membership, ends the sessions and erases the identity when no
//! membership remains. Each half is idempotent: when the control plane cannot be reached, the
//! answer says so (503) and the same request, retried, finishes the work and answers as the
//! first would have.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use serde::Deserialize;
use shared::error::{ApiError, ApiResult};
use shared::http::JsonBody;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::{Access, Admins};
use crate::attachments::Attachments;
use crate::infra::control_plane::ControlApi;
use crate::sav::erasure::{self, Erased};
use crate::sav::users::{self, Me};

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
        Access<Admins>,
        (status = 404, description = "`not_found`: no active member of this tenant has this id"),
        (status = 422, description = "`validation_failed`: the member is staff, not a customer"),
    ))]
pub async fn patch_user(
    access: Access<Admins>,
    Path(id): Path<Uuid>,
    JsonBody(patch): JsonBody<UserPatch>,
) -> ApiResult<Json<Me>> {
    let (admin, mut db) = access.connect().await?;
    Ok(Json(users::set_customer_vip(&mut db, admin.id, id, patch.vip).await?))
}

/// What an erasure did.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct Erasure {
    pub user_id: Uuid,
    /// The name the person's tickets carry from now on.
    pub pseudonym: String,
    /// What the first erasure changed in the tenant database.
    pub erased: Erased,
    /// The membership is gone from the control plane (sessions ended; the identity erased when
    /// it had no other membership).
    pub membership_removed: bool,
}

/// Erase a customer (owners and admins).
#[utoipa::path(delete, path = "/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Erased (the same answer for a repeated request)", body = Erasure),
        Access<Admins>,
        (status = 404, description = "`not_found`: no member of this tenant has this id"),
        (status = 422, description = "`validation_failed`: the member is staff (removed through the members screen)"),
        (status = 503, description = "`dependency_unavailable`: the control plane is not configured (nothing is erased), or the tenant's data is erased and the control plane could not be reached; retry"),
    ))]
pub async fn erase_user(
    State(files): State<Arc<Attachments>>,
    State(control): State<Option<Arc<ControlApi>>>,
    access: Access<Admins>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Erasure>> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::unauthorized("a bearer token is required"))?;
    // Checked before anything is erased: an erasure is whole, the tenant's data and the
    // membership, or nothing.
    let control = control.ok_or_else(|| {
        ApiError::unavailable(
            "erasure needs the control plane (CONTROL_API_URL), which this server lacks; nothing was erased",
        )
    })?;
    let (admin, mut db) = access.connect().await?;
    let tenant = access.tenant();
    let (pseudonym, erased) = erasure::erase_customer(&mut db, admin.id, tenant.id, id).await?;
    drop(db);
    // Their files' objects: now, or by the orphan cleanup if the store is away.
    if let Err(err) = files.delete_released(access.db().pools(), &tenant).await {
        tracing::warn!(error = %err, "the erased person's files stay queued for deletion from the store");
    }
    control.erase_member(token, &tenant.slug, id).await?;
    Ok(Json(Erasure { user_id: id, pseudonym, erased, membership_removed: true }))
}
