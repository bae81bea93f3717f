//! The status life cycle through the API: every transition of the seed's state machine with its
//! side effects (assignment, the customer's answer, resolved_at, closed_at), the refusals with
//! the `allowed` list, `closed` being final, and the history rows and outbox events each step
//! writes, in order.

use serde_json::{Value, json};

use super::{Desk, count_action, id, sorted_strings};
use crate::helpers::Person;

/// `POST /v1/tickets/{id}/status` that must be refused as an invalid transition; the `allowed`
/// list, sorted.
async fn refused(desk: &Desk, who: &Person, ticket: i64, status: &str) -> Vec<String> {
    let response = desk.post(who, &format!("/v1/tickets/{ticket}/status"), &json!({ "status": status })).await;
    let problem = response.assert_problem(409, "invalid_transition");
    sorted_strings(&problem["allowed"])
}

/// The envelope every event carries.
fn assert_envelope(desk: &Desk, event: &super::Event, name: &str, ticket: i64) {
    let payload = &event.payload;
    assert_eq!(payload["event"], name, "{payload}");
    assert_eq!(payload["message_id"], event.message_id.to_string(), "{payload}");
    assert!(payload["timestamp"].is_string(), "{payload}");
    assert_eq!(payload["tenant"]["slug"], desk.org.slug.as_str(), "{payload}");
    assert!(payload["tenant"]["id"].is_string(), "{payload}");
    assert_eq!(payload["data"]["ticket_id"], ticket, "{payload}");
}

