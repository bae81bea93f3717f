//! Secrets at rest and opaque tokens.
//!
//! - `seal`/`open`: AES-256-GCM under `DB_ENCRYPTION_KEY`, random 96-bit nonce stored in front
//!   of the ciphertext. Used for tenant database passwords and TOTP secrets.
//! - `random_token`: 256-bit URL-safe tokens (refresh, MFA challenge, invitation).
//! - `token_digest`: how such tokens are stored: SHA-256, enough for 256-bit random input.
//! - `keyed_digest`: HMAC-SHA256 under the encryption key, for low-entropy secrets such as
//!   recovery codes, so a copy of the database alone cannot be brute-forced.

use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::{AeadCore, Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::{Digest, Sha256};

use crate::config::EncryptionKey;

const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the sealed value cannot be opened (wrong key or corrupted)")]
pub struct OpenError;

/// Encrypts `plaintext`; the output is `nonce || ciphertext+tag`.
pub fn seal(key: &EncryptionKey, plaintext: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new(key.bytes().into());
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let mut out = nonce.to_vec();
    out.extend(cipher.encrypt(&nonce, plaintext).expect("AES-GCM encryption of in-memory data"));
    out
}

/// Decrypts what `seal` produced under the same key.
pub fn open(key: &EncryptionKey, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
    if sealed.len() < NONCE_LEN + 16 {
        return Err(OpenError);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("split at the nonce length");
    Aes256Gcm::new(key.bytes().into()).decrypt(&Nonce::from(nonce), ciphertext).map_err(|_| OpenError)
}

/// 32 random bytes, base64url without padding (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How high-entropy tokens are stored and looked up.
pub fn token_digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// HMAC-SHA256 of `value` under the encryption key.
pub fn keyed_digest(key: &EncryptionKey, value: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.bytes()).expect("HMAC takes any key length");
    mac.update(value.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FromEnv as _;

    fn key(byte: u8) -> EncryptionKey {
        EncryptionKey::from_env(&base64::engine::general_purpose::STANDARD.encode([byte; 32])).unwrap()
    }

    #[test]
    fn sealed_values_round_trip_and_resist_tampering() {
        let sealed = seal(&key(1), b"tenant password");
        assert_eq!(open(&key(1), &sealed).unwrap(), b"tenant password");
        assert_ne!(seal(&key(1), b"tenant password"), sealed, "nonces must differ");
        assert_eq!(open(&key(2), &sealed), Err(OpenError));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(open(&key(1), &tampered), Err(OpenError));
        assert_eq!(open(&key(1), b"short"), Err(OpenError));
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(token_digest(&a), token_digest(&a));
        assert_ne!(keyed_digest(&key(1), "abcd"), keyed_digest(&key(2), "abcd"));
    }
}
