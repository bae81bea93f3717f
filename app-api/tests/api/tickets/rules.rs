//! Rules on a real tenant database: admins keep them in order and every refusal names its place
//! and changes nothing; each trigger runs its rules inside the write, each action does what it
//! says as the rule (history, events, routing); chains stop at their depth and a rule runs at
//! most once per person's change, so two rules that undo each other stop; a refused action
//! refuses its run alone; a dry
//! run writes nothing; time rules fire once per anchor, on a clock the test sets ahead.

use std::sync::Arc;

use app_api::worker::jobs::Jobs;
use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::mailbox;
use uuid::Uuid;

use super::{Desk, error_fields, id};
use crate::integrations::make_key;
use crate::notifications::MailDesk;

/// `POST /v1/rules`, which must succeed; the rule's id.
async fn rule(desk: &Desk, name: &str, trigger: Value, conditions: Value, actions: Value) -> String {
    let body = json!({ "name": name, "trigger": trigger, "conditions": conditions, "actions": actions });
    let made = desk.post(&desk.owner, "/v1/rules", &body).await;
    assert_eq!(made.status, 201, "{name}: {}", made.body);
    made.json()["id"].as_str().unwrap().to_owned()
}

fn cond(field: &str, op: &str, value: Value) -> Value {
    let mut condition = json!({ "field": field, "op": op });
    condition["value"] = value;
    condition
}

