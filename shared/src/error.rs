//! The one error type of the HTTP API, rendered as `application/problem+json` (RFC 9457).
//!
//! `code` is the stable, documented identifier clients match on; `detail` is for humans. Server
//! errors (5xx) never carry internals: their source is logged once, here, and the client gets a
//! generic detail plus the request id to quote.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
pub use base::FieldError;
use serde::Serialize;
use utoipa::ToSchema;

pub type ApiResult<T> = Result<T, ApiError>;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The problem document every error response carries.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"type": "urn:helpdeskly:problem:not_found", "title": "Not Found",
    "status": 404, "code": "not_found", "detail": "no route for GET /v1/nope"}))]
pub struct Problem {
    /// `urn:helpdeskly:problem:{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code (listed with each route in the OpenAPI documents).
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Extra members some codes carry (`allowed` on `invalid_transition`, ...).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

/// The code of an error response, left in the response extensions for the request log.
#[derive(Debug, Clone, Copy)]
pub struct ErrorCode(pub &'static str);

type Source = Box<dyn std::error::Error + Send + Sync>;

/// An error answered to an API client. Boxed: errors are the cold path, and a small `Err`
/// keeps every `Result` in the handlers small.
pub struct ApiError(Box<Inner>);

struct Inner {
    status: StatusCode,
    code: &'static str,
    detail: Option<Cow<'static, str>>,
    errors: Vec<FieldError>,
    extensions: serde_json::Map<String, serde_json::Value>,
    retry_after_secs: Option<u64>,
    source: Option<Source>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        Self(Box::new(Inner {
            status,
            code,
            detail: Some(detail.into()),
            errors: Vec::new(),
            extensions: serde_json::Map::new(),
            retry_after_secs: None,
            source: None,
        }))
    }

    /// 400 `validation_failed`: the request could not be read (syntax, types, unknown fields).
    pub fn bad_request(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "validation_failed", detail)
    }

    /// 422 `validation_failed`: the request was read, but values break the rules.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let mut err = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "some fields are invalid");
        err.0.errors = errors;
        err
    }

    pub fn unauthorized(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    pub fn forbidden(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn not_found(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    /// 422 `limit_reached`: one more would pass a limit the organisation (or the thing written
    /// to) has; `detail` names the limit and what to do. The one status of this code everywhere.
    pub fn limit_reached(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "limit_reached", detail)
    }

    pub fn conflict(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", detail)
    }

    /// 409 with a code of its own (`team_name_taken`, `ticket_closed`, ...): the request clashes
    /// with the state of what it names, and clients tell the cases apart by the code.
    pub fn conflict_as(code: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("the request body exceeds {limit} bytes"))
    }

    pub fn unsupported_media_type(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", detail)
    }

    /// 503 `dependency_unavailable`; `source` is logged, never shown.
    pub fn unavailable(source: impl Into<Source>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "dependency_unavailable",
            "a service this request needs is unavailable; retry later",
        )
        .with_source(source)
        .with_retry_after(1)
    }

    /// 503 `server_busy` with `Retry-After`: the server has no room for the request now (a
    /// queue full, a statement cut by its time limit); `detail` says which.
    pub fn busy(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "server_busy", detail).with_retry_after(1)
    }

    /// 500 `internal_error`; `source` is logged, never shown.
    pub fn internal(source: impl Into<Source>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "the server failed to handle the request")
            .with_source(source)
    }

    /// Names the fields that caused the error (a conflict on a unique value, say), so clients
    /// can show it next to them.
    #[must_use]
    pub fn with_field_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.0.errors = errors;
        self
    }

    /// Keeps everything but the status (a 400 for field errors found while reading the body).
    #[must_use]
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.0.status = status;
        self
    }

    #[must_use]
    pub fn with_source(mut self, source: impl Into<Source>) -> Self {
        self.0.source = Some(source.into());
        self
    }

    #[must_use]
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.0.retry_after_secs = Some(secs);
        self
    }

    /// Adds a member to the problem document (`allowed`, `limit`, ...).
    #[must_use]
    pub fn with_extension(mut self, key: &str, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.0.extensions.insert(key.to_owned(), value);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    pub fn code(&self) -> &'static str {
        self.0.code
    }

    /// The problem document this error renders.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:helpdeskly:problem:{}", self.0.code),
            title: self.0.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.0.status.as_u16(),
            code: self.0.code.to_owned(),
            detail: self.0.detail.as_ref().map(ToString::to_string),
            errors: self.0.errors.clone(),
            extensions: self.0.extensions.clone(),
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.0.status)
            .field("code", &self.0.code)
            .field("detail", &self.0.detail)
            .field("source", &self.0.source)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0.status.as_u16(), self.0.code)?;
        if let Some(detail) = &self.0.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.0.status.is_server_error() {
            if let Some(source) = &self.0.source {
                tracing::error!(code = self.0.code, error = %source, error.debug = ?source, "request failed");
            } else {
                tracing::error!(code = self.0.code, "request failed");
            }
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (self.0.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = self.0.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response.extensions_mut().insert(ErrorCode(self.0.code));
        response
    }
}

/// How many times a database connection was found broken (its socket, or the server ending it),
/// process-wide. Connection pools compare it with the count when a connection was last known
/// good, and check the connection again before reusing it when the count moved: a restart or a
/// failover breaks every pooled connection at once, and none may fail twice.
static CONNECTION_FAULTS: AtomicU64 = AtomicU64::new(0);

pub fn connection_faults() -> u64 {
    CONNECTION_FAULTS.load(Ordering::Acquire)
}

