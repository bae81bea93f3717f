//! `app-api worker`, the binary: it relays what a replica without a relay wrote, serves only its
//! operations endpoints (metrics for Prometheus, readiness), and stops cleanly on SIGTERM;
//! without a broker it refuses to start.

use std::process::Stdio;
use std::time::Duration;

use serde_json::json;
use uuid::Uuid;

use super::{Rabbit, unique};
use crate::helpers::{Platform, WorkerProcess, worker_command};

#[tokio::test]
async fn the_worker_relays_serves_only_its_operations_endpoints_and_stops_on_sigterm() {
    let mut rabbit = Rabbit::connect().await;
    let (exchange, orders_exchange, orders_queue) =
        (unique("sav_exchange"), unique("orders_exchange"), unique("app-api.orders"));
    let tap = rabbit.tap(&exchange).await;
    rabbit.owns_exchange(&orders_exchange);
    rabbit.owns_queue(&orders_queue);
    rabbit.owns_queue(&format!("{orders_queue}.dead"));
    // It runs the notification worker too, which declares its queue.
    let notifications_queue = unique("app-api.notifications");
    rabbit.owns_queue(&notifications_queue);
    let (platform, org) = Platform::with_org(false).await;
    let app = platform.replica_with(|c| c.rate_limits.per_user_per_minute = 0).await;
    let customer = platform.member(&app, &org, "customer").await;
    let created =
        app.post(&org.slug, "/v1/tickets", &customer.token, &json!({ "subject": "Worker", "description": "x" })).await;
    assert_eq!(created.status, 201);

    let mut worker = WorkerProcess::spawn(
        &platform,
        &[
            ("EVENTS_EXCHANGE", exchange.clone()),
            ("ORDERS_EXCHANGE", orders_exchange.clone()),
            ("ORDERS_QUEUE", orders_queue.clone()),
            ("NOTIFICATIONS_QUEUE", notifications_queue.clone()),
        ],
    );
    let port = worker.port;
    let db = platform.tenant_db(&org.slug).await;
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT message_id FROM outbox").fetch_all(&db.pool).await.unwrap();
    // Found by the worker's first sweep: this replica has no relay and no Redis to hint through.
    tap.wait_for_ids(&ids, Duration::from_secs(20)).await;
    let (rabbit_ref, queue) = (&rabbit, orders_queue.as_str());
    harness::eventually(Duration::from_secs(10), "the worker consumes order events", || async move {
        let (_, consumers) = rabbit_ref.queue_state(queue).await?;
        (consumers == 1).then_some(())
    })
    .await;

    // What Prometheus scrapes: the relay's, the jobs' and the consumer's metrics; no API.
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let metrics = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    let metrics = metrics.text().await.unwrap();
    for name in [
        "outbox_events_published_total",
        "outbox_relay_connected 1",
        "sav_job_sweep_seconds_count",
        "sav_job_check_seconds_count",
    ] {
        assert!(metrics.contains(name), "{name} in {metrics}");
    }
    let ready: serde_json::Value = client.get(format!("{base}/ready")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["dependencies"]["outbox_relay"]["status"], "up", "{ready}");
    let api = client.get(format!("{base}/v1/me")).send().await.unwrap();
    assert_eq!(api.status(), 404, "no API on a worker");

    let pid = worker.child.id().expect("running");
    let killed = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(15), worker.child.wait())
        .await
        .expect("the worker stops within 15 s of SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(0), "a clean stop");
    drop((db, app));

    // Without a broker there is nothing to do: it says so and exits.
    let without_broker: Vec<_> = worker.vars.iter().filter(|(k, _)| *k != "AMQP_URL").cloned().collect();
    let output = worker_command(&without_broker).stderr(Stdio::piped()).output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0));
    assert!(stderr.contains("AMQP_URL"), "{stderr}");
}
