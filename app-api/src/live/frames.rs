//! What the live stream sends: frames made from the SAV events as the outbox holds them and the
//! broker carries them (`{event, data, timestamp, tenant, audience}`), numbered in the order the
//! relay published them (`events::outbox::number`), and the rule of who may see each (a plain
//! function).
//!
//! - `ticket.created`: a ticket was opened; `ticket.updated`: its status, assignee, SLA or any
//!   property (subject, priority, team, tags, custom fields...) changed; `message.added`: its
//!   thread grew; `notification`: the person's bell rang.
//! - Owners and admins see every ticket's frames; agents those of the tickets the organisation's
//!   agent access gives them (`Viewer::sees`: every ticket; or their own, their teams' and the
//!   unassigned ones of no team; or their own), and of one just taken from them or that just left
//!   an unassigned queue of theirs (it leaves their lists); customers those of their own tickets
//!   and of the customer organisations whose tickets they saw as the stream opened (a manager's,
//!   a member's while it shares tickets), never an internal note's (not its text, which no frame carries, not its existence). A
//!   notification frame goes to its person alone.

use chrono::{DateTime, Utc};
use sav::ids::{OrganizationId, TeamId, TicketId, UserId};
use sav::ticket_settings::AgentAccess;
use sav::tickets::access::Viewer;
use serde_json::Value;
use shared::auth::Role;
use uuid::Uuid;

use crate::events::outbox::Audience;

/// One change, as streams send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The event's number in the order its tenant's events were published, and `Last-Event-ID`.
    pub id: i64,
    pub tenant: Uuid,
    /// `ticket.created`, `ticket.updated`, `message.added` or `notification`.
    pub name: &'static str,
    pub ticket_id: TicketId,
    pub message_id: Option<i64>,
    /// A notification's kind.
    pub kind: Option<String>,
    /// An internal note's frame.
    pub internal: bool,
    /// Who may see it (absent on events written before streams existed: staff with every
    /// ticket in view only).
    pub audience: Option<Audience>,
    /// A notification frame's person.
    pub recipient: Option<UserId>,
    /// When the change committed.
    pub at: Option<DateTime<Utc>>,
}

/// Who holds a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watcher {
    pub user: UserId,
    pub role: Role,
    /// The teams they were a member of when the stream opened.
    pub teams: Vec<TeamId>,
    /// The organisation's agent access when the stream opened.
    pub access: AgentAccess,
    /// A customer's: the customer organisations whose tickets they saw when the stream opened
    /// (a manager's, or a member's while it shares tickets: SQL `organizations_seen_by`).
    pub organizations: Vec<OrganizationId>,
}

impl Watcher {
    /// Whether an unassigned ticket of `team` is in this watcher's queues.
    pub fn queues(&self, team: Option<TeamId>) -> bool {
        team.is_none_or(|team| self.teams.contains(&team))
    }

    /// Whether this watcher, one of the staff, sees a ticket assigned to `assignee` in `team`:
    /// `Viewer::sees`, with the teams and the access they had when the stream opened.
    pub fn sees(&self, assignee: Option<UserId>, team: Option<TeamId>) -> bool {
        let viewer = Viewer { id: self.user, role: self.role, access: self.access, colleague: None };
        viewer.is_staff() && viewer.sees(UserId::NOBODY, assignee, team, team.is_some_and(|t| self.teams.contains(&t)))
    }
}

impl Frame {
    /// The frame numbered `id` whose message is `value`; `None` for events streams do not
    /// send.
    pub fn from_message(id: i64, value: &Value) -> Option<Self> {
        let data = value.get("data")?;
        let name = match value.get("event")?.as_str()? {
            "TicketCreated" => "ticket.created",
            "TicketAssigned" | "TicketStatusChanged" | "TicketResolved" | "TicketSLABreach" | "TicketUpdated" => {
                "ticket.updated"
            }
            "MessageAdded" => "message.added",
            "NotificationCreated" => "notification",
            _ => return None,
        };
        let uuid = |v: Option<&Value>| v.and_then(Value::as_str).and_then(|s| s.parse::<Uuid>().ok());
        Some(Self {
            id,
            tenant: uuid(value.get("tenant").and_then(|t| t.get("id")))?,
            name,
            ticket_id: TicketId(data.get("ticket_id")?.as_i64()?),
            message_id: (name == "message.added").then(|| data.get("message_id").and_then(Value::as_i64)).flatten(),
            kind: (name == "notification")
                .then(|| data.get("kind").and_then(Value::as_str).map(str::to_owned))
                .flatten(),
            internal: data.get("is_internal").and_then(Value::as_bool).unwrap_or(false),
            audience: value.get("audience").and_then(|a| serde_json::from_value(a.clone()).ok()),
            recipient: (name == "notification").then(|| uuid(data.get("user_id"))).flatten().map(UserId),
            at: value.get("timestamp").and_then(Value::as_str).and_then(|t| t.parse().ok()),
        })
    }

