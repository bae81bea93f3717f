//! Neighbours in a pool database: one pooled tenant downloads the CSV of its `--tickets` tickets
//! (`GET /v1/reports/tickets.csv`, one download after another) while another tenant of the same
//! pool reads its queue (`GET /v1/tickets?limit=20`, `--concurrency` clients); each round reads
//! the queue first quiet, then beside the downloads, on one app-api replica with its defaults.
//! Reported: the reads' rate and latencies each way, the ratio of the p99s, and the downloads.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use futures_util::StreamExt as _;
use sqlx::ConnectOptions as _;

use crate::app::{Request, closed_loop};
use crate::platform::Platform;
use crate::tickets::seed;

pub struct Options {
    /// Tickets of the exporting tenant.
    pub tickets: i32,
    /// Clients reading the other tenant's queue.
    pub concurrency: usize,
    pub seconds: u64,
    pub rounds: usize,
}

pub async fn run(options: &Options) {
    let platform = Platform::start_logging_at("error").await;
    let started = Instant::now();
    let (exporter, exporter_token) = platform.tenants_with_tokens(1).await.pop().expect("a tenant");
    let (_, admin) = platform.tenant_admin_options(&exporter).await;
    let mut db = admin.disable_statement_logging().connect().await.expect("the pool database");
    let seeded = seed::reports(&mut db, options.tickets, 300).await;
    drop(db);
    let (reader, reader_token) = platform.tenants_with_tokens(1).await.pop().expect("a tenant");
    let databases = platform.tenant_databases().await;
    assert!(databases.len() == 2 && databases[0] == databases[1], "both in one pool database: {databases:?}");
    println!(
        "isolation: {} tickets seeded in the exporter, both tenants in {} ({:.0} s)",
        seeded.tickets,
        databases[0],
        started.elapsed().as_secs_f64()
    );
    // app-api's defaults: a budget of 100 fitted to the server, 5 connections a tenant.
    let replica = crate::app::replica(&platform, 100, 5).await;
    let base = replica.server.url("");
    for n in 0..20 {
        let body = serde_json::json!({"subject": format!("Parcel {n}"), "description": "Late."});
        let created = replica
            .server
            .request(reqwest::Method::POST, "/v1/tickets")
            .header("x-tenant-slug", &reader)
            .bearer_auth(&reader_token)
            .json(&body)
            .send()
            .await
            .expect("app-api answers");
        assert_eq!(created.status(), 201);
    }
    let reads: Request = {
        let (base, reader, token) = (base.trim_end_matches('/').to_owned(), reader.clone(), reader_token.clone());
        Arc::new(move |client: &reqwest::Client| {
            client.get(format!("{base}/v1/tickets?limit=20")).header("x-tenant-slug", &reader).bearer_auth(&token)
        })
    };
    let today = Utc::now().date_naive();
    let csv = format!(
        "{}/v1/reports/tickets.csv?from={}&to={}",
        base.trim_end_matches('/'),
        today - Days::new(365),
        today + Days::new(1)
    );
    let duration = Duration::from_secs(options.seconds);
    for round in 1..=options.rounds {
        let quiet = closed_loop(&reads, 200, options.concurrency, duration).await;
        let exporting = Arc::new(AtomicBool::new(true));
        let downloads = Arc::new(AtomicUsize::new(0));
        let exporter_task = {
            let (exporting, downloads, csv) = (Arc::clone(&exporting), Arc::clone(&downloads), csv.clone());
            let (slug, token) = (exporter.clone(), exporter_token.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder().no_proxy().build().expect("client");
                let mut rows = 0_u64;
                while exporting.load(Ordering::Relaxed) {
                    let answer =
                        client.get(&csv).header("x-tenant-slug", &slug).bearer_auth(&token).send().await.expect("CSV");
                    assert_eq!(answer.status(), 200);
                    let mut body = answer.bytes_stream();
                    while let Some(chunk) = body.next().await {
                        let chunk = chunk.expect("the CSV");
                        rows += chunk.split(|b| *b == b'\n').count() as u64 - 1;
                    }
                    downloads.fetch_add(1, Ordering::Relaxed);
                }
                rows
            })
        };
        // The download under way before the reads start.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let beside = closed_loop(&reads, 200, options.concurrency, duration).await;
        exporting.store(false, Ordering::Relaxed);
        let rows = exporter_task.await.expect("the downloads");
        let (Some(q), Some(b)) = (&quiet.latency, &beside.latency) else { panic!("no reads answered") };
        println!(
            "  round {round}: quiet {:.0} req/s p50 {:.1} ms p99 {:.1} ms; beside the export {:.0} req/s p50 {:.1} ms p99 {:.1} ms \
             ({:.2}x the quiet p99); errors {} and {}; {} downloads begun, {rows} rows",
            quiet.rate,
            ms(q.p50),
            ms(q.p99),
            beside.rate,
            ms(b.p50),
            ms(b.p99),
            b.p99.as_secs_f64() / q.p99.as_secs_f64(),
            quiet.errors,
            beside.errors,
            downloads.load(Ordering::Relaxed) + 1,
        );
    }
    drop(replica);
    platform.finish().await;
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
