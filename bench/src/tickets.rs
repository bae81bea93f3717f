//! SAV tickets benchmark (issue 6): one tenant provisioned by the real control plane, seeded
//! with 100,000 tickets and their messages in SQL (`seed.rs`), then each ticket endpoint under
//! closed-loop load from the tenant owner (who sees every ticket) against an app-api replica in
//! this process, and `pgbench -S` with the same clients and duration on the same server as the
//! reference. Prints one row per scenario: rate, p50, p99, errors, share of `pgbench -S`, the
//! issue's p99 target where it sets one, and the latency of the same requests from a single
//! client. With 32 clients in a closed loop the mean latency is 32 / rate (Little's law), so
//! the loaded latency measures throughput; the single client shows what one request costs.

mod columns;
mod same_statement;
pub mod seed;

use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use rand::Rng as _;
use rand::seq::SliceRandom as _;
use sqlx::{ConnectOptions as _, Connection as _};

use crate::app::{Load, Request, closed_loop, pgbench, replica_with};
use crate::platform::Platform;
use crate::wrk;

pub struct Options {
    pub tickets: i32,
    pub concurrency: usize,
    pub duration: Duration,
    /// Also measure each scenario with one client (service time without queueing).
    pub single_client: bool,
    /// Who sends the reads: this process, or wrk beside it.
    pub client: Client,
    /// Only the scenarios whose name contains this.
    pub only: Option<String>,
    /// Also run each read's statement alone in `pgbench`.
    pub same_statement: bool,
    /// Leave the platform and the seeded tenant in place (to `EXPLAIN` app-api's queries on
    /// them); the names are printed, the test sweep drops them after six hours.
    pub keep: bool,
    /// With Redis, as deployed (change versions tag the reads), or without.
    pub redis: testkit::WithRedis,
    /// `ANSWER_CACHE_MB` of the replica.
    pub answers_mb: u64,
    /// The endpoints, or the columns of their statements.
    pub measure: Measure,
}

/// What the run measures on the seeded tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Each endpoint under load (and, with `same_statement`, its statement alone).
    Endpoints,
    /// Instead of the endpoints: the ticket read's statement whole and without each part the
    /// web console added, and the list's with and without the unread counts (`columns.rs`),
    /// after seeding what those parts read (merged tickets, files).
    Columns,
}

/// Who sends the load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Client {
    /// Tasks of this process (reqwest), on the runtime the replica runs on.
    InProcess,
    /// wrk, in its own process, for the reads; creation stays in-process.
    Wrk,
}

/// One endpoint under load.
struct Scenario {
    name: String,
    expect: u16,
    /// The p99 target, where it sets one.
    target: Option<Duration>,
    request: Request,
    /// The same request for wrk, for reads.
    wrk: Option<wrk::Target>,
}

struct Measured {
    name: String,
    target: Option<Duration>,
    load: Load,
    alone: Option<Load>,
    /// CPU time this process (the replica, and the in-process client if it sends the load)
    /// spent per answered request under load: steadier than the rate on a shared machine.
    cpu_per_request: Option<Duration>,
}

const WARM_UP: Duration = Duration::from_secs(2);
const CATEGORIES: &[&str] = &["shipping", "billing", "product", "returns", "account", "technical"];

