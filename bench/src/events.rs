//! The outbox relay (issue 13) on the local RabbitMQ (`TEST_AMQP_URL`): tenants provisioned by
//! the real control plane, an app-api replica in this process running the relay, a consumer of
//! this process on a temporary queue bound to an exchange of the run's own.
//!
//! 1. Commit to consumer: tickets created one after another (one every `--gap-ms`) through the
//!    API; latency from the response (the commit is before it) to the consumer's delivery of
//!    `TicketCreated`, and from the request's start.
//! 2. Throughput: `--rows` rows written straight into one tenant's outbox, one hint, the time
//!    until every row is confirmed, marked and delivered.
//! 3. Cost per cycle: `--tenants` tenants, `--busy` of them with one new event each; the relay's
//!    visits (one claim transaction each) and the sweep's statements, from its metrics, with
//!    and without work.
//! 4. The scheduled jobs' cost per check: every tenant with one running ticket, `--busy` of them
//!    urgent; a check on a clock where nothing is due, then where the urgent ones are: tenants
//!    visited and tenant connections taken (from the jobs' and the pools' metrics), and time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app_api::AppState;
use app_api::worker::Work;
use app_api::worker::jobs::Jobs;
use futures_util::StreamExt as _;
use harness::TestServer;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions,
    QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties, ExchangeKind};
use sqlx::{ConnectOptions as _, Connection as _};

use testkit::amqp_url;

use crate::platform::Platform;
use crate::stats::summarize;

pub struct Options {
    pub tickets: usize,
    pub gap: Duration,
    pub rows: i64,
    pub tenants: usize,
    pub busy: usize,
    pub placement: control_api::tenancy::placement::Mode,
}

/// A durable topic exchange of the run's own on the local broker (`TEST_AMQP_URL`), with the
/// connection and channel that declared it.
pub struct RunExchange {
    pub name: String,
    pub connection: Connection,
    pub channel: Channel,
}

impl RunExchange {
    pub async fn declare() -> Self {
        let name = format!("sav_exchange.bench.{}", uuid::Uuid::new_v4().simple());
        let connection = Connection::connect(&amqp_url(), ConnectionProperties::default()).await.expect("the broker");
        let channel = connection.create_channel().await.unwrap();
        let durable = ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() };
        channel
            .exchange_declare(name.as_str().into(), ExchangeKind::Topic, durable, FieldTable::default())
            .await
            .unwrap();
        Self { name, connection, channel }
    }

    pub async fn delete(self) {
        let _ = self.channel.exchange_delete(self.name.as_str().into(), ExchangeDeleteOptions::default()).await;
        let _ = self.connection.close(200, "bye".into()).await;
    }
}

/// An app-api replica in this process (rate limits off, a budget of 40 connections) whose
/// outbox relay runs and publishes to `exchange`; `configure` changes its configuration further.
pub struct Relaying {
    pub state: AppState,
    pub server: TestServer,
    stop: tokio::sync::oneshot::Sender<()>,
    relay: tokio::task::JoinHandle<()>,
}

impl Relaying {
    pub async fn start(platform: &Platform, exchange: &str, configure: impl FnOnce(&mut app_api::AppConfig)) -> Self {
        let config = platform.app_config(|c| {
            crate::app::unlimited(c);
            c.pools.total = 40;
            c.control_db_max_connections = 4;
            c.amqp_url = Some(testkit::url(&amqp_url()));
            exchange.clone_into(&mut c.events.exchange);
            configure(c);
        });
        let state = AppState::new(config).await.expect("app state");
        let server = TestServer::start(app_api::build_router(state.clone())).await;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let work =
            Work { relay: true, jobs: false, consumer: false, notifications: false, webhooks: false, mailboxes: false };
        let relay = tokio::spawn(state.clone().run_work(work, async {
            let _ = stopped.await;
        }));
        Self { state, server, stop, relay }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.relay.await;
    }
}

/// Writes `rows` `TicketCreated` events straight into the tenant's outbox, in one statement
/// (tickets numbered from -1 down, which no real ticket has).
pub async fn write_burst(admin: &mut sqlx::PgConnection, rows: i64) {
    sqlx::query(
        "INSERT INTO outbox (message_id, routing_key, payload)
         SELECT gen_random_uuid(), 'sav.ticket.created',
                jsonb_build_object('event', 'TicketCreated', 'timestamp', now(), 'data',
                    jsonb_build_object('ticket_id', -g, 'ticket_number', 'TKT-BENCH', 'subject', 'bench'))
         FROM generate_series(1, $1) g",
    )
    .bind(rows)
    .execute(admin)
    .await
    .expect("the burst is written");
}

/// Arrival time of each delivered message, by ticket id and by message id.
#[derive(Default)]
struct Arrivals {
    by_ticket: HashMap<i64, Instant>,
    count: usize,
}

