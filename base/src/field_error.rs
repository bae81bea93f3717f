//! What a request got wrong, field by field.

use serde::Serialize;
use utoipa::ToSchema;

/// One field that failed validation.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field in the request (`admin.email`, `slug`); empty for the whole body.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}
