//! The after-sales domain of a tenant: its tickets (the rules as plain functions, and their
//! rows), the customers and staff it knows, the customer organisations they belong to, their orders, the agents' macros, the teams and
//! routing, the automation rules (`rules`), the customers' satisfaction ratings, the staff's
//! saved views, the dashboards' reads, and the GDPR export and erasure. app-api's routes,
//! commands and workers call into it. It depends on no HTTP crate: each area refuses with an
//! error enum of its own, which app-api answers at its edge (its `refusals`: `Answer`).
#![forbid(unsafe_code)]

pub mod categories;
pub mod customers;
pub mod erasure;
pub mod export;
pub mod ids;
pub mod macros;
pub mod onboarding;
pub mod orders;
pub mod organizations;
pub mod reports;
pub mod routing;
pub mod rules;
pub mod satisfaction;
pub mod schedules;
pub mod teams;
pub mod ticket_settings;
pub mod tickets;
pub mod users;
pub mod views;
