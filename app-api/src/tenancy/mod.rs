//! The tenant of each request: resolution (which tenant, in what state), the per-tenant
//! connection pools, and the middleware that ties a request to one tenant and one user.

pub mod context;
pub mod evictions;
pub mod pools;
pub mod resolve;
