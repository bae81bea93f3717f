//! Agents' tools end to end: macros applied in one transaction through the one write path (all
//! their changes or none, placeholders filled as text), satisfaction ratings (once per
//! resolution, only by the ticket's customer, from the portal or the mail's signed link) and
//! their report, and the customer panel beside a thread.

use harness::TestResponse;
use reqwest::Method;
use serde_json::{Value, json};

use crate::tickets::{Desk, id};

/// `POST /v1/macros` as the owner, which must succeed; the macro.
async fn make_macro(desk: &Desk, body: Value) -> Value {
    let made = desk.post(&desk.owner, "/v1/macros", &body).await;
    assert_eq!(made.status, 201, "{body}: {}", made.body);
    made.json()
}

async fn apply(desk: &Desk, who: &crate::helpers::Person, ticket: i64, chosen: &Value) -> TestResponse {
    desk.post(who, &format!("/v1/tickets/{ticket}/macros/{}", id(chosen)), &json!({})).await
}

#[tokio::test]
async fn a_macro_replies_moves_prioritises_and_assigns_in_one_go() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    // What fills the placeholders is text: a hostile first name stays text.
    desk.db
        .execute(&format!("UPDATE users SET firstname = '<script>alert(1)</script>' WHERE id = '{}'", customer.id))
        .await;
    desk.db.execute(&format!("UPDATE users SET firstname = 'Sam' WHERE id = '{}'", agent.id)).await;
    let chosen = make_macro(
        &desk,
        json!({
            "name": "Ask for a photo",
            "body": "Hello {{customer.firstname}},\n\nCould you send a photo? We keep {{ ticket.number }} open.\n<b>{{agent.firstname}}</b>",
            "status": "waiting_customer",
            "priority": "high",
            "assign_to": "me",
        }),
    )
    .await;
    assert_eq!(chosen["assign_to"], "me");
    assert_eq!(chosen["is_internal"], false);
    let ticket = desk.create(&customer, json!({"subject": "Cracked screen", "description": "On arrival."})).await;
    let (t, number) = (id(&ticket), ticket["ticket_number"].as_str().unwrap().to_owned());
    assert_eq!((ticket["status"].as_str(), ticket["priority"].as_str()), (Some("open"), Some("medium")));

    let mark = desk.mark().await;
    let applied = apply(&desk, &agent, t, &chosen).await;
    assert_eq!(applied.status, 200, "{}", applied.body);
    let applied = applied.json();
    let text = applied["message"]["message"].as_str().unwrap();
    assert_eq!(
        text,
        format!(
            "<p>Hello &lt;script&gt;alert(1)&lt;/script&gt;,</p><p>Could you send a photo? We keep {number} open.<br>&lt;b&gt;Sam&lt;/b&gt;</p>"
        )
    );
    assert_eq!(applied["message"]["is_internal"], false);
    assert_eq!(applied["message"]["sender_id"], agent.id.to_string());
    let now = desk.ticket(&agent, t).await;
    assert_eq!(now["status"], "waiting_customer");
    assert_eq!(now["priority"], "high");
    assert_eq!(now["assigned_to"], agent.id.to_string());
    assert_eq!(applied["ticket"]["status"], "waiting_customer");

    // Each change in the history, the usual events, one transaction's worth.
    let written = desk.since(&mark).await;
    assert!(written.history.iter().all(|h| h.actor_id == Some(agent.id)), "{:?}", written.history);
    assert_eq!(written.moves(), [("open", "in_progress"), ("in_progress", "waiting_customer")]);
    assert!(written.history.iter().any(|h| h.changes.get("priority") == Some(&json!(["medium", "high"]))));
    assert!(written.history.iter().any(|h| h.changes.get("assigned_to").is_some()));
    let keys = written.keys();
    for key in ["sav.ticket.assigned", "sav.ticket.message_added", "sav.ticket.status_changed"] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }

    // Applied again: the status and priority are there already; the reply is written again.
    let again = apply(&desk, &agent, t, &chosen).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(desk.db.scalar(&format!("SELECT count(*) FROM ticket_messages WHERE ticket_id = {t}")).await, 2);
}

