//! The ticket endpoints: `/v1/tickets`, one ticket, its assignment, status, messages and
//! history. Each handler reads its input into checked values, loads the caller (`Viewer`), and
//! makes its change in one transaction with the history entry and the outbox events.

pub mod assign;
pub mod bulk;
pub mod create;
pub mod history;
pub mod list;
pub mod merge;
pub mod messages;
pub mod read;
pub mod status;
pub mod update;

use serde::{Deserialize, Deserializer};
use shared::error::{ApiError, FieldError};

/// For a field that must be present but may be null: `{"assigned_to": null}`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}

/// For a field that may be absent (no change), null (clear) or a value (set).
#[allow(clippy::option_option, reason = "JSON's three cases: absent, null, a value")]
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// 422 with every field error, or nothing.
fn reject(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(errors)) }
}
