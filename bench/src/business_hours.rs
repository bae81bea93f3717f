//! Business hours on two real tenants through an app-api replica in this process: one with no
//! SLA policy by condition (every ticket on the 24/7 fallback), one whose single policy counts
//! its targets in a Monday-to-Friday schedule with a lunch break and a year of holidays
//! (`Europe/Paris`):
//!
//! - ticket creation in each, at the same concurrency, in alternating rounds (each creation
//!   matches the policies and counts its due times in the schedule's hours);
//! - the list of 50 in each, likewise (badges are read from stored instants);
//! - the jobs recording the breaches of 10,000 overdue tickets in each, one tenant after the
//!   other (each breach measures the ticket's clock again in its hours before it is recorded).

use std::time::Instant;

use serde_json::{Value, json};
use sqlx::ConnectOptions as _;

use crate::platform::Platform;
use crate::stats::summarize;

const ROUNDS: usize = 3;

pub async fn run(tickets: usize, lists: usize, overdue: usize, concurrency: usize) {
    let platform = Platform::start_logging_at("error").await;
    let mut tenants = platform.tenants_with_tokens(2).await;
    let (hours_slug, hours_token) = tenants.remove(1);
    let (always_slug, always_token) = tenants.remove(0);
    let replica = crate::app::replica(&platform, 20, 10).await;
    let client = reqwest::Client::new();
    let request = |method: reqwest::Method, slug: &str, token: &str, path: &str| {
        client.request(method, replica.server.url(path)).header("x-tenant-slug", slug).bearer_auth(token)
    };

    let weekdays: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .flat_map(|day| {
            [
                json!({"day": day, "start": "09:00", "end": "12:30"}),
                json!({"day": day, "start": "13:30", "end": "17:00"}),
            ]
        })
        .collect();
    let holidays: Vec<Value> = (1..=12)
        .map(|month| json!({"date": format!("2026-{month:02}-01"), "name": format!("Closed {month}")}))
        .collect();
    let schedule: Value = request(reqwest::Method::POST, &hours_slug, &hours_token, "/v1/schedules")
        .json(&json!({"name": "Paris", "time_zone": "Europe/Paris", "intervals": weekdays, "holidays": holidays}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let targets = json!({"response_minutes": 240, "next_response_minutes": 120, "resolution_minutes": 1440});
    let policies = json!({"policies": [{
        "name": "Office hours",
        "schedule_id": schedule["id"],
        "targets": {"low": targets, "medium": targets, "high": targets, "urgent": targets},
    }]});
    let put = request(reqwest::Method::PUT, &hours_slug, &hours_token, "/v1/sla/policies").json(&policies).send().await;
    assert!(put.unwrap().status().is_success(), "the policy is stored");

    println!(
        "business hours: {tickets} creations and {lists} lists of 50 a round, {concurrency} clients, {ROUNDS} rounds of each"
    );
    let ticket = json!({"subject": "Parcel", "description": "Where is it?"});
    let create = |(slug, token): (&str, &str)| request(reqwest::Method::POST, slug, token, "/v1/tickets").json(&ticket);
    let list = |(slug, token): (&str, &str)| request(reqwest::Method::GET, slug, token, "/v1/tickets?limit=50");
    let always = (always_slug.as_str(), always_token.as_str());
    let hours = (hours_slug.as_str(), hours_token.as_str());
    let mut rates = [[Vec::new(), Vec::new()], [Vec::new(), Vec::new()]];
    let mut times = [[Vec::new(), Vec::new()], [Vec::new(), Vec::new()]];
    for round in 0..ROUNDS {
        for (which, tenant) in [always, hours].into_iter().enumerate() {
            let (rate, took) = crate::app::drive(&vec![tenant; tickets], concurrency, create).await;
            rates[0][which].push(rate);
            times[0][which].extend(took);
        }
        for (which, tenant) in [always, hours].into_iter().enumerate() {
            let (rate, took) = crate::app::drive(&vec![tenant; lists], concurrency, list).await;
            rates[1][which].push(rate);
            times[1][which].extend(took);
        }
        println!(
            "  round {}: created 24/7 {:.0}/s, in business hours {:.0}/s; lists 24/7 {:.0}/s, in business hours {:.0}/s",
            round + 1,
            rates[0][0][round],
            rates[0][1][round],
            rates[1][0][round],
            rates[1][1][round],
        );
    }
    #[allow(clippy::cast_precision_loss, reason = "a few rounds")]
    let mean = |rates: &[f64]| rates.iter().sum::<f64>() / rates.len() as f64;
    for (what, index) in [("ticket creation", 0), ("the list of 50", 1)] {
        let [always_times, hours_times] = std::mem::take(&mut times[index]);
        let (always_rate, hours_rate) = (mean(&rates[index][0]), mean(&rates[index][1]));
        println!("  {what}, 24/7:           {always_rate:.0}/s, {}", summarize(always_times));
        println!("  {what}, business hours: {hours_rate:.0}/s, {}", summarize(hours_times));
        println!("  {what}: ratio {:.2}", hours_rate / always_rate);
    }

    breach_jobs(&platform, &replica, [("24/7", &always_slug), ("business hours", &hours_slug)], overdue).await;
}

/// The jobs recording the breaches of `overdue` tickets in each tenant, one after the other.
async fn breach_jobs(
    platform: &Platform,
    replica: &crate::app::Replica,
    tenants: [(&str, &String); 2],
    overdue: usize,
) {
    let jobs = app_api::worker::jobs::Jobs::new(&replica.state);
    let mut per_breach = Vec::new();
    for (label, slug) in tenants {
        let (_, options) = platform.tenant_admin_options(slug).await;
        let mut admin = options.connect().await.expect("the tenant database");
        overdue_tickets(&mut admin, overdue).await;
        jobs.sweep().await.expect("the sweep");
        let started = Instant::now();
        let mut breaches = 0;
        loop {
            let check = jobs.check().await.expect("a check");
            if check.breaches == 0 {
                break;
            }
            breaches += check.breaches;
        }
        let took = started.elapsed();
        assert!(breaches >= overdue, "{label}: every overdue ticket's breach was recorded ({breaches})");
        #[allow(clippy::cast_precision_loss, reason = "a rate")]
        let each = took.as_secs_f64() * 1000.0 / breaches as f64;
        println!("  the jobs, {label}: {breaches} breaches recorded in {:.1} s, {each:.2} ms each", took.as_secs_f64());
        per_breach.push(each);
    }
    println!("  the jobs: business hours cost {:.2} of 24/7 per breach", per_breach[1] / per_breach[0]);
}

/// `count` open tickets, copies of the tenant's first one (so its policy and customer), created
/// thirty days ago and never answered: overdue however the clock counts.
async fn overdue_tickets(admin: &mut sqlx::PgConnection, count: usize) {
    sqlx::query(
        "INSERT INTO support_tickets (ticket_number, user_id, subject, description, priority, status, metadata,
            response_due_at, resolution_due_at, response_risk_at, resolution_risk_at, created_at, updated_at,
            sla_version_id, sla_policy, sla_schedule_id, sla_response_minutes, sla_next_response_minutes,
            sla_resolution_minutes)
         SELECT 'TKT-O' || lpad(n::text, 7, '0'), t.user_id, t.subject, t.description, 'medium', 'open', t.metadata,
            now() - interval '29 days', now() - interval '27 days', now() - interval '29 days', now() - interval '27 days',
            now() - interval '30 days', now() - interval '30 days', t.sla_version_id, t.sla_policy, t.sla_schedule_id,
            t.sla_response_minutes, t.sla_next_response_minutes, t.sla_resolution_minutes
         FROM (SELECT * FROM support_tickets ORDER BY id LIMIT 1) AS t, generate_series(1, $1) AS n",
    )
    .bind(i64::try_from(count).unwrap())
    .execute(&mut *admin)
    .await
    .expect("the overdue tickets");
}
