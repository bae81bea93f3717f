//! Access tokens, as both planes see them: the claims, the Ed25519 keys (with RFC 7638
//! thumbprints as `kid`), verification, and the bearer extractor. Only control-api holds a
//! signing key; app-api gets public keys only.

mod claims;
mod extract;
mod keys;
mod verify;

pub use base::Role;
pub use claims::Claims;
pub use extract::Authenticated;
pub use keys::{Jwk, Jwks, PublicKey, PublicKeys, SigningKey, parse_public_keys};
pub use verify::{TokenError, Verifier};
