//! Notification mail at a steady pace: an app-api replica in this process takes the requests
//! and relays their events to the local RabbitMQ (an exchange of the run's own); `app-api
//! worker` (the release binary beside this one) holds the notification worker and mails a mail
//! server of the run's own (mail-devel, as the tests use).
//!
//! `--rate` replies a second for `--seconds`, each from staff on one of `--customers` tickets, so
//! each is one mail to that ticket's customer. Latency is read from the tenant database: from
//! the reply's commit (the delivery's `created_at`, the event's time) to the mail server's
//! acceptance (`sent_at`, marked right after it). The worker's CPU is read from `/proc`.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::ConnectOptions as _;
use testkit::mailbox::MailServer;

use crate::platform::Platform;
use crate::stats::summarize;

pub struct Options {
    pub rate: u32,
    pub seconds: u64,
    pub customers: usize,
}

/// Clock ticks of CPU (user and system) `pid` has used.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the worker's /proc entry");
    // After the command's name in parentheses: state is field 3; utime and stime are 14 and 15.
    let after = &stat[stat.rfind(')').expect("a stat line") + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0)
}

#[allow(clippy::too_many_lines, reason = "one measurement read in order")]
pub async fn run(options: &Options) {
    let platform = Platform::start_logging_at("error").await;
    let mail = MailServer::start().await;
    let run = uuid::Uuid::new_v4().simple().to_string();
    let (exchange, queue) = (format!("sav_exchange.bench.{run}"), format!("notifications.bench.{run}"));
    let (org, app, owner) = platform
        .organisation(|c| {
            c.amqp_url = testkit::broker_url(&testkit::Service::Test);
            c.events.exchange.clone_from(&exchange);
            c.notifications.in_serve = false;
        })
        .await;
    let slug = org.slug.clone();
    let (_, admin) = platform.tenant_admin_options(&slug).await;
    let mut db = admin.connect().await.expect("the tenant database");

    // The worker, once it holds its queue.
    let worker_binary = std::env::current_exe().unwrap().with_file_name("app-api");
    let config = &platform.state.config;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let blobs = tempfile::tempdir().unwrap();
    let vars = [
        ("APP_PORT", port.to_string()),
        ("BIND_ADDR", "127.0.0.1".to_owned()),
        ("CONTROL_DATABASE_URL", config.control_db.expose().to_owned()),
        ("APP_PLANE_KEY", config.keys.app_plane.to_base64()),
        ("JWT_PUBLIC_KEYS", testkit::TEST_PUBLIC_KEY.to_owned()),
        ("AMQP_URL", testkit::amqp_url()),
        ("EVENTS_EXCHANGE", exchange.clone()),
        ("NOTIFICATIONS_QUEUE", queue.clone()),
        ("ORDERS_EXCHANGE", format!("{exchange}.orders")),
        ("ORDERS_QUEUE", format!("{queue}.orders")),
        ("SMTP_URL", mail.smtp_url()),
        ("APP_PUBLIC_URL", "http://{slug}.helpdeskly.test".to_owned()),
        ("LOG_LEVEL", "error".to_owned()),
        ("BLOB_DIR", blobs.path().to_string_lossy().into_owned()),
    ];
    let mut worker = tokio::process::Command::new(&worker_binary)
        .arg("worker")
        .env_clear()
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("run {}: {e} (scripts/bench.sh builds it)", worker_binary.display()));
    let pid = worker.id().expect("a running worker");
    let metrics = format!("http://127.0.0.1:{port}/metrics");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = match reqwest::get(&metrics).await {
            Ok(response) => response.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.lines().any(|line| line == "notification_consumer_connected 1") {
            break;
        }
        assert!(Instant::now() < deadline, "the worker never held its queue");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Customers, verified, each with a ticket.
    let mut tickets = Vec::with_capacity(options.customers);
    for _ in 0..options.customers {
        let customer = platform.inner.member(&app, &org, "customer").await;
        sqlx::query("UPDATE users SET email_verified = true WHERE id = $1")
            .bind(customer.id)
            .execute(&mut db)
            .await
            .unwrap();
        let created = app
            .post(&slug, "/v1/tickets", &customer.token, &json!({"subject": "Bench", "description": "Mail at a pace"}))
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        tickets.push(created.json()["id"].as_i64().unwrap());
    }

    // The creation confirmations go first; the measurement starts from an empty backlog.
    let customers = i64::try_from(options.customers).expect("a few customers");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (sent,): (i64,) = sqlx::query_as("SELECT count(*) FROM mail_deliveries WHERE status = 'sent'")
            .fetch_one(&mut db)
            .await
            .unwrap();
        if sent >= customers {
            break;
        }
        assert!(Instant::now() < deadline, "the confirmations were never sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (start_id,): (i64,) =
        sqlx::query_as("SELECT coalesce(max(id), 0) FROM mail_deliveries").fetch_one(&mut db).await.unwrap();

    let cpu_before = cpu_ticks(pid);
    let started = Instant::now();
    let total = u64::from(options.rate) * options.seconds;
    let every = Duration::from_secs(1) / options.rate;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut replies = tokio::task::JoinSet::new();
    for n in 0..total {
        tick.tick().await;
        let ticket = tickets[usize::try_from(n).unwrap() % tickets.len()];
        let (server, slug, token) = (app.server.url(""), slug.clone(), owner.token.clone());
        replies.spawn(async move {
            let response = reqwest::Client::new()
                .post(format!("{server}/v1/tickets/{ticket}/messages"))
                .header("x-tenant-slug", slug)
                .bearer_auth(token)
                .json(&json!({"message": format!("Reply {n}")}))
                .send()
                .await
                .expect("a reply");
            assert_eq!(response.status(), 201);
        });
    }
    while replies.join_next().await.is_some() {}
    let sent_in = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (sent,): (i64,) = sqlx::query_as("SELECT count(*) FROM mail_deliveries WHERE id > $1 AND status = 'sent'")
            .bind(start_id)
            .fetch_one(&mut db)
            .await
            .unwrap();
        if sent >= i64::try_from(total).unwrap() {
            break;
        }
        assert!(Instant::now() < deadline, "{sent} of {total} mails sent after the run");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cpu_after = cpu_ticks(pid);
    let latencies: Vec<(f64,)> = sqlx::query_as(
        "SELECT extract(epoch FROM sent_at - created_at)::float8 FROM mail_deliveries WHERE id > $1 AND status = 'sent'",
    )
    .bind(start_id)
    .fetch_all(&mut db)
    .await
    .unwrap();
    let samples: Vec<Duration> = latencies.iter().map(|(s,)| Duration::from_secs_f64(s.max(0.0))).collect();
    #[allow(clippy::cast_precision_loss, reason = "tick and mail counts")]
    let cpu_per_mail_ms = (cpu_after - cpu_before) as f64 * 10.0 / total as f64;
    println!("mail: {} replies at {} a second in {:.1} s, one mail each", total, options.rate, sent_in.as_secs_f64());
    println!("mail: commit to SMTP acceptance: {}", summarize(samples));
    println!(
        "mail: the worker's CPU (user and system, /proc at 100 ticks a second): {:.2} ms a mail, {:.1}% of a core over the run",
        cpu_per_mail_ms,
        cpu_per_mail_ms * f64::from(options.rate) / 10.0
    );
    let inbox_total: usize = {
        let customer_emails: Vec<(String,)> =
            sqlx::query_as("SELECT email FROM users WHERE role = 'customer'").fetch_all(&mut db).await.unwrap();
        let mut n = 0;
        for (email,) in customer_emails.iter().take(3) {
            n += mail.inbox(email).await.len();
        }
        n
    };
    println!("mail: {inbox_total} mails read back over IMAP from three of the customers' mailboxes");

    let _ = worker.start_kill();
    let _ = worker.wait().await;
    drop(db);
    drop(app);
    let connection =
        lapin::Connection::connect(&testkit::amqp_url(), lapin::ConnectionProperties::default()).await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    for name in [queue.clone(), format!("{queue}.orders"), format!("{queue}.orders.dead")] {
        let _ = channel.queue_delete(name.as_str().into(), lapin::options::QueueDeleteOptions::default()).await;
    }
    for name in [exchange.clone(), format!("{exchange}.orders")] {
        let _ = channel.exchange_delete(name.as_str().into(), lapin::options::ExchangeDeleteOptions::default()).await;
    }
    platform.finish().await;
}
