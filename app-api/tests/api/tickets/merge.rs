//! `POST /v1/tickets/{id}/merge`: threads move in time order with their attachments and notes
//! (still internal), sources close by the system naming the target, links show on both sides,
//! the refused cases change nothing, and concurrent merges of the same tickets lose no message.

use serde_json::{Value, json};

use super::{Desk, id};
use crate::helpers::Person;

async fn merge(d: &Desk, who: &Person, target: i64, body: &Value) -> harness::TestResponse {
    d.post(who, &format!("/v1/tickets/{target}/merge"), body).await
}

async fn thread(d: &Desk, who: &Person, ticket: i64) -> Vec<String> {
    let page = d.get(who, &format!("/v1/tickets/{ticket}/messages?limit=100")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.json()["data"].as_array().unwrap().iter().map(|m| m["message"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn merging_moves_threads_in_time_order_closes_the_sources_and_links_both_ways() {
    let d = Desk::open().await;
    let (customer, agent) = tokio::join!(d.member("customer"), d.member("agent"));
    let mut tickets = Vec::new();
    for subject in ["Parcel lost", "Parcel lost again", "Where is my parcel"] {
        let t = id(&d.create(&customer, json!({ "subject": subject, "description": "x" })).await);
        d.assign(&agent, t, Some(&agent)).await;
        tickets.push(t);
    }
    let [target, first, second] = tickets[..] else { unreachable!() };
    d.say(&customer, target, "one", false).await;
    d.say(&customer, first, "two", false).await;
    let note = d.say(&agent, first, "three (note)", true).await;
    d.say(&agent, second, "four zanzibar", false).await;
    d.say(&customer, target, "five", false).await;
    d.attach(&agent, first, note["id"].as_i64().unwrap(), "label.pdf", crate::attachments::PDF).await;

    let mark = d.mark().await;
    let merged = merge(&d, &agent, target, &json!({ "source_ticket_ids": [second, first] })).await;
    assert_eq!(merged.status, 200, "{}", merged.body);
    let merged = merged.json();
    assert_eq!((merged["messages_moved"].as_i64(), merged["attachments_moved"].as_i64()), (Some(3), Some(1)));
    assert_eq!(merged["merged_from"], json!([first, second]));
    assert_eq!(merged["ticket"]["id"], target);
    // The unread counts kept on the tickets moved with the messages: the customer's three for
    // staff, the agent's public answer for the customer; nothing left on the sources.
    assert_eq!(d.ticket(&agent, target).await["unread_count"], 3);
    assert_eq!(d.ticket(&customer, target).await["unread_count"], 1);
    assert_eq!(d.ticket(&agent, first).await["unread_count"], 0);
    assert_eq!(d.ticket(&customer, second).await["unread_count"], 0);
    unread_counts_are_kept(&d).await;

    assert_eq!(thread(&d, &agent, target).await, ["one", "two", "three (note)", "four zanzibar", "five"]);
    assert_eq!(thread(&d, &customer, target).await, ["one", "two", "four zanzibar", "five"], "notes stay internal");
    assert!(thread(&d, &agent, first).await.is_empty());
    let moved_to: i64 = d.db.scalar("SELECT ticket_id FROM ticket_attachments").await;
    assert_eq!(moved_to, target, "the attachment follows its message");

    let written = d.since(&mark).await;
    assert_eq!(written.moves(), [("in_progress", "closed"), ("in_progress", "closed")]);
    let target_number = merged["ticket"]["ticket_number"].as_str().unwrap();
    for row in written.history.iter().filter(|h| h.ticket_id != target) {
        assert_eq!(row.actor_kind, "system");
        assert_eq!(row.reason.as_deref(), Some(format!("merged into {target_number}").as_str()));
    }
    let on_target: Vec<_> = written.history.iter().filter(|h| h.ticket_id == target).collect();
    assert_eq!(on_target.len(), 1);
    assert_eq!(on_target[0].actor_id, Some(agent.id));
    assert_eq!(on_target[0].changes, json!({ "merged_from": [null, [first, second]] }));
    assert_eq!(written.keys(), ["sav.ticket.status_changed", "sav.ticket.status_changed", "sav.ticket.updated"]);
    let (closings, merged_into) = written.events.split_at(2);
    assert!(closings.iter().all(|e| e.payload["data"]["changed_by"].is_null()));
    assert_eq!(merged_into[0].payload["data"]["changes"], json!({ "merged_from": [null, [first, second]] }));
    assert_eq!(merged_into[0].payload["data"]["updated_by"], json!(agent.id));

    let source = d.ticket(&customer, first).await;
    assert_eq!((source["status"].as_str(), source["merged_into"].as_i64()), (Some("closed"), Some(target)));
    let read = d.ticket(&agent, target).await;
    assert_eq!(read["merged_from"], json!([first, second]));
    assert!(read["merged_into"].is_null());
    // The moved words are the target's now.
    assert_eq!(d.list(&customer, &[("q", "zanzibar")]).await, [target]);
    assert_eq!(d.ticket(&agent, target).await["unread_count"], 0, "staff read the thread");
    assert_eq!(d.ticket(&customer, target).await["unread_count"], 0, "so did the customer");
    unread_counts_are_kept(&d).await;
}

/// The counts kept on every ticket (migration 0009) are those of its messages.
async fn unread_counts_are_kept(d: &Desk) {
    let drifted: i64 =
        d.db.scalar(
            "SELECT count(*) FROM support_tickets t
              CROSS JOIN LATERAL (
                  SELECT count(*) FILTER (WHERE m.sender_type = 'agent' AND NOT m.is_internal)::int AS from_agent,
                         count(*) FILTER (WHERE m.sender_type = 'customer')::int AS from_customer
                    FROM ticket_messages m WHERE m.ticket_id = t.id AND m.read_at IS NULL) m
              WHERE (t.unread_from_agent, t.unread_from_customer) <> (m.from_agent, m.from_customer)",
        )
        .await;
    assert_eq!(drifted, 0, "tickets whose kept unread counts differ from their messages");
}

#[tokio::test]
async fn refused_merges_change_nothing() {
    let d = Desk::open().await;
    // Agents see their own tickets, their teams' and the queue of no team (not every ticket).
    d.agent_access("teams").await;
    let (customer, other_customer, agent, other_agent) =
        tokio::join!(d.member("customer"), d.member("customer"), d.member("agent"), d.member("agent"));
    let new = |who: &Person, subject: &'static str| {
        let (d, who) = (&d, who.clone());
        async move { id(&d.create(&who, json!({ "subject": subject, "description": "x" })).await) }
    };
    let target = new(&customer, "Target").await;
    let source = new(&customer, "Source").await;
    let foreign = new(&other_customer, "Someone else's").await;
    let closed = new(&customer, "Closed").await;
    d.set_status(&agent, closed, "closed").await;
    let hidden = new(&customer, "Another agent's").await;
    d.assign(&other_agent, hidden, Some(&other_agent)).await;
    let counts = d.counts().await;

    let too_many: Vec<i64> = (1..=21).map(|n| target + 100 + n).collect();
    for (body, code, status) in [
        (json!({ "source_ticket_ids": [] }), "validation_failed", 422),
        (json!({ "source_ticket_ids": too_many }), "validation_failed", 422),
        (json!({ "source_ticket_ids": [target] }), "validation_failed", 422),
        (json!({ "source_ticket_ids": [source, source] }), "validation_failed", 422),
        (json!({ "source_ticket_ids": [closed] }), "ticket_closed", 409),
        (json!({ "source_ticket_ids": [foreign] }), "different_customers", 409),
        (json!({ "source_ticket_ids": [foreign], "allow_different_customers": true }), "forbidden", 403),
        (json!({ "source_ticket_ids": [hidden] }), "not_found", 404),
        (json!({ "source_ticket_ids": [source + 10_000] }), "not_found", 404),
    ] {
        merge(&d, &agent, target, &body).await.assert_problem(status, code);
    }
    merge(&d, &agent, closed, &json!({ "source_ticket_ids": [source] })).await.assert_problem(409, "ticket_closed");
    merge(&d, &customer, target, &json!({ "source_ticket_ids": [source] })).await.assert_problem(403, "forbidden");
    let unknown = merge(&d, &agent, target, &json!({ "source_ticket_ids": [source], "into": 1 })).await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert_eq!(d.counts().await, counts);
    assert_eq!(d.ticket(&agent, source).await["status"], "open");

    // An admin may merge across customers when they say so.
    let across =
        merge(&d, &d.owner, target, &json!({ "source_ticket_ids": [foreign], "allow_different_customers": true }))
            .await;
    assert_eq!(across.status, 200, "{}", across.body);
}

#[tokio::test]
async fn concurrent_merges_of_the_same_tickets_lose_no_message() {
    let d = Desk::open().await;
    let (customer, agent) = tokio::join!(d.member("customer"), d.member("agent"));
    let mut tickets = Vec::new();
    for n in 0..4 {
        let t = id(&d.create(&customer, json!({ "subject": format!("Dup {n}"), "description": "x" })).await);
        for m in 0..5 {
            d.say(&customer, t, &format!("ticket {n} message {m}"), false).await;
        }
        tickets.push(t);
    }
    let [a, b, c, shared] = tickets[..] else { unreachable!() };
    // Two merges take the same source; two more fold a and b into each other.
    let bodies = [
        json!({ "source_ticket_ids": [shared] }),
        json!({ "source_ticket_ids": [shared] }),
        json!({ "source_ticket_ids": [a] }),
        json!({ "source_ticket_ids": [b] }),
    ];
    let (first, second, third, fourth) = tokio::join!(
        merge(&d, &agent, a, &bodies[0]),
        merge(&d, &agent, c, &bodies[1]),
        merge(&d, &agent, b, &bodies[2]),
        merge(&d, &agent, a, &bodies[3]),
    );
    let statuses = [first.status.as_u16(), second.status.as_u16(), third.status.as_u16(), fourth.status.as_u16()];
    for response in [&first, &second, &third, &fourth] {
        assert!(matches!(response.status.as_u16(), 200 | 409), "{}", response.body);
    }
    assert!(statuses.iter().filter(|s| **s == 200).count() >= 2, "{statuses:?}");
    assert_eq!(d.db.count("ticket_messages").await, 20, "no message lost or copied");
    let open: i64 = d.db.scalar("SELECT count(*) FROM support_tickets WHERE status <> 'closed'").await;
    let homes: i64 = d.db.scalar("SELECT count(DISTINCT ticket_id) FROM ticket_messages").await;
    assert!(homes <= open, "every message lives on a ticket still open ({homes} homes, {open} open)");
    let dangling: i64 = d
        .db
        .scalar("SELECT count(*) FROM ticket_messages m JOIN support_tickets t ON t.id = m.ticket_id WHERE t.merged_into IS NOT NULL")
        .await;
    assert_eq!(dangling, 0, "nothing stays on a merged ticket");
}
