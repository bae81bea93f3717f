//! Password policy and argon2id hashing (OWASP parameters: 19 MiB, 2 passes, 1 lane). Hashing is
//! deliberately slow and each run needs 19 MiB, so requests reach it through `Hasher`: a fixed
//! set of threads, each reusing its own memory block (`hash_threads`), a turn for each of them,
//! and a bounded queue of callers waiting for one; beyond it callers are refused rather than
//! letting time or memory grow with their number.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use tokio::sync::Semaphore;

use argon2::password_hash::{PasswordHasher as _, SaltString, rand_core::OsRng};

use super::hash_threads::{HashThreads, argon2};

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

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

/// Runs at most `concurrency` hashes at once, on as many threads of its own; up to `queue` more
/// callers wait, each at most `MAX_WAIT`; anyone beyond that is refused at once.
#[derive(Clone)]
pub struct Hasher {
    threads: HashThreads,
    permits: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    queue: usize,
}

/// The longest a caller waits for its turn before being refused.
const MAX_WAIT: Duration = Duration::from_secs(10);

impl Hasher {
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            threads: HashThreads::new(concurrency),
            permits: Arc::new(Semaphore::new(concurrency)),
            waiting: Arc::new(AtomicUsize::new(0)),
            queue,
        }
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
        Ok(self.threads.hash(password).await)
    }

    /// Verifies `password` against `stored`, or against the decoy when there is no account:
    /// always one argon2 computation, so an unknown email costs the same time as a wrong password.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Busy> {
        let _turn = self.turn().await?;
        let real = stored.is_some();
        let phc = stored.unwrap_or_else(|| DECOY_HASH.clone());
        Ok(self.threads.verify(password, phc).await && real)
    }
}

/// An argon2id PHC string, on the blocking pool: for the command line (creating a platform
/// administrator), never a request path, which goes through `Hasher`.
pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2().hash_password(password.as_bytes(), &salt).expect("argon2 hashing of a bounded input").to_string()
    })
    .await
    .expect("hashing task")
}

/// A hash of a random password, verified against when the account does not exist.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(shared::crypto::random_token().as_bytes(), &salt).expect("argon2").to_string()
});

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
        let hasher = Hasher::new(1, 4);
        let phc = hasher.hash("correct horse battery".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(hasher.verify("correct horse battery".into(), Some(phc.clone())).await, Ok(true));
        assert_eq!(hasher.verify("wrong horse battery".into(), Some(phc)).await, Ok(false));
        assert_eq!(hasher.verify("correct horse battery".into(), None).await, Ok(false));
        // The command line's hashes are the same PHC strings.
        let cli = hash("correct horse battery".into()).await;
        assert_eq!(hasher.verify("correct horse battery".into(), Some(cli)).await, Ok(true));
    }

    #[tokio::test]
    async fn the_hasher_refuses_callers_beyond_its_queue() {
        let hasher = Hasher::new(1, 2);
        let held = hasher.turn().await.unwrap();
        let (a, b) = (hasher.clone(), hasher.clone());
        let first = tokio::spawn(async move { a.hash("correct horse battery".into()).await });
        let second = tokio::spawn(async move { b.hash("correct horse battery".into()).await });
        // Both wait behind the held turn; a third finds the queue full.
        harness::eventually(Duration::from_secs(5), "two callers queue", || async {
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
