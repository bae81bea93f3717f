//! `GET /v1/auth/me/export`: the caller's identity, memberships, sessions and audit entries; no
//! secret in any encoding; nobody else's data; bounded lists; bearer checks.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use control_api::identity::totp;
use harness::TestResponse;
use jsonwebtoken::EncodingKey;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{PASSWORD, TEST_PRIVATE_KEY, TestApp, claims_of, foreign_key, sign, unique_email, unique_slug};

const EXPORT: &str = "/v1/auth/me/export";

/// A login sent with a `User-Agent`; returns the token response.
async fn login_from(app: &TestApp, slug: &str, email: &str, password: &str, user_agent: &str) -> TestResponse {
    let request = app
        .server
        .request(Method::POST, "/v1/auth/login")
        .header("user-agent", user_agent)
        .json(&json!({ "tenant": slug, "email": email, "password": password }));
    TestResponse::from(request.send().await.expect("request sent")).await
}

/// Tokens of a login that must succeed: (access token, refresh token).
async fn signed_in(app: &TestApp, slug: &str, email: &str, user_agent: &str) -> (String, String) {
    let login = login_from(app, slug, email, PASSWORD, user_agent).await;
    assert_eq!(login.status, 200, "{}", login.body);
    let body = login.json();
    (body["access_token"].as_str().unwrap().to_owned(), body["refresh_token"].as_str().unwrap().to_owned())
}

/// A request with a bearer token and a `User-Agent`.
async fn send_from(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    user_agent: &str,
    body: &Value,
) -> TestResponse {
    let request = app.server.request(method, path).bearer_auth(token).header("user-agent", user_agent).json(body);
    TestResponse::from(request.send().await.expect("request sent")).await
}

/// The ways bytes could be written into JSON: hex (plain and PostgreSQL's), base64 of either
/// alphabet with or without padding, and an array of numbers.
fn encodings(bytes: &[u8]) -> Vec<String> {
    let hex = bytes.iter().fold(String::new(), |mut hex, b| {
        write!(hex, "{b:02x}").expect("writing to a String");
        hex
    });
    vec![
        format!("\\\\x{hex}"),
        hex,
        STANDARD.encode(bytes),
        STANDARD_NO_PAD.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
        serde_json::to_string(bytes).unwrap(),
    ]
}

/// Every object key in `value`, at any depth.
fn field_names(value: &Value, names: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (name, inner) in fields {
                names.push(name.clone());
                field_names(inner, names);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| field_names(item, names)),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

fn actions(export: &Value) -> Vec<&str> {
    export["audit_log"]["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect()
}

fn entry<'a>(export: &'a Value, action: &str) -> &'a Value {
    export["audit_log"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == action)
        .unwrap_or_else(|| panic!("no {action} entry in {}", export["audit_log"]))
}

/// A person in two tenants, with a second factor, a revoked and a refreshed session and a
/// failed login; an owner who changed their role and invited their email elsewhere; a stranger
/// in one of their tenants.
struct Scene {
    app: TestApp,
    me: Uuid,
    email: String,
    desk: (String, Uuid),
    shop: (String, Uuid),
    elsewhere: Uuid,
    boss: (Uuid, String),
    stranger: (Uuid, String),
    /// The access token of the open (laptop) session.
    access: String,
    /// The access token of the logged-out (phone) session.
    phone_access: String,
    /// Secrets that were shown once in clear: tokens, the TOTP secret, recovery codes.
    shown_once: Vec<String>,
    /// The TOTP secret's bytes.
    totp_secret: Vec<u8>,
}

