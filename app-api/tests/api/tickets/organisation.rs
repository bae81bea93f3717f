//! What an organisation makes its own in its first hour: its ticket categories (seeded, kept by
//! admins, read by anyone on its host), the order number's rule for customers, and the
//! onboarding checklist.

use serde_json::{Value, json};

use super::{Desk, id};

fn keys(list: &Value) -> Vec<&str> {
    list["data"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn categories_start_with_the_seed_and_admins_rename_reorder_and_archive_them() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    // Anyone on the organisation's host reads them, signed in or not.
    let seed = desk.app.get(&desk.org.slug, "/v1/categories", None).await;
    assert_eq!(seed.status, 200, "{}", seed.body);
    let seed = seed.json();
    assert_eq!(
        keys(&seed),
        ["order", "delivery", "return", "refund", "payment_failure", "product", "account", "other"]
    );
    assert_eq!(seed["data"][4]["label"], json!({"en": "Payment problem", "fr": "Problème de paiement"}));
    assert_eq!(seed["data"][4]["position"], 5);

    // Only admins write, refused before the body is read; bad input names its field.
    let path = "/v1/categories";
    desk.post(&agent, path, &json!({"key": "BAD KEY"})).await.assert_problem(403, "forbidden");
    desk.patch(&customer, "/v1/categories/other", &json!({"nonsense": 1})).await.assert_problem(403, "forbidden");
    for (body, status, field) in [
        (json!({"key": "Warranty", "label": {"en": "Warranty"}}), 422, "key"),
        (json!({"key": "warranty", "label": {"en": ""}}), 422, "label.en"),
        (json!({"key": "warranty", "label": {"en": "Warranty"}, "position": 0}), 422, "position"),
        (json!({"key": "warranty", "label": {"en": "Warranty"}, "colour": "red"}), 400, ""),
        (json!({"key": "order", "label": {"en": "Orders"}}), 409, ""),
    ] {
        let refused = desk.post(&desk.owner, path, &body).await;
        assert_eq!(refused.status, status, "{body}: {}", refused.body);
        if !field.is_empty() {
            assert_eq!(refused.json()["errors"][0]["field"], field, "{body}: {}", refused.body);
        }
    }
    assert_eq!(desk.db.count("ticket_categories").await, 8);
    let made =
        desk.post(&desk.owner, path, &json!({"key": "warranty", "label": {"en": "Warranty", "fr": "Garantie"}})).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.json()["position"], 9, "last by default");

    // Renamed, moved first, and `other` archived: gone from the offer, kept on its tickets.
    let moved =
        desk.patch(&desk.owner, "/v1/categories/warranty", &json!({"position": 1, "label": {"en": "Guarantee"}})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.json()["label"], json!({"en": "Guarantee", "fr": null}));
    let archived = desk.patch(&desk.owner, "/v1/categories/other", &json!({"archived": true})).await;
    assert_eq!(archived.json()["archived"], true);
    let offered = desk.get(&customer, path).await.json();
    assert_eq!(keys(&offered)[..2], ["order", "warranty"], "position, then key");
    assert!(!keys(&offered).contains(&"other"));
    let all = desk.get(&agent, "/v1/categories?archived=true").await.json();
    assert!(keys(&all).contains(&"other"));
    desk.get(&customer, "/v1/categories?archived=true").await.assert_problem(403, "forbidden");
    let kept = desk.create(&customer, json!({"subject": "x", "description": "x", "category": "other"})).await;
    assert_eq!(desk.ticket(&agent, id(&kept)).await["category"], "other");
    assert_eq!(desk.patch(&desk.owner, "/v1/categories/nope", &json!({"archived": true})).await.status, 404);

    // At most 100.
    let more: Vec<String> = (0..91).map(|n| format!("('k{n}', 'K{n}', {})", n + 20)).collect();
    desk.db
        .execute(&format!("INSERT INTO ticket_categories (key, label_en, position) VALUES {}", more.join(",")))
        .await;
    let full = desk.post(&desk.owner, path, &json!({"key": "one-more", "label": {"en": "One more"}})).await;
    full.assert_problem(422, "limit_reached");
}

#[tokio::test]
async fn the_order_number_is_hidden_optional_or_required_for_customers_alone() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    let path = "/v1/ticket-settings";
    let bare = json!({"subject": "Late", "description": "x"});
    let with_order = json!({"subject": "Late", "description": "x", "order_id": 4242});

    let required = desk.patch(&desk.owner, path, &json!({"order_number": "required"})).await;
    assert_eq!(required.status, 200, "{}", required.body);
    assert_eq!(
        (required.json()["order_number"].as_str(), required.json()["agent_ticket_access"].as_str()),
        (Some("required"), Some("all"))
    );
    assert_eq!(desk.get(&customer, path).await.json(), json!({"order_number": "required"}));
    let refused = desk.post(&customer, "/v1/tickets", &bare).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["errors"][0]["field"], "order_id");
    desk.create(&customer, with_order.clone()).await;
    let mut for_them = bare.clone();
    for_them["user_id"] = json!(customer.id);
    desk.create(&agent, for_them).await;

    desk.patch(&desk.owner, path, &json!({"order_number": "hidden"})).await;
    let refused = desk.post(&customer, "/v1/tickets", &with_order).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["errors"][0]["field"], "order_id");
    desk.create(&customer, bare.clone()).await;

    let bad = desk.patch(&desk.owner, path, &json!({"order_number": "sometimes"})).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(bad.json()["errors"][0]["field"], "order_number");
    assert_eq!(desk.get(&agent, path).await.json()["order_number"], "hidden", "unchanged by the refusal");
}

#[tokio::test]
async fn the_onboarding_checklist_follows_what_the_organisation_did() {
    let desk = Desk::open().await;
    let path = "/v1/onboarding";
    let start = desk.get(&desk.owner, path).await;
    assert_eq!(start.status, 200, "{}", start.body);
    let steps = &start.json()["steps"];
    assert_eq!(steps["connect_mail"], false);
    assert_eq!(steps["publish_article"], false);
    assert_eq!(start.json()["dismissed"], false);

    // Each step is read from what was done, however it was done.
    let agent = desk.member("agent").await;
    let customer = desk.member("customer").await;
    let article = json!({"title": "Returns", "body": "Send it back.", "locale": "en", "status": "published"});
    assert_eq!(desk.post(&agent, "/v1/kb/articles", &article).await.status, 201);
    let now = desk.get(&desk.owner, path).await.json();
    assert_eq!(now["steps"]["invite_agents"], true, "{now}");
    assert_eq!(now["steps"]["share_portal"], true, "a customer registered: {now}");
    assert_eq!(now["steps"]["publish_article"], true, "{now}");

    // Admins dismiss it; a shared portal stays shared; others may not.
    let dismissed = desk.patch(&desk.owner, path, &json!({"dismissed": true, "share_portal": true})).await;
    assert_eq!(dismissed.status, 200, "{}", dismissed.body);
    assert_eq!(dismissed.json()["dismissed"], true);
    assert_eq!(desk.patch(&desk.owner, path, &json!({"share_portal": false})).await.status, 422);
    assert_eq!(desk.patch(&desk.owner, path, &json!({"hidden": true})).await.status, 400);
    desk.get(&agent, path).await.assert_problem(403, "forbidden");
    desk.patch(&customer, path, &json!({"nonsense": 1})).await.assert_problem(403, "forbidden");
}
