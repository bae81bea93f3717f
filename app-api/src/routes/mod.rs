//! Handlers, one module per resource.

pub mod me;
pub mod operations;
