//! The ticket status state machine, as the SAV domain defines it. `closed` is final. Each status
//! also says which SLA clock it runs (`Status::clock`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    InProgress,
    WaitingCustomer,
    Resolved,
    Closed,
}

impl Status {
    pub const ALL: [Self; 5] = [Self::Open, Self::InProgress, Self::WaitingCustomer, Self::Resolved, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InProgress => "in_progress",
            Self::WaitingCustomer => "waiting_customer",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The SLA clock in this status: the one place that says when it runs.
    pub fn clock(self) -> Clock {
        match self {
            Self::Open | Self::InProgress => Clock::Running,
            Self::WaitingCustomer => Clock::Paused,
            Self::Resolved | Self::Closed => Clock::Stopped,
        }
    }

    /// Whether the SLA clock runs in this status.
    pub fn clock_runs(self) -> bool {
        self.clock() == Clock::Running
    }
}

/// Which SLA clock a ticket's state runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Open or in progress: the targets approach.
    Running,
    /// Waiting for the customer: the clock is stopped until they answer.
    Paused,
    /// Resolved or closed.
    Stopped,
}

base::text_column!(Status, parse);

/// Who asks for a change: staff (agents, admins, owners), the ticket's customer, or the system
/// (side effects and scheduled jobs). Stored as the `actor_kind` of a history entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Agent,
    Customer,
    System,
}

impl Actor {
    pub const ALL: [Self; 3] = [Self::Agent, Self::Customer, Self::System];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Customer => "customer",
            Self::System => "system",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == value)
    }
}

base::text_column!(Actor, parse);

/// The allowed transitions and who may trigger each (the SAV triggers, plus
/// in_progress -> open on unassignment, and the system closing a ticket merged into another).
const TRANSITIONS: &[(Status, Status, &[Actor])] = &[
    // Assignment (an agent assigning, or the system as its side effect).
    (Status::Open, Status::InProgress, &[Actor::Agent, Actor::System]),
    // Invalid or duplicate (an agent), or merged into another ticket (the system).
    (Status::Open, Status::Closed, &[Actor::Agent, Actor::System]),
    // The agent asks the customer for information.
    (Status::InProgress, Status::WaitingCustomer, &[Actor::Agent]),
    // The agent provides a solution.
    (Status::InProgress, Status::Resolved, &[Actor::Agent]),
    // Unassigned.
    (Status::InProgress, Status::Open, &[Actor::Agent, Actor::System]),
    // Merged into another ticket: its thread lives on there (the SAV triggers have no merge; waiting and resolved tickets close by the system already).
    (Status::InProgress, Status::Closed, &[Actor::System]),
    // The customer responds (their message moves the ticket, as a side effect).
    (Status::WaitingCustomer, Status::InProgress, &[Actor::Customer, Actor::System]),
    // Seven days without a response.
    (Status::WaitingCustomer, Status::Closed, &[Actor::System]),
    // The customer confirms, or 24 hours pass.
    (Status::Resolved, Status::Closed, &[Actor::Customer, Actor::System]),
    // The customer reopens, or staff do, with a reason (`lifecycle::set_status_as`).
    (Status::Resolved, Status::InProgress, &[Actor::Customer, Actor::Agent]),
];

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a ticket cannot go from {} to {}", from.as_str(), to.as_str())]
    NotAllowed { from: Status, to: Status, allowed: Vec<Status> },
    #[error("only {} may move a ticket from {} to {}", who(allowed_actors), from.as_str(), to.as_str())]
    NotYours { from: Status, to: Status, allowed_actors: Vec<Actor> },
}

