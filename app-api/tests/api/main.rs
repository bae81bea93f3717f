//! app-api integration tests: the real router on real PostgreSQL and Redis, over TCP, with a
//! real control plane provisioning the tenants.

mod helpers;
mod limits;
mod operations;
mod secrets;
mod tenancy;
mod tickets;
