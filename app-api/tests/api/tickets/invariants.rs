//! The rules a ticket keeps whatever people do, end to end: a ticket that waits for the customer
//! cannot be left with nobody on it, and an admin's VIP flag reaches the priority rules.

use serde_json::{Value, json};

use super::{Desk, id};

/// The sequence that used to strand a ticket: waiting for the customer, unassigned, then the
/// customer answers. Now the unassignment is refused (reassigning works), and the answer lands
/// with someone.
#[tokio::test]
async fn a_ticket_waiting_for_the_customer_is_never_left_without_an_assignee() {
    let desk = Desk::open().await;
    let (customer, agent, other) = tokio::join!(desk.member("customer"), desk.member("agent"), desk.member("agent"));
    let t = id(&desk.create(&customer, json!({ "subject": "Wrong size", "description": "Too small" })).await);
    desk.assign(&agent, t, Some(&agent)).await;
    desk.set_status(&agent, t, "waiting_customer").await;

    let mark = desk.mark().await;
    let refused = desk.post(&desk.owner, &format!("/v1/tickets/{t}/assign"), &json!({ "assigned_to": null })).await;
    refused.assert_problem(409, "conflict");
    assert!(desk.since(&mark).await.is_empty(), "a refused unassignment wrote history or events");
    let ticket = desk.ticket(&desk.owner, t).await;
    assert_eq!(
        (ticket["status"].as_str(), ticket["assigned_to"].as_str()),
        (Some("waiting_customer"), Some(agent.id.to_string().as_str()))
    );

    let moved = desk.assign(&desk.owner, t, Some(&other)).await;
    assert_eq!(moved["status"], "waiting_customer");
    desk.say(&customer, t, "Here is the photo you asked for", false).await;
    let answered = desk.ticket(&desk.owner, t).await;
    assert_eq!(answered["status"], "in_progress");
    assert_eq!(answered["assigned_to"], other.id.to_string());

    // Resolved tickets keep their agent too (a reopening would land with nobody).
    desk.set_status(&other, t, "resolved").await;
    desk.post(&desk.owner, &format!("/v1/tickets/{t}/assign"), &json!({ "assigned_to": null }))
        .await
        .assert_problem(409, "conflict");
    let reopened = desk.set_status(&customer, t, "in_progress").await;
    assert_eq!(reopened["assigned_to"], other.id.to_string());
    let stranded: i64 = desk
        .db
        .scalar("SELECT count(*) FROM support_tickets WHERE status IN ('in_progress', 'waiting_customer') AND assigned_to IS NULL")
        .await;
    assert_eq!(stranded, 0);
}

#[tokio::test]
async fn admins_set_the_vip_flag_and_the_next_ticket_sees_it() {
    let desk = Desk::open().await;
    let (customer, agent, admin) = tokio::join!(desk.member("customer"), desk.member("agent"), desk.member("admin"));
    let path = format!("/v1/users/{}", customer.id);
    let before = desk.create(&customer, json!({ "subject": "Late parcel", "description": "Day 9" })).await;
    assert_eq!(before["priority"], "medium");

    desk.patch(&agent, &path, &json!({ "vip": true })).await.assert_problem(403, "forbidden");
    desk.patch(&customer, &path, &json!({ "vip": true })).await.assert_problem(403, "forbidden");
    desk.patch(&admin, &path, &json!({ "vip": "yes" })).await.assert_problem(400, "validation_failed");
    desk.patch(&admin, &path, &json!({ "vip": true, "role": "admin" })).await.assert_problem(400, "validation_failed");
    desk.patch(&admin, &format!("/v1/users/{}", uuid::Uuid::new_v4()), &json!({ "vip": true }))
        .await
        .assert_problem(404, "not_found");
    desk.patch(&admin, &format!("/v1/users/{}", agent.id), &json!({ "vip": true }))
        .await
        .assert_problem(422, "validation_failed");
    desk.patch(&admin, "/v1/users/not-a-uuid", &json!({ "vip": true })).await.assert_problem(400, "validation_failed");
    assert_eq!(desk.db.scalar("SELECT count(*) FROM audit_log").await, 0, "refusals change nothing");

    let set = desk.patch(&admin, &path, &json!({ "vip": true })).await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.json()["vip"], true);
    assert_eq!(desk.get(&customer, "/v1/me").await.json()["vip"], true);
    let after = desk.create(&customer, json!({ "subject": "Late parcel again", "description": "Day 12" })).await;
    assert_eq!(after["priority"], "high", "VIP: one level up");

    // Setting it again records nothing new; clearing it is recorded.
    desk.patch(&desk.owner, &path, &json!({ "vip": true })).await;
    let cleared = desk.patch(&desk.owner, &path, &json!({ "vip": false })).await.json();
    assert_eq!(cleared["vip"], false);
    let rows: Vec<(uuid::Uuid, String, Value)> =
        sqlx::query_as("SELECT actor_id, action, details FROM audit_log WHERE subject_id = $1 ORDER BY id")
            .bind(customer.id)
            .fetch_all(&desk.db.pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].0, rows[0].1.as_str(), &rows[0].2),
        (admin.id, "vip_changed", &json!({ "vip": [false, true] }))
    );
    assert_eq!((rows[1].0, &rows[1].2), (desk.owner.id, &json!({ "vip": [true, false] })));
}
