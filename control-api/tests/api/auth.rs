//! Login, refresh rotation and reuse detection, logout, token checks, JWKS, lockout, audit.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use harness::eventually;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    PASSWORD, TEST_PRIVATE_KEY, TestApp, WithRedis, claims_of, foreign_key, sign, unique_email, unique_slug,
};

/// A tenant with one member of `role`; returns (slug, email, user id).
async fn member(app: &TestApp, role: &str) -> (String, String, Uuid) {
    let slug = unique_slug();
    let tenant = app.create_tenant(&slug, "active").await;
    let email = unique_email(role);
    let user = app.create_user(&email).await;
    app.add_member(user, tenant, role).await;
    (slug, email, user)
}

#[tokio::test]
async fn login_refresh_logout() {
    let app = TestApp::spawn().await;
    let (slug, email, user) = member(&app, "agent").await;

    let login = app.login(Some(&slug), &email.to_uppercase(), PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.body);
    let body = login.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["role"], "agent");
    assert_eq!(body["tenant"]["slug"], slug.as_str());
    assert_eq!(body["user"]["id"], user.to_string());
    let access = body["access_token"].as_str().unwrap().to_owned();
    let claims = claims_of(&access);
    assert_eq!(claims["sub"], user.to_string());
    assert_eq!(claims["slug"], slug.as_str());
    assert_eq!(claims["role"], "agent");
    assert_eq!(claims["amr"], json!(["pwd"]));
    assert_eq!((claims["iss"].as_str(), claims["aud"].as_str()), (Some("helpdeskly"), Some("helpdeskly")));
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 900);

    let me = app.get_bearer("/v1/auth/me", &access).await;
    assert_eq!(me.status, 200, "{}", me.body);
    let me = me.json();
    assert_eq!(me["user"]["email"], email.as_str());
    assert_eq!(me["memberships"][0]["slug"], slug.as_str());
    assert_eq!(me["memberships"][0]["role"], "agent");
    assert_eq!(me["mfa_enabled"], false);

    let first_refresh = body["refresh_token"].as_str().unwrap();
    let refreshed = app.server.post_json("/v1/auth/refresh", &json!({ "refresh_token": first_refresh })).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let refreshed = refreshed.json();
    assert_eq!(claims_of(refreshed["access_token"].as_str().unwrap())["sid"], claims["sid"], "same session");
    let second_refresh = refreshed["refresh_token"].as_str().unwrap();
    assert_ne!(second_refresh, first_refresh);

    let logout = app.post_bearer("/v1/auth/logout", &access, &json!({ "refresh_token": second_refresh })).await;
    assert_eq!(logout.status, 204, "{}", logout.body);
    let after = app.server.post_json("/v1/auth/refresh", &json!({ "refresh_token": second_refresh })).await;
    after.assert_problem(401, "unauthorized");
    assert_eq!(app.audit_actions().await, ["login_succeeded", "logout"]);
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_family() {
    let app = TestApp::spawn().await;
    let (slug, email, _) = member(&app, "customer").await;
    let login = app.login(Some(&slug), &email, PASSWORD).await.json();
    let first = login["refresh_token"].as_str().unwrap();

    let second = app.server.post_json("/v1/auth/refresh", &json!({ "refresh_token": first })).await.json();
    let second = second["refresh_token"].as_str().unwrap();

    // The stolen first token comes back: refused, and the session dies with it.
    let replay = app.server.post_json("/v1/auth/refresh", &json!({ "refresh_token": first })).await;
    replay.assert_problem(401, "unauthorized");
    let sibling = app.server.post_json("/v1/auth/refresh", &json!({ "refresh_token": second })).await;
    sibling.assert_problem(401, "unauthorized");

    // Another login is another family, untouched.
    let other = app.login(Some(&slug), &email, PASSWORD).await.json();
    let other = app.server.post_json("/v1/auth/refresh", &json!({ "refresh_token": other["refresh_token"] })).await;
    assert_eq!(other.status, 200);
    assert!(app.audit_actions().await.contains(&"refresh_reuse_detected".to_owned()));
}

