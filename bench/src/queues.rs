//! Quorum queues against classic queues on the local RabbitMQ (`TEST_AMQP_URL`), in one run:
//! tickets created through an app-api replica in this process, whose outbox relay publishes
//! each event with a confirm to an exchange of the run's own, where one durable queue of the
//! round's type is bound and consumed (acks, prefetch 100).
//!
//! Rounds alternate the type. Each counts the creation rate (the API's answers: a ticket's
//! commit includes its outbox row, not the publish) and the delivery rate (from the round's
//! first request to the consumer's ack of the round's last `TicketCreated`); then the relay's
//! own rate, where a queue's confirm shows: `--rows` events written straight into the outbox at
//! once, one hint, until the consumer has them all.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use app_api::AppState;
use futures_util::StreamExt as _;
use lapin::Channel;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicQosOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use serde_json::json;
use sqlx::{ConnectOptions as _, Connection as _};

use crate::events::{Relaying, RunExchange};
use crate::platform::Platform;
use crate::stats::mean_interval;

pub struct Options {
    pub tickets: usize,
    pub concurrency: usize,
    pub rounds: usize,
    /// Events written into the outbox at once, each round.
    pub rows: usize,
}

/// What one round measured, a second each.
#[derive(Default)]
struct Rates {
    created: Vec<f64>,
    delivered: Vec<f64>,
    relayed: Vec<f64>,
}

const KINDS: [&str; 2] = ["classic", "quorum"];

/// What a round needs besides its queue: the replica (its relay is hinted after a burst), the
/// tenant, and a connection to the tenant's database that writes the burst.
struct Bench<'a> {
    state: &'a AppState,
    tenant: &'a std::sync::Arc<app_api::tenancy::resolve::Tenant>,
    admin: sqlx::PgConnection,
    exchange: &'a str,
    channel: &'a Channel,
}

#[allow(clippy::too_many_lines, reason = "one measurement read in order")]
pub async fn run(options: &Options) {
    let platform = Platform::start_logging_at("error").await;
    let run_exchange = RunExchange::declare().await;
    let (slug, token) = platform.tenants_with_tokens(1).await.remove(0);
    let relaying = Relaying::start(&platform, &run_exchange.name, |_| {}).await;
    let (state, server) = (&relaying.state, &relaying.server);
    let client = reqwest::Client::new();
    let create = |()| {
        client
            .post(server.url("/v1/tickets"))
            .header("x-tenant-slug", &slug)
            .bearer_auth(&token)
            .json(&json!({ "subject": "Parcel", "description": "Where is it?" }))
    };
    let tenant =
        state.tenancy.resolver.resolve(&shared::tenant::Slug::parse_syntax(&slug).unwrap()).await.expect("the tenant");
    let (_, admin_options) = platform.tenant_admin_options(&slug).await;
    let admin = admin_options.connect().await.expect("the tenant database");
    let (exchange, channel) = (run_exchange.name.as_str(), &run_exchange.channel);
    let mut bench = Bench { state, tenant: &tenant, admin, exchange, channel };

    // Warm-up through a classic queue, not counted: plans, caches, pools, the relay's channel.
    bench.round("classic", options, &create).await;
    println!(
        "queues: {} tickets a round, {} clients, then {} events at once into the outbox; {} rounds of each type, \
         alternating",
        options.tickets, options.concurrency, options.rows, options.rounds
    );
    let mut rates: [Rates; 2] = Default::default();
    for number in 1..=options.rounds {
        let mut line = format!("  round {number}:");
        for (kind, rates) in KINDS.iter().zip(rates.iter_mut()) {
            let (created, delivered, relayed) = bench.round(kind, options, &create).await;
            rates.created.push(created);
            rates.delivered.push(delivered);
            rates.relayed.push(relayed);
            let _ = write!(line, " {kind} {created:.0} created, {delivered:.0} delivered, {relayed:.0} relayed /s;");
        }
        println!("{}", line.trim_end_matches(';'));
    }
    for (kind, rates) in KINDS.iter().zip(&rates) {
        println!(
            "  {kind:<8} created {}, delivered {}, relayed {} a second",
            mean_interval(&rates.created),
            mean_interval(&rates.delivered),
            mean_interval(&rates.relayed)
        );
    }
    let ratio = |pick: fn(&Rates) -> &Vec<f64>| {
        let per_round: Vec<f64> = pick(&rates[1]).iter().zip(pick(&rates[0])).map(|(q, c)| q / c).collect();
        mean_interval(&per_round)
    };
    println!(
        "  quorum against classic, per round: created {}, delivered {}, relayed {}",
        ratio(|r| &r.created),
        ratio(|r| &r.delivered),
        ratio(|r| &r.relayed)
    );

    let _ = bench.admin.close().await;
    relaying.stop().await;
    run_exchange.delete().await;
    platform.finish().await;
}

