//! API keys: made by admins and shown once, stored as a keyed digest only, scoped on every
//! route, acting as an integration the history names, limited on their own, refused once revoked
//! or expired (on every replica), and refused by the control plane.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::eventually;
use reqwest::Method;
use serde_json::{Value, json};

use super::make_key;
use crate::helpers::{Person, Platform};
use crate::tickets::{Desk, id};

/// Log lines, as the service writes them, kept for a test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_key_is_shown_once_kept_as_a_digest_and_acts_as_an_integration() {
    // Everything the service logs while the key is made and used, at its most verbose.
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("app_api=trace,shared=trace,tower_http=trace,sqlx=trace"))
        .json()
        .with_writer(move || writer.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);

    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let agent = desk.member("agent").await;
    let (key, made) = make_key(&desk, &["tickets:read", "tickets:write"]).await;
    let text = key.token.clone();
    assert!(text.starts_with("hdk_") && text.len() == 84, "{text}");
    assert!(text.starts_with(made["prefix"].as_str().unwrap()));
    assert_eq!(made["scopes"], json!(["tickets:read", "tickets:write"]));
    assert_eq!(made["last_used_at"], Value::Null);

    // Listed without its text.
    let listed = desk.get(&desk.owner, "/v1/api-keys").await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(!listed.body.contains(&text[4..]), "the list shows the key: {}", listed.body);
    assert_eq!(listed.json()["data"][0]["id"], made["id"]);

    // The key works like a token, as the integration.
    let ticket = desk
        .create(
            &key,
            json!({"subject": "Order #88 arrived broken", "description": "From the shop", "user_id": customer.id}),
        )
        .await;
    let ticket_id = id(&ticket);
    assert_eq!(ticket["user_id"], json!(customer.id), "opened for the customer it names");
    let without_customer = desk.post(&key, "/v1/tickets", &json!({"subject": "No one's", "description": "Who?"})).await;
    without_customer.assert_problem(422, "validation_failed");
    let message = desk.say(&key, ticket_id, "We are sending a new one.", false).await;
    assert_eq!(message["sender_id"], json!(key.id));
    desk.set_status(&key, ticket_id, "in_progress").await;
    let read = desk.ticket(&customer, ticket_id).await;
    assert_eq!(read["status"], "in_progress");

    // The history names it, as an integration, by its name.
    let history = desk.get(&desk.owner, &format!("/v1/tickets/{ticket_id}/history")).await;
    assert_eq!(history.status, 200, "{}", history.body);
    let entries = history.json()["data"].as_array().unwrap().clone();
    let by_key: Vec<&Value> = entries.iter().filter(|e| e["actor"]["id"] == json!(key.id)).collect();
    assert!(by_key.len() >= 2, "{entries:?}");
    for entry in by_key {
        assert_eq!(entry["actor"]["type"], "integration", "{entry}");
        assert_eq!(entry["actor"]["name"], "Shop sync", "{entry}");
    }
    desk.assign(&desk.owner, ticket_id, Some(&agent)).await;
    let history = desk.get(&desk.owner, &format!("/v1/tickets/{ticket_id}/history")).await.json();
    let last = history["data"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["actor"]["type"].as_str(), last["actor"]["id"].clone()), (Some("user"), json!(desk.owner.id)));

    // It is not a person: no assignment to it, no staff list entry, no admin route.
    desk.post(&desk.owner, &format!("/v1/tickets/{ticket_id}/assign"), &json!({"assigned_to": key.id}))
        .await
        .assert_problem(422, "validation_failed");
    for list in ["/v1/staff", "/v1/agents/workload"] {
        let listed = desk.get(&desk.owner, list).await;
        assert_eq!(listed.status, 200, "{list}: {}", listed.body);
        assert!(listed.body.contains(&agent.id.to_string()), "{list}: {}", listed.body);
        assert!(!listed.body.contains(&key.id.to_string()), "{list} names the key: {}", listed.body);
    }
    desk.get(&key, "/v1/api-keys").await.assert_problem(403, "insufficient_scope");
    let used = desk.get(&desk.owner, "/v1/api-keys").await.json();
    assert!(used["data"][0]["last_used_at"].is_string(), "{used}");

    // Agents and customers do not manage keys.
    for who in [&agent, &customer] {
        desk.post(who, "/v1/api-keys", &json!({"name": "mine", "scopes": ["tickets:read"]}))
            .await
            .assert_problem(403, "forbidden");
    }

    // Neither the database nor the logs hold the key or its secret part.
    let secret = &text[4 + 32..];
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(&desk.db.pool)
    .await
    .unwrap();
    assert!(tables.contains(&"api_keys".to_owned()));
    for table in &tables {
        let found: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM \"{table}\" t WHERE t::text LIKE '%' || $1 || '%' OR t::text LIKE '%' || $2 || '%'"
        ))
        .bind(secret)
        .bind(hex::encode(secret.as_bytes()))
        .fetch_one(&desk.db.pool)
        .await
        .unwrap();
        assert_eq!(found, 0, "the table {table} holds the key's secret");
    }
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(logged.len() > 1000, "the logs were captured: {} bytes", logged.len());
    assert!(!logged.contains(secret), "the logs hold the key's secret");
}

