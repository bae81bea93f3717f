//! Talking to a tenant's OpenID Provider, with the `openidconnect` client: its discovery
//! document and keys (kept a few minutes per issuer, read again when a token names a key they
//! lack: rotation followed), the authorization request (code flow, PKCE S256, `state`,
//! `nonce`), the code exchanged and the ID token verified (signature, `iss`, `aud`, `exp`,
//! `nonce`), and the back-channel logout token verified (`jsonwebtoken`, the same keys).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata, CoreResponseType};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse as _, reqwest,
};
use serde_json::Value;

/// How long a provider's discovery document and keys are used before they are read again.
const KEPT_FOR: Duration = Duration::from_secs(300);
/// How long a request to a provider may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The event a logout token must carry (OpenID Connect Back-Channel Logout 1.0, 2.4).
const LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// Leeway on a logout token's times, for clocks apart.
const LEEWAY_SECONDS: u64 = 60;

/// Why talking to a provider failed, as the owner or the person is told.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("the provider's discovery document could not be used: {0}")]
    Discovery(String),
    #[error("the provider refused the code: {0}")]
    Exchange(String),
    #[error("the provider sent no ID token")]
    NoIdToken,
    #[error("the ID token is not valid: {0}")]
    IdToken(String),
    #[error("the logout token is not valid: {0}")]
    LogoutToken(String),
}

impl Failure {
    /// The code a refused sign-in carries back to the web app.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Discovery(_) => "sso_provider_unreachable",
            Self::Exchange(_) => "sso_code_refused",
            Self::NoIdToken | Self::IdToken(_) | Self::LogoutToken(_) => "sso_token_invalid",
        }
    }
}

/// The providers' discovery documents and keys, per issuer, shared by the requests of this
/// process, and what became of the sign-ins and logouts.
pub struct Directory {
    http: reqwest::Client,
    known: Mutex<HashMap<String, (Arc<CoreProviderMetadata>, Instant)>>,
    pub metrics: SsoMetrics,
}

/// `sso_sign_ins_total{outcome}` (signed in, second factor asked, trial, or the refusal's code)
/// and `sso_backchannel_logouts_total{outcome}` (ended, refused). Every outcome is exported from
/// the start, at zero.
#[derive(Clone)]
pub struct SsoMetrics {
    sign_ins: prometheus::IntCounterVec,
    logouts: prometheus::IntCounterVec,
}

/// The outcomes a sign-in's callback counts.
pub const SIGN_IN_OUTCOMES: [&str; 14] = [
    "signed_in",
    "second_factor",
    "trial",
    "sso_state_invalid",
    "sso_provider_refused",
    "sso_code_refused",
    "sso_token_invalid",
    "sso_no_email",
    "sso_email_unverified",
    "sso_domain_not_allowed",
    "sso_not_a_member",
    "sso_account_disabled",
    "sso_no_access",
    "sso_provider_unreachable",
];

impl SsoMetrics {
    pub fn register(registry: &prometheus::Registry) -> Self {
        let sign_ins = prometheus::IntCounterVec::new(
            prometheus::Opts::new("sso_sign_ins_total", "Single sign-on callbacks, by outcome"),
            &["outcome"],
        )
        .expect("valid metric");
        let logouts = prometheus::IntCounterVec::new(
            prometheus::Opts::new("sso_backchannel_logouts_total", "Back-channel logouts from providers, by outcome"),
            &["outcome"],
        )
        .expect("valid metric");
        for outcome in SIGN_IN_OUTCOMES {
            sign_ins.with_label_values(&[outcome]);
        }
        for outcome in ["ended", "refused"] {
            logouts.with_label_values(&[outcome]);
        }
        registry.register(Box::new(sign_ins.clone())).expect("registered once");
        registry.register(Box::new(logouts.clone())).expect("registered once");
        Self { sign_ins, logouts }
    }

    pub fn signed_in(&self, outcome: &str) {
        self.sign_ins.with_label_values(&[outcome]).inc();
    }

    pub fn logout(&self, ended: bool) {
        self.logouts.with_label_values(&[if ended { "ended" } else { "refused" }]).inc();
    }
}

impl Directory {
    pub fn new(metrics: SsoMetrics) -> Self {
        let http = reqwest::Client::builder()
            // Following a redirect would let a provider's answer point the server elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .no_proxy()
            .build()
            .expect("an HTTP client with rustls");
        Self { http, known: Mutex::new(HashMap::new()), metrics }
    }
}

/// What a started sign-in must keep until its callback.
pub struct Begun {
    /// Where the browser goes: the provider's authorization endpoint and the request.
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The client's side of a tenant's settings, the secret opened.
pub struct ClientSide<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub client_secret: String,
    pub redirect_uri: &'a str,
    pub scopes: &'a [String],
}

