//! Ticket messages: content sanitised against XSS (descriptions too), `read_at` marked for the
//! side that reads, unread counts, the first response, and cursor pagination of a thread.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::{Desk, id, with_query};

#[tokio::test]
async fn html_is_sanitised_and_safe_markup_kept() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let ticket = desk
        .create(
            &customer,
            json!({
                "subject": "Broken link",
                "description": "<p onclick=\"steal()\">See <img src=x onerror=alert(1)> this</p><script>alert(2)</script>"
            }),
        )
        .await;
    let description = ticket["description"].as_str().unwrap();
    for banned in ["<script", "alert(2)", "onerror", "onclick"] {
        assert!(!description.contains(banned), "{banned} kept in {description}");
    }
    assert!(description.contains("<p>"), "{description}");
    let t = id(&ticket);

    let said = desk.say(&customer, t, "<script>alert(1)</script><b>hi</b>", false).await;
    assert_eq!(said["message"], "<b>hi</b>");
    assert_eq!(said["sender_type"], "customer");
    assert_eq!(said["sender_id"], customer.id.to_string());
    assert_eq!(said["ticket_id"], t);
    assert_eq!(said["attachments"], json!([]));
    for field in ["id", "is_internal", "read_at", "created_at", "updated_at"] {
        assert!(said.get(field).is_some(), "{field} missing from {said}");
    }
    // Admins and owners write as staff.
    let staff = desk.say(&desk.owner, t, "We are on it", false).await;
    assert_eq!(staff["sender_type"], "agent");
    let link = desk
        .say(
            &agent,
            t,
            "<a href=\"javascript:alert(1)\" onmouseover=\"x()\">bad</a> <a href=\"https://example.org/help\">good</a>",
            false,
        )
        .await;
    let link = link["message"].as_str().unwrap();
    assert!(!link.contains("javascript:") && !link.contains("onmouseover"), "{link}");
    assert!(link.contains("https://example.org/help"), "{link}");
    assert_eq!(link.matches("<a").count(), 2, "both links stay, the bad one without its href: {link}");

    // What is stored is the sanitised text, not only what is answered.
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT message FROM ticket_messages WHERE ticket_id = $1 ORDER BY id")
            .bind(t)
            .fetch_all(&desk.db.pool)
            .await
            .unwrap();
    assert_eq!(stored[0], "<b>hi</b>");
    assert!(stored.iter().all(|m| !m.contains("script") && !m.contains("javascript:")), "{stored:?}");
    let stored_description: String = sqlx::query_scalar("SELECT description FROM support_tickets WHERE id = $1")
        .bind(t)
        .fetch_one(&desk.db.pool)
        .await
        .unwrap();
    assert!(!stored_description.contains("onerror"), "{stored_description}");
}