/// The rule's runs, newest first.
async fn runs(desk: &Desk, rule: &str) -> Vec<Value> {
    let page = desk.get(&desk.owner, &format!("/v1/rules/{rule}/runs")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.json()["data"].as_array().unwrap().clone()
}

/// The ticket's history as the API shows it.
async fn history(desk: &Desk, ticket: i64) -> Vec<Value> {
    let page = desk.get(&desk.owner, &format!("/v1/tickets/{ticket}/history")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.json()["data"].as_array().unwrap().clone()
}

fn tags(ticket: &Value) -> Vec<&str> {
    ticket["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect()
}

fn names(rules: &Value) -> Vec<&str> {
    rules.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn admins_keep_rules_in_order_and_refusals_name_their_place_and_change_nothing() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    let tag_vip = json!([{ "type": "add_tags", "value": ["vip"] }]);
    let first = rule(&desk, "First", json!("ticket.created"), Value::Null, tag_vip.clone()).await;
    let second = rule(&desk, "Second", json!("ticket.updated"), json!({ "any": [] }), tag_vip.clone()).await;
    let body = json!({ "name": "Zeroth", "enabled": false, "position": 1, "trigger": "message.added",
                       "conditions": { "all": [cond("message.sender_type", "is", json!("customer"))] },
                       "actions": tag_vip });
    let zeroth = desk.post(&desk.owner, "/v1/rules", &body).await;
    assert_eq!(zeroth.status, 201, "{}", zeroth.body);
    let zeroth: Value = zeroth.json();
    assert_eq!((zeroth["position"].as_i64(), zeroth["enabled"].as_bool()), (Some(1), Some(false)));
    assert_eq!(zeroth["conditions"]["any"], json!([]), "both lists are kept");
    let listed = desk.get(&desk.owner, "/v1/rules").await.json();
    assert_eq!(names(&listed), ["Zeroth", "First", "Second"]);

    // Moved last, then deleted: the others close up.
    let zeroth_id = zeroth["id"].as_str().unwrap();
    let moved = desk.patch(&desk.owner, &format!("/v1/rules/{zeroth_id}"), &json!({ "position": 3 })).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(names(&desk.get(&desk.owner, "/v1/rules").await.json()), ["First", "Second", "Zeroth"]);
    let back = desk.patch(&desk.owner, &format!("/v1/rules/{second}"), &json!({ "position": 1 })).await;
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(names(&desk.get(&desk.owner, "/v1/rules").await.json()), ["Second", "First", "Zeroth"]);
    assert_eq!(desk.delete(&desk.owner, &format!("/v1/rules/{second}")).await.status, 204);
    let listed = desk.get(&desk.owner, "/v1/rules").await.json();
    let positions: Vec<i64> = listed.as_array().unwrap().iter().map(|r| r["position"].as_i64().unwrap()).collect();
    assert_eq!((names(&listed), positions), (vec!["First", "Zeroth"], vec![1, 2]));

    // Staff and customers may not read or keep rules.
    for who in [&agent, &customer] {
        assert_eq!(desk.get(who, "/v1/rules").await.status, 403);
        assert_eq!(desk.post(who, "/v1/rules", &body).await.status, 403);
        assert_eq!(desk.post(who, &format!("/v1/rules/{first}/dry-run"), &json!({ "ticket_id": 1 })).await.status, 403);
    }
}

#[tokio::test]
async fn every_refusal_names_its_place_and_changes_nothing() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let tag_vip = json!([{ "type": "add_tags", "value": ["vip"] }]);
    let first = rule(&desk, "First", json!("ticket.created"), Value::Null, tag_vip.clone()).await;
    rule(&desk, "Zeroth", json!("ticket.updated"), Value::Null, tag_vip).await;
    // Another organisation's team, a customer as assignee, an unknown macro, and the model's own
    // refusals: each named, nothing written.
    let other = desk.platform.org().await;
    let other_owner = desk.platform.owner(&desk.app, &other).await;
    let other_team = desk
        .app
        .post(
            &other.slug,
            "/v1/teams",
            &other_owner.token,
            &json!({ "name": "Theirs", "assignment": "manual", "member_ids": [] }),
        )
        .await;
    assert_eq!(other_team.status, 201, "{}", other_team.body);
    let other_team = other_team.json()["id"].as_str().unwrap().to_owned();
    let before = desk.db.scalar("SELECT count(*) FROM rules").await;
    let refused = desk
        .post(
            &desk.owner,
            "/v1/rules",
            &json!({ "name": "Bad", "trigger": "ticket.created",
                     "conditions": { "all": [cond("team_id", "is", json!(other_team)), cond("colour", "is", json!("red"))] },
                     "actions": [{ "type": "set_team", "value": other_team },
                                 { "type": "assign_to", "value": customer.id },
                                 { "type": "apply_macro", "macro_id": 999_999 }] }),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(error_fields(&refused), ["conditions.all[1].field"], "the model's refusals come first");
    let refused = desk
        .post(
            &desk.owner,
            "/v1/rules",
            &json!({ "name": "Bad", "trigger": "ticket.created",
                     "conditions": { "all": [cond("team_id", "is", json!(other_team))] },
                     "actions": [{ "type": "set_team", "value": other_team },
                                 { "type": "assign_to", "value": customer.id },
                                 { "type": "apply_macro", "macro_id": 999_999 }] }),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        error_fields(&refused),
        ["conditions.all[0].value", "actions[0].value", "actions[1].value", "actions[2].macro_id"]
    );
    for (body, status) in [
        (json!({ "name": "X", "trigger": "ticket.created", "actions": [], "colour": 1 }), 400),
        (json!({ "name": 5, "trigger": "ticket.created", "actions": [] }), 400),
        (
            json!({ "name": " ", "trigger": "ticket.created", "actions": [{ "type": "set_priority", "value": "low" }] }),
            422,
        ),
        (
            json!({ "name": "first", "trigger": "ticket.created", "actions": [{ "type": "set_priority", "value": "low" }] }),
            409,
        ),
        (
            json!({ "name": "Far", "position": 9, "trigger": "ticket.created", "actions": [{ "type": "set_priority", "value": "low" }] }),
            422,
        ),
        (
            json!({ "name": "Big", "trigger": "ticket.created", "actions": [{ "type": "add_internal_note", "body": "x".repeat(10_001) }] }),
            422,
        ),
    ] {
        let answer = desk.post(&desk.owner, "/v1/rules", &body).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
    }
    let renamed = desk.patch(&desk.owner, &format!("/v1/rules/{first}"), &json!({ "name": "ZEROTH" })).await;
    assert_eq!((renamed.status.as_u16(), renamed.json()["code"].as_str()), (409, Some("rule_name_taken")));
    let broken = desk
        .patch(
            &desk.owner,
            &format!("/v1/rules/{first}"),
            &json!({ "actions": [{ "type": "set_status", "value": "gone" }] }),
        )
        .await;
    assert_eq!((broken.status.as_u16(), error_fields(&broken)), (422, vec!["actions[0].value".to_owned()]));
    assert_eq!(desk.db.scalar("SELECT count(*) FROM rules").await, before, "nothing was written");
    let unknown = Uuid::new_v4();
    assert_eq!(desk.patch(&desk.owner, &format!("/v1/rules/{unknown}"), &json!({ "enabled": true })).await.status, 404);
    assert_eq!(desk.get(&desk.owner, &format!("/v1/rules/{unknown}/runs")).await.status, 404);
    // The other organisation sees none of these rules, and cannot touch them.
    let theirs = desk.app.get(&other.slug, "/v1/rules", Some(&other_owner.token)).await;
    assert_eq!(theirs.json(), json!([]));
    let touched = desk
        .app
        .patch(&other.slug, &format!("/v1/rules/{first}"), &other_owner.token, &json!({ "enabled": false }))
        .await;
    assert_eq!(touched.status, 404);
}

#[tokio::test]
async fn a_tenant_holds_at_most_200_rules() {
    let desk = Desk::open().await;
    for n in 0..200 {
        rule(
            &desk,
            &format!("Filler {n}"),
            json!("sla.breached"),
            Value::Null,
            json!([{ "type": "set_priority", "value": "urgent" }]),
        )
        .await;
    }
    let over = desk
        .post(
            &desk.owner,
            "/v1/rules",
            &json!({ "name": "One too many", "trigger": "ticket.created",
                                                 "actions": [{ "type": "set_priority", "value": "low" }] }),
        )
        .await;
    assert_eq!((over.status.as_u16(), over.json()["code"].as_str()), (422, Some("limit_reached")));
}

#[tokio::test]
async fn each_trigger_runs_its_rules_inside_the_write_as_the_rule() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    let created = rule(
        &desk,
        "Refunds are urgent",
        json!("ticket.created"),
        json!({ "all": [cond("subject", "contains", json!("REFUND"))], "any": [cond("channel", "is", json!("web"))] }),
        json!([{ "type": "set_priority", "value": "urgent" }, { "type": "add_tags", "value": ["refund"] }]),
    )
    .await;
    let messaged = rule(
        &desk,
        "Cancellations",
        json!("message.added"),
        json!({ "all": [cond("message.sender_type", "is", json!("customer")), cond("message.body", "contains", json!("cancel"))] }),
        json!([{ "type": "add_tags", "value": ["cancel"] }]),
    )
    .await;
    let updated = rule(
        &desk,
        "Escalated go to the lead",
        json!("ticket.updated"),
        json!({ "all": [cond("tags", "contains", json!("escalated")), cond("assigned_to", "is_empty", Value::Null)] }),
        json!([{ "type": "assign_to", "value": agent.id }]),
    )
    .await;

    let ticket = desk.create(&customer, json!({ "subject": "Refund please", "description": "Broken." })).await;
    let t = id(&ticket);
    assert_eq!(ticket["priority"], "urgent", "the customer's answer shows it");
    assert_eq!(tags(&desk.ticket(&desk.owner, t).await), ["refund"], "staff see the tags");
    let other = id(&desk.create(&customer, json!({ "subject": "Where is it", "description": "Lost." })).await);
    assert_eq!(desk.ticket(&desk.owner, other).await["priority"], "medium", "a ticket the conditions miss");

    // The history names the rule; the events are the usual ones.
    let entries = history(&desk, t).await;
    let by_rule: Vec<&Value> = entries.iter().filter(|e| e["actor"]["type"] == "rule").collect();
    assert_eq!(by_rule.len(), 2, "{entries:?}");
    assert_eq!(by_rule[0]["actor"], json!({ "type": "rule", "id": created, "name": "Refunds are urgent" }));
    assert_eq!(by_rule[0]["changes"]["priority"], json!(["medium", "urgent"]));
    let events: i64 = desk
        .db
        .scalar(&format!(
            "SELECT count(*) FROM outbox WHERE routing_key = 'sav.ticket.updated' AND payload->'data'->>'ticket_id' = '{t}'"
        ))
        .await;
    assert_eq!(events, 2, "one ticket.updated per change");
    let logged = runs(&desk, &created).await;
    assert_eq!(logged.len(), 1);
    assert_eq!((logged[0]["ticket_id"].as_i64(), logged[0]["trigger"].as_str()), (Some(t), Some("ticket.created")));
    assert_eq!(
        logged[0]["changes"][0],
        json!({ "action": "set_priority", "field": "priority", "from": "medium", "to": "urgent" })
    );
    assert!(logged[0]["error"].is_null());

    // A message, then an update.
    desk.say(&customer, t, "I want to cancel my order", false).await;
    desk.say(&agent, t, "We cancel nothing ourselves", true).await;
    assert_eq!(tags(&desk.ticket(&desk.owner, t).await), ["cancel", "refund"]);
    assert_eq!(runs(&desk, &messaged).await.len(), 1, "the internal note by an agent did not match");
    let patched = desk.patch(&desk.owner, &format!("/v1/tickets/{t}"), &json!({ "tags": ["escalated"] })).await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    let patched = patched.json();
    assert_eq!(
        (patched["assigned_to"].as_str(), patched["status"].as_str()),
        (Some(agent.id.to_string().as_str()), Some("in_progress"))
    );
    assert_eq!(runs(&desk, &updated).await[0]["trigger"], "ticket.updated");

    // A breach the jobs record triggers sla.breached.
    let breached = rule(
        &desk,
        "Breaches are tagged",
        json!("sla.breached"),
        Value::Null,
        json!([{ "type": "add_tags", "value": ["breached"] }]),
    )
    .await;
    let jobs = Jobs::new(&desk.app.state).with_clock(Arc::new(|| Utc::now() + chrono::Duration::days(5)));
    jobs.sweep().await.unwrap();
    assert!(jobs.check().await.unwrap().breaches >= 1);
    assert!(tags(&desk.ticket(&desk.owner, other).await).contains(&"breached"));
    assert!(runs(&desk, &breached).await.iter().all(|r| r["trigger"] == "sla.breached"));
    let metrics = &desk.app.state.events.rules.metrics;
    assert!(metrics.runs("sla.breached", "applied") >= 1);
}

#[tokio::test]
async fn every_action_does_what_it_says_and_a_refused_action_refuses_its_run_alone() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    let team = desk
        .post(
            &desk.owner,
            "/v1/teams",
            &json!({ "name": "Billing", "assignment": "round_robin", "member_ids": [agent.id] }),
        )
        .await;
    assert_eq!(team.status, 201, "{}", team.body);
    let team = team.json()["id"].as_str().unwrap().to_owned();
    let available = desk.put(&agent, "/v1/me/availability", &json!({ "available": true })).await;
    assert_eq!(available.status, 200, "{}", available.body);
    let field = desk
        .post(
            &desk.owner,
            "/v1/fields",
            &json!({ "key": "product", "label": { "en": "Product" }, "type": "dropdown",
                                                   "options": [{ "value": "phone", "label": { "en": "Phone" } }] }),
        )
        .await;
    assert_eq!(field.status, 201, "{}", field.body);

    // Refused (nobody starts a ticket without an assignee): its tag is not kept either.
    let refusing = rule(
        &desk,
        "Start at once",
        json!("ticket.created"),
        Value::Null,
        json!([{ "type": "add_tags", "value": ["started"] }, { "type": "set_status", "value": "in_progress" }]),
    )
    .await;
    let routing = rule(
        &desk,
        "Billing",
        json!("ticket.created"),
        json!({ "all": [cond("category", "is", json!("billing"))] }),
        json!([
            { "type": "set_team", "value": team },
            { "type": "set_field", "key": "product", "value": "phone" },
            { "type": "add_internal_note", "body": "Routed to <billing>" },
            { "type": "add_tags", "value": ["a", "b"] },
            { "type": "remove_tags", "value": ["a"] },
            { "type": "notify_email", "to": "assignee", "subject": "New billing ticket", "body": "Look" },
        ]),
    )
    .await;

    let ticket = desk
        .create(&customer, json!({ "subject": "Charged twice", "description": "Twice!", "category": "billing" }))
        .await;
    let t = id(&ticket);
    let ticket = desk.ticket(&desk.owner, t).await;
    assert_eq!(tags(&ticket), ["b"], "the refused run's tag was not kept: {ticket}");
    assert_eq!(ticket["team_id"].as_str(), Some(team.as_str()));
    assert_eq!(ticket["assigned_to"].as_str(), Some(agent.id.to_string().as_str()), "routing applied: {ticket}");
    assert_eq!(ticket["status"], "in_progress");
    assert_eq!(ticket["fields"]["product"], "phone");
    let refusal = runs(&desk, &refusing).await;
    assert_eq!(refusal.len(), 1);
    assert!(refusal[0]["changes"].is_null());
    assert!(refusal[0]["error"].as_str().unwrap().contains("assign"), "{}", refusal[0]);
    let thread = desk.get(&desk.owner, &format!("/v1/tickets/{t}/messages")).await.json();
    let note = &thread["data"][0];
    assert_eq!(
        (note["is_internal"].as_bool(), note["message"].as_str()),
        (Some(true), Some("<p>Routed to &lt;billing&gt;</p>"))
    );
    let logged = &runs(&desk, &routing).await[0]["changes"];
    let fields: Vec<&str> = logged.as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"team_id") && fields.contains(&"note") && fields.contains(&"mail"), "{logged}");
    let mails: i64 = desk
        .db
        .scalar(&format!("SELECT count(*) FROM outbox WHERE routing_key = 'sav.ticket.rule_mail' AND payload->'data'->>'ticket_id' = '{t}'"))
        .await;
    assert_eq!(mails, 1, "the mail is told through the outbox");
    let mail: Value = sqlx::query_scalar(
        "SELECT payload FROM outbox WHERE routing_key = 'sav.ticket.rule_mail' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&desk.db.pool)
    .await
    .unwrap();
    assert_eq!(mail["data"]["user_ids"], json!([agent.id]), "the assignee as routing left it: {mail}");
    // A status a rule sets, on the customer's thanks.
    rule(
        &desk,
        "Thanks resolve",
        json!("message.added"),
        json!({ "all": [cond("message.body", "contains", json!("THANKS")), cond("message.sender_type", "is", json!("customer"))] }),
        json!([{ "type": "set_status", "value": "resolved" }]),
    )
    .await;
    desk.say(&customer, t, "It works now, thanks!", false).await;
    assert_eq!(desk.ticket(&desk.owner, t).await["status"], "resolved");
}

