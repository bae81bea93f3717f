//! The control plane, asked for what only it may do, with the caller's own token (so it checks
//! the caller's standing itself): removing a member it erases (`CONTROL_API_URL`).

use std::time::Duration;

use shared::config::ServiceUrl;
use shared::error::ApiError;
use uuid::Uuid;

pub struct ControlApi {
    base: String,
    http: reqwest::Client,
}

impl ControlApi {
    pub fn new(url: &ServiceUrl) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("HTTP client");
        Self { base: url.expose().trim_end_matches('/').to_owned(), http }
    }

    /// Removes `user_id` from tenant `slug` (their sessions there end) and erases their identity
    /// if it has no other membership, as the holder of `token`. A member already gone counts as
    /// removed: an earlier request did it.
    pub async fn erase_member(&self, token: &str, slug: &str, user_id: Uuid) -> Result<(), ApiError> {
        let url = format!("{}/v1/tenants/{slug}/members/{user_id}?erase=true", self.base);
        let answer = self.http.delete(url).bearer_auth(token).send().await.map_err(ApiError::unavailable)?;
        match answer.status().as_u16() {
            200..=299 | 404 => Ok(()),
            403 => Err(ApiError::forbidden("the control plane refused to remove this member")),
            status => Err(ApiError::unavailable(format!("the control plane answered {status}"))),
        }
    }
}
