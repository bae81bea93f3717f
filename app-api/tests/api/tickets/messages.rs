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
