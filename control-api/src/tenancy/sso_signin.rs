//! Who a verified identity is here, in the sign-in's transaction: the member with that email
//! (an owner stays an owner; with a role claim, the mapped role is set at every sign-in), a
//! person who joins on their first sign-in when the tenant creates them, or nobody. Each
//! joining and role change is mirrored into the tenant database and audited as the other ways
//! of joining are; the provider's session is remembered for its back-channel logout.

use shared::auth::Role;
use sqlx::PgConnection;
use uuid::Uuid;

use super::jobs::{self, JobKind};
use super::tenants::TenantRef;
use crate::identity::audit::{self, Action};
use crate::identity::memberships;
use crate::identity::sessions::Origin;
use crate::identity::sso::mapping::MappedRole;
use crate::identity::sso::provider::Vouched;
use crate::identity::users::{self, LoginCandidate, UserProfile, UserStatus};

/// Why a verified identity does not sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotHere {
    /// No member has the email and the tenant does not create members.
    NotAMember,
    /// The identity is disabled.
    Disabled,
}

impl NotHere {
    pub fn code(self) -> &'static str {
        match self {
            Self::NotAMember => "sso_not_a_member",
            Self::Disabled => "sso_account_disabled",
        }
    }
}

/// What the provider tells of a person, once checked: the admitted email, the mapped role, and
/// whether the tenant maps roles at all.
pub struct Admitted<'a> {
    pub email: &'a str,
    pub role: MappedRole,
    pub maps_roles: bool,
    pub auto_create: bool,
    pub vouched: &'a Vouched,
}

/// Whether a sign-in may create an identity for `email`: the tenant creates members and no
/// identity has it yet (then the caller hashes the new identity's password before its
/// transaction: no connection is held while argon2 runs).
pub async fn may_create(conn: &mut PgConnection, email: &str, auto_create: bool) -> sqlx::Result<bool> {
    Ok(auto_create && !users::email_exists(conn, email).await?)
}

/// The person `admitted` is in `tenant`, made a member or given the mapped role as the tenant's
/// settings say; the login candidate, read again after the changes. `new_password_hash` is a new
/// identity's password (the hash of a random secret nobody knows; the person may set one
/// through a reset link).
pub async fn person(
    conn: &mut PgConnection,
    tenant: &TenantRef,
    admitted: &Admitted<'_>,
    new_password_hash: Option<String>,
    origin: &Origin,
) -> Result<LoginCandidate, SignInError> {
    let found = users::login_candidate(conn, admitted.email, Some(&tenant.slug)).await?;
    let user_id = match found {
        Some(c) if c.user_status == UserStatus::Disabled => return Err(NotHere::Disabled.into()),
        Some(c) if c.role == Some(Role::Owner) => c.user_id,
        Some(c) if c.role.is_some() => {
            let wanted = admitted.role.role();
            if admitted.maps_roles && c.role != Some(wanted) {
                memberships::set_role(conn, tenant.id, c.user_id, wanted).await?;
                jobs::enqueue(conn, tenant.id, JobKind::SyncMember(c.user_id)).await?;
                let details = serde_json::json!({ "user_id": c.user_id, "role": wanted, "via": "sso" });
                audit::record(conn, Action::MemberRoleChanged, Some(c.user_id), Some(tenant.id), origin, details)
                    .await?;
            }
            c.user_id
        }
        Some(c) if admitted.auto_create => {
            join(conn, tenant, c.user_id, admitted.role.role(), origin).await?;
            c.user_id
        }
        None if admitted.auto_create => {
            let hash = new_password_hash.ok_or(NotHere::NotAMember)?;
            let (firstname, lastname) = names(admitted.vouched, admitted.email);
            let profile = UserProfile {
                id: Uuid::now_v7(),
                email: admitted.email.to_owned(),
                firstname,
                lastname,
                email_verified: true,
            };
            users::insert(conn, &profile, &hash).await?;
            join(conn, tenant, profile.id, admitted.role.role(), origin).await?;
            profile.id
        }
        Some(_) | None => return Err(NotHere::NotAMember.into()),
    };
    // The provider verified the address.
    if users::mark_email_verified(conn, user_id).await? {
        jobs::enqueue_identity(conn, user_id).await?;
    }
    let candidate = users::login_candidate(conn, admitted.email, Some(&tenant.slug)).await?;
    candidate.ok_or(SignInError::NotHere(NotHere::NotAMember))
}

