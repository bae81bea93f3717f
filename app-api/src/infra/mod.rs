//! The tenant plane's plumbing that is not the domain: the access tokens it verifies
//! (`access_tokens`), the sessions revoked anywhere (pushed through Redis, `revocations`), the
//! control plane it calls, and the idempotency keys of retried requests.

pub mod access_tokens;
pub mod control_plane;
pub mod idempotency;
pub mod mail_in_metrics;
pub mod revocations;
