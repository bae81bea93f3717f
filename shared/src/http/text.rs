//! Text PostgreSQL cannot store. A `text` value cannot hold the NUL character (U+0000): one that
//! reached the database would fail there, as an error of the server's. It is refused at the
//! edge instead, by this one rule for JSON bodies and query strings alike: 422
//! `validation_failed` naming the field, before a handler runs.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::error::{ApiError, FieldError};

const NUL_MESSAGE: &str = "must not contain the NUL character (U+0000)";

/// 422 naming `field`, which holds a NUL character.
pub fn holds_nul(field: String) -> ApiError {
    ApiError::invalid(vec![FieldError::new(field, NUL_MESSAGE)])
}

/// The path of the first string (or key) of a JSON body that holds a NUL character. JSON can
/// only carry one escaped, so bodies without `\u0000` are not walked.
pub fn nul_in_json(bytes: &[u8]) -> Option<String> {
    if !bytes.windows(6).any(|w| w == b"\\u0000") {
        return None;
    }
    let value: Value = serde_json::from_slice(bytes).ok()?;
    find(&value, String::new())
}

fn find(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(text) => text.contains('\0').then_some(path),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| find(item, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let shown = key.replace('\0', "");
            let at = if path.is_empty() { shown } else { format!("{path}.{shown}") };
            if key.contains('\0') { Some(at) } else { find(item, at) }
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => None,
    }
}

/// The name of the first query parameter whose name or value holds a NUL character.
pub fn nul_in_query(query: &str) -> Option<String> {
    // A query string carries a NUL only percent-encoded.
    if !query.contains("%00") {
        return None;
    }
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = |part: &str| percent_decode_str(part).collect::<Vec<u8>>();
        let (name_bytes, value_bytes) = (decoded(name), decoded(value));
        (name_bytes.contains(&0) || value_bytes.contains(&0))
            .then(|| String::from_utf8_lossy(&name_bytes).replace('\0', ""))
    })
}

/// Refuses a request whose query string holds a NUL character (the body is `JsonBody`'s).
pub async fn refuse_nul_in_query(request: Request, next: Next) -> Response {
    if let Some(parameter) = request.uri().query().and_then(nul_in_query) {
        return holds_nul(parameter).into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_characters_are_found_with_their_field() {
        assert_eq!(nul_in_json(br#"{"email": "\u0000"}"#), Some("email".into()));
        assert_eq!(nul_in_json(br#"{"metadata": {"a": ["x", "a\u0000b"]}}"#), Some("metadata.a[1]".into()));
        assert_eq!(nul_in_json(br#"{"metadata": {"a\u0000": 1}}"#), Some("metadata.a".into()));
        assert_eq!(nul_in_json(br#"{"email": "a\\u0000"}"#), None, "an escaped backslash, then text");
        assert_eq!(nul_in_json(br#"{"email": "plain"}"#), None);
        assert_eq!(nul_in_query("q=%00"), Some("q".into()));
        assert_eq!(nul_in_query("status=open&category=a%00b"), Some("category".into()));
        assert_eq!(nul_in_query("a%00=1"), Some("a".into()));
        assert_eq!(nul_in_query("q=100%25"), None);
    }
}
