//! Every route of control-api, in one place, with its OpenAPI document.

use axum::Router;
use shared::error::{FieldError, Problem};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::routes::operations;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Helpdeskly control API", description = "Tenants, identities, login and onboarding."),
    components(schemas(Problem, FieldError)),
    tags((name = "operations", description = "Health, readiness, metrics"))
)]
struct ApiDoc;

/// The full application: routes, OpenAPI at `/openapi.json`, docs at `/docs`, common layers.
pub fn build_router(state: AppState) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(shared::readiness::get_health))
        .routes(routes!(operations::get_ready))
        .routes(routes!(shared::metrics::get_metrics))
        .split_for_parts();
    let (http, metrics) = (state.config.http.clone(), state.metrics.clone());
    let router = router.with_state(state).merge(SwaggerUi::new("/docs").url("/openapi.json", api));
    shared::http::with_common_layers(router, &http, metrics)
}