#[tokio::test]
async fn reading_marks_the_other_sides_messages_read() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let t = id(&desk.create(&customer, json!({ "subject": "Wrong size", "description": "Too small" })).await);
    desk.assign(&agent, t, Some(&agent)).await;
    let path = format!("/v1/tickets/{t}/messages");

    // No staff answer yet: the response clock has not been met.
    let question = id(&desk.say(&customer, t, "Can I swap it?", false).await);
    let note = id(&desk.say(&agent, t, "Check the stock first", true).await);
    assert_eq!(desk.ticket(&agent, t).await["sla"]["first_response_at"], Value::Null, "an internal note is no answer");
    let answer = id(&desk.say(&agent, t, "Yes, sending a bigger one", false).await);
    let sla = desk.ticket(&agent, t).await["sla"].clone();
    assert!(sla["first_response_at"].is_string(), "{sla}");
    for field in ["response_due_at", "resolution_due_at", "paused_seconds", "response_breached", "resolution_breached"]
    {
        assert!(sla.get(field).is_some(), "{field} missing from {sla}");
    }

    assert_eq!(desk.ticket(&customer, t).await["unread_count"], 1, "the public answer");
    assert_eq!(desk.ticket(&agent, t).await["unread_count"], 1, "the question");
    assert_eq!(desk.ticket(&desk.owner, t).await["unread_count"], 1, "the question, for all staff");

    // The customer reads: the answer is marked, their own question and the note are not.
    let read = desk.get(&customer, &path).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(ids(&read.json()), [question, answer]);
    let read_at = read_at_by_id(&desk, t).await;
    assert!(read_at[&answer], "the answer is read");
    assert!(!read_at[&question], "the customer's own message is not read by reading it");
    assert!(!read_at[&note], "the customer never saw the note");
    assert_eq!(desk.ticket(&customer, t).await["unread_count"], 0);
    assert_eq!(desk.ticket(&agent, t).await["unread_count"], 1, "staff have not read yet");
    // The second read shows the mark.
    let again = desk.get(&customer, &path).await.json();
    let answer_json = again["data"].as_array().unwrap().iter().find(|m| id(m) == answer).unwrap().clone();
    assert!(answer_json["read_at"].is_string(), "{answer_json}");

    // Staff read: the question is marked, for every member of staff.
    assert_eq!(desk.get(&agent, &path).await.status, 200);
    let read_at = read_at_by_id(&desk, t).await;
    assert!(read_at[&question]);
    assert!(!read_at[&note], "staff's own note is not from the other side");
    assert_eq!(desk.ticket(&agent, t).await["unread_count"], 0);
    assert_eq!(desk.ticket(&desk.owner, t).await["unread_count"], 0);

    // A new message is unread again.
    desk.say(&agent, t, "It shipped", false).await;
    assert_eq!(desk.ticket(&customer, t).await["unread_count"], 1);
}

#[tokio::test]
async fn a_long_thread_pages_oldest_first() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let t = id(&desk.create(&customer, json!({ "subject": "Chatty", "description": "Many messages" })).await);
    desk.assign(&agent, t, Some(&agent)).await;
    let mut written = Vec::new();
    for n in 0..11 {
        let (who, internal) = match n % 3 {
            0 => (&customer, false),
            1 => (&agent, false),
            _ => (&agent, true),
        };
        written.push((id(&desk.say(who, t, &format!("message {n}"), internal).await), internal));
    }

    for (who, expected) in [
        (&agent, written.iter().map(|(id, _)| *id).collect::<Vec<_>>()),
        (&customer, written.iter().filter(|(_, internal)| !internal).map(|(id, _)| *id).collect()),
    ] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut query = vec![("limit", "3")];
            if let Some(cursor) = &cursor {
                query.push(("cursor", cursor.as_str()));
            }
            let page = desk.get(who, &with_query(&format!("/v1/tickets/{t}/messages"), &query)).await;
            assert_eq!(page.status, 200, "{}", page.body);
            let page = page.json();
            let page_ids = ids(&page);
            assert!(page_ids.len() <= 3);
            seen.extend(page_ids);
            pages += 1;
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
            assert!(pages <= 10, "the cursor never ends");
        }
        assert_eq!(seen, expected, "{} pages through the thread once, oldest first", who.role);
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
        assert_eq!(pages, expected.len().div_ceil(3));
    }
    desk.get(&agent, &format!("/v1/tickets/{t}/messages?limit=0")).await.assert_problem(422, "validation_failed");
    desk.get(&agent, &format!("/v1/tickets/{t}/messages?cursor=garbage"))
        .await
        .assert_problem(422, "validation_failed");
}

fn ids(page: &Value) -> Vec<i64> {
    super::ids_of(page)
}

/// Whether each message of `ticket` has been read, straight from the table.
async fn read_at_by_id(desk: &Desk, ticket: i64) -> std::collections::HashMap<i64, bool> {
    let rows: Vec<(i64, bool)> =
        sqlx::query_as("SELECT id, read_at IS NOT NULL FROM ticket_messages WHERE ticket_id = $1")
            .bind(ticket)
            .fetch_all(&desk.db.pool)
            .await
            .unwrap();
    rows.into_iter().collect()
}