pub async fn run(options: &Options) {
    let platform = Platform::start_with("error", options.redis).await;
    // A failure half-way (a schema the seed does not expect, a broken endpoint) must not leave a
    // seeded tenant of hundreds of MB behind: measure, then clean up whatever happened.
    let outcome = AssertUnwindSafe(measure(&platform, options)).catch_unwind().await;
    if options.keep {
        println!(
            "kept: control database {}, tenant databases listed in its `tenants` table",
            platform.inner.plane.db.name()
        );
        if let Ok(database) = &outcome {
            println!("tenant database: psql \"{}\"", tenant_url(database));
        }
        // Nothing is dropped: not the databases, not the roles.
        std::mem::forget(platform);
    } else {
        platform.finish().await;
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Seeds, measures and prints; returns the tenant database's name.
async fn measure(platform: &Platform, options: &Options) -> String {
    let (slug, token) = platform.tenants_with_tokens(1).await.pop().expect("one tenant");
    let (database, tenant_options) = platform.tenant_admin_options(&slug).await;
    // Seeding statements run for seconds: not worth a slow-statement warning each.
    let mut db = sqlx::PgConnection::connect_with(&tenant_options.clone().disable_statement_logging())
        .await
        .expect("the tenant database as superuser");
    let seeded = seed::seed(&mut db, options.tickets).await;
    println!(
        "tenant {slug}: tickets {}..={}, {} messages, thread ticket {}, database {} MB",
        seeded.first_id,
        seeded.last_id,
        seeded.messages,
        seeded.thread_id,
        seeded.database_bytes / 1_000_000
    );

    // Searches from everywhere to one ticket; the counts are measured, not assumed.
    let queries: Vec<String> = ["order", "warranty", "vegan", "damaged courier", &seeded.rare_order.to_string()]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let owner: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE role = 'owner'")
        .fetch_one(&mut db)
        .await
        .expect("the tenant's owner in the mirror");
    if options.measure == Measure::Columns {
        columns_table(db, &database, owner, &seeded, options).await;
        return database;
    }
    seed::views(&mut db, owner).await;
    let counts = seed::matches(&mut db, &queries).await;
    let searches: Vec<(String, i64)> = queries.into_iter().zip(counts).collect();
    let _ = db.close().await;

    // One tenant: its pool may hold a connection per client, as in `app-me`'s one-tenant case.
    let app = replica_with(platform, options.concurrency, options.concurrency, |c| {
        c.answer_cache_bytes = options.answers_mb << 20;
    })
    .await;
    let mut measured = Vec::new();
    let base = app.server.url("");
    let wanted = |s: &Scenario| options.only.as_deref().is_none_or(|only| only.split(',').any(|o| s.name.contains(o)));
    // The reads' statements run alone once the reads are measured, before creation adds tickets
    // the planner's statistics have not seen.
    let statements =
        options.same_statement.then(|| same_statement::statements(owner, seeded.thread_id, &["order", "vegan"]));
    let mut same_statement_text = None;
    let alone = |measured: &[Measured]| {
        let statements = statements.as_deref().unwrap_or_default();
        tokio::task::block_in_place(|| {
            same_statement_table(&tenant_url(&database), statements, measured, &seeded, options)
        })
    };
    for scenario in scenarios(&base, &slug, &token, &seeded, &searches).into_iter().filter(wanted) {
        if scenario.expect != 200 && statements.is_some() && same_statement_text.is_none() {
            same_statement_text = Some(alone(&measured));
        }
        let request = scenario.request;
        println!("{}: {}", scenario.name, probe(&request).await);
        let by_wrk = scenario.wrk.filter(|_| options.client == Client::Wrk);
        let headers = [("x-tenant-slug", slug.as_str()), ("authorization", &format!("Bearer {token}"))];
        let run = async |clients: usize, duration: Duration| match &by_wrk {
            // wrk waits in this thread: hand the worker's other tasks (the replica) on.
            Some(target) => tokio::task::block_in_place(|| wrk::run(&base, target, &headers, clients, duration))
                .unwrap_or_else(|why| panic!("{why}")),
            None => closed_loop(&request, scenario.expect, clients, duration).await,
        };
        run(options.concurrency, WARM_UP).await;
        let alone = if options.single_client {
            let alone = run(1, options.duration).await;
            report("1 client", &alone);
            Some(alone)
        } else {
            None
        };
        let cpu_before = process_cpu();
        let load = run(options.concurrency, options.duration).await;
        let cpu_per_request = cpu_before.zip(process_cpu()).and_then(|(before, after)| {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "a count of requests")]
            let answered = (load.rate * options.duration.as_secs_f64()).round() as u32;
            after.checked_sub(before).filter(|_| answered > 0).map(|spent| spent / answered)
        });
        report(&format!("{} clients", options.concurrency), &load);
        measured.push(Measured { name: scenario.name, target: scenario.target, load, alone, cpu_per_request });
    }
    if statements.is_some() && same_statement_text.is_none() {
        same_statement_text = Some(alone(&measured));
    }
    drop(app.server);
    drop(app.state);

    let reference = match pgbench(options.concurrency, options.duration, &[("pgbench -S", false)]).await {
        Ok(mut runs) => runs.pop(),
        Err(why) => {
            println!("{why}");
            None
        }
    };
    print!("{}", table(&measured, reference.as_ref(), options.concurrency));
    print!("{}", same_statement_text.unwrap_or_default());

    database
}

