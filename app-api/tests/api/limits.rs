//! Rate limits (shared through Redis, in process without it) and the connection budget across
//! many tenants.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use sqlx::Connection as _;

use harness::eventually;

use app_api::AppConfig;

use crate::helpers::{ControlOptions, Platform, redis_at};

#[tokio::test]
async fn the_request_over_the_budget_is_refused_and_replicas_share_the_budget() {
    // 6 a minute gives one request back every 10 s: the 6 requests below take far less even
    // on a loaded machine, so every remaining count is exact. (At 60 a minute one comes back
    // every second, which a slow run outlasts.) The default of 1,200 is asserted in tenancy.rs.
    let platform = Platform::start(true).await;
    let limited = |c: &mut AppConfig| c.rate_limits.per_user_per_minute = 6;
    let first = platform.replica_with(limited).await;
    let second = platform.replica_with(limited).await;
    let org = platform.org().await;
    for n in 0..6 {
        let app = if n % 2 == 0 { &first } else { &second };
        let response = app.get(&org.slug, "/v1/me", Some(&org.owner_token)).await;
        assert_eq!(response.status, 200, "request {n}: {}", response.body);
        assert_eq!(response.header("ratelimit-limit"), Some("6"));
        assert_eq!(response.header("ratelimit-remaining"), Some((5 - n).to_string().as_str()), "request {n}");
    }
    for app in [&first, &second] {
        let refused = app.get(&org.slug, "/v1/me", Some(&org.owner_token)).await;
        refused.assert_problem(429, "rate_limited");
        let retry_after: u64 = refused.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=10).contains(&retry_after), "{retry_after}");
        assert_eq!(refused.header("ratelimit-remaining"), Some("0"));
    }
    // Revalidations (what an open page polls with) have a budget of their own.
    for n in 0..6 {
        let mut request = first.server.request(reqwest::Method::GET, "/v1/me").header("x-tenant-slug", &org.slug);
        request = request.bearer_auth(&org.owner_token).header("if-none-match", "\"stale\"");
        let response = harness::TestResponse::from(request.send().await.unwrap()).await;
        assert_eq!(response.status, 200, "revalidation {n}: {}", response.body);
    }
    let mut request = second.server.request(reqwest::Method::GET, "/v1/me").header("x-tenant-slug", &org.slug);
    request = request.bearer_auth(&org.owner_token).header("if-none-match", "\"stale\"");
    harness::TestResponse::from(request.send().await.unwrap()).await.assert_problem(429, "rate_limited");
    // Each refusal is counted by the budget it ran out of, on the replica that refused it.
    let refused = |app: &crate::helpers::Replica, limit: &str| app.state.gate.refused.with_label_values(&[limit]).get();
    assert_eq!((refused(&first, "user"), refused(&second, "user")), (1, 1));
    assert_eq!((refused(&first, "revalidation"), refused(&second, "revalidation")), (0, 1));
    assert!(second.state.metrics.render().contains("http_rate_limited_total{limit=\"revalidation\"} 1"));
    // Budgets are per user.
    let other = platform.org().await;
    assert_eq!(first.get(&other.slug, "/v1/me", Some(&other.owner_token)).await.status, 200);
}

#[tokio::test]
async fn without_redis_requests_still_succeed_and_are_limited_in_process() {
    let (platform, org) = Platform::with_org(false).await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = platform
        .replica_with(|c| {
            c.redis = Some(redis_at(&format!("redis://127.0.0.1:{dead}")));
            c.rate_limits.per_user_per_minute = 6;
        })
        .await;
    for n in 0..6 {
        let response = app.get(&org.slug, "/v1/me", Some(&org.owner_token)).await;
        assert_eq!(response.status, 200, "request {n}: {}", response.body);
    }
    app.get(&org.slug, "/v1/me", Some(&org.owner_token)).await.assert_problem(429, "rate_limited");
    let ready = app.server.get("/ready").await;
    assert_eq!(ready.status, 200);
    let body = ready.json();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["dependencies"]["redis"]["status"], "down");
}

#[tokio::test]
async fn unauthenticated_traffic_is_limited_per_address() {
    let (platform, org) = Platform::with_org(true).await;
    let app = platform.replica_with(|c| c.rate_limits.per_ip_per_minute = 5).await;
    for _ in 0..5 {
        app.get(&org.slug, "/v1/me", Some("forged")).await.assert_problem(401, "unauthorized");
    }
    let refused = app.get(&org.slug, "/v1/me", Some("forged")).await;
    refused.assert_problem(429, "rate_limited");
    assert!(refused.header("retry-after").is_some());
    // A valid token is counted per user, not per address.
    assert_eq!(app.get(&org.slug, "/v1/me", Some(&org.owner_token)).await.status, 200);
}

#[tokio::test]
async fn sixty_tenants_of_databases_of_their_own_share_a_budget_of_twenty_connections() {
    sixty_tenants_on_twenty_connections(true).await;
}

#[tokio::test]
async fn sixty_pooled_tenants_share_one_pool_of_their_database_within_the_budget() {
    sixty_tenants_on_twenty_connections(false).await;
}

