//! The attacks the hardening closes, each tried and shown to fail, beside the legitimate use
//! that must keep working: password oracles, sign-up floods, spoofed client addresses, parallel
//! guessing, weak or foreign tokens on the control plane, and sessions that outlive logout.

use control_api::identity::tokens::Grant;
use futures_util::future::join_all;
use harness::TestResponse;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{PASSWORD, TestApp, WithRedis, Worker, parse, signup_body, unique_email, unique_slug};

/// A tenant with one member of `role`; returns (tenant id, slug, email, user id).
async fn member(app: &TestApp, role: &str) -> (Uuid, String, String, Uuid) {
    let slug = unique_slug();
    let tenant = app.create_tenant(&slug, "active").await;
    let email = unique_email(role);
    let user = app.create_user(&email).await;
    app.add_member(user, tenant, role).await;
    (tenant, slug, email, user)
}

fn access_of(login: &TestResponse) -> String {
    assert_eq!(login.status, 200, "{}", login.body);
    login.json()["access_token"].as_str().expect("tokens, not a challenge").to_owned()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn registration_never_says_whether_a_password_is_right() {
    let app = TestApp::build(WithRedis::No, |c| c.abuse.lockout.account.free = 3).await;
    let (_, _, email, user) = member(&app, "agent").await;
    let shop = unique_slug();
    let shop_id = app.create_tenant(&shop, "active").await;
    let register = |password: &'static str| {
        let body = json!({ "tenant": shop, "email": email, "password": password, "firstname": "A", "lastname": "B" });
        let app = &app;
        async move { app.server.post_json("/v1/auth/register", &body).await }
    };
    let members_of_shop = || count(&app, "SELECT count(*) FROM memberships WHERE role = 'customer'");

    let wrong = register("not the right password").await;
    assert_eq!(wrong.status, 201, "{}", wrong.body);
    assert_eq!(members_of_shop().await, 0, "a wrong password joins nothing");
    let right = register(PASSWORD).await;
    assert_eq!(right.status, 201, "{}", right.body);
    assert_eq!(right.json(), wrong.json(), "the answer does not depend on the password");
    let joined: i64 = sqlx::query_scalar("SELECT count(*) FROM memberships WHERE user_id = $1 AND tenant_id = $2")
        .bind(user)
        .bind(shop_id)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(joined, 1, "the right password joins");

    // Wrong passwords count against the account like failed logins (the right one above gave
    // its attempt back): the third locks it, and then even the right password is refused, here
    // and at login.
    for wrong in ["wrong password one", "wrong password two", "wrong password three"] {
        assert_eq!(register(wrong).await.status, 201);
    }
    register(PASSWORD).await.assert_problem(429, "rate_limited");
    app.login(Some(&shop), &email, PASSWORD).await.assert_problem(429, "rate_limited");
}

#[tokio::test]
async fn signup_never_checks_an_existing_password_and_takes_a_token_instead() {
    let app = TestApp::spawn().await;
    let (_, slug, email, user) = member(&app, "admin").await;
    let attempt = |password: &'static str| {
        let mut body = signup_body(&unique_slug(), &email);
        body["admin"]["password"] = json!(password);
        let app = &app;
        async move { app.server.post_json("/v1/tenants/signup", &body).await }
    };
    let right = attempt(PASSWORD).await;
    let wrong = attempt("not the right password").await;
    right.assert_problem(409, "conflict");
    assert_eq!(right.json()["detail"], wrong.json()["detail"]);
    assert_eq!(wrong.status, 409);

    let token = access_of(&app.login(Some(&slug), &email, PASSWORD).await);
    let new_slug = unique_slug();
    let with_admin = app.post_bearer("/v1/tenants/signup", &token, &signup_body(&new_slug, &email)).await;
    with_admin.assert_problem(422, "validation_failed");
    let body = json!({ "organization_name": "Second shop", "slug": new_slug });
    app.server.post_json("/v1/tenants/signup", &body).await.assert_problem(422, "validation_failed");
    let created = app.post_bearer("/v1/tenants/signup", &token, &body).await;
    assert_eq!(created.status, 202, "{}", created.body);
    assert_eq!(created.json()["user"]["id"], user.to_string());
    let role: String = sqlx::query_scalar(
        "SELECT m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id WHERE t.slug = $1 AND m.user_id = $2",
    )
    .bind(&new_slug)
    .bind(user)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(role, "owner");
}