/// What a verified ID token says of the person.
#[derive(Debug, Clone)]
pub struct Vouched {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub name: Option<String>,
    /// How the person authenticated (`amr`), as the provider says.
    pub amr: Vec<String>,
    /// The provider's session (`sid`), when it says.
    pub sid: Option<String>,
    /// Every claim of the token, for the role claim and the owner's test sign-in.
    pub claims: Value,
}

/// Whom a verified logout token signs out: the subject, or one of its sessions at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutOrder {
    pub issuer: String,
    pub client_id: String,
    pub subject: Option<String>,
    pub sid: Option<String>,
}

impl Directory {
    /// The issuer's discovery document and keys, read again when older than `KEPT_FOR` or when
    /// `fresh`. The document must name `issuer` itself, and offer the code flow and PKCE S256
    /// when it lists methods.
    pub async fn metadata(&self, issuer: &str, fresh: bool) -> Result<Arc<CoreProviderMetadata>, Failure> {
        if !fresh
            && let Some((metadata, at)) = self.known.lock().expect("not poisoned").get(issuer)
            && at.elapsed() < KEPT_FOR
        {
            return Ok(Arc::clone(metadata));
        }
        let url = IssuerUrl::new(issuer.to_owned()).map_err(|e| Failure::Discovery(e.to_string()))?;
        let metadata = CoreProviderMetadata::discover_async(url, &self.http)
            .await
            .map_err(|e| Failure::Discovery(describe(&e)))?;
        let code_flow =
            metadata.response_types_supported().iter().any(|types| types.as_slice() == [CoreResponseType::Code]);
        if !code_flow {
            return Err(Failure::Discovery("the provider does not offer the authorization code flow".into()));
        }
        let metadata = Arc::new(metadata);
        self.known.lock().expect("not poisoned").insert(issuer.to_owned(), (Arc::clone(&metadata), Instant::now()));
        Ok(metadata)
    }

    /// The authorization request of a new sign-in.
    pub async fn begin(&self, side: &ClientSide<'_>) -> Result<Begun, Failure> {
        let metadata = self.metadata(side.issuer, false).await?;
        let client = client(&metadata, side)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request =
            client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random);
        for scope in side.scopes.iter().filter(|scope| *scope != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(Begun {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the callback's code (with the PKCE verifier) and verifies the ID token against
    /// the sign-in's `nonce`; the keys are read again once when the token names a key they lack.
    pub async fn finish(
        &self,
        side: &ClientSide<'_>,
        code: String,
        pkce_verifier: String,
        nonce: &str,
    ) -> Result<Vouched, Failure> {
        let metadata = self.metadata(side.issuer, false).await?;
        let rp = client(&metadata, side)?;
        let exchange = rp
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| Failure::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier));
        let tokens = exchange.request_async(&self.http).await.map_err(|e| Failure::Exchange(describe(&e)))?;
        let id_token = tokens.id_token().ok_or(Failure::NoIdToken)?.to_string();
        match verify_id_token(&metadata, side, &id_token, nonce) {
            Err(Refused::Signature(_)) => {
                // A key the provider rotated in since the keys were read: read them once more.
                let metadata = self.metadata(side.issuer, true).await?;
                verify_id_token(&metadata, side, &id_token, nonce).map_err(Failure::from)
            }
            verified => verified.map_err(Failure::from),
        }
    }

    /// Verifies a back-channel logout token from `issuer` for `client_id`: signed by one of the
    /// provider's keys (read again once for an unknown key), its issuer, audience and times, the
    /// logout event, no nonce, and a subject or a session named.
    pub async fn verify_logout(&self, token: &str, issuer: &str, client_id: &str) -> Result<LogoutOrder, Failure> {
        let refused = |why: &str| Failure::LogoutToken(why.to_owned());
        let header = jsonwebtoken::decode_header(token).map_err(|e| Failure::LogoutToken(e.to_string()))?;
        let mut metadata = self.metadata(issuer, false).await?;
        let mut key = signing_key(&metadata, header.kid.as_deref());
        if key.is_none() {
            metadata = self.metadata(issuer, true).await?;
            key = signing_key(&metadata, header.kid.as_deref());
        }
        let key = key.ok_or_else(|| refused("no key of the provider matches"))?;
        let asymmetric = !matches!(
            header.alg,
            jsonwebtoken::Algorithm::HS256 | jsonwebtoken::Algorithm::HS384 | jsonwebtoken::Algorithm::HS512
        );
        if !asymmetric {
            return Err(refused("a shared-secret signature is not accepted"));
        }
        let mut validation = jsonwebtoken::Validation::new(header.alg);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[client_id]);
        validation.set_required_spec_claims(&["iss", "aud", "iat", "exp"]);
        validation.leeway = LEEWAY_SECONDS;
        let claims = jsonwebtoken::decode::<Value>(token, &key, &validation)
            .map_err(|e| Failure::LogoutToken(e.to_string()))?
            .claims;
        let logout_event =
            claims.get("events").and_then(|events| events.get(LOGOUT_EVENT)).is_some_and(Value::is_object);
        if !logout_event {
            return Err(refused("the logout event is missing"));
        }
        if claims.get("nonce").is_some() {
            return Err(refused("a logout token carries no nonce"));
        }
        if claims.get("jti").and_then(Value::as_str).is_none() {
            return Err(refused("the token has no jti"));
        }
        let subject = claims.get("sub").and_then(Value::as_str).map(str::to_owned);
        let sid = claims.get("sid").and_then(Value::as_str).map(str::to_owned);
        if subject.is_none() && sid.is_none() {
            return Err(refused("the token names neither a subject nor a session"));
        }
        Ok(LogoutOrder { issuer: issuer.to_owned(), client_id: client_id.to_owned(), subject, sid })
    }
}

