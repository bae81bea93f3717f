//! The ticket endpoints: `/v1/tickets`, one ticket, its assignment, status, messages and
//! history. Each handler reads its input into checked values, then reads the ticket as the
//! caller may see it (`crate::access::Access`) or writes it through `TicketWriter`, whose
//! command makes the change in one transaction with the history entry and the outbox events.

pub mod assign;
pub mod bulk;
pub mod create;
pub mod customer;
pub mod history;
pub mod links;
pub mod list;
pub mod merge;
pub mod messages;
pub mod participants;
pub mod presence;
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

/// 422 with every field error, or nothing.
pub(crate) fn reject(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(errors)) }
}
