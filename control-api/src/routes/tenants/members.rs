//! A tenant's members: list, change role, remove (and erase). Every change is mirrored into the
//! tenant database by a job queued in the same transaction.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use shared::auth::Role;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::openapi::problem_responses;
use shared::http::{JsonBody, Page, PageParams};
use sqlx::PgConnection;
use utoipa::openapi::{RefOr, Response};
use utoipa::{IntoParams, IntoResponses, ToSchema};
use uuid::Uuid;

use super::{Live, Managers, Standing, TenantAccess};
use crate::identity::audit::Action;
use crate::identity::erasure::{self, IdentityErasure};
use crate::identity::memberships::{self, MemberView};
use crate::identity::sessions;
use crate::state::AppState;
use crate::tenancy::jobs::{self, JobKind};

/// Members, in the order they joined.
#[utoipa::path(get, path = "/v1/tenants/{slug}/members", tag = "tenants", params(("slug" = String, Path), PageParams), security(("bearer" = [])),
    responses(
        TenantAccess<Managers>,
        (status = 200, description = "A page of members", body = Page<MemberView>),
    ))]
pub async fn list_members(
    State(state): State<AppState>,
    access: TenantAccess<Managers>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<MemberView>>> {
    let rows = async |after, limit| {
        memberships::page_of_tenant(&mut *state.db.acquire().await?, access.tenant.id, after, limit).await
    };
    Ok(Json(page.fetch(rows, |m| (m.joined_at, m.user_id)).await?))
}

/// A role a membership can hold (not the platform's).
fn membership_role(value: &str) -> Option<Role> {
    match Role::from_db(value)? {
        role @ (Role::Owner | Role::Admin | Role::Agent | Role::Customer) => Some(role),
        Role::PlatformAdmin | Role::Integration => None,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// `owner`, `admin`, `agent` or `customer`.
    pub role: String,
}

/// Only owners touch owners; a tenant keeps at least one owner.
async fn check_change(
    conn: &mut PgConnection,
    caller: Standing,
    tenant_id: Uuid,
    current: Role,
    new: Option<Role>,
) -> ApiResult<()> {
    let touches_owner = current == Role::Owner || new == Some(Role::Owner);
    let caller_may = match caller {
        Standing::Owner | Standing::PlatformAdmin => true,
        Standing::Admin | Standing::Member | Standing::Other => false,
    };
    if touches_owner && !caller_may {
        return Err(ApiError::forbidden("only owners can grant, change or remove the owner role"));
    }
    if current == Role::Owner && new != Some(Role::Owner) && memberships::count_owners(conn, tenant_id).await? <= 1 {
        return Err(ApiError::conflict("a tenant keeps at least one owner"));
    }
    Ok(())
}

/// `check_change`'s refusals, for the OpenAPI document: the 403 of an admin touching an owner
/// (beside those of `TenantAccess`), the 409 of the last owner.
struct RoleChangeRefused;

impl IntoResponses for RoleChangeRefused {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problem_responses([
            ("403", "`forbidden`; `tenant_mismatch`, `mfa_required`"),
            ("409", "`conflict`: the last owner"),
        ])
    }
}

async fn current_role(conn: &mut PgConnection, tenant_id: Uuid, user_id: Uuid) -> ApiResult<Role> {
    let stored =
        memberships::lock_role(conn, tenant_id, user_id).await?.ok_or_else(|| ApiError::not_found("no such member"))?;
    match stored {
        role @ (Role::Owner | Role::Admin | Role::Agent | Role::Customer) => Ok(role),
        Role::PlatformAdmin | Role::Integration => {
            Err(ApiError::internal(format!("membership with an unknown role {:?}", stored.as_str())))
        }
    }
}

/// The member a path names, beside the tenant's `{slug}`.
#[derive(Debug, Deserialize)]
pub struct MemberPath {
    user_id: Uuid,
}

/// Change a member's role.
#[utoipa::path(patch, path = "/v1/tenants/{slug}/members/{user_id}", tag = "tenants",
    params(("slug" = String, Path), ("user_id" = Uuid, Path)), request_body = RoleChange, security(("bearer" = [])),
    responses(
        TenantAccess<Live<Managers>>,
        (status = 200, description = "The member with the new role", body = MemberView),
        (status = 422, description = "`validation_failed`: unknown role"),
        RoleChangeRefused,
    ))]
