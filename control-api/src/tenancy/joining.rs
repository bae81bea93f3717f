//! How people join a tenant: a customer registering themselves (a new identity, or an existing
//! one proving its password), and an invitee accepting an invitation (as the signed-in caller,
//! or as a new identity). Each joining enqueues the member's mirror into the tenant database
//! and is written to the audit trail; a customer whose email is not verified is mailed the link
//! that verifies it, and accepting a mailed invitation verifies the invitee's.

use shared::auth::Role;
use shared::tenant::Slug;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::jobs::{self, JobKind};
use super::tenants::{self, TenantRef};
use crate::identity::audit::{self, Action};
use crate::identity::guard::{self, Guard, Refused};
use crate::identity::mail::compose::Language;
use crate::identity::mail::{AccountMail, Recipient};
use crate::identity::people::{CheckedPerson, EmailCheck, NewIdentityError, insert_user};
use crate::identity::sessions::Origin;
use crate::identity::users::{self, UserProfile, UserStatus};
use crate::identity::{invitations, memberships};

/// A registration whose fields passed their checks.
pub struct Registration {
    pub tenant: Slug,
    pub person: CheckedPerson,
    /// The language of the verification mail.
    pub language: Language,
}

/// Who joins once a registration's checks passed.
pub enum Joiner {
    /// A new identity, its password hashed.
    New { person: CheckedPerson, password_hash: String },
    /// An existing identity that proved its password.
    Existing(Uuid),
}

/// Why a registration was refused.
#[derive(Debug)]
pub enum RegistrationError {
    /// No active tenant has the slug.
    TenantNotFound,
    /// The guard would not hash or check the password.
    Refused(Refused),
    Database(sqlx::Error),
}

impl From<Refused> for RegistrationError {
    fn from(refused: Refused) -> Self {
        Self::Refused(refused)
    }
}

impl From<sqlx::Error> for RegistrationError {
    fn from(err: sqlx::Error) -> Self {
        Self::Database(err)
    }
}

/// The tenant, and who joins it: a new identity (its password hashed), or an existing one whose
/// password was right (the check counts against the login limits). `None` when the password was
/// wrong or the account is disabled: the failure is audited, and the caller answers as if it
/// joined. No connection is held while argon2 runs.
pub async fn prepare_registration(
    db: &PgPool,
    guard: &Guard,
    registration: Registration,
    origin: &Origin,
) -> Result<(TenantRef, Option<Joiner>), RegistrationError> {
    let Registration { tenant, person, .. } = registration;
    let (tenant, existing) = {
        let mut conn = db.acquire().await?;
        let tenant = tenants::active_ref(&mut conn, tenant.as_str()).await?.ok_or(RegistrationError::TenantNotFound)?;
        (tenant, users::login_candidate(&mut conn, &person.email.normalized(), None).await?)
    };
    let Some(candidate) = existing else {
        let password_hash = guard.hash(person.password.clone()).await.map_err(Refused::from)?;
        return Ok((tenant, Some(Joiner::New { person, password_hash })));
    };
    let subjects = guard::subjects(person.email.normalized(), origin.ip);
    let proven = guard.check_password(&subjects, person.password, Some(candidate.password_hash.clone())).await?;
    if !(proven && candidate.user_status == UserStatus::Active) {
        let mut conn = db.acquire().await?;
        let details = serde_json::json!({ "reason": "bad_credentials", "via": "registration" });
        audit::record(&mut conn, Action::LoginFailed, Some(candidate.user_id), None, origin, details).await?;
        return Ok((tenant, None));
    }
    guard.proven(&subjects).await;
    Ok((tenant, Some(Joiner::Existing(candidate.user_id))))
}

