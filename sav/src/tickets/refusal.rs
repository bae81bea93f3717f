//! Why the ticket layer refuses, as plain values its repositories and checks return; the HTTP
//! layer turns each into its answer (`routes::tickets`).

use base::FieldError;

use super::status::Status;
use crate::ids::TicketId;

#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// No such ticket, or not one the caller may see: the same answer for both.
    #[error("there is no ticket {0}")]
    NoTicket(TicketId),
    /// The caller left the tenant, or never was in it.
    #[error("you are not a member of this tenant (any more)")]
    NotMember,
    /// Nothing on a closed ticket changes.
    #[error("ticket {0} is closed; a closed ticket does not change")]
    Closed(String),
    /// The caller's part does not allow it.
    #[error("{0}")]
    NotYours(&'static str),
    /// The status machine refuses the move; `allowed`: the statuses the caller may ask for
    /// instead.
    #[error("{detail}")]
    Transition { detail: String, allowed: Vec<Status> },
    /// The move would take away an assignee the ticket must have.
    #[error("{0}")]
    Assignee(String),
    /// A change would break the ticket's invariants: the platform's fault, not the caller's.
    #[error("ticket {0}: {1}")]
    Broken(TicketId, String),
    /// A change would leave the ticket more tags than it may hold.
    #[error("{0}")]
    TooManyTags(String),
    /// A field names something this tenant does not have.
    #[error("{}: {}", .0.field, .0.message)]
    Field(FieldError),
    /// Fields' values the input got wrong, each named.
    #[error("{}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// A move to resolved while custom fields required to resolve the ticket are empty, each
    /// named (`fields::missing_to_resolve`).
    #[error("fill in {} before resolving this ticket", keys(.0))]
    FieldsRequired(Vec<FieldError>),
    /// Tickets of different customers merged without an admin's leave.
    #[error("these tickets are about different customers; an admin may merge them with allow_different_customers")]
    DifferentCustomers,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The keys of `missing` custom fields, as a list to read.
fn keys(missing: &[FieldError]) -> String {
    missing.iter().map(|e| e.field.trim_start_matches("fields.")).collect::<Vec<_>>().join(", ")
}
