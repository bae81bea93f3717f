//! Handlers, one module per resource.

pub mod attachments;
pub mod control_routes;
pub mod export;
pub mod files;
pub mod me;
pub mod notifications;
pub mod operations;
pub mod orders;
pub mod reports;
pub mod sla_policy;
pub mod staff;
pub mod stream;
pub mod tickets;
pub mod users;
