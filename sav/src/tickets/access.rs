//! Who is asking, as this tenant knows them now, and what they may see.
//!
//! The role comes from the tenant's `users` mirror rather than the token, so a removed member or
//! a changed role takes effect at once instead of when the token expires. Visibility: customers
//! see their own tickets and public messages, and their colleagues' where a customer organisation
//! shares them (`Colleague`: as a manager of the ticket's organisation, or a member of it while it
//! has `shared_tickets`; SQL `colleague_may_comment`, tenant migration 0044, read with the ticket);
//! agents see what the organisation's
//! `agent_ticket_access` setting gives them (`AgentAccess`: every ticket by default, or their
//! teams', or their own), read with the role on every request; owners and admins see everything,
//! and so do integrations (API keys, which act as staff on the routes their scopes open, and are
//! never admins). What a caller may not see does not exist for them (404).

use base::Role;
use sqlx::{PgConnection, Postgres, QueryBuilder};

use super::refusal::Refused;
use super::status::Actor;
use crate::ids::{TeamId, UserId};
use crate::ticket_settings::AgentAccess;
use crate::tickets::events::SenderType;
use crate::users;

/// The caller of a ticket endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub id: UserId,
    pub role: Role,
    /// The organisation's setting, read with the role (it matters for agents only).
    pub access: AgentAccess,
    /// How a customer reaches the ticket just read, when it is a colleague's (`None`: their own,
    /// or no ticket read; always `None` for staff).
    pub colleague: Option<Colleague>,
}

/// How a customer reaches a colleague's ticket through a customer organisation: they read what
/// its requester reads, and post messages and files on it only while the organisation has
/// `shared_comments`; its status, rating and participants stay the requester's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colleague {
    Reads,
    Comments,
}

impl Colleague {
    /// From the column `colleague_may_comment(viewer, requester, organization)` (null: not a
    /// colleague's ticket the viewer sees).
    pub fn of_column(may_comment: Option<bool>) -> Option<Self> {
        may_comment.map(|comments| if comments { Self::Comments } else { Self::Reads })
    }
}

impl Viewer {
    /// Loads the caller's current membership and the organisation's agent access; a caller who
    /// left the tenant is refused.
    pub async fn load(conn: &mut PgConnection, user_id: UserId) -> Result<Self, Refused> {
        let (role, access) = users::active_role_and_access(conn, user_id).await?;
        Self::from_row(user_id, role, access)
    }

    /// The caller from their role in the mirror (`None`: not an active member) and the
    /// organisation's agent access, both read by the statement that read the rest.
    pub fn from_row(user_id: UserId, role: Option<Role>, access: AgentAccess) -> Result<Self, Refused> {
        role.map(|role| Self { id: user_id, role, access, colleague: None }).ok_or(Refused::NotMember)
    }

    /// This caller as they reach a ticket read with `colleague_may_comment` (staff never do).
    #[must_use]
    pub fn reaching(self, may_comment: Option<bool>) -> Self {
        let colleague = if self.is_staff() { None } else { Colleague::of_column(may_comment) };
        Self { colleague, ..self }
    }

    /// Refuses a customer on a colleague's ticket: what only its requester does (a status move,
    /// a rating, the people copied).
    pub fn require_requester(self) -> Result<(), Refused> {
        match self.colleague {
            None => Ok(()),
            Some(_) => Err(Refused::NotYours("only the ticket's requester may do this")),
        }
    }

    /// Refuses a customer on a colleague's ticket whose organisation does not share comments.
    pub fn require_may_post(self) -> Result<(), Refused> {
        match self.colleague {
            None | Some(Colleague::Comments) => Ok(()),
            Some(Colleague::Reads) => Err(Refused::NotYours(
                "this ticket is a colleague's: its organisation lets colleagues read it, not write on it",
            )),
        }
    }

    pub fn is_staff(self) -> bool {
        matches!(self.role, Role::Owner | Role::Admin | Role::Agent | Role::Integration)
    }

    pub fn is_admin(self) -> bool {
        matches!(self.role, Role::Owner | Role::Admin)
    }

    pub fn require_staff(self) -> Result<(), Refused> {
        if self.is_staff() { Ok(()) } else { Err(Refused::NotYours("only agents and admins may do this")) }
    }

    pub fn require_admin(self) -> Result<(), Refused> {
        if self.is_admin() { Ok(()) } else { Err(Refused::NotYours("only owners and admins may do this")) }
    }

