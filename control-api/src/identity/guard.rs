//! The one way a secret is checked. Every password check (login, registration of an existing
//! identity, step-up before a sensitive change) and every second-factor check goes through
//! `Guard`: the attempt is counted against the account and the client IP first (refused while
//! either is locked), the check runs, and a proven secret gives the attempt back. Password work
//! runs through the bounded `Hasher`.

use std::net::IpAddr;
use std::time::Duration;

use super::lockout::{Lockout, Subject};
use super::password::{Busy, Hasher};

/// Why a check did not run (`routes::refusals` says how it answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// A subject is locked for this long.
    Locked(Duration),
    /// The password queue is full.
    Busy,
}

impl From<Busy> for Refused {
    fn from(_: Busy) -> Self {
        Self::Busy
    }
}

/// The subjects an attempt counts against: the account (a normalized email, or `mfa:{user}`
/// for second factors) and the client IP.
pub fn subjects(account: String, ip: Option<IpAddr>) -> Vec<Subject> {
    let mut subjects = vec![Subject::Account(account)];
    subjects.extend(ip.map(Subject::Ip));
    subjects
}

/// The account key of a user's second factor.
pub fn second_factor_account(user_id: uuid::Uuid) -> String {
    format!("mfa:{user_id}")
}

#[derive(Clone)]
pub struct Guard {
    lockout: Lockout,
    hasher: Hasher,
}

impl Guard {
    pub fn new(lockout: Lockout, hasher: Hasher) -> Self {
        Self { lockout, hasher }
    }

    /// Checks `password` against `stored` (the decoy when there is no account, so an unknown
    /// account costs the same). True when it matches; follow with `proven` when it leads to
    /// access.
    pub async fn check_password(
        &self,
        subjects: &[Subject],
        password: String,
        stored: Option<String>,
    ) -> Result<bool, Refused> {
        self.lockout.attempt(subjects).await.map_err(Refused::Locked)?;
        Ok(self.hasher.verify(password, stored).await?)
    }

    /// Counts an attempt at a secret checked elsewhere (a second-factor code); follow with
    /// `proven` when it matched.
    pub async fn attempt(&self, subjects: &[Subject]) -> Result<(), Refused> {
        self.lockout.attempt(subjects).await.map_err(Refused::Locked)
    }

    /// The secret was right and led to access: the account's attempts are forgotten and the
    /// IP's attempt given back.
    pub async fn proven(&self, subjects: &[Subject]) {
        self.lockout.succeeded(subjects).await;
    }

    /// Hashes a new password, in turn.
    pub async fn hash(&self, password: String) -> Result<String, Busy> {
        self.hasher.hash(password).await
    }
}
