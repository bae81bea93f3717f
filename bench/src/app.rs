//! app-api benchmark: `GET /v1/me` (resolve, verify, pool, query) under closed-loop load, for
//! one tenant, for many tenants picked uniformly at random, and `pgbench -S` on the same server
//! at the same concurrency as the reference. The load generator runs in this process next to
//! app-api: both scenarios pay for it alike. The replica, the closed loop and the `pgbench`
//! reference are shared with the tickets benchmark (`tickets.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use app_api::{AppConfig, AppState};
use futures_util::StreamExt as _;
use harness::{TestServer, admin_url};
use rand::Rng as _;
use sqlx::{ConnectOptions as _, Connection as _};

use crate::platform::Platform;
use crate::stats::{Summary, summarize};

pub struct Scenario {
    pub tenants: usize,
    pub budget: usize,
}

pub struct Replica {
    pub state: AppState,
    pub server: TestServer,
}

impl Replica {
    /// A request to tenant `slug` with `token`, as nginx would pass it (`X-Tenant-Slug`).
    pub fn request(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        slug: &str,
        token: &str,
        path: &str,
    ) -> reqwest::RequestBuilder {
        client.request(method, self.server.url(path)).header("x-tenant-slug", slug).bearer_auth(token)
    }

    /// The id of the agent `token` signs in, once this replica knows them (a bounded wait): the
    /// control plane writes new members into the tenant's mirror after it answers.
    pub async fn agent_id(&self, client: &reqwest::Client, slug: &str, token: &str) -> uuid::Uuid {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(me) = self.request(client, reqwest::Method::GET, slug, token, "/v1/me").send().await
                && me.status() == 200
                && let Ok(me) = me.json::<serde_json::Value>().await
                && me["role"] == "agent"
            {
                return me["id"].as_str().and_then(|id| id.parse().ok()).expect("the agent's id");
            }
            assert!(Instant::now() < deadline, "the agent of {slug} never reached the tenant's mirror");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// An app-api replica in this process, reading the platform's control database, with rate
/// limits off (the load comes from one address and a few tokens) and the given connection
/// budget (all tenants) and per-tenant pool size.
pub async fn replica(platform: &Platform, budget: usize, per_tenant: usize) -> Replica {
    replica_with(platform, budget, per_tenant, |_| {}).await
}

/// `replica`, with its configuration changed by `configure`.
pub async fn replica_with(
    platform: &Platform,
    budget: usize,
    per_tenant: usize,
    configure: impl FnOnce(&mut AppConfig),
) -> Replica {
    let config = platform.app_config(|c| {
        unlimited(c);
        c.pools.total = budget;
        c.pools.per_tenant = per_tenant;
        c.control_db_max_connections = 4;
        configure(c);
    });
    let state = AppState::new(config).await.expect("app state");
    let server = TestServer::start(app_api::build_router(state.clone())).await;
    Replica { state, server }
}

/// No rate limits (the load comes from one address and a few tokens) and room for a pool per
/// tenant of the largest scenarios.
pub fn unlimited(config: &mut AppConfig) {
    config.rate_limits.per_user_per_minute = 0;
    config.rate_limits.per_ip_per_minute = 0;
    config.pools.max_pools = 5000;
}

/// `GET /v1/me` under closed-loop load, for each scenario, then `pgbench -S` and `-S -C`.
pub async fn run(scenarios: &[Scenario], concurrency: usize, duration: Duration) {
    let platform = Platform::start().await;
    let most = scenarios.iter().map(|s| s.tenants).max().unwrap_or(1);
    let started = Instant::now();
    let tenants = Arc::new(platform.tenants_with_tokens(most).await);
    println!("{most} tenants provisioned and signed in in {:.1}s", started.elapsed().as_secs_f64());

    for scenario in scenarios {
        let per_tenant = if scenario.tenants == 1 { concurrency.min(scenario.budget) } else { 5 };
        let app = replica(&platform, scenario.budget, per_tenant).await;
        let slice = Arc::new(tenants[..scenario.tenants].to_vec());
        // Warm up: caches, pools, statement caches.
        me_with_peak(&app, &slice, concurrency, Duration::from_secs(2), &platform.prefix).await;
        let (load, peak) = me_with_peak(&app, &slice, concurrency, duration, &platform.prefix).await;
        println!(
            "GET /v1/me, {} tenant(s), budget {}, {concurrency} clients: {:.0} req/s, {}, errors {}, peak app-api connections {peak}",
            scenario.tenants,
            scenario.budget,
            load.rate,
            load.latency_text(),
            load.errors
        );
        drop(app.server);
        drop(app.state);
    }
    match pgbench(concurrency, duration, &[("pgbench -S", false), ("pgbench -S -C (new connection each time)", true)])
        .await
    {
        Ok(runs) => runs.iter().for_each(|r| println!("{}", r.line)),
        Err(why) => println!("{why}"),
    }
    platform.finish().await;
}

/// `GET /v1/me` to tenants picked uniformly at random, while sampling how many connections
/// app-api holds on the tenant databases (every 10 ms, from `pg_stat_activity`).
async fn me_with_peak(
    app: &Replica,
    tenants: &Arc<Vec<(String, String)>>,
    concurrency: usize,
    duration: Duration,
    prefix: &str,
) -> (Load, i64) {
    let done = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicI64::new(0));
    let watcher = {
        let (done, peak, prefix) = (Arc::clone(&done), Arc::clone(&peak), prefix.to_owned());
        tokio::spawn(async move {
            let mut admin = sqlx::PgConnection::connect_with(&harness::admin_options()).await.expect("admin");
            while !done.load(Ordering::Relaxed) {
                let open: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'helpdeskly-app-api' AND usename LIKE $1 || '%'",
                )
                .bind(&prefix)
                .fetch_one(&mut admin)
                .await
                .unwrap_or(0);
                peak.fetch_max(open, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let url = app.server.url("/v1/me");
    let tenants = Arc::clone(tenants);
    let request: Request = Arc::new(move |client: &reqwest::Client| {
        let (slug, token) = &tenants[rand::thread_rng().gen_range(0..tenants.len())];
        client.get(&url).header("x-tenant-slug", slug).bearer_auth(token)
    });
    let load = closed_loop(&request, 200, concurrency, duration).await;
    done.store(true, Ordering::Relaxed);
    let _ = watcher.await;
    (load, peak.load(Ordering::Relaxed))
}

/// Builds the next request of a client; called once per request, so it may pick at random.
pub type Request = Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync>;

/// What one closed-loop run measured.
pub struct Load {
    /// Answers with the expected status per second.
    pub rate: f64,
    /// Latencies of the answers with the expected status; `None` when there were none.
    pub latency: Option<Summary>,
    pub errors: usize,
    /// The first unexpected answer (status and the start of the body, or the transport error),
    /// so a broken endpoint says why instead of only counting errors.
    pub first_error: Option<String>,
}

impl Load {
    pub fn latency_text(&self) -> String {
        self.latency.as_ref().map_or_else(|| "no successful request".to_owned(), ToString::to_string)
    }
}

/// Closed-loop load: `concurrency` clients, each sending its next request when the last one is
/// answered (body read to the end), for `duration`. An answer counts when its status is `expect`.
pub async fn closed_loop(request: &Request, expect: u16, concurrency: usize, duration: Duration) -> Load {
    let running = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let timer = {
        let running = Arc::clone(&running);
        tokio::spawn(async move {
            tokio::time::sleep(duration).await;
            running.store(false, std::sync::atomic::Ordering::Relaxed);
        })
    };
    let load = closed_loop_while(request, expect, concurrency, &running).await;
    timer.abort();
    load
}

/// `closed_loop` for as long as `running` holds.
pub async fn closed_loop_while(
    request: &Request,
    expect: u16,
    concurrency: usize,
    running: &Arc<std::sync::atomic::AtomicBool>,
) -> Load {
    let client = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(concurrency).build().expect("client");
    let started = Instant::now();
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, request, running) = (client.clone(), Arc::clone(request), Arc::clone(running));
        clients.spawn(async move {
            let (mut samples, mut errors, mut first_error) = (Vec::new(), 0usize, None);
            while running.load(std::sync::atomic::Ordering::Relaxed) {
                let builder = request(&client);
                let sent = Instant::now();
                let outcome = match builder.send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        match response.bytes().await {
                            Ok(_) if status == expect => Ok(()),
                            Ok(body) => {
                                Err(format!("{status} {}", String::from_utf8_lossy(&body[..body.len().min(300)])))
                            }
                            Err(err) => Err(format!("{status}, body: {err}")),
                        }
                    }
                    Err(err) => Err(err.to_string()),
                };
                match outcome {
                    Ok(()) => samples.push(sent.elapsed()),
                    Err(why) => {
                        errors += 1;
                        first_error.get_or_insert(why);
                    }
                }
            }
            (samples, errors, first_error)
        });
    }
    let (mut samples, mut errors, mut first_error) = (Vec::new(), 0, None);
    while let Some(joined) = clients.join_next().await {
        let (s, e, first) = joined.expect("client task");
        samples.extend(s);
        errors += e;
        first_error = first_error.or(first);
    }
    Load {
        rate: f64::from(u32::try_from(samples.len()).unwrap_or(u32::MAX)) / started.elapsed().as_secs_f64(),
        latency: (!samples.is_empty()).then(|| summarize(samples)),
        errors,
        first_error,
    }
}

pub fn pgbench_binary() -> Option<String> {
    if let Ok(out) = std::process::Command::new("sh").args(["-c", "command -v pgbench"]).output() {
        let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if !path.is_empty() {
            return Some(path);
        }
    }
    let mut found: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin/pgbench"))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop().map(|p| p.display().to_string())
}

/// One `pgbench` run.
pub struct PgbenchRun {
    pub tps: Option<f64>,
    pub latency_ms: Option<f64>,
    /// `{label}, {clients} clients: {tps line}; {latency line}`, as pgbench printed them.
    pub line: String,
}

/// `pgbench -S` on a scratch database of the same server, same concurrency, same duration, once
/// per `(label, reconnect)` variant (`reconnect` adds `-C`, a new connection per transaction).
pub async fn pgbench(
    concurrency: usize,
    duration: Duration,
    variants: &[(&str, bool)],
) -> Result<Vec<PgbenchRun>, String> {
    let Some(pgbench) = pgbench_binary() else { return Err("pgbench -S: pgbench not found".into()) };
    let scratch = format!("{}pgbench", harness::test_name_prefix());
    // Creating and dropping a database takes seconds here: no slow-statement warnings.
    let options = harness::admin_options().disable_statement_logging();
    let mut admin = sqlx::PgConnection::connect_with(&options).await.expect("admin");
    sqlx::query(&format!(r#"CREATE DATABASE "{scratch}""#)).execute(&mut admin).await.expect("scratch database");
    let base = admin_url();
    let (server, _) = base.rsplit_once('/').expect("URL with a database");
    let url = format!("{server}/{scratch}");
    let init = std::process::Command::new(&pgbench).args(["-i", "-s", "1", "-q", &url]).output().expect("pgbench -i");
    let mut runs = Vec::new();
    if init.status.success() {
        for (label, reconnect) in variants {
            let mut args = vec!["-S", "-n", "-j", "2"];
            if *reconnect {
                args.push("-C");
            }
            let (clients, seconds) = (concurrency.to_string(), duration.as_secs().to_string());
            args.extend(["-c", &clients, "-T", &seconds, &url]);
            let run = std::process::Command::new(&pgbench).args(&args).output().expect("pgbench -S");
            let text = String::from_utf8_lossy(&run.stdout);
            let tps_line = text.lines().find(|l| l.starts_with("tps")).unwrap_or("no tps line").to_owned();
            let latency_line = text.lines().find(|l| l.starts_with("latency average")).unwrap_or("").to_owned();
            runs.push(PgbenchRun {
                tps: first_number_after(&tps_line, "="),
                latency_ms: first_number_after(&latency_line, "="),
                line: format!("{label}, {concurrency} clients: {tps_line}; {latency_line}"),
            });
        }
    }
    let _ = sqlx::query(&format!(r#"DROP DATABASE "{scratch}" WITH (FORCE)"#)).execute(&mut admin).await;
    if init.status.success() {
        Ok(runs)
    } else {
        Err(format!("pgbench -i failed: {}", String::from_utf8_lossy(&init.stderr)))
    }
}

/// The number after the first `marker` in a pgbench line (`tps = 17503.2 (without ...)`,
/// `latency average = 1.828 ms`).
fn first_number_after(line: &str, marker: &str) -> Option<f64> {
    let (_, rest) = line.split_once(marker)?;
    rest.split_whitespace().next()?.parse().ok()
}

/// Sends one request per item of `items` (made by `request`), `concurrency` at a time, each
/// answered with a success; the rate and each latency.
pub async fn drive<T: Copy>(
    items: &[T],
    concurrency: usize,
    request: impl Fn(T) -> reqwest::RequestBuilder,
) -> (f64, Vec<Duration>) {
    let (rate, times, failures) = drive_counting(items, concurrency, request).await;
    assert!(failures.is_empty(), "{}", failures.join("; "));
    (rate, times)
}

/// As `drive`, counting the answers that were not a success rather than stopping at the first:
/// the rate of the successes, their latencies, and each failure (its status and the start of
/// its body).
pub async fn drive_counting<T: Copy>(
    items: &[T],
    concurrency: usize,
    request: impl Fn(T) -> reqwest::RequestBuilder,
) -> (f64, Vec<Duration>, Vec<String>) {
    let started = Instant::now();
    let outcomes: Vec<Result<Duration, String>> = futures_util::stream::iter(items.iter().map(|item| {
        let sent = request(*item).send();
        async move {
            let at = Instant::now();
            let answer = sent.await.expect("app-api answers");
            let took = at.elapsed();
            if answer.status().is_success() {
                return Ok(took);
            }
            let status = answer.status();
            let body = answer.text().await.unwrap_or_default();
            Err(format!("{status} {}", body.chars().take(300).collect::<String>()))
        }
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;
    let elapsed = started.elapsed();
    let (mut times, mut failures) = (Vec::with_capacity(outcomes.len()), Vec::new());
    for outcome in outcomes {
        match outcome {
            Ok(took) => times.push(took),
            Err(failure) => failures.push(failure),
        }
    }
    #[allow(clippy::cast_precision_loss, reason = "a rate")]
    let rate = times.len() as f64 / elapsed.as_secs_f64();
    (rate, times, failures)
}