/// Why an ID token was refused: its signature (which fresh keys may cure), or anything else.
#[derive(Debug)]
pub enum Refused {
    Signature(String),
    Claims(String),
}

impl From<Refused> for Failure {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Signature(why) | Refused::Claims(why) => Self::IdToken(why),
        }
    }
}

/// Verifies an ID token (its compact form) with the keys of `metadata` for the client of
/// `side` and the sign-in's `nonce`: signature, `iss`, `aud`, `exp`, `iat`, `nonce`.
pub fn verify_id_token(
    metadata: &CoreProviderMetadata,
    side: &ClientSide<'_>,
    id_token: &str,
    nonce: &str,
) -> Result<Vouched, Refused> {
    let token: CoreIdToken = id_token.parse().map_err(|e: serde_json::Error| Refused::Claims(e.to_string()))?;
    let rp = client(metadata, side).map_err(|e| Refused::Claims(e.to_string()))?;
    let claims = token.claims(&rp.id_token_verifier(), &Nonce::new(nonce.to_owned())).map_err(|e| match e {
        ClaimsVerificationError::SignatureVerification(_) => Refused::Signature(e.to_string()),
        other => Refused::Claims(other.to_string()),
    })?;
    let raw = payload(id_token).ok_or_else(|| Refused::Claims("an unreadable payload".into()))?;
    Ok(Vouched {
        subject: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified(),
        name: claims.name().and_then(|n| n.get(None)).map(|n| n.to_string()),
        amr: claims.auth_method_refs().map(|amr| amr.iter().map(|m| m.to_string()).collect()).unwrap_or_default(),
        sid: raw.get("sid").and_then(Value::as_str).map(str::to_owned),
        claims: raw,
    })
}

/// The issuer and audience a token says it has, read before it is verified (to find whose
/// provider signed it).
pub fn unverified_issuer_and_audience(token: &str) -> Option<(String, String)> {
    let claims = payload(token)?;
    let issuer = claims.get("iss")?.as_str()?.to_owned();
    let audience = match claims.get("aud")? {
        Value::String(one) => one.clone(),
        Value::Array(many) if many.len() == 1 => many[0].as_str()?.to_owned(),
        _ => return None,
    };
    Some((issuer, audience))
}

/// A JWT's payload as JSON (not verified).
fn payload(token: &str) -> Option<Value> {
    let part = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// The provider key that `kid` names (the only key when it names none), for `jsonwebtoken`.
fn signing_key(metadata: &CoreProviderMetadata, kid: Option<&str>) -> Option<jsonwebtoken::DecodingKey> {
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(serde_json::to_value(metadata.jwks()).ok()?).ok()?;
    let key = match kid {
        Some(kid) => set.find(kid)?,
        None if set.keys.len() == 1 => &set.keys[0],
        None => return None,
    };
    jsonwebtoken::DecodingKey::from_jwk(key).ok()
}

/// The `openidconnect` client of a tenant's settings at a provider.
fn client(
    metadata: &CoreProviderMetadata,
    side: &ClientSide<'_>,
) -> Result<
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    Failure,
> {
    let redirect = RedirectUrl::new(side.redirect_uri.to_owned()).map_err(|e| Failure::Discovery(e.to_string()))?;
    Ok(CoreClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(side.client_id.to_owned()),
        Some(ClientSecret::new(side.client_secret.clone())),
    )
    .set_redirect_uri(redirect))
}

