//! Notifications: who is told of each SAV event, and how (DESIGN.md "Notifications").
//!
//! - `decide`: the rule, a plain function from an event and the ticket's people to the
//!   recipients and the kind of notification each gets;
//! - `render`: the words (the bell's title, the mail's subject and bodies), in English or French;
//! - `links`: the signed tokens mail carries (one-click unsubscribe, the reply address);
//! - `store`: the tenant database's side (settings, the bell, mail deliveries, suppressions);
//! - the worker (`crate::worker::notify`) reads the events from the broker, writes the rows and
//!   sends the mail.

pub mod decide;
pub mod digest;
pub mod links;
pub mod metrics;
pub mod notices;
pub mod render;
pub mod store;

use serde::{Deserialize, Serialize};
use shared::auth::Role;

/// The mail part of the state: the SMTP client (configured or not) and the notifications'
/// metrics.
pub struct Mail {
    pub mailer: shared::mail::Mailer,
    pub metrics: metrics::NotificationMetrics,
}

/// What a notification is about: the six kinds about tickets (the keys of the preferences), and
/// the notices owners and admins get about the organisation (`notices`), which nobody turns
/// off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    TicketCreated,
    TicketAssigned,
    MessageAdded,
    StatusChanged,
    TicketResolved,
    SlaBreach,
    /// A webhook endpoint was disabled (it answered 410, or failed for three days).
    WebhookDisabled,
    /// A rule of the organisation's mailed staff or an address (`sav::rules`).
    RuleMail,
    /// The reports' digest, to the addresses an admin chose (`sav::reports::digest`).
    ReportDigest,
}

impl Kind {
    /// The kinds a person chooses (the preferences' keys).
    pub const ALL: [Self; 6] = [
        Self::TicketCreated,
        Self::TicketAssigned,
        Self::MessageAdded,
        Self::StatusChanged,
        Self::TicketResolved,
        Self::SlaBreach,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TicketCreated => "ticket_created",
            Self::TicketAssigned => "ticket_assigned",
            Self::MessageAdded => "message_added",
            Self::StatusChanged => "status_changed",
            Self::TicketResolved => "ticket_resolved",
            Self::SlaBreach => "sla_breach",
            Self::WebhookDisabled => "webhook_disabled",
            Self::RuleMail => "rule_mail",
            Self::ReportDigest => "report_digest",
        }
    }

    /// Any kind, a chosen one or a notice.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain([Self::WebhookDisabled, Self::RuleMail, Self::ReportDigest])
            .find(|k| k.as_str() == value)
    }

    /// Whether people choose to get this kind (a notice is not a choice).
    pub fn is_chosen(self) -> bool {
        Self::ALL.contains(&self)
    }

    /// Whether a customer can ever receive this kind (the others are about staff work).
    pub fn reaches_customers(self) -> bool {
        matches!(self, Self::TicketCreated | Self::MessageAdded | Self::StatusChanged | Self::TicketResolved)
    }
}

/// Where a notification goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    InApp,
}

impl Channel {
    pub const ALL: [Self; 2] = [Self::Email, Self::InApp];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::InApp => "in_app",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == value)
    }
}

/// Whether `kind` reaches a person of `role` on `channel` when they chose nothing: customers
/// hear of their tickets; agents of what is theirs to do; owners and admins also of breaches.
/// New tickets reach staff only when they ask for it.
pub fn default_enabled(role: Role, _channel: Channel, kind: Kind) -> bool {
    match role {
        Role::Customer => kind.reaches_customers(),
        Role::Agent => matches!(kind, Kind::TicketAssigned | Kind::MessageAdded | Kind::StatusChanged),
        Role::Admin | Role::Owner => {
            matches!(kind, Kind::TicketAssigned | Kind::MessageAdded | Kind::StatusChanged | Kind::SlaBreach)
        }
        Role::PlatformAdmin | Role::Integration => false,
    }
}

pub use shared::mail::Language;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_channels_read_back() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
        assert_eq!(Kind::parse("ticket_deleted"), None);
    }

    #[test]
    fn customers_never_default_to_staff_kinds() {
        for kind in Kind::ALL {
            for channel in Channel::ALL {
                assert_eq!(default_enabled(Role::Customer, channel, kind), kind.reaches_customers());
            }
        }
        assert!(!default_enabled(Role::Agent, Channel::Email, Kind::SlaBreach));
        assert!(default_enabled(Role::Admin, Channel::Email, Kind::SlaBreach));
        assert!(!default_enabled(Role::Owner, Channel::InApp, Kind::TicketCreated));
    }
}