    /// Who this caller is to the state machine.
    pub fn actor(self) -> Actor {
        if self.is_staff() { Actor::Agent } else { Actor::Customer }
    }

    /// This caller, to the rules of `moves`.
    pub fn caller(self) -> super::moves::Caller {
        super::moves::Caller { id: self.id, actor: self.actor() }
    }

    /// The side this caller writes messages from.
    pub fn side(self) -> SenderType {
        if self.is_staff() { SenderType::Agent } else { SenderType::Customer }
    }

    /// The side whose messages this caller receives (and marks read).
    pub fn receives_from(self) -> SenderType {
        match self.side() {
            SenderType::Agent => SenderType::Customer,
            SenderType::Customer => SenderType::Agent,
        }
    }

    /// Whether this caller may see a ticket of `customer` in `team`, assigned to `assignee`
    /// (`in_my_teams`: the ticket's team is one of the caller's; a customer reaching it as a
    /// colleague: `reaching`).
    pub fn sees(self, customer: UserId, assignee: Option<UserId>, team: Option<TeamId>, in_my_teams: bool) -> bool {
        match self.role {
            Role::Owner | Role::Admin | Role::Integration => true,
            Role::Agent => match self.access {
                AgentAccess::All => true,
                AgentAccess::Assigned => assignee == Some(self.id),
                AgentAccess::Teams => {
                    assignee == Some(self.id) || in_my_teams || (assignee.is_none() && team.is_none())
                }
            },
            Role::Customer => customer == self.id || self.colleague.is_some(),
            Role::PlatformAdmin => customer == self.id,
        }
    }

    /// The visibility rules as parameters of a static query (`Scope`).
    pub fn scope(self) -> Scope {
        let everything = Scope { customer: None, assigned_to: None, teams_of: None };
        match (self.role, self.access) {
            (Role::Owner | Role::Admin | Role::Integration, _) | (Role::Agent, AgentAccess::All) => everything,
            (Role::Agent, AgentAccess::Assigned) => Scope { assigned_to: Some(self.id), ..everything },
            (Role::Agent, AgentAccess::Teams) => Scope { teams_of: Some(self.id), ..everything },
            (Role::Customer | Role::PlatformAdmin, _) => Scope { customer: Some(self.id), ..everything },
        }
    }

    /// Appends ` AND <visibility of support_tickets aliased t>` to a query: the same rule as
    /// `scope` and `sees`. A customer's colleagues' tickets by the set form of the rule
    /// (`organizations_seen_by`, read once for the whole list, not once a row).
    pub fn push_visibility(self, query: &mut QueryBuilder<'_, Postgres>) {
        let scope = self.scope();
        if let Some(customer) = scope.customer {
            query
                .push(" AND (t.user_id = ")
                .push_bind(customer)
                .push(" OR t.organization_id IN (SELECT unnest(organizations_seen_by(")
                .push_bind(customer)
                .push("))))");
        }
        if let Some(agent) = scope.assigned_to {
            query.push(" AND t.assigned_to = ").push_bind(agent);
        }
        if let Some(agent) = scope.teams_of {
            query
                .push(" AND (t.assigned_to = ")
                .push_bind(agent)
                .push(" OR t.team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = ")
                .push_bind(agent)
                .push(") OR (t.assigned_to IS NULL AND t.team_id IS NULL))");
        }
    }

    /// Whether this caller reads internal notes.
    pub fn sees_internal_notes(self) -> bool {
        self.is_staff()
    }
}