/// The tenant-plane routes of the OpenAPI document: `(method, path)`, with their security.
async fn tenant_routes(desk: &Desk) -> Vec<(Method, String)> {
    let doc = desk.app.get(&desk.org.slug, "/openapi.json", None).await.json();
    let mut routes = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else { continue };
            if operation.get("security").is_some_and(|s| !s.as_array().unwrap().is_empty()) {
                routes.push((method, path.clone()));
            }
        }
    }
    routes
}

/// Calls a route with `key`: with `1` for every path parameter and an empty JSON body.
async fn call(desk: &Desk, key: &Person, method: &Method, path: &str) -> harness::TestResponse {
    let concrete: String =
        path.split('/').map(|part| if part.starts_with('{') { "1" } else { part }).collect::<Vec<_>>().join("/");
    let body = (*method != Method::GET).then(|| json!({}));
    desk.app.send(method.clone(), &desk.org.slug, &concrete, &key.token, body.as_ref()).await
}

fn refused_for_scope(response: &harness::TestResponse) -> bool {
    response.status == 403 && response.body.contains("insufficient_scope")
}

#[tokio::test]
async fn every_route_takes_a_key_only_with_its_scope() {
    let desk = Desk::open().await;
    let routes = tenant_routes(&desk).await;
    assert!(routes.len() > 30, "{routes:?}");
    let all = ["tickets:read", "tickets:write", "inbound:email"];
    let (every_scope, _) = make_key(&desk, &all).await;
    let mut opened = 0;
    for (method, path) in &routes {
        let needs = app_api::integrations::keys::scope_of(method, path);
        let admin_only = ["/v1/api-keys", "/v1/webhooks", "/v1/users", "/v1/sla/policy", "/v1/me", "/v1/stream"]
            .iter()
            .any(|prefix| path.starts_with(prefix) && !(path == "/v1/sla/policy" && *method == Method::GET));
        if admin_only {
            assert_eq!(needs, None, "{method} {path} must refuse keys");
        }
        let Some(needs) = needs else {
            let response = call(&desk, &every_scope, method, path).await;
            assert!(
                refused_for_scope(&response),
                "{method} {path} lets a key in: {} {}",
                response.status,
                response.body
            );
            continue;
        };
        opened += 1;
        // A key with every other scope is refused; one with this scope alone passes the gate.
        let others: Vec<&str> = all.iter().copied().filter(|s| *s != needs.as_str()).collect();
        let (without, _) = make_key(&desk, &others).await;
        let refused = call(&desk, &without, method, path).await;
        assert!(
            refused_for_scope(&refused),
            "{method} {path} without {}: {} {}",
            needs.as_str(),
            refused.status,
            refused.body
        );
        let (with, _) = make_key(&desk, &[needs.as_str()]).await;
        let let_in = call(&desk, &with, method, path).await;
        assert!(
            !refused_for_scope(&let_in) && let_in.status != 401,
            "{method} {path} with {}: {} {}",
            needs.as_str(),
            let_in.status,
            let_in.body
        );
        // Keys made above are revoked so the tenant stays under its limit.
        for key in [without, with] {
            assert_eq!(
                desk.app
                    .send(Method::DELETE, &desk.org.slug, &format!("/v1/api-keys/{}", key.id), &desk.owner.token, None)
                    .await
                    .status,
                204
            );
        }
    }
    assert!(opened >= 12, "{opened} routes take keys");
    // A refused write changes nothing.
    let customer = desk.member("customer").await;
    let (reader, _) = make_key(&desk, &["tickets:read"]).await;
    let before = desk.db.scalar("SELECT count(*) FROM support_tickets").await;
    let refused =
        desk.post(&reader, "/v1/tickets", &json!({"subject": "s", "description": "d", "user_id": customer.id})).await;
    refused.assert_problem(403, "insufficient_scope");
    assert_eq!(desk.db.scalar("SELECT count(*) FROM support_tickets").await, before);
}