/// How many messages ticket `t` holds (internal notes included), read in the database.
async fn messages_of(desk: &Desk, t: i64) -> i64 {
    desk.db.scalar(&format!("SELECT count(*) FROM ticket_messages WHERE ticket_id = {t}")).await
}

#[tokio::test]
async fn a_reply_sets_a_status_with_it_or_nothing_is_written() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let t = id(&desk.create(&customer, json!({ "subject": "Refund", "description": "Still waiting" })).await);
    let path = format!("/v1/tickets/{t}/messages");

    // A customer's status is refused, and their message with it; so is a status that is none.
    let before = desk.counts().await;
    desk.post(&customer, &path, &json!({ "message": "Thanks!", "status": "closed" }))
        .await
        .assert_problem(403, "forbidden");
    let unknown = desk.post(&agent, &path, &json!({ "message": "Done", "status": "done" })).await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert_eq!(desk.counts().await, before, "a refused reply wrote something");

    // "Send and resolve" on an open ticket nobody holds: the sender takes it, then resolves it,
    // with the message, in one request.
    let mark = desk.mark().await;
    let sent = desk.post(&agent, &path, &json!({ "message": "Refund sent today.", "status": "resolved" })).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let ticket = desk.ticket(&agent, t).await;
    assert_eq!((&ticket["status"], &ticket["assigned_to"]), (&json!("resolved"), &json!(agent.id.to_string())));
    let step = desk.since(&mark).await;
    assert_eq!(step.moves(), [("open", "in_progress"), ("in_progress", "resolved")], "{step:?}");
    assert_eq!(super::count_action(&step.history, "assigned"), 1);
    assert!(step.keys().contains(&"sav.ticket.message_added") && step.keys().contains(&"sav.ticket.resolved"));
    assert_eq!(step.event("sav.ticket.message_added").payload["data"]["message_id"], sent.json()["id"]);

    // The status it has already: no move, no error, the message posted.
    let mark = desk.mark().await;
    let again = desk.post(&agent, &path, &json!({ "message": "Receipt attached.", "status": "resolved" })).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert!(desk.since(&mark).await.moves().is_empty());

    // A move the status route refuses refuses the message too: no message, history nor event.
    let (messages, mark) = (messages_of(&desk, t).await, desk.mark().await);
    let refused = desk.post(&agent, &path, &json!({ "message": "One more thing", "status": "waiting_customer" })).await;
    let problem = refused.assert_problem(409, "invalid_transition");
    assert_eq!(problem["allowed"], json!(["in_progress"]));
    assert!(desk.since(&mark).await.is_empty(), "the refused move left something");
    assert_eq!(messages_of(&desk, t).await, messages, "the refused move left its message");
}

#[tokio::test]
async fn two_of_the_staff_sending_and_resolving_at_once_make_one_move() {
    let desk = Desk::open().await;
    let (customer, first) = tokio::join!(desk.member("customer"), desk.member("agent"));
    // The assignee and an admin (who sees every ticket) answer at the same moment.
    let second = &desk.owner;
    let t = id(&desk.create(&customer, json!({ "subject": "Broken lid", "description": "Cracked" })).await);
    desk.assign(&first, t, Some(&first)).await;
    let path = format!("/v1/tickets/{t}/messages");
    let mark = desk.mark().await;
    let (one, two) = (
        json!({ "message": "A new lid is on its way.", "status": "resolved" }),
        json!({ "message": "We are sending a new lid.", "status": "resolved" }),
    );
    let (a, b) = tokio::join!(desk.post(&first, &path, &one), desk.post(second, &path, &two));
    assert_eq!((a.status.as_u16(), b.status.as_u16()), (201, 201), "{} / {}", a.body, b.body);
    let step = desk.since(&mark).await;
    assert_eq!(step.moves(), [("in_progress", "resolved")], "{step:?}");
    assert_eq!(step.keys().iter().filter(|k| **k == "sav.ticket.message_added").count(), 2);
    assert_eq!(desk.ticket(&first, t).await["status"], "resolved");
}