/// `--columns`: seeds what the web parts of the ticket read return, checks each variant of the
/// statements on a ticket that has every part, then runs them in interleaved rounds and prints
/// the table.
async fn columns_table(
    mut db: sqlx::PgConnection,
    database: &str,
    owner: uuid::Uuid,
    seeded: &seed::Seeded,
    options: &Options,
) {
    let parts = seed::web_parts(&mut db).await;
    println!(
        "{} tickets merged into {} others; {} files of their own on {} tickets, {} files of messages; \
         ticket {} has every part",
        parts.merged,
        parts.merge_targets,
        parts.ticket_files,
        parts.tickets_with_files,
        parts.message_files,
        parts.every_part
    );
    let variants = columns::variants(owner);
    columns::check(&mut db, &variants, parts.every_part).await;
    let _ = db.close().await;
    let ids = (seeded.first_id, seeded.last_id);
    let url = tenant_url(database);
    let text =
        tokio::task::block_in_place(|| columns::table(&url, &variants, ids, options.concurrency, options.duration));
    print!("{text}");
}

/// Each measured read against `pgbench` running its statement alone (Markdown).
fn same_statement_table(
    url: &str,
    statements: &[same_statement::Statement],
    measured: &[Measured],
    seeded: &seed::Seeded,
    options: &Options,
) -> String {
    let mut out = String::from(
        "\n| statement | app-api req/s | `pgbench -M prepared` on the statement alone, tps | app-api / statement |\n|---|---|---|---|\n",
    );
    for statement in statements {
        let Some(app) = measured.iter().find(|m| m.name.starts_with(&statement.scenario)) else { continue };
        let ids = (seeded.first_id, seeded.last_id);
        match same_statement::run(url, statement, ids, options.concurrency, options.duration) {
            Ok(tps) => {
                let _ = writeln!(
                    out,
                    "| {} | {:.0} | {tps:.0} | {:.1}% |",
                    statement.name,
                    app.load.rate,
                    100.0 * app.load.rate / tps
                );
            }
            Err(why) => {
                let _ = writeln!(out, "| {} | {:.0} | failed: {why} | |", statement.name, app.load.rate);
            }
        }
    }
    out
}

