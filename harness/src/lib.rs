//! The test harness of the services' integration and unit tests, the test platform (`testkit`)
//! and the bench: fresh PostgreSQL databases cloned from a template migrated once per run, a
//! Redis key namespace per test, a real HTTP server on a loopback port with a client pointed at
//! it, `eventually`, and JSON snapshots. A crate of its own rather than a feature of `shared`, so
//! that `shared` (and every crate above it) has one feature set in the services' build and in the
//! tests', and one build serves both.

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
pub use server::{TestResponse, TestServer, assert_errors_are_problem_json, statuses_naming};
pub use snapshot::assert_json_snapshot;