/// The peak resident memory of this test process (nextest runs each test in its own).
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

/// 200 sign-ups at once from 200 addresses (behind a trusted proxy): the per-address and global
/// limits and the bounded password queue answer 429 and 503, memory stays bounded, and every
/// refused request leaves nothing behind.
#[tokio::test]
async fn two_hundred_parallel_signups_are_bounded() {
    let app = TestApp::build(WithRedis::No, |c| {
        c.http.trusted_proxies = parse("127.0.0.1");
        c.abuse.signups_per_ip_per_hour = 1;
        c.abuse.signups_per_hour = 40;
        c.abuse.hash_concurrency = 2;
        c.abuse.hash_queue = 6;
    })
    .await;
    let before = peak_rss_mib();
    let requests = (0..200u32).map(|n| {
        let body = signup_body(&unique_slug(), &unique_email("flood"));
        // Two requests from each address: the second is over the per-address limit.
        let address = format!("198.51.100.{}", n / 2);
        let request = app.server.request(Method::POST, "/v1/tenants/signup").header("x-forwarded-for", address);
        async move { request.json(&body).send().await.unwrap().status().as_u16() }
    });
    let statuses = join_all(requests).await;
    let accepted = statuses.iter().filter(|s| **s == 202).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    let busy = statuses.iter().filter(|s| **s == 503).count();
    assert_eq!(accepted + limited + busy, 200, "only 202, 429 and 503: {statuses:?}");
    assert!(limited >= 100, "at least every second request of an address: {limited}");
    assert!((1..=40).contains(&accepted), "the global limit holds: {accepted}");
    assert!(busy > 0, "a queue of 6 behind 2 hashes cannot take 40 at once");
    let peak = peak_rss_mib();
    println!("sign-up flood: {accepted} accepted, {limited} limited, {busy} busy; peak RSS {before} -> {peak} MiB");
    assert!(peak < before + 200, "memory grew from {before} to {peak} MiB");

    let accepted = i64::try_from(accepted).unwrap();
    assert_eq!(count(&app, "SELECT count(*) FROM tenants").await, accepted, "no half-made tenant");
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, accepted, "no orphan identity");
    assert_eq!(count(&app, "SELECT count(*) FROM provisioning_jobs").await, accepted);
}

#[tokio::test]
async fn a_client_cannot_choose_its_address() {
    async fn failed_login_ip(app: &TestApp, forwarded: &str) -> String {
        let (_, slug, email, _) = member(app, "agent").await;
        let body = json!({ "tenant": slug, "email": email, "password": "wrong password!!" });
        let request = app.server.request(Method::POST, "/v1/auth/login").header("x-forwarded-for", forwarded);
        assert_eq!(request.json(&body).send().await.unwrap().status(), 401);
        sqlx::query_scalar("SELECT host(ip) FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.state.db)
            .await
            .unwrap()
    }
    let direct = TestApp::spawn().await;
    assert_eq!(failed_login_ip(&direct, "6.6.6.6").await, "127.0.0.1", "no proxy is trusted");

    let proxied = TestApp::build(WithRedis::No, |c| {
        c.http.trusted_proxies = parse("127.0.0.1");
        c.abuse.lockout.ip.free = 3;
    })
    .await;
    assert_eq!(failed_login_ip(&proxied, "6.6.6.6, 198.51.100.7").await, "198.51.100.7");
    // The client wrote "6.6.6.6, junk" (and other variants): the walk stops at the junk, so the
    // address is the proxy's peer, whatever the client put first, and its lock holds.
    for spoof in ["6.6.6.6, junk", "1.2.3.4, junk", "5.6.7.8, ,"] {
        assert_eq!(failed_login_ip(&proxied, spoof).await, "127.0.0.1", "{spoof}");
    }
    let (_, slug, email, _) = member(&proxied, "agent").await;
    let body = json!({ "tenant": slug, "email": email, "password": PASSWORD });
    let request = proxied.server.request(Method::POST, "/v1/auth/login").header("x-forwarded-for", "9.9.9.9, junk");
    let locked = TestResponse::from(request.json(&body).send().await.unwrap()).await;
    locked.assert_problem(429, "rate_limited");
}

/// 50 wrong passwords at once against a limit of 10: exactly 10 are checked, the rest refused
/// before any hashing.
async fn parallel_guesses_cannot_pass_the_limit(redis: WithRedis) {
    // The tenth guess locks the account for the rest of the window (the cap), so the count is
    // the lockout's atomicity alone: with growing delays, a burst spread over more than the
    // first delay (a loaded machine hashing the passwords) would rightly let a few more through.
    let app = TestApp::build(redis, |c| {
        c.abuse.lockout.account.free = 10;
        c.abuse.lockout.account.cap = 10;
    })
    .await;
    let (_, slug, email, _) = member(&app, "agent").await;
    let guesses = (0..50).map(|n| {
        let body = json!({ "tenant": slug, "email": email, "password": format!("wrong guess number {n}") });
        let app = &app;
        async move { app.server.post_json("/v1/auth/login", &body).await.status.as_u16() }
    });
    let statuses = join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (10, 40), "{statuses:?}");
    assert_eq!(count(&app, "SELECT count(*) FROM audit_log WHERE action = 'login_failed'").await, 10);
}

