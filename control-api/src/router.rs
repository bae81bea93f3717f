//! Every route of control-api, in one place, with its OpenAPI document.

use axum::Router;
use shared::error::{FieldError, Problem};
use shared::http::openapi::{BearerAuth, common_problems, problem_bodies};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::routes::auth::{
    export, login, me, mfa, password, password_reset, refresh, register, sessions, sign_in_token, sso, two_factor,
    verify_email,
};
use crate::routes::tenants::{invitations, lifecycle, members, signup, sso as tenant_sso};
use crate::routes::{jwks, operations};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Helpdeskly control API", description = "Tenants, identities, login and onboarding."),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "auth", description = "Login, tokens, 2FA, single sign-on, password reset, email verification"),
        (name = "tenants", description = "Signup, lifecycle, members, invitations, single sign-on settings"),
    )
)]
struct ApiDoc;

/// What `control-api worker` serves: health, readiness and metrics, for probes and Prometheus.
pub fn build_operations_router(state: AppState) -> Router {
    let (http, metrics) = (state.config.http.clone(), state.metrics.clone());
    shared::http::operations_router(operations::get_ready, state, &http, metrics)
}

/// The full application: routes, OpenAPI at `/openapi.json`, docs at `/docs`, common layers.
pub fn build_router(state: AppState) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(shared::readiness::get_health))
        .routes(routes!(operations::get_ready))
        .routes(routes!(shared::metrics::get_metrics))
        .routes(routes!(jwks::get_jwks))
        .routes(routes!(login::post_login))
        .routes(routes!(mfa::post_mfa_verify))
        .routes(routes!(sign_in_token::post_sign_in_token))
        .routes(routes!(refresh::post_refresh))
        .routes(routes!(refresh::post_logout))
        .routes(routes!(sessions::post_logout_all))
        .routes(routes!(sessions::list_sessions))
        .routes(routes!(sessions::delete_session))
        .routes(routes!(password::post_password))
        .routes(routes!(password_reset::post_forgot))
        .routes(routes!(password_reset::post_reset))
        .routes(routes!(verify_email::post_verify_email))
        .routes(routes!(me::get_me))
        .routes(routes!(export::get_export))
        .routes(routes!(two_factor::post_setup))
        .routes(routes!(two_factor::post_enable))
        .routes(routes!(two_factor::post_disable))
        .routes(routes!(register::post_register))
        .routes(routes!(signup::post_signup))
        .routes(routes!(signup::get_status))
        .routes(routes!(lifecycle::list_tenants))
        .routes(routes!(lifecycle::get_placement, lifecycle::post_placement))
        .routes(routes!(lifecycle::get_tenant, lifecycle::patch_tenant, lifecycle::delete_tenant))
        .routes(routes!(lifecycle::post_suspend))
        .routes(routes!(lifecycle::post_activate))
        .routes(routes!(lifecycle::get_audit_log))
        .routes(routes!(members::list_members))
        .routes(routes!(members::patch_member, members::delete_member))
        .routes(routes!(invitations::post_invitation, invitations::list_invitations))
        .routes(routes!(invitations::delete_invitation))
        .routes(routes!(invitations::post_accept))
        .routes(routes!(tenant_sso::get_sso, tenant_sso::put_sso, tenant_sso::delete_sso))
        .routes(routes!(sso::get_offer))
        .routes(routes!(sso::get_start))
        .routes(routes!(sso::get_callback))
        .routes(routes!(sso::post_backchannel_logout))
        .split_for_parts();
    let mut api = api;
    common_problems(&mut api);
    problem_bodies(&mut api);
    let (http, metrics) = (state.config.http.clone(), state.metrics.clone());
    let router = router.with_state(state).merge(SwaggerUi::new("/docs").url("/openapi.json", api));
    shared::http::with_common_layers(router, Router::new(), &http, metrics)
}
