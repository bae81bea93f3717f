//! app-api benchmark: `GET /v1/me` (resolve, verify, pool, query) under closed-loop load, for
//! one tenant, for many tenants picked uniformly at random, and `pgbench -S` on the same server
//! at the same concurrency as the reference. The load generator runs in this process next to
//! app-api: both scenarios pay for it alike.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use app_api::{AppConfig, AppState};
use rand::Rng as _;
use shared::config::Env;
use shared::testkit::{TestServer, admin_url};
use sqlx::Connection as _;

use crate::platform::{KEY, Platform};
use crate::stats::summarize;

const PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n";

pub struct Scenario {
    pub tenants: usize,
    pub budget: usize,
}

struct Replica {
    state: AppState,
    server: TestServer,
}

async fn replica(platform: &Platform, budget: usize, per_tenant: usize) -> Replica {
    let env = Env::from_pairs([
        ("CONTROL_DATABASE_URL", platform.db.url()),
        ("DB_ENCRYPTION_KEY", KEY.to_owned()),
        ("JWT_PUBLIC_KEYS", PUBLIC_KEY.to_owned()),
        ("LOG_LEVEL", "error".to_owned()),
        ("RATE_LIMIT_USER_PER_MINUTE", "0".to_owned()),
        ("RATE_LIMIT_IP_PER_MINUTE", "0".to_owned()),
        ("TENANT_POOLS_MAX_TOTAL_CONNECTIONS", budget.to_string()),
        ("TENANT_POOL_MAX_CONNECTIONS", per_tenant.to_string()),
        ("TENANT_POOLS_MAX", "5000".to_owned()),
        ("CONTROL_DB_MAX_CONNECTIONS", "4".to_owned()),
    ]);
    let state = AppState::new(AppConfig::from_env(&env).expect("configuration")).await.expect("app state");
    let server = TestServer::start(app_api::build_router(state.clone())).await;
    Replica { state, server }
}

/// Closed-loop load: `concurrency` clients, each sending its next request when the last
/// answered, for `duration`, to tenants picked uniformly at random.
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
        load(&app, &slice, concurrency, Duration::from_secs(2), &platform.prefix).await;
        let report = load(&app, &slice, concurrency, duration, &platform.prefix).await;
        println!(
            "GET /v1/me, {} tenant(s), budget {}, {concurrency} clients: {:.0} req/s, {}, errors {}, peak app-api connections {}",
            scenario.tenants, scenario.budget, report.rate, report.latency, report.errors, report.peak_connections
        );
        drop(app.server);
        drop(app.state);
    }
    println!("{}", pgbench(concurrency, duration).await);
    platform.finish().await;
}

struct Report {
    rate: f64,
    latency: crate::stats::Summary,
    errors: usize,
    peak_connections: i64,
}

async fn load(
    app: &Replica,
    tenants: &Arc<Vec<(String, String)>>,
    concurrency: usize,
    duration: Duration,
    prefix: &str,
) -> Report {
    let done = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicI64::new(0));
    let watcher = {
        let (done, peak, prefix) = (Arc::clone(&done), Arc::clone(&peak), prefix.to_owned());
        tokio::spawn(async move {
            let mut admin = sqlx::PgConnection::connect_with(&shared::testkit::admin_options()).await.expect("admin");
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
    let client = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(concurrency).build().expect("client");
    let until = Instant::now() + duration;
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, url, tenants) = (client.clone(), url.clone(), Arc::clone(tenants));
        clients.spawn(async move {
            let (mut samples, mut errors) = (Vec::new(), 0usize);
            while Instant::now() < until {
                let (slug, token) = &tenants[rand::thread_rng().gen_range(0..tenants.len())];
                let sent = Instant::now();
                let ok = client
                    .get(&url)
                    .header("x-tenant-slug", slug)
                    .bearer_auth(token)
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200);
                if ok {
                    samples.push(sent.elapsed());
                } else {
                    errors += 1;
                }
            }
            (samples, errors)
        });
    }
    let (mut samples, mut errors) = (Vec::new(), 0);
    while let Some(joined) = clients.join_next().await {
        let (s, e) = joined.expect("client task");
        samples.extend(s);
        errors += e;
    }
    done.store(true, Ordering::Relaxed);
    let _ = watcher.await;
    Report {
        rate: f64::from(u32::try_from(samples.len()).unwrap_or(u32::MAX)) / duration.as_secs_f64(),
        latency: summarize(samples),
        errors,
        peak_connections: peak.load(Ordering::Relaxed),
    }
}

fn pgbench_binary() -> Option<String> {
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

/// `pgbench -S` on a scratch database of the same server, same concurrency, same duration.
async fn pgbench(concurrency: usize, duration: Duration) -> String {
    let Some(pgbench) = pgbench_binary() else { return "pgbench -S: pgbench not found".into() };
    let scratch = format!("{}pgbench", shared::testkit::test_name_prefix());
    let mut admin = sqlx::PgConnection::connect_with(&shared::testkit::admin_options()).await.expect("admin");
    sqlx::query(&format!(r#"CREATE DATABASE "{scratch}""#)).execute(&mut admin).await.expect("scratch database");
    let base = admin_url();
    let (server, _) = base.rsplit_once('/').expect("URL with a database");
    let url = format!("{server}/{scratch}");
    let init = std::process::Command::new(&pgbench).args(["-i", "-s", "1", "-q", &url]).output().expect("pgbench -i");
    if !init.status.success() {
        return format!("pgbench -i failed: {}", String::from_utf8_lossy(&init.stderr));
    }
    // Once on kept connections (the one-tenant reference), once with a new connection per
    // transaction (what many tenants on a small budget must do).
    let mut lines = Vec::new();
    for (label, reconnect) in [("pgbench -S", false), ("pgbench -S -C (new connection each time)", true)] {
        let mut args = vec!["-S", "-n", "-j", "2"];
        if reconnect {
            args.push("-C");
        }
        let (clients, seconds) = (concurrency.to_string(), duration.as_secs().to_string());
        args.extend(["-c", &clients, "-T", &seconds, &url]);
        let run = std::process::Command::new(&pgbench).args(&args).output().expect("pgbench -S");
        let text = String::from_utf8_lossy(&run.stdout);
        let tps = text.lines().find(|l| l.starts_with("tps")).unwrap_or("no tps line").to_owned();
        let latency = text.lines().find(|l| l.starts_with("latency average")).unwrap_or("").to_owned();
        lines.push(format!("{label}, {concurrency} clients: {tps}; {latency}"));
    }
    let _ = sqlx::query(&format!(r#"DROP DATABASE "{scratch}" WITH (FORCE)"#)).execute(&mut admin).await;
    lines.join("\n")
}