#[tokio::test]
async fn a_refused_move_refuses_the_whole_macro() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    // An open ticket cannot be resolved: it needs someone on it first.
    let chosen = make_macro(
        &desk,
        json!({"name": "Solved", "body": "Fixed for you.", "status": "resolved", "priority": "urgent"}),
    )
    .await;
    let t = id(&desk.create(&customer, json!({"subject": "Late parcel", "description": "x"})).await);
    let before = desk.counts().await;
    let refused = apply(&desk, &agent, t, &chosen).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.json()["code"], "invalid_transition");
    assert_eq!(desk.counts().await, before, "no message, no history, no event");
    let ticket = desk.ticket(&agent, t).await;
    assert_eq!((ticket["status"].as_str(), ticket["priority"].as_str()), (Some("open"), Some("medium")));

    // A closed ticket takes no macro.
    desk.set_status(&agent, t, "closed").await;
    let closed = apply(&desk, &agent, t, &chosen).await;
    assert_eq!((closed.status.as_u16(), closed.json()["code"].as_str()), (409, Some("ticket_closed")));
}

#[tokio::test]
async fn macros_are_kept_by_admins_checked_and_private_to_their_tenant() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let note = make_macro(
        &desk,
        json!({"name": "Escalate", "body": "Needs a manager: {{ticket.number}}", "is_internal": true, "assign_to": desk.owner.id}),
    )
    .await;
    assert_eq!(note["assign_to"], desk.owner.id.to_string());

    // Agents read and apply them; only admins write them; customers do neither.
    let listed = desk.get(&agent, "/v1/macros").await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.json()["data"].as_array().unwrap().len(), 1);
    assert_eq!(desk.get(&customer, "/v1/macros").await.status, 403);
    assert_eq!(desk.post(&agent, "/v1/macros", &json!({"name": "Mine", "status": "resolved"})).await.status, 403);
    let t = id(&desk.create(&customer, json!({"subject": "Refund", "description": "x"})).await);
    assert_eq!(apply(&desk, &customer, t, &note).await.status, 403);

    // An internal note by macro stays with staff.
    let applied = apply(&desk, &agent, t, &note).await;
    assert_eq!(applied.status, 200, "{}", applied.body);
    let applied = applied.json();
    assert_eq!(applied["message"]["is_internal"], true);
    assert_eq!(applied["ticket"]["assigned_to"], desk.owner.id.to_string());
    let thread = desk.get(&customer, &format!("/v1/tickets/{t}/messages")).await.json();
    assert_eq!(thread["data"], json!([]), "the customer does not see the note");

    // Bad input: each refused with its field, nothing written.
    for (body, field) in [
        (json!({"name": "", "status": "resolved"}), "name"),
        (json!({"name": "Nothing"}), ""),
        (json!({"name": "Unknown", "body": "Hi {{customer.email}}"}), "body"),
        (json!({"name": "Unclosed", "body": "Hi {{customer.firstname"}), "body"),
        (json!({"name": "Note alone", "is_internal": true}), "is_internal"),
        (json!({"name": "Customer", "assign_to": customer.id}), "assign_to"),
        (json!({"name": "Long", "body": "x".repeat(20_001)}), "body"),
    ] {
        let refused = desk.post(&desk.owner, "/v1/macros", &body).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        let problem = refused.json();
        let fields: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&field), "{body}: {fields:?}");
    }
    for body in [
        json!({"name": "Typed", "status": "nowhere"}),
        json!({"name": "Typed", "priority": 3}),
        json!({"name": "Typed", "assign_to": "someone"}),
        json!({"name": "Typed", "status": "resolved", "colour": "red"}),
    ] {
        assert_eq!(desk.post(&desk.owner, "/v1/macros", &body).await.status, 400, "{body}");
    }
    let taken = desk.post(&desk.owner, "/v1/macros", &json!({"name": "ESCALATE", "status": "resolved"})).await;
    assert_eq!((taken.status.as_u16(), taken.json()["code"].as_str()), (409, Some("macro_name_taken")));
    assert_eq!(desk.db.count("macros").await, 1);

    // Edited: null clears, absent keeps.
    let path = format!("/v1/macros/{}", id(&note));
    let edited = desk.patch(&desk.owner, &path, &json!({"assign_to": null, "priority": "urgent"})).await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let edited = edited.json();
    assert_eq!((edited["assign_to"].clone(), edited["priority"].clone()), (Value::Null, json!("urgent")));
    assert_eq!(edited["body"], note["body"]);
    let emptied = desk.patch(&desk.owner, &path, &json!({"body": null, "priority": null})).await;
    assert_eq!(emptied.status, 422, "a macro that would do nothing: {}", emptied.body);

    // Another organisation's macro is not found here, nor applied, nor changed.
    let other_org = desk.platform.org().await;
    let other = desk.platform.owner(&desk.app, &other_org).await;
    let mut theirs_id = 0;
    for name in ["Theirs", "Theirs too", "Theirs as well"] {
        let theirs = desk
            .app
            .post(&other_org.slug, "/v1/macros", &other.token, &json!({"name": name, "status": "resolved"}))
            .await;
        assert_eq!(theirs.status, 201, "{}", theirs.body);
        theirs_id = id(&theirs.json());
    }
    assert_eq!(desk.db.scalar(&format!("SELECT count(*) FROM macros WHERE id = {theirs_id}")).await, 0);
    for (method, path) in [
        (Method::PATCH, format!("/v1/macros/{theirs_id}")),
        (Method::DELETE, format!("/v1/macros/{theirs_id}")),
        (Method::POST, format!("/v1/tickets/{t}/macros/{theirs_id}")),
    ] {
        let answer = desk.app.send(method.clone(), &desk.org.slug, &path, &desk.owner.token, Some(&json!({}))).await;
        assert_eq!(answer.status, 404, "{method} {path}: {}", answer.body);
    }
    let gone = desk.app.send(Method::DELETE, &desk.org.slug, &path, &desk.owner.token, None).await;
    assert_eq!(gone.status, 204);
    assert_eq!(apply(&desk, &agent, t, &note).await.status, 404);
}

