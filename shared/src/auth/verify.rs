//! Access-token verification: EdDSA only, known `kid` only, issuer and audience checked,
//! expiry enforced with a small leeway for clock skew.

use std::collections::HashMap;

use axum::http::StatusCode;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use super::claims::Claims;
use super::keys::PublicKey;
use crate::error::ApiError;

/// Seconds of clock skew tolerated on `exp`.
const LEEWAY_SECS: u64 = 5;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token has expired")]
    Expired,
    #[error("invalid access token: {0}")]
    Invalid(&'static str),
}

impl From<TokenError> for ApiError {
    fn from(err: TokenError) -> Self {
        match err {
            TokenError::Expired => ApiError::new(StatusCode::UNAUTHORIZED, "token_expired", err.to_string()),
            TokenError::Invalid(_) => ApiError::unauthorized("the access token is invalid"),
        }
    }
}

/// Verifies access tokens against a set of public keys.
pub struct Verifier {
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
}

impl Verifier {
    pub fn new(keys: &[PublicKey], issuer: &str, audience: &str) -> Self {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        let keys = keys.iter().map(|k| (k.kid().to_owned(), k.decoding_key())).collect();
        Self { keys, validation }
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid("malformed"))?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid("algorithm"));
        }
        let kid = header.kid.ok_or(TokenError::Invalid("no kid"))?;
        let key = self.keys.get(&kid).ok_or(TokenError::Invalid("unknown kid"))?;
        jsonwebtoken::decode::<Claims>(token, key, &self.validation).map(|data| data.claims).map_err(|err| {
            use jsonwebtoken::errors::ErrorKind;
            match err.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::InvalidIssuer => TokenError::Invalid("issuer"),
                ErrorKind::InvalidAudience => TokenError::Invalid("audience"),
                ErrorKind::InvalidSignature => TokenError::Invalid("signature"),
                _ => TokenError::Invalid("claims"),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use jsonwebtoken::{EncodingKey, Header};

    use super::*;
    use crate::auth::Role;
    use crate::auth::keys::SigningKey;
    use crate::auth::keys::tests::PRIVATE_PEM;

    fn claims(exp_offset: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: uuid::Uuid::new_v4(),
            tid: Some(uuid::Uuid::new_v4()),
            slug: Some("acme".into()),
            role: Role::Agent,
            sid: uuid::Uuid::new_v4(),
            amr: vec!["pwd".into()],
            iss: "helpdeskly".into(),
            aud: "helpdeskly".into(),
            iat: now,
            exp: now + exp_offset,
        }
    }

    fn sign(key: &SigningKey, claims: &Claims) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid().to_owned());
        jsonwebtoken::encode(&header, claims, key.encoding_key()).unwrap()
    }

    fn verifier(key: &SigningKey) -> Verifier {
        Verifier::new(std::slice::from_ref(key.public()), "helpdeskly", "helpdeskly")
    }

    #[test]
    fn accepts_a_good_token() {
        let key = SigningKey::from_pem(PRIVATE_PEM).unwrap();
        let c = claims(900);
        assert_eq!(verifier(&key).verify(&sign(&key, &c)).unwrap(), c);
    }

    #[test]
    fn rejects_forgeries() {
        let key = SigningKey::from_pem(PRIVATE_PEM).unwrap();
        let v = verifier(&key);
        let good = sign(&key, &claims(900));

        assert_eq!(v.verify(&sign(&key, &claims(-60))), Err(TokenError::Expired));

        let mut wrong_iss = claims(900);
        wrong_iss.iss = "someone-else".into();
        assert_eq!(v.verify(&sign(&key, &wrong_iss)), Err(TokenError::Invalid("issuer")));
        let mut wrong_aud = claims(900);
        wrong_aud.aud = "other-app".into();
        assert_eq!(v.verify(&sign(&key, &wrong_aud)), Err(TokenError::Invalid("audience")));

        // alg: none, no signature.
        let (_, rest) = good.split_once('.').unwrap();
        let (payload, _) = rest.split_once('.').unwrap();
        let none_header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"none","typ":"JWT","kid":"{}"}}"#, key.kid()));
        assert!(v.verify(&format!("{none_header}.{payload}.")).is_err());

        // HS256 keyed with the public key bytes (the classic confusion attack).
        let mut hs = Header::new(Algorithm::HS256);
        hs.kid = Some(key.kid().to_owned());
        let forged = jsonwebtoken::encode(&hs, &claims(900), &EncodingKey::from_secret(key.public().bytes())).unwrap();
        assert_eq!(v.verify(&forged), Err(TokenError::Invalid("algorithm")));

        // Unknown kid.
        let mut unknown = Header::new(Algorithm::EdDSA);
        unknown.kid = Some("not-a-key".into());
        let token = jsonwebtoken::encode(&unknown, &claims(900), key.encoding_key()).unwrap();
        assert_eq!(v.verify(&token), Err(TokenError::Invalid("unknown kid")));

        // A payload changed after signing.
        let mut tampered_claims = claims(900);
        tampered_claims.role = Role::Admin;
        let tampered_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&tampered_claims).unwrap());
        let parts: Vec<&str> = good.split('.').collect();
        assert_eq!(
            v.verify(&format!("{}.{tampered_payload}.{}", parts[0], parts[2])),
            Err(TokenError::Invalid("signature"))
        );

        assert!(v.verify("not.a.token").is_err());
        assert!(v.verify("").is_err());
    }
}
