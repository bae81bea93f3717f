//! What each action asks of a ticket, decided from the ticket's state alone: the status it lands
//! in and the assignee that goes with it. With the state machine (`status`) this is the whole
//! rule set, as plain functions, so every sequence of actions can be checked (see the tests):
//!
//! - `open` tickets are in the queue: nobody has them.
//! - `in_progress` and `waiting_customer` tickets always have an assignee.
//! - `resolved_at` is set exactly while a ticket is resolved (and kept when it then closes);
//!   `closed` is final.
//!
//! Unassigning is a way back to the queue, so it is allowed where the queue is reachable: an
//! `in_progress` ticket goes back to `open`. A ticket waiting for the customer or resolved keeps
//! someone on it (the customer's answer or reopening would otherwise land with nobody): it can
//! be reassigned, not unassigned.

use super::status::{self, Actor, Status, TransitionError};
use crate::ids::UserId;

/// The parts of a ticket the rules read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct State {
    pub status: Status,
    pub assignee: Option<UserId>,
    /// Whether `resolved_at` is set.
    pub resolved: bool,
}

impl State {
    /// A new ticket.
    pub const NEW: Self = Self { status: Status::Open, assignee: None, resolved: false };
}

/// A status change and the assignment that goes with it (`assign: None` leaves the assignee).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub to: Status,
    pub assign: Option<Option<UserId>>,
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Nothing on a closed ticket changes.
    Closed,
    Transition(TransitionError),
    /// Unassigning a ticket that must keep an assignee.
    KeepsAssignee(Status),
    /// Starting an unassigned ticket without taking it (only an agent can take one; the system
    /// starts a ticket by assigning it).
    NeedsAssignee,
}

/// Who acts: a person and the part they play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub id: UserId,
    pub actor: Actor,
}

fn open(state: &State) -> Result<(), Refusal> {
    if state.status == Status::Closed { Err(Refusal::Closed) } else { Ok(()) }
}

/// Staff assign a ticket to someone, or unassign it (`None`). `Ok(None)`: nothing to do.
pub fn assign(state: &State, to: Option<UserId>) -> Result<Option<Plan>, Refusal> {
    open(state)?;
    if state.assignee == to {
        return Ok(None);
    }
    let status = match (state.status, to) {
        (Status::Open, Some(_)) => Status::InProgress,
        (Status::InProgress, None) => Status::Open,
        (status @ (Status::WaitingCustomer | Status::Resolved), None) => return Err(Refusal::KeepsAssignee(status)),
        (status, _) => status,
    };
    Ok(Some(Plan { to: status, assign: Some(to) }))
}

/// A caller asks for a status. Staff starting an unassigned ticket take it (nobody else can
/// start one without an assignee); back to `open` means back in the queue. (A closed ticket refuses through the state machine, which lists
/// what is allowed from there: nothing.)
pub fn set_status(state: &State, to: Status, caller: Caller) -> Result<Plan, Refusal> {
    status::check(state.status, to, caller.actor).map_err(Refusal::Transition)?;
    let assign = match to {
        Status::InProgress if state.assignee.is_none() => match caller.actor {
            Actor::Agent => Some(Some(caller.id)),
            Actor::Customer | Actor::System => return Err(Refusal::NeedsAssignee),
        },
        Status::Open => Some(None),
        Status::InProgress | Status::WaitingCustomer | Status::Resolved | Status::Closed => None,
    };
    Ok(Plan { to, assign })
}

/// The statuses `caller` may move a ticket in `state` to now: exactly those `set_status` accepts.
pub fn allowed_statuses(state: &State, caller: Caller) -> Vec<Status> {
    Status::ALL.into_iter().filter(|to| set_status(state, *to, caller).is_ok()).collect()
}

/// A message on the ticket: the customer answering a ticket that waits for them puts it back in
/// progress, with whoever has it. `Ok(None)`: the status stays.
pub fn message(state: &State, from: Actor) -> Result<Option<Plan>, Refusal> {
    open(state)?;
    if from == Actor::Customer && state.status == Status::WaitingCustomer {
        status::check(state.status, Status::InProgress, Actor::Customer).map_err(Refusal::Transition)?;
        return Ok(Some(Plan { to: Status::InProgress, assign: None }));
    }
    Ok(None)
}

/// The state after a plan that was checked (by the functions above).
pub fn settle(state: State, plan: Plan) -> State {
    let assignee = plan.assign.unwrap_or(state.assignee);
    let resolved = match plan.to {
        Status::Resolved => true,
        Status::Closed => state.resolved,
        Status::Open | Status::InProgress | Status::WaitingCustomer => false,
    };
    State { status: plan.to, assignee, resolved }
}

