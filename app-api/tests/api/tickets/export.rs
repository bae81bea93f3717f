//! `GET /v1/me/export` and `GET /v1/users/{id}/export`: a person's data as one streamed JSON
//! document, with their tickets, public messages, attachment metadata, read receipts, order
//! references and audit entries; never an internal note, its attachment, or another customer.

use serde_json::{Value, json};

use super::{Desk, id};
use crate::helpers::Person;

async fn export_of(d: &Desk, who: &Person, path: &str) -> (Value, String) {
    let got = d.get(who, path).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(got.header("content-disposition").is_some_and(|v| v.starts_with("attachment;")));
    assert_eq!(got.header("cache-control"), Some("no-store"));
    (got.json(), got.body.clone())
}

fn texts(ticket: &Value) -> Vec<&str> {
    ticket["messages"].as_array().unwrap().iter().map(|m| m["message"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_customer_export_holds_their_data_and_nothing_else() {
    let d = Desk::open().await;
    let (customer, neighbour, agent) = tokio::join!(d.member("customer"), d.member("customer"), d.member("agent"));
    let blender = id(&d.create(&customer, json!({ "subject": "My blender", "description": "It smokes" })).await);
    let toaster = id(&d.create(&customer, json!({ "subject": "My toaster", "description": "Cold" })).await);
    d.create(&neighbour, json!({ "subject": "Neighbour private subject", "description": "x" })).await;
    d.assign(&agent, blender, Some(&agent)).await;
    let reply = d.say(&agent, blender, "We will replace it", false).await;
    let note = d.say(&agent, blender, "Internal remark about the customer", true).await;
    d.say(&customer, blender, "Thanks", false).await;
    for (message, name) in [(&reply, "receipt.pdf"), (&note, "note-only.pdf")] {
        d.attach(&agent, blender, message["id"].as_i64().unwrap(), name, crate::attachments::PDF).await;
    }
    let order = d
        .put(
            &d.owner,
            "/v1/orders/77",
            &json!({ "user_id": customer.id, "total": 12.5, "currency": "EUR", "status": "paid" }),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.body);
    // Custom fields: the visible one is exported, the team's own is not; the tags and the team
    // are.
    for (key, visible) in [("serial", true), ("diagnosis", false)] {
        let field = json!({ "key": key, "label": { "en": key }, "type": "text", "visible_to_customer": visible });
        assert_eq!(d.post(&d.owner, "/v1/fields", &field).await.status, 201);
    }
    let labelled = json!({ "fields": { "serial": "SN-77", "diagnosis": "Team-only diagnosis" }, "tags": ["smoke"] });
    assert_eq!(d.patch(&agent, &format!("/v1/tickets/{blender}"), &labelled).await.status, 200);
    // The customer opens the blender ticket's thread: the agent's reply is read.
    d.get(&customer, &format!("/v1/tickets/{blender}/messages")).await;

    let (export, raw) = export_of(&d, &customer, "/v1/me/export").await;
    assert_eq!(export["format"], "helpdeskly-export/1");
    assert_eq!(export["tenant"]["slug"], d.org.slug);
    assert_eq!(export["profile"]["id"], customer.id.to_string());
    assert_eq!(export["profile"]["email"], customer.email);
    let tickets = export["tickets"].as_array().unwrap();
    let ids: Vec<i64> = tickets.iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [blender, toaster]);
    assert_eq!(tickets[0]["subject"], "My blender");
    assert_eq!(tickets[0]["fields"], json!({ "serial": "SN-77" }));
    assert_eq!((tickets[0]["tags"].clone(), tickets[0]["team_id"].clone()), (json!(["smoke"]), Value::Null));
    assert_eq!(texts(&tickets[0]), ["We will replace it", "Thanks"]);
    let messages = tickets[0]["messages"].as_array().unwrap();
    assert_eq!((messages[0]["mine"].as_bool(), messages[1]["mine"].as_bool()), (Some(false), Some(true)));
    assert!(messages[0]["read_at"].is_string(), "the read receipt: {}", messages[0]);
    assert_eq!(messages[0]["attachments"][0]["original_name"], "receipt.pdf");
    assert_eq!(export["order_references"][0]["order_id"], 77);
    for secret in [
        "Internal remark",
        "note-only.pdf",
        "Team-only diagnosis",
        "Neighbour private subject",
        neighbour.email.as_str(),
    ] {
        assert!(!raw.contains(secret), "{secret} leaked into the export");
    }

    // An admin exports the same for them; nobody else may.
    let (for_them, _) = export_of(&d, &d.owner, &format!("/v1/users/{}/export", customer.id)).await;
    assert_eq!(for_them["tickets"], export["tickets"]);
    let path = format!("/v1/users/{}/export", customer.id);
    d.get(&agent, &path).await.assert_problem(403, "forbidden");
    d.get(&neighbour, &path).await.assert_problem(403, "forbidden");
    d.get(&d.owner, &format!("/v1/users/{}/export", uuid::Uuid::new_v4())).await.assert_problem(404, "not_found");
    let unauthenticated = d.app.get(&d.org.slug, "/v1/me/export", None).await;
    assert_eq!(unauthenticated.status, 401);

    // The agent's own export: what they wrote in public on the customer's ticket, not the note.
    let (own, raw) = export_of(&d, &agent, "/v1/me/export").await;
    assert!(own["tickets"].as_array().unwrap().is_empty());
    let written: Vec<&str> =
        own["messages_written"].as_array().unwrap().iter().map(|m| m["message"].as_str().unwrap()).collect();
    assert_eq!(written, ["We will replace it"]);
    assert!(!raw.contains("Internal remark"));
}

#[tokio::test]
async fn a_long_export_streams_every_page() {
    let d = Desk::open().await;
    let customer = d.member("customer").await;
    // 450 tickets (three pages of 200 and a bit), each with one public message.
    d.db.execute(&format!(
        "INSERT INTO support_tickets (ticket_number, user_id, subject, description, response_due_at, resolution_due_at)
         SELECT 'TKT-E' || lpad(g::text, 7, '0'), '{0}', 'Ticket ' || g, 'x', now(), now()
         FROM generate_series(1, 450) g;
         INSERT INTO ticket_messages (ticket_id, sender_id, sender_type, message)
         SELECT id, '{0}', 'customer', 'message of ' || subject FROM support_tickets",
        customer.id
    ))
    .await;
    let (export, _) = export_of(&d, &customer, "/v1/me/export").await;
    let tickets = export["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 450);
    let ids: Vec<i64> = tickets.iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first, none twice");
    assert!(tickets.iter().all(|t| texts(t) == [format!("message of {}", t["subject"].as_str().unwrap())]));
}
