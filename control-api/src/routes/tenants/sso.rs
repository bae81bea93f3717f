//! A tenant's single sign-on settings, for its owners: read, set (the provider's discovery
//! document read and checked first), remove.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;

use super::{Live, OwnersAlone, TenantAccess};
use crate::identity::audit::Action;
use crate::identity::sso::settings::{self, Draft, Settings, SettingsView};
use crate::identity::users;
use crate::state::AppState;

fn view(state: &AppState, slug: &str, settings: &Settings) -> ApiResult<SettingsView> {
    let (redirect, logout) =
        settings::addresses(state.config.app_public_url.as_ref(), slug).ok_or_else(no_public_url)?;
    Ok(settings.view(redirect, logout))
}

fn no_public_url() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "single sign-on needs the organisations' public address (APP_PUBLIC_URL)",
    )
}

fn not_set() -> ApiError {
    ApiError::not_found("this organisation has no single sign-on")
}

/// The organisation's single sign-on (never its client secret).
#[utoipa::path(get, path = "/v1/tenants/{slug}/sso", tag = "tenants", params(("slug" = String, Path)), security(("bearer" = [])),
    responses(
        TenantAccess<OwnersAlone>,
        (status = 200, description = "The settings, with the addresses to register at the provider", body = SettingsView),
    ))]
pub async fn get_sso(
    State(state): State<AppState>,
    access: TenantAccess<OwnersAlone>,
) -> ApiResult<Json<SettingsView>> {
    let settings = settings::of_tenant(&mut *state.db.acquire().await?, access.tenant.id).await?.ok_or_else(not_set)?;
    Ok(Json(view(&state, &access.tenant.slug, &settings)?))
}

/// Set the organisation's single sign-on. The issuer's discovery document is read and checked
/// first; the client secret is sealed and never shown again (leave it out to keep the stored
/// one).
#[utoipa::path(put, path = "/v1/tenants/{slug}/sso", tag = "tenants", params(("slug" = String, Path)), security(("bearer" = [])),
    request_body = Draft,
    responses(
        TenantAccess<Live<OwnersAlone>>,
        (status = 200, description = "The settings saved", body = SettingsView),
        (status = 422, description = "`validation_failed`: a field out of bounds, the provider's discovery document unusable (why, on `issuer`), no client secret stored yet, or `required_for_staff` while the owner has no 2FA"),
    ))]
pub async fn put_sso(
    State(state): State<AppState>,
    access: TenantAccess<Live<OwnersAlone>>,
    JsonBody(draft): JsonBody<Draft>,
) -> ApiResult<Json<SettingsView>> {
    let checked = draft.check(state.config.sso_allow_insecure_issuers).map_err(ApiError::invalid)?;
    settings::addresses(state.config.app_public_url.as_ref(), &access.tenant.slug).ok_or_else(no_public_url)?;
    if checked.choices.required_for_staff {
        let flags = users::account_flags(&mut *state.db.acquire().await?, access.claims.sub).await?;
        if !flags.mfa_enabled {
            return Err(ApiError::invalid(vec![FieldError::new(
                "required_for_staff",
                "turn on two-factor authentication first: the owner keeps a password login with it",
            )]));
        }
    }
    if let Err(failure) = state.sso.metadata(&checked.choices.issuer, true).await {
        return Err(ApiError::invalid(vec![FieldError::new("issuer", failure.to_string())]));
    }
    let mut tx = state.db.begin().await?;
    access.lock(&mut tx).await?;
    let saved = settings::save(&mut tx, &state.config.keys.sso_client_secrets, access.tenant.id, &checked)
        .await?
        .ok_or_else(|| ApiError::invalid(vec![FieldError::new("client_secret", "is required")]))?;
    let details = serde_json::json!({
        "issuer": saved.choices.issuer,
        "client_id": saved.choices.client_id,
        "secret_changed": checked.client_secret.is_some(),
        "required_for_staff": saved.choices.required_for_staff,
    });
    access.record(&mut tx, Action::SsoConfigured, details).await?;
    tx.commit().await?;
    Ok(Json(view(&state, &access.tenant.slug, &saved)?))
}

/// Remove the organisation's single sign-on: staff sign in with their passwords again.
#[utoipa::path(delete, path = "/v1/tenants/{slug}/sso", tag = "tenants", params(("slug" = String, Path)), security(("bearer" = [])),
    responses(
        TenantAccess<Live<OwnersAlone>>,
        (status = 204, description = "Removed"),
    ))]
pub async fn delete_sso(
    State(state): State<AppState>,
    access: TenantAccess<Live<OwnersAlone>>,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    access.lock(&mut tx).await?;
    if !settings::delete(&mut tx, access.tenant.id).await? {
        return Err(not_set());
    }
    access.record(&mut tx, Action::SsoRemoved, serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
