//! Webhooks to real HTTP receivers, checked by an independent Standard Webhooks implementation:
//! every event type signed and delivered, retries on the schedule with the same `webhook-id`,
//! `Retry-After`, 410, secret rotation, test and replay, private targets, and deliveries that
//! outlive the replica that was to send them.

use std::sync::Arc;
use std::time::Duration;

use app_api::worker::jobs::Jobs;
use chrono::Utc;
use harness::eventually;
use serde_json::{Value, json};
use testkit::webhooks::{Received, Receiver, Response};

use crate::events::{Rabbit, unique};
use crate::helpers::{Service, broker_url};
use crate::tickets::{Desk, id};

const ALL_EVENTS: [&str; 7] = [
    "ticket.created",
    "ticket.assigned",
    "ticket.status_changed",
    "ticket.resolved",
    "ticket.updated",
    "message.added",
    "ticket.sla_breach",
];

/// The retry schedule, shortened a hundredfold: 50 ms, 3 s, 18 s, ...
const SCALE: f64 = 0.01;

/// A desk whose replica relays its events to an exchange of its own and runs the webhook worker
/// on a queue of its own, allowed to reach the receiver on loopback. Fields drop in order.
struct HookDesk {
    desk: Desk,
    receiver: Receiver,
    exchange: String,
    queue: String,
    _rabbit: Rabbit,
}

impl std::ops::Deref for HookDesk {
    type Target = Desk;

    fn deref(&self) -> &Desk {
        &self.desk
    }
}

/// The owner was told that `endpoint_url` was disabled: in the bell and by a mail waiting to be
/// sent (no mail server here), once.
async fn owner_was_told(desk: &HookDesk, endpoint_url: &str, why: &str) {
    let bell = desk.get(&desk.owner, "/v1/notifications").await;
    assert_eq!(bell.status, 200, "{}", bell.body);
    let bell = bell.json();
    let notices: Vec<&Value> =
        bell["data"].as_array().unwrap().iter().filter(|n| n["kind"] == "webhook_disabled").collect();
    assert_eq!(notices.len(), 1, "{bell}");
    assert!(notices[0]["title"].as_str().unwrap().contains(endpoint_url), "{}", notices[0]);
    assert_eq!(notices[0]["ticket_id"], Value::Null);
    let mail: Vec<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT address, text_body, ticket_id FROM mail_deliveries WHERE kind = 'webhook_disabled'")
            .fetch_all(&desk.db.pool)
            .await
            .unwrap();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].0, desk.owner.email);
    assert!(mail[0].1.contains(endpoint_url) && mail[0].1.contains(why), "{}", mail[0].1);
    assert!(mail[0].1.contains("/admin/integrations"), "{}", mail[0].1);
}

fn hooks_config(c: &mut app_api::AppConfig, exchange: &str, queue: &str) {
    c.amqp_url = broker_url(&Service::Test);
    exchange.clone_into(&mut c.events.exchange);
    queue.clone_into(&mut c.integrations.queue);
    c.integrations.in_serve = true;
    c.integrations.allow_private_targets = true;
    c.integrations.retry_scale = SCALE;
}

impl HookDesk {
    async fn open() -> Self {
        Self::open_with(|_| {}).await
    }

    async fn open_with(configure: impl FnOnce(&mut app_api::AppConfig)) -> Self {
        let (exchange, queue, notifications) = (unique("sav"), unique("webhooks"), unique("notifications"));
        let mut rabbit = Rabbit::connect().await;
        rabbit.owns_exchange(&exchange);
        rabbit.owns_queue(&queue);
        // A queue of its own for a test that runs the notification worker too.
        rabbit.owns_queue(&notifications);
        let desk = Desk::open_with(|c| {
            hooks_config(c, &exchange, &queue);
            c.notifications.queue = notifications;
            configure(c);
        })
        .await;
        let metrics = desk.app.state.integrations.metrics.clone();
        eventually(Duration::from_secs(10), "the webhook worker holds its queue", || async {
            (metrics.consumer_connected.get() == 1).then_some(())
        })
        .await;
        Self { desk, receiver: Receiver::start().await, exchange, queue, _rabbit: rabbit }
    }