#[tokio::test]
async fn chains_stop_at_their_depth_and_a_rule_runs_once_per_persons_change() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    // t0 -> t1 -> ... -> t6: each rule adds the next tag when the previous one is there.
    // Made last first: in one pass each step finds the tag of the one before not there yet, so
    // each step runs on the change the previous step made, one deeper.
    let mut chain = Vec::new();
    for n in (1..=6).rev() {
        chain.push(
            rule(
                &desk,
                &format!("Step {n}"),
                json!("ticket.updated"),
                json!({ "all": [cond("tags", "contains", json!(format!("t{}", n - 1))), cond("tags", "not_contains", json!(format!("t{n}")))] }),
                json!([{ "type": "add_tags", "value": [format!("t{n}")] }]),
            )
            .await,
        );
    }
    let t = id(&desk.create(&customer, json!({ "subject": "Chain", "description": "x" })).await);
    let patched = desk.patch(&desk.owner, &format!("/v1/tickets/{t}"), &json!({ "tags": ["t0"] })).await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(tags(&patched.json()), ["t0", "t1", "t2", "t3", "t4", "t5"], "a change five deep triggers nothing");
    chain.reverse();
    assert_eq!(depths(&desk, &chain[..5]).await, [0, 1, 2, 3, 4]);
    assert!(runs(&desk, &chain[5]).await.is_empty());

    // Two rules that undo each other. On the person's change Lower lowers, then Raise (seeing
    // the ticket as Lower left it) raises; neither runs again on the other's change, however
    // deep: the ticket ends as the last of them left it.
    let lower = rule(
        &desk,
        "Lower",
        json!("ticket.updated"),
        json!({ "all": [cond("priority", "is", json!("high"))] }),
        json!([{ "type": "set_priority", "value": "low" }]),
    )
    .await;
    let raise = rule(
        &desk,
        "Raise",
        json!("ticket.updated"),
        json!({ "all": [cond("priority", "lt", json!("medium"))] }),
        json!([{ "type": "set_priority", "value": "high" }]),
    )
    .await;
    let u = id(&desk.create(&customer, json!({ "subject": "Ping pong", "description": "x" })).await);
    let patched = desk.patch(&desk.owner, &format!("/v1/tickets/{u}"), &json!({ "priority": "high" })).await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.json()["priority"], "high");
    assert_eq!(depths(&desk, &[lower, raise]).await, [0, 0], "each rule ran once, on the person's change");
    let by_rule = history(&desk, u).await.into_iter().filter(|e| e["actor"]["type"] == "rule").count();
    assert_eq!(by_rule, 2);
}