/// `method /v1/satisfaction` without signing in, for `slug`.
async fn by_link(desk: &Desk, method: Method, slug: &str, query: &str, body: Option<&Value>) -> TestResponse {
    let mut request =
        desk.app.server.request(method, &format!("/v1/satisfaction{query}")).header("x-tenant-slug", slug);
    if let Some(body) = body {
        request = request.json(body);
    }
    TestResponse::from(request.send().await.expect("request sent")).await
}

/// The link the resolution mail of ticket `t` carries now (its resolution read from the database).
async fn link_token(desk: &Desk, t: i64) -> String {
    let micros = desk
        .db
        .scalar(&format!(
            "SELECT (extract(epoch FROM resolved_at) * 1000000)::bigint FROM support_tickets WHERE id = {t}"
        ))
        .await;
    let slug = shared::tenant::Slug::parse_syntax(&desk.org.slug).unwrap();
    let tenant = desk.app.state.tenancy.resolver.resolve(&slug).await.unwrap();
    let link = app_api::notifications::links::Rating {
        tenant_id: tenant.id,
        ticket_id: sav::ids::TicketId(t),
        resolved_at: micros,
    };
    link.token(&desk.app.state.config.keys.mail_links)
}

#[tokio::test]
async fn the_customer_rates_each_resolution_once_and_admins_read_exact_averages() {
    let desk = Desk::open().await;
    let (customer, other_customer, agent, second_agent) =
        tokio::join!(desk.member("customer"), desk.member("customer"), desk.member("agent"), desk.member("agent"));
    let t = id(&desk.create(&customer, json!({"subject": "Wrong colour", "description": "Blue, not red."})).await);
    let path = format!("/v1/tickets/{t}/satisfaction");
    let rate = |who, body: Value| {
        let path = path.clone();
        let desk = &desk;
        async move { desk.post(who, &path, &body).await }
    };

    // Not before it is resolved.
    let early = rate(&customer, json!({"rating": 5})).await;
    assert_eq!((early.status.as_u16(), early.json()["code"].as_str()), (409, Some("not_resolved")));
    assert_eq!(desk.get(&customer, &path).await.json(), json!({"rateable": false, "rating": null}));
    desk.assign(&desk.owner, t, Some(&agent)).await;
    desk.set_status(&agent, t, "resolved").await;
    assert_eq!(desk.get(&customer, &path).await.json()["rateable"], true);
    assert_eq!(desk.get(&agent, &path).await.json()["rateable"], false, "staff read it, never rate it");

    // Only the ticket's customer, 1 to 5, a bounded comment; bad input changes nothing.
    assert_eq!(rate(&agent, json!({"rating": 5})).await.status, 403);
    assert_eq!(rate(&other_customer, json!({"rating": 1})).await.status, 404);
    for bad in [json!({"rating": 0}), json!({"rating": 6}), json!({"rating": 3, "comment": "é".repeat(2_001)})] {
        assert_eq!(rate(&customer, bad.clone()).await.status, 422, "{bad}");
    }
    for bad in [json!({"rating": "five"}), json!({"rating": 4.5}), json!({}), json!({"rating": 4, "stars": 4})] {
        assert_eq!(rate(&customer, bad.clone()).await.status, 400, "{bad}");
    }
    assert_eq!(desk.db.count("satisfaction_ratings").await, 0);

    let rated = rate(&customer, json!({"rating": 4, "comment": "  Quick and kind.  "})).await;
    assert_eq!(rated.status, 201, "{}", rated.body);
    let rated = rated.json();
    assert_eq!((rated["rating"].as_i64(), rated["comment"].as_str()), (Some(4), Some("Quick and kind.")));
    assert_eq!(rated["agent_id"], agent.id.to_string());
    let again = rate(&customer, json!({"rating": 1})).await;
    assert_eq!((again.status.as_u16(), again.json()["code"].as_str()), (409, Some("already_rated")));
    // Closing keeps the resolution: still rated.
    desk.set_status(&customer, t, "closed").await;
    assert_eq!(rate(&customer, json!({"rating": 2})).await.status, 409);
    assert_eq!(desk.get(&customer, &path).await.json()["rating"]["rating"], 4);

    // A second ticket, reopened and resolved again by another agent: each resolution rated once.
    let u = id(&desk.create(&customer, json!({"subject": "Missing screw", "description": "x"})).await);
    desk.assign(&desk.owner, u, Some(&second_agent)).await;
    desk.set_status(&second_agent, u, "resolved").await;
    assert_eq!(desk.post(&customer, &format!("/v1/tickets/{u}/satisfaction"), &json!({"rating": 1})).await.status, 201);
    desk.set_status(&customer, u, "in_progress").await;
    desk.set_status(&second_agent, u, "resolved").await;
    assert_eq!(desk.post(&customer, &format!("/v1/tickets/{u}/satisfaction"), &json!({"rating": 2})).await.status, 201);
    assert_eq!(desk.db.count("satisfaction_ratings").await, 3);

    // The report: 4, 1 and 2 → 7/3 overall; the first agent 4, the second 3/2.
    let report = desk.get(&desk.owner, "/v1/reports/satisfaction?period=day").await;
    assert_eq!(report.status, 200, "{}", report.body);
    let report = report.json();
    assert_eq!(report["count"], 3);
    assert_eq!(report["average"].as_f64(), Some(7.0 / 3.0));
    let by_agent = report["by_agent"].as_array().unwrap();
    assert_eq!(by_agent.len(), 2);
    assert_eq!(
        (by_agent[0]["agent_id"].as_str(), by_agent[0]["average"].as_f64()),
        (Some(agent.id.to_string().as_str()), Some(4.0))
    );
    assert_eq!((by_agent[1]["average"].as_f64(), by_agent[1]["count"].as_i64()), (Some(1.5), Some(2)));
    assert_eq!(by_agent[1]["name"], "Staff agent");
    let by_period = report["by_period"].as_array().unwrap();
    assert_eq!(by_period.len(), 1, "{by_period:?}");
    assert_eq!(by_period[0]["count"], 3);
    // An empty span, a bad one, and who may read it.
    let empty =
        desk.get(&desk.owner, "/v1/reports/satisfaction?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z").await;
    assert_eq!(empty.json()["average"], Value::Null);
    assert_eq!(empty.json()["count"], 0);
    for bad in
        ["?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"]
    {
        assert_eq!(desk.get(&desk.owner, &format!("/v1/reports/satisfaction{bad}")).await.status, 422, "{bad}");
    }
    assert_eq!(desk.get(&desk.owner, "/v1/reports/satisfaction?period=year").await.status, 400);
    assert_eq!(desk.get(&agent, "/v1/reports/satisfaction").await.status, 403);

    // The person's export holds their ratings; erasing them keeps the scores, not the words.
    let export = desk.get(&desk.owner, &format!("/v1/users/{}/export", customer.id)).await;
    assert_eq!(export.status, 200);
    let given = export.json()["satisfaction_ratings"].clone();
    assert_eq!(given.as_array().unwrap().len(), 3, "{given}");
    assert_eq!(given[0]["comment"], "Quick and kind.");
    let erased = desk
        .app
        .send(Method::DELETE, &desk.org.slug, &format!("/v1/users/{}", customer.id), &desk.owner.token, None)
        .await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    assert_eq!(desk.db.scalar("SELECT count(*) FROM satisfaction_ratings WHERE comment IS NOT NULL").await, 0);
    assert_eq!(desk.get(&desk.owner, "/v1/reports/satisfaction").await.json()["count"], 3);
}

