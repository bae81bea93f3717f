//! Removing a member with `erase=true`: the identity goes when it belongs to no other tenant,
//! and stays whole when it does.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{PASSWORD, TestApp, WithRedis, Worker, claims_of, unique_email};
use crate::members::{Org, accept_as_newcomer, active_org, await_mirror, invite};

/// Accepts `invitation` as a new identity; returns its id.
async fn accept_as_new(app: &TestApp, invitation: &str) -> Uuid {
    let joined = accept_as_newcomer(app, invitation, PASSWORD, ["Rosalind", "Franklin"]).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    joined.json()["user"]["id"].as_str().unwrap().parse().unwrap()
}

/// Signs in to `org`; returns the token response.
async fn sign_in(app: &TestApp, org: &Org, email: &str) -> Value {
    let login = app.login(Some(&org.slug), email, PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.body);
    login.json()
}

async fn refresh(app: &TestApp, tokens: &Value) -> u16 {
    app.server.post_json("/v1/auth/refresh", &json!({ "refresh_token": tokens["refresh_token"] })).await.status.as_u16()
}

fn erase_path(org: &Org, user: Uuid) -> String {
    format!("/v1/tenants/{}/members/{user}?erase=true", org.slug)
}

async fn count(app: &TestApp, sql: &str, bind: Uuid) -> i64 {
    sqlx::query_scalar(sql).bind(bind).fetch_one(&app.state.db).await.unwrap()
}

/// The details of the latest `member_erased` entry.
async fn erasure_entry(app: &TestApp) -> Value {
    sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'member_erased' ORDER BY id DESC LIMIT 1")
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_customer_of_one_tenant_is_erased_with_their_identity() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let org = active_org(&app).await;
    let other = active_org(&app).await;
    let email = unique_email("customer");
    let invitation = invite(&app, &org, &email, "customer").await;
    let user = accept_as_new(&app, &invitation).await;
    // Still pending elsewhere, addressed in another case.
    invite(&app, &other, &email.to_uppercase(), "customer").await;
    let tokens = sign_in(&app, &org, &email).await;
    let session: Uuid = claims_of(tokens["access_token"].as_str().unwrap())["sid"].as_str().unwrap().parse().unwrap();
    await_mirror(&app, &org.slug, user, Some(("customer", true))).await;

    let erased = app.delete_bearer(&erase_path(&org, user), &org.owner_token).await;
    assert_eq!(erased.status, 204, "{}", erased.body);

    assert_eq!(count(&app, "SELECT count(*) FROM users WHERE id = $1", user).await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM memberships WHERE user_id = $1", user).await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM sessions WHERE user_id = $1", user).await, 0);
    assert_eq!(refresh(&app, &tokens).await, 401);
    app.login(Some(&org.slug), &email, PASSWORD).await.assert_problem(401, "unauthorized");
    let invitations: i64 = sqlx::query_scalar("SELECT count(*) FROM invitations WHERE lower(email) = lower($1)")
        .bind(&email)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(invitations, 0);
    // The app plane still reads the session's revocation, so its access tokens stop working there.
    let revoked = control_schema::sessions::revoked_since(&app.state.db, None, 3600.0).await.unwrap();
    assert!(revoked.iter().any(|r| r.id == session), "{session} is not among the revoked sessions");
    let detached: Option<(Option<Uuid>, Option<String>)> =
        sqlx::query_as("SELECT user_id, user_agent FROM sessions WHERE id = $1")
            .bind(session)
            .fetch_optional(&app.state.db)
            .await
            .unwrap();
    assert_eq!(detached, Some((None, None)));

    // Nowhere in the audit trail, the erasure's own entry naming the id alone.
    let naming_them: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE details::text ILIKE '%' || $1 || '%'")
            .bind(&email)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(naming_them, 0);
    let origins: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor_user_id = $1 AND (ip IS NOT NULL OR user_agent IS NOT NULL)",
    )
    .bind(user)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(origins, 0, "where they acted from is forgotten");
    let acted: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE actor_user_id = $1")
        .bind(user)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(acted > 0, "their own entries (their logins) are kept, by id");
    let entry = erasure_entry(&app).await;
    assert_eq!(entry, json!({ "user_id": user, "role": "customer", "identity_erased": true }));
    let raw = entry.to_string();
    assert!(!raw.contains("Rosalind") && !raw.contains("Franklin"), "{raw}");

    await_mirror(&app, &org.slug, user, Some(("customer", false))).await;
    // Done already: app-api counts the 404 as done.
    app.delete_bearer(&erase_path(&org, user), &org.owner_token).await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn an_identity_in_two_tenants_keeps_the_other_one() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let org = active_org(&app).await;
    let other = active_org(&app).await;
    let email = unique_email("customer");
    let user = accept_as_new(&app, &invite(&app, &org, &email, "customer").await).await;
    let in_org = sign_in(&app, &org, &email).await;
    let second = invite(&app, &other, &email, "customer").await;
    let joined = app
        .post_bearer(&format!("/v1/invitations/{second}/accept"), in_org["access_token"].as_str().unwrap(), &json!({}))
        .await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    let in_other = sign_in(&app, &other, &email).await;

    let erased = app.delete_bearer(&erase_path(&org, user), &org.owner_token).await;
    assert_eq!(erased.status, 204, "{}", erased.body);

    assert_eq!(count(&app, "SELECT count(*) FROM users WHERE id = $1", user).await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM memberships WHERE user_id = $1", user).await, 1);
    assert_eq!(refresh(&app, &in_org).await, 401);
    assert_eq!(refresh(&app, &in_other).await, 200);
    app.login(Some(&org.slug), &email, PASSWORD).await.assert_problem(401, "unauthorized");
    assert_eq!(sign_in(&app, &other, &email).await["role"], "customer");
    assert_eq!(erasure_entry(&app).await, json!({ "user_id": user, "role": "customer", "identity_erased": false }));
    await_mirror(&app, &other.slug, user, Some(("customer", true))).await;
}

#[tokio::test]
async fn only_owners_and_admins_erase_and_the_query_is_strict() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let org = active_org(&app).await;
    let customer_email = unique_email("customer");
    let customer = accept_as_new(&app, &invite(&app, &org, &customer_email, "customer").await).await;
    let agent_email = unique_email("agent");
    accept_as_new(&app, &invite(&app, &org, &agent_email, "agent").await).await;
    let agent_token = sign_in(&app, &org, &agent_email).await["access_token"].as_str().unwrap().to_owned();

    app.delete_bearer(&erase_path(&org, customer), &agent_token).await.assert_problem(403, "forbidden");
    assert_eq!(count(&app, "SELECT count(*) FROM memberships WHERE user_id = $1", customer).await, 1);
    assert_eq!(sign_in(&app, &org, &customer_email).await["role"], "customer");

    app.delete_bearer(&erase_path(&org, Uuid::now_v7()), &org.owner_token).await.assert_problem(404, "not_found");
    let members = format!("/v1/tenants/{}/members/{customer}", org.slug);
    app.delete_bearer(&format!("{members}?erase=maybe"), &org.owner_token)
        .await
        .assert_problem(400, "validation_failed");
    app.delete_bearer(&format!("{members}?erase=true&force=true"), &org.owner_token)
        .await
        .assert_problem(400, "validation_failed");
    assert_eq!(count(&app, "SELECT count(*) FROM users WHERE id = $1", customer).await, 1);
    assert!(!app.audit_actions().await.contains(&"member_erased".to_owned()));
}
