//! Ed25519 keys for EdDSA tokens, read from PEM, identified by their RFC 7638 thumbprint.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// A verification key.
#[derive(Clone)]
pub struct PublicKey {
    kid: String,
    x: [u8; 32],
}

impl PublicKey {
    fn from_bytes(x: [u8; 32]) -> Self {
        Self { kid: thumbprint(&x), x }
    }

    /// One `-----BEGIN PUBLIC KEY-----` block (SPKI).
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        let key = ed25519_dalek::VerifyingKey::from_public_key_pem(pem.trim())
            .map_err(|_| "expected an Ed25519 public key in PEM (SPKI)".to_owned())?;
        Ok(Self::from_bytes(key.to_bytes()))
    }

    /// The `x` member of an OKP/Ed25519 JWK (base64url of the raw key).
    pub fn from_jwk_x(x: &str) -> Result<Self, String> {
        let bytes = URL_SAFE_NO_PAD.decode(x).map_err(|_| "x is not base64url".to_owned())?;
        let x: [u8; 32] = bytes.try_into().map_err(|_| "x is not 32 bytes".to_owned())?;
        ed25519_dalek::VerifyingKey::from_bytes(&x).map_err(|_| "x is not an Ed25519 point".to_owned())?;
        Ok(Self::from_bytes(x))
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The raw 32-byte key.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.x
    }

    pub(crate) fn decoding_key(&self) -> DecodingKey {
        DecodingKey::from_ed_components(&URL_SAFE_NO_PAD.encode(self.x)).expect("a valid Ed25519 key")
    }

    pub fn jwk(&self) -> Jwk {
        Jwk {
            kty: "OKP",
            crv: "Ed25519",
            x: URL_SAFE_NO_PAD.encode(self.x),
            kid: self.kid.clone(),
            alg: "EdDSA",
            key_use: "sig",
        }
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.kid)
    }
}

/// The signing key (control-api only). Debug output shows the kid alone.
#[derive(Clone)]
pub struct SigningKey {
    public: PublicKey,
    encoding: EncodingKey,
}

impl SigningKey {
    /// A `-----BEGIN PRIVATE KEY-----` block (PKCS#8), as `openssl genpkey -algorithm ed25519`
    /// writes it.
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        let invalid = || "expected an Ed25519 private key in PEM (PKCS#8)".to_owned();
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem.trim()).map_err(|_| invalid())?;
        let encoding = EncodingKey::from_ed_pem(pem.trim().as_bytes()).map_err(|_| invalid())?;
        Ok(Self { public: PublicKey::from_bytes(key.verifying_key().to_bytes()), encoding })
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    pub fn kid(&self) -> &str {
        self.public.kid()
    }

    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.kid())
    }
}

/// Several concatenated public-key PEM blocks (rotation: the current key and older ones).
pub fn parse_public_keys(pems: &str) -> Result<Vec<PublicKey>, String> {
    const END: &str = "-----END PUBLIC KEY-----";
    let keys = pems
        .split_inclusive(END)
        .filter(|block| !block.trim().is_empty())
        .map(PublicKey::from_pem)
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err("expected at least one Ed25519 public key in PEM".into());
    }
    Ok(keys)
}

/// PEM from an environment variable: real newlines, or `\n` escapes from one-line env files.
fn unescape_pem(raw: &str) -> String {
    raw.replace("\\n", "\n")
}

impl crate::config::FromEnv for SigningKey {
    fn from_env(raw: &str) -> Result<Self, String> {
        Self::from_pem(&unescape_pem(raw))
    }
}

/// `JWT_PUBLIC_KEYS`: one or more public keys.
#[derive(Debug, Clone)]
pub struct PublicKeys(pub Vec<PublicKey>);

impl crate::config::FromEnv for PublicKeys {
    fn from_env(raw: &str) -> Result<Self, String> {
        parse_public_keys(&unescape_pem(raw)).map(Self)
    }
}

/// RFC 7638 thumbprint of an OKP key: SHA-256 over the canonical JWK, base64url.
fn thumbprint(x: &[u8; 32]) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, URL_SAFE_NO_PAD.encode(x));
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// One public key in JWK form (RFC 8037).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Jwk {
    pub kty: &'static str,
    pub crv: &'static str,
    /// The raw public key, base64url.
    pub x: String,
    pub kid: String,
    pub alg: &'static str,
    #[serde(rename = "use")]
    pub key_use: &'static str,
}

/// `GET /.well-known/jwks.json`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fixed test key pair (RFC 8032 test 1 secret key).
    pub const PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
    pub const PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";

    #[test]
    fn private_and_public_pem_agree() {
        let signing = SigningKey::from_pem(PRIVATE_PEM).unwrap();
        let public = PublicKey::from_pem(PUBLIC_PEM).unwrap();
        assert_eq!(signing.kid(), public.kid());
        assert_eq!(public.jwk().x, "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    }

    #[test]
    fn jwk_round_trip() {
        let public = PublicKey::from_pem(PUBLIC_PEM).unwrap();
        let again = PublicKey::from_jwk_x(&public.jwk().x).unwrap();
        assert_eq!(again.kid(), public.kid());
        assert!(PublicKey::from_jwk_x("AAAA").is_err());
    }

    #[test]
    fn rfc7638_thumbprint() {
        // RFC 8037 appendix A.3: the thumbprint of the RFC 8032 test key.
        let public = PublicKey::from_pem(PUBLIC_PEM).unwrap();
        assert_eq!(public.kid(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    }

    #[test]
    fn pem_from_one_line_env_files() {
        use crate::config::FromEnv as _;
        let escaped = PRIVATE_PEM.replace('\n', "\\n");
        assert!(SigningKey::from_env(&escaped).is_ok());
        let err = SigningKey::from_env("not a key").unwrap_err();
        assert_eq!(err, "expected an Ed25519 private key in PEM (PKCS#8)");
    }

    #[test]
    fn several_public_keys_and_bad_input() {
        let two = format!("{PUBLIC_PEM}{PUBLIC_PEM}");
        assert_eq!(parse_public_keys(&two).unwrap().len(), 2);
        assert!(parse_public_keys("").is_err());
        assert!(parse_public_keys("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----").is_err());
        assert!(SigningKey::from_pem(PUBLIC_PEM).is_err());
    }
}
