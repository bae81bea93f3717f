//! Handlers, one module per resource.

pub mod auth;
mod caller;
pub mod jwks;
pub mod operations;
mod refusals;
pub mod tenants;

pub use caller::{Actor, Caller};
pub use refusals::LockedOut;