/// The rules' promises about any state a ticket can reach.
pub fn invariant_breaks(state: &State) -> Option<&'static str> {
    match (state.status, state.assignee, state.resolved) {
        (Status::Open, Some(_), _) => Some("an open ticket has an assignee"),
        (Status::InProgress | Status::WaitingCustomer, None, _) => Some("a ticket being worked on has no assignee"),
        (Status::Open | Status::InProgress | Status::WaitingCustomer, _, true) => {
            Some("an unresolved ticket keeps resolved_at")
        }
        (Status::Resolved, _, false) => Some("a resolved ticket has no resolved_at"),
        (Status::Open, None, false)
        | (Status::InProgress | Status::WaitingCustomer, Some(_), false)
        | (Status::Resolved, _, true)
        | (Status::Closed, _, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashSet, VecDeque};

    use uuid::Uuid;

    use super::*;

    type Action = Box<dyn Fn(&State) -> Result<Option<Plan>, Refusal>>;

    /// Every action anyone can take, by two agents and the customer.
    fn actions(agents: [UserId; 2], customer: UserId) -> Vec<(String, Action)> {
        let mut all: Vec<(String, Action)> = Vec::new();
        for to in [Some(agents[0]), Some(agents[1]), None] {
            all.push((format!("assign {to:?}"), Box::new(move |s| assign(s, to))));
        }
        let callers = [
            Caller { id: agents[0], actor: Actor::Agent },
            Caller { id: agents[1], actor: Actor::Agent },
            Caller { id: customer, actor: Actor::Customer },
            // The system acts with no person behind it (its id is never assigned).
            Caller { id: UserId::NOBODY, actor: Actor::System },
        ];
        for caller in callers {
            for to in Status::ALL {
                all.push((format!("{caller:?} sets {to:?}"), Box::new(move |s| set_status(s, to, caller).map(Some))));
            }
        }
        for from in [Actor::Agent, Actor::Customer] {
            all.push((format!("{from:?} writes"), Box::new(move |s| message(s, from))));
        }
        all
    }

    /// No sequence of allowed actions, from a new ticket, reaches a state that breaks an
    /// invariant: every reachable state is visited (breadth first), and every action tried
    /// from each.
    #[test]
    fn no_sequence_of_allowed_actions_breaks_an_invariant() {
        let (agents, customer) = ([UserId(Uuid::from_u128(1)), UserId(Uuid::from_u128(2))], UserId(Uuid::from_u128(3)));
        let actions = actions(agents, customer);
        let mut seen = HashSet::from([State::NEW]);
        let mut queue = VecDeque::from([(State::NEW, Vec::<String>::new())]);
        let mut refused_on_closed = 0;
        while let Some((state, path)) = queue.pop_front() {
            assert_eq!(invariant_breaks(&state), None, "after {path:?}: {state:?}");
            for (name, action) in &actions {
                match action(&state) {
                    Ok(Some(plan)) => {
                        assert_ne!(state.status, Status::Closed, "{name} changed a closed ticket");
                        let next = settle(state, plan);
                        if seen.insert(next) {
                            let mut longer = path.clone();
                            longer.push(name.clone());
                            queue.push_back((next, longer));
                        }
                    }
                    Ok(None) => {}
                    Err(_) if state.status == Status::Closed => refused_on_closed += 1,
                    Err(refusal) => assert_ne!(refusal, Refusal::Closed, "{name} on {state:?}"),
                }
            }
        }
        // Every status is reached, with each agent where someone is on it.
        for status in Status::ALL {
            assert!(seen.iter().any(|s| s.status == status), "{status:?} is never reached");
        }
        assert!(seen.contains(&State { status: Status::WaitingCustomer, assignee: Some(agents[1]), resolved: false }));
        assert!(seen.iter().any(|s| s.status == Status::Closed && s.resolved), "closed after resolving");
        assert!(seen.iter().any(|s| s.status == Status::Closed && !s.resolved), "closed as a duplicate");
        assert!(refused_on_closed > 0);
    }

    /// The sequence that used to strand a ticket: waiting for the customer, unassigned, then the
    /// customer answers.
    #[test]
    fn a_ticket_waiting_for_the_customer_keeps_its_assignee() {
        let (agent, other) = (UserId(Uuid::from_u128(1)), UserId(Uuid::from_u128(2)));
        let waiting = State { status: Status::WaitingCustomer, assignee: Some(agent), resolved: false };
        assert_eq!(assign(&waiting, None), Err(Refusal::KeepsAssignee(Status::WaitingCustomer)));
        let reassigned = assign(&waiting, Some(other)).unwrap().unwrap();
        assert_eq!(reassigned, Plan { to: Status::WaitingCustomer, assign: Some(Some(other)) });
        let answered = settle(settle(waiting, reassigned), message(&waiting, Actor::Customer).unwrap().unwrap());
        assert_eq!(answered, State { status: Status::InProgress, assignee: Some(other), resolved: false });
        let resolved = State { status: Status::Resolved, assignee: Some(agent), resolved: true };
        assert_eq!(assign(&resolved, None), Err(Refusal::KeepsAssignee(Status::Resolved)));
    }

    #[test]
    fn the_system_cannot_start_a_ticket_nobody_has() {
        let system = Caller { id: UserId::NOBODY, actor: Actor::System };
        assert_eq!(set_status(&State::NEW, Status::InProgress, system), Err(Refusal::NeedsAssignee));
        let agent = Caller { id: UserId(Uuid::from_u128(1)), actor: Actor::Agent };
        let taken = set_status(&State::NEW, Status::InProgress, agent).unwrap();
        assert_eq!(taken.assign, Some(Some(agent.id)));
    }

    #[test]
    fn unassigning_work_in_progress_puts_it_back_in_the_queue() {
        let agent = UserId(Uuid::from_u128(1));
        let working = State { status: Status::InProgress, assignee: Some(agent), resolved: false };
        assert_eq!(assign(&working, None), Ok(Some(Plan { to: Status::Open, assign: Some(None) })));
        assert_eq!(assign(&working, Some(agent)), Ok(None), "the same assignee again is nothing");
        let closed = State { status: Status::Closed, assignee: Some(agent), resolved: true };
        assert_eq!(assign(&closed, None), Err(Refusal::Closed));
        assert_eq!(message(&closed, Actor::Customer), Err(Refusal::Closed));
    }
}
