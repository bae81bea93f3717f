//! Secrets at rest and opaque tokens.
//!
//! - Keys: one master key (`DB_ENCRYPTION_KEY`) held by control-api alone; every use gets its own
//!   key derived with HKDF-SHA256, so a key that leaks opens one kind of secret only:
//!
//!   ```text
//!   master ─┬─ cluster-admin-url     cluster admin URLs (control-api)
//!           ├─ second-factor         TOTP secrets (control-api)
//!           ├─ recovery-codes        recovery-code digests (control-api)
//!           └─ app-plane  ───────┬─  tenant-database   tenant role passwords (sealed by control-api)
//!              (APP_PLANE_KEY)   ├─  tenant-cache      MACs of cached tenant lookups (app-api)
//!                                ├─  blob-url          download links of the disk store (app-api)
//!                                ├─  mail-links        unsubscribe and reply tokens (app-api)
//!                                ├─  api-keys          digests of the tenants' API keys (app-api)
//!                                └─  webhook-secrets   webhook signing secrets at rest (app-api)
//!   ```
//!
//!   app-api is given the app-plane key only: it can open tenant role passwords and sign its
//!   cache, and nothing else (not the cluster admin URLs).
//! - `seal`/`open`: AES-256-GCM, random 96-bit nonce stored in front of the ciphertext, and the
//!   id of the row that holds the value as associated data: a ciphertext copied into another
//!   row does not open.
//! - `random_token`: 256-bit URL-safe tokens (refresh, MFA challenge, invitation).
//! - `token_digest`: how such tokens are stored: SHA-256, enough for 256-bit random input.
//! - `keyed_digest`: HMAC-SHA256 under a key, for low-entropy secrets such as recovery codes
//!   (a copy of the database alone cannot be brute-forced) and for authenticating cache entries.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::{Digest, Sha256};

use crate::config::EncryptionKey;

const NONCE_LEN: usize = 12;

/// What a derived key is for: the HKDF `info`. Never reuse a purpose for another kind of secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPurpose {
    /// From the master key: the key app-api is given.
    AppPlane,
    /// From the master key.
    ClusterAdminUrl,
    /// From the master key.
    SecondFactor,
    /// From the master key.
    RecoveryCodes,
    /// From the app-plane key.
    TenantDatabase,
    /// From the app-plane key.
    TenantCache,
    /// From the app-plane key: signs the download links of the local-disk blob store.
    BlobUrl,
    /// From the app-plane key: signs the tokens mail carries (one-click unsubscribe, the reply
    /// address).
    MailLinks,
    /// From the app-plane key: the digests API keys are stored as.
    ApiKeys,
    /// From the app-plane key: seals the webhook endpoints' signing secrets.
    WebhookSecrets,
    /// From the app-plane key: seals the passwords of the tenants' mailboxes (email in).
    MailboxPasswords,
    /// Seals the client secrets of the tenants' single sign-on providers.
    SsoClientSecrets,
    /// From the app-plane key: the digests that stand for anonymous voters' addresses in the
    /// help center.
    HelpVoters,
}

impl KeyPurpose {
    fn info(self) -> &'static [u8] {
        match self {
            Self::AppPlane => b"helpdeskly/v1/app-plane",
            Self::ClusterAdminUrl => b"helpdeskly/v1/cluster-admin-url",
            Self::SecondFactor => b"helpdeskly/v1/second-factor",
            Self::RecoveryCodes => b"helpdeskly/v1/recovery-codes",
            Self::TenantDatabase => b"helpdeskly/v1/tenant-database",
            Self::TenantCache => b"helpdeskly/v1/tenant-cache",
            Self::BlobUrl => b"helpdeskly/v1/blob-url",
            Self::MailLinks => b"helpdeskly/v1/mail-links",
            Self::ApiKeys => b"helpdeskly/v1/api-keys",
            Self::WebhookSecrets => b"helpdeskly/v1/webhook-secrets",
            Self::MailboxPasswords => b"helpdeskly/v1/mailbox-passwords",
            Self::SsoClientSecrets => b"helpdeskly/v1/sso-client-secrets",
            Self::HelpVoters => b"helpdeskly/v1/help-voters",
        }
    }
}

impl EncryptionKey {
    /// The key for `purpose`, derived from this one with HKDF-SHA256.
    #[must_use]
    pub fn derive(&self, purpose: KeyPurpose) -> EncryptionKey {
        let mut okm = [0u8; 32];
        hkdf::Hkdf::<Sha256>::new(None, self.bytes())
            .expand(purpose.info(), &mut okm)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        EncryptionKey::from_bytes(okm)
    }
}

/// The keys of the app plane, from the app-plane key.
#[derive(Debug, Clone)]
pub struct AppPlaneKeys {
    /// Opens tenant role passwords.
    pub tenant_database: EncryptionKey,
    /// Authenticates cached tenant lookups.
    pub tenant_cache: EncryptionKey,
    /// Signs download links of attachments on the local disk.
    pub blob_url: EncryptionKey,
    /// Signs the unsubscribe and reply tokens of notification mail.
    pub mail_links: EncryptionKey,
    /// The digests of API keys.
    pub api_keys: EncryptionKey,
    /// Seals webhook signing secrets.
    pub webhook_secrets: EncryptionKey,
    /// Seals the passwords of the tenants' mailboxes.
    pub mailbox_passwords: EncryptionKey,
    /// Digests anonymous voters' addresses in the help center.
    pub help_voters: EncryptionKey,
}

