//! Participants and linked tickets on a real tenant database: people copied on a conversation
//! and staff followers, added once, listed as each caller may see them, removed, with every
//! refusal changing nothing; links between tickets seen from both sides, without cycles; a
//! parent resolved with its children; a customer's message split off into a ticket of its own.
//! The mail side (copies, answers by mail, `Cc:` of a new mail, leaving) is in
//! `participants_by_mail`.

use serde_json::{Value, json};
use uuid::Uuid;

use super::{Desk, error_fields, id};

fn address(tag: &str) -> String {
    format!("{tag}-{}@example.com", Uuid::new_v4().simple())
}

async fn participant_count(desk: &Desk, ticket: i64) -> i64 {
    desk.db.scalar(&format!("SELECT count(*) FROM ticket_participants WHERE ticket_id = {ticket}")).await
}

#[tokio::test]
async fn participants_are_added_once_shown_as_each_caller_may_see_them_and_removed() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let agent = desk.member("agent").await;
    let ticket = id(&desk.create(&customer, json!({ "subject": "Parcel", "description": "Lost." })).await);
    let path = format!("/v1/tickets/{ticket}/participants");
    let colleague = address("colleague");

    let added = desk
        .post(&customer, &path, &json!({ "email": colleague.to_uppercase(), "name": "Bo Colleague", "kind": "cc" }))
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    let cc = added.json();
    assert_eq!(
        (cc["email"].as_str(), cc["kind"].as_str(), cc["name"].as_str()),
        (Some(colleague.as_str()), Some("cc"), Some("Bo Colleague"))
    );
    assert_eq!(cc["user_id"], Value::Null);
    // The same address again, by anyone and of any kind: nothing changes.
    let again = desk.post(&desk.owner, &path, &json!({ "email": colleague, "kind": "cc" })).await;
    assert_eq!((again.status.as_u16(), again.json()["id"].clone()), (200, cc["id"].clone()));
    // A follower is staff, with their account.
    let followed = desk.post(&agent, &path, &json!({ "email": agent.email, "kind": "follower" })).await;
    assert_eq!(followed.status, 201, "{}", followed.body);
    assert_eq!(followed.json()["user_id"], json!(agent.id));

    let staff_view = desk.get(&desk.owner, &path).await.json();
    assert_eq!(staff_view.as_array().unwrap().len(), 2);
    let customer_view = desk.get(&customer, &path).await.json();
    assert_eq!(customer_view.as_array().unwrap().len(), 1, "customers see the people copied, not the followers");
    let detail = desk.ticket(&customer, ticket).await;
    assert_eq!(detail["participants"][0]["email"], colleague.as_str());
    assert_eq!(desk.ticket(&desk.owner, ticket).await["participants"].as_array().unwrap().len(), 2);
    // Each addition is a change of the ticket, with its actor.
    let history = desk.history(ticket).await;
    let changes: Vec<&Value> = history.iter().map(|e| &e.changes).collect();
    assert!(changes.iter().any(|c| c["cc"] == json!([[], [colleague]])), "{changes:?}");
    assert!(changes.iter().any(|c| c["followers"] == json!([[], [agent.email]])), "{changes:?}");

    // Removing: the customer may not take a follower off; staff may; twice is 404.
    let follower_id = followed.json()["id"].as_i64().unwrap();
    let refused = desk.delete(&customer, &format!("{path}/{follower_id}")).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(desk.delete(&agent, &format!("{path}/{follower_id}")).await.status, 204);
    assert_eq!(desk.delete(&agent, &format!("{path}/{follower_id}")).await.status, 404);
    let cc_id = cc["id"].as_i64().unwrap();
    assert_eq!(desk.delete(&customer, &format!("{path}/{cc_id}")).await.status, 204);
    assert_eq!(participant_count(&desk, ticket).await, 0);
}