#[tokio::test]
async fn forged_expired_foreign_and_revoked_keys_are_refused() {
    let platform = Platform::start(true).await;
    let (first, second) = (platform.replica().await, platform.replica().await);
    let (org, other_org) = (platform.org().await, platform.org().await);
    let owner = platform.owner(&first, &org).await;
    let other_owner = platform.owner(&first, &other_org).await;
    let make = |slug: String, token: String, body: Value| {
        let first = &first;
        async move {
            let made = first.post(&slug, "/v1/api-keys", &token, &body).await;
            assert_eq!(made.status, 201, "{}", made.body);
            made.json()["key"].as_str().unwrap().to_owned()
        }
    };
    let key = make(org.slug.clone(), owner.token.clone(), json!({"name": "crm", "scopes": ["tickets:read"]})).await;
    let foreign =
        make(other_org.slug.clone(), other_owner.token.clone(), json!({"name": "crm", "scopes": ["tickets:read"]}))
            .await;
    assert_eq!(first.get(&org.slug, "/v1/tickets", Some(&key)).await.status, 200);

    // Another organisation's key, a changed secret, a made-up one, a malformed one.
    let mut forged = key.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    for bad in [
        foreign.as_str(),
        forged.as_str(),
        "hdk_00000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "hdk_nope",
    ] {
        first.get(&org.slug, "/v1/tickets", Some(bad)).await.assert_problem(401, "unauthorized");
    }
    // The control plane does not take keys.
    let control = platform.control_server().request(Method::GET, "/v1/auth/me").bearer_auth(&key).send().await.unwrap();
    assert_eq!(control.status(), 401);

    // Expired: refused, and said so.
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let expiring = make(
        org.slug.clone(),
        owner.token.clone(),
        json!({"name": "short", "scopes": ["tickets:read"], "expires_at": soon}),
    )
    .await;
    assert_eq!(first.get(&org.slug, "/v1/tickets", Some(&expiring)).await.status, 200);
    let (app, slug, token) = (&first, org.slug.as_str(), expiring.as_str());
    let expired = eventually(Duration::from_secs(10), "the expired key is refused", || async move {
        let response = app.get(slug, "/v1/tickets", Some(token)).await;
        (response.status == 401).then_some(response)
    })
    .await;
    assert!(expired.body.contains("expired"), "{}", expired.body);
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    first
        .post(
            &org.slug,
            "/v1/api-keys",
            &owner.token,
            &json!({"name": "x", "scopes": ["tickets:read"], "expires_at": past}),
        )
        .await
        .assert_problem(422, "validation_failed");

    // Revoked on the first replica while the second trusts it: refused there within 2 s.
    assert_eq!(second.get(&org.slug, "/v1/tickets", Some(&key)).await.status, 200, "verified and kept");
    let id = {
        let listed = first.get(&org.slug, "/v1/api-keys", Some(&owner.token)).await.json();
        listed["data"].as_array().unwrap().iter().find(|k| k["name"] == "crm").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let revoked_at = Instant::now();
    let revoked = first.send(Method::DELETE, &org.slug, &format!("/v1/api-keys/{id}"), &owner.token, None).await;
    assert_eq!(revoked.status, 204, "{}", revoked.body);
    let (app, slug, token) = (&second, org.slug.as_str(), key.as_str());
    eventually(Duration::from_secs(2), "the revoked key is refused on the other replica", || async move {
        (app.get(slug, "/v1/tickets", Some(token)).await.status == 401).then_some(())
    })
    .await;
    let took = revoked_at.elapsed();
    assert!(took < Duration::from_secs(2), "{took:?}");
    first.get(&org.slug, "/v1/tickets", Some(&key)).await.assert_problem(401, "unauthorized");
    let again = first.send(Method::DELETE, &org.slug, &format!("/v1/api-keys/{id}"), &owner.token, None).await;
    assert_eq!(again.status, 204, "revoking twice is harmless");
    let unknown = first
        .send(Method::DELETE, &org.slug, &format!("/v1/api-keys/{}", uuid::Uuid::new_v4()), &owner.token, None)
        .await;
    unknown.assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_key_has_its_own_rate_limit_and_bad_input_is_refused() {
    let desk = Desk::open_with(|c| c.integrations.key_rate_per_minute = 3).await;
    let (key, _) = make_key(&desk, &["tickets:read"]).await;
    for _ in 0..3 {
        assert_eq!(desk.get(&key, "/v1/tickets").await.status, 200);
    }
    let limited = desk.get(&key, "/v1/tickets").await;
    limited.assert_problem(429, "rate_limited");
    assert!(limited.header("retry-after").is_some());
    assert_eq!(desk.get(&desk.owner, "/v1/tickets").await.status, 200, "the people's budgets are apart");

    for (body, code) in [
        (json!({"name": "x", "scopes": ["tickets:delete"]}), 400),
        (json!({"name": "x", "scopes": []}), 422),
        (json!({"name": "", "scopes": ["tickets:read"]}), 422),
        (json!({"name": "x".repeat(101), "scopes": ["tickets:read"]}), 422),
        (json!({"name": "x", "scopes": "tickets:read"}), 400),
        (json!({"name": "x", "scopes": ["tickets:read"], "admin": true}), 400),
        (json!({"name": "x", "scopes": ["tickets:read"], "expires_at": "tomorrow"}), 400),
    ] {
        let refused = desk.post(&desk.owner, "/v1/api-keys", &body).await;
        refused.assert_problem(code, "validation_failed");
    }
    let huge = vec![b'a'; 2 * 1024 * 1024];
    let refused = desk.send_raw(&desk.owner, Method::POST, "/v1/api-keys", huge).await;
    assert!(refused.status == 413 || refused.status == 400, "{}", refused.status);
    assert_eq!(desk.db.scalar("SELECT count(*) FROM api_keys").await, 1, "nothing else was made");
}