/// The list filtered by tags and custom fields, as (name, path). Tags: the most used and the
/// rarest of the seed's (one GIN index), and none of the most used. Custom fields (100 defined,
/// `seed::FIELDS_SQL`): equality on the GIN index of the values, common and rare; ranges on the
/// range table, narrow and wide; a checkbox with a status.
fn label_queries() -> Vec<(String, String)> {
    let (common, rare) = (seed::TAGS[0], seed::TAGS[seed::TAGS.len() - 1]);
    let month_ago = (chrono::Utc::now() - chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    [
        ("the most used tag", format!("tag={common}")),
        ("the rarest tag", format!("tag={rare}")),
        ("none of the most used tag", format!("no_tag={common}")),
        ("a dropdown, half the tickets", "field.model=kettle".to_owned()),
        ("a dropdown, 1% of the tickets", "field.model=grill".to_owned()),
        ("a number range, 1.5% of the tickets", "field.refund.gte=475".to_owned()),
        ("a date range, the last 30 days", format!("field.bought.gte={month_ago}")),
        ("a checkbox and a status", "field.gift=true&status=open,in_progress".to_owned()),
    ]
    .into_iter()
    .map(|(what, query)| {
        (format!("GET /v1/tickets?{query}&limit=50 ({what})"), format!("/v1/tickets?{query}&limit=50"))
    })
    .collect()
}

/// The scenarios, in the order they run, as the owner of the seeded tenant; `base` is the
/// replica's URL.
fn scenarios(base: &str, slug: &str, token: &str, seeded: &seed::Seeded, searches: &[(String, i64)]) -> Vec<Scenario> {
    let get = |path: String| -> Request {
        let (url, slug, token) = (format!("{base}{path}"), slug.to_owned(), token.to_owned());
        Arc::new(move |client: &reqwest::Client| client.get(&url).header("x-tenant-slug", &slug).bearer_auth(&token))
    };
    let read = |name: String, target: Option<Duration>, path: String| Scenario {
        name,
        expect: 200,
        target,
        request: get(path.clone()),
        wrk: Some(wrk::Target::Path(path)),
    };
    let ms = Duration::from_millis;
    let mut list = vec![
        // The HTTP hop alone (no tenant, no token, no database): with `pgbench -S`, the two
        // costs a ticket read adds up.
        read("GET /health (HTTP alone)".into(), None, "/health".into()),
        Scenario {
            name: "GET /v1/tickets/{random id}".into(),
            expect: 200,
            target: Some(ms(5)),
            request: {
                let (base, slug, token) = (base.to_owned(), slug.to_owned(), token.to_owned());
                let ids = seeded.first_id..=seeded.last_id;
                Arc::new(move |client: &reqwest::Client| {
                    let id = rand::thread_rng().gen_range(ids.clone());
                    client.get(format!("{base}/v1/tickets/{id}")).header("x-tenant-slug", &slug).bearer_auth(&token)
                })
            },
            wrk: Some(wrk::Target::RandomTicket { first: seeded.first_id, last: seeded.last_id }),
        },
        read("GET /v1/tickets?limit=50".into(), Some(ms(50)), "/v1/tickets?limit=50".into()),
        read(
            "GET /v1/tickets?status=open,in_progress&priority=high&limit=50".into(),
            Some(ms(50)),
            "/v1/tickets?status=open,in_progress&priority=high&limit=50".into(),
        ),
        read(
            "  same, &assigned_to={busiest agent}".into(),
            Some(ms(50)),
            format!("/v1/tickets?status=open,in_progress&priority=high&assigned_to={}&limit=50", seeded.busiest_agent),
        ),
        read(
            format!(
                "GET /v1/tickets/{{id}}/messages?limit={} (thread of {})",
                seed::THREAD_MESSAGES,
                seed::THREAD_MESSAGES
            ),
            Some(ms(20)),
            format!("/v1/tickets/{}/messages?limit={}", seeded.thread_id, seed::THREAD_MESSAGES),
        ),
    ];
    for (name, path) in label_queries() {
        list.push(read(name, Some(ms(50)), path));
    }
    list.push(read("GET /v1/tags (every ticket's tags counted)".into(), None, "/v1/tags".into()));
    list.push(read(
        format!("GET /v1/views/counts ({} views, exact)", seed::VIEWS.len()),
        Some(ms(50)),
        "/v1/views/counts".into(),
    ));
    for (q, count) in searches {
        list.push(read(
            format!("GET /v1/tickets?q={q}&limit=50 ({count} matching tickets)"),
            Some(ms(200)),
            format!("/v1/tickets?q={}&limit=50", q.replace(' ', "+")),
        ));
    }
    // Last, so the reads above run on the seeded tickets alone.
    list.push(Scenario {
        name: "POST /v1/tickets (staff, for a customer)".into(),
        expect: 201,
        target: None,
        request: {
            let (url, slug, token) = (format!("{base}/v1/tickets"), slug.to_owned(), token.to_owned());
            let customers = seeded.customers.clone();
            Arc::new(move |client: &reqwest::Client| {
                let mut rng = rand::thread_rng();
                let body = serde_json::json!({
                    "subject": words(&mut rng, 6),
                    "description": words(&mut rng, 40),
                    "category": CATEGORIES.choose(&mut rng),
                    "user_id": customers.choose(&mut rng),
                });
                client.post(&url).header("x-tenant-slug", &slug).bearer_auth(&token).json(&body)
            })
        },
        wrk: None,
    });
    list
}

/// Words drawn as the seed draws them (word `k` with a probability of about `1/k`).
fn words(rng: &mut impl rand::Rng, count: usize) -> String {
    let n = seed::WORDS.len();
    let bound = f64::from(u32::try_from(n).expect("a short list") + 1).ln();
    let mut text = String::new();
    for i in 0..count {
        let k = rng.gen_range(0.0..bound).exp().floor();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "a small positive whole number")]
        let index = (k as usize).clamp(1, n) - 1;
        if i > 0 {
            text.push(' ');
        }
        text.push_str(seed::WORDS[index]);
    }
    text
}

fn report(label: &str, load: &Load) {
    println!("  {label}: {:.0} req/s, {}, errors {}", load.rate, load.latency_text(), load.errors);
    if let Some(why) = &load.first_error {
        println!("  first error: {why}");
    }
}