#[tokio::test]
async fn every_refusal_of_a_participant_names_its_reason_and_changes_nothing() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let stranger = desk.member("customer").await;
    let ticket = id(&desk.create(&customer, json!({ "subject": "Parcel", "description": "Lost." })).await);
    let path = format!("/v1/tickets/{ticket}/participants");
    let reply_domain = desk.app.state.config.notifications.mail.reply_domain.clone();
    let own_from = desk.app.state.config.notifications.mail.from.to_string();
    let cases = [
        (&desk.owner, json!({ "email": "not an address", "kind": "cc" }), 422, "email"),
        (&desk.owner, json!({ "email": format!("anything@{reply_domain}"), "kind": "cc" }), 422, "email"),
        (&desk.owner, json!({ "email": own_from, "kind": "cc" }), 422, "email"),
        (&desk.owner, json!({ "email": customer.email, "kind": "cc" }), 422, "email"),
        (&desk.owner, json!({ "email": address("outsider"), "kind": "follower" }), 422, "email"),
        (&desk.owner, json!({ "email": stranger.email, "kind": "follower" }), 422, "email"),
        (&desk.owner, json!({ "email": address("x"), "name": "a\nb", "kind": "cc" }), 422, "name"),
        (&customer, json!({ "email": desk.owner.email, "kind": "follower" }), 403, ""),
        (&stranger, json!({ "email": address("x"), "kind": "cc" }), 404, ""),
    ];
    for (who, body, status, field) in cases {
        let refused = desk.post(who, &path, &body).await;
        assert_eq!(refused.status, status, "{body}: {}", refused.body);
        if !field.is_empty() {
            assert_eq!(error_fields(&refused), [field], "{body}");
        }
    }
    for body in [
        json!({ "email": address("x"), "kind": "cc", "role": "admin" }),
        json!({ "email": 7, "kind": "cc" }),
        json!({ "email": address("x"), "kind": "boss" }),
    ] {
        assert_eq!(desk.post(&desk.owner, &path, &body).await.status, 400, "{body}");
    }
    assert_eq!(participant_count(&desk, ticket).await, 0, "no refusal wrote anything");
    // Another ticket's participant is not this ticket's.
    let elsewhere = id(&desk.create(&stranger, json!({ "subject": "Elsewhere", "description": "x" })).await);
    let theirs = desk
        .post(
            &stranger,
            &format!("/v1/tickets/{elsewhere}/participants"),
            &json!({ "email": address("y"), "kind": "cc" }),
        )
        .await;
    let theirs = theirs.json()["id"].as_i64().unwrap();
    assert_eq!(desk.delete(&desk.owner, &format!("{path}/{theirs}")).await.status, 404);
    assert_eq!(participant_count(&desk, elsewhere).await, 1);

    // At most 20.
    for n in 0..20 {
        let added = desk.post(&desk.owner, &path, &json!({ "email": address(&format!("p{n}")), "kind": "cc" })).await;
        assert_eq!(added.status, 201, "{}", added.body);
    }
    let full = desk.post(&desk.owner, &path, &json!({ "email": address("late"), "kind": "cc" })).await;
    assert_eq!((full.status.as_u16(), full.json()["code"].as_str()), (422, Some("limit_reached")), "{}", full.body);
    assert_eq!(participant_count(&desk, ticket).await, 20);
}

