//! Why the ticket layer refuses, as plain values its repositories and checks return; the HTTP
//! layer turns each into its answer (`routes::tickets`).

use shared::error::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// No such ticket, or not one the caller may see: the same answer for both.
    #[error("there is no ticket {0}")]
    NoTicket(i64),
    /// The caller left the tenant, or never was in it.
    #[error("you are not a member of this tenant (any more)")]
    NotMember,
    /// Nothing on a closed ticket changes.
    #[error("ticket {0} is closed; a closed ticket does not change")]
    Closed(String),
    /// The caller's part does not allow it.
    #[error("{0}")]
    NotYours(&'static str),
    /// A field names something this tenant does not have.
    #[error("{}: {}", .0.field, .0.message)]
    Field(FieldError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}
