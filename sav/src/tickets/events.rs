//! What ticket changes announce: the SAV events, with the payloads they are published with. `lifecycle` and the
//! handlers produce them; app-api's `events` writes them to the outbox in the change's
//! transaction.

use serde::Serialize;

use super::priority::Priority;
use super::status::Status;

use crate::ids::{OrganizationId, RuleId, TeamId, TicketId, UserId};

/// Which side wrote a message (`ticket_messages.sender_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SenderType {
    Customer,
    Agent,
}

impl SenderType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Agent => "agent",
        }
    }

    /// The side an actor writes from (the system writes as staff).
    pub fn of(actor: super::status::Actor) -> Self {
        match actor {
            super::status::Actor::Customer => Self::Customer,
            super::status::Actor::Agent | super::status::Actor::System => Self::Agent,
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Customer, Self::Agent].into_iter().find(|s| s.as_str() == value)
    }
}

base::text_column!(SenderType, parse);

/// Which SLA target a breach missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlaType {
    Response,
    Resolution,
    /// A next-response round's target (`sla_by_condition`).
    NextResponse,
}

impl SlaType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Response => "response",
            Self::Resolution => "resolution",
            Self::NextResponse => "next_response",
        }
    }
}

/// One event, tagged with its published name; `data` is its payload.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", content = "data")]
pub enum Event {
    TicketCreated {
        ticket_id: TicketId,
        ticket_number: String,
        user_id: UserId,
        subject: String,
        priority: Priority,
        status: Status,
        order_id: Option<i64>,
        category: Option<String>,
        /// The team whose queue it entered, if any.
        team_id: Option<TeamId>,
        /// Its customer organisation, if any.
        organization_id: Option<OrganizationId>,
        tags: Vec<String>,
        /// Its custom fields' values, `{key: value}`.
        fields: serde_json::Value,
        /// The customer is told of it (they opened it, or staff asked for it).
        requester_notified: bool,
    },
    TicketAssigned {
        ticket_id: TicketId,
        ticket_number: String,
        /// Null when the ticket was unassigned.
        assigned_to: Option<UserId>,
        /// Null when the system assigned it.
        assigned_by: Option<UserId>,
        previous_status: Status,
        new_status: Status,
    },
    TicketStatusChanged {
        ticket_id: TicketId,
        ticket_number: String,
        user_id: UserId,
        previous_status: Status,
        new_status: Status,
        /// Null when the system moved the ticket.
        changed_by: Option<UserId>,
        reason: Option<String>,
    },
    TicketResolved {
        ticket_id: TicketId,
        ticket_number: String,
        user_id: UserId,
        /// Null when the system resolved it.
        resolved_by: Option<UserId>,
        /// Wall-clock minutes from creation to resolution.
        resolution_time_minutes: i64,
        /// Neither the response nor the resolution target was missed.
        sla_met: bool,
        category: Option<String>,
    },
    /// A ticket missed an SLA target (published as "TicketSLABreach"), once per ticket and target.
    #[serde(rename = "TicketSLABreach")]
    TicketSlaBreach {
        ticket_id: TicketId,
        ticket_number: String,
        /// The priority the ticket breached at (a response breach raises it afterwards).
        priority: Priority,
        sla_type: SlaType,
        /// The target, and the time the clock ran until the breach was found, in minutes.
        expected_minutes: i64,
        actual_minutes: i64,
        assigned_to: Option<UserId>,
    },
    /// Its properties changed: subject, category, priority, metadata, team, tags, custom fields,
    /// or the tickets merged into it (what status and assignment events do not tell).
    TicketUpdated {
        ticket_id: TicketId,
        ticket_number: String,
        user_id: UserId,
        /// Null when the system changed it.
        updated_by: Option<UserId>,
        /// What changed, as the history entry says it: `{property: [before, after]}`.
        changes: serde_json::Value,
        /// The ticket's team, customer organisation, tags and custom fields after the change.
        team_id: Option<TeamId>,
        organization_id: Option<OrganizationId>,
        tags: Vec<String>,
        fields: serde_json::Value,
    },
    MessageAdded {
        ticket_id: TicketId,
        ticket_number: String,
        message_id: i64,
        sender_id: UserId,
        sender_type: SenderType,
        is_internal: bool,
        has_attachments: bool,
        attachment_count: i64,
        /// The files posted with the message.
        attachment_ids: Vec<i64>,
    },
    /// A rule's mail to staff or an address (`sav::rules`), written by the notification worker.
    RuleMail {
        ticket_id: TicketId,
        ticket_number: String,
        rule_id: RuleId,
        rule_name: String,
        /// The staff it goes to (the assignee, the team's members or the admins, as the rule
        /// found them).
        user_ids: Vec<UserId>,
        /// An address it goes to.
        address: Option<String>,
        subject: String,
        body: String,
    },
    /// A notification was written to a person's bell (by the notification worker): the live
    /// stream tells that person's open pages.
    NotificationCreated {
        ticket_id: TicketId,
        user_id: UserId,
        notification_id: i64,
        kind: &'static str,
    },
    /// A customer organisation was made, changed (its name, domains, sharing, notes) or deleted.
    OrganizationCreated {
        organization: OrganizationNamed,
    },
    OrganizationUpdated {
        organization: OrganizationNamed,
    },
    OrganizationDeleted {
        organization: OrganizationNamed,
    },
}

/// A customer organisation as its events name it.
#[derive(Debug, Clone, Serialize)]
pub struct OrganizationNamed {
    pub id: OrganizationId,
    pub name: String,
    pub domains: Vec<String>,
}

impl Event {
    /// The routing key on `sav_exchange`.
    pub fn routing_key(&self) -> &'static str {
        match self {
            Self::TicketCreated { .. } => "sav.ticket.created",
            Self::TicketAssigned { .. } => "sav.ticket.assigned",
            Self::TicketStatusChanged { .. } => "sav.ticket.status_changed",
            Self::TicketResolved { .. } => "sav.ticket.resolved",
            Self::TicketUpdated { .. } => "sav.ticket.updated",
            Self::MessageAdded { .. } => "sav.ticket.message_added",
            Self::TicketSlaBreach { .. } => "sav.ticket.sla_breach",
            Self::RuleMail { .. } => "sav.ticket.rule_mail",
            Self::NotificationCreated { .. } => "sav.notification.created",
            Self::OrganizationCreated { .. } => "sav.organization.created",
            Self::OrganizationUpdated { .. } => "sav.organization.updated",
            Self::OrganizationDeleted { .. } => "sav.organization.deleted",
        }
    }
}