#[tokio::test]
async fn links_are_seen_from_both_sides_and_never_make_a_cycle() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let open = |subject: &'static str| {
        let (desk, customer) = (&desk, &customer);
        async move { id(&desk.create(customer, json!({ "subject": subject, "description": "Down." })).await) }
    };
    let (outage, shop, app, other) =
        (open("Outage").await, open("Shop down").await, open("App down").await, open("Other").await);
    let link = |from: i64, to: i64, kind: &'static str| {
        let desk = &desk;
        async move {
            desk.post(&desk.owner, &format!("/v1/tickets/{from}/links"), &json!({ "ticket_id": to, "kind": kind }))
                .await
        }
    };
    let made = link(shop, outage, "parent").await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(
        (made.json()["ticket_id"].as_i64(), made.json()["kind"].as_str(), made.json()["status"].as_str()),
        (Some(outage), Some("parent"), Some("open"))
    );
    assert_eq!(link(outage, app, "child").await.status, 201);
    assert_eq!(link(outage, other, "related").await.status, 201);
    let of_outage = desk.get(&desk.owner, &format!("/v1/tickets/{outage}/links")).await.json();
    let kinds: Vec<(i64, &str)> = of_outage
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["ticket_id"].as_i64().unwrap(), l["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [(shop, "child"), (app, "child"), (other, "related")]);
    let of_other = desk.get(&desk.owner, &format!("/v1/tickets/{other}/links")).await.json();
    assert_eq!(of_other[0]["kind"], "related");

    // Refusals: itself, twice, a cycle (a child made its parent's parent, two deep too), a
    // merged ticket, a ticket of nobody's; customers.
    let grandchild = open("Grandchild").await;
    assert_eq!(link(shop, grandchild, "child").await.status, 201);
    let before: i64 = desk.db.scalar("SELECT count(*) FROM ticket_links").await;
    for (from, to, kind, field) in [
        (outage, outage, "related", "ticket_id"),
        (outage, shop, "child", "ticket_id"),
        (shop, outage, "related", "ticket_id"),
        (outage, shop, "parent", "ticket_id"),
        (outage, grandchild, "parent", "kind"),
        (outage, 9_999_999, "child", "ticket_id"),
    ] {
        let refused = link(from, to, kind).await;
        assert_eq!(refused.status, 422, "{from} {to} {kind}: {}", refused.body);
        assert_eq!(error_fields(&refused), [field], "{from} {to} {kind}");
    }
    let duplicate = open("Duplicate").await;
    let merged = desk
        .post(&desk.owner, &format!("/v1/tickets/{other}/merge"), &json!({ "source_ticket_ids": [duplicate] }))
        .await;
    assert_eq!(merged.status, 200, "{}", merged.body);
    assert_eq!(link(outage, duplicate, "related").await.status, 422, "a merged ticket takes no link");
    let by_customer = desk
        .post(&customer, &format!("/v1/tickets/{outage}/links"), &json!({ "ticket_id": other, "kind": "related" }))
        .await;
    assert_eq!(by_customer.status, 403);
    assert_eq!(desk.get(&customer, &format!("/v1/tickets/{outage}/links")).await.status, 403);
    assert_eq!(desk.db.scalar("SELECT count(*) FROM ticket_links").await, before, "no refusal wrote a link");

    // Unlinking, from either side.
    assert_eq!(desk.delete(&desk.owner, &format!("/v1/tickets/{other}/links/{outage}")).await.status, 204);
    assert_eq!(desk.delete(&desk.owner, &format!("/v1/tickets/{other}/links/{outage}")).await.status, 404);
    let history = desk.history(other).await;
    let links: Vec<&Value> = history.iter().filter_map(|e| e.changes.get("link")).collect();
    assert_eq!(links.len(), 2, "linked, then unlinked: {links:?}");
}

#[tokio::test]
async fn a_parent_resolved_with_its_children_resolves_those_that_may_move_each_on_its_own() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let agent = desk.member("agent").await;
    let mut tickets = Vec::new();
    for subject in ["Outage", "Working", "Waiting", "Closed"] {
        let ticket = id(&desk.create(&customer, json!({ "subject": subject, "description": "Down." })).await);
        desk.assign(&desk.owner, ticket, Some(&agent)).await;
        tickets.push(ticket);
    }
    let [parent, working, waiting, closed] = tickets[..] else { unreachable!() };
    desk.set_status(&agent, waiting, "waiting_customer").await;
    desk.set_status(&agent, closed, "resolved").await;
    desk.set_status(&customer, closed, "closed").await;
    for child in [working, waiting, closed] {
        let made = desk
            .post(&desk.owner, &format!("/v1/tickets/{parent}/links"), &json!({ "ticket_id": child, "kind": "child" }))
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
    }
    // Another status with resolve_children is refused, and changes nothing.
    let wrong = desk
        .post(
            &agent,
            &format!("/v1/tickets/{parent}/status"),
            &json!({ "status": "waiting_customer", "resolve_children": true }),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);

    let resolved = desk
        .post(
            &agent,
            &format!("/v1/tickets/{parent}/status"),
            &json!({ "status": "resolved", "reason": "Fixed upstream", "resolve_children": true }),
        )
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);
    let answer = resolved.json();
    assert_eq!(answer["status"], "resolved");
    let left: Vec<i64> =
        answer["children_left"].as_array().unwrap().iter().map(|c| c["ticket_id"].as_i64().unwrap()).collect();
    // The state machine lets neither a ticket waiting for its customer nor a closed one move
    // to resolved: they stay as they were.
    assert_eq!(left, [waiting, closed]);
    assert_eq!(answer["children_left"][1]["status"], "closed");
    assert_eq!(desk.ticket(&agent, waiting).await["status"], "waiting_customer");
    for child in [working] {
        assert_eq!(desk.ticket(&agent, child).await["status"], "resolved");
        let history = desk.history(child).await;
        let resolutions: Vec<_> = history
            .iter()
            .filter(|e| e.to_status.as_deref() == Some("resolved"))
            .map(|e| (e.actor_id, e.reason.as_deref()))
            .collect();
        assert_eq!(
            resolutions,
            [(Some(agent.id), Some("Fixed upstream"))],
            "its own entry, by the person who resolved the parent"
        );
    }
    assert_eq!(desk.ticket(&agent, closed).await["status"], "closed");
    // Without the flag, only the parent moves.
    let plain =
        desk.post(&customer, &format!("/v1/tickets/{working}/status"), &json!({ "status": "in_progress" })).await;
    assert_eq!(plain.status, 200, "{}", plain.body);
    assert!(plain.json().get("children_left").is_none());
}