fn who(actors: &[Actor]) -> String {
    actors
        .iter()
        .map(|a| match a {
            Actor::Agent => "agents",
            Actor::Customer => "the customer",
            Actor::System => "the system",
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Whether `actor` may move a ticket from `from` to `to`.
pub fn check(from: Status, to: Status, actor: Actor) -> Result<(), TransitionError> {
    match TRANSITIONS.iter().find(|(f, t, _)| *f == from && *t == to) {
        None => Err(TransitionError::NotAllowed { from, to, allowed: allowed_targets(from, actor) }),
        Some((_, _, actors)) if !actors.contains(&actor) => {
            Err(TransitionError::NotYours { from, to, allowed_actors: actors.to_vec() })
        }
        Some(_) => Ok(()),
    }
}

/// Where `actor` may move a ticket that is `from` (the `allowed` list of a 409).
pub fn allowed_targets(from: Status, actor: Actor) -> Vec<Status> {
    TRANSITIONS.iter().filter(|(f, _, actors)| *f == from && actors.contains(&actor)).map(|(_, t, _)| *t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table: 25 pairs for each of the 3 actors, checked against the rules by hand.
    #[test]
    fn every_pair_for_every_actor() {
        use Actor::{Agent as A, Customer as C, System as S};
        use Status::{Closed, InProgress, Open, Resolved, WaitingCustomer};
        let expected: &[(Status, Status, &[Actor])] = &[
            (Open, InProgress, &[A, S]),
            (Open, Closed, &[A, S]),
            (InProgress, WaitingCustomer, &[A]),
            (InProgress, Resolved, &[A]),
            (InProgress, Open, &[A, S]),
            (InProgress, Closed, &[S]),
            (WaitingCustomer, InProgress, &[C, S]),
            (WaitingCustomer, Closed, &[S]),
            (Resolved, Closed, &[C, S]),
            (Resolved, InProgress, &[C, A]),
        ];
        let mut allowed_pairs = 0;
        for from in Status::ALL {
            for to in Status::ALL {
                let rule = expected.iter().find(|(f, t, _)| *f == from && *t == to);
                for actor in Actor::ALL {
                    let result = check(from, to, actor);
                    match rule {
                        Some((_, _, actors)) if actors.contains(&actor) => {
                            assert_eq!(result, Ok(()), "{from:?} -> {to:?} by {actor:?}");
                            allowed_pairs += 1;
                        }
                        Some(_) => assert!(
                            matches!(result, Err(TransitionError::NotYours { .. })),
                            "{from:?} -> {to:?} by {actor:?}"
                        ),
                        None => assert!(
                            matches!(result, Err(TransitionError::NotAllowed { .. })),
                            "{from:?} -> {to:?} by {actor:?}"
                        ),
                    }
                }
            }
        }
        assert_eq!(allowed_pairs, 16, "10 transitions, 16 (transition, actor) permissions");
    }

    #[test]
    fn closed_is_final_and_nothing_stays_in_place() {
        for to in Status::ALL {
            for actor in Actor::ALL {
                assert!(check(Status::Closed, to, actor).is_err());
            }
        }
        for status in Status::ALL {
            assert!(check(status, status, Actor::Agent).is_err(), "{status:?} -> itself");
        }
    }

    #[test]
    fn refusals_list_what_is_allowed() {
        let err = check(Status::Open, Status::Resolved, Actor::Agent).unwrap_err();
        assert_eq!(
            err,
            TransitionError::NotAllowed {
                from: Status::Open,
                to: Status::Resolved,
                allowed: vec![Status::InProgress, Status::Closed]
            }
        );
        assert_eq!(err.to_string(), "a ticket cannot go from open to resolved");
        let err = check(Status::Resolved, Status::Closed, Actor::Agent).unwrap_err();
        assert_eq!(err.to_string(), "only the customer or the system may move a ticket from resolved to closed");
        assert_eq!(allowed_targets(Status::Resolved, Actor::Customer), [Status::Closed, Status::InProgress]);
        assert_eq!(allowed_targets(Status::Resolved, Actor::Agent), [Status::InProgress], "staff reopen");
        assert!(allowed_targets(Status::Closed, Actor::System).is_empty());
    }
}