async fn scene() -> Scene {
    let app = TestApp::spawn().await;
    let (desk, shop, elsewhere) = (unique_slug(), unique_slug(), unique_slug());
    let desk_id = app.create_tenant(&desk, "active").await;
    let shop_id = app.create_tenant(&shop, "active").await;
    let elsewhere_id = app.create_tenant(&elsewhere, "active").await;
    let email = unique_email("ada");
    let me = app.create_user(&email).await;
    app.add_member(me, desk_id, "agent").await;
    app.add_member(me, shop_id, "customer").await;
    let boss_email = unique_email("boss");
    let boss = app.create_user(&boss_email).await;
    app.add_member(boss, desk_id, "owner").await;
    app.add_member(boss, elsewhere_id, "owner").await;
    let stranger_email = unique_email("stranger");
    let stranger = app.create_user(&stranger_email).await;
    app.add_member(stranger, shop_id, "customer").await;

    // A laptop session at the desk (refreshed later), a phone one at the shop (logged out), a failure.
    let (laptop_access, laptop_refresh) = signed_in(&app, &desk, &email, "ada-laptop/1.0").await;
    login_from(&app, &shop, &email, "not my password!", "ada-laptop/1.0").await.assert_problem(401, "unauthorized");
    let (phone_access, phone_refresh) = signed_in(&app, &shop, &email, "ada-phone/2.0").await;
    let logout = app.post_bearer("/v1/auth/logout", &phone_access, &json!({ "refresh_token": phone_refresh })).await;
    assert_eq!(logout.status, 204, "{}", logout.body);
    let refreshed = app.server.post_json("/v1/auth/refresh", &json!({ "refresh_token": laptop_refresh })).await.json();
    let access = refreshed["access_token"].as_str().unwrap().to_owned();
    let refresh = refreshed["refresh_token"].as_str().unwrap().to_owned();

    let setup = app.post_bearer("/v1/auth/2fa/setup", &access, &json!({ "password": PASSWORD })).await;
    assert_eq!(setup.status, 200, "{}", setup.body);
    let secret_base32 = setup.json()["secret"].as_str().unwrap().to_owned();
    let totp_secret = totp::secret_from_base32(&secret_base32).unwrap();
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap();
    let code = totp::code_at(&totp_secret, totp::DIGITS, now);
    let enabled = app.post_bearer("/v1/auth/2fa/enable", &access, &json!({ "code": code })).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let recovery_codes: Vec<String> = serde_json::from_value(enabled.json()["recovery_codes"].clone()).unwrap();

    // The owner promotes me at the desk and invites my email (typed in capitals) elsewhere.
    let (boss_at_desk, _) = signed_in(&app, &desk, &boss_email, "boss-browser/9.9").await;
    let path = format!("/v1/tenants/{desk}/members/{me}");
    let body = json!({ "role": "admin" });
    assert_eq!(send_from(&app, Method::PATCH, &path, &boss_at_desk, "boss-browser/9.9", &body).await.status, 200);
    let (boss_elsewhere, _) = signed_in(&app, &elsewhere, &boss_email, "boss-browser/9.9").await;
    let path = format!("/v1/tenants/{elsewhere}/invitations");
    let body = json!({ "email": email.to_uppercase(), "role": "agent" });
    assert_eq!(send_from(&app, Method::POST, &path, &boss_elsewhere, "boss-browser/9.9", &body).await.status, 201);
    // The stranger exports too: their entry is not mine.
    let (stranger_access, _) = signed_in(&app, &shop, &stranger_email, "stranger-tablet/3.3").await;
    assert_eq!(app.get_bearer(EXPORT, &stranger_access).await.status, 200);

    let shown_once = [
        vec![
            secret_base32,
            access.clone(),
            refresh,
            laptop_access,
            laptop_refresh,
            phone_access.clone(),
            phone_refresh,
        ],
        recovery_codes,
    ]
    .concat();
    Scene {
        app,
        me,
        email,
        desk: (desk, desk_id),
        shop: (shop, shop_id),
        elsewhere: elsewhere_id,
        boss: (boss, boss_email),
        stranger: (stranger, stranger_email),
        access,
        phone_access,
        shown_once,
        totp_secret,
    }
}