/// One request before the load, to show what the endpoint answers (status, size, rows).
async fn probe(request: &Request) -> String {
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let started = Instant::now();
    match request(&client).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.bytes().await.unwrap_or_default();
            let elapsed = started.elapsed();
            let rows = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("data").and_then(|d| d.as_array().map(Vec::len)));
            let mut text = format!("probe {status}, {} bytes in {:.1} ms", body.len(), elapsed.as_secs_f64() * 1000.0);
            if let Some(rows) = rows {
                let _ = write!(text, ", {rows} rows");
            }
            if status >= 400 {
                let _ = write!(text, ": {}", String::from_utf8_lossy(&body[..body.len().min(300)]));
            }
            text
        }
        Err(err) => format!("probe failed: {err}"),
    }
}

fn tenant_url(database: &str) -> String {
    let base = harness::admin_url();
    let (server, _) = base.rsplit_once('/').expect("URL with a database");
    format!("{server}/{database}")
}

/// CPU time (user and system) of this process so far, from `/proc/self/stat`.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces: utime and
    // stime are the 14th and 15th fields of the line, in clock ticks.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let per_second = std::process::Command::new("getconf").arg("CLK_TCK").output().ok()?;
    let per_second: u64 = String::from_utf8_lossy(&per_second.stdout).trim().parse().ok()?;
    Some(Duration::from_micros(ticks * 1_000_000 / per_second))
}

/// The results table (Markdown, ready for BENCHMARKS.md).
fn table(measured: &[Measured], reference: Option<&crate::app::PgbenchRun>, concurrency: usize) -> String {
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    let percentiles = |load: Option<&Load>| {
        load.and_then(|l| l.latency.as_ref())
            .map_or_else(|| ("-".to_owned(), "-".to_owned()), |l| (ms(l.p50), ms(l.p99)))
    };
    let tps = reference.and_then(|r| r.tps);
    let mut out = format!(
        "\n| scenario | req/s ({concurrency} clients) | p50 | p99 | errors | of `pgbench -S` | p99 target | 1 client p50 / p99 | CPU per request |\n|---|---|---|---|---|---|---|---|---|\n"
    );
    for m in measured {
        let (p50, p99) = percentiles(Some(&m.load));
        let (alone_p50, alone_p99) = percentiles(m.alone.as_ref());
        let share = tps.map_or_else(|| "-".to_owned(), |tps| format!("{:.1}%", 100.0 * m.load.rate / tps));
        let target = match (m.target, &m.load.latency) {
            (None, _) => "-".to_owned(),
            (Some(t), Some(l)) if l.p99 < t => format!("< {} met", ms(t)),
            (Some(t), _) => format!("< {} missed", ms(t)),
        };
        let errors = m.load.errors + m.alone.as_ref().map_or(0, |a| a.errors);
        let cpu = m.cpu_per_request.map_or_else(|| "-".to_owned(), |d| format!("{} µs", d.as_micros()));
        let _ = writeln!(
            out,
            "| {} | {:.0} | {p50} | {p99} | {errors} | {share} | {target} | {alone_p50} / {alone_p99} | {cpu} |",
            m.name, m.load.rate
        );
    }
    match reference {
        Some(r) => {
            let _ = writeln!(
                out,
                "| `pgbench -S` | {} tps | | | | 100% | | {} avg ({concurrency} clients) | |",
                r.tps.map_or_else(|| "?".to_owned(), |t| format!("{t:.0}")),
                r.latency_ms.map_or_else(|| "?".to_owned(), |l| format!("{l:.1} ms"))
            );
        }
        None => out.push_str("| `pgbench -S` | not run | | | | | | | |\n"),
    }
    out
}

/// `seed-tickets`: the benchmark's data in a tenant database that exists already (the web
/// benchmark's, whose owner signs in through the browser), and its landmarks as JSON.
pub async fn seed_existing(database_url: &str, tickets: i32) {
    let mut db = sqlx::PgConnection::connect(database_url).await.expect("connect to the tenant database");
    let seeded = seed::seed(&mut db, tickets).await;
    let landmarks = serde_json::json!({
        "tickets": tickets,
        "thread_id": seeded.thread_id,
        "thread_messages": seed::THREAD_MESSAGES,
        "messages": seeded.messages,
        "database_bytes": seeded.database_bytes,
    });
    println!("{landmarks}");
}
