//! Test harness shared by the services' integration tests (feature `testkit`): fresh
//! PostgreSQL databases cloned from a template migrated once per run, a Redis key namespace per
//! test, and a real HTTP server on a loopback port with a client pointed at it.

mod database;
mod eventually;
mod redis_namespace;
mod server;
mod snapshot;

pub use database::{
    TestDatabase, admin_options, admin_url, derived_template, drop_databases_and_roles, drop_tenants_of,
    test_name_prefix,
};
pub use eventually::eventually;
pub use redis_namespace::{TestRedis, redis_url};
pub use server::{TestResponse, TestServer, assert_errors_are_problem_json};
pub use snapshot::assert_json_snapshot;
