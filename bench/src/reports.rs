//! Reports (issue 49) on an app-api replica in this process, every request the tenant owner's
//! (an admin), each tenant seeded by SQL (`tickets::seed::reports`) with tickets created over
//! the last 300 days:
//!
//! - **The CSV**: `GET /v1/reports/tickets.csv` over the longest range (366 days, every seeded
//!   ticket) of a tenant with `--csv-tickets` tickets, the body streamed and counted as it comes:
//!   the time to the answer's headers, to its first byte (the header row, sent at once) and to
//!   its first ticket, the whole download, rows (CRLF) and bytes a second; and this process's
//!   resident memory (the replica writes the CSV here), idle before the download and at its peak
//!   during it, sampled every 20 ms. The rows must be the seeded tickets and the header.
//! - **The performance report**: `GET /v1/reports/performance` over the same range of a second
//!   tenant with `--tickets` tickets, by agent, team, priority, tag and channel, and by team and
//!   week; each once not measured, then `TIMES` times, one after another. Its total must count
//!   every seeded ticket. Then by agent over the CSV's tenant, for scale.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, Utc};
use futures_util::{FutureExt as _, StreamExt as _};
use serde_json::Value;
use sqlx::ConnectOptions as _;

use crate::app::Replica;
use crate::platform::Platform;
use crate::stats::{Summary, resident_kb, summarize};
use crate::tickets::seed;

/// The seeded tickets are created over this many days before now.
const HISTORY_DAYS: u32 = 300;
/// Reports of each kind not measured, then measured.
const WARM_UP: usize = 1;
const TIMES: usize = 5;
/// Reports of the CSV's tenant, after one not measured.
const LARGE_TIMES: usize = 3;
/// How often the resident memory is sampled during the download.
const RSS_EVERY: Duration = Duration::from_millis(20);
/// The groupings measured, and whether each is split by week.
const GROUPINGS: [(&str, bool); 6] =
    [("agent", false), ("team", false), ("priority", false), ("tag", false), ("channel", false), ("team", true)];

pub struct Options {
    /// Tickets of the CSV's tenant.
    pub csv_tickets: i32,
    /// Tickets of the performance report's tenant.
    pub tickets: i32,
}

/// A tenant: its slug and its owner's access token.
struct Tenant {
    slug: String,
    token: String,
    seeded: seed::ReportsSeeded,
}