#[tokio::test]
async fn unknown_email_wrong_password_and_foreign_tenant_look_the_same() {
    let app = TestApp::spawn().await;
    let (slug, email, _) = member(&app, "agent").await;
    let (other_slug, _, _) = member(&app, "agent").await;

    let wrong_password = app.login(Some(&slug), &email, "not the password at all").await;
    let unknown_email = app.login(Some(&slug), &unique_email("nobody"), PASSWORD).await;
    let not_a_member = app.login(Some(&other_slug), &email, PASSWORD).await;
    let no_such_tenant = app.login(Some("no-such-tenant"), &email, PASSWORD).await;
    let body = wrong_password.assert_problem(401, "unauthorized");
    for other in [&unknown_email, &not_a_member, &no_such_tenant] {
        assert_eq!(other.status, wrong_password.status);
        assert_eq!(other.json(), body, "the answers must not tell the cases apart");
    }
}

#[tokio::test]
async fn platform_operators_log_in_without_a_tenant() {
    let app = TestApp::spawn().await;
    let admin_email = unique_email("ops");
    app.create_platform_admin(&admin_email).await;
    let login = app.login(None, &admin_email, PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.body);
    let claims = claims_of(login.json()["access_token"].as_str().unwrap());
    assert_eq!(claims["role"], "platform_admin");
    assert!(claims["tid"].is_null());

    let (_, agent_email, _) = member(&app, "agent").await;
    app.login(None, &agent_email, PASSWORD).await.assert_problem(401, "unauthorized");
}

#[tokio::test]
async fn suspended_and_provisioning_tenants() {
    let app = TestApp::spawn().await;
    let email = unique_email("owner");
    let user = app.create_user(&email).await;
    let (suspended, provisioning) = (unique_slug(), unique_slug());
    let tenant = app.create_tenant(&suspended, "suspended").await;
    app.add_member(user, tenant, "owner").await;
    let tenant = app.create_tenant(&provisioning, "provisioning").await;
    app.add_member(user, tenant, "owner").await;

    app.login(Some(&suspended), &email, PASSWORD).await.assert_problem(403, "tenant_suspended");
    let waiting = app.login(Some(&provisioning), &email, PASSWORD).await;
    waiting.assert_problem(503, "tenant_provisioning");
    assert!(waiting.header("retry-after").is_some());
    // A wrong password never reveals the tenant's state.
    app.login(Some(&suspended), &email, "wrong wrong wrong").await.assert_problem(401, "unauthorized");
}

#[tokio::test]
async fn bearer_tokens_are_checked() {
    let app = TestApp::spawn().await;
    let (slug, email, _) = member(&app, "agent").await;
    let access = app.login(Some(&slug), &email, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();
    let mut claims = claims_of(&access);
    let kid = app.state.config.jwt.signing_key.kid().to_owned();
    let key = EncodingKey::from_ed_pem(TEST_PRIVATE_KEY.as_bytes()).unwrap();

    app.server.get("/v1/auth/me").await.assert_problem(401, "unauthorized");

    claims["exp"] = json!(chrono::Utc::now().timestamp() - 120);
    app.get_bearer("/v1/auth/me", &sign(&claims, &kid, &key)).await.assert_problem(401, "token_expired");

    let mut wrong_aud = claims_of(&access);
    wrong_aud["aud"] = json!("someone-else");
    app.get_bearer("/v1/auth/me", &sign(&wrong_aud, &kid, &key)).await.assert_problem(401, "unauthorized");

    // A key the server does not know, claiming the server's kid.
    let forged = sign(&claims_of(&access), &kid, &foreign_key());
    app.get_bearer("/v1/auth/me", &forged).await.assert_problem(401, "unauthorized");

    let hs = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims_of(&access), &EncodingKey::from_secret(b"x"))
        .unwrap();
    app.get_bearer("/v1/auth/me", &hs).await.assert_problem(401, "unauthorized");
}

#[tokio::test]
async fn jwks_verifies_tokens_with_an_independent_implementation() {
    let app = TestApp::spawn().await;
    let (slug, email, _) = member(&app, "agent").await;
    let access = app.login(Some(&slug), &email, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();

    let jwks = app.server.get("/.well-known/jwks.json").await;
    assert_eq!(jwks.status, 200);
    let jwk = &jwks.json()["keys"][0];
    assert_eq!(
        (jwk["kty"].as_str(), jwk["crv"].as_str(), jwk["alg"].as_str()),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );

    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(access.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["kid"], jwk["kid"]);

    // Verify the signature with ed25519-dalek directly, from the JWK alone.
    let x: [u8; 32] = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap().try_into().unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&x).unwrap();
    let (signed, signature) = access.rsplit_once('.').unwrap();
    let signature: [u8; 64] = URL_SAFE_NO_PAD.decode(signature).unwrap().try_into().unwrap();
    key.verify_strict(signed.as_bytes(), &ed25519_dalek::Signature::from_bytes(&signature))
        .expect("the JWKS key verifies");
    assert!(key.verify_strict(b"something else", &ed25519_dalek::Signature::from_bytes(&signature)).is_err());
}

