//! How the domain's refusals answer over HTTP: a secret check the guard would not run (a locked
//! account or address, a full password queue), and an email that belongs to an account already.
//! The domain modules return these as plain errors; the status and the code are chosen here.

use axum::http::StatusCode;
use shared::error::ApiError;

use crate::identity::guard::Refused;
use crate::identity::password::Busy;
use crate::identity::people::NewIdentityError;

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
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "server_busy", "the server is busy; retry in a moment")
        .with_retry_after(1)
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
pub fn email_taken() -> ApiError {
    ApiError::conflict("an account with this email already exists: sign in, then use your access token")
}