    /// An endpoint to the receiver's `name`, for `events`; its id and secret (the receiver
    /// verifies with it).
    async fn endpoint(&self, name: &str, events: &[&str]) -> (String, String) {
        let made =
            self.post(&self.owner, "/v1/webhooks", &json!({ "url": self.receiver.url(name), "events": events })).await;
        assert_eq!(made.status, 201, "{}", made.body);
        let made = made.json();
        let secret = made["secret"].as_str().unwrap().to_owned();
        self.receiver.set_secrets(name, std::slice::from_ref(&secret)).await;
        (made["id"].as_str().unwrap().to_owned(), secret)
    }

    async fn attempts(&self, endpoint: &str) -> Vec<Value> {
        let log = self.get(&self.owner, &format!("/v1/webhooks/{endpoint}/deliveries")).await;
        assert_eq!(log.status, 200, "{}", log.body);
        log.json()["data"].as_array().unwrap().clone()
    }

    async fn endpoint_state(&self, endpoint: &str) -> Value {
        let read = self.get(&self.owner, &format!("/v1/webhooks/{endpoint}")).await;
        assert_eq!(read.status, 200, "{}", read.body);
        read.json()
    }
}

fn header<'a>(received: &'a Received, name: &str) -> &'a str {
    received.header(name).unwrap_or_else(|| panic!("no {name} header in {:?}", received.headers))
}

/// Every event type reaches the endpoint subscribed to it, signed so that the independent
/// implementation verifies it, with the seed's payload and the event's id as `webhook-id`.
#[tokio::test]
async fn every_event_type_is_delivered_and_verifies() {
    let desk = HookDesk::open().await;
    let (endpoint, _) = desk.endpoint("all", &ALL_EVENTS).await;
    let (_, _) = desk.endpoint("created-only", &["ticket.created"]).await;
    let customer = desk.member("customer").await;
    let agent = desk.member("agent").await;
    let ticket = id(&desk.create(&customer, json!({"subject": "Broken hinge", "description": "Door"})).await);
    desk.assign(&desk.owner, ticket, Some(&agent)).await;
    let tagged = desk.patch(&agent, &format!("/v1/tickets/{ticket}"), &json!({ "add_tags": ["hinge"] })).await;
    assert_eq!(tagged.status, 200, "{}", tagged.body);
    desk.say(&agent, ticket, "A new hinge is on its way.", false).await;
    desk.set_status(&agent, ticket, "resolved").await;
    // A second ticket misses its response target.
    let late = id(&desk.create(&customer, json!({"subject": "Late", "description": "Nobody answers"})).await);
    let jobs = Jobs::new(&desk.app.state).with_clock(Arc::new(|| Utc::now() + chrono::Duration::hours(25)));
    jobs.sweep().await.unwrap();
    assert!(jobs.check().await.unwrap().breaches >= 1);

    let received = eventually(Duration::from_secs(30), "every event type", || async {
        let got = desk.receiver.requests("all").await;
        let types: std::collections::BTreeSet<String> =
            got.iter().map(|r| r.json()["type"].as_str().unwrap_or_default().to_owned()).collect();
        ALL_EVENTS.iter().all(|t| types.contains(*t)).then_some(got)
    })
    .await;
    let outbox: Vec<(String, String)> = sqlx::query_as("SELECT message_id::text, payload->>'event' FROM outbox")
        .fetch_all(&desk.db.pool)
        .await
        .unwrap();
    for request in &received {
        assert_eq!(request.signatures_valid, vec![0], "verified by standardwebhooks: {:?}", request.error);
        let body = request.json();
        let id = header(request, "webhook-id");
        assert!(outbox.iter().any(|(message_id, _)| message_id == id), "webhook-id {id} is the event's id");
        let timestamp: i64 = header(request, "webhook-timestamp").parse().unwrap();
        assert!((Utc::now().timestamp() - timestamp).abs() < 60);
        assert!(header(request, "webhook-signature").starts_with("v1,"));
        assert_eq!(header(request, "content-type"), "application/json");
        assert!(body["timestamp"].as_str().unwrap().parse::<chrono::DateTime<Utc>>().is_ok(), "{body}");
        assert!(body["data"]["ticket_id"].is_i64(), "{body}");
    }
    let of_type = |t: &str| received.iter().find(|r| r.json()["type"] == t).unwrap().json();
    assert_eq!(of_type("ticket.created")["data"]["subject"], "Broken hinge");
    assert_eq!(of_type("ticket.assigned")["data"]["assigned_to"], json!(agent.id));
    assert_eq!(of_type("message.added")["data"]["sender_type"], "agent");
    assert_eq!(of_type("ticket.resolved")["data"]["ticket_id"], ticket);
    assert_eq!(of_type("ticket.sla_breach")["data"]["ticket_id"], late);
    let updated = received
        .iter()
        .map(Received::json)
        .find(|body| body["type"] == "ticket.updated" && body["data"]["ticket_id"] == ticket)
        .expect("the tags' change");
    assert_eq!(updated["data"]["changes"], json!({ "tags": [[], ["hinge"]] }));
    assert_eq!(updated["data"]["tags"], json!(["hinge"]));

    // The other endpoint got the creations only.
    let created = desk.receiver.wait_for("created-only", 2).await;
    assert!(created.iter().all(|r| r.json()["type"] == "ticket.created" && r.signatures_valid == vec![0]));
    // The log shows each attempt, delivered.
    let log = desk.attempts(&endpoint).await;
    assert!(log.len() >= 7, "{log:?}");
    assert!(log.iter().all(|a| a["status_code"] == 200 && a["attempt"] == 1), "{log:?}");
}