/// Wrong passwords until locked; the lock answers 429 with Retry-After even for the right
/// password, then releases.
async fn lockout_engages_and_releases(redis: WithRedis) {
    let app = TestApp::build(redis, |_| {}).await;
    let (slug, email, _) = member(&app, "agent").await;
    // The account policy allows five attempts; the fifth failure sets the first lock.
    for _ in 1..=5 {
        app.login(Some(&slug), &email, "wrong password!!").await.assert_problem(401, "unauthorized");
    }
    let locked = app.login(Some(&slug), &email, PASSWORD).await;
    locked.assert_problem(429, "rate_limited");
    let retry_after: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    // A different account from the same address is not locked.
    let (other_slug, other_email, _) = member(&app, "agent").await;
    assert_eq!(app.login(Some(&other_slug), &other_email, PASSWORD).await.status, 200);

    // The lock lasts about a second; until then the right password is refused too.
    let (app_ref, slug_ref, email_ref) = (&app, slug.as_str(), email.as_str());
    eventually(Duration::from_secs(5), "the lock releases", || async move {
        let attempt = app_ref.login(Some(slug_ref), email_ref, PASSWORD).await;
        if attempt.status == 200 {
            return Some(());
        }
        attempt.assert_problem(429, "rate_limited");
        None
    })
    .await;
    if let Some(redis) = &app.redis {
        // Counters were kept in Redis (the IP counter survives a success; the account's is cleared).
        let keys = redis.keys().await;
        assert!(keys.iter().any(|k| k.contains(":lockout:ip:")), "{keys:?}");
        assert!(!keys.iter().any(|k| k.contains(&email.to_lowercase())), "{keys:?}");
    }
}

#[tokio::test]
async fn lockout_with_redis() {
    lockout_engages_and_releases(WithRedis::Yes).await;
}

#[tokio::test]
async fn lockout_without_redis() {
    lockout_engages_and_releases(WithRedis::No).await;
}

#[tokio::test]
async fn login_input_is_validated() {
    let app = TestApp::spawn().await;
    let unknown =
        app.server.post_json("/v1/auth/login", &json!({ "email": "a@b.co", "password": "x", "admin": true })).await;
    let body = unknown.assert_problem(400, "validation_failed");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("unknown field"));
    app.server
        .post_json("/v1/auth/login", &json!({ "email": 5, "password": "x" }))
        .await
        .assert_problem(400, "validation_failed");
    let huge = app.server.post_json("/v1/auth/login", &json!({ "email": "a@b.co", "password": "p".repeat(500) })).await;
    huge.assert_problem(422, "validation_failed");
    let text = app.server.request(reqwest::Method::POST, "/v1/auth/login").body("email=a").send().await.unwrap();
    harness::TestResponse::from(text).await.assert_problem(415, "unsupported_media_type");
}

/// action, actor, ip, user agent
type AuditRow = (String, Option<Uuid>, Option<String>, Option<String>);

#[tokio::test]
async fn audit_log_records_failures_and_successes_with_their_origin() {
    let app = TestApp::spawn().await;
    let (slug, email, user) = member(&app, "admin").await;
    app.login(Some(&slug), &email, "wrong password!!").await;
    let ok = app
        .server
        .request(reqwest::Method::POST, "/v1/auth/login")
        .header("user-agent", "helpdesk-test/1.0")
        .json(&json!({ "tenant": slug, "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let rows: Vec<AuditRow> =
        sqlx::query_as("SELECT action, actor_user_id, host(ip), user_agent FROM audit_log ORDER BY id")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].0, "login_failed");
    assert_eq!(rows[0].1, Some(user));
    assert_eq!(rows[0].2.as_deref(), Some("127.0.0.1"));
    assert_eq!(rows[1].0, "login_succeeded");
    assert_eq!(rows[1].3.as_deref(), Some("helpdesk-test/1.0"));
}