#[tokio::test]
async fn the_mail_link_rates_without_signing_in_once_and_only_its_resolution() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let t = id(&desk.create(&customer, json!({"subject": "Stuck zip", "description": "x"})).await);
    desk.assign(&desk.owner, t, Some(&agent)).await;
    desk.set_status(&agent, t, "resolved").await;
    let first = link_token(&desk, t).await;
    let slug = desk.org.slug.clone();

    let about = by_link(&desk, Method::GET, &slug, &format!("?token={first}"), None).await;
    assert_eq!(about.status, 200, "{}", about.body);
    assert_eq!(about.json()["rating"], Value::Null);
    assert!(about.json()["ticket_number"].as_str().unwrap().starts_with("TKT-"));

    // Reopened since the mail: that link waits for nothing, the new resolution has its own.
    desk.set_status(&customer, t, "in_progress").await;
    let stale = by_link(&desk, Method::POST, &slug, "", Some(&json!({"token": first, "rating": 5}))).await;
    assert_eq!((stale.status.as_u16(), stale.json()["code"].as_str()), (409, Some("not_resolved")));
    desk.set_status(&agent, t, "resolved").await;
    let token = link_token(&desk, t).await;
    assert_ne!(token, first);

    // Forged, truncated, another organisation's host: refused, nothing recorded.
    let mut forged = token.clone().into_bytes();
    forged[10] = if forged[10] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    for (slug, token) in [(slug.as_str(), forged.as_str()), (slug.as_str(), &token[..20]), (slug.as_str(), "")] {
        let refused = by_link(&desk, Method::POST, slug, "", Some(&json!({"token": token, "rating": 5}))).await;
        assert_eq!((refused.status.as_u16(), refused.json()["code"].as_str()), (400, Some("invalid_token")), "{token}");
    }
    let elsewhere = desk.platform.org().await;
    let refused = by_link(&desk, Method::POST, &elsewhere.slug, "", Some(&json!({"token": token, "rating": 5}))).await;
    assert_eq!(refused.status, 400, "a link is used on its own organisation's host");
    assert_eq!(by_link(&desk, Method::POST, &slug, "", Some(&json!({"token": token, "rating": 9}))).await.status, 422);
    assert_eq!(desk.db.count("satisfaction_ratings").await, 0);

    // One click records the rating; the same link adds a comment once; then it is spent.
    let rated = by_link(&desk, Method::POST, &slug, "", Some(&json!({"token": token, "rating": 5}))).await;
    assert_eq!(rated.status, 201, "{}", rated.body);
    assert_eq!(rated.json()["comment"], Value::Null);
    let commented =
        by_link(&desk, Method::POST, &slug, "", Some(&json!({"token": token, "rating": 1, "comment": "Thank you!"})))
            .await;
    assert_eq!(commented.status, 200, "{}", commented.body);
    assert_eq!(
        (commented.json()["rating"].as_i64(), commented.json()["comment"].as_str()),
        (Some(5), Some("Thank you!"))
    );
    for body in [json!({"token": token, "rating": 2}), json!({"token": token, "rating": 2, "comment": "Again"})] {
        let spent = by_link(&desk, Method::POST, &slug, "", Some(&body)).await;
        assert_eq!((spent.status.as_u16(), spent.json()["code"].as_str()), (409, Some("already_rated")), "{body}");
    }
    let portal = desk.post(&customer, &format!("/v1/tickets/{t}/satisfaction"), &json!({"rating": 3})).await;
    assert_eq!(portal.status, 409, "the portal sees the same resolution rated");
    let about = by_link(&desk, Method::GET, &slug, &format!("?token={token}"), None).await.json();
    assert_eq!(about["rating"]["rating"], 5);
    assert_eq!(desk.db.count("satisfaction_ratings").await, 1);
}