/// The depth of each rule's only run.
async fn depths(desk: &Desk, rules: &[String]) -> Vec<i64> {
    let mut depths = Vec::new();
    for rule in rules {
        let logged = runs(desk, rule).await;
        assert_eq!(logged.len(), 1, "{rule}: {logged:?}");
        depths.push(logged[0]["depth"].as_i64().unwrap());
    }
    depths
}

#[tokio::test]
async fn a_dry_run_says_what_a_rule_would_do_and_writes_nothing() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let ticket = desk.create(&customer, json!({ "subject": "Parcel", "description": "Late" })).await;
    let t = id(&ticket);
    let number = ticket["ticket_number"].as_str().unwrap().to_owned();
    let disabled = desk
        .post(
            &desk.owner,
            "/v1/rules",
            &json!({ "name": "Later", "enabled": false, "trigger": "ticket.updated",
            "conditions": { "all": [cond("subject", "contains", json!("parcel"))] },
            "actions": [{ "type": "set_priority", "value": "high" }, { "type": "add_internal_note", "body": "Tried" },
                        { "type": "notify_email", "to": "admins", "subject": "x", "body": "y" }] }),
        )
        .await;
    assert_eq!(disabled.status, 201, "{}", disabled.body);
    let rule = disabled.json()["id"].as_str().unwrap().to_owned();
    let before = (
        desk.db.scalar("SELECT count(*) FROM ticket_history").await,
        desk.db.scalar("SELECT count(*) FROM outbox").await,
        desk.db.scalar("SELECT count(*) FROM ticket_messages").await,
        desk.db.scalar("SELECT count(*) FROM rule_runs").await,
    );
    let tried = desk
        .post(&desk.owner, &format!("/v1/rules/{rule}/dry-run"), &json!({ "ticket_number": number.to_lowercase() }))
        .await;
    assert_eq!(tried.status, 200, "{}", tried.body);
    let tried = tried.json();
    assert_eq!(tried["matches"], true);
    assert!(tried["error"].is_null());
    let fields: Vec<&str> = tried["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["priority", "note", "mail"], "{tried}");
    let after = (
        desk.db.scalar("SELECT count(*) FROM ticket_history").await,
        desk.db.scalar("SELECT count(*) FROM outbox").await,
        desk.db.scalar("SELECT count(*) FROM ticket_messages").await,
        desk.db.scalar("SELECT count(*) FROM rule_runs").await,
    );
    assert_eq!(after, before, "nothing written");
    assert_eq!(desk.ticket(&desk.owner, t).await["priority"], "medium");

    let missed = desk.post(&desk.owner, &format!("/v1/rules/{rule}/dry-run"), &json!({ "ticket_id": t })).await;
    assert_eq!(missed.json()["matches"], true);
    let edited = desk
        .patch(
            &desk.owner,
            &format!("/v1/rules/{rule}"),
            &json!({ "conditions": { "all": [cond("subject", "contains", json!("invoice"))] } }),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let missed = desk.post(&desk.owner, &format!("/v1/rules/{rule}/dry-run"), &json!({ "ticket_id": t })).await.json();
    assert_eq!((missed["matches"].as_bool(), missed["changes"].as_array().map(Vec::len)), (Some(false), Some(0)));
    for (body, status) in [
        (json!({}), 422),
        (json!({ "ticket_id": t, "ticket_number": number }), 422),
        (json!({ "ticket_id": 987_654_321 }), 404),
        (json!({ "ticket_number": "TKT-NOPE" }), 404),
        (json!({ "ticket_id": "seven" }), 400),
    ] {
        let answer = desk.post(&desk.owner, &format!("/v1/rules/{rule}/dry-run"), &body).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
    }
}

#[tokio::test]
async fn time_rules_fire_once_per_anchor_and_arm_on_tickets_already_open() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let old = id(&desk.create(&customer, json!({ "subject": "Old", "description": "x" })).await);
    let stale = rule(
        &desk,
        "Stale after an hour",
        json!({ "after_minutes": 60, "since": "created" }),
        json!({ "all": [cond("status", "in", json!(["open", "in_progress"]))] }),
        json!([{ "type": "add_tags", "value": ["stale"] }]),
    )
    .await;
    let waiting = rule(
        &desk,
        "Nudge after a day waiting",
        json!({ "after_minutes": 1440, "since": "status_changed" }),
        json!({ "all": [cond("status", "is", json!("waiting_customer"))] }),
        json!([{ "type": "add_tags", "value": ["nudged"] }]),
    )
    .await;
    let fresh = id(&desk.create(&customer, json!({ "subject": "New", "description": "x" })).await);

    let soon = Jobs::new(&desk.app.state).with_clock(Arc::new(|| Utc::now() + chrono::Duration::minutes(30)));
    soon.sweep().await.unwrap();
    assert_eq!(soon.check().await.unwrap().timed, 0, "not yet");
    let later = Jobs::new(&desk.app.state).with_clock(Arc::new(|| Utc::now() + chrono::Duration::minutes(61)));
    later.sweep().await.unwrap();
    assert_eq!(later.check().await.unwrap().timed, 2, "the ticket open before the rule, and the new one");
    for t in [old, fresh] {
        assert_eq!(tags(&desk.ticket(&desk.owner, t).await), ["stale"]);
    }
    later.sweep().await.unwrap();
    assert_eq!(later.check().await.unwrap().timed, 0, "once");
    assert_eq!(runs(&desk, &stale).await.len(), 2);
    assert!(runs(&desk, &stale).await.iter().all(|r| r["trigger"] == "time" && r["depth"] == 0));

    // A status change moves the anchor of the second rule; its conditions are read when it fires.
    desk.assign(&desk.owner, fresh, Some(&desk.owner)).await;
    desk.set_status(&desk.owner, fresh, "waiting_customer").await;
    let next_day = Jobs::new(&desk.app.state).with_clock(Arc::new(|| Utc::now() + chrono::Duration::minutes(1441)));
    next_day.sweep().await.unwrap();
    assert!(next_day.check().await.unwrap().timed >= 1);
    assert!(tags(&desk.ticket(&desk.owner, fresh).await).contains(&"nudged"));
    assert!(!tags(&desk.ticket(&desk.owner, old).await).contains(&"nudged"), "open: its conditions do not hold");
    assert_eq!(runs(&desk, &waiting).await.len(), 1);
    next_day.sweep().await.unwrap();
    assert_eq!(next_day.check().await.unwrap().timed, 0, "once for that anchor");
    let taken: i64 = desk.db.scalar("SELECT count(*) FROM rule_timers WHERE due_at IS NOT NULL").await;
    assert_eq!(taken, 0, "no timer left due");

    // Switched off, a time rule keeps no timers.
    let off = desk.patch(&desk.owner, &format!("/v1/rules/{waiting}"), &json!({ "enabled": false })).await;
    assert_eq!(off.status, 200, "{}", off.body);
    let kept: i64 = desk.db.scalar(&format!("SELECT count(*) FROM rule_timers WHERE rule_id = '{waiting}'")).await;
    assert_eq!(kept, 0);
}

