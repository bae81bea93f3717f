//! Who is told of an event: the SAV events as the notification worker reads them from the
//! broker, and the rule (DESIGN.md "Who is told what") as a plain function of the event and
//! the ticket's people.
//!
//! - The customer: their ticket was created (a confirmation, even of their own ticket), a
//!   public staff reply, the ticket waits for them or was closed, the ticket was resolved.
//! - The assigned agent: a ticket assigned to them, the customer answered or moved the ticket,
//!   a colleague's internal note; the ticket's followers the same, but for the assignment.
//! - Owners and admins: an SLA breach; new tickets when they ask for them (off by default).
//! - Nobody is told of their own action (the creation confirmation aside), and an internal note
//!   is never a customer's notification: the customer is only ever told of public replies.

use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::Kind;
use sav::ids::{TicketId, UserId};

/// A SAV event, with what the notifications need of its payload (the broker carries more).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "event", content = "data")]
pub enum SavEvent {
    TicketCreated {
        ticket_id: TicketId,
        user_id: UserId,
        /// Absent from events written before staff could open tickets silently: told.
        #[serde(default = "told")]
        requester_notified: bool,
    },
    TicketAssigned {
        ticket_id: TicketId,
        assigned_to: Option<UserId>,
        assigned_by: Option<UserId>,
    },
    TicketStatusChanged {
        ticket_id: TicketId,
        user_id: UserId,
        previous_status: String,
        new_status: String,
        changed_by: Option<UserId>,
        reason: Option<String>,
    },
    TicketResolved {
        ticket_id: TicketId,
        user_id: UserId,
        resolved_by: Option<UserId>,
    },
    #[serde(rename = "TicketSLABreach")]
    TicketSlaBreach {
        ticket_id: TicketId,
        sla_type: String,
    },
    MessageAdded {
        ticket_id: TicketId,
        message_id: i64,
        sender_id: UserId,
        sender_type: String,
        is_internal: bool,
    },
    /// A rule's mail, to the people and the address it names (`rule_mail`).
    RuleMail {
        ticket_id: TicketId,
        ticket_number: String,
        rule_name: String,
        user_ids: Vec<UserId>,
        address: Option<String>,
        subject: String,
        body: String,
    },
}

impl SavEvent {
    pub fn ticket_id(&self) -> TicketId {
        match self {
            Self::TicketCreated { ticket_id, .. }
            | Self::TicketAssigned { ticket_id, .. }
            | Self::TicketStatusChanged { ticket_id, .. }
            | Self::TicketResolved { ticket_id, .. }
            | Self::TicketSlaBreach { ticket_id, .. }
            | Self::MessageAdded { ticket_id, .. }
            | Self::RuleMail { ticket_id, .. } => *ticket_id,
        }
    }

    /// Who acted, when a person did (the system acts as nobody).
    pub fn actor(&self) -> Option<UserId> {
        match self {
            Self::TicketCreated { .. } | Self::TicketSlaBreach { .. } | Self::RuleMail { .. } => None,
            Self::TicketAssigned { assigned_by, .. } => *assigned_by,
            Self::TicketStatusChanged { changed_by, .. } => *changed_by,
            Self::TicketResolved { resolved_by, .. } => *resolved_by,
            Self::MessageAdded { sender_id, .. } => Some(*sender_id),
        }
    }
}

/// A message from the broker: the event, its stable id and the tenant it happened in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub event_id: Uuid,
    pub tenant_id: Uuid,
    pub tenant_slug: String,
    /// When the change committed (`timestamp`).
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `None` for an event the notifications do not read (a name they do not know).
    pub event: Option<SavEvent>,
}

/// Reads a message body (`{event, data, message_id, timestamp, tenant: {id, slug}}`); `Err` says
/// why it can never be read.
pub fn parse(body: &[u8]) -> Result<Envelope, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let uuid = |v: Option<&Value>, what: &str| -> Result<Uuid, String> {
        v.and_then(Value::as_str).and_then(|s| s.parse().ok()).ok_or_else(|| format!("{what} is not a UUID"))
    };
    let event_id = uuid(value.get("message_id"), "message_id")?;
    let tenant = value.get("tenant").ok_or("tenant is missing")?;
    let tenant_id = uuid(tenant.get("id"), "tenant.id")?;
    let tenant_slug = tenant.get("slug").and_then(Value::as_str).ok_or("tenant.slug is missing")?.to_owned();
    let name = value.get("event").and_then(Value::as_str).ok_or("event is missing")?;
    let known = [
        "TicketCreated",
        "TicketAssigned",
        "TicketStatusChanged",
        "TicketResolved",
        "TicketSLABreach",
        "MessageAdded",
        "RuleMail",
    ];
    let event = if known.contains(&name) {
        let tagged = serde_json::json!({"event": name, "data": value.get("data").cloned().unwrap_or(Value::Null)});
        Some(serde_json::from_value(tagged).map_err(|e| format!("{name}: {e}"))?)
    } else {
        None
    };
    let occurred_at = value.get("timestamp").and_then(Value::as_str).and_then(|t| t.parse().ok());
    Ok(Envelope { event_id, tenant_id, tenant_slug, occurred_at, event })
}

