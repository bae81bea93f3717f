//! Malformed and out-of-bounds requests on the ticket endpoints: unreadable bodies are 400,
//! readable ones that break a rule are 422, oversized bodies 413, and none of them writes
//! anything. Tickets of another tenant do not exist here, whatever their id.

use reqwest::Method;
use reqwest::Method as M;
use serde_json::{Value, json};

use super::{Desk, id};
use crate::helpers::Person;

struct Case<'a> {
    who: &'a Person,
    method: Method,
    path: String,
    body: Value,
    status: u16,
    /// The field a 422 names, when one is expected.
    field: Option<&'a str>,
}

fn case<'a>(who: &'a Person, method: Method, path: &str, body: Value, status: u16) -> Case<'a> {
    Case { who, method, path: path.to_owned(), body, status, field: None }
}

fn field<'a>(who: &'a Person, method: Method, path: &str, body: Value, name: &'a str) -> Case<'a> {
    Case { who, method, path: path.to_owned(), body, status: 422, field: Some(name) }
}

#[tokio::test]
async fn malformed_requests_are_refused_and_change_nothing() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let t = id(&desk.create(&customer, json!({ "subject": "Cold soup", "description": "Delivered cold" })).await);
    desk.assign(&agent, t, Some(&agent)).await;
    let counts = desk.counts().await;
    let ticket_before = desk.ticket(&desk.owner, t).await;

    let (tickets, one) = ("/v1/tickets".to_owned(), format!("/v1/tickets/{t}"));
    let (messages, status, assign) = (format!("{one}/messages"), format!("{one}/status"), format!("{one}/assign"));
    let long = |n: usize| "a".repeat(n);
    let big_metadata = json!({ "notes": long(17 * 1024) });
    let ok = |extra: Value| {
        let mut body = json!({ "subject": "Fine", "description": "Fine" });
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        // Unreadable: unknown fields, wrong types, wrong enum values.
        case(&customer, M::POST, &tickets, ok(json!({ "colour": "red" })), 400),
        case(&customer, M::POST, &tickets, ok(json!({ "subject": 42 })), 400),
        case(&customer, M::POST, &tickets, ok(json!({ "order_id": "abc" })), 400),
        case(&agent, M::POST, &tickets, ok(json!({ "priority": "critical", "user_id": customer.id })), 400),
        case(&agent, M::POST, &tickets, ok(json!({ "user_id": "someone" })), 400),
        case(&customer, M::POST, &messages, json!({ "message": "x", "attachments": [] }), 400),
        case(&customer, M::POST, &messages, json!({ "message": "x", "is_internal": "no" }), 400),
        case(&agent, M::POST, &status, json!({ "status": "done" }), 400),
        case(&agent, M::POST, &status, json!({ "status": "resolved", "why": "fixed" }), 400),
        case(&agent, M::POST, &assign, json!({ "assigned_to": "not-a-uuid" }), 400),
        case(&agent, M::POST, &assign, json!({ "assigned_to": 7 }), 400),
        // An array is not an object, even one listing the fields in order.
        case(&agent, M::POST, &assign, json!([null]), 400),
        case(&customer, M::POST, &tickets, json!(["Fine", "Fine"]), 400),
        case(&agent, M::PATCH, &one, json!({ "priority": "critical" }), 400),
        case(&agent, M::PATCH, &one, json!({ "status": "closed" }), 400),
        // Readable, against the rules.
        field(&customer, M::POST, &tickets, ok(json!({ "subject": "   " })), "subject"),
        field(&customer, M::POST, &tickets, ok(json!({ "subject": long(256) })), "subject"),
        field(&customer, M::POST, &tickets, ok(json!({ "description": long(20_001) })), "description"),
        field(&customer, M::POST, &tickets, ok(json!({ "category": "Not A Slug!" })), "category"),
        field(&customer, M::POST, &tickets, ok(json!({ "category": long(65) })), "category"),
        field(&customer, M::POST, &tickets, ok(json!({ "order_id": 0 })), "order_id"),
        field(&customer, M::POST, &tickets, ok(json!({ "metadata": big_metadata.clone() })), "metadata"),
        field(&customer, M::POST, &messages, json!({ "message": long(20_001) }), "message"),
        field(&customer, M::POST, &messages, json!({ "message": "" }), "message"),
        // Nothing left once sanitised.
        field(&customer, M::POST, &messages, json!({ "message": "<script>alert(1)</script>" }), "message"),
        field(&agent, M::POST, &status, json!({ "status": "waiting_customer", "reason": long(1001) }), "reason"),
        field(&agent, M::PATCH, &one, json!({ "subject": long(256) }), "subject"),
        field(&agent, M::PATCH, &one, json!({ "metadata": big_metadata }), "metadata"),
        case(&agent, M::PATCH, &one, json!({}), 422),
        // Text PostgreSQL cannot store: the NUL character, wherever it is.
        field(&customer, M::POST, &tickets, ok(json!({ "metadata": { "a": "a\u{0}b" } })), "metadata.a"),
        field(&customer, M::POST, &tickets, ok(json!({ "subject": "\u{0}" })), "subject"),
        field(&agent, M::PATCH, &one, json!({ "metadata": { "list": ["x", "\u{0}"] } }), "metadata.list[1]"),
        field(&agent, M::POST, &status, json!({ "status": "waiting_customer", "reason": "a\u{0}" }), "reason"),
        field(&customer, M::POST, &messages, json!({ "message": "hello\u{0}" }), "message"),
        // Not for this role.
        case(&customer, M::POST, &messages, json!({ "message": "psst", "is_internal": true }), 403),
        case(&customer, M::PATCH, &one, json!({ "subject": "Hot soup" }), 403),
    ];
    for case in cases {
        let response =
            desk.app.send(case.method.clone(), &desk.org.slug, &case.path, &case.who.token, Some(&case.body)).await;
        let what = format!(
            "{} {} {} by {}",
            case.method,
            case.path,
            case.body.to_string().chars().take(120).collect::<String>(),
            case.who.role
        );
        let code = match case.status {
            400 | 422 => "validation_failed",
            _ => "forbidden",
        };
        assert_eq!(response.status.as_u16(), case.status, "{what}: {}", response.body);
        let problem = response.assert_problem(case.status, code);
        if let Some(name) = case.field {
            let fields: Vec<&str> =
                problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
            assert!(fields.contains(&name), "{what}: expected an error on {name}, got {problem}");
        }
        assert_eq!(desk.counts().await, counts, "{what} wrote something");
    }

    // Bodies that are not JSON, or too big to read.
    let raw = desk.send_raw(&customer, Method::POST, "/v1/tickets", b"{\"subject\": ".to_vec()).await;
    raw.assert_problem(400, "validation_failed");
    let huge = serde_json::to_vec(&json!({ "subject": "Huge", "description": long(1024 * 1024 + 10) })).unwrap();
    desk.send_raw(&customer, Method::POST, "/v1/tickets", huge).await.assert_problem(413, "payload_too_large");

    // Ids that are not ticket ids.
    desk.get(&agent, "/v1/tickets/abc").await.assert_problem(400, "validation_failed");
    desk.get(&agent, "/v1/tickets/1.5/messages").await.assert_problem(400, "validation_failed");
    desk.get(&agent, "/v1/tickets/99999999999999999999999").await.assert_problem(400, "validation_failed");
    desk.post(&agent, "/v1/tickets/abc/status", &json!({ "status": "resolved" }))
        .await
        .assert_problem(400, "validation_failed");
    desk.get(&agent, "/v1/tickets/987654321").await.assert_problem(404, "not_found");
    desk.post(&agent, "/v1/tickets/987654321/messages", &json!({ "message": "x" }))
        .await
        .assert_problem(404, "not_found");

    assert_eq!(desk.counts().await, counts);
    assert_eq!(desk.ticket(&desk.owner, t).await, ticket_before);

    // The bounds themselves are fine, counted in characters, not bytes.
    let mark = desk.mark().await;
    let edge = desk
        .create(&customer, json!({ "subject": "é".repeat(255), "description": long(20_000), "category": "a-b_c9" }))
        .await;
    assert_eq!(edge["subject"].as_str().unwrap().chars().count(), 255);
    desk.say(&customer, t, &long(20_000), false).await;
    let written = desk.since(&mark).await;
    assert_eq!(written.keys(), ["sav.ticket.created", "sav.ticket.message_added"]);
}

