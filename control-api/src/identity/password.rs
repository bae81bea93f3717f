//! Password policy and argon2id hashing (OWASP parameters: 19 MiB, 2 passes, 1 lane). Hashing
//! runs on the blocking pool: it is deliberately slow.

use std::sync::LazyLock;

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

/// An argon2id PHC string.
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
/// Always does one argon2 computation.
pub async fn verify(password: String, stored: Option<String>) -> bool {
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
}
