//! Reading and changing a tenant: list, get, patch, suspend, activate, delete, audit log.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::{JsonBody, Page, PageParams, invalid_query};
use shared::tenant::TenantStatus;
use utoipa::{IntoParams, ToSchema};

use super::{Live, Managers, Operators, Owners, PlatformOperator, Standing, TenantAccess, TenantView};
use crate::identity::audit::{self, Action, AuditEntry};
use crate::identity::people::name_errors;
use crate::identity::sessions;
use crate::state::AppState;
use crate::tenancy::jobs::{self, JobKind};
use crate::tenancy::moves::{self, MoveView, Refusal};
use crate::tenancy::notify::TenantChange;
use crate::tenancy::placement::{self, Mode, PlacedTenant, Placement};
use crate::tenancy::tenants;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenantFilter {
    /// Only tenants in this status.
    pub status: Option<String>,
    /// Only tenants placed so: `pooled` or `dedicated`.
    pub placement: Option<String>,
    /// Only tenants on the cluster of this name (`default` for `TENANT_DATABASE_URL`).
    pub cluster: Option<String>,
    /// 1 to 100, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Every tenant, with where its rows are (platform operators).
#[utoipa::path(get, path = "/v1/tenants", tag = "tenants", params(TenantFilter), security(("bearer" = [])),
    responses(
        PlatformOperator,
        (status = 200, description = "A page of tenants, oldest first", body = Page<PlacedTenant>),
        (status = 400, description = "`validation_failed`: an unknown status or placement (`errors` names it)"),
        (status = 422, description = "`validation_failed`: bad limit or cursor"),
    ))]
pub async fn list_tenants(
    State(state): State<AppState>,
    _: PlatformOperator,
    Query(filter): Query<TenantFilter>,
) -> ApiResult<Json<Page<PlacedTenant>>> {
    let status = filter.status.as_deref().map(status_filter).transpose()?;
    let mode = filter.placement.as_deref().map(placement_filter).transpose()?;
    let narrowed = placement::Filter { status, mode, cluster: filter.cluster.as_deref() };
    let page = PageParams { limit: filter.limit, cursor: filter.cursor };
    let rows = async |after, limit| placement::list(&mut *state.db.acquire().await?, narrowed, after, limit).await;
    Ok(Json(page.fetch(rows, |t| t.tenant.id).await?))
}

fn status_filter(value: &str) -> ApiResult<TenantStatus> {
    TenantStatus::parse(value).ok_or_else(|| {
        let all: Vec<&str> = TenantStatus::ALL.iter().map(|s| s.as_str()).collect();
        invalid_query(vec![FieldError::new("status", format!("must be one of {}", all.join(", ")))])
    })
}

fn placement_filter(value: &str) -> ApiResult<Mode> {
    Mode::parse(value)
        .ok_or_else(|| invalid_query(vec![FieldError::new("placement", "must be one of pooled, dedicated")]))
}

/// A tenant as `GET /v1/tenants/{slug}` shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantDetail {
    #[serde(flatten)]
    pub tenant: TenantView,
    /// Where its rows are: platform operators alone are shown it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
}

/// A tenant (its owners and admins, platform operators).
#[utoipa::path(get, path = "/v1/tenants/{slug}", tag = "tenants", params(("slug" = String, Path)), security(("bearer" = [])),
    responses(
        TenantAccess<Managers>,
        (status = 200, description = "The tenant", body = TenantDetail),
    ))]
pub async fn get_tenant(
    State(state): State<AppState>,
    access: TenantAccess<Managers>,
) -> ApiResult<Json<TenantDetail>> {
    let placement = match access.standing {
        Standing::PlatformAdmin => placement::of(&mut *state.db.acquire().await?, access.tenant.id).await?,
        _ => None,
    };
    Ok(Json(TenantDetail { tenant: access.tenant, placement }))
}

/// A tenant's placement as `GET /v1/tenants/{slug}/placement` shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlacementView {
    #[serde(flatten)]
    pub placement: Placement,
    /// The tenant's current or last move between placements; null when it never moved.
    pub r#move: Option<MoveView>,
}

async fn placement_view(state: &AppState, tenant: uuid::Uuid) -> ApiResult<PlacementView> {
    let mut conn = state.db.acquire().await?;
    let placement = placement::of(&mut conn, tenant).await?.ok_or_else(|| ApiError::not_found("no such tenant"))?;
    let r#move = moves::latest(&mut conn, tenant).await?;
    Ok(PlacementView { placement, r#move })
}

/// Where a tenant's rows are (platform operators).
#[utoipa::path(get, path = "/v1/tenants/{slug}/placement", tag = "tenants", params(("slug" = String, Path)), security(("bearer" = [])),
    responses(
        TenantAccess<Operators>,
        (status = 200, description = "The placement", body = PlacementView),
    ))]
