//! Who is asking, as this tenant knows them now, and what they may see.
//!
//! The role comes from the tenant's `users` mirror rather than the token, so a removed member or
//! a changed role takes effect at once instead of when the token expires. Visibility: customers
//! see their own tickets and public messages; agents see tickets assigned to them and the
//! unassigned tickets of their teams and of no team (their queues); owners and admins see everything, and so do integrations (API keys, which act
//! as staff on the routes their scopes open, and are never admins). What a caller may not see
//! does not exist for them (404).

use shared::auth::Role;
use shared::error::{ApiError, ApiResult};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use super::refusal::Refused;
use super::status::Actor;
use crate::sav::tickets::events::SenderType;
use crate::sav::users;

/// The caller of a ticket endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub id: Uuid,
    pub role: Role,
}

impl Viewer {
    /// Loads the caller's current membership; a caller who left the tenant is refused.
    pub async fn load(conn: &mut PgConnection, user_id: Uuid) -> Result<Self, Refused> {
        let role = users::active_role(conn, user_id).await?;
        Self::from_role(user_id, role)
    }

    /// The caller from their role in the mirror (`None`: not an active member).
    pub fn from_role(user_id: Uuid, role: Option<Role>) -> Result<Self, Refused> {
        role.map(|role| Self { id: user_id, role }).ok_or(Refused::NotMember)
    }

    pub fn is_staff(self) -> bool {
        matches!(self.role, Role::Owner | Role::Admin | Role::Agent | Role::Integration)
    }

    pub fn is_admin(self) -> bool {
        matches!(self.role, Role::Owner | Role::Admin)
    }

    pub fn require_staff(self) -> ApiResult<()> {
        if self.is_staff() { Ok(()) } else { Err(ApiError::forbidden("only agents and admins may do this")) }
    }

    pub fn require_admin(self) -> ApiResult<()> {
        if self.is_admin() { Ok(()) } else { Err(ApiError::forbidden("only owners and admins may do this")) }
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

    /// Whether this caller may see a ticket of `customer`, assigned to `assignee`, in one of
    /// their queues or not (`in_queues`: the ticket is in no team, or in one of theirs).
    pub fn sees(self, customer: Uuid, assignee: Option<Uuid>, in_queues: bool) -> bool {
        match self.role {
            Role::Owner | Role::Admin | Role::Integration => true,
            Role::Agent => assignee.map_or(in_queues, |a| a == self.id),
            Role::Customer | Role::PlatformAdmin => customer == self.id,
        }
    }

    /// The visibility rules as parameters of a static query (`Scope`).
    pub fn scope(self) -> Scope {
        match self.role {
            Role::Owner | Role::Admin | Role::Integration => Scope { customer: None, agent: None },
            Role::Agent => Scope { customer: None, agent: Some(self.id) },
            Role::Customer | Role::PlatformAdmin => Scope { customer: Some(self.id), agent: None },
        }
    }

    /// Appends ` AND <visibility of support_tickets aliased t>` to a query.
    pub fn push_visibility(self, query: &mut QueryBuilder<'_, Postgres>) {
        match self.role {
            Role::Owner | Role::Admin | Role::Integration => {}
            Role::Agent => {
                query
                    .push(" AND (t.assigned_to = ")
                    .push_bind(self.id)
                    .push(" OR (t.assigned_to IS NULL AND (t.team_id IS NULL OR t.team_id IN (")
                    .push("SELECT m.team_id FROM team_members m WHERE m.user_id = ")
                    .push_bind(self.id)
                    .push("))))");
            }
            Role::Customer | Role::PlatformAdmin => {
                query.push(" AND t.user_id = ").push_bind(self.id);
            }
        }
    }

    /// Whether this caller reads internal notes.
    pub fn sees_internal_notes(self) -> bool {
        self.is_staff()
    }
}

/// What a caller may see of `support_tickets t`, for a query written once for every role:
/// `AND ($1::uuid IS NULL OR t.user_id = $1) AND ($2::uuid IS NULL OR t.assigned_to = $2 OR
/// (t.assigned_to IS NULL AND (t.team_id IS NULL OR t.team_id IN (SELECT m.team_id FROM
/// team_members m WHERE m.user_id = $2))))` with `customer` and `agent` (both null for owners
/// and admins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// Only this customer's tickets.
    pub customer: Option<Uuid>,
    /// Only this agent's tickets and their queues.
    pub agent: Option<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_visibility_rules() {
        let (me, other) = (Uuid::now_v7(), Uuid::now_v7());
        let viewer = |role| Viewer { id: me, role };
        let customer = viewer(Role::Customer);
        assert!(customer.sees(me, Some(other), false) && !customer.sees(other, None, true));
        let agent = viewer(Role::Agent);
        assert!(agent.sees(other, Some(me), false) && agent.sees(other, None, true));
        assert!(!agent.sees(other, Some(other), true), "a colleague's ticket");
        assert!(!agent.sees(other, None, false), "the queue of a team they are not in");
        for admin in [viewer(Role::Admin), viewer(Role::Owner)] {
            assert!(admin.sees(other, Some(other), false) && admin.sees(other, None, false));
        }
        assert!(!customer.sees_internal_notes() && agent.sees_internal_notes());
        assert!(customer.require_staff().is_err() && agent.require_admin().is_err());
    }

    #[test]
    fn the_scope_of_a_static_query_is_the_visibility() {
        let (me, other) = (Uuid::now_v7(), Uuid::now_v7());
        for role in [Role::Owner, Role::Admin, Role::Agent, Role::Customer, Role::Integration] {
            let viewer = Viewer { id: me, role };
            let scope = viewer.scope();
            for (customer, assignee) in
                [(me, None), (other, None), (me, Some(other)), (other, Some(me)), (other, Some(other))]
            {
                for in_queues in [true, false] {
                    let in_scope = scope.customer.is_none_or(|c| c == customer)
                        && scope.agent.is_none_or(|agent| assignee.map_or(in_queues, |a| a == agent));
                    let sees = viewer.sees(customer, assignee, in_queues);
                    assert_eq!(in_scope, sees, "{role:?} {customer} {assignee:?} {in_queues}");
                }
            }
        }
    }
}