#[tokio::test]
async fn staff_see_the_customer_beside_the_thread() {
    let desk = Desk::open().await;
    let (customer, other_customer, agent) =
        tokio::join!(desk.member("customer"), desk.member("customer"), desk.member("agent"));
    desk.db.execute(&format!("UPDATE users SET vip = true WHERE id = '{}'", customer.id)).await;
    let order = json!({"user_id": customer.id, "total": 612.50, "currency": "EUR", "status": "paid"});
    assert_eq!(desk.put(&desk.owner, "/v1/orders/9001", &order).await.status, 201);
    let theirs = json!({"user_id": other_customer.id, "total": 10, "currency": "EUR", "status": "paid"});
    assert_eq!(desk.put(&desk.owner, "/v1/orders/9002", &theirs).await.status, 201);
    let earlier = id(&desk.create(&customer, json!({"subject": "Earlier", "description": "x"})).await);
    desk.assign(&desk.owner, earlier, Some(&agent)).await;
    desk.set_status(&agent, earlier, "resolved").await;
    assert_eq!(
        desk.post(&customer, &format!("/v1/tickets/{earlier}/satisfaction"), &json!({"rating": 5, "comment": "Great"}))
            .await
            .status,
        201
    );
    let t = id(&desk.create(&customer, json!({"subject": "Now", "description": "x", "order_id": 9001})).await);
    id(&desk.create(&other_customer, json!({"subject": "Someone else", "description": "x"})).await);

    let panel = desk.get(&agent, &format!("/v1/tickets/{t}/customer")).await;
    assert_eq!(panel.status, 200, "{}", panel.body);
    let panel = panel.json();
    assert_eq!(panel["customer"]["id"], customer.id.to_string());
    assert_eq!(panel["customer"]["vip"], true);
    assert_eq!(panel["customer"]["email"], customer.email);
    let tickets = panel["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 1, "the other ticket, not this one nor another customer's: {tickets:?}");
    assert_eq!((tickets[0]["id"].as_i64(), tickets[0]["status"].as_str()), (Some(earlier), Some("resolved")));
    assert_eq!(
        panel["orders"],
        json!([{
            "order_id": 9001, "total_cents": 61250, "currency": "EUR", "status": "paid",
            "created_at": panel["orders"][0]["created_at"].clone(),
        }])
    );
    assert_eq!(
        (panel["satisfaction"]["average"].as_f64(), panel["satisfaction"]["count"].as_i64()),
        (Some(5.0), Some(1))
    );
    assert_eq!(panel["satisfaction"]["recent"][0]["comment"], "Great");

    // Staff only, whatever the ticket; a ticket the caller cannot see is not found.
    assert_eq!(desk.get(&customer, &format!("/v1/tickets/{t}/customer")).await.status, 403);
    assert_eq!(desk.get(&other_customer, &format!("/v1/tickets/{t}/customer")).await.status, 403, "the role first");
    assert_eq!(desk.get(&agent, "/v1/tickets/999999/customer").await.status, 404);
}

async fn preview(desk: &Desk, who: &crate::helpers::Person, ticket: i64, chosen: &Value) -> TestResponse {
    desk.post(who, &format!("/v1/tickets/{ticket}/macros/{}?preview=true", id(chosen)), &json!({})).await
}

#[tokio::test]
async fn a_preview_writes_nothing_and_names_only_what_would_change() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    desk.db.execute(&format!("UPDATE users SET firstname = 'Léa' WHERE id = '{}'", customer.id)).await;
    let chosen = make_macro(
        &desk,
        json!({
            "name": "Refund on its way",
            "body": "Hello {{customer.firstname}}, the refund for {{ticket.number}} is on its way.",
            "status": "waiting_customer",
            "priority": "medium",
            "assign_to": "me",
            "add_tags": ["Refund", "vip"],
        }),
    )
    .await;
    assert_eq!(chosen["add_tags"], json!(["refund", "vip"]), "normalised and sorted");
    let ticket = desk.create(&customer, json!({"subject": "Refund", "description": "Where is it?"})).await;
    let (t, number) = (id(&ticket), ticket["ticket_number"].as_str().unwrap().to_owned());
    let tagged = desk.patch(&agent, &format!("/v1/tickets/{t}"), &json!({"add_tags": ["vip"]})).await;
    assert_eq!(tagged.status, 200, "{}", tagged.body);
    let before = (desk.counts().await, desk.ticket(&agent, t).await["updated_at"].clone());

    let shown = preview(&desk, &agent, t, &chosen).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert_eq!(
        shown.json(),
        json!({
            "message": {"message": format!("Hello Léa, the refund for {number} is on its way."), "is_internal": false},
            // The priority is medium already, and the ticket holds `vip`: neither is a change.
            "changes": {"status": "waiting_customer", "assigned_to": agent.id, "add_tags": ["refund"]},
        })
    );
    let after = (desk.counts().await, desk.ticket(&agent, t).await["updated_at"].clone());
    assert_eq!(after, before, "no message, history entry, event or updated_at");

    // A preview answers a refusal as the apply would, and still writes nothing.
    let solved = make_macro(&desk, json!({"name": "Solved", "status": "resolved"})).await;
    let refused = preview(&desk, &agent, t, &solved).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.json()["code"], "invalid_transition");
    assert!(refused.json()["allowed"].is_array(), "{}", refused.body);
    assert_eq!(desk.counts().await, before.0);

    // Customers may not; an unknown macro is 404; a preview takes nothing to send.
    assert_eq!(preview(&desk, &customer, t, &chosen).await.status, 403);
    let unknown = desk.post(&agent, &format!("/v1/tickets/{t}/macros/999999?preview=true"), &json!({})).await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let path = format!("/v1/tickets/{t}/macros/{}?preview=true", id(&chosen));
    assert_eq!(desk.post(&agent, &path, &json!({"message": "x"})).await.status, 400);
    let path = format!("/v1/tickets/{t}/macros/{}?preview=maybe", id(&chosen));
    assert_eq!(desk.post(&agent, &path, &json!({})).await.status, 400);
    assert_eq!(desk.counts().await, before.0);
}

