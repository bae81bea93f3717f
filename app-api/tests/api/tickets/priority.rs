//! Priorities computed at creation, end to end: the rules read the category, the order
//! references admins upsert, the customer's earlier tickets and the VIP flag of the users mirror;
//! staff may choose (and later change) a priority, customers may not.

use serde_json::json;

use super::{Desk, id};

#[tokio::test]
async fn the_rules_set_the_priority_and_only_staff_override_them() {
    let desk = Desk::open().await;
    let (customer, other, agent) = tokio::join!(desk.member("customer"), desk.member("customer"), desk.member("agent"));
    let owner = desk.owner.clone();
    let ticket = |body: serde_json::Value| {
        let customer = &customer;
        let desk = &desk;
        async move { desk.create(customer, body).await }
    };

    // Default medium; a customer's own choice is ignored either way.
    let plain = ticket(json!({ "subject": "Question", "description": "How do I return?" })).await;
    assert_eq!(plain["priority"], "medium");
    let pushy = ticket(json!({ "subject": "Hurry", "description": "Now!", "priority": "urgent" })).await;
    assert_eq!(pushy["priority"], "medium", "a customer's priority is ignored");

    // A failed payment is urgent, even if the customer says low.
    let payment = ticket(json!({
        "subject": "Card refused", "description": "Twice", "category": "payment_failure", "priority": "low"
    }))
    .await;
    assert_eq!(payment["priority"], "urgent");

    // An order over 500 EUR makes it high; exactly 500 does not.
    let put = desk
        .put(
            &owner,
            "/v1/orders/9001",
            &json!({ "user_id": customer.id, "total": 612.50, "currency": "EUR", "status": "paid" }),
        )
        .await;
    assert_eq!(put.status, 201, "{}", put.body);
    let put = desk
        .put(
            &owner,
            "/v1/orders/9002",
            &json!({ "user_id": customer.id, "total": 500.00, "currency": "EUR", "status": "paid" }),
        )
        .await;
    assert_eq!(put.status, 201, "{}", put.body);
    let big = ticket(json!({ "subject": "Sofa", "description": "Torn", "order_id": 9001 })).await;
    assert_eq!(big["priority"], "high");
    assert_eq!(big["order_id"], 9001);
    let exact = ticket(json!({ "subject": "Chairs", "description": "Torn", "order_id": 9002 })).await;
    assert_eq!(exact["priority"], "medium", "more than 500 EUR, not 500");
    // An order nobody told us about is accepted, without effect.
    let unknown = ticket(json!({ "subject": "Lamp", "description": "Dim", "order_id": 424_242 })).await;
    assert_eq!(unknown["priority"], "medium");
    // Once the order is worth less, the rule no longer applies: the upsert updated it.
    let updated = desk
        .put(
            &owner,
            "/v1/orders/9001",
            &json!({ "user_id": customer.id, "total": 12, "currency": "EUR", "status": "refunded" }),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let cheap = ticket(json!({ "subject": "Sofa again", "description": "Torn", "order_id": 9001 })).await;
    assert_eq!(cheap["priority"], "medium");

    // The 4th ticket of a category from one customer is high; the first three are not, and
    // another customer's tickets do not count.
    for n in 1..=3 {
        let repeat =
            ticket(json!({ "subject": format!("Late #{n}"), "description": "Again", "category": "delivery" })).await;
        assert_eq!(repeat["priority"], "medium", "ticket {n} of the category");
    }
    let fourth = ticket(json!({ "subject": "Late #4", "description": "Again", "category": "delivery" })).await;
    assert_eq!(fourth["priority"], "high");
    let first_of_other =
        desk.create(&other, json!({ "subject": "Late", "description": "Once", "category": "delivery" })).await;
    assert_eq!(first_of_other["priority"], "medium");

    // Staff choose, over every rule, for a customer of the tenant.
    let chosen = desk
        .create(
            &agent,
            json!({
                "subject": "Card refused", "description": "On behalf of the customer",
                "category": "payment_failure", "priority": "low", "user_id": customer.id
            }),
        )
        .await;
    assert_eq!(chosen["priority"], "low");
    assert_eq!(chosen["user_id"], customer.id.to_string());
    // ...and change it later.
    let path = format!("/v1/tickets/{}", id(&chosen));
    let changed = desk.patch(&agent, &path, &json!({ "priority": "high" })).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["priority"], "high");
    desk.patch(&customer, &path, &json!({ "priority": "urgent" })).await.assert_problem(403, "forbidden");
    assert_eq!(desk.ticket(&customer, id(&chosen)).await["priority"], "high");
    // A staff ticket is for a customer: not for an agent, and customers file only their own.
    let for_agent =
        desk.post(&owner, "/v1/tickets", &json!({ "subject": "x", "description": "y", "user_id": agent.id })).await;
    for_agent.assert_problem(422, "validation_failed");
    desk.post(&customer, "/v1/tickets", &json!({ "subject": "x", "description": "y", "user_id": other.id }))
        .await
        .assert_problem(403, "forbidden");
    let own = desk.create(&customer, json!({ "subject": "x", "description": "y", "user_id": customer.id })).await;
    assert_eq!(own["user_id"], customer.id.to_string());

    // A VIP gets one level more, read from the users mirror at each request.
    let vip = desk.member("customer").await;
    desk.db.execute(&format!("UPDATE users SET vip = true WHERE id = '{}'", vip.id)).await;
    let raised = desk.create(&vip, json!({ "subject": "Hello", "description": "VIP here" })).await;
    assert_eq!(raised["priority"], "high");
    let top =
        desk.create(&vip, json!({ "subject": "Card", "description": "Refused", "category": "payment_failure" })).await;
    assert_eq!(top["priority"], "urgent", "urgent stays urgent");
}

/// Somebody else's order answers exactly like an unknown one: accepted, without effect, so order
/// numbers cannot be probed.
#[tokio::test]
async fn another_customers_order_counts_as_unknown() {
    let desk = Desk::open().await;
    let (customer, other) = tokio::join!(desk.member("customer"), desk.member("customer"));
    let order = json!({ "user_id": customer.id, "total": 1000.00, "currency": "EUR", "status": "paid" });
    assert_eq!(desk.put(&desk.owner, "/v1/orders/9001", &order).await.status, 201);
    let theirs =
        desk.post(&other, "/v1/tickets", &json!({ "subject": "Sofa", "description": "Mine?", "order_id": 9001 })).await;
    let nobodys = desk
        .post(&other, "/v1/tickets", &json!({ "subject": "Sofa", "description": "Mine?", "order_id": 31_337 }))
        .await;
    assert_eq!((theirs.status.as_u16(), nobodys.status.as_u16()), (201, 201), "{}", theirs.body);
    let shape = |v: &serde_json::Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        (keys, v["priority"].clone(), v["status"].clone())
    };
    assert_eq!(shape(&theirs.json()), shape(&nobodys.json()));
    assert_eq!(theirs.json()["priority"], "medium", "the other customer's 1,000 EUR order did not count");
}
