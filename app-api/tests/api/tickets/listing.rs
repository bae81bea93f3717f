//! `GET /v1/tickets`: every filter alone and combined, full-text search in websearch syntax,
//! keyset pagination that returns each ticket exactly once, newest first, and the checks on
//! the query string.

use std::collections::HashSet;

use serde_json::json;

use super::{Desk, id, newest_first, with_query};
use crate::helpers::Person;

/// `GET /v1/tickets?query` as `who` lists exactly `ids`, newest first.
async fn expect(desk: &Desk, who: &Person, query: &[(&str, &str)], ids: &[i64]) {
    assert_eq!(desk.list(who, query).await, newest_first(ids), "{query:?}");
}

#[tokio::test]
async fn filters_search_and_pages() {
    let desk = Desk::open().await;
    let (c1, c2, agent) = tokio::join!(desk.member("customer"), desk.member("customer"), desk.member("agent"));
    let owner = desk.owner.clone();

    let shipping = id(&desk
        .create(&c1, json!({ "subject": "Parcel stuck in customs", "description": "Since Monday", "category": "shipping", "order_id": 101 }))
        .await);
    let billing = id(&desk
        .create(
            &c2,
            json!({ "subject": "Invoice missing", "description": "Need it for accounting", "category": "billing" }),
        )
        .await);
    let urgent = id(&desk
        .create(&c1, json!({ "subject": "Card charged twice", "description": "Refund the parcel please", "category": "payment_failure" }))
        .await);
    desk.assign(&agent, urgent, Some(&agent)).await;
    let low = id(&desk
        .create(&agent, json!({ "subject": "Feedback", "description": "Nice shop", "priority": "low", "user_id": c2.id, "order_id": 101 }))
        .await);
    desk.assign(&owner, low, Some(&owner)).await;
    desk.set_status(&owner, low, "resolved").await;
    let waiting = id(&desk.create(&c2, json!({ "subject": "Wrong colour", "description": "Blue not red" })).await);
    desk.assign(&agent, waiting, Some(&agent)).await;
    desk.set_status(&agent, waiting, "waiting_customer").await;
    let all = [shipping, billing, urgent, low, waiting];

    let (c1_id, c2_id, agent_id, owner_id) =
        (c1.id.to_string(), c2.id.to_string(), agent.id.to_string(), owner.id.to_string());
    expect(&desk, &owner, &[], &all).await;
    expect(&desk, &owner, &[("status", "open")], &[shipping, billing]).await;
    expect(&desk, &owner, &[("status", "open,in_progress")], &[shipping, billing, urgent]).await;
    expect(&desk, &owner, &[("status", "resolved,waiting_customer")], &[low, waiting]).await;
    expect(&desk, &owner, &[("status", "closed")], &[]).await;
    expect(&desk, &owner, &[("priority", "urgent")], &[urgent]).await;
    expect(&desk, &owner, &[("priority", "low,urgent")], &[urgent, low]).await;
    expect(&desk, &owner, &[("priority", "medium")], &[shipping, billing, waiting]).await;
    expect(&desk, &owner, &[("assigned_to", &agent_id)], &[urgent, waiting]).await;
    expect(&desk, &owner, &[("assigned_to", &owner_id)], &[low]).await;
    expect(&desk, &owner, &[("unassigned", "true")], &[shipping, billing]).await;
    expect(&desk, &owner, &[("unassigned", "false")], &[urgent, low, waiting]).await;
    expect(&desk, &owner, &[("category", "shipping")], &[shipping]).await;
    expect(&desk, &owner, &[("category", "billing")], &[billing]).await;
    expect(&desk, &owner, &[("user_id", &c1_id)], &[shipping, urgent]).await;
    expect(&desk, &owner, &[("user_id", &c2_id)], &[billing, low, waiting]).await;
    expect(&desk, &owner, &[("order_id", "101")], &[shipping, low]).await;
    expect(&desk, &owner, &[("order_id", "102")], &[]).await;
    // Filters combine with AND.
    expect(&desk, &owner, &[("user_id", &c1_id), ("status", "in_progress")], &[urgent]).await;
    expect(&desk, &owner, &[("user_id", &c2_id), ("unassigned", "true")], &[billing]).await;
    expect(&desk, &owner, &[("order_id", "101"), ("priority", "low")], &[low]).await;

    // Full text over subject and description, websearch syntax.
    expect(&desk, &owner, &[("q", "parcel")], &[shipping, urgent]).await;
    expect(&desk, &owner, &[("q", "parcel -refund")], &[shipping]).await;
    expect(&desk, &owner, &[("q", "\"charged twice\"")], &[urgent]).await;
    expect(&desk, &owner, &[("q", "invoice or colour")], &[billing, waiting]).await;
    expect(&desk, &owner, &[("q", "parcel"), ("user_id", &c1_id), ("status", "open")], &[shipping]).await;
    expect(&desk, &owner, &[("q", "unobtainium")], &[]).await;
    // The queue of one customer, seen by themselves, is searchable too.
    assert_eq!(desk.list(&c1, &[("q", "parcel")]).await, newest_first(&[shipping, urgent]));
    assert_eq!(desk.list(&c2, &[("q", "parcel")]).await, Vec::<i64>::new());
}

