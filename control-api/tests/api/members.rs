//! Invitations, registration, role changes and removal, and their mirror in the tenant
//! database.

use std::time::Duration;

use harness::{TestResponse, eventually};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{PASSWORD, TestApp, WithRedis, Worker, unique_email};

/// Waits (bounded) until the tenant database's mirror of `user` reads `expected`.
pub async fn await_mirror(app: &TestApp, slug: &str, user: Uuid, expected: Option<(&str, bool)>) {
    eventually(Duration::from_secs(15), &format!("the mirror of {user} reads {expected:?}"), || async move {
        let mut conn = app.connect_as_tenant(slug, None).await.unwrap();
        let mut tx = tenant_schema::begin(&mut conn, app.tenant_id(slug).await).await.unwrap();
        let row: Option<(String, bool)> = sqlx::query_as("SELECT role, active FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&mut *tx)
            .await
            .unwrap();
        (row.as_ref().map(|(r, a)| (r.as_str(), *a)) == expected).then_some(())
    })
    .await;
}

/// Accepts invitation `token` as a new identity with `password` and the names `[first, last]`.
pub async fn accept_as_newcomer(app: &TestApp, token: &str, password: &str, [first, last]: [&str; 2]) -> TestResponse {
    let newcomer = json!({ "password": password, "firstname": first, "lastname": last });
    app.server.post_json(&format!("/v1/invitations/{token}/accept"), &newcomer).await
}

pub struct Org {
    pub slug: String,
    pub owner_token: String,
}

pub async fn active_org(app: &TestApp) -> Org {
    let [(slug, owner)] = app.active_tenants().await;
    let owner_token =
        app.login(Some(&slug), &owner, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();
    Org { slug, owner_token }
}

pub async fn invite(app: &TestApp, org: &Org, email: &str, role: &str) -> String {
    let response = app
        .post_bearer(
            &format!("/v1/tenants/{}/invitations", org.slug),
            &org.owner_token,
            &json!({ "email": email, "role": role }),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    let body = response.json();
    assert!(body["expires_at"].is_string());
    body["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_new_user_accepts_an_invitation() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let org = active_org(&app).await;
    let email = unique_email("agent");
    let token = invite(&app, &org, &email, "agent").await;

    let weak = accept_as_newcomer(&app, &token, "short", ["A", "B"]).await;
    weak.assert_problem(422, "validation_failed");
    let joined = accept_as_newcomer(&app, &token, PASSWORD, ["Alan", "Turing"]).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    let joined = joined.json();
    assert_eq!(joined["role"], "agent");
    let user: Uuid = joined["user"]["id"].as_str().unwrap().parse().unwrap();
    await_mirror(&app, &org.slug, user, Some(("agent", true))).await;

    let login = app.login(Some(&org.slug), &email, PASSWORD).await;
    assert_eq!(login.json()["role"], "agent");
    let again = accept_as_newcomer(&app, &token, PASSWORD, ["A", "T"]).await;
    again.assert_problem(404, "not_found");
    accept_as_newcomer(&app, "forged-token", PASSWORD, ["A", "T"]).await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn an_existing_user_accepts_with_their_token() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let home = active_org(&app).await;
    let org = active_org(&app).await;
    // Someone already working for another tenant.
    let email = unique_email("consultant");
    let token = invite(&app, &home, &email, "agent").await;
    accept_as_newcomer(&app, &token, PASSWORD, ["C", "D"]).await;
    let their_token =
        app.login(Some(&home.slug), &email, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();

    let invitation = invite(&app, &org, &email, "admin").await;
    // Without a token, an existing account is told to sign in.
    let anonymous = accept_as_newcomer(&app, &invitation, PASSWORD, ["C", "D"]).await;
    anonymous.assert_problem(409, "conflict");
    // Somebody else's token does not take the invitation.
    app.post_bearer(&format!("/v1/invitations/{invitation}/accept"), &org.owner_token, &json!({}))
        .await
        .assert_problem(403, "forbidden");

    let joined = app.post_bearer(&format!("/v1/invitations/{invitation}/accept"), &their_token, &json!({})).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert_eq!(joined.json()["role"], "admin");
    assert_eq!(app.login(Some(&org.slug), &email, PASSWORD).await.json()["role"], "admin");
}

#[tokio::test]
async fn roles_change_and_members_leave() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let org = active_org(&app).await;
    let agent_email = unique_email("agent");
    let token = invite(&app, &org, &agent_email, "agent").await;
    let agent: Uuid = accept_as_newcomer(&app, &token, PASSWORD, ["E", "F"]).await.json()["user"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let owner: Uuid =
        app.get_bearer("/v1/auth/me", &org.owner_token).await.json()["user"]["id"].as_str().unwrap().parse().unwrap();
    let members = format!("/v1/tenants/{}/members", org.slug);

    let listed = app.get_bearer(&members, &org.owner_token).await.json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 2);

    let promoted = app.patch_bearer(&format!("{members}/{agent}"), &org.owner_token, &json!({ "role": "admin" })).await;
    assert_eq!(promoted.json()["role"], "admin");
    await_mirror(&app, &org.slug, agent, Some(("admin", true))).await;
    app.patch_bearer(&format!("{members}/{agent}"), &org.owner_token, &json!({ "role": "emperor" }))
        .await
        .assert_problem(422, "validation_failed");

    // An admin cannot touch the owner; the last owner cannot step down.
    let admin_token =
        app.login(Some(&org.slug), &agent_email, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();
    app.patch_bearer(&format!("{members}/{owner}"), &admin_token, &json!({ "role": "agent" }))
        .await
        .assert_problem(403, "forbidden");
    app.delete_bearer(&format!("{members}/{owner}"), &admin_token).await.assert_problem(403, "forbidden");
    app.patch_bearer(&format!("{members}/{owner}"), &org.owner_token, &json!({ "role": "admin" }))
        .await
        .assert_problem(409, "conflict");

    let removed = app.delete_bearer(&format!("{members}/{agent}"), &org.owner_token).await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    await_mirror(&app, &org.slug, agent, Some(("admin", false))).await;
    app.login(Some(&org.slug), &agent_email, PASSWORD).await.assert_problem(401, "unauthorized");
    app.delete_bearer(&format!("{members}/{agent}"), &org.owner_token).await.assert_problem(404, "not_found");

    let log = app.get_bearer(&format!("/v1/tenants/{}/audit-log", org.slug), &org.owner_token).await.json();
    let actions: Vec<&str> = log["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for expected in ["member_removed", "member_role_changed", "member_joined", "invitation_created"] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
}

#[tokio::test]
async fn customers_register_themselves() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let org = active_org(&app).await;
    let email = unique_email("customer");
    let body =
        json!({ "tenant": org.slug, "email": email, "password": PASSWORD, "firstname": "Marie", "lastname": "Curie" });
    let registered = app.server.post_json("/v1/auth/register", &body).await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    assert_eq!(registered.json()["role"], "customer");
    assert_eq!(registered.json()["tenant"]["slug"], org.slug.as_str());
    let login = app.login(Some(&org.slug), &email, PASSWORD).await;
    assert_eq!(login.json()["role"], "customer");
    let user: Uuid = login.json()["user"]["id"].as_str().unwrap().parse().unwrap();
    await_mirror(&app, &org.slug, user, Some(("customer", true))).await;

    // Registering again is harmless and answers the same.
    let again = app.server.post_json("/v1/auth/register", &body).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.json(), registered.json());
    let mut unknown = body.clone();
    unknown["tenant"] = json!("no-such-shop");
    app.server.post_json("/v1/auth/register", &unknown).await.assert_problem(404, "tenant_not_found");
    let mut extra = body;
    extra["role"] = json!("admin");
    app.server.post_json("/v1/auth/register", &extra).await.assert_problem(400, "validation_failed");
}

#[tokio::test]
async fn open_invitations_are_listed_and_revoked() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let org = active_org(&app).await;
    let other = active_org(&app).await;
    let (first, second) = (unique_email("agent"), unique_email("admin"));
    let first_token = invite(&app, &org, &first, "agent").await;
    invite(&app, &org, &second, "admin").await;
    invite(&app, &other, &unique_email("agent"), "agent").await;

    let path = format!("/v1/tenants/{}/invitations", org.slug);
    let page = app.get_bearer(&format!("{path}?limit=1"), &org.owner_token).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let page = page.json();
    assert_eq!(page["data"][0]["email"], first.as_str());
    assert_eq!(page["data"][0]["role"], "agent");
    assert_eq!(page["data"][0]["expired"], false);
    assert!(page["data"][0].get("token").is_none(), "a token is shown once, at creation");
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = app.get_bearer(&format!("{path}?limit=1&cursor={cursor}"), &org.owner_token).await.json();
    assert_eq!(rest["data"][0]["email"], second.as_str());
    assert_eq!(rest["next_cursor"], serde_json::Value::Null);
    let id = page["data"][0]["id"].as_str().unwrap().to_owned();

    // Another tenant's owner, a member and a bad id change nothing.
    app.delete_bearer(&format!("/v1/tenants/{}/invitations/{id}", other.slug), &other.owner_token)
        .await
        .assert_problem(404, "not_found");
    // Outsiders do not learn the tenant exists.
    app.delete_bearer(&format!("{path}/{id}"), &other.owner_token).await.assert_problem(404, "not_found");
    app.get_bearer(&path, &other.owner_token).await.assert_problem(404, "not_found");
    app.delete_bearer(&format!("{path}/not-a-uuid"), &org.owner_token).await.assert_problem(404, "not_found");

    let revoked = app.delete_bearer(&format!("{path}/{id}"), &org.owner_token).await;
    assert_eq!(revoked.status, 204, "{}", revoked.body);
    app.delete_bearer(&format!("{path}/{id}"), &org.owner_token).await.assert_problem(404, "not_found");
    // The link is dead, and the list shows only the other one.
    accept_as_newcomer(&app, &first_token, PASSWORD, ["A", "T"]).await.assert_problem(404, "not_found");
    let left = app.get_bearer(&path, &org.owner_token).await.json();
    assert_eq!(left["data"].as_array().unwrap().len(), 1);
    assert_eq!(left["data"][0]["email"], second.as_str());
    assert!(app.audit_actions().await.iter().any(|a| a == "invitation_revoked"));
}
