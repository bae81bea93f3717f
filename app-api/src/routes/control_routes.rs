//! The control plane's routes on a tenant host: `/v1/auth/*`, `/v1/invitations/*` and
//! `/v1/tenants/*`, forwarded to control-api when `CONTROL_API_URL` is set (development; nginx
//! routes them itself in production), a 404 otherwise. Not part of this service's OpenAPI
//! document: control-api's describes them.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use shared::error::ApiError;
use shared::http::ClientIp;

use crate::infra::control_plane::ControlApi;

/// The path prefixes that belong to control-api.
pub const PREFIXES: [&str; 3] = ["/v1/auth", "/v1/invitations", "/v1/tenants"];

pub async fn forward(
    State(control): State<Option<Arc<ControlApi>>>,
    client: Option<Extension<ClientIp>>,
    request: Request,
) -> Response {
    let Some(control) = control else {
        return ApiError::not_found(format!("no route for {} {}", request.method(), request.uri().path()))
            .into_response();
    };
    control.forward(request, client.map(|Extension(ClientIp(ip))| ip)).await.into_response()
}
