//! How the domain's refusals answer over HTTP: a secret check the guard would not run (a locked
//! account or address, a full password queue), a login refused, an email that belongs to an
//! account already, and the refusals of registration, invitations and sign-up.
//! The domain modules return these as plain errors; the status and the code are chosen here,
//! and documented beside: a route lists the refusals it passes on in its `responses`, after its
//! own answers (`IntoResponses`).

use std::collections::BTreeMap;

use axum::http::StatusCode;
use shared::error::{ApiError, FieldError};
use shared::http::openapi::{ProblemResponse, problem_responses};
use utoipa::IntoResponses;
use utoipa::openapi::{RefOr, Response};

use crate::identity::guard::Refused;
use crate::identity::login::LoginError;
use crate::identity::password::Busy;
use crate::identity::people::NewIdentityError;
use crate::identity::users::Refusal;
use crate::tenancy::joining::{AcceptError, RegistrationError};
use crate::tenancy::signup::SignupError;

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Locked(wait) => {
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many failed attempts; retry later")
                    .with_retry_after(wait.as_secs().max(1))
            }
            Refused::Busy => busy(),
        }
    }
}

impl From<Busy> for ApiError {
    fn from(_: Busy) -> Self {
        busy()
    }
}

fn busy() -> ApiError {
    ApiError::busy("the server is busy; retry in a moment")
}

const SERVER_BUSY: ProblemResponse = ("503", "`server_busy`: see Retry-After");

impl IntoResponses for Busy {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problem_responses([SERVER_BUSY])
    }
}

/// `Refused::Locked` alone: a code checked against the second-factor limits, or a password
/// checked again (step-up), while the account or the address is locked after failed attempts.
pub struct LockedOut;

impl IntoResponses for LockedOut {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problem_responses([("429", "`rate_limited`")])
    }
}

impl From<NewIdentityError> for ApiError {
    fn from(err: NewIdentityError) -> Self {
        match err {
            NewIdentityError::EmailTaken => email_taken(),
            NewIdentityError::Database(err) => err.into(),
        }
    }
}

/// The answer when the email belongs to an identity already. It never depends on the password
/// given: only login says whether a password is right.
fn email_taken() -> ApiError {
    ApiError::conflict("an account with this email already exists: sign in, then use your access token")
}

/// The answer for proven credentials that still may not receive tokens (`NoAccess` is also the
/// answer for wrong ones).
impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NoAccess => ApiError::unauthorized("invalid email or password"),
            Refusal::TenantSuspended => {
                ApiError::new(StatusCode::FORBIDDEN, "tenant_suspended", "this organisation is suspended")
            }
            Refusal::TenantProvisioning => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "tenant_provisioning",
                "this organisation is still being set up; retry in a moment",
            )
            .with_retry_after(2),
        }
    }
}

impl IntoResponses for LoginError {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problem_responses([
            ("401", "`unauthorized`: wrong email or password (the same answer for an unknown email)"),
            ("403", "`tenant_suspended`"),
            ("429", "`rate_limited`: too many failures; see Retry-After"),
            ("503", "`tenant_provisioning`, or `server_busy` (see Retry-After)"),
        ])
    }
}

impl From<LoginError> for ApiError {
    fn from(err: LoginError) -> Self {
        match err {
            LoginError::Refused(refused) => refused.into(),
            LoginError::Denied(refusal) => refusal.into(),
            LoginError::Database(err) => err.into(),
        }
    }
}

impl From<RegistrationError> for ApiError {
    fn from(err: RegistrationError) -> Self {
        match err {
            RegistrationError::TenantNotFound => {
                ApiError::new(StatusCode::NOT_FOUND, "tenant_not_found", "no active tenant has this slug")
            }
            RegistrationError::Refused(refused) => refused.into(),
            RegistrationError::Database(err) => err.into(),
        }
    }
}

impl From<AcceptError> for ApiError {
    fn from(err: AcceptError) -> Self {
        match err {
            AcceptError::NotFound => ApiError::not_found("this invitation does not exist, was used, or has expired"),
            AcceptError::AccountGone => ApiError::unauthorized("this account no longer exists"),
            AcceptError::OtherEmail => ApiError::forbidden("this invitation is for another email address"),
            AcceptError::EmailTaken => email_taken(),
            AcceptError::AlreadyMember => ApiError::conflict("you are already a member of this tenant"),
            AcceptError::Database(err) => err.into(),
        }
    }
}

impl IntoResponses for AcceptError {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problem_responses([
            ("403", "`forbidden`: the invitation is for another email"),
            ("404", "`not_found`: unknown, used or expired"),
            ("409", "`conflict`: already a member, or an account exists (accept with its token)"),
        ])
    }
}

impl From<SignupError> for ApiError {
    fn from(err: SignupError) -> Self {
        match err {
            SignupError::OwnerEmailTaken => {
                email_taken().with_field_errors(vec![FieldError::new("admin.email", "belongs to an account")])
            }
            SignupError::OwnerGone => ApiError::unauthorized("this account no longer exists or is disabled"),
            SignupError::SlugTaken => {
                ApiError::conflict("this slug is taken").with_field_errors(vec![FieldError::new("slug", "is taken")])
            }
            SignupError::SlugReserved(free_from) => {
                let day = free_from.format("%Y-%m-%d");
                ApiError::conflict(format!("this slug belonged to a deleted organisation; it is free from {day}"))
                    .with_field_errors(vec![FieldError::new("slug", format!("is reserved until {day}"))])
                    .with_extension("available_at", free_from.to_rfc3339())
            }
            SignupError::Refused(refused) => refused.into(),
            SignupError::NewIdentity(err) => err.into(),
            SignupError::Database(err) => err.into(),
        }
    }
}

impl IntoResponses for SignupError {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let taken = "`conflict`: the slug is taken, or the email belongs to an account (sign in and sign up with its \
                     access token; the password given is never checked)";
        problem_responses([("409", taken), SERVER_BUSY])
    }
}
