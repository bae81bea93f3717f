//! `GET /v1/tickets/{id}?include=`: the thread's first page, the links and the customer's panel
//! carried with the ticket, each exactly as its own route answers it (the thread's marking read
//! included), for whom that route answers; an unknown part is refused before anything is read.

use serde_json::{Value, json};

use super::{Desk, error_fields, id, ids_of};

#[tokio::test]
async fn a_ticket_carries_its_thread_links_and_customer_as_their_routes_answer_them() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let t = id(&desk.create(&customer, json!({ "subject": "Cracked teapot", "description": "The spout" })).await);
    let other = id(&desk.create(&customer, json!({ "subject": "Lid missing", "description": "No lid" })).await);
    desk.assign(&agent, t, Some(&agent)).await;
    let question = id(&desk.say(&customer, t, "A photo?", false).await);
    let answer = id(&desk.say(&agent, t, "Please send one", false).await);
    let note = id(&desk.say(&agent, t, "Loyal customer", true).await);
    let linked =
        desk.post(&agent, &format!("/v1/tickets/{t}/links"), &json!({ "ticket_id": other, "kind": "related" })).await;
    assert_eq!(linked.status, 201, "{}", linked.body);

    // Without `include`, the ticket as before.
    let plain = desk.ticket(&agent, t).await;
    assert!(plain.get("included").is_none(), "{plain}");
    assert_eq!(plain["unread_count"], 1, "the question");

    let full = desk.get(&agent, &format!("/v1/tickets/{t}?include=messages,links,customer")).await;
    assert_eq!(full.status, 200, "{}", full.body);
    let full = full.json();
    assert_eq!(full["id"], t);
    assert_eq!(full["subject"], "Cracked teapot");
    let included = &full["included"];
    assert_eq!(ids_of(&included["messages"]), [question, answer, note]);
    assert_eq!(included["messages"]["next_cursor"], Value::Null);
    // Reading the thread marked the question read, as the thread's route does, and the count
    // answered with it says so.
    assert!(included["messages"]["data"][0]["read_at"].is_string(), "{included}");
    assert_eq!(full["unread_count"], 0);
    assert_eq!(desk.ticket(&agent, t).await["unread_count"], 0);
    let read = desk
        .db
        .scalar(&format!("SELECT count(*) FROM ticket_messages WHERE id = {question} AND read_at IS NOT NULL"))
        .await;
    assert_eq!(read, 1);
    // Each part is what its own route answers.
    assert_eq!(included["messages"], desk.get(&agent, &format!("/v1/tickets/{t}/messages")).await.json());
    assert_eq!(included["links"], desk.get(&agent, &format!("/v1/tickets/{t}/links")).await.json());
    assert_eq!(included["links"][0]["ticket_id"], other);
    assert_eq!(included["customer"], desk.get(&agent, &format!("/v1/tickets/{t}/customer")).await.json());
    assert_eq!(included["customer"]["customer"]["id"], customer.id.to_string());

    // Only what was asked for; a part named twice is named once.
    let links = desk.get(&agent, &format!("/v1/tickets/{t}?include=links,links")).await.json();
    assert_eq!(links["included"].as_object().unwrap().keys().collect::<Vec<_>>(), ["links"]);

    // A customer reads their thread without the note, and marks the answer read.
    let theirs = desk.get(&customer, &format!("/v1/tickets/{t}?include=messages")).await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    let theirs = theirs.json();
    assert_eq!(ids_of(&theirs["included"]["messages"]), [question, answer]);
    assert_eq!(theirs["unread_count"], 0);
    assert_eq!(theirs["included"]["messages"], desk.get(&customer, &format!("/v1/tickets/{t}/messages")).await.json());
    let read = desk
        .db
        .scalar(&format!("SELECT count(*) FROM ticket_messages WHERE id = {answer} AND read_at IS NOT NULL"))
        .await;
    assert_eq!(read, 1);
}

#[tokio::test]
async fn include_is_refused_when_unknown_and_the_ticket_hidden_from_whom_it_was() {
    let desk = Desk::open().await;
    desk.agent_access("assigned").await;
    let (customer, agent, colleague) =
        tokio::join!(desk.member("customer"), desk.member("agent"), desk.member("agent"));
    let t = id(&desk.create(&customer, json!({ "subject": "Refund", "description": "Still waiting" })).await);
    desk.assign(&desk.owner, t, Some(&agent)).await;
    desk.say(&agent, t, "On it", false).await;

    for bad in ["messages,history", "", "messages,", "MESSAGES"] {
        let refused = desk.get(&agent, &format!("/v1/tickets/{t}?include={bad}")).await;
        refused.assert_problem(400, "validation_failed");
        assert_eq!(error_fields(&refused), ["include"], "{bad}");
    }
    // Links and the customer's panel are for staff, as their routes are.
    for part in ["links", "customer", "messages,customer"] {
        desk.get(&customer, &format!("/v1/tickets/{t}?include={part}")).await.assert_problem(403, "forbidden");
    }
    // A ticket the caller may not see does not exist, whatever is asked with it; nothing is read.
    let path = format!("/v1/tickets/{t}?include=messages,links,customer");
    desk.get(&colleague, &path).await.assert_problem(404, "not_found");
    let neighbour = desk.member("customer").await;
    desk.get(&neighbour, &format!("/v1/tickets/{t}?include=messages")).await.assert_problem(404, "not_found");
    desk.get(&agent, &format!("/v1/tickets/{}?include=messages", t + 1000)).await.assert_problem(404, "not_found");
    let other_org = desk.platform.org().await;
    desk.app.get(&other_org.slug, &path, Some(&other_org.owner_token)).await.assert_problem(404, "not_found");
    let unread = desk
        .db
        .scalar(&format!("SELECT count(*) FROM ticket_messages WHERE ticket_id = {t} AND read_at IS NULL"))
        .await;
    assert_eq!(unread, 1, "the hidden reads marked nothing");
}
