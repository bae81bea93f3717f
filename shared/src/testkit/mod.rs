//! Test harness shared by the services' integration tests (feature `testkit`): fresh
//! PostgreSQL databases cloned from a template migrated once per run, and a real HTTP server
//! on a loopback port with a client pointed at it.

mod database;
mod server;

pub use database::{TestDatabase, admin_options};
pub use server::{TestResponse, TestServer};
