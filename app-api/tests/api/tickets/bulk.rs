//! `POST /v1/tickets/bulk/status`: per-ticket answers for a mix of allowed, refused and
//! invisible tickets, history and events for the allowed ones alone, the same answer to a
//! retry with the same key, and bad input refused without a change.

use serde_json::{Value, json};

use super::{Desk, id};
use crate::helpers::Person;

const PATH: &str = "/v1/tickets/bulk/status";

async fn bulk(d: &Desk, who: &Person, body: &Value, key: Option<&str>) -> harness::TestResponse {
    let mut request = d.app.server.request(reqwest::Method::POST, PATH).header("x-tenant-slug", &d.org.slug);
    request = request.bearer_auth(&who.token).json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    harness::TestResponse::from(request.send().await.unwrap()).await
}

#[tokio::test]
async fn each_ticket_gets_its_own_answer_and_only_the_allowed_ones_change() {
    let d = Desk::open().await;
    // Agents see their own tickets, their teams' and the queue of no team (not every ticket).
    d.agent_access("teams").await;
    let (customer, agent, other_agent) = tokio::join!(d.member("customer"), d.member("agent"), d.member("agent"));
    let new = |subject: &'static str| {
        let (d, customer) = (&d, &customer);
        async move { id(&d.create(customer, json!({ "subject": subject, "description": "x" })).await) }
    };
    let queued = new("In the queue").await;
    let mine = new("Mine").await;
    d.assign(&agent, mine, Some(&agent)).await;
    let theirs = new("Another agent's").await;
    d.assign(&other_agent, theirs, Some(&other_agent)).await;
    let duplicate = new("Duplicate").await;
    let missing = duplicate + 1_000;

    let mark = d.mark().await;
    let body = json!({ "ticket_ids": [queued, mine, theirs, missing, duplicate], "status": "closed", "reason": "Duplicates of the outage" });
    let answered = bulk(&d, &agent, &body, Some("outage-1")).await;
    assert_eq!(answered.status, 200, "{}", answered.body);
    let answer = answered.json();
    assert_eq!((answer["succeeded"].as_u64(), answer["failed"].as_u64()), (Some(2), Some(3)), "{answer}");
    let results = answer["results"].as_array().unwrap();
    let ids: Vec<i64> = results.iter().map(|r| r["ticket_id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [queued, mine, theirs, missing, duplicate], "in the order asked");
    assert_eq!(results[0], json!({ "ticket_id": queued, "ok": true, "status": "closed" }));
    let refused = &results[1]["error"];
    assert_eq!((refused["code"].as_str(), refused["status"].as_u64()), (Some("invalid_transition"), Some(409)));
    assert!(refused["allowed"].as_array().unwrap().iter().any(|s| s == "resolved"), "{refused}");
    // Another agent's ticket and one that does not exist: the same answer, no hint either exists.
    for hidden in [&results[2], &results[3]] {
        assert_eq!(hidden["ok"], false);
        assert_eq!(hidden["error"]["code"], "not_found");
    }
    assert_eq!(results[4]["status"], "closed");

    let written = d.since(&mark).await;
    let mut moved: Vec<i64> = written.history.iter().map(|h| h.ticket_id).collect();
    moved.dedup();
    assert_eq!(moved, [queued, duplicate], "history only for the tickets that moved");
    assert_eq!(written.moves(), [("open", "closed"), ("open", "closed")]);
    assert!(written.history.iter().all(|h| h.reason.as_deref() == Some("Duplicates of the outage")));
    assert_eq!(written.keys(), ["sav.ticket.status_changed", "sav.ticket.status_changed"]);
    assert_eq!(d.ticket(&d.owner, theirs).await["status"], "in_progress");
    assert_eq!(d.ticket(&d.owner, mine).await["status"], "in_progress");

    // The same request again with the same key: the same answer, replayed, nothing acts.
    let mark = d.mark().await;
    let replayed = bulk(&d, &agent, &body, Some("outage-1")).await;
    assert_eq!(replayed.status, 200);
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    assert_eq!(replayed.json(), answer);
    assert!(d.since(&mark).await.is_empty());
    // The key with another request is refused; another person's same key is theirs alone.
    let other_body = json!({ "ticket_ids": [mine], "status": "resolved" });
    bulk(&d, &agent, &other_body, Some("outage-1")).await.assert_problem(422, "idempotency_key_reused");
    let theirs_now =
        bulk(&d, &other_agent, &json!({ "ticket_ids": [theirs], "status": "resolved" }), Some("outage-1")).await;
    assert_eq!(theirs_now.status, 200, "{}", theirs_now.body);
    assert_eq!(theirs_now.json()["results"][0]["status"], "resolved");
    assert!(theirs_now.header("idempotent-replayed").is_none());
    // Without a key, a retry acts again: what moved now answers that it cannot move.
    let again = bulk(&d, &agent, &json!({ "ticket_ids": [queued], "status": "closed" }), None).await.json();
    assert_eq!(again["results"][0]["error"]["code"], "invalid_transition");
}

#[tokio::test]
async fn an_admin_moves_any_ticket_and_customers_may_not_bulk() {
    let d = Desk::open().await;
    let (customer, agent) = tokio::join!(d.member("customer"), d.member("agent"));
    let mut ids = Vec::new();
    for n in 0..3 {
        let t =
            id(&d.create(&customer, json!({ "subject": format!("Answered overnight {n}"), "description": "x" })).await);
        d.assign(&agent, t, Some(&agent)).await;
        ids.push(t);
    }
    let answer = bulk(&d, &d.owner, &json!({ "ticket_ids": ids, "status": "resolved" }), None).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["succeeded"], 3);
    let counts = d.counts().await;
    bulk(&d, &customer, &json!({ "ticket_ids": [ids[0]], "status": "closed" }), None)
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(d.counts().await, counts);
}

