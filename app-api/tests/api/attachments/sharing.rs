//! Who sees which file (visibility as for messages), files posted with a message and its event,
//! the same content stored once, and the quota under concurrent uploads.

use reqwest::Method;
use serde_json::json;

use super::{Bucket, PDF, PNG, desk_on_s3, ticket_of, upload, uploaded};
use crate::tickets::ids_of;

#[tokio::test]
async fn internal_files_never_reach_customers_and_messages_carry_their_files() {
    let bucket = Bucket::new();
    let desk = desk_on_s3(&bucket, |_| {}).await;
    let customer = desk.member("customer").await;
    let agent = desk.member("agent").await;
    let ticket = ticket_of(&desk, &customer).await;
    desk.assign(&agent, ticket, Some(&agent)).await;

    // A customer's photo with their message; the event names it.
    let photo = uploaded(&desk, &customer, ticket, "broken.png", PNG).await;
    let photo_id = photo["id"].as_i64().unwrap();
    let mark = desk.mark().await;
    let said = desk
        .post(
            &customer,
            &format!("/v1/tickets/{ticket}/messages"),
            &json!({"message": "Here it is", "attachment_ids": [photo_id]}),
        )
        .await;
    assert_eq!(said.status, 201, "{}", said.body);
    let message = said.json();
    assert_eq!(message["attachments"][0]["id"], photo_id);
    let written = desk.since(&mark).await;
    let event = written.event("sav.ticket.message_added");
    assert_eq!(event.payload["data"]["attachment_ids"], json!([photo_id]), "{:?}", event.payload);
    assert_eq!(
        (&event.payload["data"]["has_attachments"], &event.payload["data"]["attachment_count"]),
        (&json!(true), &json!(1))
    );
    // A file goes with one message only, and only its uploader's.
    let again = desk
        .post(
            &customer,
            &format!("/v1/tickets/{ticket}/messages"),
            &json!({"message": "again", "attachment_ids": [photo_id]}),
        )
        .await;
    assert_eq!(again.assert_problem(422, "validation_failed")["errors"][0]["field"], "attachment_ids");

    // An internal file for a note, and a public return label on the ticket.
    let note_file = upload(&desk, &agent, ticket, "fraud-check.pdf", PDF, &[("is_internal", "true")]).await;
    assert_eq!(note_file.status, 201, "{}", note_file.body);
    let note_file = note_file.json();
    let note_file_id = note_file["id"].as_i64().unwrap();
    let public_label = uploaded(&desk, &agent, ticket, "return-label.pdf", b"%PDF-1.4\n% the label\n%%EOF\n").await;
    // An internal file does not go on a public message.
    let leak = desk
        .post(
            &agent,
            &format!("/v1/tickets/{ticket}/messages"),
            &json!({"message": "label", "attachment_ids": [note_file_id]}),
        )
        .await;
    leak.assert_problem(422, "validation_failed");
    let note = desk
        .post(
            &agent,
            &format!("/v1/tickets/{ticket}/messages"),
            &json!({"message": "checked", "is_internal": true, "attachment_ids": [note_file_id]}),
        )
        .await;
    assert_eq!(note.status, 201, "{}", note.body);

    // The customer: the ticket shows the label, the list shows the photo and the label, the
    // thread shows the photo on their message; the internal file exists nowhere for them.
    let seen = desk.get(&customer, &format!("/v1/tickets/{ticket}")).await.json();
    assert_eq!(ids_of(&json!({"data": seen["attachments"]})), [public_label["id"].as_i64().unwrap()]);
    let listed = desk.get(&customer, &format!("/v1/tickets/{ticket}/attachments")).await.json();
    assert_eq!(ids_of(&listed), [photo_id, public_label["id"].as_i64().unwrap()]);
    let thread = desk.get(&customer, &format!("/v1/tickets/{ticket}/messages")).await.json();
    let files: Vec<i64> =
        thread["data"].as_array().unwrap().iter().flat_map(|m| ids_of(&json!({"data": m["attachments"]}))).collect();
    assert_eq!(files, [photo_id]);
    desk.get(&customer, &format!("/v1/attachments/{note_file_id}")).await.assert_problem(404, "not_found");
    let deleting = desk
        .app
        .send(Method::DELETE, &desk.org.slug, &format!("/v1/attachments/{note_file_id}"), &customer.token, None)
        .await;
    deleting.assert_problem(404, "not_found");
    // Staff see all three.
    let staff_list = desk.get(&agent, &format!("/v1/tickets/{ticket}/attachments")).await.json();
    assert_eq!(ids_of(&staff_list).len(), 3);
    assert_eq!(desk.get(&agent, &format!("/v1/attachments/{note_file_id}")).await.status, 200);

    // Another customer sees none of it; a customer may not delete staff's public file.
    let neighbour = desk.member("customer").await;
    desk.get(&neighbour, &format!("/v1/attachments/{photo_id}")).await.assert_problem(404, "not_found");
    desk.get(&neighbour, &format!("/v1/tickets/{ticket}/attachments")).await.assert_problem(404, "not_found");
    let label_id = public_label["id"].as_i64().unwrap();
    let not_theirs = desk
        .app
        .send(Method::DELETE, &desk.org.slug, &format!("/v1/attachments/{label_id}"), &customer.token, None)
        .await;
    not_theirs.assert_problem(403, "forbidden");
    // Storage use is for admins.
    desk.get(&agent, "/v1/storage/usage").await.assert_problem(403, "forbidden");
    desk.get(&customer, &format!("/v1/attachments/{photo_id}/access-log")).await.assert_problem(403, "forbidden");

    // A closed ticket takes no file and loses none.
    desk.set_status(&agent, ticket, "resolved").await;
    desk.set_status(&customer, ticket, "closed").await;
    upload(&desk, &customer, ticket, "late.png", PNG, &[]).await.assert_problem(409, "ticket_closed");
    let closed = desk
        .app
        .send(Method::DELETE, &desk.org.slug, &format!("/v1/attachments/{photo_id}"), &customer.token, None)
        .await;
    closed.assert_problem(409, "ticket_closed");
    assert_eq!(bucket.keys().await.len(), 3);
}

