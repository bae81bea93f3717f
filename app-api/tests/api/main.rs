//! app-api integration tests: the real router on real PostgreSQL, Redis and RabbitMQ, over
//! TCP, with a real control plane provisioning the tenants.

mod attachments;
mod backup;
mod events;
mod helpers;
mod limits;
mod operations;
mod secrets;
mod tenancy;
mod tickets;
mod web;