#[tokio::test]
async fn parallel_guesses_with_redis() {
    parallel_guesses_cannot_pass_the_limit(WithRedis::Yes).await;
}

#[tokio::test]
async fn parallel_guesses_without_redis() {
    parallel_guesses_cannot_pass_the_limit(WithRedis::No).await;
}

/// A token of the same session as `token`, but as if the second factor had been used.
fn with_second_factor(app: &TestApp, token: &str, tenant: Uuid, slug: &str) -> String {
    let claims = app.state.verifier.verify(token).unwrap();
    let grant = Grant {
        user_id: claims.sub,
        tenant: Some((tenant, slug.to_owned())),
        role: claims.role,
        session_id: claims.sid,
        amr: vec!["pwd".into(), "otp".into()],
    };
    app.state.tokens.mint(&grant).token
}

/// On a tenant that requires 2FA for owners and admins, a password-only token can do none of
/// the control actions; the same session with the second factor can.
#[tokio::test]
async fn a_password_only_admin_token_is_refused_on_a_tenant_requiring_2fa() {
    let app = TestApp::spawn().await;
    let (tenant, slug, email, _) = member(&app, "owner").await;
    sqlx::query("UPDATE tenants SET settings = '{\"require_2fa_for_admins\": true}' WHERE id = $1")
        .bind(tenant)
        .execute(&app.state.db)
        .await
        .unwrap();
    let agent = app.create_user(&unique_email("agent")).await;
    app.add_member(agent, tenant, "agent").await;
    let weak = access_of(&app.login(Some(&slug), &email, PASSWORD).await);
    let base = format!("/v1/tenants/{slug}");
    let actions: Vec<(Method, String, Value)> = vec![
        (Method::GET, base.clone(), Value::Null),
        (Method::PATCH, base.clone(), json!({ "settings": { "require_2fa_for_admins": false } })),
        (Method::GET, format!("{base}/members"), Value::Null),
        (Method::POST, format!("{base}/invitations"), json!({ "email": unique_email("new"), "role": "admin" })),
        (Method::PATCH, format!("{base}/members/{agent}"), json!({ "role": "admin" })),
        (Method::DELETE, format!("{base}/members/{agent}"), Value::Null),
        (Method::GET, format!("{base}/audit-log"), Value::Null),
        (Method::DELETE, base.clone(), Value::Null),
    ];
    let send = |token: String, (method, path, body): (Method, String, Value)| {
        let mut request = app.server.request(method, &path).bearer_auth(token);
        if !body.is_null() {
            request = request.json(&body);
        }
        async move { TestResponse::from(request.send().await.unwrap()).await }
    };
    for action in actions.clone() {
        let label = format!("{} {}", action.0, action.1);
        let refused = send(weak.clone(), action).await;
        assert_eq!(refused.status, 403, "{label}: {}", refused.body);
        refused.assert_problem(403, "mfa_required");
    }
    let (status, settings): (String, Value) = sqlx::query_as("SELECT status, settings FROM tenants WHERE id = $1")
        .bind(tenant)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!((status.as_str(), settings["require_2fa_for_admins"].as_bool()), ("active", Some(true)));
    assert_eq!(count(&app, "SELECT count(*) FROM invitations").await, 0);
    let role: String = sqlx::query_scalar("SELECT role FROM memberships WHERE user_id = $1")
        .bind(agent)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(role, "agent");

    // A token issued for another tenant is refused even where the person is an owner.
    let (_, other_slug, other_email, _) = member(&app, "owner").await;
    sqlx::query(
        "INSERT INTO memberships (user_id, tenant_id, role) SELECT id, $2, 'owner' FROM users WHERE email = $1",
    )
    .bind(&other_email)
    .bind(tenant)
    .execute(&app.state.db)
    .await
    .unwrap();
    let foreign = access_of(&app.login(Some(&other_slug), &other_email, PASSWORD).await);
    app.get_bearer(&base, &foreign).await.assert_problem(403, "tenant_mismatch");

    // The second factor opens every action.
    let strong = with_second_factor(&app, &weak, tenant, &slug);
    for action in actions {
        let label = format!("{} {}", action.0, action.1);
        let done = send(strong.clone(), action).await;
        assert!(done.status.is_success(), "{label}: {} {}", done.status, done.body);
    }
}

