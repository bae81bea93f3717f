//! The outbox relay on a real broker: every SAV event arrives with its routing key, properties
//! and payload; nothing leaves for a rolled-back change; a broker away for a while (a TCP proxy
//! the test cuts) loses nothing; a relay stopped between publish and mark publishes again;
//! relays on several replicas publish each row once; hints cross replicas through Redis; the
//! sweep finds rows nobody hinted.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use app_api::events::metrics::VisitOutcome;
use app_api::worker::Work;
use app_api::worker::jobs::Jobs;
use app_api::worker::relay::{Claim, Relay};
use app_api::{AppConfig, AppState};
use harness::eventually;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{EventDesk, Proxy, Rabbit, Received, unique};
use crate::helpers::{Platform, Service, broker_url};
use crate::tickets::id;

/// The seed's payload fields of each event.
fn seed_fields(event: &str) -> &'static [&'static str] {
    match event {
        "TicketCreated" => {
            &["ticket_id", "ticket_number", "user_id", "subject", "priority", "status", "order_id", "category"]
        }
        "TicketAssigned" => {
            &["ticket_id", "ticket_number", "assigned_to", "assigned_by", "previous_status", "new_status"]
        }
        "TicketStatusChanged" => {
            &["ticket_id", "ticket_number", "user_id", "previous_status", "new_status", "changed_by", "reason"]
        }
        "TicketResolved" => {
            &["ticket_id", "ticket_number", "user_id", "resolved_by", "resolution_time_minutes", "sla_met", "category"]
        }
        "TicketSLABreach" => {
            &["ticket_id", "ticket_number", "priority", "sla_type", "expected_minutes", "actual_minutes", "assigned_to"]
        }
        "TicketUpdated" => {
            &["ticket_id", "ticket_number", "user_id", "updated_by", "changes", "team_id", "tags", "fields"]
        }
        "MessageAdded" => &[
            "ticket_id",
            "ticket_number",
            "message_id",
            "sender_id",
            "sender_type",
            "is_internal",
            "has_attachments",
            "attachment_count",
        ],
        other => panic!("unexpected event {other}"),
    }
}

/// The first delivery of each message, in arrival order.
fn first_deliveries(messages: &[Received]) -> Vec<&Received> {
    let mut seen = std::collections::HashSet::new();
    messages.iter().filter(|m| seen.insert(m.message_id.clone())).collect()
}

/// Per ticket, the message ids in the order the consumer first saw them, and in outbox order.
async fn ticket_orders(desk: &EventDesk) -> (HashMap<i64, Vec<String>>, HashMap<i64, Vec<String>>) {
    let rows: Vec<(Uuid, i64)> =
        sqlx::query_as("SELECT message_id, (payload->'data'->>'ticket_id')::bigint FROM outbox ORDER BY id")
            .fetch_all(&desk.desk.db.pool)
            .await
            .unwrap();
    let ticket_of: HashMap<String, i64> = rows.iter().map(|(m, t)| (m.to_string(), *t)).collect();
    let mut written: HashMap<i64, Vec<String>> = HashMap::new();
    for (message, ticket) in &rows {
        written.entry(*ticket).or_default().push(message.to_string());
    }
    let mut seen: HashMap<i64, Vec<String>> = HashMap::new();
    for message in first_deliveries(&desk.tap.all()) {
        let id = message.message_id.clone().unwrap();
        if let Some(ticket) = ticket_of.get(&id) {
            seen.entry(*ticket).or_default().push(id);
        }
    }
    (seen, written)
}

async fn unpublished(desk: &EventDesk) -> i64 {
    desk.desk.db.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL").await
}