    /// Whether `watcher` may see this frame.
    pub fn visible_to(&self, watcher: &Watcher) -> bool {
        if self.name == "notification" {
            return self.recipient == Some(watcher.user);
        }
        match watcher.role {
            Role::Owner | Role::Admin => true,
            Role::Agent if watcher.access == AgentAccess::All => true,
            // Their own (or just taken from them); with `teams`, their teams', the queue of no
            // team, and a ticket leaving a queue of theirs. With `assigned`, never a queue's.
            Role::Agent => self.audience.as_ref().is_some_and(|a| {
                a.staff.contains(&watcher.user)
                    || (watcher.access == AgentAccess::Teams
                        && (a.team.is_some_and(|team| watcher.teams.contains(&team))
                            || (a.staff.is_empty() && a.team.is_none())
                            || a.left_queue.is_some_and(|left| watcher.queues(left.team))))
            }),
            Role::Customer => {
                !self.internal
                    && self.audience.as_ref().is_some_and(|a| {
                        a.customer == watcher.user || a.organization.is_some_and(|o| watcher.organizations.contains(&o))
                    })
            }
            // Keys do not open streams.
            Role::PlatformAdmin | Role::Integration => false,
        }
    }

    /// The frame's JSON data.
    pub fn data(&self) -> Value {
        let mut data = serde_json::json!({ "ticket_id": self.ticket_id });
        if let Some(message_id) = self.message_id {
            data["message_id"] = message_id.into();
        }
        if let Some(kind) = &self.kind {
            data["kind"] = kind.as_str().into();
        }
        data
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A new person's id.
    fn person() -> UserId {
        UserId(Uuid::new_v4())
    }

    fn message(customer: UserId, staff: &[UserId], internal: bool) -> Value {
        json!({
            "event": "MessageAdded", "message_id": Uuid::new_v4(), "timestamp": "2026-11-24T08:00:00Z",
            "tenant": {"id": Uuid::nil(), "slug": "acme"},
            "audience": {"customer": customer, "staff": staff},
            "data": {"ticket_id": 7, "message_id": 9, "is_internal": internal, "sender_id": Uuid::nil(), "sender_type": "agent"},
        })
    }

    /// A watcher whose organisation gives agents their teams' tickets (`AgentAccess::Teams`).
    fn watcher(user: UserId, role: Role) -> Watcher {
        Watcher { user, role, teams: Vec::new(), access: AgentAccess::Teams, organizations: Vec::new() }
    }

    #[test]
    fn each_person_sees_what_their_role_may() {
        let (customer, agent, other_agent, admin) = (person(), person(), person(), person());
        let public = Frame::from_message(41, &message(customer, &[agent], false)).unwrap();
        assert_eq!((public.id, public.name, public.message_id), (41, "message.added", Some(9)));
        assert_eq!(public.data(), json!({"ticket_id": 7, "message_id": 9}));
        assert!(public.visible_to(&watcher(customer, Role::Customer)));
        assert!(public.visible_to(&watcher(agent, Role::Agent)));
        assert!(!public.visible_to(&watcher(other_agent, Role::Agent)), "another agent's ticket");
        assert!(public.visible_to(&watcher(admin, Role::Admin)));
        assert!(!public.visible_to(&watcher(UserId(Uuid::new_v4()), Role::Customer)), "another customer's ticket");

        let note = Frame::from_message(42, &message(customer, &[agent], true)).unwrap();
        assert!(!note.visible_to(&watcher(customer, Role::Customer)), "a note's existence stays with staff");
        assert!(note.visible_to(&watcher(agent, Role::Agent)));

        let unassigned = Frame::from_message(43, &message(customer, &[], false)).unwrap();
        assert!(unassigned.visible_to(&watcher(other_agent, Role::Agent)), "the unassigned queue");
    }

    #[test]
    fn a_colleague_sees_the_frames_of_the_organisations_they_see() {
        let (customer, colleague, acme, other) =
            (person(), person(), OrganizationId(Uuid::new_v4()), OrganizationId(Uuid::new_v4()));
        let mut value = message(customer, &[], false);
        value["audience"]["organization"] = json!(acme);
        let public = Frame::from_message(44, &value).unwrap();
        let seeing = |organizations| Watcher { organizations, ..watcher(colleague, Role::Customer) };
        assert!(public.visible_to(&seeing(vec![acme])), "a manager's, or a shared organisation's");
        assert!(!public.visible_to(&seeing(vec![other])), "another organisation's ticket");
        assert!(!public.visible_to(&seeing(Vec::new())), "a member without sharing");
        value["data"]["is_internal"] = json!(true);
        let note = Frame::from_message(45, &value).unwrap();
        assert!(!note.visible_to(&seeing(vec![acme])), "never a note");
    }

    #[test]
    fn a_ticket_moved_between_team_queues_is_seen_by_both_teams() {
        let (from, to, elsewhere) = (TeamId(Uuid::new_v4()), TeamId(Uuid::new_v4()), TeamId(Uuid::new_v4()));
        let member = |team: TeamId| Watcher {
            user: UserId(Uuid::new_v4()),
            role: Role::Agent,
            teams: vec![team],
            access: AgentAccess::Teams,
            organizations: Vec::new(),
        };
        let moved = |staff: &[UserId], left: Value| {
            json!({
                "event": "TicketUpdated", "tenant": {"id": Uuid::nil()},
                "audience": {"customer": Uuid::new_v4(), "staff": staff, "team": to, "left_queue": left},
                "data": {"ticket_id": 7, "changes": {"team_id": [from, to]}},
            })
        };
        let frame = Frame::from_message(60, &moved(&[], json!({"team": from}))).unwrap();
        assert_eq!(frame.name, "ticket.updated");
        assert!(frame.visible_to(&member(from)), "it left this team's queue");
        assert!(frame.visible_to(&member(to)), "it waits in this team's queue");
        assert!(!frame.visible_to(&member(elsewhere)));

        // Taken by someone of the new team: the old queue's agents still see it leave, the new
        // team's see it as their team's; an agent who sees only their own does not.
        let taker = person();
        let frame = Frame::from_message(61, &moved(&[taker], json!({"team": from}))).unwrap();
        assert!(frame.visible_to(&member(from)));
        assert!(frame.visible_to(&member(to)), "their team's ticket, whoever holds it");
        assert!(
            !frame.visible_to(&Watcher { access: AgentAccess::Assigned, ..member(to) }),
            "assigned to someone else"
        );
        assert!(
            !frame.visible_to(&Watcher { access: AgentAccess::Assigned, ..member(from) }),
            "a queue's tickets are never theirs with assigned access"
        );
        assert!(frame.visible_to(&watcher(taker, Role::Agent)));

        // Out of the queue of no team: every agent's.
        let frame = Frame::from_message(62, &moved(&[taker], json!({"team": null}))).unwrap();
        assert!(frame.visible_to(&member(elsewhere)));
        let frame = Frame::from_message(63, &moved(&[taker], Value::Null)).unwrap();
        assert!(!frame.visible_to(&member(elsewhere)), "no queue left");
    }

    #[test]
    fn notifications_go_to_their_person_and_old_events_to_admins() {
        let (customer, admin) = (person(), person());
        let bell = json!({
            "event": "NotificationCreated", "tenant": {"id": Uuid::nil()}, "audience": {"customer": customer, "staff": []},
            "data": {"ticket_id": 7, "user_id": customer, "notification_id": 3, "kind": "message_added"},
        });
        let frame = Frame::from_message(50, &bell).unwrap();
        assert_eq!(frame.data(), json!({"ticket_id": 7, "kind": "message_added"}));
        assert!(frame.visible_to(&watcher(customer, Role::Customer)));
        assert!(!frame.visible_to(&watcher(admin, Role::Owner)), "another person's bell");

        let old = json!({"event": "TicketAssigned", "tenant": {"id": Uuid::nil()}, "data": {"ticket_id": 7}});
        let frame = Frame::from_message(51, &old).unwrap();
        assert_eq!(frame.name, "ticket.updated");
        assert!(frame.visible_to(&watcher(admin, Role::Admin)));
        assert!(!frame.visible_to(&watcher(customer, Role::Customer)));
        assert!(!frame.visible_to(&watcher(UserId(Uuid::new_v4()), Role::Agent)));
        assert!(Frame::from_message(52, &json!({"event": "OrderShipped", "data": {}})).is_none());
    }

    #[test]
    fn agents_see_the_frames_of_the_tickets_their_organisation_gives_them() {
        let (customer, agent, other_agent) = (person(), person(), person());
        let colleague = Frame::from_message(70, &message(customer, &[agent], false)).unwrap();
        let with = |access| Watcher {
            user: other_agent,
            role: Role::Agent,
            teams: Vec::new(),
            access,
            organizations: Vec::new(),
        };
        assert!(colleague.visible_to(&with(AgentAccess::All)), "every ticket");
        assert!(!colleague.visible_to(&with(AgentAccess::Teams)), "a colleague's ticket of no team");
        assert!(!colleague.visible_to(&with(AgentAccess::Assigned)));
        let queue = Frame::from_message(71, &message(customer, &[], false)).unwrap();
        assert!(queue.visible_to(&with(AgentAccess::Teams)), "the unassigned queue of no team");
        assert!(!queue.visible_to(&with(AgentAccess::Assigned)), "only their own");
        let mine = Frame::from_message(72, &message(customer, &[other_agent], false)).unwrap();
        assert!(mine.visible_to(&with(AgentAccess::Assigned)));
        // A customer is never given another's frames, whatever the agents' setting.
        let customer_watch = Watcher {
            user: UserId(Uuid::new_v4()),
            role: Role::Customer,
            teams: Vec::new(),
            access: AgentAccess::All,
            organizations: Vec::new(),
        };
        assert!(!colleague.visible_to(&customer_watch));
    }
}
