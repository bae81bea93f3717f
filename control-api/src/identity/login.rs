//! Proving a login's password: the account is looked up without holding a connection while
//! argon2 runs, the attempt is counted before the hash is checked (the guard), an unknown
//! account costs the same time as a wrong password, and a refusal is written to the audit trail
//! (only a tenant the person belongs to hears of it).

use shared::auth::Role;
use sqlx::PgPool;

use super::audit::{self, Action};
use super::guard::{self, Guard, Refused};
use super::sessions::Origin;
use super::users::{self, LoginCandidate, Refusal};

/// A login as asked for, its fields within bounds and in normal form.
pub struct LoginAttempt {
    /// The email, trimmed and in lower case.
    pub account: String,
    /// The tenant's slug, trimmed and in lower case; `None` for platform operators.
    pub tenant: Option<String>,
    pub password: String,
}

/// Why a login gets neither tokens nor a second-factor challenge.
#[derive(Debug)]
pub enum LoginError {
    /// The guard would not check the password (a subject is locked, or the queue is full).
    Refused(Refused),
    /// A wrong password or unknown account (`NoAccess`), or proven credentials that may not
    /// receive tokens.
    Denied(Refusal),
    Database(sqlx::Error),
}

impl From<Refused> for LoginError {
    fn from(refused: Refused) -> Self {
        Self::Refused(refused)
    }
}

impl From<sqlx::Error> for LoginError {
    fn from(err: sqlx::Error) -> Self {
        Self::Database(err)
    }
}

/// The account behind proven credentials and the role its tokens would carry. A proven
/// password gives its attempt back only when it leads to access.
pub async fn authenticate(
    db: &PgPool,
    guard: &Guard,
    attempt: LoginAttempt,
    origin: &Origin,
) -> Result<(LoginCandidate, Role), LoginError> {
    // No connection is held while argon2 runs: a few slow logins must not starve the pool.
    let candidate = {
        let mut conn = db.acquire().await?;
        users::login_candidate(&mut conn, &attempt.account, attempt.tenant.as_deref()).await?
    };
    let subjects = guard::subjects(attempt.account, origin.ip);
    let stored = candidate.as_ref().map(|c| c.password_hash.clone());
    let proven = guard.check_password(&subjects, attempt.password, stored).await?;
    let grant = match &candidate {
        Some(c) if proven => c.grantable_role(attempt.tenant.is_some()),
        _ => Err(Refusal::NoAccess),
    };
    match (candidate, grant) {
        (Some(candidate), Ok(role)) => {
            guard.proven(&subjects).await;
            Ok((candidate, role))
        }
        (candidate, Err(refusal)) => {
            let reason = if proven { "no_access" } else { "bad_credentials" };
            // Only a tenant the person belongs to hears of the failure: another tenant's log
            // must not learn that this identity exists.
            let (actor, tenant_id) = candidate
                .as_ref()
                .map_or((None, None), |c| (Some(c.user_id), c.tenant_id.filter(|_| c.role.is_some())));
            let mut conn = db.acquire().await?;
            let details = serde_json::json!({ "reason": reason });
            audit::record(&mut conn, Action::LoginFailed, actor, tenant_id, origin, details).await?;
            Err(LoginError::Denied(refusal))
        }
        (None, Ok(_)) => unreachable!("a granted role implies a candidate"),
    }
}