#[tokio::test]
async fn logout_ends_the_access_token_and_sessions_can_be_listed_and_revoked() {
    let app = TestApp::spawn().await;
    let (_, slug, email, _) = member(&app, "agent").await;
    let first = app.login(Some(&slug), &email, PASSWORD).await.json();
    let laptop = first["access_token"].as_str().unwrap().to_owned();
    let phone = access_of(&app.login(Some(&slug), &email, PASSWORD).await);
    let third = access_of(&app.login(Some(&slug), &email, PASSWORD).await);

    let sessions = app.get_bearer("/v1/auth/sessions", &laptop).await;
    assert_eq!(sessions.status, 200, "{}", sessions.body);
    let listed = sessions.json()["data"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(listed.iter().all(|s| s["ip"] == "127.0.0.1" && s["last_used_at"].is_string()), "{listed:?}");

    // Logout ends the refresh token and, at once, the access token.
    let logout = app.post_bearer("/v1/auth/logout", &laptop, &json!({ "refresh_token": first["refresh_token"] })).await;
    assert_eq!(logout.status, 204);
    app.get_bearer("/v1/auth/me", &laptop).await.assert_problem(401, "unauthorized");
    let refresh = app.server.post_json("/v1/auth/refresh", &json!({ "refresh_token": first["refresh_token"] })).await;
    refresh.assert_problem(401, "unauthorized");

    // One device ends another; someone else's session id is not found.
    let phone_sid = app.state.verifier.verify(&phone).unwrap().sid;
    let revoked = app.delete_bearer(&format!("/v1/auth/sessions/{phone_sid}"), &third).await;
    assert_eq!(revoked.status, 204, "{}", revoked.body);
    app.get_bearer("/v1/auth/me", &phone).await.assert_problem(401, "unauthorized");
    let (_, other_slug, other_email, _) = member(&app, "agent").await;
    let stranger = access_of(&app.login(Some(&other_slug), &other_email, PASSWORD).await);
    let third_sid = app.state.verifier.verify(&third).unwrap().sid;
    app.delete_bearer(&format!("/v1/auth/sessions/{third_sid}"), &stranger).await.assert_problem(404, "not_found");
    assert_eq!(app.get_bearer("/v1/auth/me", &third).await.status, 200);

    // Logout-all ends the rest.
    let fourth = access_of(&app.login(Some(&slug), &email, PASSWORD).await);
    assert_eq!(app.post_bearer("/v1/auth/logout-all", &third, &json!({})).await.status, 204);
    for token in [&third, &fourth] {
        app.get_bearer("/v1/auth/me", token).await.assert_problem(401, "unauthorized");
    }
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    let (_, slug, email, _) = member(&app, "agent").await;
    let here = access_of(&app.login(Some(&slug), &email, PASSWORD).await);
    let elsewhere = app.login(Some(&slug), &email, PASSWORD).await.json();
    let new_password = "a brand new passphrase";

    let change = |current: &str, new: &str| {
        let body = json!({ "current_password": current, "new_password": new });
        let (app, here) = (&app, here.clone());
        async move { app.post_bearer("/v1/auth/password", &here, &body).await }
    };
    change("not my password at all", new_password).await.assert_problem(422, "validation_failed");
    change(PASSWORD, "short").await.assert_problem(422, "validation_failed");
    change(PASSWORD, PASSWORD).await.assert_problem(422, "validation_failed");
    app.post_bearer("/v1/auth/password", &here, &json!({ "new_password": new_password }))
        .await
        .assert_problem(400, "validation_failed");
    assert_eq!(app.get_bearer("/v1/auth/me", elsewhere["access_token"].as_str().unwrap()).await.status, 200);

    assert_eq!(change(PASSWORD, new_password).await.status, 204);
    assert_eq!(app.get_bearer("/v1/auth/me", &here).await.status, 200, "this session goes on");
    app.get_bearer("/v1/auth/me", elsewhere["access_token"].as_str().unwrap())
        .await
        .assert_problem(401, "unauthorized");
    app.server
        .post_json("/v1/auth/refresh", &json!({ "refresh_token": elsewhere["refresh_token"] }))
        .await
        .assert_problem(401, "unauthorized");
    app.login(Some(&slug), &email, PASSWORD).await.assert_problem(401, "unauthorized");
    assert_eq!(app.login(Some(&slug), &email, new_password).await.status, 200);
    assert!(app.audit_actions().await.iter().any(|a| a == "password_changed"));
}

/// Refreshing keeps a session alive only up to its absolute end.
#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime() {
    let app = TestApp::spawn().await;
    let (_, slug, email, _) = member(&app, "agent").await;
    let login = app.login(Some(&slug), &email, PASSWORD).await.json();
    let (created_at, ends_at): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("SELECT created_at, ends_at FROM sessions").fetch_one(&app.state.db).await.unwrap();
    assert_eq!((ends_at - created_at).num_days(), 30);
    let refreshed =
        app.server.post_json("/v1/auth/refresh", &json!({ "refresh_token": login["refresh_token"] })).await.json();
    sqlx::query("UPDATE sessions SET ends_at = now() - interval '1 second'").execute(&app.state.db).await.unwrap();
    app.server
        .post_json("/v1/auth/refresh", &json!({ "refresh_token": refreshed["refresh_token"] }))
        .await
        .assert_problem(401, "unauthorized");
    app.get_bearer("/v1/auth/me", refreshed["access_token"].as_str().unwrap())
        .await
        .assert_problem(401, "unauthorized");
}

