//! Handlers, one module per resource.

pub mod export;
pub mod me;
pub mod operations;
pub mod orders;
pub mod reports;
pub mod sla_policy;
pub mod tickets;
pub mod users;
