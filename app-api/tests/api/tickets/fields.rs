//! Typed custom fields on a real tenant database: admins define them (bad definitions, a key
//! taken, the 101st field, a type or key changed, an option in use are refused and change
//! nothing), values are checked on every write path (opening, a change, a customer's own
//! fields), the history and the created event carry them, customers see only visible fields, a
//! ticket is not resolved while a required field is empty (by hand or by a macro), and the list
//! and views filter by them.

use serde_json::{Value, json};

use super::{Desk, error_fields, id, with_query};
use crate::helpers::Person;

/// `POST /v1/fields` as the owner, which must succeed; the field.
async fn define(desk: &Desk, body: Value) -> Value {
    let made = desk.post(&desk.owner, "/v1/fields", &body).await;
    assert_eq!(made.status, 201, "{body}: {}", made.body);
    made.json()
}

/// Five fields of every kind but date: a customer-editable serial, a visible dropdown, a
/// multi-select, a number and a required checkbox; then a date.
async fn the_fields(desk: &Desk) {
    let option = |v: &str| json!({ "value": v, "label": { "en": v.to_uppercase(), "fr": null } });
    define(
        desk,
        json!({ "key": "serial", "label": { "en": "Serial number", "fr": "Numéro de série" }, "type": "text",
        "visible_to_customer": true, "editable_by_customer": true }),
    )
    .await;
    define(
        desk,
        json!({ "key": "model", "label": { "en": "Model" }, "type": "dropdown",
        "options": [option("kettle"), option("toaster")], "visible_to_customer": true }),
    )
    .await;
    define(
        desk,
        json!({ "key": "parts", "label": { "en": "Parts" }, "type": "multiselect",
        "options": [option("lid"), option("base"), option("cord")] }),
    )
    .await;
    define(desk, json!({ "key": "refund", "label": { "en": "Refund" }, "type": "number" })).await;
    define(
        desk,
        json!({ "key": "checked", "label": { "en": "Checked" }, "type": "checkbox", "required_to_resolve": true }),
    )
    .await;
    define(desk, json!({ "key": "bought", "label": { "en": "Bought on" }, "type": "date" })).await;
}

/// The ids of the tickets the owner's list finds with `query`, in id order.
async fn found(desk: &Desk, query: &[(&str, &str)]) -> Vec<i64> {
    let mut ids = desk.list(&desk.owner, query).await;
    ids.sort_unstable();
    ids
}

async fn open_with(desk: &Desk, who: &Person, customer: &Person, fields: Value) -> harness::TestResponse {
    let body = json!({ "subject": "Bouilloire en panne", "description": "Elle ne chauffe plus", "user_id": customer.id,
        "fields": fields });
    desk.post(who, "/v1/tickets", &body).await
}