#[allow(clippy::too_many_lines, reason = "three measurements read in order, one after another")]
pub async fn run(options: &Options) {
    let platform = Platform::start_placed("error", testkit::WithRedis::No, options.placement).await;
    println!("events: tenants placed {}", options.placement.as_str());
    let run_exchange = RunExchange::declare().await;
    let (exchange, channel) = (&run_exchange.name, &run_exchange.channel);
    let exclusive = QueueDeclareOptions { exclusive: true, auto_delete: true, ..QueueDeclareOptions::default() };
    let queue = channel.queue_declare("".into(), exclusive, FieldTable::default()).await.unwrap();
    channel
        .queue_bind(
            queue.name().clone(),
            exchange.as_str().into(),
            "#".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let mut consumer = channel
        .basic_consume(queue.name().clone(), "".into(), BasicConsumeOptions::default(), FieldTable::default())
        .await
        .unwrap();
    let arrivals = Arc::new(Mutex::new(Arrivals::default()));
    let sink = Arc::clone(&arrivals);
    let listener = tokio::spawn(async move {
        while let Some(Ok(delivery)) = consumer.next().await {
            let at = Instant::now();
            let body: serde_json::Value = serde_json::from_slice(&delivery.data).unwrap_or_default();
            {
                let mut arrivals = sink.lock().unwrap();
                arrivals.count += 1;
                if body["event"] == "TicketCreated"
                    && let Some(ticket) = body["data"]["ticket_id"].as_i64()
                {
                    arrivals.by_ticket.entry(ticket).or_insert(at);
                }
            }
            let _ = delivery.acker.ack(BasicAckOptions::default()).await;
        }
    });

    let most = options.tenants.max(1);
    let started = Instant::now();
    let tenants = platform.tenants_with_tokens(most).await;
    println!("{most} tenants provisioned and signed in in {:.1}s", started.elapsed().as_secs_f64());
    let relaying = Relaying::start(&platform, exchange, |c| {
        // The sweep runs when the bench says so.
        c.events.sweep_every = Duration::from_secs(3600);
    })
    .await;
    let (state, server) = (&relaying.state, &relaying.server);
    let (slug, token) = tenants[0].clone();
    let client = reqwest::Client::new();

    // 1. Commit to consumer, one ticket at a time.
    let mut sent = Vec::with_capacity(options.tickets);
    for i in 0..options.tickets {
        let begun = Instant::now();
        let response = client
            .post(server.url("/v1/tickets"))
            .header("x-tenant-slug", &slug)
            .bearer_auth(&token)
            .json(&serde_json::json!({ "subject": format!("Latency {i}"), "description": "bench" }))
            .send()
            .await
            .unwrap();
        let answered = Instant::now();
        assert_eq!(response.status(), 201);
        let ticket: serde_json::Value = response.json().await.unwrap();
        sent.push((ticket["id"].as_i64().unwrap(), begun, answered));
        tokio::time::sleep(options.gap).await;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while arrivals.lock().unwrap().by_ticket.len() < sent.len() {
        assert!(Instant::now() < deadline, "tickets never arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (mut from_response, mut from_request) = (Vec::new(), Vec::new());
    {
        let arrivals = arrivals.lock().unwrap();
        for (ticket, begun, answered) in &sent {
            let at = arrivals.by_ticket[ticket];
            from_response.push(at.saturating_duration_since(*answered));
            from_request.push(at.saturating_duration_since(*begun));
        }
    }
    println!("commit to consumer (from the response): {}", summarize(from_response));
    println!("request start to consumer:              {}", summarize(from_request));

    // 2. Throughput: rows written in SQL, one hint.
    let (_, options_db) = platform.tenant_admin_options(&slug).await;
    let mut admin = options_db.connect().await.unwrap();
    write_burst(&mut admin, options.rows).await;
    let before = arrivals.lock().unwrap().count;
    let slug_parsed = shared::tenant::Slug::parse_syntax(&slug).unwrap();
    let tenant = state.tenancy.resolver.resolve(&slug_parsed).await.unwrap();
    let started = Instant::now();
    state.events.hints.hint(&tenant);
    let rows = usize::try_from(options.rows).unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while arrivals.lock().unwrap().count < before + rows {
        assert!(Instant::now() < deadline, "the rows never all arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let delivered = started.elapsed();
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    #[allow(clippy::cast_precision_loss, reason = "a rate")]
    let rate = options.rows as f64 / delivered.as_secs_f64();
    println!(
        "throughput: {} rows delivered in {:.2}s: {rate:.0} events/s ({pending} still unmarked then)",
        options.rows,
        delivered.as_secs_f64()
    );
    let _ = admin.close().await;

    // 3. Cost per cycle with many tenants, few of them busy.
    let metrics = &state.events.metrics;
    let visits = || {
        use app_api::events::metrics::VisitOutcome as V;
        [V::Drained, V::More, V::Empty, V::Busy, V::BrokerDown, V::Failed]
            .iter()
            .map(|o| metrics.visits(*o))
            .sum::<u64>()
    };
    let relay_handle = app_api::worker::relay::Relay::of(state).unwrap();
    let before_visits = visits();
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "{} tenants, none with work, 2 s between sweeps: {} relay visits (claims)",
        tenants.len(),
        visits() - before_visits
    );
    let open_before = state.tenancy.pools.open_connections();
    let cold = Instant::now();
    let swept = relay_handle.sweep().await.unwrap();
    let cold = cold.elapsed();
    let warm = Instant::now();
    let swept_again = relay_handle.sweep().await.unwrap();
    let warm = warm.elapsed();
    println!(
        "sweep over {} tenants, nothing pending: {:.0} ms cold (connections opened: {} -> {}), {:.0} ms warm; \
         one statement per database; {swept:?} / {swept_again:?}",
        swept_again.tenants,
        cold.as_secs_f64() * 1000.0,
        open_before,
        state.tenancy.pools.open_connections(),
        warm.as_secs_f64() * 1000.0,
    );
    let busy = options.busy.min(tenants.len());
    let before_visits = visits();
    let before_count = arrivals.lock().unwrap().count;
    let busy_started = Instant::now();
    for (slug, token) in tenants.iter().take(busy) {
        let response = client
            .post(server.url("/v1/tickets"))
            .header("x-tenant-slug", slug)
            .bearer_auth(token)
            .json(&serde_json::json!({ "subject": "busy", "description": "bench" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    while arrivals.lock().unwrap().count < before_count + busy {
        assert!(busy_started.elapsed() < Duration::from_secs(30), "the busy tenants' events never arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!(
        "{} tenants, {busy} with one event each: {} relay visits, all delivered in {:.0} ms",
        tenants.len(),
        visits() - before_visits,
        busy_started.elapsed().as_secs_f64() * 1000.0
    );

    jobs_cost(state, server, &client, &tenants, busy).await;

    relaying.stop().await;
    listener.abort();
    run_exchange.delete().await;
    platform.finish().await;
}

/// 4. The scheduled jobs with many tenants, few of them due.
async fn jobs_cost(
    state: &AppState,
    server: &TestServer,
    client: &reqwest::Client,
    tenants: &[(String, String)],
    busy: usize,
) {
    // One running ticket per tenant (medium: due in 24 h); the first `busy` made urgent (1 h).
    let started = Instant::now();
    for (n, (slug, token)) in tenants.iter().enumerate() {
        let created = client
            .post(server.url("/v1/tickets"))
            .header("x-tenant-slug", slug)
            .bearer_auth(token)
            .json(&serde_json::json!({ "subject": "due", "description": "bench" }))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        if n < busy {
            let ticket: serde_json::Value = created.json().await.unwrap();
            let raised = client
                .patch(server.url(&format!("/v1/tickets/{}", ticket["id"])))
                .header("x-tenant-slug", slug)
                .bearer_auth(token)
                .json(&serde_json::json!({ "priority": "urgent" }))
                .send()
                .await
                .unwrap();
            assert_eq!(raised.status(), 200);
        }
    }
    println!("{} tickets written in {:.1}s", tenants.len(), started.elapsed().as_secs_f64());
    let ahead = |minutes: i64| {
        Jobs::new(state).with_clock(Arc::new(move || chrono::Utc::now() + chrono::Duration::minutes(minutes)))
    };
    let sweep_started = Instant::now();
    let scheduled = ahead(0).sweep().await.unwrap();
    println!(
        "jobs sweep over {} tenants: {:.0} ms, {scheduled} next due times written (one statement per database, \
         two on the control database)",
        tenants.len(),
        sweep_started.elapsed().as_secs_f64() * 1000.0
    );
    let jobs_metrics = &state.events.jobs;
    let pools = state.tenancy.pools.metrics();
    for (label, minutes) in [("none due", 30), ("the urgent ones due", 61)] {
        let acquires = pools.acquire_wait.get_sample_count();
        let visits = jobs_metrics.visits("claimed", "acted") + jobs_metrics.visits("claimed", "nothing_due");
        let timer = Instant::now();
        let check = ahead(minutes).check().await.unwrap();
        let took = timer.elapsed();
        println!(
            "jobs check, {} tenants, {label}: {:.1} ms; {} tenants claimed and visited, {} tenant connections taken, \
             {} breaches; {check:?}",
            tenants.len(),
            took.as_secs_f64() * 1000.0,
            jobs_metrics.visits("claimed", "acted") + jobs_metrics.visits("claimed", "nothing_due") - visits,
            pools.acquire_wait.get_sample_count() - acquires,
            check.breaches,
        );
    }
}