/// Tenants nobody used are removed after `TENANT_ABANDONED_HOURS`: failed ones, and active ones
/// never signed in to; recent or used ones stay.
#[tokio::test]
async fn abandoned_tenants_are_removed() {
    let app = TestApp::spawn_dedicated(WithRedis::No, Worker::Manual).await;
    let (unused, _) = app.signup().await;
    let (used, used_owner) = app.signup().await;
    let (recent, _) = app.signup().await;
    app.state.worker.run_due().await.unwrap();
    for slug in [&unused, &used, &recent] {
        app.wait_for_status(slug, "active").await;
    }
    access_of(&app.login(Some(&used), &used_owner, PASSWORD).await);
    let failed = unique_slug();
    app.create_tenant(&failed, "failed").await;
    sqlx::query("UPDATE tenants SET created_at = now() - interval '73 hours' WHERE slug <> $1")
        .bind(&recent)
        .execute(&app.state.db)
        .await
        .unwrap();

    let mut swept = app.state.worker.sweep_abandoned().await.unwrap();
    let mut expected: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = ANY($1)")
        .bind(vec![unused.clone(), failed.clone()])
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    swept.sort();
    expected.sort();
    assert_eq!(swept, expected);
    app.state.worker.run_due().await.unwrap();
    app.wait_for_deletion(&unused).await;
    app.wait_for_deletion(&failed).await;
    for slug in [&used, &recent] {
        app.wait_for_status(slug, "active").await;
    }
    let database: String = sqlx::query_scalar("SELECT database_name FROM tenants WHERE slug = $1")
        .bind(&unused)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let admin = sqlx::PgPool::connect(&harness::admin_url()).await.unwrap();
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&database)
        .fetch_one(&admin)
        .await
        .unwrap();
    assert!(!exists, "the unused tenant's database is dropped");
    assert!(app.state.worker.sweep_abandoned().await.unwrap().is_empty(), "a second sweep finds nothing");
}