/// What a caller may see of `support_tickets t`, for a query written once for every role and
/// setting: `($C::uuid IS NULL OR t.user_id = $C OR colleague_may_comment($C, t.user_id,
/// t.organization_id) IS NOT NULL) AND ($A::uuid IS NULL OR t.assigned_to = $A)
/// AND ($T::uuid IS NULL OR t.assigned_to = $T OR t.team_id IN (SELECT m.team_id FROM
/// team_members m WHERE m.user_id = $T) OR (t.assigned_to IS NULL AND t.team_id IS NULL))` with
/// `$C`, `$A` and `$T` bound to `customer`, `assigned_to` and `teams_of` (all null for owners,
/// admins and agents who see every ticket): `push_visibility` and `sees` say the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// Only this customer's tickets and the colleagues' they see.
    pub customer: Option<UserId>,
    /// Only the tickets assigned to this agent (`AgentAccess::Assigned`).
    pub assigned_to: Option<UserId>,
    /// This agent's tickets, their teams' and the unassigned ones of no team (`AgentAccess::Teams`).
    pub teams_of: Option<UserId>,
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn the_visibility_rules() {
        let (me, other, team) = (Uuid::now_v7(), Uuid::now_v7(), TeamId(Uuid::now_v7()));
        let viewer = |role, access| Viewer { id: UserId(me), role, access, colleague: None };
        let customer = viewer(Role::Customer, AgentAccess::All);
        assert!(
            customer.sees(UserId(me), Some(UserId(other)), None, false)
                && !customer.sees(UserId(other), None, None, true)
        );
        let everything = viewer(Role::Agent, AgentAccess::All);
        assert!(
            everything.sees(UserId(other), Some(UserId(other)), Some(team), false),
            "a colleague's ticket of another team"
        );
        let teams = viewer(Role::Agent, AgentAccess::Teams);
        assert!(teams.sees(UserId(other), Some(UserId(me)), Some(team), false), "their own");
        assert!(teams.sees(UserId(other), Some(UserId(other)), Some(team), true), "a colleague's ticket of their team");
        assert!(teams.sees(UserId(other), None, None, false), "the queue of no team");
        assert!(!teams.sees(UserId(other), Some(UserId(other)), None, false), "a colleague's ticket of no team");
        assert!(!teams.sees(UserId(other), None, Some(team), false), "the queue of a team they are not in");
        let assigned = viewer(Role::Agent, AgentAccess::Assigned);
        assert!(assigned.sees(UserId(other), Some(UserId(me)), Some(team), false));
        assert!(
            !assigned.sees(UserId(other), None, None, false) && !assigned.sees(UserId(other), None, Some(team), true)
        );
        for admin in [viewer(Role::Admin, AgentAccess::Assigned), viewer(Role::Owner, AgentAccess::Teams)] {
            assert!(
                admin.sees(UserId(other), Some(UserId(other)), Some(team), false)
                    && admin.sees(UserId(other), None, None, false)
            );
        }
        assert!(!customer.sees_internal_notes() && teams.sees_internal_notes());
        assert!(customer.require_staff().is_err() && everything.require_admin().is_err());
    }

    #[test]
    fn a_colleague_reads_and_posts_as_the_organisation_shares() {
        let (me, other) = (UserId(Uuid::now_v7()), UserId(Uuid::now_v7()));
        let customer = Viewer { id: me, role: Role::Customer, access: AgentAccess::All, colleague: None };
        assert!(!customer.reaching(None).sees(other, None, None, false), "no organisation shares it");
        let reader = customer.reaching(Some(false));
        assert!(reader.sees(other, None, None, false) && !reader.sees_internal_notes());
        assert!(reader.require_may_post().is_err() && reader.require_requester().is_err());
        let commenter = customer.reaching(Some(true));
        assert!(commenter.require_may_post().is_ok() && commenter.require_requester().is_err());
        assert!(customer.reaching(None).require_requester().is_ok(), "their own ticket");
        let agent = Viewer { role: Role::Agent, ..customer }.reaching(Some(false));
        assert_eq!(agent.colleague, None, "staff never reach a ticket as a colleague");
    }

    #[test]
    fn the_scope_of_a_static_query_is_the_visibility() {
        let (me, other, team) = (UserId(Uuid::now_v7()), UserId(Uuid::now_v7()), TeamId(Uuid::now_v7()));
        let accesses = [AgentAccess::All, AgentAccess::Teams, AgentAccess::Assigned];
        for role in [Role::Owner, Role::Admin, Role::Agent, Role::Customer, Role::Integration] {
            for access in accesses {
                let viewer = Viewer { id: me, role, access, colleague: None };
                let scope = viewer.scope();
                for customer in [me, other] {
                    for assignee in [None, Some(me), Some(other)] {
                        for (ticket_team, in_my_teams) in [(None, false), (Some(team), true), (Some(team), false)] {
                            // The SQL of `Scope`, term by term.
                            let in_scope = scope.customer.is_none_or(|c| c == customer)
                                && scope.assigned_to.is_none_or(|a| assignee == Some(a))
                                && scope.teams_of.is_none_or(|a| {
                                    assignee == Some(a) || in_my_teams || (assignee.is_none() && ticket_team.is_none())
                                });
                            let sees = viewer.sees(customer, assignee, ticket_team, in_my_teams);
                            assert_eq!(in_scope, sees, "{role:?} {access:?} {customer} {assignee:?} {ticket_team:?}");
                        }
                    }
                }
            }
        }
    }
}