#[tokio::test]
async fn an_export_holds_the_identity_memberships_sessions_and_audit_entries() {
    let scene = scene().await;
    let response = scene.app.get_bearer(EXPORT, &scene.access).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let disposition = format!("attachment; filename=\"helpdeskly-export-{}.json\"", scene.me);
    assert_eq!(response.header("content-disposition"), Some(disposition.as_str()));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let export = response.json();

    let identity = &export["identity"];
    assert_eq!(identity["id"], scene.me.to_string());
    assert_eq!(identity["email"], scene.email.as_str());
    assert_eq!((identity["firstname"].as_str(), identity["lastname"].as_str()), (Some("Ada"), Some("Lovelace")));
    assert_eq!(identity["mfa_enabled"], true);
    assert!(identity["mfa_enabled_at"].is_string() && identity["created_at"].is_string(), "{identity}");
    assert_eq!(identity["platform_admin"], false);

    assert_eq!(export["memberships"]["truncated"], false);
    let memberships = export["memberships"]["data"].as_array().unwrap();
    assert_eq!(memberships.len(), 2, "{memberships:?}");
    let membership = |slug: &str| memberships.iter().find(|m| m["slug"] == slug).expect("a membership");
    let (desk, shop) = (&scene.desk.0, &scene.shop.0);
    assert_eq!(membership(desk)["tenant_id"], scene.desk.1.to_string());
    assert_eq!(membership(desk)["role"], "admin");
    assert_eq!(membership(desk)["name"], format!("{desk} Ltd"));
    assert_eq!(membership(shop)["tenant_id"], scene.shop.1.to_string());
    assert_eq!(membership(shop)["role"], "customer");
    assert!(membership(shop)["since"].is_string());

    assert_eq!(export["sessions"]["truncated"], false);
    let sessions = export["sessions"]["data"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    let session_of = |token: &str| {
        let id = claims_of(token)["sid"].clone();
        sessions.iter().find(|s| s["id"] == id).expect("a session").clone()
    };
    let laptop = session_of(&scene.access);
    assert_eq!((laptop["user_agent"].as_str(), laptop["ip"].as_str()), (Some("ada-laptop/1.0"), Some("127.0.0.1")));
    assert_eq!(laptop["tenant_id"], scene.desk.1.to_string());
    assert_eq!(laptop["amr"], json!(["pwd"]));
    assert!(laptop["revoked_at"].is_null() && laptop["ends_at"].is_string() && laptop["last_used_at"].is_string());
    let phone = session_of(&scene.phone_access);
    assert!(phone["revoked_at"].is_string());
    assert_eq!(phone["revoked_reason"], "logout");

    assert_eq!(export["audit_log"]["truncated"], false);
    let mine = actions(&export);
    for expected in ["login_succeeded", "login_failed", "logout", "mfa_enabled", "data_exported"] {
        assert!(mine.contains(&expected), "{expected} missing from {mine:?}");
    }
    assert_eq!(mine.iter().filter(|a| **a == "login_succeeded").count(), 2, "only my logins: {mine:?}");
    assert_eq!(entry(&export, "login_succeeded")["made_by_you"], true);
    assert_eq!(entry(&export, "login_failed")["user_agent"], "ada-laptop/1.0");
    assert_eq!(mine[0], "data_exported", "newest first, this export included");
    // Done to me by the owner: what was done, not who did it or from where.
    let promoted = entry(&export, "member_role_changed");
    assert_eq!((promoted["made_by_you"].as_bool(), promoted["tenant_id"].clone()), (Some(false), json!(scene.desk.1)));
    assert_eq!(
        (promoted["details"]["from"].as_str(), promoted["details"]["to"].as_str()),
        (Some("agent"), Some("admin"))
    );
    assert!(promoted["ip"].is_null() && promoted["user_agent"].is_null(), "{promoted}");
    let invited = entry(&export, "invitation_created");
    assert_eq!((invited["made_by_you"].as_bool(), invited["tenant_id"].clone()), (Some(false), json!(scene.elsewhere)));
    assert!(invited["ip"].is_null() && invited["user_agent"].is_null(), "{invited}");
}

/// The stored secrets are read from the database and searched for in the raw body, in every
/// encoding JSON could carry them in; so are the secrets shown once, and the people around.
#[tokio::test]
async fn an_export_holds_no_secret_and_nothing_of_the_people_around() {
    let scene = scene().await;
    let response = scene.app.get_bearer(EXPORT, &scene.access).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let body = &response.body;
    let (db, me) = (&scene.app.state.db, scene.me);
    let password_hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1").bind(me).fetch_one(db).await.unwrap();
    let sealed_secret: Vec<u8> = sqlx::query_scalar("SELECT secret_encrypted FROM user_mfa WHERE user_id = $1")
        .bind(me)
        .fetch_one(db)
        .await
        .unwrap();
    let code_digests: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT code_digest FROM mfa_recovery_codes WHERE user_id = $1")
            .bind(me)
            .fetch_all(db)
            .await
            .unwrap();
    let token_digests: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT r.token_digest FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE s.user_id = $1",
    )
    .bind(me)
    .fetch_all(db)
    .await
    .unwrap();
    assert_eq!((code_digests.len(), token_digests.len()), (10, 3), "what the test looks for is stored");

    assert!(!body.contains(&password_hash) && !body.contains("argon2"), "a password hash in {body}");
    let stored_bytes = [vec![sealed_secret, scene.totp_secret.clone()], code_digests, token_digests].concat();
    for bytes in &stored_bytes {
        for encoded in encodings(bytes) {
            assert!(!body.contains(&encoded), "stored secret bytes ({encoded}) in the export");
        }
    }
    for secret in &scene.shown_once {
        assert!(!body.contains(secret.as_str()), "{secret} in the export");
    }
    let mut names = Vec::new();
    field_names(&response.json(), &mut names);
    for name in names {
        for word in ["password", "secret", "digest", "hash", "token", "recovery"] {
            assert!(!name.contains(word), "a field {name:?} in the export");
        }
    }

    // Nobody else: not the owner who acted on me, not the stranger in my tenant.
    let (boss, stranger) = (&scene.boss, &scene.stranger);
    for other in [boss.0.to_string(), boss.1.clone(), stranger.0.to_string(), stranger.1.clone()] {
        assert!(!body.contains(&other), "{other} in my export");
    }
    for agent in ["boss-browser", "stranger-tablet"] {
        assert!(!body.contains(agent), "{agent} in my export");
    }
}

