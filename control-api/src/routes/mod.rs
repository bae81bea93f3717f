//! Handlers, one module per resource.

pub mod auth;
pub mod jwks;
pub mod operations;
pub mod tenants;