#[tokio::test]
async fn a_customer_s_message_splits_off_into_a_ticket_of_its_own_with_its_files() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let ticket = id(&desk.create(&customer, json!({ "subject": "Two problems", "description": "First one." })).await);
    let staff_reply = desk.say(&desk.owner, ticket, "Looking.", false).await;
    let second = desk.say(&customer, ticket, "Also, my invoice is wrong.", false).await;
    let message = id(&second);
    let file = desk.attach(&customer, ticket, message, "invoice.txt", b"total: 12").await;

    let path = format!("/v1/tickets/{ticket}/messages/{message}/split");
    let refused =
        desk.post(&desk.owner, &format!("/v1/tickets/{ticket}/messages/{}/split", id(&staff_reply)), &json!({})).await;
    assert_eq!(
        (refused.status.as_u16(), error_fields(&refused)),
        (422, vec!["message_id".to_owned()]),
        "{}",
        refused.body
    );
    assert_eq!(desk.post(&customer, &path, &json!({})).await.status, 403);
    assert_eq!(
        desk.post(&desk.owner, &format!("/v1/tickets/{ticket}/messages/999999/split"), &json!({})).await.status,
        404
    );
    assert_eq!(desk.post(&desk.owner, &path, &json!({ "subject": "x".repeat(300) })).await.status, 422);

    let mark = desk.mark().await;
    let split = desk.post(&desk.owner, &path, &json!({ "subject": "Wrong invoice" })).await;
    assert_eq!(split.status, 201, "{}", split.body);
    // The customer is told their message became a ticket, as when they open one.
    assert_eq!(desk.since(&mark).await.event("sav.ticket.created").payload["data"]["requester_notified"], true);
    let new = split.json();
    let new_id = id(&new);
    assert_eq!(
        (new["subject"].as_str(), new["user_id"].as_str()),
        (Some("Wrong invoice"), Some(customer.id.to_string().as_str()))
    );
    assert!(new["description"].as_str().unwrap().contains("my invoice is wrong"));
    // Its file went with it; the message left the first thread; the two are related.
    let moved: i64 =
        desk.db.scalar(&format!("SELECT ticket_id FROM ticket_attachments WHERE id = {}", file["id"])).await;
    assert_eq!(moved, new_id);
    let thread = desk.get(&desk.owner, &format!("/v1/tickets/{ticket}/messages")).await.json();
    assert!(thread["data"].as_array().unwrap().iter().all(|m| m["id"].as_i64() != Some(message)));
    let links = desk.get(&desk.owner, &format!("/v1/tickets/{new_id}/links")).await.json();
    assert_eq!((links[0]["ticket_id"].as_i64(), links[0]["kind"].as_str()), (Some(ticket), Some("related")));
    assert_eq!(desk.ticket(&customer, new_id).await["subject"], "Wrong invoice", "the customer sees their new ticket");
}