/// An error and its causes, on one line.
fn describe(err: &dyn std::error::Error) -> String {
    let mut why = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        why = format!("{why}: {cause}");
        source = cause.source();
    }
    why
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    use serde_json::json;

    use super::*;

    const ISSUER: &str = "https://id.acme.example";
    const CLIENT: &str = "helpdeskly";
    const NONCE: &str = "the sign-in's nonce";

    /// A provider's discovery document whose keys are the test key's public half.
    fn metadata() -> CoreProviderMetadata {
        let document = json!({
            "issuer": ISSUER,
            "authorization_endpoint": format!("{ISSUER}/auth"),
            "token_endpoint": format!("{ISSUER}/token"),
            "jwks_uri": format!("{ISSUER}/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        });
        let keys = json!({ "keys": [{
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": "k1", "e": "AQAB",
            "n": include_str!("testdata/provider_key.n").trim(),
        }]});
        let metadata: CoreProviderMetadata = serde_json::from_value(document).unwrap();
        metadata.set_jwks(serde_json::from_value(keys).unwrap())
    }

    fn side(scopes: &[String]) -> ClientSide<'_> {
        ClientSide {
            issuer: ISSUER,
            client_id: CLIENT,
            client_secret: "secret".into(),
            redirect_uri: "https://acme.helpdeskly.example/v1/auth/sso/callback",
            scopes,
        }
    }

    /// An ID token with `changes` over good claims, signed with `pem` under kid `k1`.
    fn token(changes: &serde_json::Value, pem: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({
            "iss": ISSUER, "aud": CLIENT, "sub": "ana", "iat": now, "exp": now + 300, "nonce": NONCE,
            "email": "ana@acme.example", "email_verified": true, "groups": ["support"], "sid": "s-1",
        });
        for (name, value) in changes.as_object().unwrap() {
            claims[name] = value.clone();
        }
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("k1".into());
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap()).unwrap()
    }

    const PROVIDER_KEY: &str = include_str!("testdata/provider_key.pem");
    const FOREIGN_KEY: &str = include_str!("testdata/foreign_key.pem");

    #[test]
    fn a_good_id_token_says_who_the_person_is() {
        let scopes = ["openid".to_owned()];
        let vouched = verify_id_token(&metadata(), &side(&scopes), &token(&json!({}), PROVIDER_KEY), NONCE).unwrap();
        assert_eq!(vouched.subject, "ana");
        assert_eq!(vouched.email.as_deref(), Some("ana@acme.example"));
        assert_eq!(vouched.email_verified, Some(true));
        assert_eq!(vouched.sid.as_deref(), Some("s-1"));
        assert_eq!(vouched.claims["groups"][0], "support");
    }

    #[test]
    fn expired_foreign_signed_and_misdirected_id_tokens_are_refused() {
        let scopes = ["openid".to_owned()];
        let side = side(&scopes);
        let past = chrono::Utc::now().timestamp() - 3600;
        let expired = token(&json!({ "iat": past - 300, "exp": past }), PROVIDER_KEY);
        assert!(
            matches!(verify_id_token(&metadata(), &side, &expired, NONCE), Err(Refused::Claims(why)) if why.contains("xpired"))
        );
        let foreign = token(&json!({}), FOREIGN_KEY);
        assert!(matches!(verify_id_token(&metadata(), &side, &foreign, NONCE), Err(Refused::Signature(_))));
        let other_audience = token(&json!({ "aud": "another-client" }), PROVIDER_KEY);
        assert!(matches!(verify_id_token(&metadata(), &side, &other_audience, NONCE), Err(Refused::Claims(_))));
        let other_issuer = token(&json!({ "iss": "https://evil.example" }), PROVIDER_KEY);
        assert!(matches!(verify_id_token(&metadata(), &side, &other_issuer, NONCE), Err(Refused::Claims(_))));
        let good = token(&json!({}), PROVIDER_KEY);
        assert!(matches!(verify_id_token(&metadata(), &side, &good, "another nonce"), Err(Refused::Claims(_))));
        assert!(matches!(verify_id_token(&metadata(), &side, "not.a.token", NONCE), Err(Refused::Claims(_))));
    }

    #[test]
    fn a_token_names_its_issuer_and_single_audience_before_it_is_verified() {
        let body = URL_SAFE_NO_PAD.encode(br#"{"iss":"https://id.acme.example","aud":["helpdeskly"]}"#);
        let token = format!("e30.{body}.sig");
        assert_eq!(
            unverified_issuer_and_audience(&token),
            Some(("https://id.acme.example".into(), "helpdeskly".into()))
        );
        let two = URL_SAFE_NO_PAD.encode(br#"{"iss":"https://id.acme.example","aud":["a","b"]}"#);
        assert_eq!(unverified_issuer_and_audience(&format!("e30.{two}.sig")), None);
        assert_eq!(unverified_issuer_and_audience("not a token"), None);
    }
}