pub async fn get_placement(
    State(state): State<AppState>,
    access: TenantAccess<Operators>,
) -> ApiResult<Json<PlacementView>> {
    placement_view(&state, access.tenant.id).await.map(Json)
}

/// Where a tenant is to be moved.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementRequest {
    /// `pooled` or `dedicated`.
    pub mode: String,
    /// The name of an active cluster; the tenant's own when absent.
    pub cluster: Option<String>,
}

/// Move a tenant to another placement (platform operators): its rows are copied while it serves,
/// then it switches (its writes answer 503 `tenant_moving` meanwhile); `move.status` follows.
#[utoipa::path(post, path = "/v1/tenants/{slug}/placement", tag = "tenants", params(("slug" = String, Path)), request_body = PlacementRequest, security(("bearer" = [])),
    responses(
        TenantAccess<Operators>,
        (status = 202, description = "The move started: the placement with `move.status` `copying` (or later)", body = PlacementView),
        (status = 409, description = "`conflict`: the tenant is neither active nor suspended; `already_placed`: it is placed so already; `move_in_progress`: a move has not finished"),
        (status = 422, description = "`validation_failed`: an unknown `mode`, an unknown or inactive `cluster`"),
    ))]
pub async fn post_placement(
    State(state): State<AppState>,
    access: TenantAccess<Operators>,
    JsonBody(request): JsonBody<PlacementRequest>,
) -> ApiResult<(StatusCode, Json<PlacementView>)> {
    let mode = Mode::parse(request.mode.trim())
        .ok_or_else(|| ApiError::invalid(vec![FieldError::new("mode", "must be one of pooled, dedicated")]))?;
    let no_cluster = || ApiError::invalid(vec![FieldError::new("cluster", "must name an active cluster")]);
    let cluster = request.cluster.as_deref().map(str::trim);
    if cluster.is_some_and(|name| name.is_empty() || name.len() > 63) {
        return Err(no_cluster());
    }
    let mut tx = state.db.begin().await?;
    let tenant = access.lock(&mut tx).await?;
    match moves::start(&mut tx, tenant.id, mode, cluster, access.claims.sub).await? {
        Ok(_) => {}
        Err(Refusal::NotServing | Refusal::NotPlaced) => {
            return Err(ApiError::conflict(format!(
                "the tenant is {}: only an active or suspended tenant moves",
                tenant.status
            )));
        }
        Err(Refusal::AlreadyPlaced) => {
            return Err(ApiError::conflict_as(
                "already_placed",
                format!("the tenant is {} there already", mode.as_str()),
            ));
        }
        Err(Refusal::InProgress) => {
            return Err(ApiError::conflict_as("move_in_progress", "a move of this tenant has not finished"));
        }
        Err(Refusal::NoSuchCluster) => return Err(no_cluster()),
    }
    tx.commit().await?;
    tracing::info!(tenant = %tenant.id, to = mode.as_str(), cluster = cluster.unwrap_or("(its own)"), "tenant move asked for");
    Ok((StatusCode::ACCEPTED, Json(placement_view(&state, tenant.id).await?)))
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
    /// An IANA time zone, such as `Europe/Paris`.
    pub time_zone: Option<String>,
    /// `en` or `fr`.
    pub default_locale: Option<String>,
}

/// The languages an organisation may speak by default.
const LOCALES: [&str; 2] = ["en", "fr"];

/// Rename a tenant or change its settings, its time zone or its language.
#[utoipa::path(patch, path = "/v1/tenants/{slug}", tag = "tenants", params(("slug" = String, Path)), request_body = TenantPatch, security(("bearer" = [])),
    responses(
        TenantAccess<Live<Managers>>,
        (status = 200, description = "The updated tenant", body = TenantView),
        (status = 422, description = "`validation_failed`"),
    ))]
