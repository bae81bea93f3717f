//! The SAV operations (issue 14) on one real tenant, through an app-api replica in this
//! process:
//!
//! 1. Bulk status: 100 open tickets closed by one `POST /v1/tickets/bulk/status`, against the
//!    same 100 closed one `POST /v1/tickets/{id}/status` at a time.
//! 2. Export: `GET /v1/users/{id}/export` of a customer with `--tickets` tickets (two public
//!    messages and one internal note each) and of one with a tenth of them: time, size, and the
//!    process's peak resident memory above where it stood before (sampled every 5 ms).

use std::time::{Duration, Instant};

use sqlx::{ConnectOptions as _, Connection as _, PgConnection};
use uuid::Uuid;

use crate::platform::Platform;

pub async fn run(tickets: i64) {
    let platform = Platform::start_logging_at("error").await;
    let (slug, token) = platform.tenants_with_tokens(1).await.remove(0);
    let replica = crate::app::replica(&platform, 20, 5).await;
    let (_, options) = platform.tenant_admin_options(&slug).await;
    let mut admin = options.connect().await.expect("the tenant database");
    let client = reqwest::Client::new();
    let owner: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE role = 'owner'").fetch_one(&mut admin).await.unwrap();

    // 1. Bulk status against one request per ticket.
    let mut bulk_times = Vec::new();
    let mut single_times = Vec::new();
    for round in 0..5 {
        let ids = open_tickets(&mut admin, owner, &format!("B{round}"), 100).await;
        let started = Instant::now();
        let answer = client
            .post(replica.server.url("/v1/tickets/bulk/status"))
            .header("x-tenant-slug", &slug)
            .bearer_auth(&token)
            .json(&serde_json::json!({ "ticket_ids": ids, "status": "closed" }))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        let answer: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(answer["succeeded"], 100, "{answer}");
        bulk_times.push(started.elapsed());

        let ids = open_tickets(&mut admin, owner, &format!("S{round}"), 100).await;
        let started = Instant::now();
        for id in ids {
            let answer = client
                .post(replica.server.url(&format!("/v1/tickets/{id}/status")))
                .header("x-tenant-slug", &slug)
                .bearer_auth(&token)
                .json(&serde_json::json!({ "status": "closed" }))
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 200);
        }
        single_times.push(started.elapsed());
    }
    bulk_times.sort();
    single_times.sort();
    println!(
        "bulk status of 100 tickets: median {:.0} ms (5 rounds: {:?}); 100 single requests: median {:.0} ms",
        bulk_times[2].as_secs_f64() * 1000.0,
        bulk_times.iter().map(Duration::as_millis).collect::<Vec<_>>(),
        single_times[2].as_secs_f64() * 1000.0,
    );

    // 2. Exports of a large customer and of one a tenth of its size.
    for count in [tickets / 10, tickets] {
        let customer = customer_with_tickets(&mut admin, count).await;
        let memory = crate::stats::PeakMemory::start();
        let started = Instant::now();
        let response = client
            .get(replica.server.url(&format!("/v1/users/{customer}/export")))
            .header("x-tenant-slug", &slug)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let first_byte = started.elapsed();
        let mut bytes = 0usize;
        let mut response = response;
        while let Some(chunk) = response.chunk().await.expect("the export streams to its end") {
            bytes += chunk.len();
        }
        let took = started.elapsed();
        let (baseline, grown) = memory.stop();
        println!(
            "export of a customer with {count} tickets: {:.0} ms ({:.0} ms to the first byte), {:.1} MB; \
             peak resident memory {:.1} MB above the {:.1} MB before",
            took.as_secs_f64() * 1000.0,
            first_byte.as_secs_f64() * 1000.0,
            mb(bytes),
            kb_to_mb(grown),
            kb_to_mb(baseline),
        );
    }
    let _ = admin.close().await;
    drop(replica);
    platform.finish().await;
}

/// `count` open tickets of `owner`, written in SQL; their ids.
pub async fn open_tickets(admin: &mut PgConnection, owner: Uuid, tag: &str, count: i64) -> Vec<i64> {
    sqlx::query_scalar(
        "INSERT INTO support_tickets (ticket_number, user_id, subject, description, response_due_at, resolution_due_at)
         SELECT 'TKT-' || $3 || lpad(g::text, 7, '0'), $1, 'Bulk ' || g, 'x', now() + interval '1 day',
                now() + interval '3 days'
         FROM generate_series(1, $2) g RETURNING id",
    )
    .bind(owner)
    .bind(count)
    .bind(tag)
    .fetch_all(admin)
    .await
    .unwrap()
}

/// A customer with `count` tickets, each with two public messages and one internal note.
async fn customer_with_tickets(admin: &mut PgConnection, count: i64) -> Uuid {
    let customer = Uuid::new_v4();
    let tag = &customer.simple().to_string()[..6];
    sqlx::raw_sql(&format!(
        "INSERT INTO users (id, email, role) VALUES ('{customer}', 'export-{customer}@example.org', 'customer');
         INSERT INTO support_tickets (ticket_number, user_id, subject, description, response_due_at, resolution_due_at)
         SELECT 'TKT-X{tag}' || lpad(g::text, 7, '0'), '{customer}', 'Exported ticket ' || g,
                repeat('A description of the problem. ', 10), now(), now()
         FROM generate_series(1, {count}) g;
         INSERT INTO ticket_messages (ticket_id, sender_id, sender_type, message, is_internal)
         SELECT t.id, '{customer}', 'customer', repeat('The customer writes. ', 10), false
         FROM support_tickets t WHERE t.user_id = '{customer}';
         INSERT INTO ticket_messages (ticket_id, sender_id, sender_type, message, is_internal)
         SELECT t.id, '{customer}', 'customer', repeat('And again. ', 10), false
         FROM support_tickets t WHERE t.user_id = '{customer}';
         INSERT INTO ticket_messages (ticket_id, sender_id, sender_type, message, is_internal)
         SELECT t.id, u.id, 'agent', 'An internal note', true
         FROM support_tickets t, users u WHERE t.user_id = '{customer}' AND u.role = 'owner';"
    ))
    .execute(admin)
    .await
    .unwrap();
    customer
}

#[allow(clippy::cast_precision_loss, reason = "sizes shown in MB")]
fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_048_576.0
}

#[allow(clippy::cast_precision_loss, reason = "sizes shown in MB")]
fn kb_to_mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}
