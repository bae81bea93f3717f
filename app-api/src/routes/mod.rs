//! Handlers, one module per resource.

pub mod operations;