impl AppPlaneKeys {
    pub fn from_app_plane_key(app_plane: &EncryptionKey) -> Self {
        Self {
            tenant_database: app_plane.derive(KeyPurpose::TenantDatabase),
            tenant_cache: app_plane.derive(KeyPurpose::TenantCache),
            blob_url: app_plane.derive(KeyPurpose::BlobUrl),
            mail_links: app_plane.derive(KeyPurpose::MailLinks),
            api_keys: app_plane.derive(KeyPurpose::ApiKeys),
            webhook_secrets: app_plane.derive(KeyPurpose::WebhookSecrets),
            mailbox_passwords: app_plane.derive(KeyPurpose::MailboxPasswords),
            help_voters: app_plane.derive(KeyPurpose::HelpVoters),
        }
    }
}

/// Every key control-api uses, from the master key.
#[derive(Debug, Clone)]
pub struct ControlKeys {
    pub cluster_admin_url: EncryptionKey,
    pub second_factor: EncryptionKey,
    pub recovery_codes: EncryptionKey,
    /// Seals the client secrets of single sign-on providers.
    pub sso_client_secrets: EncryptionKey,
    /// What app-api is given (`APP_PLANE_KEY`).
    pub app_plane: EncryptionKey,
    pub app_plane_keys: AppPlaneKeys,
}

impl ControlKeys {
    pub fn from_master(master: &EncryptionKey) -> Self {
        let app_plane = master.derive(KeyPurpose::AppPlane);
        Self {
            cluster_admin_url: master.derive(KeyPurpose::ClusterAdminUrl),
            second_factor: master.derive(KeyPurpose::SecondFactor),
            recovery_codes: master.derive(KeyPurpose::RecoveryCodes),
            sso_client_secrets: master.derive(KeyPurpose::SsoClientSecrets),
            app_plane_keys: AppPlaneKeys::from_app_plane_key(&app_plane),
            app_plane,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the sealed value cannot be opened (wrong key, another row's value, or corrupted)")]
pub struct OpenError;

/// Encrypts `plaintext` for the row `row` (its id's bytes); the output is
/// `nonce || ciphertext+tag`.
pub fn seal(key: &EncryptionKey, plaintext: &[u8], row: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new(key.bytes().into());
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let mut out = nonce.to_vec();
    let payload = Payload { msg: plaintext, aad: row };
    out.extend(cipher.encrypt(&nonce, payload).expect("AES-GCM encryption of in-memory data"));
    out
}

/// Decrypts what `seal` produced under the same key for the same row.
pub fn open(key: &EncryptionKey, sealed: &[u8], row: &[u8]) -> Result<Vec<u8>, OpenError> {
    if sealed.len() < NONCE_LEN + 16 {
        return Err(OpenError);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("split at the nonce length");
    let payload = Payload { msg: ciphertext, aad: row };
    Aes256Gcm::new(key.bytes().into()).decrypt(&Nonce::from(nonce), payload).map_err(|_| OpenError)
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

/// HMAC-SHA256 of `value` under `key`.
pub fn keyed_digest(key: &EncryptionKey, value: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.bytes()).expect("HMAC takes any key length");
    mac.update(value);
    mac.finalize().into_bytes().to_vec()
}

/// Whether `digest` is the HMAC of `value` under `key`, compared in constant time.
pub fn keyed_digest_matches(key: &EncryptionKey, value: &[u8], digest: &[u8]) -> bool {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.bytes()).expect("HMAC takes any key length");
    mac.update(value);
    mac.verify_slice(digest).is_ok()
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
        let row = b"row-1";
        let sealed = seal(&key(1), b"tenant password", row);
        assert_eq!(open(&key(1), &sealed, row).unwrap(), b"tenant password");
        assert_ne!(seal(&key(1), b"tenant password", row), sealed, "nonces must differ");
        assert_eq!(open(&key(2), &sealed, row), Err(OpenError));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(open(&key(1), &tampered, row), Err(OpenError));
        assert_eq!(open(&key(1), b"short", row), Err(OpenError));
    }

    #[test]
    fn a_ciphertext_moved_to_another_row_does_not_open() {
        let sealed = seal(&key(1), b"tenant password", b"tenant-a");
        assert_eq!(open(&key(1), &sealed, b"tenant-b"), Err(OpenError));
    }

    #[test]
    fn each_purpose_has_its_own_key_and_the_app_plane_cannot_reach_the_others() {
        let master = key(7);
        let control = ControlKeys::from_master(&master);
        let keys = [
            &master,
            &control.cluster_admin_url,
            &control.second_factor,
            &control.recovery_codes,
            &control.app_plane,
            &control.app_plane_keys.tenant_database,
            &control.app_plane_keys.tenant_cache,
            &control.app_plane_keys.blob_url,
        ];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a.bytes(), b.bytes());
            }
        }
        // What app-api derives from the key it is given is what control-api seals with.
        let app = AppPlaneKeys::from_app_plane_key(&control.app_plane);
        assert_eq!(app.tenant_database.bytes(), control.app_plane_keys.tenant_database.bytes());
        let url = seal(&control.cluster_admin_url, b"postgres://admin:secret@db/postgres", b"cluster");
        for app_key in [&control.app_plane, &app.tenant_database, &app.tenant_cache, &app.blob_url] {
            assert_eq!(open(app_key, &url, b"cluster"), Err(OpenError));
        }
        // Derivation is stable (a restart opens what was sealed before).
        assert_eq!(master.derive(KeyPurpose::AppPlane).bytes(), control.app_plane.bytes());
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(token_digest(&a), token_digest(&a));
        assert_ne!(keyed_digest(&key(1), b"abcd"), keyed_digest(&key(2), b"abcd"));
        assert!(keyed_digest_matches(&key(1), b"abcd", &keyed_digest(&key(1), b"abcd")));
        assert!(!keyed_digest_matches(&key(1), b"abce", &keyed_digest(&key(1), b"abcd")));
    }
}
