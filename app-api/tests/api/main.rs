//! app-api integration tests: the real router on real PostgreSQL, Redis and RabbitMQ, over
//! TCP, with a real control plane provisioning the tenants.

// The futures of the longest tests (a whole platform started inline, then dozens of requests)
// nest deeper than the compiler's default query depth allows.
#![recursion_limit = "256"]

mod agent_tools;
mod attachments;
mod backup;
mod clusters;
mod events;
mod failover;
mod help_center;
mod help_images;
mod helpers;
mod integrations;
mod limits;
mod live;
mod mail_faults;
mod mail_in;
mod moves;
mod notifications;
mod operations;
mod participants_mail;
mod pooled;
mod reports_digest;
mod secrets;
mod sso_logout;
mod tenancy;
mod tenant_rows;
mod tickets;
mod web;