#[tokio::test]
async fn rule_mail_arrives_once_and_never_at_an_auto_responder() {
    let desk = MailDesk::open().await;
    let customer = desk.customer().await;
    let (key, _) = make_key(&desk, &["inbound:email"]).await;
    let lead = format!("lead-{}@example.com", Uuid::new_v4().simple());
    let away = format!("away-{}@example.com", Uuid::new_v4().simple());
    // The away address answered us once, automatically.
    let auto_reply = format!(
        "From: <{away}>\r\nTo: support@shop.example\r\nSubject: Out of office\r\nMessage-ID: <{}@example.com>\r\n\
         Auto-Submitted: auto-replied\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nI am away.\r\n",
        Uuid::new_v4().simple()
    );
    let read = desk.send_raw(&key, Method::POST, "/v1/inbound/email", auto_reply.into_bytes()).await;
    assert_eq!(read.status, 202, "{}", read.body);
    assert_eq!(read.json()["reason"], "auto_reply");
    let tell = rule(
        &desk,
        "Tell the lead",
        json!("ticket.created"),
        Value::Null,
        json!([
            { "type": "notify_email", "to": lead, "subject": "New ticket", "body": "A ticket came in.\n\nHave a look." },
            { "type": "notify_email", "to": away, "subject": "New ticket", "body": "Never sent." },
        ]),
    )
    .await;

    let ticket = desk.create(&customer, json!({ "subject": "Broken screen", "description": "Cracked." })).await;
    let number = ticket["ticket_number"].as_str().unwrap();
    let mail = mailbox::wait_for(&lead, 1).await.remove(0);
    assert_eq!(mail.subject, format!("[{number}] New ticket"));
    assert_eq!(mail.header("auto-submitted"), Some("auto-generated"), "rule mail is marked as automatic");
    let text = String::from_utf8_lossy(&mail.raw);
    assert!(text.contains("Have a look.") && text.contains("Tell the lead"), "{text}");
    // Both recipients were decided in the same transaction: the away address got no row at all.
    let rows: i64 = desk.db.scalar(&format!("SELECT count(*) FROM mail_deliveries WHERE address = '{lead}'")).await;
    let refused: i64 = desk.db.scalar(&format!("SELECT count(*) FROM mail_deliveries WHERE address = '{away}'")).await;
    assert_eq!((rows, refused), (1, 0));
    assert!(mailbox::inbox(&away).await.is_empty());
    // Once: one run, one mail.
    assert_eq!(runs(&desk, &tell).await.len(), 1);
    let sent = mailbox::inbox(&lead).await;
    assert_eq!(sent.len(), 1, "exactly one mail");
}