/// A tenant role's password reaches PostgreSQL only as a SCRAM verifier, and the role can use
/// its tables but not the record of its schema.
#[tokio::test]
async fn tenant_roles_get_a_verifier_and_keep_off_the_migrations_table() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let [(slug, _)] = app.active_tenants().await;
    let role: String = sqlx::query_scalar("SELECT login_role FROM tenants WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let admin = sqlx::PgPool::connect(&harness::admin_url()).await.unwrap();
    let stored: String = sqlx::query_scalar("SELECT rolpassword FROM pg_authid WHERE rolname = $1")
        .bind(&role)
        .fetch_one(&admin)
        .await
        .unwrap();
    assert!(stored.starts_with("SCRAM-SHA-256$4096:"), "{stored}");

    let mut tenant = app.connect_as_tenant(&slug, None).await.unwrap();
    let mut rows = tenant_schema::begin(&mut tenant, app.tenant_id(&slug).await).await.unwrap();
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&mut *rows).await.unwrap();
    assert_eq!(users, 1, "the role uses its tables");
    rows.commit().await.unwrap();
    for statement in [
        "SELECT count(*) FROM _sqlx_migrations",
        "DELETE FROM _sqlx_migrations",
        "UPDATE _sqlx_migrations SET checksum = ''::bytea",
    ] {
        let denied = sqlx::query(statement).execute(&mut tenant).await.unwrap_err();
        assert!(denied.to_string().contains("permission denied"), "{statement}: {denied}");
    }
    let ssl_mode: String = sqlx::query_scalar("SELECT ssl_mode FROM db_clusters WHERE name = 'default'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(ssl_mode, "prefer", "the admin URL names no sslmode");
}

/// A failed login for tenant X by someone who is no member of X is written to the platform's
/// log, not X's: X's admins learn nothing of identities elsewhere. A member's failure is X's.
#[tokio::test]
async fn a_failed_login_is_recorded_only_where_it_belongs() {
    let app = TestApp::spawn().await;
    let (x, x_slug, x_email, _) = member(&app, "admin").await;
    let (_, _, stranger_email, stranger) = member(&app, "agent").await;
    for email in [&stranger_email, &x_email] {
        app.login(Some(&x_slug), email, "wrong password!!").await.assert_problem(401, "unauthorized");
    }
    let rows: Vec<(Option<Uuid>, Option<Uuid>)> =
        sqlx::query_as("SELECT actor_user_id, tenant_id FROM audit_log WHERE action = 'login_failed' ORDER BY id")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], (Some(stranger), None), "the stranger's failure stays out of X's log");
    assert_eq!(rows[1].1, Some(x), "a member's failure is X's to see");
    let owner = with_second_factor(&app, &access_of(&app.login(Some(&x_slug), &x_email, PASSWORD).await), x, &x_slug);
    let log = app.get_bearer(&format!("/v1/tenants/{x_slug}/audit-log"), &owner).await.json();
    let actors: Vec<&str> =
        log["data"].as_array().unwrap().iter().filter_map(|e| e["actor_user_id"].as_str()).collect();
    assert!(!actors.contains(&stranger.to_string().as_str()), "{actors:?}");
}

/// Registrations are limited per address: each creates an identity and costs a hash.
#[tokio::test]
async fn registrations_are_limited_per_address() {
    let app = TestApp::build(WithRedis::No, |c| c.abuse.registrations_per_ip_per_hour = 2).await;
    let shop = unique_slug();
    app.create_tenant(&shop, "active").await;
    let register = || {
        let body = json!({ "tenant": shop, "email": unique_email("c"), "password": PASSWORD, "firstname": "A", "lastname": "B" });
        let app = &app;
        async move { app.server.post_json("/v1/auth/register", &body).await }
    };
    assert_eq!(register().await.status, 201);
    assert_eq!(register().await.status, 201);
    let refused = register().await;
    refused.assert_problem(429, "rate_limited");
    assert!(refused.header("retry-after").is_some());
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 2, "the refused registration wrote nothing");
}

/// Text PostgreSQL cannot store is refused with 422 naming the field, in bodies and in query
/// strings, before it reaches the database.
#[tokio::test]
async fn the_nul_character_is_refused_where_it_comes_in() {
    let app = TestApp::spawn().await;
    let tenants = count(&app, "SELECT count(*) FROM tenants").await;
    let login = json!({ "tenant": "acme", "email": "\u{0}", "password": PASSWORD });
    let problem = app.server.post_json("/v1/auth/login", &login).await.assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "email", "{problem}");
    let mut body = signup_body(&unique_slug(), &unique_email("nul"));
    body["admin"]["firstname"] = json!("Ad\u{0}a");
    let problem = app.server.post_json("/v1/tenants/signup", &body).await.assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "admin.firstname", "{problem}");
    let problem = app.server.get("/v1/tenants?status=%00").await.assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "status", "{problem}");
    assert_eq!(count(&app, "SELECT count(*) FROM tenants").await, tenants, "nothing was written");
}
