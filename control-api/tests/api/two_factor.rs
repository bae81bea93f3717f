//! TOTP 2FA: setup, enable, login with a code, replay refused, recovery codes, disable.

use serde_json::{Value, json};

use control_api::identity::totp;

use crate::helpers::{PASSWORD, TestApp, unique_email, unique_slug};

fn now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap()
}

/// The code of the step `offset` steps from now.
fn code(secret: &[u8], offset: i64) -> String {
    code_from(secret, now(), offset)
}

/// The code of the step `offset` steps from the unix time `at`.
fn code_from(secret: &[u8], at: u64, offset: i64) -> String {
    let at = at.saturating_add_signed(offset * i64::try_from(totp::STEP_SECS).unwrap());
    totp::code_at(secret, totp::DIGITS, at)
}

struct Enrolled {
    slug: String,
    email: String,
    secret: Vec<u8>,
    recovery_codes: Vec<String>,
    /// When the enabling code was made: its step is spent (the clock may have turned since).
    enabled_at: u64,
}

/// An admin with 2FA enabled (the current step is spent by the enabling code).
async fn enrolled(app: &TestApp) -> Enrolled {
    let slug = unique_slug();
    let tenant = app.create_tenant(&slug, "active").await;
    let email = unique_email("admin");
    let user = app.create_user(&email).await;
    app.add_member(user, tenant, "admin").await;
    let access = app.login(Some(&slug), &email, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();

    // Setup is a step-up: the current password, in the same request.
    app.post_bearer("/v1/auth/2fa/setup", &access, &json!({})).await.assert_problem(400, "validation_failed");
    let wrong = app.post_bearer("/v1/auth/2fa/setup", &access, &json!({ "password": "not my password" })).await;
    wrong.assert_problem(422, "validation_failed");
    let setup = app.post_bearer("/v1/auth/2fa/setup", &access, &json!({ "password": PASSWORD })).await;
    assert_eq!(setup.status, 200, "{}", setup.body);
    let setup = setup.json();
    assert!(setup["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/Helpdeskly:"));
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = totp::secret_from_base32(setup["secret"].as_str().unwrap()).unwrap();

    let stored: Vec<u8> = sqlx::query_scalar("SELECT secret_encrypted FROM user_mfa WHERE user_id = $1")
        .bind(user)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(!stored.windows(secret.len()).any(|w| w == secret.as_slice()), "the secret is stored in clear");

    let wrong = app.post_bearer("/v1/auth/2fa/enable", &access, &json!({ "code": "000000" })).await;
    wrong.assert_problem(422, "validation_failed");
    let enabled_at = now();
    let enabling = code_from(&secret, enabled_at, 0);
    let enabled = app.post_bearer("/v1/auth/2fa/enable", &access, &json!({ "code": enabling })).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let recovery_codes: Vec<String> = serde_json::from_value(enabled.json()["recovery_codes"].clone()).unwrap();
    assert_eq!(recovery_codes.len(), 10);
    let again = app.post_bearer("/v1/auth/2fa/setup", &access, &json!({ "password": PASSWORD })).await;
    again.assert_problem(409, "conflict");
    Enrolled { slug, email, secret, recovery_codes, enabled_at }
}

async fn first_step(app: &TestApp, who: &Enrolled) -> String {
    let login = app.login(Some(&who.slug), &who.email, PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.body);
    let body = login.json();
    assert_eq!(body["mfa_required"], true);
    assert!(login.header("set-cookie").is_none(), "no cookie before the second factor");
    assert!(body.get("access_token").is_none(), "no tokens before the second factor");
    body["mfa_token"].as_str().unwrap().to_owned()
}

async fn verify(app: &TestApp, body: &Value) -> harness::TestResponse {
    app.server.post_json("/v1/auth/mfa/verify", body).await
}

#[tokio::test]
async fn login_with_code_refuses_replay_and_recovery_codes_work_once() {
    let app = TestApp::spawn().await;
    let who = enrolled(&app).await;

    // The enabling code's step is spent; the next step (within the skew) logs in.
    let mfa_token = first_step(&app, &who).await;
    let enabling = code_from(&who.secret, who.enabled_at, 0);
    let replayed_enable = verify(&app, &json!({ "mfa_token": mfa_token, "code": enabling })).await;
    replayed_enable.assert_problem(401, "unauthorized");
    let next = code_from(&who.secret, who.enabled_at, 1);
    let tokens = verify(&app, &json!({ "mfa_token": mfa_token, "code": next })).await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    let access = tokens.json()["access_token"].as_str().unwrap().to_owned();
    let claims = app.state.verifier.verify(&access).unwrap();
    assert_eq!(claims.amr, ["pwd", "otp"]);
    // Browsers get the refresh token as a cookie their scripts cannot read; the first step set none.
    let cookie = tokens.header("set-cookie").unwrap_or_default();
    let refresh_token = tokens.json()["refresh_token"].as_str().unwrap().to_owned();
    assert!(cookie.starts_with(&format!("helpdeskly_refresh={refresh_token};")), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    // The challenge was single use.
    verify(&app, &json!({ "mfa_token": mfa_token, "code": next })).await.assert_problem(401, "unauthorized");

    // The same code on a new login: a replay, refused.
    let mfa_token = first_step(&app, &who).await;
    verify(&app, &json!({ "mfa_token": mfa_token, "code": next })).await.assert_problem(401, "unauthorized");

    // A recovery code works, typed in upper case without dashes, and only once.
    let recovery = who.recovery_codes[3].replace('-', "").to_uppercase();
    let used = verify(&app, &json!({ "mfa_token": mfa_token, "recovery_code": recovery })).await;
    assert_eq!(used.status, 200, "{}", used.body);
    let mfa_token = first_step(&app, &who).await;
    verify(&app, &json!({ "mfa_token": mfa_token, "recovery_code": who.recovery_codes[3] }))
        .await
        .assert_problem(401, "unauthorized");
    let other = verify(&app, &json!({ "mfa_token": mfa_token, "recovery_code": who.recovery_codes[4] })).await;
    assert_eq!(other.status, 200);

    let me = app.get_bearer("/v1/auth/me", &access).await.json();
    assert_eq!(me["mfa_enabled"], true);
    let actions = app.audit_actions().await;
    for expected in ["mfa_enabled", "mfa_failed", "recovery_code_used"] {
        assert!(actions.iter().any(|a| a == expected), "{expected} missing from {actions:?}");
    }
}

#[tokio::test]
async fn verify_input_is_checked() {
    let app = TestApp::spawn().await;
    let who = enrolled(&app).await;
    let mfa_token = first_step(&app, &who).await;
    let both = verify(&app, &json!({ "mfa_token": mfa_token, "code": "123456", "recovery_code": "abcd" })).await;
    both.assert_problem(422, "validation_failed");
    verify(&app, &json!({ "mfa_token": mfa_token })).await.assert_problem(422, "validation_failed");
    verify(&app, &json!({ "mfa_token": "forged", "code": code(&who.secret, 1) }))
        .await
        .assert_problem(401, "unauthorized");
    // None of that spent the challenge.
    let ok = verify(&app, &json!({ "mfa_token": mfa_token, "code": code(&who.secret, 1) })).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
}

#[tokio::test]
async fn disable_needs_the_password_and_a_code() {
    let app = TestApp::spawn().await;
    let who = enrolled(&app).await;
    let mfa_token = first_step(&app, &who).await;
    let tokens = verify(&app, &json!({ "mfa_token": mfa_token, "code": code(&who.secret, 1) })).await.json();
    let access = tokens["access_token"].as_str().unwrap();

    let app = &app;
    let disable = |body: Value| async move { app.post_bearer("/v1/auth/2fa/disable", access, &body).await };
    disable(json!({ "password": PASSWORD })).await.assert_problem(422, "validation_failed");
    disable(json!({ "code": code(&who.secret, 2) })).await.assert_problem(400, "validation_failed");
    let wrong_password = disable(json!({ "password": "not my password", "code": code(&who.secret, 2) })).await;
    wrong_password.assert_problem(422, "validation_failed");
    let wrong_code = disable(json!({ "password": PASSWORD, "code": "000000" })).await;
    wrong_code.assert_problem(422, "validation_failed");
    let me = app.get_bearer("/v1/auth/me", access).await.json();
    assert_eq!(me["mfa_enabled"], true, "nothing changed yet");

    let off = disable(json!({ "password": PASSWORD, "recovery_code": who.recovery_codes[0] })).await;
    assert_eq!(off.status, 204, "{}", off.body);
    let login = app.login(Some(&who.slug), &who.email, PASSWORD).await.json();
    assert!(login["access_token"].is_string(), "2FA is off: tokens straight away");
    disable(json!({ "password": PASSWORD, "code": code(&who.secret, 2) })).await.assert_problem(409, "conflict");
}

/// An admin of an organisation that requires 2FA cannot switch it off.
#[tokio::test]
async fn disable_is_refused_where_an_organisation_requires_it() {
    let app = TestApp::spawn().await;
    let who = enrolled(&app).await;
    sqlx::query("UPDATE tenants SET settings = '{\"require_2fa_for_admins\": true}' WHERE slug = $1")
        .bind(&who.slug)
        .execute(&app.state.db)
        .await
        .unwrap();
    let mfa_token = first_step(&app, &who).await;
    let tokens = verify(&app, &json!({ "mfa_token": mfa_token, "code": code(&who.secret, 1) })).await.json();
    let access = tokens["access_token"].as_str().unwrap();
    let refused = app
        .post_bearer("/v1/auth/2fa/disable", access, &json!({ "password": PASSWORD, "code": code(&who.secret, 2) }))
        .await;
    refused.assert_problem(403, "mfa_required");
    assert!(refused.json()["detail"].as_str().unwrap().contains(&who.slug), "{}", refused.body);
    assert_eq!(app.get_bearer("/v1/auth/me", access).await.json()["mfa_enabled"], true);
}

/// A setup not confirmed within 15 minutes must be started again (with the password).
#[tokio::test]
async fn a_stale_setup_cannot_be_enabled() {
    let app = TestApp::spawn().await;
    let slug = unique_slug();
    let tenant = app.create_tenant(&slug, "active").await;
    let email = unique_email("agent");
    let user = app.create_user(&email).await;
    app.add_member(user, tenant, "agent").await;
    let access = app.login(Some(&slug), &email, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();
    let setup = app.post_bearer("/v1/auth/2fa/setup", &access, &json!({ "password": PASSWORD })).await.json();
    let secret = totp::secret_from_base32(setup["secret"].as_str().unwrap()).unwrap();
    sqlx::query("UPDATE user_mfa SET created_at = now() - interval '16 minutes' WHERE user_id = $1")
        .bind(user)
        .execute(&app.state.db)
        .await
        .unwrap();
    let stale = app.post_bearer("/v1/auth/2fa/enable", &access, &json!({ "code": code(&secret, 0) })).await;
    stale.assert_problem(409, "conflict");
}