pub async fn patch_tenant(
    State(state): State<AppState>,
    access: TenantAccess<Live<Managers>>,
    JsonBody(patch): JsonBody<TenantPatch>,
) -> ApiResult<Json<TenantView>> {
    let mut errors = Vec::new();
    if let Some(name) = &patch.name {
        name_errors("name", name, 200, &mut errors);
    }
    let time_zone = patch.time_zone.as_deref().map(str::trim);
    if time_zone.is_some_and(|zone| zone.len() > 64 || jiff::tz::TimeZone::get(zone).is_err()) {
        errors.push(FieldError::new("time_zone", "must be an IANA time zone, such as Europe/Paris"));
    }
    if patch.default_locale.as_deref().is_some_and(|locale| !LOCALES.contains(&locale)) {
        errors.push(FieldError::new("default_locale", format!("must be one of {}", LOCALES.join(", "))));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let mut tx = state.db.begin().await?;
    let tenant = access.lock(&mut tx).await?;
    let change = tenants::Change {
        name: patch.name.as_deref().map(str::trim),
        settings: patch.settings.map(|s| serde_json::to_value(s).expect("serializable")),
        time_zone,
        default_locale: patch.default_locale.as_deref(),
    };
    let updated = tenants::update(&mut tx, tenant.id, change).await?;
    tx.commit().await?;
    state.notifier.publish(&change_of(&updated)).await;
    Ok(Json(updated))
}

fn change_of(tenant: &TenantView) -> TenantChange {
    TenantChange { tenant_id: tenant.id, slug: tenant.slug.clone(), status: tenant.status }
}

/// Moves the tenant from `from` to `to`: the update itself checks the status it starts from.
async fn platform_transition(
    state: &AppState,
    access: TenantAccess<Operators>,
    from: TenantStatus,
    to: TenantStatus,
) -> ApiResult<TenantView> {
    let mut conn = state.db.acquire().await?;
    let tenant = access.tenant;
    let updated = tenants::transition(&mut conn, tenant.id, from, to)
        .await?
        .ok_or_else(|| ApiError::conflict(format!("the tenant is {}, not {from}", tenant.status)))?;
    drop(conn);
    state.notifier.publish(&change_of(&updated)).await;
    tracing::info!(tenant = %updated.id, %from, %to, "tenant status changed");
    Ok(updated)
}

/// Suspend a tenant: its people can no longer sign in or use the app plane.
#[utoipa::path(post, path = "/v1/tenants/{slug}/suspend", tag = "tenants", params(("slug" = String, Path)), security(("bearer" = [])),
    responses(
        TenantAccess<Operators>,
        (status = 200, description = "Suspended", body = TenantView),
        (status = 409, description = "`conflict`: not active"),
    ))]
pub async fn post_suspend(
    State(state): State<AppState>,
    access: TenantAccess<Operators>,
) -> ApiResult<Json<TenantView>> {
    platform_transition(&state, access, TenantStatus::Active, TenantStatus::Suspended).await.map(Json)
}

/// Reactivate a suspended tenant.
#[utoipa::path(post, path = "/v1/tenants/{slug}/activate", tag = "tenants", params(("slug" = String, Path)), security(("bearer" = [])),
    responses(
        TenantAccess<Operators>,
        (status = 200, description = "Active again", body = TenantView),
        (status = 409, description = "`conflict`: not suspended"),
    ))]
pub async fn post_activate(
    State(state): State<AppState>,
    access: TenantAccess<Operators>,
) -> ApiResult<Json<TenantView>> {
    platform_transition(&state, access, TenantStatus::Suspended, TenantStatus::Active).await.map(Json)
}

/// Delete a tenant: it stops serving at once; the worker drops its database and role, then the
/// tenant plane removes its files and Redis keys, and only then is its status `deleted`.
#[utoipa::path(delete, path = "/v1/tenants/{slug}", tag = "tenants", params(("slug" = String, Path)), security(("bearer" = [])),
    responses(
        TenantAccess<Live<Owners>>,
        (status = 202, description = "Deleting", body = TenantView),
    ))]
pub async fn delete_tenant(
    State(state): State<AppState>,
    access: TenantAccess<Live<Owners>>,
) -> ApiResult<(StatusCode, Json<TenantView>)> {
    let mut tx = state.db.begin().await?;
    let tenant = access.lock(&mut tx).await?;
    let updated = tenants::mark_deleting(&mut tx, tenant.id).await?;
    let details = serde_json::json!({ "slug": tenant.slug });
    access.record(&mut tx, Action::TenantDeleted, details).await?;
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
        TenantAccess<Managers>,
        (status = 200, description = "A page of entries", body = Page<AuditEntry>),
    ))]
pub async fn get_audit_log(
    State(state): State<AppState>,
    access: TenantAccess<Managers>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let rows = async |before, limit| {
        audit::page_of_tenant(&mut *state.db.acquire().await?, access.tenant.id, before, limit).await
    };
    Ok(Json(page.fetch(rows, |e| e.id).await?))
}
