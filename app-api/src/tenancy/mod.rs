//! The tenant of each request: resolution (which tenant, in what state) and the per-tenant
//! connection pools under one budget. (The middleware that ties a request to one tenant and one
//! user is `crate::context`; the listener for published changes, `crate::worker::evictions`.)

pub mod budget;
pub mod pools;
pub mod resolve;