/// Customer organisations are announced as they are made, changed and deleted (their id, name
/// and domains), signed as every delivery is; a ticket's events name its organisation.
#[tokio::test]
async fn customer_organisations_are_announced_and_tickets_name_theirs() {
    let desk = HookDesk::open().await;
    let kinds = ["organization.created", "organization.updated", "organization.deleted", "ticket.created"];
    desk.endpoint("orgs", &kinds).await;
    let made = desk.post(&desk.owner, "/v1/organizations", &json!({"name": "Acme", "domains": ["acme.test"]})).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let acme = made.json()["id"].as_str().unwrap().to_owned();
    let customer = desk.member("customer").await;
    let joined = desk.put(&desk.owner, &format!("/v1/organizations/{acme}/members/{}", customer.id), &json!({})).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    let ticket = id(&desk.create(&customer, json!({"subject": "Crate", "description": "Dented"})).await);
    let renamed = desk.patch(&desk.owner, &format!("/v1/organizations/{acme}"), &json!({"name": "Acme Corp"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(desk.delete(&desk.owner, &format!("/v1/organizations/{acme}")).await.status, 204);

    let received = desk.receiver.wait_for("orgs", 4).await;
    assert!(received.iter().all(|r| r.signatures_valid == vec![0]), "verified by standardwebhooks");
    let bodies: Vec<Value> = received.iter().map(Received::json).collect();
    let of_type = |t: &str| bodies.iter().find(|b| b["type"] == t).unwrap_or_else(|| panic!("{t}: {bodies:?}"));
    let named = |t: &str| of_type(t)["data"]["organization"].clone();
    assert_eq!(named("organization.created"), json!({"id": acme, "name": "Acme", "domains": ["acme.test"]}));
    assert_eq!(named("organization.updated")["name"], "Acme Corp");
    assert_eq!(named("organization.deleted"), json!({"id": acme, "name": "Acme Corp", "domains": ["acme.test"]}));
    let created = of_type("ticket.created");
    assert_eq!(
        (created["data"]["ticket_id"].as_i64(), created["data"]["organization_id"].as_str()),
        (Some(ticket), Some(acme.as_str()))
    );
    // An unknown kind is still refused, naming it.
    let refused = desk
        .post(&desk.owner, "/v1/webhooks", &json!({"url": desk.receiver.url("x"), "events": ["organization.merged"]}))
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(refused.json()["errors"][0]["field"], "events[0]", "{}", refused.body);
}

/// A receiver failing twice then succeeding gets three attempts on the schedule, with one
/// `webhook-id`; a `Retry-After` is waited for.
#[tokio::test]
async fn failures_are_retried_on_the_schedule_with_the_same_id() {
    let desk = HookDesk::open().await;
    let (endpoint, _) = desk.endpoint("flaky", &["ticket.created"]).await;
    desk.receiver
        .set_responses(
            "flaky",
            vec![Response::status(500).with_body("oops"), Response::status(503), Response::status(204)],
        )
        .await;
    let customer = desk.member("customer").await;
    desk.create(&customer, json!({"subject": "Flaky", "description": "x"})).await;
    let got = desk.receiver.wait_for("flaky", 3).await;
    let ids: Vec<&str> = got.iter().map(|r| header(r, "webhook-id")).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert!(got.iter().all(|r| r.signatures_valid == vec![0]));
    assert!(got.iter().all(|r| r.body == got[0].body), "the same body on every attempt");
    // 5 s and 5 min, scaled: 50 ms and 3 s, each within 20% and the time to send. Both are
    // counted from when an attempt starts, and the times are taken on arrival: the first
    // attempt's connection setup (a few ms the retry may not need) shortens the first gap.
    let (first, second) = (got[1].at - got[0].at, got[2].at - got[1].at);
    assert!((0.03..1.0).contains(&first), "first retry after {first} s");
    assert!((2.4..4.2).contains(&second), "second retry after {second} s");
    let log = eventually(Duration::from_secs(10), "three attempts logged", || async {
        let log = desk.attempts(&endpoint).await;
        (log.len() == 3).then_some(log)
    })
    .await;
    let codes: Vec<Value> = log.iter().rev().map(|a| a["status_code"].clone()).collect();
    assert_eq!(codes, [json!(500), json!(503), json!(204)]);
    assert_eq!(log[2]["response_body"], "oops");
    assert!(log[2]["next_attempt_at"].is_string() && log[0]["next_attempt_at"].is_null());
    assert_eq!(log.iter().map(|a| a["attempt"].as_i64().unwrap()).collect::<Vec<_>>(), [3, 2, 1]);

    // 429 with Retry-After: 2 waits 2 s, not the 50 ms of the schedule.
    let (_, _) = desk.endpoint("busy", &["ticket.created"]).await;
    desk.receiver.set_responses("busy", vec![Response::status(429).with_retry_after("2"), Response::status(200)]).await;
    desk.create(&customer, json!({"subject": "Busy", "description": "x"})).await;
    let got = desk.receiver.wait_for("busy", 2).await;
    let waited = got[1].at - got[0].at;
    assert!(waited >= 1.9, "retried after {waited} s");
    // A redirect is not followed: a failed attempt, retried.
    let (redirected, _) = desk.endpoint("moved", &["ticket.created"]).await;
    desk.receiver
        .set_responses("moved", vec![Response::status(302).with_location(desk.receiver.url("elsewhere"))])
        .await;
    desk.create(&customer, json!({"subject": "Moved", "description": "x"})).await;
    desk.receiver.wait_for("moved", 2).await;
    assert!(desk.receiver.requests("elsewhere").await.is_empty());
    let log = desk.attempts(&redirected).await;
    assert!(
        log.iter().any(|a| a["status_code"] == 302 && a["error"].as_str().unwrap().contains("redirect")),
        "{log:?}"
    );
}

/// 410 disables the endpoint after one attempt; what waits for it is not sent; enabling it
/// again works.
#[tokio::test]
async fn gone_disables_the_endpoint_after_one_attempt() {
    let desk = HookDesk::open().await;
    let (endpoint, _) = desk.endpoint("gone", &["ticket.created", "message.added"]).await;
    desk.receiver.set_responses("gone", vec![Response::status(410)]).await;
    let customer = desk.member("customer").await;
    let ticket = id(&desk.create(&customer, json!({"subject": "Gone", "description": "x"})).await);
    desk.receiver.wait_for("gone", 1).await;
    let state = eventually(Duration::from_secs(10), "the endpoint is disabled", || async {
        let state = desk.endpoint_state(&endpoint).await;
        (state["enabled"] == false).then_some(state)
    })
    .await;
    assert_eq!(state["disabled_reason"], "gone");
    owner_was_told(&desk, &desk.receiver.url("gone"), "410").await;
    desk.say(&customer, ticket, "Anyone?", false).await;
    desk.post(&desk.owner, &format!("/v1/webhooks/{endpoint}/test"), &json!({}))
        .await
        .assert_problem(409, "endpoint_disabled");
    // The message's event was read and wrote nothing for a disabled endpoint.
    eventually(Duration::from_secs(10), "the message event is read", || async {
        let n = desk.db.scalar("SELECT count(*) FROM outbox WHERE routing_key = 'sav.ticket.message_added' AND published_at IS NOT NULL").await;
        (n == 1).then_some(())
    })
    .await;
    assert_eq!(desk.receiver.requests("gone").await.len(), 1, "one attempt only");

    let enabled = desk.patch(&desk.owner, &format!("/v1/webhooks/{endpoint}"), &json!({"enabled": true})).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    assert_eq!(enabled.json()["disabled_reason"], Value::Null);
    desk.receiver.set_responses("gone", vec![]).await;
    desk.post(&desk.owner, &format!("/v1/webhooks/{endpoint}/test"), &json!({})).await;
    let got = desk.receiver.wait_for("gone", 2).await;
    assert_eq!(got[1].json()["type"], "webhook.test");
}

/// The notice of a disabled endpoint reaches the owner's mailbox, sent by the notification
/// worker like any mail (read back over IMAP from the test mail server).
#[tokio::test]
async fn the_owner_is_mailed_when_an_endpoint_is_disabled() {
    use shared::config::FromEnv as _;
    let desk = HookDesk::open_with(|c| {
        c.notifications.in_serve = true;
        c.notifications.mail.smtp_url = Some(shared::mail::SmtpUrl::from_env(&testkit::mailbox::smtp_url()).unwrap());
        c.events.sweep_every = Duration::from_secs(1);
    })
    .await;
    desk.endpoint("farewell", &["ticket.created"]).await;
    desk.receiver.set_responses("farewell", vec![Response::status(410)]).await;
    let customer = desk.member("customer").await;
    desk.create(&customer, json!({"subject": "Last event", "description": "x"})).await;
    // The owner's address is the day's cloned organisation's: its mailbox holds other tests' mail.
    let url = desk.receiver.url("farewell");
    let mail = eventually(Duration::from_secs(30), "the notice in the owner's mailbox", || async {
        let inbox = testkit::mailbox::inbox(&desk.owner.email).await;
        inbox.into_iter().find(|m| m.subject.ends_with("A webhook was disabled") && m.text.contains(&url))
    })
    .await;
    assert!(mail.text.contains("410"), "{}", mail.text);
    assert!(mail.text.contains("/admin/integrations"), "{}", mail.text);
    assert_eq!(mail.headers.get("auto-submitted").map(String::as_str), Some("auto-generated"));
    assert!(!mail.headers.contains_key("list-unsubscribe"), "a notice nobody turns off");
}

/// Three days of failures disable the endpoint, and the failures before are what count.
#[tokio::test]
async fn three_days_of_failures_disable_the_endpoint() {
    let desk = HookDesk::open().await;
    let (endpoint, _) = desk.endpoint("down", &["ticket.created"]).await;
    desk.receiver.set_responses("down", vec![Response::status(500)]).await;
    desk.db
        .execute(&format!(
            "UPDATE webhook_endpoints SET failing_since = now() - interval '3 days 1 minute' WHERE id = '{endpoint}'"
        ))
        .await;
    let customer = desk.member("customer").await;
    desk.create(&customer, json!({"subject": "Down", "description": "x"})).await;
    let state = eventually(Duration::from_secs(20), "the endpoint is disabled", || async {
        let state = desk.endpoint_state(&endpoint).await;
        (state["enabled"] == false).then_some(state)
    })
    .await;
    assert_eq!(state["disabled_reason"], "failing");
    owner_was_told(&desk, &desk.receiver.url("down"), "three days").await;
    assert_eq!(desk.db.scalar("SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'").await, 0);
}

/// After a rotation both secrets sign for 24 h, then the new one alone.
#[tokio::test]
async fn a_rotation_signs_with_both_secrets_during_the_overlap() {
    let desk = HookDesk::open().await;
    let (endpoint, old) = desk.endpoint("rotating", &["ticket.created"]).await;
    let rotated = desk.post(&desk.owner, &format!("/v1/webhooks/{endpoint}/rotate-secret"), &json!({})).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let rotated = rotated.json();
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert!(new.starts_with("whsec_") && new != old);
    let until: chrono::DateTime<Utc> = rotated["previous_expires_at"].as_str().unwrap().parse().unwrap();
    assert!((until - Utc::now() - chrono::Duration::hours(24)).num_seconds().abs() < 60);
    desk.receiver.set_secrets("rotating", &[old.clone(), new.clone()]).await;
    let customer = desk.member("customer").await;
    desk.create(&customer, json!({"subject": "Both", "description": "x"})).await;
    let got = desk.receiver.wait_for("rotating", 1).await;
    assert_eq!(got[0].signatures_valid, vec![0, 1], "verifies with the old and the new secret");
    assert_eq!(header(&got[0], "webhook-signature").split(' ').count(), 2);

    // The overlap over: the new one alone.
    desk.db.execute("UPDATE webhook_secrets SET expires_at = now() WHERE expires_at IS NOT NULL").await;
    desk.create(&customer, json!({"subject": "New only", "description": "x"})).await;
    let got = desk.receiver.wait_for("rotating", 2).await;
    assert_eq!(got[1].signatures_valid, vec![1]);
    assert_eq!(header(&got[1], "webhook-signature").split(' ').count(), 1);
}

/// `/test` sends a `webhook.test` now; a replay sends a delivery again with its `webhook-id`.
#[tokio::test]
async fn test_and_replay_send_now() {
    let desk = HookDesk::open().await;
    let (endpoint, _) = desk.endpoint("manual", &["ticket.created"]).await;
    let queued = desk.post(&desk.owner, &format!("/v1/webhooks/{endpoint}/test"), &json!({})).await;
    assert_eq!(queued.status, 202, "{}", queued.body);
    let queued = queued.json();
    let got = desk.receiver.wait_for("manual", 1).await;
    assert_eq!(got[0].json()["type"], "webhook.test");
    assert_eq!(got[0].signatures_valid, vec![0]);
    assert_eq!(header(&got[0], "webhook-id"), queued["event_id"].as_str().unwrap());

    let customer = desk.member("customer").await;
    desk.create(&customer, json!({"subject": "Replay me", "description": "x"})).await;
    let got = desk.receiver.wait_for("manual", 2).await;
    let original = header(&got[1], "webhook-id").to_owned();
    // The receiver answers before the worker records the attempt: wait for the record.
    let delivery = eventually(Duration::from_secs(10), "the delivery's attempt logged", || async {
        let log = desk.attempts(&endpoint).await;
        let attempt = log.iter().find(|a| a["event_id"] == original.as_str())?;
        Some(attempt["delivery_id"].as_str().unwrap().to_owned())
    })
    .await;
    let replayed =
        desk.post(&desk.owner, &format!("/v1/webhooks/{endpoint}/deliveries/{delivery}/replay"), &json!({})).await;
    assert_eq!(replayed.status, 202, "{}", replayed.body);
    let got = desk.receiver.wait_for("manual", 3).await;
    assert_eq!(header(&got[2], "webhook-id"), original, "the same webhook-id");
    assert_eq!(got[2].body, got[1].body, "the same body");
    assert_eq!(got[2].signatures_valid, vec![0]);
    let unknown = uuid::Uuid::new_v4();
    desk.post(&desk.owner, &format!("/v1/webhooks/{endpoint}/deliveries/{unknown}/replay"), &json!({}))
        .await
        .assert_problem(404, "not_found");

    // Admins only; another tenant's endpoint does not exist.
    let agent = desk.member("agent").await;
    desk.get(&agent, "/v1/webhooks").await.assert_problem(403, "forbidden");
    let other = desk.platform.org().await;
    let other_owner = desk.platform.owner(&desk.app, &other).await;
    let foreign = desk.app.get(&other.slug, &format!("/v1/webhooks/{endpoint}"), Some(&other_owner.token)).await;
    foreign.assert_problem(404, "not_found");
}

/// Bad input: each gets a clear error and makes nothing.
#[tokio::test]
async fn bad_endpoints_are_refused() {
    let desk = HookDesk::open().await;
    for (body, status, code) in [
        (json!({"url": "ftp://x.example/", "events": ["ticket.created"]}), 422, "invalid_target"),
        (json!({"url": "https://u:p@x.example/", "events": ["ticket.created"]}), 422, "invalid_target"),
        (json!({"url": "https://x.example/", "events": []}), 422, "validation_failed"),
        (json!({"url": "https://x.example/", "events": ["ticket.deleted"]}), 400, "validation_failed"),
        (
            json!({"url": "https://x.example/", "events": ["ticket.created"], "secret": "mine"}),
            400,
            "validation_failed",
        ),
        (json!({"url": 42, "events": ["ticket.created"]}), 400, "validation_failed"),
        (
            json!({"url": "https://x.example/", "events": ["ticket.created"], "description": "d".repeat(501)}),
            422,
            "validation_failed",
        ),
    ] {
        desk.post(&desk.owner, "/v1/webhooks", &body).await.assert_problem(status, code);
    }
    assert_eq!(desk.db.scalar("SELECT count(*) FROM webhook_endpoints").await, 0);
    for n in 0..20 {
        let made = desk
            .post(
                &desk.owner,
                "/v1/webhooks",
                &json!({"url": format!("https://x.example/{n}"), "events": ["ticket.created"]}),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
    }
    desk.post(&desk.owner, "/v1/webhooks", &json!({"url": "https://x.example/21", "events": ["ticket.created"]}))
        .await
        .assert_problem(422, "limit_reached");
}

/// Without `WEBHOOK_ALLOW_PRIVATE_TARGETS`, private addresses are refused when the endpoint is
/// saved, and a name that resolves to one is refused when the attempt connects.
#[tokio::test]
async fn private_targets_are_refused_without_the_setting() {
    let desk = HookDesk::open_with(|c| c.integrations.allow_private_targets = false).await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/hook",
        "http://localhost:9000/hook",
        "http://[::ffff:127.0.0.1]/",
    ] {
        desk.post(&desk.owner, "/v1/webhooks", &json!({"url": url, "events": ["ticket.created"]}))
            .await
            .assert_problem(422, "invalid_target");
    }
    // A name the API cannot judge without resolving it: refused at connect time (as a name
    // rebound to a private address after it was saved would be).
    let hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
    let name = hosts
        .lines()
        .filter_map(|line| line.split('#').next())
        .map(str::split_whitespace)
        .filter_map(|mut words| Some((words.next()?, words.collect::<Vec<_>>())))
        .filter(|(address, _)| address.starts_with("127.") || *address == "::1")
        .flat_map(|(_, names)| names)
        .find(|name| *name != "localhost" && !name.ends_with(".localhost"))
        .expect("/etc/hosts names loopback other than localhost")
        .to_owned();
    let url = desk.receiver.url("private").replace("127.0.0.1", &name);
    let made = desk.post(&desk.owner, "/v1/webhooks", &json!({"url": url, "events": ["ticket.created"]})).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let endpoint = made.json()["id"].as_str().unwrap().to_owned();
    desk.post(&desk.owner, &format!("/v1/webhooks/{endpoint}/test"), &json!({})).await;
    let log = eventually(Duration::from_secs(10), "the attempt is logged", || async {
        let log = desk.attempts(&endpoint).await;
        (!log.is_empty()).then_some(log)
    })
    .await;
    assert_eq!(log[0]["status_code"], Value::Null);
    assert!(log[0]["error"].as_str().unwrap().contains("internal addresses"), "{log:?}");
    assert!(desk.receiver.requests("private").await.is_empty(), "nothing reached the receiver");
}

/// Events committed while no replica sends webhooks wait in the queue; the replica started next
/// delivers every one (a restart between the commit and the send loses nothing).
#[tokio::test]
async fn events_outlive_a_stopped_replica() {
    let desk = HookDesk::open().await;
    desk.endpoint("restart", &["ticket.created"]).await;
    let customer = desk.member("customer").await;
    // The next replica relays but does not consume: the worker of this one stops first.
    let (exchange, queue) = (desk.exchange.clone(), desk.queue.clone());
    let HookDesk { desk, receiver, _rabbit, .. } = desk;
    let Desk { db, app, org, owner, platform } = desk;
    let first_worker = app.state.integrations.metrics.consumer_connected.clone();
    drop(app);
    eventually(Duration::from_secs(10), "the first replica's worker lets its queue go", || async {
        (first_worker.get() == 0).then_some(())
    })
    .await;
    let relaying = platform
        .replica_with(|c| {
            hooks_config(c, &exchange, &queue);
            c.integrations.in_serve = false;
            c.rate_limits.per_user_per_minute = 0;
        })
        .await;
    for n in 0..5 {
        let made = relaying
            .post(
                &org.slug,
                "/v1/tickets",
                &customer.token,
                &json!({"subject": format!("While down {n}"), "description": "x"}),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
    }
    eventually(Duration::from_secs(20), "the events are published", || async {
        let n = db
            .scalar("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL AND routing_key = 'sav.ticket.created'")
            .await;
        (n == 5).then_some(())
    })
    .await;
    assert!(receiver.requests("restart").await.is_empty(), "nothing sent while no worker runs");
    let sending = platform.replica_with(|c| hooks_config(c, &exchange, &queue)).await;
    let got = receiver.wait_for("restart", 5).await;
    let ids: std::collections::BTreeSet<&str> = got.iter().map(|r| header(r, "webhook-id")).collect();
    assert_eq!(ids.len(), 5, "each event once");
    assert!(got.iter().all(|r| r.signatures_valid == vec![0]));
    // The replicas and the pool before the platform drops the tenant database.
    drop((sending, relaying, owner, db));
    drop(platform);
}

/// A delivery committed by a replica that died before sending it (nothing queued it here) is
/// found by the sweep and sent, with the signature of the endpoint's secret.
#[tokio::test]
async fn a_delivery_nobody_queued_is_found_by_the_sweep() {
    let desk = HookDesk::open_with(|c| c.events.sweep_every = Duration::from_millis(500)).await;
    let (endpoint, _) = desk.endpoint("orphan", &["ticket.created"]).await;
    let event = uuid::Uuid::now_v7();
    let body = json!({"type": "ticket.created", "timestamp": Utc::now().to_rfc3339(), "data": {"ticket_id": 1}});
    desk.db
        .execute(&format!(
            "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, type, body, next_attempt_at)
             VALUES ('{}', '{endpoint}', '{event}', 'ticket.created', '{body}', now())",
            uuid::Uuid::now_v7()
        ))
        .await;
    let got = desk.receiver.wait_for("orphan", 1).await;
    assert_eq!(header(&got[0], "webhook-id"), event.to_string());
    assert_eq!(got[0].signatures_valid, vec![0]);
    assert_eq!(got[0].json(), body);
}