#[tokio::test]
async fn bad_bulk_requests_are_refused_and_change_nothing() {
    let d = Desk::open().await;
    let customer = d.member("customer").await;
    let t = id(&d.create(&customer, json!({ "subject": "x", "description": "x" })).await);
    let counts = d.counts().await;
    let too_many: Vec<i64> = (1..=101).collect();
    for (body, field) in [
        (json!({ "ticket_ids": [], "status": "closed" }), "ticket_ids"),
        (json!({ "ticket_ids": too_many, "status": "closed" }), "ticket_ids"),
        (json!({ "ticket_ids": [t, t], "status": "closed" }), "ticket_ids"),
        (json!({ "ticket_ids": [0], "status": "closed" }), "ticket_ids"),
        (json!({ "ticket_ids": [t], "status": "closed", "reason": "x".repeat(1001) }), "reason"),
    ] {
        let refused = bulk(&d, &d.owner, &body, None).await.assert_problem(422, "validation_failed");
        assert_eq!(refused["errors"][0]["field"], field, "{refused}");
    }
    for body in [
        json!({ "ticket_ids": [t], "status": "gone" }),
        json!({ "ticket_ids": "all", "status": "closed" }),
        json!({ "ticket_ids": [t], "status": "closed", "priority": "low" }),
        json!({ "status": "closed" }),
    ] {
        let refused = bulk(&d, &d.owner, &body, None).await;
        assert!(matches!(refused.status.as_u16(), 400 | 422), "{body}: {}", refused.status);
    }
    let body = json!({ "ticket_ids": [t], "status": "closed" });
    for key in ["", "with space", &"k".repeat(256)] {
        let refused = bulk(&d, &d.owner, &body, Some(key)).await;
        assert_eq!(refused.status, 422, "key {key:?}: {}", refused.body);
    }
    assert_eq!(d.counts().await, counts);
    assert_eq!(d.db.count("idempotent_requests").await, 0);
}
