//! Who may act on a tenant, route by route: a stranger is told the tenant does not exist, a
//! member without the role that it is forbidden, the roles a route admits succeed, a token for
//! another tenant is refused as such, and a deleted tenant answers as it did before it went.

use harness::TestResponse;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{PASSWORD, TestApp, unique_email, unique_slug};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// An owner of another tenant, with that tenant's token.
    Stranger,
    Customer,
    Agent,
    Admin,
    Owner,
    /// A platform operator with a platform token.
    Operator,
}

use Who::{Admin, Agent, Customer, Operator, Owner, Stranger};

const MANAGERS: &[Who] = &[Admin, Owner, Operator];

/// A route of a tenant, and who it admits.
struct Route {
    method: Method,
    /// The path after `/v1/tenants/{slug}`.
    tail: String,
    body: Value,
    allowed: &'static [Who],
}

impl Route {
    fn new(method: Method, tail: impl Into<String>, body: Value, allowed: &'static [Who]) -> Self {
        Self { method, tail: tail.into(), body, allowed }
    }
}

/// A tenant with one caller of each kind, signed in.
struct Org {
    id: Uuid,
    slug: String,
    tokens: Vec<(Who, String)>,
}

impl Org {
    fn token(&self, who: Who) -> &str {
        &self.tokens.iter().find(|(w, _)| *w == who).expect("a caller of each kind").1
    }
}

fn access_of(login: &TestResponse) -> String {
    assert_eq!(login.status, 200, "{}", login.body);
    login.json()["access_token"].as_str().expect("tokens, not a challenge").to_owned()
}

/// A member who never signs in (the target of role changes and removals): no password to hash.
async fn bystander(app: &TestApp, tenant: Uuid, role: &str) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO users (id, email, password_hash, firstname, lastname) VALUES ($1, $2, 'x', 'B', 'Y')")
        .bind(id)
        .bind(unique_email("bystander"))
        .execute(&app.state.db)
        .await
        .unwrap();
    app.add_member(id, tenant, role).await;
    id
}

async fn org(app: &TestApp) -> Org {
    let slug = unique_slug();
    let id = app.create_tenant(&slug, "active").await;
    let mut tokens = Vec::new();
    for (who, role) in [(Customer, "customer"), (Agent, "agent"), (Admin, "admin"), (Owner, "owner")] {
        let email = unique_email(role);
        let user = app.create_user(&email).await;
        app.add_member(user, id, role).await;
        tokens.push((who, access_of(&app.login(Some(&slug), &email, PASSWORD).await)));
    }
    let elsewhere = unique_slug();
    let other = app.create_tenant(&elsewhere, "active").await;
    let email = unique_email("stranger");
    let user = app.create_user(&email).await;
    app.add_member(user, other, "owner").await;
    tokens.push((Stranger, access_of(&app.login(Some(&elsewhere), &email, PASSWORD).await)));
    tokens.push((Operator, app.platform_admin_token().await));
    Org { id, slug, tokens }
}

async fn send(app: &TestApp, org: &Org, route: &Route, token: &str) -> TestResponse {
    let path = format!("/v1/tenants/{}{}", org.slug, route.tail);
    let mut request = app.server.request(route.method.clone(), &path).bearer_auth(token);
    if !route.body.is_null() {
        request = request.json(&route.body);
    }
    TestResponse::from(request.send().await.expect("request sent")).await
}

/// The routes that leave the tenant as it was for the next caller, or change it in a way the
/// next one can repeat.
async fn repeatable_routes(app: &TestApp, org: &Org) -> Vec<Route> {
    let target = bystander(app, org.id, "agent").await;
    vec![
        Route::new(Method::GET, "", Value::Null, MANAGERS),
        Route::new(Method::PATCH, "", json!({ "name": "Renamed" }), MANAGERS),
        Route::new(Method::GET, "/audit-log", Value::Null, MANAGERS),
        Route::new(Method::GET, "/members", Value::Null, MANAGERS),
        Route::new(Method::PATCH, format!("/members/{target}"), json!({ "role": "customer" }), MANAGERS),
        Route::new(Method::GET, "/invitations", Value::Null, MANAGERS),
        Route::new(
            Method::POST,
            "/invitations",
            json!({ "email": unique_email("invitee"), "role": "agent" }),
            MANAGERS,
        ),
    ]
}

fn assert_refused(response: &TestResponse, who: Who, label: &str) {
    let (status, code) = if who == Stranger { (404, "not_found") } else { (403, "forbidden") };
    assert_eq!(response.status, status, "{label} as {who:?}: {}", response.body);
    response.assert_problem(status, code);
}