/// Numbers at the edges of what JSON carries are stored in metadata and read back as they were:
/// PostgreSQL writes a jsonb number out in full (f64::MAX as 309 digits), which the reader must
/// take back exactly, not as an overflow that would leave the ticket unreadable (500s on every
/// route that reads it).
#[tokio::test]
async fn metadata_numbers_read_back_as_written() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let metadata = json!({
        "largest": f64::MAX, "lowest": f64::MIN, "tiniest": 5e-324, "big": u64::MAX, "small": i64::MIN, "tenth": 0.1,
    });
    let created =
        desk.create(&customer, json!({ "subject": "Edges", "description": "Numbers", "metadata": metadata })).await;
    let t = id(&created);
    assert_eq!(created["metadata"], metadata);
    assert_eq!(desk.ticket(&desk.owner, t).await["metadata"], metadata);
    assert_eq!(desk.list(&desk.owner, &[]).await, [t]);
    let history = desk.get(&desk.owner, &format!("/v1/tickets/{t}/history")).await;
    assert_eq!(history.status, 200, "{}", history.body);
}

#[tokio::test]
async fn another_tenants_tickets_do_not_exist_here() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let ours = id(&desk.create(&customer, json!({ "subject": "Ours", "description": "Here" })).await);

    let other = desk.platform.org().await;
    let theirs_customer = desk.platform.member(&desk.app, &other, "customer").await;
    // Ids are per tenant database: take one of theirs that does not exist here.
    let mut theirs = 0;
    while theirs <= ours {
        let created = desk
            .app
            .post(
                &other.slug,
                "/v1/tickets",
                &theirs_customer.token,
                &json!({ "subject": "Theirs", "description": "There" }),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        theirs = id(&created.json());
    }
    let other_db = desk.platform.tenant_db(&other.slug).await;
    let (counts, their_count) = (desk.counts().await, other_db.count("support_tickets").await);

    let owner = desk.owner.clone();
    let base = format!("/v1/tickets/{theirs}");
    desk.get(&owner, &base).await.assert_problem(404, "not_found");
    desk.get(&owner, &format!("{base}/messages")).await.assert_problem(404, "not_found");
    desk.get(&owner, &format!("{base}/history")).await.assert_problem(404, "not_found");
    desk.post(&owner, &format!("{base}/messages"), &json!({ "message": "x" })).await.assert_problem(404, "not_found");
    desk.post(&owner, &format!("{base}/assign"), &json!({ "assigned_to": owner.id }))
        .await
        .assert_problem(404, "not_found");
    desk.post(&owner, &format!("{base}/status"), &json!({ "status": "closed" })).await.assert_problem(404, "not_found");
    desk.patch(&owner, &base, &json!({ "subject": "Mine" })).await.assert_problem(404, "not_found");
    assert_eq!(desk.list(&owner, &[]).await, [ours]);

    // Their token here is refused before anything is read.
    let slug = desk.org.slug.as_str();
    desk.app.get(slug, &base, Some(&theirs_customer.token)).await.assert_problem(403, "tenant_mismatch");
    desk.app.get(slug, "/v1/tickets", Some(&other.owner_token)).await.assert_problem(403, "tenant_mismatch");
    desk.app
        .post(slug, "/v1/tickets", &theirs_customer.token, &json!({ "subject": "x", "description": "y" }))
        .await
        .assert_problem(403, "tenant_mismatch");

    assert_eq!(desk.counts().await, counts);
    assert_eq!(other_db.count("support_tickets").await, their_count);
}

