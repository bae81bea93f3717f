//! Tickets staff open for a customer (a phone call, a walk-in): the requester by id or by address
//! (found ignoring case, else made once, however many requests race for it), the `phone`
//! channel, the acknowledgement only when asked for; the ticket JSON naming its requester; the
//! list filtered by channel.

use serde_json::{Value, json};

use super::{Desk, id};

fn call(requester: &Value) -> Value {
    json!({"subject": "Called about a refund", "description": "On the phone at 9:10.", "channel": "phone", "requester": requester})
}

#[tokio::test]
async fn staff_open_a_ticket_for_a_caller_by_address_and_the_address_makes_one_customer() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));

    let mark = desk.mark().await;
    let first = desk.create(&agent, call(&json!({"email": " Nina.Caller@Example.com ", "name": "Nina  Caller"}))).await;
    assert_eq!(first["channel"], "phone");
    let requester = &first["requester"];
    assert_eq!(requester["email"], "nina.caller@example.com");
    assert_eq!((requester["firstname"].as_str(), requester["lastname"].as_str()), (Some("Nina"), Some("Caller")));
    assert_eq!(first["user_id"], requester["id"]);
    let made = requester["id"].as_str().unwrap().to_owned();
    let role = desk.db.text(&format!("SELECT role FROM users WHERE id = '{made}'")).await;
    assert_eq!(role, "customer");
    // The customer is not told unless staff ask; the history names the staff member.
    let written = desk.since(&mark).await;
    assert_eq!(written.event("sav.ticket.created").payload["data"]["requester_notified"], false);
    assert!(written.history.iter().any(|h| h.action == "created" && h.actor_id == Some(agent.id)));

    // The same address, in another case, and two requests at once for a new one: one customer each.
    let again = desk.create(&agent, call(&json!({"email": "NINA.CALLER@example.com"}))).await;
    assert_eq!(again["user_id"], made.as_str());
    let racing = call(&json!({"email": "race@example.com"}));
    let (a, b) = tokio::join!(desk.post(&agent, "/v1/tickets", &racing), desk.post(&agent, "/v1/tickets", &racing));
    assert_eq!((a.status.as_u16(), b.status.as_u16()), (201, 201), "{} {}", a.body, b.body);
    assert_eq!(a.json()["user_id"], b.json()["user_id"]);
    assert_eq!(desk.db.scalar("SELECT count(*) FROM users WHERE lower(email) = 'race@example.com'").await, 1);

    // A name longer than the identity keeps is cut, not refused.
    let long = desk.create(&agent, call(&json!({"email": "long@example.com", "name": "N".repeat(150)}))).await;
    assert_eq!(long["requester"]["firstname"].as_str().map(str::len), Some(100));

    // Asked for, the acknowledgement goes as if the customer had opened it.
    let mark = desk.mark().await;
    let mut told = call(&json!({"user_id": customer.id}));
    told["notify_requester"] = json!(true);
    let told = desk.create(&agent, told).await;
    assert_eq!(told["requester"]["id"], customer.id.to_string());
    assert_eq!(desk.since(&mark).await.event("sav.ticket.created").payload["data"]["requester_notified"], true);

    // The list filters by channel; a customer's own ticket names them too.
    let phoned = desk.get(&agent, "/v1/tickets?channel=phone").await;
    assert_eq!(phoned.status, 200, "{}", phoned.body);
    assert_eq!(phoned.json()["data"].as_array().unwrap().len(), 6);
    assert_eq!(desk.get(&agent, "/v1/tickets?channel=fax").await.status, 400);
    let own = desk.create(&customer, json!({"subject": "Mine", "description": "x", "channel": "phone"})).await;
    assert_eq!(own["channel"], "web", "a customer's channel is ignored");
    assert_eq!(own["requester"]["email"], desk.ticket(&customer, id(&own)).await["requester"]["email"]);
}