/// Three rounds of one request per tenant of 60, all at once, on a budget of 20 connections:
/// every request answered, never more connections than the budget; tenants of their own
/// databases evict each other's idle connections, pooled ones share their database's pool.
async fn sixty_tenants_on_twenty_connections(dedicated: bool) {
    const TENANTS: usize = 60;
    const BUDGET: i64 = 20;
    let options = ControlOptions::default();
    let platform = Platform::start_with(if dedicated { options.dedicated() } else { options }).await;
    let app = Arc::new(
        platform
            .replica_with(|c| {
                c.pools.total = BUDGET.try_into().unwrap();
                c.pools.per_tenant = 2;
                c.rate_limits.per_user_per_minute = 0;
                c.pools.acquire_timeout = Duration::from_secs(10);
            })
            .await,
    );
    let mut orgs = Vec::new();
    for _ in 0..TENANTS {
        orgs.push(platform.org().await);
    }
    let roles_prefix = platform.tenant_prefix().to_owned();

    // Watch pg_stat_activity for the whole run.
    let done = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicI64::new(0));
    let watcher = {
        let (done, peak) = (Arc::clone(&done), Arc::clone(&peak));
        tokio::spawn(async move {
            let mut admin = sqlx::PgConnection::connect_with(&harness::admin_options()).await.unwrap();
            // Sampling, not waiting: one look every 2 ms for the whole run.
            let mut every = tokio::time::interval(Duration::from_millis(2));
            while !done.load(Ordering::Relaxed) {
                every.tick().await;
                let open: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'helpdeskly-app-api' AND usename LIKE $1 || '%'",
                )
                .bind(&roles_prefix)
                .fetch_one(&mut admin)
                .await
                .unwrap();
                peak.fetch_max(open, Ordering::Relaxed);
            }
        })
    };

    // Three rounds of one request per tenant, all at once.
    let mut requests = tokio::task::JoinSet::new();
    for round in 0..3 {
        for org in &orgs {
            let app = Arc::clone(&app);
            let (slug, token) = (org.slug.clone(), org.owner_token.clone());
            requests.spawn(async move { (round, app.get(&slug, "/v1/me", Some(&token)).await) });
        }
    }
    let mut answered = 0;
    while let Some(joined) = requests.join_next().await {
        let (round, response) = joined.unwrap();
        assert_eq!(response.status, 200, "round {round}: {}", response.body);
        answered += 1;
    }
    done.store(true, Ordering::Relaxed);
    watcher.await.unwrap();
    assert_eq!(answered, 3 * TENANTS);
    let peak = peak.load(Ordering::Relaxed);
    assert!(peak > 0, "the watcher saw no connection at all");
    assert!(peak <= BUDGET, "{peak} connections open at once, budget {BUDGET}");
    let (_, open, _) = app.state.tenancy.pools.state();
    assert!(i64::try_from(open).unwrap() <= BUDGET);
    let evictions = app.state.tenancy.pools.metrics().evictions.get();
    if dedicated {
        assert!(evictions > 0, "60 databases on 20 connections must evict");
    } else {
        assert_eq!((evictions, app.state.tenancy.pools.state().0), (0, 1), "one pool for the pool database");
    }
}

/// Opens a connection and sends the head of a ticket creation whose body never comes (only its
/// first bytes); returns the connection, to read the answer from.
async fn stalled_upload(app: &crate::helpers::Replica, slug: &str, token: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt as _;
    let mut stream = tokio::net::TcpStream::connect(app.server.addr).await.unwrap();
    let head = format!(
        "POST /v1/tickets HTTP/1.1\r\nHost: localhost\r\nX-Tenant-Slug: {slug}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{\"subject\": \"Slow"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// Reads what the server answers (until it closes or 30 s pass).
async fn answer(mut stream: tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt as _;
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), async {
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = stream.read(&mut chunk).await {
            bytes.extend_from_slice(&chunk[..n]);
            if bytes.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    })
    .await;
    String::from_utf8_lossy(&bytes).into_owned()
}

/// More slow uploads than the tenant has connections: none of them holds one while its body
/// trickles in, so a normal client keeps being answered; the slow ones get 408 when their time
/// is up.
#[tokio::test]
async fn slow_uploads_do_not_pin_a_tenants_connections() {
    let (platform, org) = Platform::with_org(false).await;
    let app = platform
        .replica_with(|c| {
            c.pools.per_tenant = 2;
            c.pools.acquire_timeout = Duration::from_secs(1);
            c.http.body_timeout = Duration::from_secs(3);
            c.rate_limits.per_user_per_minute = 0;
        })
        .await;
    let mut slow = Vec::new();
    for _ in 0..6 {
        slow.push(stalled_upload(&app, &org.slug, &org.owner_token).await);
    }
    let metrics = &app.state.metrics;
    eventually(Duration::from_secs(5), "six slow uploads are being read", || async move {
        (metrics.requests_in_flight() >= 6).then_some(())
    })
    .await;
    for n in 0..10 {
        let listed = app.get(&org.slug, "/v1/tickets", Some(&org.owner_token)).await;
        assert_eq!(listed.status, 200, "request {n} beside the slow uploads: {}", listed.body);
    }
    assert_eq!(app.state.metrics.requests_in_flight(), 6, "the slow uploads are still waiting");
    for stream in slow {
        let answer = answer(stream).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("body_timeout"), "{answer}");
    }
    let tickets = platform.tenant_db(&org.slug).await.count("support_tickets").await;
    assert_eq!(tickets, 0, "no half-read ticket was created");
}

/// A client that never finishes its headers is cut off after `REQUEST_HEADER_TIMEOUT_SECONDS`.
#[tokio::test]
async fn slow_headers_are_cut_off() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let platform = Platform::start(false).await;
    let app = platform.replica_with(|c| c.http.header_timeout = Duration::from_secs(1)).await;
    let mut stream = tokio::net::TcpStream::connect(app.server.addr).await.unwrap();
    stream.write_all(b"GET /v1/me HTTP/1.1\r\nHost: localhost\r\nX-Tenant-Slug: acme\r\n").await.unwrap();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the connection was still open after 10 s");
    // A normal request on a new connection is served.
    assert_eq!(app.server.get("/health").await.status, 200);
}
