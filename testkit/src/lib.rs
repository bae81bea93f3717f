//! The Helpdeskly test platform, used by both services' integration tests and by the bench:
//! a control plane ([`ControlPlane`], control-api's `TestApp`) and a whole platform of a
//! control plane and app-api replicas ([`Platform`]), on real PostgreSQL, Redis and RabbitMQ,
//! configured by typed options ([`ControlOptions`], and the services' own `ControlConfig` and
//! `AppConfig`), never by environment strings. Databases, Redis namespaces and tenant
//! databases and roles are a test's own and dropped with it; the pieces that need no
//! database of their own are the `harness` crate's.

mod control;
mod image;
pub mod mailbox;
pub mod oidc;
mod options;
mod people;
mod platform;
pub mod webhooks;

pub use control::{ControlPlane, connect_as_tenant};
pub use options::{
    BASE_DOMAIN, ControlOptions, PASSWORD, Service, TEST_ENCRYPTION_KEY, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY,
    TenantTemplate, WithRedis, Worker, amqp_url, broker_url, parse, redis_at, test_tenant_template, url,
};
pub use people::{signup_body, unique_email, unique_slug};
pub use platform::{Org, Person, Platform, Replica, TenantDb};
