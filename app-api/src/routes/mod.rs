//! Handlers, one module per resource.

pub mod api_keys;
pub mod attachments;
pub mod categories;
pub mod channels;
pub mod control_routes;
pub mod export;
pub mod fields;
pub mod files;
pub mod help_center;
pub mod help_images;
pub mod help_pages;
pub mod inbound;
pub mod macros;
pub mod mail_links;
pub mod me;
pub mod notifications;
pub mod onboarding;
pub mod operations;
pub mod orders;
pub mod organizations;
pub mod reports;
pub mod rules;
pub mod satisfaction;
pub mod schedules;
pub mod sla_by_condition;
pub mod sla_default;
pub mod staff;
pub mod stream;
pub mod tags;
pub mod teams;
pub mod ticket_settings;
pub mod tickets;
pub mod users;
pub mod views;
pub mod webhooks;

use serde::{Deserialize, Deserializer};

/// For a field that may be absent (no change), null (clear) or a value (set).
#[allow(clippy::option_option, reason = "JSON's three cases: absent, null, a value")]
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