#[tokio::test]
async fn admins_define_fields_and_bad_definitions_change_nothing() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    the_fields(&desk).await;

    // Everyone reads them in their order; customers only the visible ones.
    let all = desk.get(&agent, "/v1/fields").await.json();
    let keys: Vec<&str> = all.as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["serial", "model", "parts", "refund", "checked", "bought"]);
    assert_eq!(all[0]["label"], json!({ "en": "Serial number", "fr": "Numéro de série" }));
    assert_eq!(all[1]["type"], "dropdown");
    let seen = desk.get(&customer, "/v1/fields").await.json();
    let keys: Vec<&str> = seen.as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["serial", "model"]);

    // Only owners and admins keep them.
    let mine = json!({ "key": "mine", "label": { "en": "Mine" }, "type": "text" });
    assert_eq!(desk.post(&agent, "/v1/fields", &mine).await.status, 403);
    assert_eq!(desk.delete(&agent, "/v1/fields/serial").await.status, 403);

    // Bad definitions: each named, nothing made.
    let before = desk.db.count("ticket_fields").await;
    let taken = desk
        .post(&desk.owner, "/v1/fields", &json!({ "key": "serial", "label": { "en": "Again" }, "type": "text" }))
        .await;
    assert_eq!(
        (taken.status.as_u16(), taken.json()["code"].clone()),
        (409, json!("field_key_taken")),
        "{}",
        taken.body
    );
    for (body, named) in [
        (json!({ "key": "Bad Key", "label": { "en": "x" }, "type": "text" }), "key"),
        (json!({ "key": "ok", "label": { "en": " " }, "type": "text" }), "label.en"),
        (json!({ "key": "ok", "label": { "en": "x" }, "type": "dropdown" }), "options"),
        (
            json!({ "key": "ok", "label": { "en": "x" }, "type": "text", "options": [{ "value": "a", "label": { "en": "A" } }] }),
            "options",
        ),
        (
            json!({ "key": "ok", "label": { "en": "x" }, "type": "dropdown",
                 "options": [{ "value": "a", "label": { "en": "A" } }, { "value": "a", "label": { "en": "B" } }] }),
            "options[1].value",
        ),
        (
            json!({ "key": "ok", "label": { "en": "x" }, "type": "text", "editable_by_customer": true }),
            "editable_by_customer",
        ),
    ] {
        let refused = desk.post(&desk.owner, "/v1/fields", &body).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert_eq!(error_fields(&refused), [named], "{body}");
    }
    for body in [
        json!({ "key": "ok", "label": { "en": "x" }, "type": "colour" }),
        json!({ "key": "ok", "label": { "en": "x" }, "type": "text", "extra": 1 }),
        json!({ "key": 12, "label": { "en": "x" }, "type": "text" }),
    ] {
        assert_eq!(desk.post(&desk.owner, "/v1/fields", &body).await.status, 400, "{body}");
    }
    assert_eq!(desk.db.count("ticket_fields").await, before);

    // A key and a type never change; labels, options and flags do.
    for (body, named) in [(json!({ "type": "number" }), "type"), (json!({ "key": "other" }), "key")] {
        let refused = desk.patch(&desk.owner, "/v1/fields/model", &body).await;
        assert_eq!(
            (refused.status.as_u16(), error_fields(&refused)),
            (422, vec![named.to_owned()]),
            "{}",
            refused.body
        );
    }
    let relabelled =
        desk.patch(&desk.owner, "/v1/fields/model", &json!({ "label": { "en": "Appliance", "fr": "Appareil" } })).await;
    assert_eq!(relabelled.status, 200, "{}", relabelled.body);
    assert_eq!(relabelled.json()["label"], json!({ "en": "Appliance", "fr": "Appareil" }));
    assert_eq!(desk.patch(&desk.owner, "/v1/fields/nope", &json!({ "required_to_resolve": true })).await.status, 404);

    // An option a ticket holds stays; one nobody holds goes.
    let t = open_with(&desk, &desk.owner, &customer, json!({ "model": "kettle" })).await;
    assert_eq!(t.status, 201, "{}", t.body);
    let kettle_only = json!({ "options": [{ "value": "kettle", "label": { "en": "Kettle" } }] });
    let toaster_only = json!({ "options": [{ "value": "toaster", "label": { "en": "Toaster" } }] });
    let in_use = desk.patch(&desk.owner, "/v1/fields/model", &toaster_only).await;
    assert_eq!(
        (in_use.status.as_u16(), in_use.json()["code"].clone()),
        (409, json!("option_in_use")),
        "{}",
        in_use.body
    );
    assert_eq!(desk.patch(&desk.owner, "/v1/fields/model", &kettle_only).await.status, 200);

    // The 101st field is refused.
    desk.db
        .execute(&format!(
            "INSERT INTO ticket_fields (key, label_en, kind, position) SELECT 'filler_' || n, 'Filler', 'text', 100 + n
             FROM generate_series(1, {}) AS n",
            100 - desk.db.count("ticket_fields").await
        ))
        .await;
    let over = desk.post(&desk.owner, "/v1/fields", &mine).await;
    assert_eq!((over.status.as_u16(), over.json()["code"].clone()), (422, json!("limit_reached")), "{}", over.body);
    assert_eq!(desk.db.count("ticket_fields").await, 100);

    // Deleting a field deletes its values.
    assert_eq!(desk.delete(&desk.owner, "/v1/fields/model").await.status, 204);
    assert_eq!(desk.ticket(&desk.owner, id(&t.json())).await["fields"], json!({}));
    assert_eq!(desk.delete(&desk.owner, "/v1/fields/model").await.status, 404);
    let audited = desk.db.scalar("SELECT count(*) FROM audit_log WHERE action LIKE 'field_%'").await;
    assert_eq!(audited, 6 + 2 + 1, "six made, two changes, one deleted");
}

