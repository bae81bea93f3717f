//! control-api integration tests: the real router on real PostgreSQL and Redis, over TCP.

mod auth;
mod helpers;
mod operations;
mod process;
mod tenants;
mod two_factor;
