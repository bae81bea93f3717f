//! `GET /.well-known/jwks.json`: the keys that verify access tokens.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use shared::auth::Jwks;

use crate::state::AppState;

/// Public keys for access-token verification (the signing key first, then keys being
/// rotated out).
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth",
    responses((status = 200, description = "JSON Web Key Set (OKP / Ed25519)", body = Jwks)))]
pub async fn get_jwks(State(state): State<AppState>) -> Response {
    let keys = state.config.jwt.published_keys().iter().map(shared::auth::PublicKey::jwk).collect();
    let mut response = Json(Jwks { keys }).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}