/// Two members of one tenant: each export is its owner's alone, both ways.
#[tokio::test]
async fn an_export_never_holds_another_persons_data() {
    let app = TestApp::spawn().await;
    let slug = unique_slug();
    let tenant = app.create_tenant(&slug, "active").await;
    let mut people = Vec::new();
    for (tag, agent) in [("first", "first-device/1.0"), ("second", "second-device/1.0")] {
        let email = unique_email(tag);
        let id = app.create_user(&email).await;
        app.add_member(id, tenant, "agent").await;
        let (access, _) = signed_in(&app, &slug, &email, agent).await;
        signed_in(&app, &slug, &email, agent).await;
        people.push((id, email, agent, access));
    }
    for (me, other) in [(&people[0], &people[1]), (&people[1], &people[0])] {
        let response = app.get_bearer(EXPORT, &me.3).await;
        assert_eq!(response.status, 200, "{}", response.body);
        let export = response.json();
        assert_eq!(export["identity"]["id"], me.0.to_string());
        assert_eq!(export["sessions"]["data"].as_array().unwrap().len(), 2);
        let other_sessions: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM sessions WHERE user_id = $1")
            .bind(other.0)
            .fetch_all(&app.state.db)
            .await
            .unwrap();
        let other_entries: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit_log WHERE actor_user_id = $1")
            .bind(other.0)
            .fetch_all(&app.state.db)
            .await
            .unwrap();
        assert!(!other_entries.is_empty());
        for entry in export["audit_log"]["data"].as_array().unwrap() {
            assert!(!other_entries.contains(&entry["id"].as_i64().unwrap()), "{entry}");
        }
        let body = &response.body;
        for text in [other.0.to_string(), other.1.clone(), other.2.to_owned()] {
            assert!(!body.contains(&text), "{text} in the export of {}", me.1);
        }
        for sid in other_sessions {
            assert!(!body.contains(&sid.to_string()), "session {sid} in the export of {}", me.1);
        }
    }
}

/// Without a valid bearer of an open session of an active identity: 401 problem+json.
#[tokio::test]
async fn an_export_needs_a_valid_token_of_an_open_session() {
    let app = TestApp::spawn().await;
    let slug = unique_slug();
    let tenant = app.create_tenant(&slug, "active").await;
    let email = unique_email("customer");
    let me = app.create_user(&email).await;
    app.add_member(me, tenant, "customer").await;
    let (access, refresh) = signed_in(&app, &slug, &email, "test/1.0").await;
    let kid = app.state.config.jwt.signing_key.kid().to_owned();
    let own_key = EncodingKey::from_ed_pem(TEST_PRIVATE_KEY.as_bytes()).unwrap();

    app.server.get(EXPORT).await.assert_problem(401, "unauthorized");
    app.get_bearer(EXPORT, "not-a-jwt").await.assert_problem(401, "unauthorized");
    let mut expired = claims_of(&access);
    expired["exp"] = json!(chrono::Utc::now().timestamp() - 120);
    app.get_bearer(EXPORT, &sign(&expired, &kid, &own_key)).await.assert_problem(401, "token_expired");
    let forged = sign(&claims_of(&access), &kid, &foreign_key());
    app.get_bearer(EXPORT, &forged).await.assert_problem(401, "unauthorized");
    // Someone else's id in a token signed by another key.
    let mut impersonation = claims_of(&access);
    impersonation["sub"] = json!(Uuid::now_v7());
    app.get_bearer(EXPORT, &sign(&impersonation, &kid, &foreign_key())).await.assert_problem(401, "unauthorized");

    assert_eq!(app.get_bearer(EXPORT, &access).await.status, 200);
    sqlx::query("UPDATE users SET status = 'disabled' WHERE id = $1").bind(me).execute(&app.state.db).await.unwrap();
    app.get_bearer(EXPORT, &access).await.assert_problem(401, "unauthorized");
    sqlx::query("UPDATE users SET status = 'active' WHERE id = $1").bind(me).execute(&app.state.db).await.unwrap();
    let logout = app.post_bearer("/v1/auth/logout", &access, &json!({ "refresh_token": refresh })).await;
    assert_eq!(logout.status, 204, "{}", logout.body);
    app.get_bearer(EXPORT, &access).await.assert_problem(401, "unauthorized");
}