#[tokio::test]
async fn a_requester_is_refused_clearly_and_nothing_is_made() {
    let desk = Desk::open().await;
    let (agent, customer, other_agent) =
        tokio::join!(desk.member("agent"), desk.member("customer"), desk.member("agent"));
    let before = (desk.counts().await, desk.db.count("users").await);
    for (body, status, field) in [
        (call(&json!({"email": "not-an-address"})), 422, "requester.email"),
        (call(&json!({"user_id": uuid::Uuid::now_v7()})), 422, "requester"),
        (call(&json!({"user_id": other_agent.id})), 422, "requester"),
        (
            json!({"subject": "x", "description": "x", "requester": {"user_id": customer.id}, "user_id": customer.id}),
            422,
            "requester",
        ),
        (
            json!({"subject": "x", "description": "x", "requester": {"user_id": customer.id}, "channel": "email"}),
            422,
            "channel",
        ),
        (json!({"subject": "x", "description": "x", "requester": {"email": "a@example.com", "phone": "1"}}), 400, ""),
        (json!({"subject": "x", "description": "x", "requester": {"user_id": customer.id}, "channel": "fax"}), 400, ""),
    ] {
        let refused = desk.post(&agent, "/v1/tickets", &body).await;
        assert_eq!(refused.status, status, "{body}: {}", refused.body);
        if !field.is_empty() {
            assert_eq!(refused.json()["errors"][0]["field"], field, "{body}: {}", refused.body);
        }
    }
    // A customer may not name someone, by address least of all: refused before anything is made.
    let theirs = desk.post(&customer, "/v1/tickets", &call(&json!({"email": "friend@example.com"}))).await;
    assert_eq!(theirs.status, 403, "{}", theirs.body);
    assert_eq!((desk.counts().await, desk.db.count("users").await), before);
    assert_eq!(desk.db.scalar("SELECT count(*) FROM users WHERE email = 'friend@example.com'").await, 0);
}

#[tokio::test]
async fn staff_look_people_up_by_name_or_address_a_page_at_a_time() {
    let desk = Desk::open().await;
    let (agent, customer, second) =
        tokio::join!(desk.member("agent"), desk.member("customer"), desk.member("customer"));
    desk.db
        .execute(&format!("UPDATE users SET firstname = 'Zoé', lastname = 'Martin' WHERE id = '{}'", customer.id))
        .await;
    desk.db
        .execute(&format!("UPDATE users SET firstname = 'Yann', lastname = 'Martin' WHERE id = '{}'", second.id))
        .await;

    let found = desk.get(&agent, "/v1/users?q=MARTIN&role=customer").await;
    assert_eq!(found.status, 200, "{}", found.body);
    let names: Vec<Value> = found.json()["data"].as_array().unwrap().iter().map(|p| p["firstname"].clone()).collect();
    assert_eq!(names, [json!("Yann"), json!("Zoé")], "by name");
    let by_address = desk.get(&agent, &format!("/v1/users?q={}", customer.email.to_uppercase())).await.json();
    assert_eq!(by_address["data"][0]["id"], customer.id.to_string());
    assert_eq!(by_address["data"][0]["role"], "customer");

    // A page at a time: every member once.
    let (mut seen, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/users?limit=1&cursor={c}"),
            None => "/v1/users?limit=1".to_owned(),
        };
        let page = desk.get(&agent, &path).await.json();
        seen.extend(page["data"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let members = desk.db.scalar("SELECT count(*) FROM users WHERE active AND role <> 'integration'").await;
    assert_eq!(i64::try_from(seen.len()).unwrap(), members);
    seen.sort();
    seen.dedup();
    assert_eq!(i64::try_from(seen.len()).unwrap(), members, "no one twice");
    let staff = desk.get(&agent, "/v1/users?role=staff").await.json();
    assert!(staff["data"].as_array().unwrap().iter().all(|p| p["role"] != "customer"));

    // Staff only, checked first; bad parameters are named.
    desk.get(&customer, "/v1/users?role=nonsense").await.assert_problem(403, "forbidden");
    assert_eq!(desk.get(&agent, "/v1/users?role=nonsense").await.status, 400);
    assert_eq!(desk.get(&agent, "/v1/users?colour=red").await.status, 400);
    assert_eq!(desk.get(&agent, &format!("/v1/users?q={}", "x".repeat(201))).await.status, 422);
}