#[tokio::test]
async fn values_are_checked_on_every_write_path_and_customers_see_their_own() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    the_fields(&desk).await;

    // Staff set any field when they open a ticket; values are stored as checked.
    let mark = desk.mark().await;
    let opened = open_with(
        &desk,
        &agent,
        &customer,
        json!({ "serial": "  SN-1 ", "model": "kettle",
        "parts": ["cord", "lid", "cord"], "refund": 12.5, "bought": "2026-03-01", "checked": false }),
    )
    .await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let ticket = opened.json();
    let stored = json!({ "serial": "SN-1", "model": "kettle", "parts": ["lid", "cord"], "refund": 12.5,
        "bought": "2026-03-01", "checked": false });
    assert_eq!(ticket["fields"], stored);
    let written = desk.since(&mark).await;
    assert_eq!(written.history[0].changes["fields"][1], stored);
    assert_eq!(written.event("sav.ticket.created").payload["data"]["fields"], stored);

    // A wrong value, an unknown key or option: 422 naming each, nothing written.
    let tickets = desk.db.count("support_tickets").await;
    let refused = open_with(
        &desk,
        &agent,
        &customer,
        json!({ "refund": "12", "model": "fridge", "colour": "red",
        "bought": "2026-02-30", "parts": "lid", "checked": "yes" }),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let mut named = error_fields(&refused);
    named.sort();
    assert_eq!(
        named,
        ["fields.bought", "fields.checked", "fields.colour", "fields.model", "fields.parts", "fields.refund"]
    );
    assert_eq!(desk.db.count("support_tickets").await, tickets);
    assert_eq!(
        desk.post(&agent, "/v1/tickets", &json!({ "subject": "x", "description": "y", "fields": [] })).await.status,
        400
    );

    // A change merges; null clears; the history names what changed.
    let path = format!("/v1/tickets/{}", id(&ticket));
    let mark = desk.mark().await;
    let changed =
        desk.patch(&agent, &path, &json!({ "fields": { "refund": 20, "serial": null, "priority": null } })).await;
    assert_eq!(
        (changed.status.as_u16(), error_fields(&changed)),
        (422, vec!["fields.priority".to_owned()]),
        "{}",
        changed.body
    );
    let changed = desk.patch(&agent, &path, &json!({ "fields": { "refund": 20, "serial": null } })).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["fields"]["refund"], 20);
    assert!(changed.json()["fields"].get("serial").is_none());
    let history = desk.since(&mark).await.history;
    assert_eq!(history.len(), 1, "the refused change recorded nothing");
    assert_eq!(
        history[0].changes["fields"],
        json!([{ "refund": 12.5, "serial": "SN-1" }, { "refund": 20, "serial": null }])
    );

    // The customer is shown the visible fields only, and sets the editable ones only.
    let theirs = desk.ticket(&customer, id(&ticket)).await;
    assert_eq!(theirs["fields"], json!({ "model": "kettle" }));
    let set = desk.patch(&customer, &path, &json!({ "fields": { "serial": "SN-2" } })).await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.json()["fields"], json!({ "model": "kettle", "serial": "SN-2" }));
    let not_theirs = desk.patch(&customer, &path, &json!({ "fields": { "model": "toaster", "refund": 1 } })).await;
    assert_eq!(not_theirs.status, 422, "{}", not_theirs.body);
    assert_eq!(desk.ticket(&desk.owner, id(&ticket)).await["fields"]["model"], "kettle");
    assert_eq!(desk.patch(&customer, &path, &json!({ "fields": {}, "subject": "Mine" })).await.status, 403);
    // Their own new ticket takes the editable ones.
    let own = desk
        .post(
            &customer,
            "/v1/tickets",
            &json!({ "subject": "Grille-pain", "description": "Ne grille pas",
        "fields": { "serial": "SN-3" } }),
        )
        .await;
    assert_eq!(own.status, 201, "{}", own.body);
    assert_eq!(own.json()["fields"], json!({ "serial": "SN-3" }));
    let hidden = desk
        .post(
            &customer,
            "/v1/tickets",
            &json!({ "subject": "x", "description": "y",
        "fields": { "refund": 3 } }),
        )
        .await;
    assert_eq!(
        (hidden.status.as_u16(), error_fields(&hidden)),
        (422, vec!["fields.refund".to_owned()]),
        "{}",
        hidden.body
    );
    // Lists show customers the same.
    let listed = desk.get(&customer, "/v1/tickets").await.json();
    let row = listed["data"].as_array().unwrap().iter().find(|t| t["id"] == ticket["id"]).unwrap().clone();
    assert_eq!(row["fields"], json!({ "model": "kettle", "serial": "SN-2" }));
}

#[tokio::test]
async fn a_ticket_is_not_resolved_while_a_required_field_is_empty() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    the_fields(&desk).await;
    let ticket = id(&open_with(&desk, &agent, &customer, json!({ "checked": false })).await.json());
    desk.assign(&agent, ticket, Some(&agent)).await;

    let refused = desk.post(&agent, &format!("/v1/tickets/{ticket}/status"), &json!({ "status": "resolved" })).await;
    assert_eq!(
        (refused.status.as_u16(), refused.json()["code"].clone()),
        (422, json!("fields_required")),
        "{}",
        refused.body
    );
    assert_eq!(error_fields(&refused), ["fields.checked"]);
    assert_eq!(desk.ticket(&agent, ticket).await["status"], "in_progress");
    // A macro that resolves is refused the same way.
    let made = desk.post(&desk.owner, "/v1/macros", &json!({ "name": "Done", "status": "resolved" })).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let applied = desk.post(&agent, &format!("/v1/tickets/{ticket}/macros/{}", id(&made.json())), &json!({})).await;
    assert_eq!(
        (applied.status.as_u16(), applied.json()["code"].clone()),
        (422, json!("fields_required")),
        "{}",
        applied.body
    );
    assert_eq!(desk.ticket(&agent, ticket).await["status"], "in_progress");

    let set = desk.patch(&agent, &format!("/v1/tickets/{ticket}"), &json!({ "fields": { "checked": true } })).await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(desk.set_status(&agent, ticket, "resolved").await["status"], "resolved");
}