/// 10,001 older memberships, sessions and audit entries: each list keeps the newest 10,000 and
/// says it left the rest out.
#[tokio::test]
async fn each_list_keeps_the_newest_ten_thousand() {
    let app = TestApp::spawn().await;
    let slug = unique_slug();
    let tenant = app.create_tenant(&slug, "active").await;
    let email = unique_email("busy");
    let me = app.create_user(&email).await;
    app.add_member(me, tenant, "agent").await;
    let (access, _) = signed_in(&app, &slug, &email, "test/1.0").await;
    let db = &app.state.db;
    sqlx::query(
        "WITH bulk AS (
           INSERT INTO tenants (id, slug, name, status)
           SELECT gen_random_uuid(), 'bulk-' || lpad(n::text, 5, '0'), 'Bulk ' || n, 'active'
           FROM generate_series(1, 10001) n RETURNING id, slug)
         INSERT INTO memberships (user_id, tenant_id, role, created_at)
         SELECT $1, id, 'customer', now() - substr(slug, 6)::int * interval '1 minute' FROM bulk",
    )
    .bind(me)
    .execute(db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO sessions (id, user_id, amr, created_at, last_used_at, expires_at, ends_at, user_agent)
         SELECT gen_random_uuid(), $1, '{pwd}', now() - n * interval '1 minute', now() - n * interval '1 minute',
                now() - n * interval '1 minute', now() - n * interval '1 minute', 'old-' || n
         FROM generate_series(1, 10001) n",
    )
    .bind(me)
    .execute(db)
    .await
    .unwrap();
    // In id order, oldest first: the real login's entry is older still.
    sqlx::query(
        "INSERT INTO audit_log (at, action, actor_user_id, details)
         SELECT now() - (10002 - n) * interval '1 second', 'login_failed', $1, jsonb_build_object('n', n)
         FROM generate_series(1, 10001) n ORDER BY n",
    )
    .bind(me)
    .execute(db)
    .await
    .unwrap();

    let response = app.get_bearer(EXPORT, &access).await;
    assert_eq!(response.status, 200, "{}", &response.body[..response.body.len().min(500)]);
    let export = response.json();
    for list in ["memberships", "sessions", "audit_log"] {
        assert_eq!(export[list]["truncated"], true, "{list}");
        assert_eq!(export[list]["data"].as_array().unwrap().len(), 10_000, "{list}");
    }
    let memberships = export["memberships"]["data"].as_array().unwrap();
    assert_eq!(memberships[0]["slug"], slug.as_str(), "the newest first");
    let slugs: Vec<&str> = memberships.iter().map(|m| m["slug"].as_str().unwrap()).collect();
    assert!(slugs.contains(&"bulk-09999") && !slugs.contains(&"bulk-10000") && !slugs.contains(&"bulk-10001"));

    let sessions = export["sessions"]["data"].as_array().unwrap();
    assert_eq!(sessions[0]["id"], claims_of(&access)["sid"], "the newest first");
    assert_eq!(sessions[9_999]["user_agent"], "old-9999");

    let entries = export["audit_log"]["data"].as_array().unwrap();
    assert_eq!(entries[0]["action"], "data_exported");
    assert_eq!(entries[1]["details"]["n"], 10_001);
    assert_eq!(entries[9_999]["details"]["n"], 3);
    assert!(!actions(&export).contains(&"login_succeeded"), "the oldest entries are left out");
    let ids: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
}