pub async fn patch_member(
    State(state): State<AppState>,
    access: TenantAccess<Live<Managers>>,
    Path(MemberPath { user_id }): Path<MemberPath>,
    JsonBody(change): JsonBody<RoleChange>,
) -> ApiResult<Json<MemberView>> {
    let Some(role) = membership_role(&change.role) else {
        return Err(ApiError::invalid(vec![FieldError::new("role", "must be owner, admin, agent or customer")]));
    };
    let mut tx = state.db.begin().await?;
    let tenant = access.lock(&mut tx).await?;
    let current = current_role(&mut tx, tenant.id, user_id).await?;
    check_change(&mut tx, access.standing, tenant.id, current, Some(role)).await?;
    let member = memberships::set_role(&mut tx, tenant.id, user_id, role).await?;
    jobs::enqueue(&mut tx, tenant.id, JobKind::SyncMember(user_id)).await?;
    let details = serde_json::json!({ "user_id": user_id, "from": current, "to": role });
    access.record(&mut tx, Action::MemberRoleChanged, details).await?;
    tx.commit().await?;
    Ok(Json(member))
}

/// How a member is removed.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Removal {
    /// `true`: the tenant erases this person (GDPR article 17). When they belong to no other
    /// tenant (and do not operate the platform), their identity goes too: all their sessions
    /// end, the identity, its second factor and the invitations to its email are deleted, and the
    /// audit trail keeps its id instead of its email. Otherwise only this membership goes, as
    /// without `erase`. Default `false`.
    #[serde(default)]
    pub erase: bool,
}

/// Remove a member: their sessions for this tenant end, and the tenant database keeps them as
/// inactive (for the history of their tickets). With `erase=true`, also their identity once they
/// belong to no tenant.
#[utoipa::path(delete, path = "/v1/tenants/{slug}/members/{user_id}", tag = "tenants",
    params(("slug" = String, Path), ("user_id" = Uuid, Path), Removal), security(("bearer" = [])),
    responses(
        TenantAccess<Managers>,
        (status = 204, description = "Removed (and erased, with `erase=true`)"),
        (status = 400, description = "`validation_failed`: an unknown query parameter, or `erase` neither `true` nor `false`"),
        (status = 404, description = "`not_found`: no such member (already removed or erased)"),
        RoleChangeRefused,
    ))]
pub async fn delete_member(
    State(state): State<AppState>,
    access: TenantAccess<Managers>,
    Path(MemberPath { user_id }): Path<MemberPath>,
    Query(removal): Query<Removal>,
) -> ApiResult<StatusCode> {
    let tenant = &access.tenant;
    let mut tx = state.db.begin().await?;
    let current = current_role(&mut tx, tenant.id, user_id).await?;
    check_change(&mut tx, access.standing, tenant.id, current, None).await?;
    memberships::remove(&mut tx, tenant.id, user_id).await?;
    let mut revoked =
        sessions::revoke_user(&mut tx, user_id, sessions::Scope::Tenant(tenant.id), "membership_removed").await?;
    jobs::enqueue(&mut tx, tenant.id, JobKind::SyncMember(user_id)).await?;
    if removal.erase {
        let identity_erased = match erasure::erase_if_unattached(&mut tx, user_id).await? {
            IdentityErasure::Erased { revoked_sessions } => {
                revoked.extend(revoked_sessions);
                true
            }
            IdentityErasure::Kept => false,
        };
        // The id only: the email and name are what is being erased.
        let details = serde_json::json!({ "user_id": user_id, "role": current, "identity_erased": identity_erased });
        access.record(&mut tx, Action::MemberErased, details).await?;
    } else {
        let details = serde_json::json!({ "user_id": user_id, "role": current });
        access.record(&mut tx, Action::MemberRemoved, details).await?;
    }
    tx.commit().await?;
    state.notifier.sessions_revoked(&revoked).await;
    Ok(StatusCode::NO_CONTENT)
}