#[tokio::test]
async fn pages_return_each_ticket_exactly_once_newest_first() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let mut created = Vec::new();
    for n in 0..13 {
        let category = if n % 2 == 0 { "even" } else { "odd" };
        created.push(id(&desk
            .create(&customer, json!({ "subject": format!("Ticket {n}"), "description": "x", "category": category }))
            .await));
    }
    for (query, expected) in [
        (vec![("limit", "4")], created.clone()),
        (vec![("limit", "1")], created.clone()),
        (vec![("limit", "5"), ("category", "even")], created.iter().step_by(2).copied().collect()),
    ] {
        let listed = desk.list(&customer, &query).await;
        assert_eq!(listed, newest_first(&expected), "{query:?}");
        assert_eq!(listed.iter().collect::<HashSet<_>>().len(), listed.len(), "{query:?}: a ticket came twice");
    }
    // The first page holds `limit` tickets and says where to go on.
    let page = desk.get(&customer, "/v1/tickets?limit=4").await.json();
    assert_eq!(page["data"].as_array().unwrap().len(), 4);
    assert!(page["next_cursor"].is_string());
    // Default 50: everything fits in one page.
    let page = desk.get(&customer, "/v1/tickets").await.json();
    assert_eq!(page["data"].as_array().unwrap().len(), 13);
    assert_eq!(page["next_cursor"], serde_json::Value::Null);
    // A ticket created while paging does not push older ones onto the next page twice.
    let first = desk.get(&customer, "/v1/tickets?limit=5").await.json();
    desk.create(&customer, json!({ "subject": "Latecomer", "description": "x" })).await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = desk.get(&customer, &with_query("/v1/tickets", &[("limit", "5"), ("cursor", cursor)])).await.json();
    let first_ids: HashSet<i64> = super::ids_of(&first).into_iter().collect();
    assert!(super::ids_of(&second).iter().all(|id| !first_ids.contains(id)), "{first} / {second}");
}

#[tokio::test]
async fn the_query_string_is_checked() {
    let desk = Desk::open().await;
    let owner = desk.owner.clone();
    for (query, status) in [
        ("colour=red", 400),
        ("status=done", 400),
        ("status=open,done", 400),
        ("priority=critical", 400),
        ("assigned_to=not-a-uuid", 400),
        ("order_id=abc", 400),
        ("limit=0", 422),
        ("limit=101", 422),
        ("cursor=not-a-cursor", 422),
        ("q=", 422),
    ] {
        let response = desk.get(&owner, &format!("/v1/tickets?{query}")).await;
        assert_eq!(response.status.as_u16(), status, "{query}: {}", response.body);
        response.assert_problem(status, "validation_failed");
    }
    let too_long = "a".repeat(201);
    desk.get(&owner, &with_query("/v1/tickets", &[("q", &too_long)])).await.assert_problem(422, "validation_failed");
    assert_eq!(desk.get(&owner, "/v1/tickets?limit=100").await.status, 200);
}

#[tokio::test]
async fn search_reads_threads_but_never_internal_notes_for_customers() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let ticket = id(&desk.create(&customer, json!({ "subject": "Broken lamp", "description": "It flickers" })).await);
    let other = id(&desk.create(&customer, json!({ "subject": "Late parcel", "description": "Still waiting" })).await);
    desk.say(&agent, ticket, "Replacement <b>bulb</b> shipped with the courier", false).await;
    desk.say(&agent, ticket, "Customer sounds like a <i>fraudster</i>", true).await;

    // Words of a public message find the ticket for everyone who sees it; tags are not words.
    for who in [&customer, &agent, &desk.owner] {
        expect(&desk, who, &[("q", "courier")], &[ticket]).await;
        expect(&desk, who, &[("q", "bulb")], &[ticket]).await;
    }
    expect(&desk, &customer, &[("q", "b")], &[]).await;
    // A word only in an internal note finds it for staff, and nothing for the customer.
    expect(&desk, &agent, &[("q", "fraudster")], &[ticket]).await;
    expect(&desk, &desk.owner, &[("q", "fraudster")], &[ticket]).await;
    expect(&desk, &customer, &[("q", "fraudster")], &[]).await;
    // A ticket and its thread are one document: a query's words may come from both.
    expect(&desk, &customer, &[("q", "parcel OR courier")], &[ticket, other]).await;
    expect(&desk, &customer, &[("q", "lamp courier")], &[ticket]).await;
    expect(&desk, &customer, &[("q", "courier -lamp")], &[]).await;
    expect(&desk, &agent, &[("q", "lamp fraudster")], &[ticket]).await;
    expect(&desk, &customer, &[("q", "lamp -fraudster")], &[ticket]).await;
    expect(&desk, &agent, &[("q", "lamp -fraudster")], &[]).await;
}