/// `route` sent by `who`: done when the route admits them, else refused.
async fn check_one(app: &TestApp, org: &Org, route: &Route, who: Who, token: &str) {
    let label = format!("{} {}", route.method, route.tail);
    let response = send(app, org, route, token).await;
    if route.allowed.contains(&who) {
        assert!(response.status.is_success(), "{label} as {who:?}: {} {}", response.status, response.body);
    } else {
        assert_refused(&response, who, &label);
    }
}

/// Each caller on `route`.
async fn check(app: &TestApp, org: &Org, route: &Route) {
    for (who, token) in &org.tokens {
        check_one(app, org, route, *who, token).await;
    }
}

#[tokio::test]
async fn every_tenant_route_admits_its_roles_and_refuses_the_rest() {
    let app = TestApp::spawn().await;
    let org = org(&app).await;
    for route in repeatable_routes(&app, &org).await {
        check(&app, &org, &route).await;
    }

    // Revoking an invitation and removing a member: a fresh one for each caller.
    for (who, token) in &org.tokens {
        let email = unique_email("invitee");
        let invited = app
            .post_bearer(
                &format!("/v1/tenants/{}/invitations", org.slug),
                org.token(Owner),
                &json!({ "email": email, "role": "customer" }),
            )
            .await;
        assert_eq!(invited.status, 201, "{}", invited.body);
        let id: Uuid = sqlx::query_scalar("SELECT id FROM invitations WHERE email = $1")
            .bind(&email)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        let revoke = Route::new(Method::DELETE, format!("/invitations/{id}"), Value::Null, MANAGERS);
        check_one(&app, &org, &revoke, *who, token).await;
        let target = bystander(&app, org.id, "customer").await;
        let remove = Route::new(Method::DELETE, format!("/members/{target}"), Value::Null, MANAGERS);
        check_one(&app, &org, &remove, *who, token).await;
    }

    // Suspending and reactivating: platform operators alone.
    let suspend = Route::new(Method::POST, "/suspend", json!({}), &[Operator]);
    let activate = Route::new(Method::POST, "/activate", json!({}), &[Operator]);
    for (who, token) in org.tokens.iter().filter(|(who, _)| *who != Operator) {
        assert_refused(&send(&app, &org, &suspend, token).await, *who, "suspend");
        assert_refused(&send(&app, &org, &activate, token).await, *who, "activate");
    }
    let operator = org.token(Operator);
    assert_eq!(send(&app, &org, &suspend, operator).await.json()["status"], "suspended");
    assert_eq!(send(&app, &org, &activate, operator).await.json()["status"], "active");

    // Deleting: owners and platform operators (an operator deletes another tenant).
    let delete = Route::new(Method::DELETE, "", Value::Null, &[Owner, Operator]);
    for (who, token) in org.tokens.iter().filter(|(who, _)| ![Owner, Operator].contains(who)) {
        assert_refused(&send(&app, &org, &delete, token).await, *who, "delete");
    }
    let deleted = send(&app, &org, &delete, org.token(Owner)).await;
    assert_eq!(deleted.status, 202, "{}", deleted.body);
    let spare = unique_slug();
    app.create_tenant(&spare, "active").await;
    let by_operator = app.delete_bearer(&format!("/v1/tenants/{spare}"), operator).await;
    assert_eq!((by_operator.status.as_u16(), by_operator.json()["status"].clone()), (202, json!("deleting")));
}

