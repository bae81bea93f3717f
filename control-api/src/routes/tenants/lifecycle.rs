//! Reading and changing a tenant: list, get, patch, suspend, activate, delete, audit log.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::{JsonBody, Page, PageParams};
use shared::tenant::TenantStatus;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{Standing, TenantView, find, gone, path_slug, require, standing};
use crate::identity::audit::{self, AuditEntry};
use crate::identity::people::name_errors;
use crate::identity::{sessions, users};
use crate::routes::Caller;
use crate::state::AppState;
use crate::tenancy::jobs::{self, JobKind};
use crate::tenancy::notify::TenantChange;
use crate::tenancy::tenants;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenantFilter {
    /// Only tenants in this status.
    pub status: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Every tenant (platform operators).
#[utoipa::path(get, path = "/v1/tenants", tag = "tenants", params(TenantFilter), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of tenants, oldest first", body = Page<TenantView>),
        (status = 403, description = "`forbidden`: platform operators only"),
        (status = 422, description = "`validation_failed`: unknown status, bad limit or cursor"),
    ))]
pub async fn list_tenants(
    State(state): State<AppState>,
    Caller(claims): Caller,
    Query(filter): Query<TenantFilter>,
) -> ApiResult<Json<Page<TenantView>>> {
    let mut conn = state.db.acquire().await?;
    let is_operator = users::is_platform_admin(&mut conn, claims.sub).await?.unwrap_or(false);
    if !(is_operator && claims.tid.is_none()) {
        return Err(ApiError::forbidden("platform operators only"));
    }
    let status = match filter.status.as_deref().map(|s| (s, TenantStatus::parse(s))) {
        None => None,
        Some((_, Some(status))) => Some(status),
        Some((_, None)) => {
            let all: Vec<&str> = TenantStatus::ALL.iter().map(|s| s.as_str()).collect();
            return Err(ApiError::invalid(vec![FieldError::new(
                "status",
                format!("must be one of {}", all.join(", ")),
            )]));
        }
    };
    let page = PageParams { limit: filter.limit, cursor: filter.cursor };
    let limit = page.limit()?;
    let after: Option<Uuid> = page.position()?;
    let rows = tenants::list(&mut conn, status, after, i64::from(limit) + 1).await?;
    Ok(Json(Page::from_rows(rows, limit, |t| t.id)))
}

/// A tenant (its owners and admins, platform operators).
#[utoipa::path(get, path = "/v1/tenants/{slug}", tag = "tenants", params(("slug" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "The tenant", body = TenantView),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn get_tenant(
    State(state): State<AppState>,
    Caller(claims): Caller,
    Path(slug): Path<String>,
) -> ApiResult<Json<TenantView>> {
    let mut conn = state.db.acquire().await?;
    let tenant = find(&mut conn, &path_slug(&slug)?).await?;
    require(
        standing(&mut conn, &claims, &tenant).await?,
        &[Standing::PlatformAdmin, Standing::Owner, Standing::Admin],
    )?;
    Ok(Json(tenant))
}

/// Settings a tenant may set. Unknown settings are refused.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantSettings {
    /// Owners and admins must have signed in with a second factor to use the app plane.
    pub require_2fa_for_admins: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantPatch {
    pub name: Option<String>,
    pub settings: Option<TenantSettings>,
}

/// Rename a tenant or change its settings.
#[utoipa::path(patch, path = "/v1/tenants/{slug}", tag = "tenants", params(("slug" = String, Path)), request_body = TenantPatch, security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated tenant", body = TenantView),
        (status = 404, description = "`not_found`"),
        (status = 410, description = "`tenant_deleted`"),
        (status = 422, description = "`validation_failed`"),
    ))]