#[tokio::test]
async fn a_team_deleted_since_the_rule_was_saved_refuses_its_run_and_the_ticket_is_written() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let team = desk
        .post(&desk.owner, "/v1/teams", &json!({ "name": "Billing", "assignment": "manual", "member_ids": [] }))
        .await;
    assert_eq!(team.status, 201, "{}", team.body);
    let team = team.json()["id"].as_str().unwrap().to_owned();
    let routing = rule(
        &desk,
        "Billing",
        json!("ticket.created"),
        Value::Null,
        json!([{ "type": "add_tags", "value": ["billing"] }, { "type": "set_team", "value": team }]),
    )
    .await;
    assert_eq!(desk.delete(&desk.owner, &format!("/v1/teams/{team}")).await.status, 204);
    let later = id(&desk.create(&customer, json!({ "subject": "Again", "description": "x" })).await);
    let seen = desk.ticket(&desk.owner, later).await;
    assert!(seen["team_id"].is_null() && tags(&seen).is_empty(), "nothing of the refused run: {seen}");
    let refused = &runs(&desk, &routing).await[0];
    assert_eq!(refused["ticket_id"].as_i64(), Some(later));
    assert!(refused["error"].as_str().unwrap().contains("team"), "{refused}");
    assert_eq!(desk.app.state.events.rules.metrics.runs("ticket.created", "refused"), 1);
}

