//! Webhooks: an app-api replica in this process takes the requests, relays their events to the
//! local RabbitMQ (an exchange of the run's own) and runs the webhook worker, which sends to two
//! receivers of this process on loopback: `fast` answers at once, `slow` after 2 s.
//!
//! - **Commit to first attempt**: `--tickets` tickets opened one after another (20 ms apart),
//!   `fast` alone subscribed; each latency is from the event's time (the body's `timestamp`,
//!   the commit) to the request's arrival at the receiver.
//! - **Deliveries a second, a slow receiver beside a fast one**: `--burst` tickets opened at once
//!   (32 clients), first with `fast` alone, then with `slow` subscribed too: `fast`'s deliveries
//!   a second in each (from the first ticket's commit to its last delivery), and what `slow` got
//!   meanwhile. The slow receiver may hold 4 of the worker's 32 slots, never more.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use crate::platform::Platform;
use crate::stats::summarize;

pub struct Options {
    pub tickets: usize,
    pub burst: usize,
}

/// One delivery at a receiver: when it arrived (on the monotonic and the wall clock) and the
/// event's time.
type Arrival = (Instant, DateTime<Utc>, DateTime<Utc>);

/// What the receivers got, per receiver name.
#[derive(Clone, Default)]
struct Arrivals(Arc<Mutex<HashMap<String, Vec<Arrival>>>>);

impl Arrivals {
    fn count(&self, name: &str) -> usize {
        self.0.lock().unwrap().get(name).map_or(0, Vec::len)
    }

    fn take(&self, name: &str) -> Vec<Arrival> {
        self.0.lock().unwrap().remove(name).unwrap_or_default()
    }
}

async fn receive(
    State(arrivals): State<Arrivals>,
    Path(name): Path<String>,
    _headers: HeaderMap,
    body: String,
) -> StatusCode {
    let (at, now) = (Instant::now(), Utc::now());
    let event: Value = serde_json::from_str(&body).unwrap_or_default();
    let timestamp = event["timestamp"].as_str().and_then(|t| t.parse().ok()).unwrap_or(now);
    arrivals.0.lock().unwrap().entry(name.clone()).or_default().push((at, now, timestamp));
    if name == "slow" {
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    StatusCode::OK
}

async fn wait_for(arrivals: &Arrivals, name: &str, count: usize, within: Duration) {
    let deadline = Instant::now() + within;
    while arrivals.count(name) < count {
        assert!(Instant::now() < deadline, "{name}: {} of {count} deliveries within {within:?}", arrivals.count(name));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[allow(clippy::too_many_lines, reason = "one measurement read in order")]
pub async fn run(options: &Options) {
    let platform = Platform::start_logging_at("error").await;
    let run = uuid::Uuid::new_v4().simple().to_string();
    let (exchange, queue) = (format!("sav_exchange.bench.{run}"), format!("webhooks.bench.{run}"));
    let (org, app, owner) = platform
        .organisation(|c| {
            c.amqp_url = testkit::broker_url(&testkit::Service::Test);
            c.events.exchange.clone_from(&exchange);
            c.integrations.queue.clone_from(&queue);
            c.integrations.in_serve = true;
            c.integrations.allow_private_targets = true;
        })
        .await;
    let slug = org.slug.clone();

    let arrivals = Arrivals::default();
    let receivers =
        axum::Router::new().route("/hooks/{name}", axum::routing::post(receive)).with_state(arrivals.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, receivers).await });
    let subscribe = |name: &str| {
        let (app, slug, token) = (&app, slug.clone(), owner.token.clone());
        let url = format!("http://127.0.0.1:{port}/hooks/{name}");
        async move {
            let made =
                app.post(&slug, "/v1/webhooks", &token, &json!({"url": url, "events": ["ticket.created"]})).await;
            assert_eq!(made.status, 201, "{}", made.body);
        }
    };
    let metrics = app.state.integrations.metrics.clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    while metrics.consumer_connected.get() != 1 {
        assert!(Instant::now() < deadline, "the webhook worker never held its queue");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    subscribe("fast").await;
    let open = |n: usize| {
        let (app, slug, token) = (&app, slug.clone(), owner.token.clone());
        async move {
            let body = json!({"subject": format!("Webhook {n}"), "description": "bench"});
            let made = app.post(&slug, "/v1/tickets", &token, &body).await;
            assert_eq!(made.status, 201, "{}", made.body);
        }
    };

    // Commit to first attempt.
    for n in 0..options.tickets {
        open(n).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_for(&arrivals, "fast", options.tickets, Duration::from_secs(60)).await;
    let latencies: Vec<Duration> =
        arrivals.take("fast").iter().map(|(_, at, event)| (*at - *event).to_std().unwrap_or_default()).collect();
    println!("webhooks: commit to first attempt ({} tickets, 20 ms apart): {}", options.tickets, summarize(latencies));

    // Deliveries a second: the fast receiver alone, then beside the slow one.
    for slow_beside in [false, true] {
        if slow_beside {
            subscribe("slow").await;
        }
        let started = Instant::now();
        futures_util::stream::iter(0..options.burst).map(open).buffer_unordered(32).collect::<Vec<()>>().await;
        let opened_in = started.elapsed();
        wait_for(&arrivals, "fast", options.burst, Duration::from_secs(120)).await;
        let fast = arrivals.take("fast");
        let last = fast.iter().map(|(at, _, _)| *at).max().unwrap();
        let took = last - started;
        let slow = arrivals.count("slow");
        #[allow(clippy::cast_precision_loss, reason = "counts of deliveries")]
        let rate = options.burst as f64 / took.as_secs_f64();
        println!(
            "webhooks: {} tickets opened in {:.2} s; {} delivered to the fast receiver in {:.2} s: {:.0} a second{}",
            options.burst,
            opened_in.as_secs_f64(),
            options.burst,
            took.as_secs_f64(),
            rate,
            if slow_beside {
                format!(", the slow one (2 s answers) beside it got {slow} meanwhile")
            } else {
                String::new()
            },
        );
    }

    drop(app);
    let connection =
        lapin::Connection::connect(&testkit::amqp_url(), lapin::ConnectionProperties::default()).await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    let _ = channel.queue_delete(queue.as_str().into(), lapin::options::QueueDeleteOptions::default()).await;
    let _ = channel.exchange_delete(exchange.as_str().into(), lapin::options::ExchangeDeleteOptions::default()).await;
    platform.finish().await;
}