/// The NUL character in a query string is refused before any handler, naming the parameter.
#[tokio::test]
async fn a_nul_character_in_a_query_string_is_refused() {
    let desk = Desk::open().await;
    let agent = desk.member("agent").await;
    for (query, parameter) in [("q=%00", "q"), ("category=a%00b", "category"), ("status=open&q=x%00y", "q")] {
        let listed = desk.get(&agent, &format!("/v1/tickets?{query}")).await;
        let problem = listed.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], parameter, "{query}: {problem}");
    }
}

/// Every route the OpenAPI document says is for owners and admins (or for staff) refuses a caller
/// of the wrong role with 403 before it reads anything they sent: unreadable ids in the path, an
/// unknown query parameter and a broken body change nothing of the answer.
#[tokio::test]
async fn a_refused_role_is_answered_403_before_the_input_is_read_on_every_route() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    let doc = desk.app.server.get("/openapi.json").await.json();
    let (mut swept, mut answered) = (0, Vec::new());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let forbidden = operation["responses"]["403"]["description"].as_str().unwrap_or_default();
            let refused = if forbidden.starts_with("`forbidden`: staff only") {
                &customer
            } else if forbidden.starts_with("`forbidden`: owners and admins only") {
                &agent
            } else {
                continue;
            };
            let garbled: String = path
                .split('/')
                .map(|part| if part.starts_with('{') { "not-an-id" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            let method = M::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let sent = desk
                .send_raw(refused, method.clone(), &format!("{garbled}?nonsense=1"), b"{\"broken\": [".to_vec())
                .await;
            if sent.status != 403 || sent.json()["code"] != "forbidden" {
                answered.push(format!("{method} {path} as {}: {} {}", refused.role, sent.status, sent.body));
            }
            swept += 1;
        }
    }
    assert!(answered.is_empty(), "answered before the role was checked:\n{}", answered.join("\n"));
    assert!(swept > 60, "only {swept} routes swept");
}