impl Bench<'_> {
    /// One round: a durable queue of type `kind` bound to the exchange and consumed; the tickets
    /// created, then the burst written; the creation, delivery and relay rates. The queue is
    /// deleted afterwards.
    async fn round(
        &mut self,
        kind: &str,
        options: &Options,
        create: &impl Fn(()) -> reqwest::RequestBuilder,
    ) -> (f64, f64, f64) {
        let queue = format!("bench.queues.{kind}.{}", uuid::Uuid::new_v4().simple());
        let mut arguments = FieldTable::default();
        arguments.insert("x-queue-type".into(), AMQPValue::LongString(kind.into()));
        let durable = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
        self.channel.queue_declare(queue.as_str().into(), durable, arguments).await.unwrap();
        let bind = QueueBindOptions::default();
        self.channel
            .queue_bind(queue.as_str().into(), self.exchange.into(), "#".into(), bind, FieldTable::default())
            .await
            .unwrap();
        self.channel.basic_qos(100, BasicQosOptions::default()).await.unwrap();
        let mut consumer = self
            .channel
            .basic_consume(queue.as_str().into(), "".into(), BasicConsumeOptions::default(), FieldTable::default())
            .await
            .unwrap();
        // The instants at which the consumer had the tickets' events, then the burst's.
        let marks = [options.tickets, options.tickets + options.rows];
        let (reached, mut reaching) = tokio::sync::mpsc::unbounded_channel::<Instant>();
        let listener = tokio::spawn(async move {
            let mut seen = 0;
            while let Some(Ok(delivery)) = consumer.next().await {
                let body: serde_json::Value = serde_json::from_slice(&delivery.data).unwrap_or_default();
                let _ = delivery.acker.ack(BasicAckOptions::default()).await;
                if body["event"] == "TicketCreated" {
                    seen += 1;
                    if marks.contains(&seen) {
                        let _ = reached.send(Instant::now());
                    }
                }
            }
        });
        let within = Duration::from_secs(300);
        let started = Instant::now();
        let (created, _) = crate::app::drive(&vec![(); options.tickets], options.concurrency, create).await;
        let tickets_in = tokio::time::timeout(within, reaching.recv()).await.expect("the tickets' events").unwrap();
        let delivered = per_second(options.tickets, tickets_in.duration_since(started));

        crate::events::write_burst(&mut self.admin, i64::try_from(options.rows).unwrap()).await;
        let burst = Instant::now();
        self.state.events.hints.hint(self.tenant);
        let burst_in = tokio::time::timeout(within, reaching.recv()).await.expect("the burst").unwrap();
        let relayed = per_second(options.rows, burst_in.duration_since(burst));
        let _ = self.channel.queue_delete(queue.as_str().into(), QueueDeleteOptions::default()).await;
        listener.abort();
        (created, delivered, relayed)
    }
}

#[allow(clippy::cast_precision_loss, reason = "a rate")]
fn per_second(count: usize, took: Duration) -> f64 {
    count as f64 / took.as_secs_f64()
}