#[tokio::test]
#[allow(clippy::too_many_lines, reason = "one ticket's whole life, told in order")]
async fn a_ticket_goes_from_open_to_closed_and_stays_closed() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));

    // Created: open, unassigned, with a ticket number.
    let mark = desk.mark().await;
    let created = desk
        .post(
            &customer,
            "/v1/tickets",
            &json!({ "subject": "  Parcel lost  ", "description": "Tracking says delivered", "category": "shipping" }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let ticket = created.json();
    let t = id(&ticket);
    assert_eq!(created.header("location"), Some(format!("/v1/tickets/{t}").as_str()));
    for field in [
        "id",
        "ticket_number",
        "user_id",
        "subject",
        "description",
        "priority",
        "status",
        "category",
        "assigned_to",
        "order_id",
        "metadata",
        "resolved_at",
        "closed_at",
        "created_at",
        "updated_at",
    ] {
        assert!(ticket.get(field).is_some(), "{field} missing from {ticket}");
    }
    // The organisation's first ticket (`numbers` has the count).
    assert_eq!(ticket["ticket_number"], "TKT-1", "{ticket}");
    assert_eq!(ticket["subject"], "Parcel lost", "the subject is trimmed");
    assert_eq!(ticket["status"], "open");
    assert_eq!(ticket["priority"], "medium");
    assert_eq!(ticket["user_id"], customer.id.to_string());
    assert_eq!(ticket["assigned_to"], Value::Null);
    assert!(ticket["metadata"].is_object());
    let step = desk.since(&mark).await;
    assert_eq!(step.actions(), ["created"]);
    assert_eq!(step.history[0].actor_id, Some(customer.id));
    assert_eq!(step.keys(), ["sav.ticket.created"]);
    let event = step.event("sav.ticket.created");
    assert_envelope(&desk, event, "TicketCreated", t);
    assert_eq!(event.payload["data"]["ticket_number"], ticket["ticket_number"]);
    assert_eq!(event.payload["data"]["category"], "shipping");
    // The seed's fields of each event.
    let data = &event.payload["data"];
    assert_eq!(data["user_id"], customer.id.to_string());
    assert_eq!(
        (&data["subject"], &data["priority"], &data["status"]),
        (&json!("Parcel lost"), &json!("medium"), &json!("open"))
    );
    assert_eq!(data["order_id"], Value::Null);

    // Nobody resolves an open ticket; the customer cannot move it at all.
    assert_eq!(refused(&desk, &agent, t, "resolved").await, ["closed", "in_progress"]);
    assert!(refused(&desk, &customer, t, "in_progress").await.is_empty());
    // A customer does not assign.
    desk.post(&customer, &format!("/v1/tickets/{t}/assign"), &json!({ "assigned_to": agent.id }))
        .await
        .assert_problem(403, "forbidden");

    // Assigned: open -> in_progress.
    let mark = desk.mark().await;
    let assigned = desk.assign(&agent, t, Some(&agent)).await;
    assert_eq!(assigned["status"], "in_progress");
    assert_eq!(assigned["assigned_to"], agent.id.to_string());
    let step = desk.since(&mark).await;
    assert_eq!(count_action(&step.history, "assigned"), 1);
    assert_eq!(step.moves(), [("open", "in_progress")], "{step:?}");
    assert_eq!(step.keys(), ["sav.ticket.assigned", "sav.ticket.status_changed"]);
    let event = step.event("sav.ticket.assigned");
    assert_envelope(&desk, event, "TicketAssigned", t);
    assert_eq!(event.payload["data"]["assigned_to"], agent.id.to_string());
    assert_eq!(event.payload["data"]["previous_status"], "open");
    assert_eq!(event.payload["data"]["new_status"], "in_progress");
    assert_eq!(event.payload["data"]["assigned_by"], agent.id.to_string());

    // The agent asks the customer something.
    let mark = desk.mark().await;
    let waiting = desk
        .post(&agent, &format!("/v1/tickets/{t}/status"), &json!({ "status": "waiting_customer", "reason": "Photo?" }))
        .await;
    assert_eq!(waiting.status, 200, "{}", waiting.body);
    assert_eq!(waiting.json()["status"], "waiting_customer");
    let step = desk.since(&mark).await;
    assert_eq!(step.moves(), [("in_progress", "waiting_customer")], "{step:?}");
    assert_eq!(step.history[0].reason.as_deref(), Some("Photo?"));
    assert_eq!(step.history[0].actor_kind, "agent");
    assert_eq!(step.keys(), ["sav.ticket.status_changed"]);
    let event = step.event("sav.ticket.status_changed");
    assert_envelope(&desk, event, "TicketStatusChanged", t);
    assert_eq!(event.payload["data"]["previous_status"], "in_progress");
    assert_eq!(event.payload["data"]["new_status"], "waiting_customer");
    assert_eq!(event.payload["data"]["reason"], "Photo?");
    assert_eq!(event.payload["data"]["changed_by"], agent.id.to_string());
    assert_eq!(event.payload["data"]["user_id"], customer.id.to_string());
    // The customer answers by writing, not by moving the status, and cannot resolve.
    assert_eq!(refused(&desk, &customer, t, "resolved").await, ["in_progress"]);

    // The customer's message puts the ticket back in the agent's hands.
    let mark = desk.mark().await;
    let photo = desk.say(&customer, t, "Here is the photo", false).await;
    assert_eq!(desk.ticket(&customer, t).await["status"], "in_progress");
    let step = desk.since(&mark).await;
    assert_eq!(step.moves(), [("waiting_customer", "in_progress")], "{step:?}");
    assert_eq!(step.keys(), ["sav.ticket.message_added", "sav.ticket.status_changed"]);
    let event = step.event("sav.ticket.message_added");
    assert_envelope(&desk, event, "MessageAdded", t);
    let data = &event.payload["data"];
    assert_eq!(data["message_id"], photo["id"]);
    assert_eq!(data["sender_id"], customer.id.to_string());
    assert_eq!(data["sender_type"], "customer");
    assert_eq!(data["is_internal"], false);
    assert_eq!((&data["has_attachments"], &data["attachment_count"]), (&json!(false), &json!(0)));

    // Customers never resolve; agents cannot close a running ticket.
    assert!(refused(&desk, &customer, t, "resolved").await.is_empty());
    assert_eq!(refused(&desk, &agent, t, "closed").await, ["open", "resolved", "waiting_customer"]);

    // Resolved.
    let mark = desk.mark().await;
    let resolved = desk.set_status(&agent, t, "resolved").await;
    assert_eq!(resolved["status"], "resolved");
    assert!(resolved["resolved_at"].is_string(), "{resolved}");
    assert_eq!(resolved["closed_at"], Value::Null);
    let step = desk.since(&mark).await;
    assert_eq!(step.moves(), [("in_progress", "resolved")], "{step:?}");
    assert_eq!(step.keys(), ["sav.ticket.resolved", "sav.ticket.status_changed"]);
    let event = step.event("sav.ticket.resolved");
    assert_envelope(&desk, event, "TicketResolved", t);
    assert!(event.payload["data"]["resolution_time_minutes"].is_number(), "{}", event.payload);
    assert_eq!(event.payload["data"]["sla_met"], true, "resolved within minutes: {}", event.payload);
    assert_eq!(event.payload["data"]["resolved_by"], agent.id.to_string());
    assert_eq!(event.payload["data"]["category"], "shipping");
    // Only the customer (or time) closes a resolved ticket; staff may reopen it.
    assert_eq!(refused(&desk, &agent, t, "closed").await, ["in_progress"]);
    assert_eq!(desk.ticket(&agent, t).await["allowed_statuses"], json!(["in_progress"]));

    // Staff reopen with a reason, never without: the history keeps it, the move is an event.
    let mark = desk.mark().await;
    let bare = desk.post(&agent, &format!("/v1/tickets/{t}/status"), &json!({ "status": "in_progress" })).await;
    assert_eq!(bare.assert_problem(422, "validation_failed")["errors"][0]["field"], "reason");
    let blank = desk
        .post(&agent, &format!("/v1/tickets/{t}/status"), &json!({ "status": "in_progress", "reason": "  " }))
        .await;
    assert_eq!(blank.assert_problem(422, "validation_failed")["errors"][0]["field"], "reason");
    let long = "x".repeat(1_001);
    let too_long = desk
        .post(&agent, &format!("/v1/tickets/{t}/status"), &json!({ "status": "in_progress", "reason": long }))
        .await;
    assert_eq!(too_long.assert_problem(422, "validation_failed")["errors"][0]["field"], "reason");
    assert!(desk.since(&mark).await.is_empty(), "a refused reopening wrote something");
    let reopened = desk
        .post(
            &agent,
            &format!("/v1/tickets/{t}/status"),
            &json!({ "status": "in_progress", "reason": "The customer called: the part broke again" }),
        )
        .await;
    assert_eq!(reopened.status, 200, "{}", reopened.body);
    let reopened = reopened.json();
    assert_eq!((&reopened["status"], &reopened["assigned_to"]), (&json!("in_progress"), &json!(agent.id.to_string())));
    let step = desk.since(&mark).await;
    assert_eq!(step.moves(), [("resolved", "in_progress")], "{step:?}");
    assert_eq!(step.history[0].reason.as_deref(), Some("The customer called: the part broke again"));
    assert_eq!((step.history[0].actor_kind.as_str(), step.history[0].actor_id), ("agent", Some(agent.id)));
    assert_eq!(step.keys(), ["sav.ticket.status_changed"]);
    let event = step.event("sav.ticket.status_changed");
    assert_eq!(event.payload["data"]["previous_status"], "resolved");
    assert_eq!(event.payload["data"]["changed_by"], agent.id.to_string());
    // Resolved again, for the customer to confirm.
    desk.set_status(&agent, t, "resolved").await;

    // The customer confirms.
    let mark = desk.mark().await;
    let closed = desk.set_status(&customer, t, "closed").await;
    assert_eq!(closed["status"], "closed");
    assert!(closed["closed_at"].is_string(), "{closed}");
    assert!(closed["resolved_at"].is_string(), "closing keeps resolved_at: {closed}");
    let step = desk.since(&mark).await;
    assert_eq!(step.moves(), [("resolved", "closed")], "{step:?}");
    assert_eq!(step.history[0].actor_kind, "customer");
    assert_eq!(step.history[0].actor_id, Some(customer.id));
    assert_eq!(step.keys(), ["sav.ticket.status_changed"]);

    assert!(desk.history(t).await.iter().all(|h| h.ticket_id == t));

    // Closed is final: no transition, no edit, no assignment, no message, and nothing written.
    let mark = desk.mark().await;
    let before = desk.ticket(&desk.owner, t).await;
    for (who, to) in
        [(&agent, "in_progress"), (&customer, "in_progress"), (&desk.owner, "open"), (&desk.owner, "closed")]
    {
        assert!(refused(&desk, who, t, to).await.is_empty(), "{} to {to}", who.role);
    }
    desk.patch(&agent, &format!("/v1/tickets/{t}"), &json!({ "subject": "Reopen please" }))
        .await
        .assert_problem(409, "ticket_closed");
    desk.post(&desk.owner, &format!("/v1/tickets/{t}/assign"), &json!({ "assigned_to": null }))
        .await
        .assert_problem(409, "ticket_closed");
    for who in [&customer, &agent] {
        desk.post(who, &format!("/v1/tickets/{t}/messages"), &json!({ "message": "Still there?" }))
            .await
            .assert_problem(409, "ticket_closed");
    }
    assert!(desk.since(&mark).await.is_empty());
    let after = desk.ticket(&desk.owner, t).await;
    assert_eq!(after["updated_at"], before["updated_at"]);

    // The history endpoint tells the same story as the table, to staff only.
    let rows = desk.history(t).await;
    let listed = desk.get(&agent, &format!("/v1/tickets/{t}/history")).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let listed = listed.json();
    let actions: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert_eq!(actions, rows.iter().map(|h| h.action.as_str()).collect::<Vec<_>>());
    assert_eq!(actions.first(), Some(&"created"));
    let first = &listed["data"][0];
    for field in
        ["id", "actor_id", "actor_kind", "action", "from_status", "to_status", "reason", "changes", "created_at"]
    {
        assert!(first.get(field).is_some(), "{field} missing from {first}");
    }
    assert_eq!(first["actor_id"], customer.id.to_string());
    assert!(listed.get("next_cursor").is_some(), "{listed}");
    desk.get(&customer, &format!("/v1/tickets/{t}/history")).await.assert_problem(403, "forbidden");
}

#[tokio::test]
async fn assignment_and_reopening_have_their_side_effects() {
    let desk = Desk::open().await;
    let (customer, agent, other) = tokio::join!(desk.member("customer"), desk.member("agent"), desk.member("agent"));
    let t =
        id(&desk.create(&customer, json!({ "subject": "Scratched screen", "description": "Out of the box" })).await);

    // Moving an unassigned ticket to in_progress takes it.
    let taken = desk.set_status(&agent, t, "in_progress").await;
    assert_eq!(taken["assigned_to"], agent.id.to_string(), "{taken}");

    // The same assignee again changes nothing and writes nothing.
    let before = desk.ticket(&agent, t).await;
    let mark = desk.mark().await;
    let again = desk.assign(&agent, t, Some(&agent)).await;
    assert_eq!(again["status"], "in_progress");
    assert!(desk.since(&mark).await.is_empty(), "a no-op assignment wrote history or events");
    assert_eq!(desk.ticket(&agent, t).await["updated_at"], before["updated_at"]);

    // Unassigned: back to open, in the queue.
    let mark = desk.mark().await;
    let released = desk.assign(&agent, t, None).await;
    assert_eq!(released["status"], "open");
    assert_eq!(released["assigned_to"], Value::Null);
    let step = desk.since(&mark).await;
    assert_eq!(step.moves(), [("in_progress", "open")], "{step:?}");
    assert_eq!(step.keys(), ["sav.ticket.assigned", "sav.ticket.status_changed"]);

    // Assigning to someone who is not staff is refused.
    let refused = desk.post(&agent, &format!("/v1/tickets/{t}/assign"), &json!({ "assigned_to": customer.id })).await;
    let problem = refused.assert_problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "assigned_to", "{problem}");
    let nobody =
        desk.post(&agent, &format!("/v1/tickets/{t}/assign"), &json!({ "assigned_to": uuid::Uuid::new_v4() })).await;
    nobody.assert_problem(422, "validation_failed");

    // Staff can assign to another agent; in_progress -> open by status unassigns.
    desk.assign(&desk.owner, t, Some(&other)).await;
    let reopened = desk.set_status(&other, t, "open").await;
    assert_eq!(reopened["assigned_to"], Value::Null, "{reopened}");
    assert_eq!(reopened["status"], "open");

    // Resolve, then the customer reopens: resolved_at is cleared.
    desk.assign(&agent, t, Some(&agent)).await;
    let resolved = desk.set_status(&agent, t, "resolved").await;
    assert!(resolved["resolved_at"].is_string());
    let reopened = desk.set_status(&customer, t, "in_progress").await;
    assert_eq!(reopened["status"], "in_progress");
    assert_eq!(reopened["resolved_at"], Value::Null, "{reopened}");
    assert_eq!(reopened["assigned_to"], agent.id.to_string(), "reopening keeps the agent");

    // open -> closed (a duplicate) is for staff.
    let duplicate = id(&desk.create(&customer, json!({ "subject": "Scratched screen", "description": "again" })).await);
    let closed = desk.set_status(&agent, duplicate, "closed").await;
    assert!(closed["closed_at"].is_string());
    assert_eq!(closed["resolved_at"], Value::Null);
}