/// The people of the ticket when the event is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPeople {
    pub customer: UserId,
    pub assignee: Option<UserId>,
    /// The staff who follow it: told what its assignee is told.
    pub followers: Vec<UserId>,
}

impl TicketPeople {
    /// The assignee, then the followers: who hears of the customer's side and of notes.
    fn handlers(&self) -> impl Iterator<Item = UserId> + '_ {
        self.assignee.into_iter().chain(self.followers.iter().copied())
    }
}

fn told() -> bool {
    true
}

/// Whom `event` concerns, and as what, before their preferences: never its actor (but for the
/// creation confirmation), each person once.
pub fn recipients(event: &SavEvent, people: &TicketPeople, managers: &[UserId]) -> Vec<(UserId, Kind)> {
    let mut told: Vec<(UserId, Kind)> = Vec::new();
    let customer = people.customer;
    match event {
        SavEvent::TicketCreated { user_id, requester_notified, .. } => {
            if *requester_notified {
                told.push((*user_id, Kind::TicketCreated));
            }
            told.extend(managers.iter().map(|m| (*m, Kind::TicketCreated)));
        }
        SavEvent::TicketAssigned { assigned_to: Some(agent), .. } => told.push((*agent, Kind::TicketAssigned)),
        SavEvent::TicketStatusChanged { previous_status, new_status, changed_by, .. } => {
            // A customer's answer moves a waiting ticket back to work: the message tells of it.
            let answered = previous_status == "waiting_customer" && new_status == "in_progress";
            // Staff reopening a resolved ticket: the customer hears their case is open again.
            let reopened = previous_status == "resolved" && new_status == "in_progress";
            if *changed_by == Some(customer) {
                if !answered {
                    told.extend(people.handlers().map(|a| (a, Kind::StatusChanged)));
                }
            } else if reopened || matches!(new_status.as_str(), "waiting_customer" | "closed") {
                told.push((customer, Kind::StatusChanged));
            }
        }
        SavEvent::TicketResolved { .. } => told.push((customer, Kind::TicketResolved)),
        SavEvent::TicketSlaBreach { .. } => told.extend(managers.iter().map(|m| (*m, Kind::SlaBreach))),
        SavEvent::MessageAdded { sender_type, is_internal, .. } => {
            if !is_internal && sender_type == "agent" {
                told.push((customer, Kind::MessageAdded));
            }
            // An internal note reaches the assignee and the followers alone: staff.
            if *is_internal || sender_type == "customer" {
                told.extend(people.handlers().map(|a| (a, Kind::MessageAdded)));
            }
        }
        // Nobody to tell of an unassignment; a rule's mail names its recipients
        // (`worker::notify::consumer`).
        SavEvent::TicketAssigned { assigned_to: None, .. } | SavEvent::RuleMail { .. } => {}
    }
    let actor = event.actor();
    let confirmation = matches!(event, SavEvent::TicketCreated { .. });
    let mut seen = std::collections::HashSet::new();
    told.retain(|(person, kind)| {
        let own = Some(*person) == actor && !(confirmation && *kind == Kind::TicketCreated && *person == customer);
        !own && seen.insert(*person)
    });
    told
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new person's id.
    fn person() -> UserId {
        UserId(Uuid::new_v4())
    }

    fn ids() -> (UserId, UserId, UserId, UserId) {
        (person(), person(), person(), person())
    }

    fn message(sender: UserId, side: &str, internal: bool) -> SavEvent {
        SavEvent::MessageAdded {
            ticket_id: TicketId(1),
            message_id: 1,
            sender_id: sender,
            sender_type: side.into(),
            is_internal: internal,
        }
    }

    #[test]
    fn a_public_reply_tells_the_other_side_and_never_the_writer() {
        let (customer, agent, admin, _) = ids();
        let people = TicketPeople { customer, assignee: Some(agent), followers: vec![] };
        assert_eq!(
            recipients(&message(agent, "agent", false), &people, &[admin]),
            vec![(customer, Kind::MessageAdded)]
        );
        assert_eq!(
            recipients(&message(customer, "customer", false), &people, &[admin]),
            vec![(agent, Kind::MessageAdded)]
        );
        // A colleague's reply on someone else's ticket: the customer, and not the colleague.
        assert_eq!(
            recipients(&message(admin, "agent", false), &people, &[admin]),
            vec![(customer, Kind::MessageAdded)]
        );
    }

    #[test]
    fn an_internal_note_never_reaches_the_customer() {
        let (customer, agent, colleague, _) = ids();
        let people = TicketPeople { customer, assignee: Some(agent), followers: vec![] };
        assert_eq!(recipients(&message(colleague, "agent", true), &people, &[]), vec![(agent, Kind::MessageAdded)]);
        assert!(recipients(&message(agent, "agent", true), &people, &[]).is_empty());
        let unassigned = TicketPeople { customer, assignee: None, followers: vec![] };
        assert!(recipients(&message(colleague, "agent", true), &unassigned, &[customer]).is_empty());
    }

    #[test]
    fn followers_hear_what_the_assignee_hears_but_their_own_doing() {
        let (customer, agent, follower, colleague) = ids();
        let people = TicketPeople { customer, assignee: Some(agent), followers: vec![follower, agent] };
        assert_eq!(
            recipients(&message(customer, "customer", false), &people, &[]),
            vec![(agent, Kind::MessageAdded), (follower, Kind::MessageAdded)]
        );
        assert_eq!(
            recipients(&message(colleague, "agent", true), &people, &[]),
            vec![(agent, Kind::MessageAdded), (follower, Kind::MessageAdded)]
        );
        assert_eq!(recipients(&message(follower, "agent", true), &people, &[]), vec![(agent, Kind::MessageAdded)]);
        // A public staff reply is the customer's news; an assignment the assignee's alone.
        assert_eq!(recipients(&message(agent, "agent", false), &people, &[]), vec![(customer, Kind::MessageAdded)]);
        let assigned = SavEvent::TicketAssigned { ticket_id: TicketId(1), assigned_to: Some(agent), assigned_by: None };
        assert_eq!(recipients(&assigned, &people, &[]), vec![(agent, Kind::TicketAssigned)]);
        let unassigned = TicketPeople { customer, assignee: None, followers: vec![follower] };
        assert_eq!(
            recipients(&message(customer, "customer", false), &unassigned, &[]),
            vec![(follower, Kind::MessageAdded)]
        );
    }

    #[test]
    fn the_customer_is_confirmed_their_own_ticket_and_managers_may_hear_of_it() {
        let (customer, _, admin, _) = ids();
        let people = TicketPeople { customer, assignee: None, followers: vec![] };
        let created = SavEvent::TicketCreated { ticket_id: TicketId(1), user_id: customer, requester_notified: true };
        assert_eq!(
            recipients(&created, &people, &[admin]),
            vec![(customer, Kind::TicketCreated), (admin, Kind::TicketCreated)]
        );
        // Staff took it on the phone and did not ask to tell the customer; an event written
        // before the flag existed tells them.
        let silent = SavEvent::TicketCreated { ticket_id: TicketId(1), user_id: customer, requester_notified: false };
        assert_eq!(recipients(&silent, &people, &[admin]), vec![(admin, Kind::TicketCreated)]);
        let old: SavEvent = serde_json::from_value(
            serde_json::json!({"event": "TicketCreated", "data": {"ticket_id": 1, "user_id": customer}}),
        )
        .unwrap();
        assert_eq!(old, created);
    }

    #[test]
    fn assignment_tells_the_assignee_unless_they_took_it() {
        let (customer, agent, admin, _) = ids();
        let people = TicketPeople { customer, assignee: Some(agent), followers: vec![] };
        let by_admin =
            SavEvent::TicketAssigned { ticket_id: TicketId(1), assigned_to: Some(agent), assigned_by: Some(admin) };
        assert_eq!(recipients(&by_admin, &people, &[admin]), vec![(agent, Kind::TicketAssigned)]);
        let taken =
            SavEvent::TicketAssigned { ticket_id: TicketId(1), assigned_to: Some(agent), assigned_by: Some(agent) };
        assert!(recipients(&taken, &people, &[admin]).is_empty());
        let system = SavEvent::TicketAssigned { ticket_id: TicketId(1), assigned_to: Some(agent), assigned_by: None };
        assert_eq!(recipients(&system, &people, &[]), vec![(agent, Kind::TicketAssigned)]);
        let unassigned =
            SavEvent::TicketAssigned { ticket_id: TicketId(1), assigned_to: None, assigned_by: Some(admin) };
        assert!(recipients(&unassigned, &people, &[]).is_empty());
    }

    #[test]
    fn status_changes_reach_whoever_did_not_make_them() {
        let (customer, agent, _, _) = ids();
        let people = TicketPeople { customer, assignee: Some(agent), followers: vec![] };
        let change = |to: &str, by: Option<UserId>| SavEvent::TicketStatusChanged {
            ticket_id: TicketId(1),
            user_id: customer,
            previous_status: "resolved".into(),
            new_status: to.into(),
            changed_by: by,
            reason: None,
        };
        assert_eq!(
            recipients(&change("waiting_customer", Some(agent)), &people, &[]),
            vec![(customer, Kind::StatusChanged)]
        );
        assert_eq!(recipients(&change("closed", None), &people, &[]), vec![(customer, Kind::StatusChanged)]);
        // Resolution has its own event; moves back into the queue are staff business.
        assert!(recipients(&change("resolved", Some(agent)), &people, &[]).is_empty());
        assert!(recipients(&change("open", Some(agent)), &people, &[]).is_empty());
        // Staff reopening: the customer hears of it.
        assert_eq!(
            recipients(&change("in_progress", Some(agent)), &people, &[]),
            vec![(customer, Kind::StatusChanged)]
        );
        // The customer reopening or confirming: their agent hears of it, they do not.
        assert_eq!(
            recipients(&change("in_progress", Some(customer)), &people, &[]),
            vec![(agent, Kind::StatusChanged)]
        );
        assert!(
            recipients(
                &change("closed", Some(customer)),
                &TicketPeople { customer, assignee: None, followers: vec![] },
                &[]
            )
            .is_empty()
        );
    }

    #[test]
    fn resolution_and_breaches() {
        let (customer, agent, admin, owner) = ids();
        let people = TicketPeople { customer, assignee: Some(agent), followers: vec![] };
        let resolved = SavEvent::TicketResolved { ticket_id: TicketId(1), user_id: customer, resolved_by: Some(agent) };
        assert_eq!(recipients(&resolved, &people, &[]), vec![(customer, Kind::TicketResolved)]);
        let breach = SavEvent::TicketSlaBreach { ticket_id: TicketId(1), sla_type: "response".into() };
        assert_eq!(
            recipients(&breach, &people, &[admin, owner]),
            vec![(admin, Kind::SlaBreach), (owner, Kind::SlaBreach)]
        );
    }

    #[test]
    fn messages_from_the_broker_are_read() {
        let body = br#"{"event":"MessageAdded","message_id":"0190e3c4-7a7e-7c4e-9b1e-3f0c2a1d4e5f","timestamp":"2026-01-01T00:00:00Z",
            "tenant":{"id":"7f0c2a1d-4e5f-4b1e-9b1e-3f0c2a1d4e5f","slug":"acme"},
            "data":{"ticket_id":7,"ticket_number":"TKT-7","message_id":9,"sender_id":"7f0c2a1d-4e5f-4b1e-9b1e-3f0c2a1d4e5f",
                    "sender_type":"agent","is_internal":false,"has_attachments":false,"attachment_count":0,"attachment_ids":[]}}"#;
        let envelope = parse(body).unwrap();
        assert_eq!(envelope.tenant_slug, "acme");
        assert!(matches!(envelope.event, Some(SavEvent::MessageAdded { ticket_id: TicketId(7), message_id: 9, .. })));
        let other = br#"{"event":"TicketMerged","message_id":"0190e3c4-7a7e-7c4e-9b1e-3f0c2a1d4e5f","tenant":{"id":"7f0c2a1d-4e5f-4b1e-9b1e-3f0c2a1d4e5f","slug":"acme"},"data":{}}"#;
        assert_eq!(parse(other).unwrap().event, None);
        assert!(parse(b"{").is_err());
        assert!(parse(br#"{"event":"MessageAdded","message_id":"x","tenant":{"id":"y","slug":"a"}}"#).is_err());
    }
}