#[tokio::test]
async fn a_macro_applied_by_a_rule_writes_in_its_authors_name() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    let macro_made = desk
        .post(
            &desk.owner,
            "/v1/macros",
            &json!({ "name": "Ask for proof", "body": "Hello {{customer.firstname}}, a photo please.",
                                                   "status": "waiting_customer" }),
        )
        .await;
    assert_eq!(macro_made.status, 201, "{}", macro_made.body);
    let macro_id = macro_made.json()["id"].as_i64().unwrap();
    let macro_rule = rule(
        &desk,
        "Proof",
        json!("ticket.updated"),
        json!({ "all": [cond("tags", "contains", json!("needs-proof"))] }),
        json!([{ "type": "apply_macro", "macro_id": macro_id }]),
    )
    .await;
    let t = id(&desk.create(&customer, json!({ "subject": "Charged twice", "description": "Twice!" })).await);
    desk.assign(&desk.owner, t, Some(&agent)).await;
    // A macro by a rule: its message in its author's name, its status.
    let patched = desk.patch(&agent, &format!("/v1/tickets/{t}"), &json!({ "tags": ["needs-proof"] })).await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.json()["status"], "waiting_customer");
    let thread = desk.get(&desk.owner, &format!("/v1/tickets/{t}/messages")).await.json();
    let reply = thread["data"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(reply["is_internal"], false);
    assert_eq!(reply["sender_id"], json!(desk.owner.id), "the rule's author: {reply}");
    assert!(reply["message"].as_str().unwrap().contains("a photo please"), "{reply}");
    assert_eq!(runs(&desk, &macro_rule).await.len(), 1);
    let rule_of_message: Option<Uuid> = sqlx::query_scalar("SELECT rule_id FROM ticket_messages WHERE id = $1")
        .bind(reply["id"].as_i64().unwrap())
        .fetch_one(&desk.db.pool)
        .await
        .unwrap();
    assert_eq!(rule_of_message.map(|r| r.to_string()), Some(macro_rule));
}