/// Counts a broken connection found elsewhere than in an error mapped here (a failed ping).
pub fn note_connection_fault() {
    CONNECTION_FAULTS.fetch_add(1, Ordering::AcqRel);
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        let broken = match &err {
            sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) => true,
            sqlx::Error::Database(db) => db.code().as_deref().is_some_and(server_went_away),
            _ => false,
        };
        if broken {
            note_connection_fault();
        }
        match &err {
            sqlx::Error::RowNotFound => Self::not_found("the resource does not exist"),
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_) => Self::unavailable(err),
            sqlx::Error::Database(db) if db.code().as_deref().is_some_and(server_went_away) => Self::unavailable(err),
            // 57014: a statement cut by its time limit (`statement_timeout`), its transaction
            // rolled back.
            sqlx::Error::Database(db) if db.code().as_deref() == Some("57014") => {
                Self::busy("the request took too long on the database; retry in a moment").with_source(err)
            }
            // HMOVE: the tenant is switching to another database (`tenant_schema::TENANT_MOVING`,
            // raised as its transaction began): nothing was written.
            sqlx::Error::Database(db) if db.code().as_deref() == Some("HMOVE") => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "tenant_moving",
                "this organisation is moving to another database; retry in a moment",
            )
            .with_source(err)
            .with_retry_after(2),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::conflict("the resource already exists").with_source(err)
            }
            _ => Self::internal(err),
        }
    }
}

/// SQLSTATEs of a server that is going away or cannot take the connection now (a restart, a
/// failover, too many clients): the request may succeed on retry, so they are a 503 with
/// `Retry-After`, never a 500. Class 08 is connection exceptions; 57P01..57P03 an administrator's
/// shutdown, a crash shutdown, and a server that cannot connect now; 53300 too many connections;
/// 25006 a write refused by a standby (a connection left on a primary that was demoted).
fn server_went_away(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300" | "25006")
}

/// Maps a database constraint violation to a chosen API error:
/// `query.await.on_constraint("things_name_key", |_| ApiError::conflict("name taken"))`.
pub trait OnConstraint<T> {
    fn on_constraint(
        self,
        name: &str,
        to_error: impl FnOnce(&dyn sqlx::error::DatabaseError) -> ApiError,
    ) -> ApiResult<T>;
}

impl<T> OnConstraint<T> for Result<T, sqlx::Error> {
    fn on_constraint(
        self,
        name: &str,
        to_error: impl FnOnce(&dyn sqlx::error::DatabaseError) -> ApiError,
    ) -> ApiResult<T> {
        self.map_err(|err| match &err {
            sqlx::Error::Database(db) if db.constraint() == Some(name) => to_error(db.as_ref()),
            _ => ApiError::from(err),
        })
    }
}

/// The stable code for a bare status, for responses produced outside handlers (routing,
/// layers, extractor rejections).
pub fn code_for_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "validation_failed",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        503 => "dependency_unavailable",
        504 => "request_timeout",
        s if s >= 500 => "internal_error",
        _ => "client_error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection the server terminates (as a restart or a failover does) answers 503 with
    /// `Retry-After`, on the real server the tests use.
    #[tokio::test]
    async fn a_connection_the_server_terminated_is_a_503() {
        use sqlx::Connection as _;
        let url = std::env::var("TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let mut doomed = sqlx::PgConnection::connect(&url).await.expect("the test server");
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut doomed).await.unwrap();
        let mut admin = sqlx::PgConnection::connect(&url).await.expect("the test server");
        let ended: bool =
            sqlx::query_scalar("SELECT pg_terminate_backend($1)").bind(pid).fetch_one(&mut admin).await.unwrap();
        assert!(ended);
        let err = sqlx::query("SELECT 1").execute(&mut doomed).await.expect_err("the server ended it");
        let answer = ApiError::from(err);
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE, "{answer:?}");
        let response = answer.into_response();
        assert!(response.headers().contains_key(header::RETRY_AFTER));
        for code in ["57P01", "57P02", "57P03", "08006", "08001", "53300"] {
            assert!(server_went_away(code), "{code}");
        }
        for code in ["23505", "42P01", "57014"] {
            assert!(!server_went_away(code), "{code}");
        }
    }

    async fn body_json(response: Response) -> serde_json::Value {
        let bytes = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn renders_problem_json_with_extensions() {
        let err = ApiError::new(StatusCode::CONFLICT, "invalid_transition", "closed is final")
            .with_extension("allowed", ["in_progress"]);
        let response = err.into_response();
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        let body = body_json(response).await;
        assert_eq!(body["type"], "urn:helpdeskly:problem:invalid_transition");
        assert_eq!(body["title"], "Conflict");
        assert_eq!(body["code"], "invalid_transition");
        assert_eq!(body["allowed"], serde_json::json!(["in_progress"]));
        assert!(body.get("errors").is_none());
    }

    #[tokio::test]
    async fn server_errors_hide_their_source() {
        let err = ApiError::internal(std::io::Error::other("password=hunter2 at 10.0.0.3"));
        let body = body_json(err.into_response()).await;
        assert_eq!(body["code"], "internal_error");
        assert!(!body.to_string().contains("hunter2"));
    }

    #[tokio::test]
    async fn pool_timeouts_are_unavailable_and_missing_rows_not_found() {
        assert_eq!(ApiError::from(sqlx::Error::PoolTimedOut).status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(ApiError::from(sqlx::Error::RowNotFound).code(), "not_found");
        let response = ApiError::from(sqlx::Error::PoolTimedOut).into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    }
}