#[tokio::test]
async fn a_deleted_tenant_refuses_changes_and_still_reads() {
    let app = TestApp::spawn().await;
    let org = org(&app).await;
    let target = bystander(&app, org.id, "agent").await;
    let deleted = app.delete_bearer(&format!("/v1/tenants/{}", org.slug), org.token(Owner)).await;
    assert_eq!(deleted.status, 202, "{}", deleted.body);
    // The tenant's sessions ended with it: its owner and admins are signed out.
    app.get_bearer(&format!("/v1/tenants/{}", org.slug), org.token(Owner)).await.assert_problem(401, "unauthorized");

    let operator = org.token(Operator);
    let gone = [
        Route::new(Method::PATCH, "", json!({ "name": "Renamed" }), &[]),
        Route::new(Method::DELETE, "", Value::Null, &[]),
        Route::new(Method::PATCH, format!("/members/{target}"), json!({ "role": "customer" }), &[]),
        Route::new(Method::POST, "/invitations", json!({ "email": unique_email("late"), "role": "agent" }), &[]),
    ];
    for route in &gone {
        let response = send(&app, &org, route, operator).await;
        assert_eq!(response.status, 410, "{} {}: {}", route.method, route.tail, response.body);
        response.assert_problem(410, "tenant_deleted");
    }
    let reads = ["", "/audit-log", "/members", "/invitations"];
    for tail in reads {
        let response = app.get_bearer(&format!("/v1/tenants/{}{tail}", org.slug), operator).await;
        assert_eq!(response.status, 200, "GET {tail}: {}", response.body);
    }
    assert_eq!(app.get_bearer(&format!("/v1/tenants/{}", org.slug), operator).await.json()["status"], "deleting");
    app.post_bearer(&format!("/v1/tenants/{}/suspend", org.slug), operator, &json!({}))
        .await
        .assert_problem(409, "conflict");
    // Strangers still learn nothing, deleted or not.
    app.get_bearer(&format!("/v1/tenants/{}", org.slug), org.token(Stranger)).await.assert_problem(404, "not_found");
    let removed = app.delete_bearer(&format!("/v1/tenants/{}/members/{target}", org.slug), operator).await;
    assert_eq!(removed.status, 204, "{}", removed.body);
}

#[tokio::test]
async fn a_token_for_another_tenant_is_refused_on_every_route() {
    let app = TestApp::spawn().await;
    let org = org(&app).await;
    // An owner of this tenant signed in to another one.
    let elsewhere = unique_slug();
    let other = app.create_tenant(&elsewhere, "active").await;
    let email = unique_email("both");
    let user = app.create_user(&email).await;
    app.add_member(user, org.id, "owner").await;
    app.add_member(user, other, "owner").await;
    let foreign = access_of(&app.login(Some(&elsewhere), &email, PASSWORD).await);
    let mut routes = repeatable_routes(&app, &org).await;
    let invitation = Uuid::now_v7();
    let member = bystander(&app, org.id, "customer").await;
    routes.extend([
        Route::new(Method::DELETE, format!("/invitations/{invitation}"), Value::Null, MANAGERS),
        Route::new(Method::DELETE, format!("/members/{member}"), Value::Null, MANAGERS),
        Route::new(Method::POST, "/suspend", json!({}), &[Operator]),
        Route::new(Method::POST, "/activate", json!({}), &[Operator]),
        Route::new(Method::DELETE, "", Value::Null, &[Owner, Operator]),
    ]);
    for route in &routes {
        let response = send(&app, &org, route, &foreign).await;
        assert_eq!(response.status, 403, "{} {}: {}", route.method, route.tail, response.body);
        response.assert_problem(403, "tenant_mismatch");
    }
    let status: String = sqlx::query_scalar("SELECT status FROM tenants WHERE id = $1")
        .bind(org.id)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(status, "active");
}

#[tokio::test]
async fn only_platform_operators_list_tenants_and_an_unknown_status_names_the_parameter() {
    let app = TestApp::spawn().await;
    let org = org(&app).await;
    let operator = org.token(Operator);
    let page = app.get_bearer("/v1/tenants", operator).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.json()["data"].as_array().unwrap().iter().any(|t| t["slug"] == org.slug.as_str()));
    for (who, token) in org.tokens.iter().filter(|(who, _)| *who != Operator) {
        let refused = app.get_bearer("/v1/tenants", token).await;
        assert_eq!(refused.status, 403, "{who:?}: {}", refused.body);
        refused.assert_problem(403, "forbidden");
    }
    // An operator who is also a member, signed in to the tenant, acts as that member here.
    let email = unique_email("ops-owner");
    let user = app.create_platform_admin(&email).await;
    app.add_member(user, org.id, "owner").await;
    let scoped = access_of(&app.login(Some(&org.slug), &email, PASSWORD).await);
    app.get_bearer("/v1/tenants", &scoped).await.assert_problem(403, "forbidden");

    let bogus = app.get_bearer("/v1/tenants?status=bogus", operator).await.assert_problem(400, "validation_failed");
    assert_eq!(bogus["errors"][0]["field"], "status", "{bogus}");
    assert!(bogus["errors"][0]["message"].as_str().unwrap().contains("active"), "{bogus}");
    // Checked after who is asking: nobody else learns which values exist.
    app.get_bearer("/v1/tenants?status=bogus", org.token(Owner)).await.assert_problem(403, "forbidden");
}