#[tokio::test]
async fn conditions_read_the_customer_and_the_channel() {
    let desk = Desk::open().await;
    let (vip, plain) = tokio::join!(desk.member("customer"), desk.member("customer"));
    let made_vip = desk.patch(&desk.owner, &format!("/v1/users/{}", vip.id), &json!({ "vip": true })).await;
    assert_eq!(made_vip.status, 200, "{}", made_vip.body);
    let domain = vip.email.rsplit_once('@').unwrap().1.to_uppercase();
    let vips = rule(
        &desk,
        "VIPs by web",
        json!("ticket.created"),
        json!({ "all": [cond("customer.vip", "is", json!(true)), cond("channel", "in", json!(["web", "api"]))],
                "any": [cond("customer.email_domain", "is", json!(domain)), cond("category", "is_not_empty", Value::Null)] }),
        json!([{ "type": "add_tags", "value": ["vip"] }]),
    )
    .await;
    let theirs = id(&desk.create(&vip, json!({ "subject": "Hello", "description": "x" })).await);
    let other = id(&desk.create(&plain, json!({ "subject": "Hello", "description": "x" })).await);
    assert_eq!(tags(&desk.ticket(&desk.owner, theirs).await), ["vip"]);
    assert!(tags(&desk.ticket(&desk.owner, other).await).is_empty());
    assert_eq!(runs(&desk, &vips).await.len(), 1, "runs are logged when the conditions held");
}

#[tokio::test]
async fn a_rules_log_shows_its_newest_100_runs() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let noted = rule(
        &desk,
        "Every reply",
        json!("message.added"),
        json!({ "all": [cond("message.is_internal", "is", json!(false))] }),
        json!([{ "type": "add_tags", "value": ["answered"] }]),
    )
    .await;
    let t = id(&desk.create(&customer, json!({ "subject": "Chatty", "description": "x" })).await);
    for n in 0..105 {
        desk.say(&desk.owner, t, &format!("Reply {n}"), false).await;
    }
    let mut shown = Vec::new();
    let mut path = format!("/v1/rules/{noted}/runs?limit=40");
    loop {
        let page = desk.get(&desk.owner, &path).await.json();
        shown.extend(page["data"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/rules/{noted}/runs?limit=40&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(shown.len(), 100);
    assert!(shown.windows(2).all(|w| w[0] > w[1]), "newest first");
    let newest: i64 = desk.db.scalar(&format!("SELECT max(id) FROM rule_runs WHERE rule_id = '{noted}'")).await;
    assert_eq!(shown[0], newest);
    let held: i64 = desk.db.scalar(&format!("SELECT count(*) FROM rule_runs WHERE rule_id = '{noted}'")).await;
    assert!((100..=116).contains(&held), "pruned as it goes: {held}");
}
