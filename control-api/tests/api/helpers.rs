//! `TestApp`: the test platform's control plane (`testkit::ControlPlane`): control-api on a
//! fresh database (and its own Redis namespace), served on a loopback port, with fixtures for
//! people and tenants; and what tests of tokens need besides.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::Value;

#[allow(unused_imports, reason = "not every test module uses every part")]
pub use testkit::{
    ControlOptions, ControlPlane as TestApp, PASSWORD, Service, TEST_ENCRYPTION_KEY, TEST_PRIVATE_KEY, TenantTemplate,
    WithRedis, Worker, amqp_url, parse, signup_body, test_tenant_template, unique_email, unique_slug,
};

/// The claims of a JWT, read without checking it.
pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// `claims` signed with EdDSA under `kid` (the server's own key is `TEST_PRIVATE_KEY`).
pub fn sign(claims: &Value, kid: &str, key: &EncodingKey) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

/// An Ed25519 key the server does not know: what a forger signs with.
pub fn foreign_key() -> EncodingKey {
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    let pem = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .unwrap();
    EncodingKey::from_ed_pem(pem.as_bytes()).unwrap()
}
