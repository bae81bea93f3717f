//! Query-string values: one the endpoint does not know (`?status=bogus`) is a 400
//! `validation_failed` that names the parameter, on both planes. `ListQuery` reads a query whose
//! parameters may repeat (`?tag=a&tag=b`).

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// The query string read as `T`, a repeated parameter as a list (`Vec` fields take every
/// `?tag=` given; axum's `Query` refuses a repeated name). What cannot be read is an
/// [`invalid_query`].
#[derive(Debug, Clone, Default)]
pub struct ListQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ListQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_list_query(parts.uri.query().unwrap_or_default()).map(Self)
    }
}

/// `query` (a query string without its `?`) read as `ListQuery` reads it. An empty value is
/// refused where only a non-empty one fits (`?limit=`: a number, a choice, a flag), as the
/// documents say; an empty text stays an empty text (`?q=`), for the endpoint to judge.
pub fn parse_list_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let read = serde_html_form::from_str(query).map_err(|err| {
        invalid_query(vec![FieldError::new("", format!("Failed to deserialize query string: {err}"))])
    })?;
    match empty_where_text_does_not_fit::<T>(query) {
        Some(field) => Err(invalid_query(vec![FieldError::new(field, "must not be empty")])),
        None => Ok(read),
    }
}

/// The first parameter given an empty value (`limit=` or a bare `limit`) that a text would not
/// fit either: serde_html_form reads an empty value of any other type as an absent one, so each
/// empty value is tried again as a short text.
fn empty_where_text_does_not_fit<T: DeserializeOwned>(query: &str) -> Option<&str> {
    let pairs = || query.split('&');
    pairs().enumerate().find_map(|(at, pair)| {
        let field = pair.strip_suffix('=').or_else(|| (!pair.is_empty() && !pair.contains('=')).then_some(pair))?;
        // Only a query with an empty value is read again.
        let filled: Vec<String> = pairs()
            .enumerate()
            .map(|(other, pair)| if other == at { format!("{field}=x") } else { pair.to_owned() })
            .collect();
        serde_html_form::from_str::<T>(&filled.join("&")).is_err().then_some(field)
    })
}

/// 400 `validation_failed` with `errors: [{field, message}]`, `field` being the query
/// parameter: the request could not be read as asked, like a body of the wrong shape.
pub fn invalid_query(errors: Vec<FieldError>) -> ApiError {
    ApiError::invalid(errors).with_status(StatusCode::BAD_REQUEST)
}

/// The value of the query parameter `field` among `choices` (`None` when absent); any other
/// value is an [`invalid_query`] listing the choices.
pub fn one_of<T: Copy>(field: &str, value: Option<&str>, choices: &[(&str, T)]) -> Result<Option<T>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    choices.iter().find(|(name, _)| *name == value).map(|(_, v)| Some(*v)).ok_or_else(|| {
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        invalid_query(vec![FieldError::new(field, format!("must be one of {}", names.join(", ")))])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Wanted {
        #[serde(default)]
        tag: Vec<String>,
        status: Option<String>,
        limit: Option<u32>,
    }

    async fn read(query: &str) -> Result<Wanted, ApiError> {
        let request = axum::http::Request::builder().uri(format!("/v1/tickets?{query}")).body(()).unwrap();
        let (mut parts, ()) = request.into_parts();
        ListQuery::<Wanted>::from_request_parts(&mut parts, &()).await.map(|ListQuery(wanted)| wanted)
    }

    #[tokio::test]
    async fn repeated_parameters_are_lists_and_unknown_ones_refused() {
        let wanted = read("tag=a&status=open&tag=b%3Ac").await.unwrap();
        assert_eq!(wanted.tag, ["a", "b:c"]);
        assert_eq!(wanted.status.as_deref(), Some("open"));
        assert!(read("").await.unwrap().tag.is_empty());
        let err = read("tagg=a").await.unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert!(err.problem().errors[0].message.contains("unknown field `tagg`"), "{:?}", err.problem().errors);
    }

    #[tokio::test]
    async fn an_empty_value_is_refused_where_a_text_would_not_fit() {
        assert_eq!(read("limit=20").await.unwrap().limit, Some(20));
        for query in ["limit=", "limit", "status=open&limit=", "limit=&tag=a"] {
            let err = read(query).await.unwrap_err();
            assert_eq!(err.status(), StatusCode::BAD_REQUEST, "{query}");
            assert_eq!(err.problem().errors, [FieldError::new("limit", "must not be empty")], "{query}");
        }
        let wanted = read("status=&tag=").await.unwrap();
        assert_eq!((wanted.status.as_deref(), wanted.tag, wanted.limit), (Some(""), vec![String::new()], None));
        assert!(read("limit=x").await.is_err(), "a value that is not a number");
    }

    #[test]
    fn unknown_values_name_the_parameter() {
        let choices = [("open", 1), ("closed", 2)];
        assert_eq!(one_of("status", None, &choices).unwrap(), None);
        assert_eq!(one_of("status", Some("closed"), &choices).unwrap(), Some(2));
        let err = one_of("status", Some("bogus"), &choices).unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        let problem = err.problem();
        assert_eq!(problem.code, "validation_failed");
        assert_eq!(problem.errors, [FieldError::new("status", "must be one of open, closed")]);
    }
}