async fn join(
    conn: &mut PgConnection,
    tenant: &TenantRef,
    user_id: Uuid,
    role: Role,
    origin: &Origin,
) -> sqlx::Result<()> {
    if memberships::add(conn, user_id, tenant.id, role).await? {
        jobs::enqueue(conn, tenant.id, JobKind::SyncMember(user_id)).await?;
        let details = serde_json::json!({ "role": role, "via": "sso" });
        audit::record(conn, Action::MemberJoined, Some(user_id), Some(tenant.id), origin, details).await?;
    }
    Ok(())
}

/// A new member's names: the provider's given and family names, else its full name split at
/// the first space, else the email's local part; within the identities' bounds.
fn names(vouched: &Vouched, email: &str) -> (String, String) {
    let claim = |name: &str| vouched.claims.get(name).and_then(serde_json::Value::as_str).map(str::trim);
    let bounded = |s: &str| s.chars().take(100).collect::<String>();
    if let (Some(given), Some(family)) = (claim("given_name"), claim("family_name"))
        && !given.is_empty()
    {
        return (bounded(given), bounded(family));
    }
    if let Some(full) = vouched.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        let (first, last) = full.split_once(' ').unwrap_or((full, ""));
        return (bounded(first), bounded(last.trim()));
    }
    (bounded(email.split('@').next().unwrap_or(email)), String::new())
}

/// Remembers the provider's session behind session `session_id`.
pub async fn remember_session(
    conn: &mut PgConnection,
    session_id: Uuid,
    tenant_id: Uuid,
    vouched: &Vouched,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO sso_sessions (session_id, tenant_id, subject, sid) VALUES ($1, $2, $3, $4)",
        session_id,
        tenant_id,
        vouched.subject,
        vouched.sid,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Revokes the open sessions a logout names in `tenant_id` (the provider's session `sid`, else
/// every session of `subject`); their ids and their people, to publish after the commit.
pub async fn revoke_sessions(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    subject: Option<&str>,
    sid: Option<&str>,
) -> sqlx::Result<Vec<(Uuid, Option<Uuid>)>> {
    let rows = sqlx::query!(
        "UPDATE sessions s SET revoked_at = now(), revoked_reason = 'sso_logout'
         FROM sso_sessions o
         WHERE o.session_id = s.id AND o.tenant_id = $1 AND s.revoked_at IS NULL
           AND CASE WHEN $3::text IS NOT NULL THEN o.sid = $3 ELSE o.subject = $2 END
         RETURNING s.id, s.user_id",
        tenant_id,
        subject,
        sid,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.user_id)).collect())
}

#[derive(Debug)]
pub enum SignInError {
    NotHere(NotHere),
    Database(sqlx::Error),
}

impl From<NotHere> for SignInError {
    fn from(why: NotHere) -> Self {
        Self::NotHere(why)
    }
}

impl From<sqlx::Error> for SignInError {
    fn from(err: sqlx::Error) -> Self {
        Self::Database(err)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn vouched(claims: serde_json::Value, name: Option<&str>) -> Vouched {
        Vouched {
            subject: "s".into(),
            email: None,
            email_verified: None,
            name: name.map(str::to_owned),
            amr: Vec::new(),
            sid: None,
            claims,
        }
    }

    #[test]
    fn a_new_member_is_named_as_the_provider_names_them() {
        let given = vouched(json!({"given_name": "Ana", "family_name": "Lima"}), Some("Ana B. Lima"));
        assert_eq!(names(&given, "a@x.example"), ("Ana".into(), "Lima".into()));
        let full = vouched(json!({}), Some("Ana B. Lima"));
        assert_eq!(names(&full, "a@x.example"), ("Ana".into(), "B. Lima".into()));
        let bare = vouched(json!({}), None);
        assert_eq!(names(&bare, "ana.lima@x.example"), ("ana.lima".into(), String::new()));
        let long = vouched(json!({}), Some(&"n".repeat(300)));
        assert_eq!(names(&long, "a@x.example").0.len(), 100);
    }
}
