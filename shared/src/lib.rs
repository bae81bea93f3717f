//! What both Helpdeskly services need and nothing domain-specific: typed configuration, the
//! problem+json error type, the HTTP layers every request goes through, telemetry, metrics,
//! readiness checks, graceful serving, tokens and keys (`auth`, `crypto`, `signed`), the backing
//! services as every part uses them (`redis` and its subscriber loop, `amqp` and its consumer
//! runner, `mail`), the one backoff rule, rate limits, and change versions. The plain words the
//! domain shares with them (field errors, roles, text columns, `kept`, mail text) live in
//! `base`, re-exported here where the services name them. The test harness is the `harness`
//! crate. ARCHITECTURE.md at the root places each of them.
#![forbid(unsafe_code)]

pub mod amqp;
pub mod auth;
pub mod backoff;
pub mod bootstrap;
pub mod change_version;
pub mod config;
pub mod crypto;
pub mod error;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod primary;
pub mod ratelimit;
pub mod readiness;
pub mod redis;
pub mod serve;
pub mod signed;
pub mod telemetry;
pub mod tenant;
pub mod work_queue;

pub use base::{kept, text_column};
pub use error::{ApiError, ApiResult};