#[tokio::test]
async fn the_same_content_is_stored_once_and_the_quota_holds_under_concurrent_uploads() {
    let bucket = Bucket::new();
    let quota = 1536 * 1024;
    let desk = desk_on_s3(&bucket, |c| c.attachments.quota_bytes = quota).await;
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;

    // Twice the same photo: two rows, one object, counted once; deleting one row keeps it.
    let first = uploaded(&desk, &customer, ticket, "one.png", PNG).await;
    let second = uploaded(&desk, &customer, ticket, "two.png", PNG).await;
    assert_ne!(first["id"], second["id"]);
    assert_eq!(first["sha256"], second["sha256"]);
    assert_eq!(bucket.keys().await.len(), 1);
    let usage = desk.get(&desk.owner, "/v1/storage/usage").await.json();
    assert_eq!(usage, json!({"bytes_used": PNG.len(), "objects": 1, "attachments": 2, "quota_bytes": quota}));
    let path = format!("/v1/attachments/{}", first["id"]);
    assert_eq!(desk.app.send(Method::DELETE, &desk.org.slug, &path, &customer.token, None).await.status, 204);
    assert_eq!(bucket.keys().await.len(), 1);
    let path = format!("/v1/attachments/{}", second["id"]);
    assert_eq!(desk.app.send(Method::DELETE, &desk.org.slug, &path, &customer.token, None).await.status, 204);
    assert!(bucket.keys().await.is_empty());

    // The same content twice at once: both rows, one object, counted once.
    let (left, right) = tokio::join!(
        upload(&desk, &customer, ticket, "left.png", PNG, &[]),
        upload(&desk, &customer, ticket, "right.png", PNG, &[]),
    );
    assert_eq!((left.status.as_u16(), right.status.as_u16()), (201, 201), "{} / {}", left.body, right.body);
    assert_eq!(bucket.keys().await.len(), 1);
    let usage = desk.get(&desk.owner, "/v1/storage/usage").await.json();
    assert_eq!((usage["bytes_used"].as_u64(), usage["objects"].as_u64()), (Some(PNG.len() as u64), Some(1)));
    for id in [left.json()["id"].as_i64().unwrap(), right.json()["id"].as_i64().unwrap()] {
        let path = format!("/v1/attachments/{id}");
        assert_eq!(desk.app.send(Method::DELETE, &desk.org.slug, &path, &customer.token, None).await.status, 204);
    }
    assert!(bucket.keys().await.is_empty());

    // Two different 1 MiB files at once against 1.5 MiB: exactly one fits, whichever is first.
    let file = |fill: u8| {
        let mut content = b"%PDF-1.4\n".to_vec();
        content.resize(1024 * 1024, fill);
        content
    };
    let (a, b) = (file(b'a'), file(b'b'));
    for _round in 0..3 {
        let (left, right) = tokio::join!(
            upload(&desk, &customer, ticket, "a.pdf", &a, &[]),
            upload(&desk, &customer, ticket, "b.pdf", &b, &[]),
        );
        let mut statuses = [left.status.as_u16(), right.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 413], "{} / {}", left.body, right.body);
        let refused = if left.status == 413 { left } else { right };
        refused.assert_problem(413, "storage_quota_exceeded");
        assert_eq!(desk.db.scalar("SELECT bytes_used FROM storage_usage").await, 1024 * 1024);
        assert_eq!(bucket.keys().await.len(), 1);
        // Make room for the next round.
        let stored: i64 = desk.db.scalar("SELECT max(id) FROM ticket_attachments").await;
        let path = format!("/v1/attachments/{stored}");
        assert_eq!(desk.app.send(Method::DELETE, &desk.org.slug, &path, &customer.token, None).await.status, 204);
        assert!(bucket.keys().await.is_empty());
    }
    assert_eq!(desk.db.scalar("SELECT bytes_used FROM storage_usage").await, 0);
}
