//! Who else is on a ticket: staff with a ticket's page open say so every few seconds (`PUT
//! /v1/tickets/{id}/presence`, with whether they are typing a reply), and the other staff who
//! may see the ticket get a `presence` frame on their streams. Nothing is stored: a frame says
//! how long it holds (`EXPIRES_IN`), and a person the page hears nothing more from is forgotten.
//!
//! Presence crosses replicas on the events exchange (routing key `presence.{tenant}`, which only
//! the replicas' own queues bind: `crate::worker::fanout`); without a broker it stays in this
//! replica's hub. Frames carry no id: they are not replayed, and they leave `Last-Event-ID` as
//! it was.

use std::sync::Arc;

use sav::ids::{TeamId, TicketId, UserId};
use serde::{Deserialize, Serialize};
use shared::amqp::{Message, Publisher};
use shared::auth::Role;
use uuid::Uuid;

use super::Hub;
use super::frames::Watcher;

/// How long a presence frame holds, in seconds: pages say it again well within it.
pub const EXPIRES_IN: u64 = 30;
/// The routing keys presence is published under.
pub const ROUTING_PREFIX: &str = "presence.";

/// One person on one ticket, now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub tenant: Uuid,
    pub ticket_id: TicketId,
    pub user_id: UserId,
    pub name: String,
    pub typing: bool,
    /// The page was closed.
    pub left: bool,
    /// The ticket's assignee (none: the unassigned queue), whose agents may see it.
    pub assignee: Option<UserId>,
    /// The ticket's team: an unassigned ticket of a team is its members' to see.
    pub team: Option<TeamId>,
}

impl Presence {
    /// Staff who may see the ticket, except the person themselves.
    pub fn visible_to(&self, watcher: &Watcher) -> bool {
        if watcher.user == self.user_id {
            return false;
        }
        match watcher.role {
            Role::Owner | Role::Admin => true,
            Role::Agent => watcher.sees(self.assignee, self.team),
            Role::Customer | Role::PlatformAdmin | Role::Integration => false,
        }
    }

    /// The frame's JSON data.
    pub fn data(&self) -> serde_json::Value {
        serde_json::json!({
            "ticket_id": self.ticket_id,
            "user_id": self.user_id,
            "name": self.name,
            "typing": self.typing,
            "left": self.left,
            "expires_in": EXPIRES_IN,
        })
    }
}

/// Where presence is announced: the broker when there is one, else this replica's hub.
pub struct Bus {
    publisher: Option<Publisher>,
    hub: Arc<Hub>,
}

impl Bus {
    pub fn new(broker: Option<&Arc<shared::amqp::Broker>>, exchange: &str, hub: Arc<Hub>) -> Self {
        Self { publisher: broker.map(|broker| Publisher::new(Arc::clone(broker), exchange)), hub }
    }

    /// Tells the other staff on the ticket, on every replica. A broker that fails leaves the
    /// news to this replica's streams (it is repeated within `EXPIRES_IN` anyway).
    pub async fn announce(&self, presence: Presence) {
        let Some(publisher) = &self.publisher else {
            self.hub.presence(presence);
            return;
        };
        let payload = serde_json::to_vec(&presence).expect("plain fields serialise");
        let routing_key = format!("{ROUTING_PREFIX}{}", presence.tenant);
        let message_id = Uuid::new_v4().to_string();
        let message = Message { routing_key: &routing_key, message_id: &message_id, payload: &payload };
        if let Err(err) = publisher.publish(&message).await {
            tracing::debug!(error = %err, "presence: not published; told on this replica only");
            self.hub.presence(presence);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new person's id.
    fn person() -> UserId {
        UserId(Uuid::new_v4())
    }
    use sav::ticket_settings::AgentAccess;

    #[test]
    fn staff_who_may_see_the_ticket_see_the_others_on_it() {
        let (me, agent, other_agent, admin, customer) = (person(), person(), person(), person(), person());
        let on_ticket = Presence {
            tenant: Uuid::nil(),
            ticket_id: TicketId(7),
            user_id: me,
            name: "Sam".into(),
            typing: true,
            left: false,
            assignee: Some(agent),
            team: None,
        };
        let sees = |user, role| {
            on_ticket.visible_to(&Watcher {
                user,
                role,
                teams: Vec::new(),
                access: AgentAccess::Teams,
                organizations: Vec::new(),
            })
        };
        assert!(!sees(me, Role::Agent), "never one's own");
        assert!(sees(agent, Role::Agent), "the assignee");
        assert!(!sees(other_agent, Role::Agent), "an agent who cannot see the ticket");
        assert!(sees(admin, Role::Admin));
        assert!(!sees(customer, Role::Customer), "customers never");
        let queue = Presence { assignee: None, ..on_ticket.clone() };
        let agent_of = |teams| Watcher {
            user: other_agent,
            role: Role::Agent,
            teams,
            access: AgentAccess::Teams,
            organizations: Vec::new(),
        };
        assert!(queue.visible_to(&agent_of(Vec::new())), "the unassigned queue");
        let team = TeamId(Uuid::new_v4());
        let team_queue = Presence { team: Some(team), ..queue.clone() };
        assert!(team_queue.visible_to(&agent_of(vec![team])), "their team's queue");
        assert!(!team_queue.visible_to(&agent_of(Vec::new())), "another team's queue");
        let everything = Watcher { access: AgentAccess::All, ..agent_of(Vec::new()) };
        assert!(on_ticket.visible_to(&everything) && team_queue.visible_to(&everything), "every ticket");
        assert_eq!(
            on_ticket.data(),
            serde_json::json!({"ticket_id": 7, "user_id": me, "name": "Sam", "typing": true, "left": false, "expires_in": 30})
        );
        let round: Presence = serde_json::from_slice(&serde_json::to_vec(&on_ticket).unwrap()).unwrap();
        assert_eq!(round, on_ticket);
    }
}