/// Each listed ticket carries its SLA badge and the caller's unread count; the queue filters on
/// breached and at-risk tickets and lists oldest first on demand.
#[tokio::test]
async fn list_items_carry_sla_badges_and_unread_counts() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let fresh = id(&desk.create(&customer, json!({ "subject": "Fresh", "description": "x" })).await);
    let late = id(&desk.create(&customer, json!({ "subject": "Late", "description": "x" })).await);
    let close = id(&desk.create(&customer, json!({ "subject": "Close", "description": "x" })).await);
    let paused = id(&desk.create(&customer, json!({ "subject": "Paused", "description": "x" })).await);
    desk.set_status(&agent, paused, "in_progress").await;
    desk.say(&agent, paused, "Which size did you order?", false).await;
    desk.say(&agent, paused, "Internal: check the stock", true).await;
    desk.set_status(&agent, paused, "waiting_customer").await;
    // Medium: 240 minutes to respond by default. One ticket past due, one with 10 minutes left.
    desk.db
        .execute(&format!(
            "UPDATE support_tickets SET response_due_at = now() - interval '5 minutes' WHERE id = {late};
             UPDATE support_tickets SET response_due_at = now() + interval '10 minutes',
               response_risk_at = now() - interval '50 minutes' WHERE id = {close}"
        ))
        .await;

    let page = desk.get(&agent, "/v1/tickets").await.json();
    let item = |ticket: i64| page["data"].as_array().unwrap().iter().find(|t| t["id"] == ticket).unwrap().clone();
    let badge = item(fresh)["sla"].clone();
    assert_eq!((badge["clock"].as_str(), badge["next"].as_str()), (Some("running"), Some("response")));
    assert!(badge["due_at"].is_string());
    assert_eq!((badge["at_risk"].as_bool(), badge["response_breached"].as_bool()), (Some(false), Some(false)));
    assert_eq!(item(late)["sla"]["response_breached"], true);
    assert_eq!(item(close)["sla"]["at_risk"], true);
    let waiting = item(paused)["sla"].clone();
    assert_eq!((waiting["clock"].as_str(), waiting["due_at"].is_null()), (Some("paused"), true));

    // The customer has one unread public message there (the note is not theirs to read); staff none.
    let mine = desk.get(&customer, "/v1/tickets").await.json();
    let unread = |page: &serde_json::Value, ticket: i64| {
        page["data"].as_array().unwrap().iter().find(|t| t["id"] == ticket).unwrap()["unread_count"].as_i64()
    };
    assert_eq!(unread(&mine, paused), Some(1));
    assert_eq!(unread(&page, paused), Some(0));
    desk.say(&customer, paused, "Size M", false).await;
    let page = desk.get(&agent, "/v1/tickets").await.json();
    assert_eq!(unread(&page, paused), Some(1));

    expect(&desk, &agent, &[("sla", "breached")], &[late]).await;
    expect(&desk, &agent, &[("sla", "at_risk")], &[close]).await;
    expect(&desk, &agent, &[("sla", "at_risk"), ("status", "resolved")], &[]).await;
    let oldest = desk.list(&agent, &[("sort", "oldest"), ("limit", "2")]).await;
    assert_eq!(oldest, [fresh, late, close, paused]);
    let first = desk.get(&agent, "/v1/tickets?sort=oldest&limit=2").await.json();
    let cursor = first["next_cursor"].as_str().unwrap();
    let next =
        desk.get(&agent, &with_query("/v1/tickets", &[("sort", "oldest"), ("limit", "2"), ("cursor", cursor)])).await;
    assert_eq!(super::ids_of(&next.json()), [close, paused]);
    for query in ["sla=late", "sort=priority"] {
        desk.get(&agent, &format!("/v1/tickets?{query}")).await.assert_problem(400, "validation_failed");
    }
}
