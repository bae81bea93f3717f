//! A person as sign-up, registration and invitations receive them: the fields, their checks, and
//! writing a new identity. (What these flows share lives here, below the routes of each.)

use serde::Deserialize;
use shared::error::FieldError;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::email::Email;
use super::password;
use super::users::{self, UserProfile};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    pub email: String,
    pub password: String,
    pub firstname: String,
    pub lastname: String,
}

/// A person whose fields passed their checks.
pub struct CheckedPerson {
    pub email: Email,
    pub password: String,
    pub firstname: String,
    pub lastname: String,
}

impl NewPerson {
    /// The person's fields checked on their own; every field's error when any fails.
    pub fn checked(self) -> Result<CheckedPerson, Vec<FieldError>> {
        let mut errors = Vec::new();
        check_person(self, "", &mut errors).filter(|_| errors.is_empty()).ok_or(errors)
    }
}

/// Checks a new person's fields, prefixing field names with `prefix`.
pub fn check_person(person: NewPerson, prefix: &str, errors: &mut Vec<FieldError>) -> Option<CheckedPerson> {
    let email = Email::parse(&person.email).map_err(|e| errors.push(FieldError::new(format!("{prefix}email"), e))).ok();
    if let Some(Err(e)) = email.as_ref().map(|email| password::check_policy(&person.password, email.as_str())) {
        errors.push(FieldError::new(format!("{prefix}password"), e));
    }
    name_errors(&format!("{prefix}firstname"), &person.firstname, 100, errors);
    name_errors(&format!("{prefix}lastname"), &person.lastname, 100, errors);
    Some(CheckedPerson {
        email: email?,
        password: person.password,
        firstname: person.firstname.trim().to_owned(),
        lastname: person.lastname.trim().to_owned(),
    })
}

/// A name-like field: not blank, at most `max` characters, no control characters.
pub fn name_errors(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    let chars = value.trim().chars().count();
    if chars == 0 {
        errors.push(FieldError::new(field, "must not be empty"));
    } else if chars > max {
        errors.push(FieldError::new(field, format!("must be at most {max} characters")));
    } else if value.chars().any(char::is_control) {
        errors.push(FieldError::new(field, "must not contain control characters"));
    }
}

/// Why a new identity was not written.
#[derive(Debug, thiserror::Error)]
pub enum NewIdentityError {
    /// The email belongs to an identity already.
    #[error("the email belongs to an account")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Whether a new identity's email counts as verified: an organisation's owner at sign-up and an
/// invitee accepting the link mailed to the invitation's address are; a customer registering
/// themselves is not until they follow the verification link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailCheck {
    Verified,
    Unverified,
}

/// Writes a new identity (inside the caller's transaction) and returns its profile.
pub async fn insert_user(
    conn: &mut PgConnection,
    person: &CheckedPerson,
    password_hash: &str,
    email: EmailCheck,
) -> Result<UserProfile, NewIdentityError> {
    let profile = UserProfile {
        id: Uuid::now_v7(),
        email: person.email.as_str().to_owned(),
        firstname: person.firstname.clone(),
        lastname: person.lastname.clone(),
        email_verified: email == EmailCheck::Verified,
    };
    match users::insert(conn, &profile, password_hash).await {
        Ok(()) => Ok(profile),
        Err(sqlx::Error::Database(db)) if db.constraint() == Some("users_email_key") => {
            Err(NewIdentityError::EmailTaken)
        }
        Err(err) => Err(err.into()),
    }
}
