//! Query-string values: one the endpoint does not know (`?status=bogus`) is a 400
//! `validation_failed` that names the parameter, on both planes.

use axum::http::StatusCode;

use crate::error::{ApiError, FieldError};

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
