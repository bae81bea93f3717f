//! The control plane, asked for what only it may do, with the caller's own token (so it checks
//! the caller's standing itself): removing a member it erases (`CONTROL_API_URL`).

use std::time::Duration;

use sav::ids::UserId;
use shared::config::ServiceUrl;
use shared::error::ApiError;

pub struct ControlApi {
    base: String,
    http: reqwest::Client,
}

impl ControlApi {
    pub fn new(url: &ServiceUrl) -> Self {
        // A redirect is the browser's to follow (single sign-on's start and callback): passed back.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        Self { base: url.expose().trim_end_matches('/').to_owned(), http }
    }

    /// Removes `user_id` from tenant `slug` (their sessions there end) and erases their identity
    /// if it has no other membership, as the holder of `token`. A member already gone counts as
    /// removed: an earlier request did it.
    pub async fn erase_member(&self, token: &str, slug: &str, user_id: UserId) -> Result<(), ApiError> {
        let url = format!("{}/v1/tenants/{slug}/members/{user_id}?erase=true", self.base);
        let answer = self.http.delete(url).bearer_auth(token).send().await.map_err(ApiError::unavailable)?;
        match answer.status().as_u16() {
            200..=299 | 404 => Ok(()),
            403 => Err(ApiError::forbidden("the control plane refused to remove this member")),
            status => Err(ApiError::unavailable(format!("the control plane answered {status}"))),
        }
    }
}

/// Request headers that describe one connection, not the request, and the ones the forwarder sets
/// itself.
const NOT_FORWARDED: [&str; 11] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "x-forwarded-for",
];

impl ControlApi {
    /// Passes a request for the control plane's own routes (sign-in, invitations, members) to
    /// control-api and its answer back unchanged, `Set-Cookie` included: the web app on a tenant
    /// host then calls them same-origin, and the refresh cookie is first-party. nginx does this in
    /// production; this is for when app-api is reached directly (development). control-api sees
    /// the client's address in `X-Forwarded-For` (it believes it when app-api is in its
    /// `TRUSTED_PROXIES`).
    pub async fn forward(
        &self,
        request: axum::extract::Request,
        client: Option<std::net::IpAddr>,
    ) -> Result<axum::response::Response, ApiError> {
        let (parts, body) = request.into_parts();
        let path = parts.uri.path_and_query().map_or("/", axum::http::uri::PathAndQuery::as_str);
        // The common layers bound the body already (REQUEST_BODY_LIMIT_BYTES).
        let body = axum::body::to_bytes(body, usize::MAX).await.map_err(|e| ApiError::bad_request(e.to_string()))?;
        let mut outgoing = self.http.request(parts.method, format!("{}{path}", self.base)).body(body);
        for (name, value) in &parts.headers {
            if !NOT_FORWARDED.contains(&name.as_str()) {
                outgoing = outgoing.header(name, value);
            }
        }
        if let Some(ip) = client {
            outgoing = outgoing.header("x-forwarded-for", ip.to_string());
        }
        let answer = outgoing.send().await.map_err(ApiError::unavailable)?;
        let mut response = axum::response::Response::builder().status(answer.status());
        for (name, value) in answer.headers() {
            if !NOT_FORWARDED.contains(&name.as_str()) {
                response = response.header(name, value);
            }
        }
        let body = answer.bytes().await.map_err(ApiError::unavailable)?;
        response.body(axum::body::Body::from(body)).map_err(ApiError::internal)
    }
}