pub async fn run(options: &Options) {
    assert!(options.csv_tickets > 0 && options.tickets > 0, "nothing to measure");
    let platform = Platform::start_logging_at("error").await;
    // A failure half-way must not leave a seeded tenant of a GB behind.
    let outcome = AssertUnwindSafe(measure(&platform, options)).catch_unwind().await;
    platform.finish().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

async fn measure(platform: &Platform, options: &Options) {
    let started = Instant::now();
    let mut owners = platform.tenants_with_tokens(2).await;
    let (perf_slug, perf_token) = owners.pop().expect("two tenants");
    let (csv_slug, csv_token) = owners.pop().expect("two tenants");
    println!("reports: seeding the CSV's tenant ({} tickets over {HISTORY_DAYS} days)", options.csv_tickets);
    let csv =
        Tenant { seeded: seeded(platform, &csv_slug, options.csv_tickets).await, slug: csv_slug, token: csv_token };
    println!("reports: seeding the performance report's tenant ({} tickets over {HISTORY_DAYS} days)", options.tickets);
    let perf =
        Tenant { seeded: seeded(platform, &perf_slug, options.tickets).await, slug: perf_slug, token: perf_token };
    println!("reports: seeded in {:.0} s", started.elapsed().as_secs_f64());
    let replica = crate::app::replica(platform, 20, 5).await;
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let today = Utc::now().date_naive();
    let range = (today - Days::new(365), today + Days::new(1));

    let download = download(&replica, &client, &csv, range).await;
    let expected = u64::try_from(csv.seeded.tickets).expect("a count") + 1;
    assert_eq!(download.rows, expected, "the CSV has a row per seeded ticket and the header");

    let mut cases = Vec::with_capacity(GROUPINGS.len());
    for (group_by, weekly) in GROUPINGS {
        let case = performance(&replica, &client, &perf, range, group_by, weekly, TIMES).await;
        println!("  performance {}: {}", case.label, case.shown());
        cases.push(case);
    }
    let large = performance(&replica, &client, &csv, range, "agent", false, LARGE_TIMES).await;
    println!("  performance {} over {} tickets: {}", large.label, csv.seeded.tickets, large.shown());

    report(&csv, &perf, &download, &cases, &large, range);
    println!("reports: {:.0} s in all", started.elapsed().as_secs_f64());
    drop(replica);
}

/// `tickets` tickets in tenant `slug`'s database, written as the server's superuser.
async fn seeded(platform: &Platform, slug: &str, tickets: i32) -> seed::ReportsSeeded {
    let (_, options) = platform.tenant_admin_options(slug).await;
    // The seed's statements are slow on purpose: no warnings.
    let mut db = options.disable_statement_logging().connect().await.expect("the tenant database");
    let seeded = seed::reports(&mut db, tickets, HISTORY_DAYS).await;
    assert_eq!(seeded.tickets, i64::from(tickets), "every ticket seeded");
    seeded
}

fn request(replica: &Replica, client: &reqwest::Client, tenant: &Tenant, path: &str) -> reqwest::RequestBuilder {
    client.get(replica.server.url(path)).header("x-tenant-slug", &tenant.slug).bearer_auth(&tenant.token)
}

/// What the download measured.
struct Download {
    headers: Duration,
    first_byte: Duration,
    first_ticket: Duration,
    total: Duration,
    /// Lines (CRLF), the header's included.
    rows: u64,
    bytes: u64,
    idle_kb: u64,
    peak_kb: u64,
    samples: u64,
}

/// `GET /v1/reports/tickets.csv` of every ticket of `range`, streamed, while a task samples the
/// resident memory.
async fn download(
    replica: &Replica,
    client: &reqwest::Client,
    tenant: &Tenant,
    range: (NaiveDate, NaiveDate),
) -> Download {
    let path = format!("/v1/reports/tickets.csv?from={}&to={}", range.0, range.1);
    println!("tickets.csv: GET {path} of {} tickets", tenant.seeded.tickets);
    // Settled: what the seeding's connections and the replica's start left has been freed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_kb = resident_kb();
    let peak = Arc::new(AtomicU64::new(idle_kb));
    let samples = Arc::new(AtomicU64::new(0));
    let sampling = {
        let (peak, samples) = (Arc::clone(&peak), Arc::clone(&samples));
        tokio::spawn(async move {
            let mut every = tokio::time::interval(RSS_EVERY);
            loop {
                every.tick().await;
                peak.fetch_max(resident_kb(), Ordering::Relaxed);
                samples.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let started = Instant::now();
    let answer = request(replica, client, tenant, &path).send().await.expect("app-api answers");
    let headers = started.elapsed();
    let status = answer.status();
    assert_eq!(status, 200, "{}", answer.text().await.unwrap_or_default());
    let mut body = answer.bytes_stream();
    let (mut first_byte, mut first_ticket) = (None, None);
    let (mut rows, mut bytes, mut previous) = (0_u64, 0_u64, 0_u8);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.expect("the whole CSV");
        first_byte.get_or_insert_with(|| started.elapsed());
        for &byte in &chunk {
            if byte == b'\n' && previous == b'\r' {
                rows += 1;
            }
            previous = byte;
        }
        if rows >= 2 {
            first_ticket.get_or_insert_with(|| started.elapsed());
        }
        bytes += chunk.len() as u64;
    }
    let total = started.elapsed();
    // One last sample, then stop.
    peak.fetch_max(resident_kb(), Ordering::Relaxed);
    sampling.abort();
    Download {
        headers,
        first_byte: first_byte.unwrap_or(total),
        first_ticket: first_ticket.unwrap_or(total),
        total,
        rows,
        bytes,
        idle_kb,
        peak_kb: peak.load(Ordering::Relaxed),
        samples: samples.load(Ordering::Relaxed),
    }
}

/// One grouping of the performance report, measured.
struct Case {
    label: String,
    /// `None` when the report failed.
    summary: Option<Summary>,
    rows: usize,
    bytes: usize,
    failure: Option<String>,
}

impl Case {
    fn shown(&self) -> String {
        match (&self.summary, &self.failure) {
            (Some(summary), _) => summary.to_string(),
            (None, failure) => failure.clone().unwrap_or_default(),
        }
    }
}

/// `GET /v1/reports/performance` over `range` by `group_by` (and week), `WARM_UP` times not
/// measured, then `times` times.
async fn performance(
    replica: &Replica,
    client: &reqwest::Client,
    tenant: &Tenant,
    range: (NaiveDate, NaiveDate),
    group_by: &str,
    weekly: bool,
    times: usize,
) -> Case {
    let period = if weekly { "&period=week" } else { "" };
    let path = format!("/v1/reports/performance?from={}&to={}&group_by={group_by}{period}", range.0, range.1);
    let label = if weekly { format!("{group_by}, period=week") } else { group_by.to_owned() };
    let mut took = Vec::with_capacity(times);
    let (mut rows, mut bytes) = (0, 0);
    let runs = WARM_UP + times;
    for n in 0..runs {
        let started = Instant::now();
        let answer = request(replica, client, tenant, &path).send().await.expect("app-api answers");
        let status = answer.status();
        let body = answer.bytes().await.expect("a body");
        let elapsed = started.elapsed();
        if status != 200 {
            // Reported, not fatal: the other groupings are still measured.
            let shown = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
            println!("  {path}: HTTP {status} after {:.1} ms: {shown}", ms(elapsed));
            return Case {
                label,
                summary: None,
                rows: 0,
                bytes: 0,
                failure: Some(format!("HTTP {}", status.as_u16())),
            };
        }
        let report: Value = serde_json::from_slice(&body).expect("a JSON report");
        assert_eq!(report["total"]["created"].as_i64(), Some(tenant.seeded.tickets), "every ticket counted");
        rows = report["rows"].as_array().map_or(0, Vec::len);
        bytes = body.len();
        if n >= WARM_UP {
            took.push(elapsed);
        }
    }
    Case { label, summary: Some(summarize(took)), rows, bytes, failure: None }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

#[allow(clippy::cast_precision_loss, reason = "sizes and counts, far below 2^52")]
fn report(
    csv: &Tenant,
    perf: &Tenant,
    download: &Download,
    cases: &[Case],
    large: &Case,
    range: (NaiveDate, NaiveDate),
) {
    let mib = |kb: u64| kb as f64 / 1024.0;
    let seconds = download.total.as_secs_f64();
    let tickets = download.rows.saturating_sub(1);
    println!();
    println!(
        "reports: summary (range {} to {}, exclusive; tickets created over the last {HISTORY_DAYS} days)",
        range.0, range.1
    );
    println!(
        "  tickets.csv, {} tickets ({} ratings, database {:.0} MiB):",
        csv.seeded.tickets,
        csv.seeded.ratings,
        csv.seeded.database_bytes as f64 / 1_048_576.0
    );
    println!(
        "    headers {:.1} ms, first byte {:.1} ms, first ticket {:.1} ms, total {seconds:.2} s",
        ms(download.headers),
        ms(download.first_byte),
        ms(download.first_ticket)
    );
    println!(
        "    {} rows (header included), {:.0} rows/s, {:.1} MiB at {:.1} MiB/s, {:.0} bytes a row",
        download.rows,
        tickets as f64 / seconds,
        download.bytes as f64 / 1_048_576.0,
        download.bytes as f64 / 1_048_576.0 / seconds,
        download.bytes as f64 / download.rows as f64
    );
    println!(
        "    resident memory: idle {:.1} MiB, peak {:.1} MiB (+{:.1} MiB), {} samples every {} ms",
        mib(download.idle_kb),
        mib(download.peak_kb),
        mib(download.peak_kb.saturating_sub(download.idle_kb)),
        download.samples,
        RSS_EVERY.as_millis()
    );
    println!(
        "  performance report, {} tickets ({} teams, {} ratings), {TIMES} times each after {WARM_UP}:",
        perf.seeded.tickets, perf.seeded.teams, perf.seeded.ratings
    );
    println!("    {:<20} {:>9} {:>9} {:>6} {:>9}", "group_by", "p50 ms", "max ms", "rows", "bytes");
    for case in cases {
        match &case.summary {
            Some(summary) => println!(
                "    {:<20} {:>9.1} {:>9.1} {:>6} {:>9}",
                case.label,
                ms(summary.p50),
                ms(summary.max),
                case.rows,
                case.bytes
            ),
            None => println!("    {:<20} {}", case.label, case.shown()),
        }
    }
    println!(
        "  performance report by {} over the CSV's {} tickets, {LARGE_TIMES} times after {WARM_UP}: {}",
        large.label,
        csv.seeded.tickets,
        large.shown()
    );
}