/// Makes the joiner (a new identity written first, its email unverified) a customer of the
/// tenant, unless they are a member already, and, while their email is not verified, writes the
/// mail that verifies it (a new link each time: registering again is how a lost one is
/// replaced). True when a mail was written: wake the sender once committed.
pub async fn register(
    conn: &mut PgConnection,
    tenant: &TenantRef,
    joiner: Joiner,
    origin: &Origin,
    mail: &AccountMail,
    language: Language,
) -> Result<bool, NewIdentityError> {
    let user = match joiner {
        Joiner::New { person, password_hash } => {
            Some(insert_user(conn, &person, &password_hash, EmailCheck::Unverified).await?)
        }
        Joiner::Existing(user_id) => users::profile(conn, user_id).await?,
    };
    // An existing identity disabled meanwhile: nothing to join.
    let Some(user) = user else { return Ok(false) };
    if memberships::add(conn, user.id, tenant.id, Role::Customer).await? {
        jobs::enqueue(conn, tenant.id, JobKind::SyncMember(user.id)).await?;
        let details = serde_json::json!({ "role": "customer", "via": "registration" });
        audit::record(conn, Action::MemberJoined, Some(user.id), Some(tenant.id), origin, details).await?;
    }
    if user.email_verified {
        return Ok(false);
    }
    mail.email_verification(conn, &Recipient { user: &user, tenant, language }).await?;
    Ok(true)
}

/// Who accepts an invitation.
pub enum Invitee {
    /// The signed-in caller, who must be the identity the invitation's email belongs to.
    Caller(Uuid),
    /// A new identity with the invitation's email, its password hashed.
    Newcomer { person: CheckedPerson, password_hash: String },
}

/// An accepted invitation: the tenant joined, the member, and their role.
pub struct Accepted {
    pub tenant: TenantRef,
    pub user: UserProfile,
    pub role: Role,
}

/// Why an invitation was not accepted.
#[derive(Debug)]
pub enum AcceptError {
    /// Unknown, used or expired, or its tenant not active.
    NotFound,
    /// The caller's identity no longer exists or is disabled.
    AccountGone,
    /// The invitation is for another email than the caller's.
    OtherEmail,
    /// A newcomer's email belongs to an identity (which accepts with its access token).
    EmailTaken,
    AlreadyMember,
    Database(sqlx::Error),
}

impl From<sqlx::Error> for AcceptError {
    fn from(err: sqlx::Error) -> Self {
        Self::Database(err)
    }
}

impl From<NewIdentityError> for AcceptError {
    fn from(err: NewIdentityError) -> Self {
        match err {
            NewIdentityError::EmailTaken => Self::EmailTaken,
            NewIdentityError::Database(err) => Self::Database(err),
        }
    }
}

/// Accepts the invitation of `token` (locked until the transaction ends) for the invitee, who
/// joins its tenant with its role.
pub async fn accept(
    conn: &mut PgConnection,
    token: &str,
    invitee: Invitee,
    origin: &Origin,
) -> Result<Accepted, AcceptError> {
    let invitation = invitations::lock_open(conn, token).await?.ok_or(AcceptError::NotFound)?;
    let user = match invitee {
        Invitee::Caller(user_id) => {
            let profile = users::profile(conn, user_id).await?.ok_or(AcceptError::AccountGone)?;
            if !profile.email.eq_ignore_ascii_case(&invitation.email) {
                return Err(AcceptError::OtherEmail);
            }
            profile
        }
        Invitee::Newcomer { person, password_hash } => {
            if users::email_exists(conn, &person.email.normalized()).await? {
                return Err(AcceptError::EmailTaken);
            }
            // The link was mailed to the invitation's address: the address is the person's.
            insert_user(conn, &person, &password_hash, EmailCheck::Verified).await?
        }
    };
    if !memberships::add(conn, user.id, invitation.tenant_id, invitation.role).await? {
        return Err(AcceptError::AlreadyMember);
    }
    invitations::mark_accepted(conn, token, user.id).await?;
    // An existing identity accepting a link sent to its address shows the address is its own.
    let mut user = user;
    if users::mark_email_verified(conn, user.id).await? {
        user.email_verified = true;
        jobs::enqueue_identity(conn, user.id).await?;
    }
    jobs::enqueue(conn, invitation.tenant_id, JobKind::SyncMember(user.id)).await?;
    let details = serde_json::json!({ "role": invitation.role, "via": "invitation" });
    audit::record(conn, Action::MemberJoined, Some(user.id), Some(invitation.tenant_id), origin, details).await?;
    let tenant = tenants::tenant_ref(conn, invitation.tenant_id).await?;
    Ok(Accepted { tenant, user, role: invitation.role })
}
