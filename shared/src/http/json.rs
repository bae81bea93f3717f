//! `JsonBody<T>`: the JSON request extractor. Its rejections are problem+json with the stable
//! codes: 415 without a JSON content type, 413 over the body limit, 400 `validation_failed`
//! naming the offending field for syntax errors, wrong types (an array where an object belongs
//! included: `objects`) and unknown fields (request types use `#[serde(deny_unknown_fields)]`),
//! and 408 `body_timeout` when the body does not arrive within `REQUEST_BODY_TIMEOUT_SECONDS`:
//! a slow client cannot keep a request (and what it holds) open.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

use super::BodyTimeout;
use super::objects::Objects;
use crate::error::{ApiError, FieldError};

/// Without the layers (unit tests of a bare router): the configuration's default.
const DEFAULT_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A JSON request body parsed into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !has_json_content_type(&request) {
            return Err(ApiError::unsupported_media_type("expected a body with Content-Type: application/json"));
        }
        let RawBody(bytes) = RawBody::from_request(request, state).await?;
        parse(&bytes).map(JsonBody)
    }
}

/// A request body as bytes, read within `REQUEST_BODY_TIMEOUT_SECONDS` (408 `body_timeout`)
/// and the body limit (413), for handlers that parse it themselves.
#[derive(Debug, Clone, Default)]
pub struct RawBody(pub Bytes);

impl<S> FromRequest<S> for RawBody
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let timeout = request.extensions().get::<BodyTimeout>().map_or(DEFAULT_BODY_TIMEOUT, |t| t.0);
        let read = tokio::time::timeout(timeout, Bytes::from_request(request, state)).await.map_err(|_| {
            ApiError::new(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                "body_timeout",
                format!("the request body did not arrive within {} s", timeout.as_secs_f32()),
            )
        })?;
        let bytes = read.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(rejection.status(), "payload_too_large", rejection.body_text())
            } else {
                ApiError::bad_request(rejection.body_text())
            }
        })?;
        Ok(Self(bytes))
    }
}

/// Parses JSON text into `T`, reporting the path of the field that failed.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(Objects(&mut deserializer)).map_err(|err| {
        let field = err.path().to_string();
        let inner = err.into_inner();
        let message = strip_position(&inner.to_string());
        let mut problem = ApiError::bad_request(if inner.is_syntax() || inner.is_eof() {
            format!("the body is not valid JSON: {message}")
        } else {
            "the body does not match the expected shape".to_owned()
        });
        if !(inner.is_syntax() || inner.is_eof()) {
            let field = if field == "." { String::new() } else { field };
            problem = ApiError::invalid(vec![FieldError::new(field, message)])
                .with_status(axum::http::StatusCode::BAD_REQUEST);
        }
        problem
    })?;
    deserializer.end().map_err(|_| ApiError::bad_request("the body has trailing characters after the JSON value"))?;
    if let Some(field) = super::text::nul_in_json(bytes) {
        return Err(super::text::holds_nul(field));
    }
    Ok(value)
}

/// serde_json appends " at line 1 column 17"; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(idx) => message[..idx].to_owned(),
        None => message.to_owned(),
    }
}

fn has_json_content_type(request: &Request) -> bool {
    let Some(content_type) = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Signup {
        slug: String,
        admin: Admin,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Admin {
        email: String,
        age: u8,
    }

    fn problem(err: &ApiError) -> crate::error::Problem {
        err.problem()
    }

    #[test]
    fn wrong_types_name_the_field() {
        let err = parse::<Signup>(br#"{"slug": "acme", "admin": {"email": "a@b.c", "age": "old"}}"#).unwrap_err();
        assert_eq!(err.status(), axum::http::StatusCode::BAD_REQUEST);
        let p = problem(&err);
        assert_eq!(p.code, "validation_failed");
        assert_eq!(p.errors[0].field, "admin.age");
        assert!(p.errors[0].message.starts_with("invalid type: string"), "{}", p.errors[0].message);
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let err =
            parse::<Signup>(br#"{"slug": "acme", "is_admin": true, "admin": {"email": "a", "age": 1}}"#).unwrap_err();
        let p = problem(&err);
        assert!(p.errors[0].message.contains("unknown field `is_admin`"), "{:?}", p.errors);
    }

    #[test]
    fn an_array_is_not_an_object() {
        let err = parse::<Signup>(br#"["acme", {"email": "a@b.c", "age": 1}]"#).unwrap_err();
        assert_eq!(err.status(), axum::http::StatusCode::BAD_REQUEST);
        let err = parse::<Signup>(br#"{"slug": "acme", "admin": ["a@b.c", 1]}"#).unwrap_err();
        assert_eq!(problem(&err).errors[0].field, "admin");
    }

    #[test]
    fn syntax_errors_and_trailing_data() {
        assert_eq!(problem(&parse::<Signup>(b"{\"slug\": ").unwrap_err()).code, "validation_failed");
        let err = parse::<serde_json::Value>(b"{} {}").unwrap_err();
        assert!(problem(&err).detail.unwrap().contains("trailing"));
    }
}