#[tokio::test]
async fn each_event_arrives_with_its_routing_key_properties_and_payload() {
    let desk = EventDesk::open(|_| {}).await;
    let d = &desk.desk;
    let (customer, agent) = tokio::join!(d.member("customer"), d.member("agent"));
    let t = id(&d
        .create(&customer, json!({ "subject": "Parcel lost", "description": "Never came", "category": "shipping" }))
        .await);
    d.assign(&agent, t, Some(&agent)).await;
    let tagged =
        d.patch(&agent, &format!("/v1/tickets/{t}"), &json!({ "add_tags": ["carrier"], "priority": "high" })).await;
    assert_eq!(tagged.status, 200, "{}", tagged.body);
    d.say(&agent, t, "Looking into it", false).await;
    d.set_status(&agent, t, "resolved").await;
    // A second ticket nobody answers: the jobs, on a clock a day ahead, find it breached.
    let late = id(&d.create(&customer, json!({ "subject": "Still waiting", "description": "Hello?" })).await);
    let jobs = Jobs::new(&d.app.state).with_clock(Arc::new(|| chrono::Utc::now() + chrono::Duration::hours(25)));
    jobs.sweep().await.unwrap();
    assert_eq!(jobs.check().await.unwrap().breaches, 1);

    let ids = desk.outbox_ids().await;
    desk.tap.wait_for_ids(&ids, Duration::from_secs(10)).await;
    let tenant_id = desk.tenant_id().await;
    let rows: Vec<(Uuid, String, Value)> =
        sqlx::query_as("SELECT message_id, routing_key, payload FROM outbox ORDER BY id")
            .fetch_all(&d.db.pool)
            .await
            .unwrap();
    let received = desk.tap.all();
    let mut events = Vec::new();
    for (message_id, routing_key, payload) in &rows {
        let message = received
            .iter()
            .find(|m| m.message_id.as_deref() == Some(&message_id.to_string()))
            .unwrap_or_else(|| panic!("{message_id} did not arrive"));
        assert_eq!(&message.routing_key, routing_key);
        let event = payload["event"].as_str().unwrap();
        events.push(event.to_owned());
        assert_eq!(message.kind.as_deref(), Some(event), "type is the event name");
        assert_eq!(message.content_type.as_deref(), Some("application/json"));
        assert_eq!(message.delivery_mode, Some(2), "persistent");
        assert_eq!(message.headers.get("tenant_id"), Some(&tenant_id.to_string()));
        assert_eq!(message.headers.get("tenant_slug"), Some(&d.org.slug));
        let body = message.body();
        assert_eq!(&body, payload, "the body is the outbox row");
        assert_eq!(body["message_id"], message_id.to_string());
        assert_eq!(body["tenant"], json!({ "id": tenant_id, "slug": d.org.slug }));
        assert!(body["timestamp"].is_string());
        for field in seed_fields(event) {
            assert!(body["data"].get(field).is_some(), "{event} lacks data.{field}: {body}");
        }
        let ticket = if event == "TicketSLABreach" || payload["data"]["ticket_id"] == late { late } else { t };
        assert_eq!(body["data"]["ticket_id"], ticket);
        let expected_key = match event {
            "TicketCreated" => "sav.ticket.created",
            "TicketAssigned" => "sav.ticket.assigned",
            "TicketStatusChanged" => "sav.ticket.status_changed",
            "TicketResolved" => "sav.ticket.resolved",
            "MessageAdded" => "sav.ticket.message_added",
            "TicketSLABreach" => "sav.ticket.sla_breach",
            "TicketUpdated" => "sav.ticket.updated",
            other => panic!("{other}"),
        };
        assert_eq!(routing_key, expected_key);
    }
    let mut kinds = events.clone();
    kinds.sort();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "MessageAdded",
            "TicketAssigned",
            "TicketCreated",
            "TicketResolved",
            "TicketSLABreach",
            "TicketStatusChanged",
            "TicketUpdated"
        ],
        "the seven SAV events"
    );
    // A change of properties says what changed, by whom, and the ticket's tags after it; the
    // priority raised by a missed response is the system's.
    let updates: Vec<&Value> = rows.iter().map(|(_, _, p)| p).filter(|p| p["event"] == "TicketUpdated").collect();
    let by_agent = updates.iter().find(|p| p["data"]["ticket_id"] == t).expect("the agent's change");
    assert_eq!(by_agent["data"]["changes"]["priority"][1], "high", "{by_agent}");
    assert_eq!(by_agent["data"]["changes"]["tags"], json!([[], ["carrier"]]));
    assert_eq!(by_agent["data"]["updated_by"], json!(agent.id));
    assert_eq!(by_agent["data"]["tags"], json!(["carrier"]));
    let raised = updates.iter().find(|p| p["data"]["ticket_id"] == late).expect("the raised priority");
    assert_eq!(raised["data"]["updated_by"], Value::Null);
    assert!(raised["data"]["changes"]["priority"].is_array(), "{raised}");
    // Per ticket, the consumer saw the events in the order they were written.
    let (seen, written) = ticket_orders(&desk).await;
    assert_eq!(seen, written);
    let created = received.iter().find(|m| m.kind.as_deref() == Some("TicketCreated")).unwrap().body();
    assert_eq!(created["data"]["category"], "shipping");
    assert_eq!(created["data"]["user_id"], customer.id.to_string());

    // Marked once confirmed; metrics and readiness say so.
    eventually(Duration::from_secs(5), "every row is marked published", || async {
        (unpublished(&desk).await == 0).then_some(())
    })
    .await;
    let metrics = d.app.server.get("/metrics").await.body;
    assert!(metrics.contains(r#"outbox_events_published_total{routing_key="sav.ticket.created"} 2"#), "{metrics}");
    assert!(metrics.contains("outbox_relay_cycle_seconds_count"), "{metrics}");
    assert_eq!(desk.relay_status().await, "up");
    assert!(desk.tap.counts().values().all(|n| *n == 1), "no redelivery without a failure");
}

const MARKER: &str = "rollback-marker";

#[tokio::test]
async fn a_rolled_back_change_publishes_nothing() {
    let desk = EventDesk::open(|_| {}).await;
    let d = &desk.desk;
    let (customer, agent) = tokio::join!(d.member("customer"), d.member("agent"));
    // A failure at COMMIT, after every statement of the request succeeded (as in tickets::outbox).
    crate::tickets::outbox::install_failure(d, MARKER).await;
    let t = id(&d.create(&customer, json!({ "subject": "Broken lid", "description": "Cracked" })).await);
    d.assign(&agent, t, Some(&agent)).await;
    let failed = d
        .post(&agent, &format!("/v1/tickets/{t}/status"), &json!({ "status": "waiting_customer", "reason": MARKER }))
        .await;
    failed.assert_problem(500, "internal_error");
    let failed = d.post(&customer, "/v1/tickets", &json!({ "subject": MARKER, "description": "x" })).await;
    failed.assert_problem(500, "internal_error");
    // A change after the failures: once it arrived, whatever came before it has too.
    d.say(&agent, t, "Could you send a photo?", false).await;
    let ids = desk.outbox_ids().await;
    assert_eq!(ids.len(), 4, "created, assigned, status_changed, message_added");
    desk.tap.wait_for_ids(&ids, Duration::from_secs(10)).await;
    let received = desk.tap.all();
    assert_eq!(received.len(), 4, "{received:?}");
    assert!(received.iter().all(|m| !String::from_utf8_lossy(&m.raw).contains(MARKER)));
}

#[tokio::test]
async fn a_broker_away_for_a_while_loses_nothing() {
    let proxy = Proxy::start().await;
    let url = proxy.url();
    let desk = EventDesk::open(|c| c.amqp_url = Some(crate::helpers::url(&url))).await;
    let d = &desk.desk;
    let (customer, agent) = tokio::join!(d.member("customer"), d.member("agent"));
    let first = id(&d.create(&customer, json!({ "subject": "Before", "description": "the outage" })).await);
    desk.tap.wait_for_ids(&desk.outbox_ids().await, Duration::from_secs(10)).await;
    assert_eq!(desk.relay_status().await, "up");

    // A stream of changes across the outage: two writers on their own tickets.
    let stream = |n: usize| {
        let (d, customer, agent) = (d, &customer, &agent);
        async move {
            for i in 0..n {
                let t =
                    id(&d.create(customer, json!({ "subject": format!("Ticket {i}"), "description": "During" })).await);
                d.assign(agent, t, Some(agent)).await;
                d.say(agent, t, &format!("Reply {i}"), false).await;
            }
        }
    };
    let outage = async {
        // The writers are under way (their first ticket is in) when the broker goes.
        eventually(Duration::from_secs(10), "the writers are under way", || async {
            (d.db.count("support_tickets").await > 1).then_some(())
        })
        .await;
        proxy.set_up(false);
        eventually(Duration::from_secs(10), "the relay sees the broker gone", || async {
            (desk.relay_status().await == "down").then_some(())
        })
        .await;
        // The API keeps answering while rows wait.
        stream(3).await;
        assert!(unpublished(&desk).await > 0, "rows wait while the broker is away");
        // The relay tried while the broker was away, and failed.
        let metrics = &d.app.state.events.metrics;
        eventually(Duration::from_secs(10), "the relay fails against the missing broker", || async {
            (metrics.visits(VisitOutcome::BrokerDown) > 0).then_some(())
        })
        .await;
        proxy.set_up(true);
    };
    tokio::join!(stream(6), outage);
    d.say(&agent, first, "After the outage", false).await;

    let ids = desk.outbox_ids().await;
    desk.tap.wait_for_ids(&ids, Duration::from_secs(30)).await;
    eventually(Duration::from_secs(10), "every row is marked published", || async {
        (unpublished(&desk).await == 0).then_some(())
    })
    .await;
    let counts = desk.tap.counts();
    assert_eq!(counts.len(), ids.len(), "nothing but the outbox's rows");
    let redelivered: usize = counts.values().map(|n| n - 1).sum();
    assert!(counts.values().all(|n| *n <= 2), "a message went out more than twice: {counts:?}");
    assert!(redelivered <= 500, "redeliveries are bounded by the batches in flight: {redelivered}");
    let (seen, written) = ticket_orders(&desk).await;
    assert_eq!(seen, written, "each ticket's events arrive in the order they were written");
    assert_eq!(desk.relay_status().await, "up");
}

#[tokio::test]
async fn a_relay_stopped_between_publish_and_mark_publishes_again() {
    let desk = EventDesk::open(|c| c.events.relay_in_serve = false).await;
    let d = &desk.desk;
    let customer = d.member("customer").await;
    for i in 0..3 {
        d.create(&customer, json!({ "subject": format!("Crash {i}"), "description": "x" })).await;
    }
    let ids = desk.outbox_ids().await;
    assert_eq!(ids.len(), 3);
    let state = &d.app.state;
    let relay = Relay::of(state).expect("AMQP_URL is set");
    let slug = shared::tenant::Slug::parse_syntax(&d.org.slug).unwrap();
    let tenant = state.tenancy.resolver.resolve(&slug).await.unwrap();
    {
        let mut conn = state.tenancy.pools.acquire(&tenant).await.unwrap();
        let claim = Claim::take(&mut conn, 500).await.unwrap().expect("no other relay runs");
        assert_eq!(claim.rows().len(), 3);
        let channel = relay.outlet().channel().await.unwrap();
        let published = claim.publish(relay.outlet(), &channel, &tenant).await;
        assert_eq!(published.confirmed, 3, "{published:?}");
        // The relay dies here: its transaction rolls back, nothing is marked.
        drop(claim);
        // Its rollback reaches the server before the next statement on the connection.
        sqlx::query("SELECT 1").execute(&mut *conn.begin().await.unwrap()).await.unwrap();
    }
    desk.tap.wait_for_ids(&ids, Duration::from_secs(10)).await;
    assert_eq!(unpublished(&desk).await, 3, "published, never marked");

    // A relay starts again: the rows go out again, once each, and are marked this time.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(state.clone().run_work(
        Work { relay: true, jobs: false, consumer: false, notifications: false, webhooks: false, mailboxes: false },
        async {
            let _ = stopped.await;
        },
    ));
    eventually(Duration::from_secs(10), "the rows are published again and marked", || async {
        (unpublished(&desk).await == 0 && desk.tap.counts().values().all(|n| *n == 2)).then_some(())
    })
    .await;
    // After a normal cycle, once.
    let t = d.create(&customer, json!({ "subject": "After", "description": "restart" })).await;
    let all = desk.outbox_ids().await;
    desk.tap.wait_for_ids(&all, Duration::from_secs(10)).await;
    let counts = desk.tap.counts();
    assert_eq!(counts.values().filter(|n| **n == 2).count(), 3, "the three lost marks, redelivered once each");
    assert_eq!(counts.len(), 4, "{t}");
    let _ = stop.send(());
    running.await.unwrap();
}