#[tokio::test]
async fn the_list_and_views_filter_by_fields() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    the_fields(&desk).await;
    let mut made = Vec::new();
    for fields in [
        json!({ "model": "kettle", "parts": ["lid"], "refund": 5, "bought": "2026-01-10", "checked": true }),
        json!({ "model": "toaster", "parts": ["lid", "cord"], "refund": 25, "bought": "2026-02-10", "checked": false }),
        json!({ "model": "kettle", "refund": 50, "bought": "2026-03-10" }),
        json!({}),
    ] {
        let opened = open_with(&desk, &desk.owner, &customer, fields).await;
        assert_eq!(opened.status, 201, "{}", opened.body);
        made.push(id(&opened.json()));
    }
    let owner = &desk.owner;
    let [a, b, c, _] = made[..] else { unreachable!() };
    assert_eq!(found(&desk, &[("field.model", "kettle")]).await, [a, c]);
    assert_eq!(found(&desk, &[("field.parts", "lid")]).await, [a, b], "a multi-select holding it");
    assert_eq!(found(&desk, &[("field.parts", "cord")]).await, [b]);
    assert_eq!(found(&desk, &[("field.checked", "true")]).await, [a]);
    assert_eq!(found(&desk, &[("field.checked", "false")]).await, [b], "unset is neither");
    assert_eq!(found(&desk, &[("field.refund", "25")]).await, [b]);
    assert_eq!(found(&desk, &[("field.refund.gte", "20")]).await, [b, c]);
    assert_eq!(found(&desk, &[("field.refund.gte", "5"), ("field.refund.lte", "25")]).await, [a, b]);
    assert_eq!(found(&desk, &[("field.bought.lte", "2026-02-10")]).await, [a, b]);
    assert_eq!(found(&desk, &[("field.bought.gte", "2026-02-11"), ("field.model", "kettle")]).await, [c]);
    // A change moves a ticket in and out of a range.
    desk.patch(owner, &format!("/v1/tickets/{a}"), &json!({ "fields": { "refund": null } })).await;
    assert_eq!(found(&desk, &[("field.refund.lte", "30")]).await, [b]);

    // Bad filters: each named.
    for (name, value) in [
        ("field.nope", "x"),
        ("field.model", "fridge"),
        ("field.refund.gte", "many"),
        ("field.checked", "yes"),
        ("field.model.gte", "a"),
        ("field.bought", "10/01/2026"),
    ] {
        let refused = desk.get(owner, &with_query("/v1/tickets", &[(name, value)])).await;
        assert_eq!(
            (refused.status.as_u16(), error_fields(&refused)),
            (422, vec![name.to_owned()]),
            "{name}={value}: {}",
            refused.body
        );
    }
    let odd = desk.get(owner, &with_query("/v1/tickets", &[("field.refund.between", "1")])).await;
    assert_eq!(odd.status, 400, "{}", odd.body);
    // A customer filters by what they are shown only.
    assert_eq!(desk.list(&customer, &[("field.model", "kettle")]).await.len(), 2);
    let hidden = desk.get(&customer, &with_query("/v1/tickets", &[("field.refund.gte", "1")])).await;
    assert_eq!(hidden.status, 422, "{}", hidden.body);

    // A view holds field filters, and counts them exactly.
    let view =
        desk.post(owner, "/v1/views", &json!({ "name": "Big refunds", "filters": { "field.refund.gte": "20" } })).await;
    assert_eq!(view.status, 201, "{}", view.body);
    let counts = desk.get(owner, "/v1/views/counts").await.json();
    let counted = counts.as_array().unwrap().iter().find(|v| v["id"] == view.json()["id"]).unwrap()["count"].clone();
    assert_eq!(counted, 2);
    let bad = desk.post(owner, "/v1/views", &json!({ "name": "Bad", "filters": { "field.nope": "1" } })).await;
    assert_eq!((bad.status.as_u16(), error_fields(&bad)), (422, vec!["filters.field.nope".to_owned()]), "{}", bad.body);
}
