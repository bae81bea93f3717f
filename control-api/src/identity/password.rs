//! Password policy and argon2id hashing (OWASP parameters: 19 MiB, 2 passes, 1 lane). Hashing
//! runs on the blocking pool: it is deliberately slow, and each run holds 19 MiB, so requests
//! reach it through `Hasher`, which runs a bounded number at once and refuses work beyond a
//! bounded queue rather than letting memory grow with the number of callers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use tokio::sync::Semaphore;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 2, 1, None).expect("valid parameters"))
}

/// Checks the policy: 12 to 128 characters, and not the email address itself.
pub fn check_policy(password: &str, email: &str) -> Result<(), &'static str> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err("must be at least 12 characters");
    }
    if chars > MAX_CHARS {
        return Err("must be at most 128 characters");
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err("must not be the email address");
    }
    Ok(())
}

/// The queue in front of argon2 is full: answer 503 and let the client retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server is busy checking passwords; retry in a moment")]
pub struct Busy;

/// Runs at most `concurrency` hashes at once; up to `queue` more callers wait, each at most
/// `MAX_WAIT`; anyone beyond that is refused at once.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    queue: usize,
}

/// The longest a caller waits for its turn before being refused.
const MAX_WAIT: Duration = Duration::from_secs(10);

impl Hasher {
    pub fn new(concurrency: usize, queue: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(concurrency.max(1))), waiting: Arc::new(AtomicUsize::new(0)), queue }
    }

    async fn turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, Busy> {
        if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        let permit = tokio::time::timeout(MAX_WAIT, Arc::clone(&self.permits).acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        match permit {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy),
        }
    }

    /// An argon2id PHC string of `password`.
    pub async fn hash(&self, password: String) -> Result<String, Busy> {
        let _turn = self.turn().await?;
        Ok(hash(password).await)
    }

    /// `verify`, in turn.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Busy> {
        let _turn = self.turn().await?;
        Ok(verify(password, stored).await)
    }
}

/// An argon2id PHC string. Unbounded: request paths go through `Hasher`.
pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2().hash_password(password.as_bytes(), &salt).expect("argon2 hashing of a bounded input").to_string()
    })
    .await
    .expect("hashing task")
}

/// A hash of a random password, verified against when the account does not exist, so that an
/// unknown email costs the same time as a wrong password.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(shared::crypto::random_token().as_bytes(), &salt).expect("argon2").to_string()
});

/// Verifies `password` against `stored`, or against the decoy when there is no account.
/// Always does one argon2 computation. Unbounded: request paths go through `Hasher`.
async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let (phc, real) = match &stored {
            Some(phc) => (phc.as_str(), true),
            None => (DECOY_HASH.as_str(), false),
        };
        let Ok(parsed) = PasswordHash::new(phc) else {
            tracing::error!("a stored password hash is not a PHC string");
            return false;
        };
        argon2().verify_password(password.as_bytes(), &parsed).is_ok() && real
    })
    .await
    .expect("verification task")
}

/// Computes the decoy now, so the first unknown-email login is not faster than the rest.
pub fn warm_up() {
    LazyLock::force(&DECOY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(check_policy("correct horse battery", "ada@example.org").is_ok());
        assert_eq!(check_policy("short", "a@b.co"), Err("must be at least 12 characters"));
        assert!(check_policy(&"x".repeat(129), "a@b.co").is_err());
        assert!(check_policy(&"é".repeat(128), "a@b.co").is_ok(), "characters, not bytes");
        assert_eq!(check_policy("Ada@Example.org", "ada@example.org"), Err("must not be the email address"));
    }

    #[tokio::test]
    async fn hashes_verify_and_decoys_never_match() {
        let phc = hash("correct horse battery".into()).await;
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery".into(), Some(phc.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(phc)).await);
        assert!(!verify("correct horse battery".into(), None).await);
    }

    #[tokio::test]
    async fn the_hasher_refuses_callers_beyond_its_queue() {
        let hasher = Hasher::new(1, 2);
        let held = hasher.turn().await.unwrap();
        let (a, b) = (hasher.clone(), hasher.clone());
        let first = tokio::spawn(async move { a.hash("correct horse battery".into()).await });
        let second = tokio::spawn(async move { b.hash("correct horse battery".into()).await });
        // Both wait behind the held turn; a third finds the queue full.
        shared::testkit::eventually(Duration::from_secs(5), "two callers queue", || async {
            (hasher.waiting.load(Ordering::Acquire) == 2).then_some(())
        })
        .await;
        assert_eq!(hasher.hash("correct horse battery".into()).await, Err(Busy));
        drop(held);
        assert!(first.await.unwrap().is_ok());
        assert!(second.await.unwrap().is_ok());
        assert_eq!(hasher.waiting.load(Ordering::Acquire), 0);
    }
}
