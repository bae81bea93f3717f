//! The OpenID Provider the single sign-on tests sign in with (`testkit::oidc`), as a relying
//! party sees it over HTTP: discovery, the code flow with PKCE and its refusals, the ID token's
//! claims, key rotation and back-channel logout (on demand and at RP-initiated logout).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use testkit::oidc::Provider;
use tokio::sync::mpsc;

const CLIENT_ID: &str = "helpdeskly";
const CLIENT_SECRET: &str = "client-secret-for-tests";
const REDIRECT_URI: &str = "http://127.0.0.1:9/sso/callback";
const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// How long a logout token may take to arrive.
const DELIVERY_WITHIN: Duration = Duration::from_secs(10);

/// A provider with one client (back-channel logout to `logout_uri`, sessions required) and one
/// account, `alice`.
async fn provider(logout_uri: &str) -> Provider {
    Provider::start(json!({
        "port": 0,
        "clients": [{
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [REDIRECT_URI],
            "backchannel_logout_uri": logout_uri,
            "backchannel_logout_session_required": true,
        }],
        "accounts": {
            "alice": {
                "email": "alice@example.test",
                "email_verified": true,
                "name": "Alice Martin",
                "groups": ["agents", "admins"],
                "amr": ["pwd", "mfa"],
            },
        },
    }))
    .await
}