#[tokio::test]
async fn the_reviewed_macro_is_sent_with_the_changes_the_agent_kept() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let chosen = make_macro(
        &desk,
        json!({"name": "Photo", "body": "Could you send a photo?", "status": "waiting_customer", "priority": "high",
               "assign_to": "me", "add_tags": ["photo"]}),
    )
    .await;
    let t = id(&desk.create(&customer, json!({"subject": "Cracked", "description": "x"})).await);

    // Bad input first: each refused, nothing written.
    let before = desk.counts().await;
    let path = format!("/v1/tickets/{t}/macros/{}", id(&chosen));
    for body in [json!({"message": 5}), json!({"skip": ["colour"]}), json!({"note": "x"}), json!([])] {
        let refused = desk.post(&agent, &path, &body).await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.body);
    }
    let empty = desk.post(&agent, &path, &json!({"message": "   "})).await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert_eq!(desk.counts().await, before);

    let sent = desk
        .post(
            &agent,
            &path,
            &json!({"message": "<p>Could you send a photo of the <b>box</b>?</p>", "skip": ["priority"]}),
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let sent = sent.json();
    assert_eq!(sent["message"]["message"], "<p>Could you send a photo of the <b>box</b>?</p>");
    let now = desk.ticket(&agent, t).await;
    assert_eq!(now["status"], "waiting_customer");
    assert_eq!(now["priority"], "medium", "the priority was taken out");
    assert_eq!(now["assigned_to"], agent.id.to_string());
    assert_eq!(now["tags"], json!(["photo"]));

    // A macro may only add tags; too many or bad ones are refused naming the field.
    let tagger = make_macro(&desk, json!({"name": "Tag it", "add_tags": ["later"]})).await;
    let applied = desk.post(&agent, &format!("/v1/tickets/{t}/macros/{}", id(&tagger)), &json!({})).await;
    assert_eq!(applied.status, 200, "{}", applied.body);
    assert_eq!(applied.json()["message"], Value::Null);
    assert_eq!(desk.ticket(&agent, t).await["tags"], json!(["later", "photo"]));
    let many: Vec<String> = (0..21).map(|n| format!("t{n}")).collect();
    for tags in [json!(many), json!(["not a tag"])] {
        let refused = desk.post(&desk.owner, "/v1/macros", &json!({"name": "Bad tags", "add_tags": tags})).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(refused.json()["errors"][0]["field"], "add_tags", "{}", refused.body);
    }
}
