//! The live stream with two replicas: replica A (in this process) takes the writes and relays
//! their events to the local RabbitMQ; replica B (`app-api serve`, the release binary beside this
//! one) holds the streams.
//!
//! 1. Commit to frame: `--frames` replies at `--rate` a second through A; each reply's
//!    `message.added` frame read on a stream of B; latency from A's answer (the commit is before
//!    it) to the frame's arrival.
//! 2. Idle streams: `--idle` streams opened on B, then B's resident memory and its tenant
//!    connections read before and after (from `/proc` and its `/metrics`), and one change's frame
//!    timed to every stream.
//! 3. Revalidation: wrk (32 connections, 10 s each, one after another) on B's `GET /health`, then
//!    conditional GETs of the ticket list and of a ticket naming their current tags (answered
//!    304 from the change version in Redis), and the same GETs without a tag (the queries).

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use serde_json::json;

use crate::platform::Platform;
use crate::stats::summarize;

pub struct Options {
    pub frames: usize,
    pub rate: u32,
    pub idle: usize,
    /// Replica B's per-user limit a minute (0: off): on, every request spends a GCRA call in
    /// Redis.
    pub user_limit: u32,
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the replica's /proc entry");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A metric's value in a Prometheus text page (the first series of that name).
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find(|line| line.starts_with(name) && line[name.len()..].starts_with([' ', '{']))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Opens a stream on `url` and returns its body once the first bytes arrived.
async fn open_stream(
    client: &reqwest::Client,
    url: &str,
    slug: &str,
    token: &str,
) -> impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + use<> {
    let response =
        client.get(url).header("x-tenant-slug", slug).bearer_auth(token).send().await.expect("the stream answers");
    assert_eq!(response.status(), 200, "the stream opens");
    let mut body = response.bytes_stream();
    // The `retry:` line comes first: the stream is registered.
    let first = body.next().await.expect("a first chunk").expect("bytes");
    assert!(String::from_utf8_lossy(&first).contains("retry"), "{first:?}");
    body
}

#[allow(clippy::too_many_lines, reason = "two measurements read in order")]
pub async fn run(options: &Options) {
    let platform = Platform::start_logging_at("error").await;
    let run = uuid::Uuid::new_v4().simple().to_string();
    let exchange = format!("sav_exchange.bench.{run}");
    let (org, writer, _) = platform
        .organisation(|c| {
            c.amqp_url = testkit::broker_url(&testkit::Service::Test);
            c.events.exchange.clone_from(&exchange);
        })
        .await;
    let (slug, token) = (org.slug.clone(), org.owner_token.clone());
    let customer = platform.inner.member(&writer, &org, "customer").await;

    // Replica B, the binary.
    let binary = std::env::current_exe().unwrap().with_file_name("app-api");
    let config = &platform.state.config;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let blobs = tempfile::tempdir().unwrap();
    let streams_per_user = (options.idle + 10).to_string();
    let vars = [
        ("APP_PORT", port.to_string()),
        ("BIND_ADDR", "127.0.0.1".to_owned()),
        ("CONTROL_DATABASE_URL", config.control_db.expose().to_owned()),
        ("CONTROL_API_URL", platform.server().url("")),
        ("APP_PLANE_KEY", config.keys.app_plane.to_base64()),
        ("JWT_PUBLIC_KEYS", testkit::TEST_PUBLIC_KEY.to_owned()),
        ("AMQP_URL", testkit::amqp_url()),
        ("EVENTS_EXCHANGE", exchange.clone()),
        ("RELAY_IN_SERVE", "false".to_owned()),
        ("JOBS_IN_SERVE", "false".to_owned()),
        ("ORDERS_CONSUMER_IN_SERVE", "false".to_owned()),
        ("NOTIFICATIONS_IN_SERVE", "false".to_owned()),
        ("RATE_LIMIT_USER_PER_MINUTE", options.user_limit.to_string()),
        ("RATE_LIMIT_IP_PER_MINUTE", "0".to_owned()),
        ("STREAMS_PER_USER", streams_per_user),
        ("REDIS_URL", std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())),
        ("REDIS_KEY_PREFIX", format!("bench-{run}:")),
        ("LOG_LEVEL", "error".to_owned()),
        ("BLOB_DIR", blobs.path().to_string_lossy().into_owned()),
    ];
    let mut replica = tokio::process::Command::new(&binary)
        .arg("serve")
        .env_clear()
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("run {}: {e} (scripts/bench.sh builds it)", binary.display()));
    let pid = replica.id().expect("a running replica");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let metrics_page = || {
        let (client, url) = (client.clone(), format!("{base}/metrics"));
        async move { client.get(url).send().await.ok()?.text().await.ok() }
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if metrics_page().await.is_some_and(|t| metric(&t, "live_fanout_connected") > 0.5) {
            break;
        }
        assert!(Instant::now() < deadline, "replica B never held its events queue");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stream_url = format!("{base}/v1/stream");

    // 1. Commit to frame.
    let ticket =
        writer.post(&slug, "/v1/tickets", &customer.token, &json!({"subject": "Live", "description": "x"})).await;
    assert_eq!(ticket.status, 201);
    let ticket = ticket.json()["id"].as_i64().unwrap();
    let mut body = open_stream(&client, &stream_url, &slug, &token).await;
    let arrivals: Arc<Mutex<HashMap<i64, Instant>>> = Arc::default();
    let sink = Arc::clone(&arrivals);
    let reader = tokio::spawn(async move {
        let mut buffer = String::new();
        while let Some(Ok(chunk)) = body.next().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                if block.contains("event: message.added")
                    && let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: "))
                    && let Ok(value) = serde_json::from_str::<serde_json::Value>(data)
                    && let Some(id) = value["message_id"].as_i64()
                {
                    sink.lock().unwrap().insert(id, Instant::now());
                }
            }
        }
    });
    let answered: Arc<Mutex<HashMap<i64, Instant>>> = Arc::default();
    let mut tick = tokio::time::interval(Duration::from_secs(1) / options.rate);
    let mut replies = tokio::task::JoinSet::new();
    let started = Instant::now();
    for n in 0..options.frames {
        tick.tick().await;
        let (url, slug, token, answered) = (writer.server.url(""), slug.clone(), token.clone(), Arc::clone(&answered));
        replies.spawn(async move {
            let response = reqwest::Client::new()
                .post(format!("{url}/v1/tickets/{ticket}/messages"))
                .header("x-tenant-slug", slug)
                .bearer_auth(token)
                .json(&json!({"message": format!("Reply {n}")}))
                .send()
                .await
                .expect("a reply");
            let at = Instant::now();
            let id = response.json::<serde_json::Value>().await.expect("the message")["id"].as_i64().unwrap();
            answered.lock().unwrap().insert(id, at);
        });
    }
    while replies.join_next().await.is_some() {}
    let deadline = Instant::now() + Duration::from_secs(30);
    while arrivals.lock().unwrap().len() < options.frames {
        assert!(Instant::now() < deadline, "{} of {} frames arrived", arrivals.lock().unwrap().len(), options.frames);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    reader.abort();
    let (answered, arrived) = (answered.lock().unwrap().clone(), arrivals.lock().unwrap().clone());
    let latencies: Vec<Duration> = answered
        .iter()
        .filter_map(|(id, at)| arrived.get(id).map(|frame| frame.saturating_duration_since(*at)))
        .collect();
    println!(
        "live: {} replies at {} a second through replica A in {:.1} s; their frames on replica B",
        options.frames,
        options.rate,
        started.elapsed().as_secs_f64()
    );
    println!("live: commit (A's answer) to frame (B's stream): {}", summarize(latencies));

    // 2. Idle streams.
    let before = metrics_page().await.unwrap_or_default();
    let (rss_before, conns_before) = (rss_kib(pid), metric(&before, "tenant_connections_open"));
    let opened = Instant::now();
    let mut streams = Vec::with_capacity(options.idle);
    let mut opening = futures_util::stream::iter(0..options.idle)
        .map(|_| open_stream(&client, &stream_url, &slug, &token))
        .buffer_unordered(200);
    while let Some(body) = opening.next().await {
        streams.push(body);
    }
    drop(opening);
    let open_took = opened.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = metrics_page().await.unwrap_or_default();
    let (rss_after, conns_after) = (rss_kib(pid), metric(&after, "tenant_connections_open"));
    #[allow(clippy::cast_precision_loss, reason = "kibibytes and stream counts")]
    let per_stream = rss_after.saturating_sub(rss_before) as f64 / options.idle as f64;
    println!(
        "live: {} idle streams opened in {:.1} s; replica B's RSS {} MiB before, {} MiB with them ({:.1} KiB a stream); \
         tenant connections {} before, {} with them; live_streams_open {}",
        options.idle,
        open_took.as_secs_f64(),
        rss_before / 1024,
        rss_after / 1024,
        per_stream,
        conns_before,
        conns_after,
        metric(&after, "live_streams_open"),
    );
    // One change, to every stream.
    let readers: Vec<_> = streams
        .into_iter()
        .map(|mut body| {
            tokio::spawn(async move {
                let mut seen = String::new();
                while let Some(Ok(chunk)) = body.next().await {
                    seen.push_str(&String::from_utf8_lossy(&chunk));
                    if seen.contains("event: message.added") {
                        return Some(Instant::now());
                    }
                }
                None
            })
        })
        .collect();
    let sent =
        writer.post(&slug, &format!("/v1/tickets/{ticket}/messages"), &token, &json!({"message": "To all"})).await;
    assert_eq!(sent.status, 201);
    let at = Instant::now();
    let mut reached = Vec::with_capacity(readers.len());
    for reader in readers {
        if let Ok(Ok(Some(when))) = tokio::time::timeout(Duration::from_secs(30), reader).await {
            reached.push(when.saturating_duration_since(at));
        }
    }
    println!("live: one change to {} of {} idle streams: {}", reached.len(), options.idle, summarize(reached));

    // 3. Revalidation against /health, in one run. A tag names a 30-second bucket of the clock
    //    (`app_api::live::versions`): each conditional run starts in a fresh bucket with the tag of
    //    the moment, so it ends before the tag does, and B's own counts say how many were 304s.
    let tag_of = |path: String| {
        let (client, base, slug, token) = (client.clone(), base.clone(), slug.clone(), token.clone());
        async move {
            let response = client
                .get(format!("{base}{path}"))
                .header("x-tenant-slug", slug)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned()).expect("a tag")
        }
    };
    let seconds = Duration::from_secs(10);
    let auth = format!("Bearer {token}");
    let tenant = [("x-tenant-slug", slug.as_str()), ("authorization", auth.as_str())];
    let answered = |route: &'static str, class: &'static str| {
        let page = metrics_page();
        async move {
            let series = format!("http_requests_total{{method=\"GET\",route=\"{route}\",status_class=\"{class}\"}}");
            let value = metric(&page.await.unwrap_or_default(), &series);
            if value.is_nan() { 0.0 } else { value }
        }
    };
    let load = |path: String, tag: Option<String>| {
        let mut headers = tenant.to_vec();
        if let Some(tag) = &tag {
            headers.push(("if-none-match", tag.as_str()));
        }
        crate::wrk::run(&base, &crate::wrk::Target::Path(path), &headers, 32, seconds).expect("wrk runs")
    };
    let bucket = app_api::live::versions::BUCKET_SECONDS;
    let conditional = |path: String, route: &'static str| {
        let tag = tag_of(path.clone());
        async move {
            let into_bucket =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(Duration::ZERO, |d| {
                    Duration::from_millis(u64::try_from(d.as_millis()).unwrap_or(0) % (bucket * 1000))
                });
            let left = Duration::from_secs(bucket).saturating_sub(into_bucket);
            if left < seconds + Duration::from_secs(2) {
                tokio::time::sleep(left + Duration::from_millis(200)).await;
            }
            let tag = tag.await;
            let before = answered(route, "3xx").await;
            let run = load(path, Some(tag));
            let not_modified = answered(route, "3xx").await - before;
            (run, not_modified)
        }
    };
    let ticket_path = format!("/v1/tickets/{ticket}");
    let health =
        crate::wrk::run(&base, &crate::wrk::Target::Path("/health".into()), &[], 32, seconds).expect("wrk runs");
    let (list_304, list_not_modified) = conditional("/v1/tickets".to_owned(), "/v1/tickets").await;
    let (ticket_304, ticket_not_modified) = conditional(ticket_path.clone(), "/v1/tickets/{id}").await;
    let list_200 = load("/v1/tickets".to_owned(), None);
    let ticket_200 = load(ticket_path, None);
    println!("live: GET /health {:.0}/s", health.rate);
    for (what, run, not_modified) in [
        ("the list, conditional", &list_304, Some(list_not_modified)),
        ("the ticket, conditional", &ticket_304, Some(ticket_not_modified)),
        ("the list, 200 (the query)", &list_200, None),
        ("the ticket, 200 (the query)", &ticket_200, None),
    ] {
        let share = not_modified
            .map(|n| format!(", {:.1}% answered 304", n * 100.0 / (run.rate * seconds.as_secs_f64()).max(1.0)))
            .unwrap_or_default();
        println!(
            "live: {what}: {:.0}/s ({:.0}% of /health){share}, {}",
            run.rate,
            run.rate * 100.0 / health.rate,
            run.latency_text()
        );
    }

    let _ = replica.start_kill();
    let _ = replica.wait().await;
    drop(writer);
    let connection =
        lapin::Connection::connect(&testkit::amqp_url(), lapin::ConnectionProperties::default()).await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    let _ = channel.exchange_delete(exchange.as_str().into(), lapin::options::ExchangeDeleteOptions::default()).await;
    platform.finish().await;
}