/// A PKCE verifier and its S256 challenge.
fn pkce() -> (String, String) {
    let verifier = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn authorize_url(provider: &Provider, state: &str, nonce: &str, challenge: &str) -> String {
    Url::parse_with_params(
        &provider.url("/auth"),
        [
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("scope", "openid email profile"),
            ("redirect_uri", REDIRECT_URI),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .expect("an authorization URL")
    .into()
}

/// The query parameter `name` of `url`.
fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

/// The code exchanged at the token endpoint (client_secret_basic).
async fn exchange(provider: &Provider, code: &str, verifier: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(provider.url("/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .expect("the token endpoint answers")
}

/// Signs alice in with `browser` and returns the ID token of the code exchanged, checking the
/// redirect's `state` on the way.
async fn id_token(provider: &Provider, browser: &reqwest::Client, nonce: &str) -> String {
    let (verifier, challenge) = pkce();
    let back = provider.sign_in(browser, &authorize_url(provider, "state-2", nonce, &challenge), "alice").await;
    assert_eq!(param(&back, "state").as_deref(), Some("state-2"));
    let code = param(&back, "code").expect("a code");
    let response = exchange(provider, &code, &verifier).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.expect("the token response");
    tokens["id_token"].as_str().expect("an ID token").to_owned()
}

/// A segment of a compact JWT (0: its header, 1: its payload), decoded, unchecked.
fn jwt_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).expect("a compact JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

async fn get_json(url: &str) -> Value {
    let response = reqwest::get(url).await.expect("the provider answers");
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    response.json().await.expect("JSON")
}

/// A back-channel logout endpoint on 127.0.0.1: its URL, and the logout tokens it was sent.
async fn logout_receiver() -> (String, mpsc::UnboundedReceiver<String>) {
    let (sender, received) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/backchannel-logout",
        axum::routing::post(move |body: String| async move {
            let token = url::form_urlencoded::parse(body.as_bytes())
                .find(|(key, _)| key == "logout_token")
                .map(|(_, value)| value.into_owned());
            match token {
                Some(token) => {
                    let _ = sender.send(token);
                    StatusCode::OK
                }
                None => StatusCode::BAD_REQUEST,
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let url = format!("http://{}/backchannel-logout", listener.local_addr().expect("its address"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the receiver serves") });
    (url, received)
}

async fn next_token(received: &mut mpsc::UnboundedReceiver<String>) -> Value {
    let token = tokio::time::timeout(DELIVERY_WITHIN, received.recv())
        .await
        .expect("a logout token within the delay")
        .expect("the receiver runs");
    jwt_part(&token, 1)
}

#[tokio::test]
async fn discovery_and_the_code_flow_with_pkce() {
    let provider = provider("http://127.0.0.1:9/unused").await;

    let discovery = get_json(&provider.url("/.well-known/openid-configuration")).await;
    assert_eq!(discovery["issuer"], provider.issuer.as_str());
    assert!(!provider.issuer.ends_with('/'));
    assert!(discovery["code_challenge_methods_supported"].as_array().expect("a list").contains(&json!("S256")));
    assert_eq!(discovery["backchannel_logout_supported"], true);

    let (verifier, challenge) = pkce();
    let browser = Provider::browser();
    let back = provider.sign_in(&browser, &authorize_url(&provider, "state-1", "nonce-1", &challenge), "alice").await;
    assert_eq!(back.as_str().split('?').next(), Some(REDIRECT_URI));
    assert_eq!(param(&back, "state").as_deref(), Some("state-1"));
    let code = param(&back, "code").expect("a code");

    let refused = exchange(&provider, &code, &pkce().0).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(refused.json::<Value>().await.expect("an error")["error"], "invalid_grant");

    let response = exchange(&provider, &code, &verifier).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.expect("the token response");
    let claims = jwt_part(tokens["id_token"].as_str().expect("an ID token"), 1);
    assert_eq!(claims["iss"], provider.issuer.as_str());
    assert_eq!(claims["aud"], CLIENT_ID);
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["nonce"], "nonce-1");
    assert_eq!(claims["email"], "alice@example.test");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["name"], "Alice Martin");
    assert_eq!(claims["groups"], json!(["agents", "admins"]));
    assert_eq!(claims["amr"], json!(["pwd", "mfa"]));

    let replayed = exchange(&provider, &code, &verifier).await;
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(replayed.json::<Value>().await.expect("an error")["error"], "invalid_grant");
}

#[tokio::test]
#[should_panic(expected = r#"needs "clients""#)]
async fn a_provider_that_cannot_start_says_why() {
    Provider::start(json!({ "accounts": {} })).await;
}

#[tokio::test]
async fn an_unknown_login_is_refused_on_the_page() {
    let provider = provider("http://127.0.0.1:9/unused").await;
    let browser = Provider::browser();
    let (_, challenge) = pkce();
    let first = browser.get(authorize_url(&provider, "s", "n", &challenge)).send().await.expect("an answer");
    let interaction = first.headers()["location"].to_str().expect("a location").to_owned();
    let page = browser.get(provider.url(&interaction)).send().await.expect("the login page");
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("a page");
    assert!(page.contains(r#"<label for="login">"#) && page.contains("Sign in"), "{page}");

    let again = browser
        .post(provider.url(&format!("{interaction}/login")))
        .form(&[("login", "mallory")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.text().await.expect("a page").contains(r#"role="alert""#));
}

#[tokio::test]
async fn rotated_keys_sign_new_tokens_and_the_previous_stays_published() {
    let provider = provider("http://127.0.0.1:9/unused").await;
    let browser = Provider::browser();
    let before = jwt_part(&id_token(&provider, &browser, "nonce-a").await, 0)["kid"].clone();

    let kid = provider.rotate_keys().await;

    let jwks = get_json(&provider.url("/jwks")).await;
    let kids: Vec<&Value> = jwks["keys"].as_array().expect("keys").iter().map(|key| &key["kid"]).collect();
    assert_eq!(kids, [&json!(kid), &before]);
    // The same browser: its session survived the rotation.
    let header = jwt_part(&id_token(&provider, &browser, "nonce-b").await, 0);
    assert_eq!(header["kid"], kid.as_str());
    assert_eq!(header["alg"], "RS256");
}

#[tokio::test]
async fn backchannel_logout_tokens_reach_the_client() {
    let (logout_uri, mut received) = logout_receiver().await;
    let provider = provider(&logout_uri).await;

    provider.backchannel_logout(CLIENT_ID, "alice", Some("session-1")).await.expect("delivered");
    let token = next_token(&mut received).await;
    assert!(token["events"].get(BACKCHANNEL_EVENT).is_some(), "{token}");
    assert_eq!(token["sub"], "alice");
    assert_eq!(token["sid"], "session-1");
    assert_eq!(token["iss"], provider.issuer.as_str());
    assert_eq!(token["aud"], CLIENT_ID);

    // RP-initiated logout: the provider's own page, confirmed, sends one for the session signed in.
    let browser = Provider::browser();
    let sid = jwt_part(&id_token(&provider, &browser, "nonce-1").await, 1)["sid"].clone();
    let end = Url::parse_with_params(&provider.url("/session/end"), [("client_id", CLIENT_ID)]).expect("a URL");
    let page = browser.get(end).send().await.expect("the logout page").text().await.expect("a page");
    let (action, xsrf) = logout_form(&page);
    let confirmed = browser.post(action).form(&[("xsrf", xsrf.as_str()), ("logout", "yes")]).send().await;
    assert!(confirmed.expect("an answer").status().is_redirection());
    let token = next_token(&mut received).await;
    assert!(token["events"].get(BACKCHANNEL_EVENT).is_some(), "{token}");
    assert_eq!(token["sub"], "alice");
    assert_eq!(token["sid"], sid);
}

/// The logout page's form: its action and its `xsrf` field.
fn logout_form(page: &str) -> (String, String) {
    let after = |marker: &str| {
        let start = page.find(marker).unwrap_or_else(|| panic!("{marker} in {page}")) + marker.len();
        page[start..page[start..].find('"').expect("a closing quote") + start].to_owned()
    };
    (after(r#"action=""#), after(r#"name="xsrf" value=""#))
}
