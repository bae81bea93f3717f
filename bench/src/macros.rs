//! A macro applied (an assignment, a reply from a template, a status and a priority, in one
//! transaction) against posting the same reply alone, on one real tenant through an app-api
//! replica in this process: each a second at the same concurrency, in alternating rounds, and
//! their latencies.

use serde_json::json;
use sqlx::ConnectOptions as _;
use uuid::Uuid;

use crate::platform::Platform;
use crate::stats::summarize;

const ROUNDS: usize = 3;

pub async fn run(tickets: i64, concurrency: usize) {
    let platform = Platform::start_logging_at("error").await;
    let (slug, token) = platform.tenants_with_tokens(1).await.remove(0);
    let replica = crate::app::replica(&platform, 20, 10).await;
    let (_, options) = platform.tenant_admin_options(&slug).await;
    let mut admin = options.connect().await.expect("the tenant database");
    let owner: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE role = 'owner'").fetch_one(&mut admin).await.unwrap();
    let client = reqwest::Client::new();
    let body = "Hello {{customer.firstname}}, thank you: we are on {{ticket.number}} and need a photo of the parcel. {{agent.firstname}}";
    let made = client
        .post(replica.server.url("/v1/macros"))
        .header("x-tenant-slug", &slug)
        .bearer_auth(&token)
        .json(&json!({"name": "Ask for a photo", "body": body, "status": "waiting_customer", "priority": "high", "assign_to": "me"}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201);
    let macro_id = made.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
    let reply = "<p>Hello Ada, thank you: we are on TKT-00000000 and need a photo of the parcel. Grace</p>";

    println!("macros: {tickets} tickets a round, {concurrency} clients, {ROUNDS} rounds of each, alternating");
    let (mut applied, mut posted) = (Vec::new(), Vec::new());
    let (mut applied_rate, mut posted_rate) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let ids = crate::sav_ops::open_tickets(&mut admin, owner, &format!("M{round}"), tickets).await;
        let (rate, times) = crate::app::drive(&ids, concurrency, |id| {
            client
                .post(replica.server.url(&format!("/v1/tickets/{id}/macros/{macro_id}")))
                .header("x-tenant-slug", &slug)
                .bearer_auth(&token)
                .json(&json!({}))
        })
        .await;
        applied_rate.push(rate);
        applied.extend(times);
        let ids = crate::sav_ops::open_tickets(&mut admin, owner, &format!("P{round}"), tickets).await;
        let (rate, times) = crate::app::drive(&ids, concurrency, |id| {
            client
                .post(replica.server.url(&format!("/v1/tickets/{id}/messages")))
                .header("x-tenant-slug", &slug)
                .bearer_auth(&token)
                .json(&json!({"message": reply}))
        })
        .await;
        posted_rate.push(rate);
        posted.extend(times);
        println!(
            "  round {}: macro {:.0}/s, message alone {:.0}/s",
            round + 1,
            applied_rate[round],
            posted_rate[round]
        );
    }
    #[allow(clippy::cast_precision_loss, reason = "a few rounds")]
    let mean = |rates: &[f64]| rates.iter().sum::<f64>() / rates.len() as f64;
    let (macro_rate, message_rate) = (mean(&applied_rate), mean(&posted_rate));
    println!("  macro applied (message, status, priority, assignment): {macro_rate:.0}/s, {}", summarize(applied));
    println!("  the same message posted alone:                         {message_rate:.0}/s, {}", summarize(posted));
    println!("  ratio: {:.2}", macro_rate / message_rate);
}
