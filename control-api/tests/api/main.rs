//! control-api integration tests: the real router on real PostgreSQL and Redis, over TCP.

mod access;
mod account_mail;
mod auth;
mod erasure;
mod export;
mod hardening;
mod helpers;
mod members;
mod migrate_tenants;
mod operations;
mod process;
mod sso;
mod tenants;
mod two_factor;