/// Fifteen tickets through `app`.
async fn write(app: &crate::helpers::Replica, slug: &str, token: &str) {
    for i in 0..15 {
        let body = json!({ "subject": format!("Twice? {i}"), "description": "x" });
        let created = app.post(slug, "/v1/tickets", token, &body).await;
        assert_eq!(created.status, 201, "{}", created.body);
    }
}

#[tokio::test]
async fn two_relays_publish_each_row_once() {
    let mut rabbit = Rabbit::connect().await;
    let exchange = unique("sav_exchange");
    let tap = rabbit.tap(&exchange).await;
    let (platform, org) = Platform::with_org(false).await;
    let env = |c: &mut AppConfig| {
        c.rate_limits.per_user_per_minute = 0;
        c.amqp_url = broker_url(&Service::Test);
        c.events.exchange.clone_from(&exchange);
        // Both relays also sweep every second, so both go after the same rows.
        c.events.sweep_every = Duration::from_secs(1);
        c.events.consumer_in_serve = false;
    };
    let (one, two) = tokio::join!(platform.replica_with(env), platform.replica_with(env));
    let customer = platform.member(&one, &org, "customer").await;
    tokio::join!(write(&one, &org.slug, &customer.token), write(&two, &org.slug, &customer.token));
    let db = platform.tenant_db(&org.slug).await;
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT message_id FROM outbox").fetch_all(&db.pool).await.unwrap();
    assert_eq!(ids.len(), 30);
    tap.wait_for_ids(&ids, Duration::from_secs(15)).await;
    eventually(Duration::from_secs(10), "every row is marked", || async {
        (db.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL").await == 0).then_some(())
    })
    .await;
    // Two more sweeps of each relay go by: nothing goes out twice.
    let swept = |app: &crate::helpers::Replica| app.state.events.metrics.sweep.get_sample_count();
    let (one_before, two_before) = (swept(&one), swept(&two));
    eventually(Duration::from_secs(10), "two more sweeps of each relay", || async {
        (swept(&one) >= one_before + 2 && swept(&two) >= two_before + 2).then_some(())
    })
    .await;
    let counts = tap.counts();
    assert_eq!(counts.len(), 30);
    assert!(counts.values().all(|n| *n == 1), "a row went out twice: {counts:?}");
    let published = |app: &crate::helpers::Replica| {
        let text = app.state.metrics.render();
        text.lines()
            .filter(|l| l.starts_with("outbox_events_published_total{"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum::<u64>()
    };
    assert_eq!(published(&one) + published(&two), 30, "the two relays together published each row once");
    drop((db, one, two));
}

/// A relay of its own (as `app-api worker` runs it) beside a platform's replicas.
/// What a replica and a worker of a relay test both take: events on `exchange`, swept every
/// `sweep_every`, and no rate limit.
fn relay_settings(exchange: &str, sweep_every: Duration) -> impl Fn(&mut AppConfig) + Copy + '_ {
    move |c: &mut AppConfig| {
        c.rate_limits.per_user_per_minute = 0;
        exchange.clone_into(&mut c.events.exchange);
        c.events.sweep_every = sweep_every;
    }
}

async fn worker(platform: &Platform, configure: impl FnOnce(&mut AppConfig)) -> Worker {
    let config = platform.app_config(|c| {
        c.amqp_url = broker_url(&Service::Test);
        configure(c);
    });
    let state = AppState::new(config).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(state.clone().run_work(
        Work { relay: true, jobs: false, consumer: false, notifications: false, webhooks: false, mailboxes: false },
        async {
            let _ = stopped.await;
        },
    ));
    Worker { state, stop: Some(stop), task: Some(task) }
}

struct Worker {
    state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Worker {
    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap();
    }
}

#[tokio::test]
async fn hints_reach_a_worker_through_redis_without_waiting_for_the_sweep() {
    let (mut rabbit, exchange) = (Rabbit::connect().await, unique("sav_exchange"));
    let tap = rabbit.tap(&exchange).await;
    let (platform, org) = Platform::with_org(true).await;
    let env = relay_settings(&exchange, Duration::from_secs(3600));
    let app = platform
        .replica_with(|c| {
            env(c);
            c.amqp_url = broker_url(&Service::Test);
            c.events.relay_in_serve = false;
            c.events.consumer_in_serve = false;
        })
        .await;
    let worker = worker(&platform, env).await;
    let redis = platform.redis().unwrap();
    let channel = format!("{}outbox-hints", redis.prefix);
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let (client, channel) = (&client, channel.as_str());
    eventually(Duration::from_secs(10), "the worker listens for hints", || async move {
        let mut conn = client.get_multiplexed_async_connection().await.ok()?;
        let (_, listeners): (String, usize) =
            redis::cmd("PUBSUB").arg("NUMSUB").arg(channel).query_async(&mut conn).await.ok()?;
        (listeners >= 1).then_some(())
    })
    .await;
    let customer = platform.member(&app, &org, "customer").await;
    let created =
        app.post(&org.slug, "/v1/tickets", &customer.token, &json!({ "subject": "Hint", "description": "x" })).await;
    assert_eq!(created.status, 201);
    let db = platform.tenant_db(&org.slug).await;
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT message_id FROM outbox").fetch_all(&db.pool).await.unwrap();
    // Far sooner than the sweep (an hour): the hint woke the worker.
    tap.wait_for_ids(&ids, Duration::from_secs(10)).await;
    assert_eq!(app.server.get("/ready").await.json()["dependencies"]["outbox_relay"]["status"], "not_configured");
    worker.stop().await;
    drop((db, app));
}

#[tokio::test]
async fn the_sweep_finds_rows_nobody_hinted() {
    let (mut rabbit, exchange) = (Rabbit::connect().await, unique("sav_exchange"));
    let tap = rabbit.tap(&exchange).await;
    // No Redis: the replica's hints go nowhere; the worker sweeps every second.
    let (platform, org) = Platform::with_org(false).await;
    let env = relay_settings(&exchange, Duration::from_secs(1));
    let app = platform
        .replica_with(|c| {
            env(c);
            c.events.relay_in_serve = false;
        })
        .await;
    let customer = platform.member(&app, &org, "customer").await;
    let created =
        app.post(&org.slug, "/v1/tickets", &customer.token, &json!({ "subject": "Swept", "description": "x" })).await;
    assert_eq!(created.status, 201);
    let worker = worker(&platform, env).await;
    let db = platform.tenant_db(&org.slug).await;
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT message_id FROM outbox").fetch_all(&db.pool).await.unwrap();
    tap.wait_for_ids(&ids, Duration::from_secs(15)).await;
    let metrics = worker.state.metrics.render();
    assert!(metrics.contains("outbox_relay_sweep_seconds_count"), "{metrics}");
    // Published rows past the retention are pruned by the sweep. A consumer may see a message
    // before the relay committed its mark: wait for the marks first.
    eventually(Duration::from_secs(10), "every row is marked published", || async {
        let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            .fetch_one(&db.pool)
            .await
            .ok()?;
        (pending == 0).then_some(())
    })
    .await;
    db.execute("UPDATE outbox SET published_at = now() - interval '200 hours' WHERE published_at IS NOT NULL").await;
    eventually(Duration::from_secs(10), "old published rows are pruned", || async {
        (db.count("outbox").await == 0).then_some(())
    })
    .await;
    worker.stop().await;
    drop((db, app));
}
