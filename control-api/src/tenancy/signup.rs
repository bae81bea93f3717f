//! Signing up an organisation: its tenant row (`provisioning`), its first owner (a new identity
//! or the caller's), and the job that provisions its database.

use shared::tenant::Slug;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::jobs::{self, JobKind};
use super::tenants;
use crate::identity::guard::{Guard, Refused};
use crate::identity::memberships;
use crate::identity::people::{CheckedPerson, EmailCheck, NewIdentityError, insert_user};
use crate::identity::users::{self, UserProfile};

/// Who will own the new organisation.
pub enum Owner {
    New(CheckedPerson),
    Existing(Uuid),
}

/// An organisation to create, its fields checked.
pub struct NewOrganisation {
    pub slug: Slug,
    /// Trimmed.
    pub name: String,
    pub owner: Owner,
}

/// Why an organisation was not created.
#[derive(Debug)]
pub enum SignupError {
    /// A new owner's email belongs to an identity (found before any password is hashed; the
    /// password given is never checked).
    OwnerEmailTaken,
    /// The calling owner's identity no longer exists or is disabled.
    OwnerGone,
    SlugTaken,
    /// A deleted tenant's slug, free from then on.
    SlugReserved(chrono::DateTime<chrono::Utc>),
    /// The password queue is full.
    Refused(Refused),
    /// Writing the new owner failed (its email taken meanwhile, or the database).
    NewIdentity(NewIdentityError),
    Database(sqlx::Error),
}

impl From<sqlx::Error> for SignupError {
    fn from(err: sqlx::Error) -> Self {
        Self::Database(err)
    }
}

impl From<NewIdentityError> for SignupError {
    fn from(err: NewIdentityError) -> Self {
        Self::NewIdentity(err)
    }
}

/// A new owner's password hash, once their email is known to belong to nobody (`None` for an
/// existing owner). No connection is held while argon2 runs.
pub async fn new_owner_hash(db: &PgPool, guard: &Guard, owner: &Owner) -> Result<Option<String>, SignupError> {
    let Owner::New(person) = owner else { return Ok(None) };
    {
        let mut conn = db.acquire().await?;
        if users::login_candidate(&mut conn, &person.email.normalized(), None).await?.is_some() {
            return Err(SignupError::OwnerEmailTaken);
        }
    }
    let hash = guard.hash(person.password.clone()).await.map_err(|busy| SignupError::Refused(busy.into()))?;
    Ok(Some(hash))
}

/// Writes the owner (a new identity with `new_owner_hash`), the tenant and its first owner's
/// membership, and enqueues the provisioning. Returns the tenant's id and the owner.
pub async fn create(
    conn: &mut PgConnection,
    organisation: &NewOrganisation,
    new_owner_hash: Option<String>,
) -> Result<(Uuid, UserProfile), SignupError> {
    let user = match (&organisation.owner, new_owner_hash) {
        // The owner is not mailed a link: the organisation is theirs, and mail to it counts as
        // reaching them.
        (Owner::New(person), Some(hash)) => insert_user(conn, person, &hash, EmailCheck::Verified).await?,
        (Owner::Existing(user_id), _) => users::profile(conn, *user_id).await?.ok_or(SignupError::OwnerGone)?,
        (Owner::New(_), None) => unreachable!("a new owner's password is hashed first"),
    };
    let tenant_id = Uuid::now_v7();
    if let Some(free_from) = tenants::release_slug(conn, organisation.slug.as_str()).await? {
        return Err(SignupError::SlugReserved(free_from));
    }
    match tenants::insert(conn, tenant_id, organisation.slug.as_str(), &organisation.name).await {
        Err(sqlx::Error::Database(db)) if db.constraint() == Some("tenants_slug_key") => {
            return Err(SignupError::SlugTaken);
        }
        result => result?,
    }
    memberships::add_owner(conn, user.id, tenant_id).await?;
    jobs::enqueue(conn, tenant_id, JobKind::Provision).await?;
    Ok((tenant_id, user))
}
