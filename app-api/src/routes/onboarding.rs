//! `GET/PATCH /v1/onboarding`: the new organisation's checklist, for its owners and admins
//! (`sav::onboarding`).

use axum::Json;
use axum::extract::State;
use sav::onboarding::{self, Onboarding};
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use utoipa::ToSchema;

use crate::access::{Access, Admins};
use crate::state::AppState;
use crate::tenancy::pools::TenantConnection;

/// What an admin changes: what is given, the rest kept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnboardingPatch {
    /// `true`: the portal's address was shared with customers (it cannot be taken back).
    pub share_portal: Option<bool>,
    /// Hide the checklist, or show it again.
    pub dismissed: Option<bool>,
}

/// The organisation's onboarding checklist (owners and admins).
#[utoipa::path(get, path = "/v1/onboarding", tag = "onboarding", security(("bearer" = [])),
    responses((status = 200, description = "The steps and whether the checklist was dismissed", body = Onboarding), Access<Admins>))]
pub async fn get_onboarding(access: Access<Admins>, State(state): State<AppState>) -> ApiResult<Json<Onboarding>> {
    let (_, mut db) = access.connect().await?;
    Ok(Json(read(&state, &access, &mut db).await?))
}

/// Say the portal is shared, or dismiss the checklist (owners and admins); the checklist back.
#[utoipa::path(patch, path = "/v1/onboarding", tag = "onboarding", security(("bearer" = [])), request_body = OnboardingPatch,
    responses(
        (status = 200, description = "The checklist after the change", body = Onboarding),
        (status = 400, description = "`validation_failed`: unreadable body, an unknown field or value"),
        Access<Admins>,
        (status = 422, description = "`validation_failed`: `share_portal` set to false"),
    ))]
pub async fn patch_onboarding(
    access: Access<Admins>,
    State(state): State<AppState>,
    JsonBody(patch): JsonBody<OnboardingPatch>,
) -> ApiResult<Json<Onboarding>> {
    if patch.share_portal == Some(false) {
        return Err(ApiError::invalid(vec![FieldError::new("share_portal", "a portal shared stays shared")]));
    }
    let (_, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    onboarding::update(&mut tx, patch.share_portal, patch.dismissed).await?;
    tx.commit().await?;
    Ok(Json(read(&state, &access, &mut db).await?))
}

/// The checklist: the control plane's invitations first, then the tenant's own steps (no tenant
/// transaction waits on the control plane).
async fn read(state: &AppState, access: &Access<Admins>, db: &mut TenantConnection) -> ApiResult<Onboarding> {
    let mut control = state.tenancy.control_db.acquire().await?;
    let invited = control_schema::contacts::staff_invited(&mut control, access.tenant().id).await?;
    drop(control);
    Ok(onboarding::get(&mut *db.begin().await?, invited).await?)
}