/// Seconds between two RFC 3339 timestamps.
fn seconds_between(from: &Value, to: &Value) -> i64 {
    let parse = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("{v}"))).unwrap();
    (parse(to) - parse(from)).num_seconds()
}

#[tokio::test]
async fn staff_edit_tickets_and_the_sla_follows_the_priority() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let created = desk
        .create(
            &customer,
            json!({
                "subject": "Old subject", "description": "x", "category": "shipping",
                "metadata": { "channel": "web", "browser": "firefox" }
            }),
        )
        .await;
    let t = id(&created);
    assert_eq!(created["metadata"], json!({ "channel": "web", "browser": "firefox" }));
    // Medium: 24 hours to answer, 3 days to resolve, from creation.
    let sla = desk.ticket(&agent, t).await["sla"].clone();
    assert_eq!(seconds_between(&created["created_at"], &sla["response_due_at"]), 24 * 3600, "{sla}");
    assert_eq!(seconds_between(&created["created_at"], &sla["resolution_due_at"]), 3 * 24 * 3600, "{sla}");
    assert_eq!(sla["paused_seconds"], 0);
    assert_eq!(sla["response_breached"], false);

    let mark = desk.mark().await;
    let path = format!("/v1/tickets/{t}");
    let patched = desk
        .patch(
            &agent,
            &path,
            &json!({ "subject": "New subject", "category": null, "metadata": { "channel": "phone" }, "priority": "urgent" }),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    let patched = patched.json();
    assert_eq!(patched["subject"], "New subject");
    assert_eq!(patched["category"], Value::Null, "null clears the category");
    assert_eq!(patched["metadata"], json!({ "channel": "phone" }), "metadata is replaced, not merged");
    assert_eq!(patched["priority"], "urgent");
    assert_eq!(patched["status"], "open", "editing does not move the status");
    let step = desk.since(&mark).await;
    assert!(step.history.iter().all(|h| h.action == "updated"), "{step:?}");
    let changes: Vec<&String> = step.history.iter().flat_map(|h| h.changes.as_object().unwrap().keys()).collect();
    for field in ["subject", "category", "metadata", "priority"] {
        assert!(changes.iter().any(|c| c.as_str() == field), "{field} not in the history: {step:?}");
    }
    assert_eq!(
        step.history.iter().find_map(|h| h.changes.get("subject")),
        Some(&json!(["Old subject", "New subject"]))
    );
    // Urgent: one hour to answer, four to resolve, still from creation.
    let sla = desk.ticket(&agent, t).await["sla"].clone();
    assert_eq!(seconds_between(&created["created_at"], &sla["response_due_at"]), 3600, "{sla}");
    assert_eq!(seconds_between(&created["created_at"], &sla["resolution_due_at"]), 4 * 3600, "{sla}");
    // Only the fields sent change.
    let again = desk.patch(&agent, &path, &json!({ "category": "returns" })).await.json();
    assert_eq!(again["subject"], "New subject");
    assert_eq!(again["category"], "returns");
    assert_eq!(again["metadata"], json!({ "channel": "phone" }));
}