pub async fn patch_tenant(
    State(state): State<AppState>,
    Caller(claims): Caller,
    Path(slug): Path<String>,
    JsonBody(patch): JsonBody<TenantPatch>,
) -> ApiResult<Json<TenantView>> {
    let mut errors = Vec::new();
    if let Some(name) = &patch.name {
        name_errors("name", name, 200, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let mut tx = state.db.begin().await?;
    let tenant = find(&mut tx, &path_slug(&slug)?).await?;
    require(standing(&mut tx, &claims, &tenant).await?, &[Standing::PlatformAdmin, Standing::Owner, Standing::Admin])?;
    if let Some(err) = gone(tenant.status) {
        return Err(err);
    }
    let settings = patch.settings.map(|s| serde_json::to_value(s).expect("serializable"));
    let updated = tenants::update(&mut tx, tenant.id, patch.name.as_deref().map(str::trim), settings).await?;
    tx.commit().await?;
    state.notifier.publish(&change_of(&updated)).await;
    Ok(Json(updated))
}

fn change_of(tenant: &TenantView) -> TenantChange {
    TenantChange { tenant_id: tenant.id, slug: tenant.slug.clone(), status: tenant.status }
}

async fn platform_transition(
    state: &AppState,
    claims: &shared::auth::Claims,
    slug: &str,
    from: TenantStatus,
    to: TenantStatus,
) -> ApiResult<TenantView> {
    let mut tx = state.db.begin().await?;
    let tenant = find(&mut tx, &path_slug(slug)?).await?;
    require(standing(&mut tx, claims, &tenant).await?, &[Standing::PlatformAdmin])?;
    let updated = tenants::transition(&mut tx, tenant.id, from, to)
        .await?
        .ok_or_else(|| ApiError::conflict(format!("the tenant is {}, not {from}", tenant.status)))?;
    tx.commit().await?;
    state.notifier.publish(&change_of(&updated)).await;
    tracing::info!(tenant = %updated.id, %from, %to, "tenant status changed");
    Ok(updated)
}

/// Suspend a tenant: its people can no longer sign in or use the app plane.
#[utoipa::path(post, path = "/v1/tenants/{slug}/suspend", tag = "tenants", params(("slug" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "Suspended", body = TenantView),
        (status = 403, description = "`forbidden`: platform operators only"),
        (status = 409, description = "`conflict`: not active"),
    ))]
pub async fn post_suspend(
    State(state): State<AppState>,
    Caller(claims): Caller,
    Path(slug): Path<String>,
) -> ApiResult<Json<TenantView>> {
    platform_transition(&state, &claims, &slug, TenantStatus::Active, TenantStatus::Suspended).await.map(Json)
}

/// Reactivate a suspended tenant.
#[utoipa::path(post, path = "/v1/tenants/{slug}/activate", tag = "tenants", params(("slug" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "Active again", body = TenantView),
        (status = 403, description = "`forbidden`: platform operators only"),
        (status = 409, description = "`conflict`: not suspended"),
    ))]
pub async fn post_activate(
    State(state): State<AppState>,
    Caller(claims): Caller,
    Path(slug): Path<String>,
) -> ApiResult<Json<TenantView>> {
    platform_transition(&state, &claims, &slug, TenantStatus::Suspended, TenantStatus::Active).await.map(Json)
}

/// Delete a tenant: it stops serving at once; its database and role are dropped by the worker.
#[utoipa::path(delete, path = "/v1/tenants/{slug}", tag = "tenants", params(("slug" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 202, description = "Deleting", body = TenantView),
        (status = 403, description = "`forbidden`: owners and platform operators only"),
        (status = 410, description = "`tenant_deleted`: already deleted"),
    ))]
pub async fn delete_tenant(
    State(state): State<AppState>,
    Caller(claims): Caller,
    Path(slug): Path<String>,
) -> ApiResult<(StatusCode, Json<TenantView>)> {
    let mut tx = state.db.begin().await?;
    let tenant = find(&mut tx, &path_slug(&slug)?).await?;
    require(standing(&mut tx, &claims, &tenant).await?, &[Standing::PlatformAdmin, Standing::Owner])?;
    if let Some(err) = gone(tenant.status) {
        return Err(err);
    }
    let updated = tenants::mark_deleting(&mut tx, tenant.id).await?;
    let revoked = sessions::revoke_tenant(&mut tx, tenant.id, "tenant_deleted").await?;
    jobs::enqueue(&mut tx, tenant.id, JobKind::Drop).await?;
    tx.commit().await?;
    state.notifier.sessions_revoked(&revoked).await;
    state.notifier.publish(&change_of(&updated)).await;
    Ok((StatusCode::ACCEPTED, Json(updated)))
}

/// The tenant's audit log, newest first.
#[utoipa::path(get, path = "/v1/tenants/{slug}/audit-log", tag = "tenants", params(("slug" = String, Path), PageParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of entries", body = Page<AuditEntry>),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn get_audit_log(
    State(state): State<AppState>,
    Caller(claims): Caller,
    Path(slug): Path<String>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let limit = page.limit()?;
    let before: Option<i64> = page.position()?;
    let mut conn = state.db.acquire().await?;
    let tenant = find(&mut conn, &path_slug(&slug)?).await?;
    require(
        standing(&mut conn, &claims, &tenant).await?,
        &[Standing::PlatformAdmin, Standing::Owner, Standing::Admin],
    )?;
    let rows = audit::page_of_tenant(&mut conn, tenant.id, before, i64::from(limit) + 1).await?;
    Ok(Json(Page::from_rows(rows, limit, |e| e.id)))
}
