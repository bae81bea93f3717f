//! The refresh token as a cookie, for browsers: `HttpOnly` (scripts never see it), `Secure`,
//! `SameSite=Strict` (no other site's page can make the browser send it) and scoped to the auth
//! routes. Set by every answer that issues tokens, read by refresh and logout when their body
//! names no token, cleared by logout. Beside it goes `helpdeskly_session=1`, readable by the web
//! app and holding nothing secret, for as long: a page loaded without it knows there is no
//! session to restore and asks for none (a refresh without a cookie is a 401 the browser logs).

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponseParts, ResponseParts};
use cookie::{Cookie, SameSite};

const NAME: &str = "helpdeskly_refresh";
/// The companion the web app reads: a session may be restored.
const HINT: &str = "helpdeskly_session";
/// Longer values are not ours: refresh tokens are 43 characters.
const VALUE_MAX: usize = 128;

/// The refresh token the request's cookie carries, if any.
#[derive(Debug, Default)]
pub struct RefreshCookie(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for RefreshCookie {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(request_cookie(&parts.headers, NAME)))
    }
}

/// The value of the request's cookie `name`, when it is one of ours (not empty, at most
/// `VALUE_MAX` bytes: the tokens we set are 43 characters).
pub fn request_cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty() && value.len() <= VALUE_MAX)
}

/// The `Set-Cookie`s of the refresh token and its companion: set (for its lifetime) or cleared.
#[derive(Debug)]
pub struct SetRefreshCookie(HeaderValue, HeaderValue);

impl SetRefreshCookie {
    pub fn issue(refresh_token: &str, lifetime: std::time::Duration) -> Self {
        let seconds = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
        Self::build(refresh_token, cookie::time::Duration::seconds(seconds))
    }

    pub fn clear() -> Self {
        Self::build("", cookie::time::Duration::ZERO)
    }

    fn build(value: &str, max_age: cookie::time::Duration) -> Self {
        let cookie = Cookie::build((NAME, value))
            .path("/v1/auth")
            .http_only(true)
            .secure(true)
            .same_site(SameSite::Strict)
            .max_age(max_age)
            .build();
        let hint = if value.is_empty() { "" } else { "1" };
        let hint =
            Cookie::build((HINT, hint)).path("/").secure(true).same_site(SameSite::Strict).max_age(max_age).build();
        let header =
            |cookie: Cookie<'_>| HeaderValue::from_str(&cookie.to_string()).expect("a cookie is a valid header value");
        Self(header(cookie), header(hint))
    }
}

impl IntoResponseParts for SetRefreshCookie {
    type Error = Infallible;

    fn into_response_parts(self, mut parts: ResponseParts) -> Result<ResponseParts, Self::Error> {
        parts.headers_mut().append(header::SET_COOKIE, self.0);
        parts.headers_mut().append(header::SET_COOKIE, self.1);
        Ok(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(cookie_header: &str) -> Option<String> {
        let request = axum::http::Request::builder().header(header::COOKIE, cookie_header).body(()).unwrap();
        let (mut parts, ()) = request.into_parts();
        RefreshCookie::from_request_parts(&mut parts, &()).await.unwrap().0
    }

    #[tokio::test]
    async fn the_token_is_found_among_other_cookies() {
        assert_eq!(read("a=1; helpdeskly_refresh=abc; b=2").await.as_deref(), Some("abc"));
        assert_eq!(read("a=1").await, None);
        assert_eq!(read("helpdeskly_refresh=").await, None);
        assert_eq!(read(&format!("helpdeskly_refresh={}", "x".repeat(200))).await, None);
    }

    #[test]
    fn the_cookie_is_scoped_and_hidden_from_scripts() {
        let set = SetRefreshCookie::issue("tok", std::time::Duration::from_secs(604_800)).0;
        let set = set.to_str().unwrap();
        for part in
            ["helpdeskly_refresh=tok", "HttpOnly", "Secure", "SameSite=Strict", "Path=/v1/auth", "Max-Age=604800"]
        {
            assert!(set.contains(part), "{set} lacks {part}");
        }
        let cleared = SetRefreshCookie::clear().0;
        assert!(cleared.to_str().unwrap().contains("Max-Age=0"), "{cleared:?}");
        // Its companion is for scripts to read, and says nothing but that a session may be there.
        let hint = SetRefreshCookie::issue("tok", std::time::Duration::from_secs(604_800)).1;
        let hint = hint.to_str().unwrap();
        assert!(
            hint.starts_with("helpdeskly_session=1") && !hint.contains("HttpOnly") && hint.contains("Path=/;"),
            "{hint}"
        );
        assert!(SetRefreshCookie::clear().1.to_str().unwrap().contains("Max-Age=0"));
    }
}
