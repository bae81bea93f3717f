//! Resolution, token checks and isolation between tenants, eviction across replicas, the 2FA
//! requirement, and the whole path of `GET /v1/me`.

use std::time::Duration;

use harness::{TestResponse, eventually};
use reqwest::Method;
use serde_json::json;

use app_api::config::KeySource;

use crate::helpers::{BASE_DOMAIN, Platform, parse};

#[tokio::test]
async fn me_walks_the_whole_path() {
    let (platform, org) = Platform::with_org(false).await;
    let app = platform.replica().await;

    let me = app.get(&org.slug, "/v1/me", Some(&org.owner_token)).await;
    assert_eq!(me.status, 200, "{}", me.body);
    let body = me.json();
    assert_eq!(body["email"], org.owner_email.as_str());
    assert_eq!(body["role"], "owner");
    assert_eq!(body["vip"], false);
    assert_eq!(me.header("ratelimit-limit"), Some("1200"));
    assert_eq!(me.header("ratelimit-remaining"), Some("1199"));

    // By subdomain, with no header.
    let by_host = app
        .server
        .request(Method::GET, "/v1/me")
        .header("host", format!("{}.{BASE_DOMAIN}", org.slug))
        .bearer_auth(&org.owner_token)
        .send()
        .await
        .unwrap();
    assert_eq!(by_host.status(), 200);
    let metrics = app.server.get("/metrics").await.body;
    assert!(metrics.contains("tenant_pool_creations_total 1"), "{metrics}");
    assert!(metrics.contains(r#"route="/v1/me""#));
}

#[tokio::test]
async fn tokens_only_work_for_their_own_tenant() {
    let platform = Platform::start(false).await;
    let app = platform.replica().await;
    let a = platform.org().await;
    let b = platform.org().await;

    // A's token on B's subdomain, and with B's header.
    let on_b_host = app
        .server
        .request(Method::GET, "/v1/me")
        .header("host", format!("{}.{BASE_DOMAIN}", b.slug))
        .bearer_auth(&a.owner_token)
        .send()
        .await
        .unwrap();
    TestResponse::from(on_b_host).await.assert_problem(403, "tenant_mismatch");
    app.get(&b.slug, "/v1/me", Some(&a.owner_token)).await.assert_problem(403, "tenant_mismatch");

    app.get(&a.slug, "/v1/me", None).await.assert_problem(401, "unauthorized");
    app.get(&a.slug, "/v1/me", Some("not.a.token")).await.assert_problem(401, "unauthorized");
    // Resolution comes first: an unknown tenant costs no token work.
    app.get("no-such-shop", "/v1/me", Some("not.a.token")).await.assert_problem(404, "tenant_not_found");
    let missing = app.server.get("/v1/me").await;
    missing.assert_problem(400, "validation_failed");
}

#[tokio::test]
async fn malformed_slugs_never_reach_the_database() {
    let platform = Platform::start(false).await;
    // A replica whose control database is unreachable: any lookup would fail with 503.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app =
        platform.replica_with(|c| c.control_db = parse(&format!("postgres://postgres@127.0.0.1:{dead}/control"))).await;
    for bad in ["Acme", "a", "acme;drop table tenants", "-acme", "ac me"] {
        app.get(bad, "/v1/me", Some("x")).await.assert_problem(400, "validation_failed");
    }
    app.get("well-formed", "/v1/me", Some("x")).await.assert_problem(503, "dependency_unavailable");
}

/// How soon a change must reach every replica. Without the eviction message the cached lookup
/// would answer for the Redis TTL (60 s), so this bound proves the message path; it leaves room
/// for a loaded test machine, where the second a replica usually takes has been exceeded.
const EVICTED_WITHIN: Duration = Duration::from_secs(3);

#[tokio::test]
async fn a_suspended_tenant_is_refused_by_every_replica_at_once() {
    let (platform, org) = Platform::with_org(true).await;
    let first = platform.replica().await;
    let second = platform.replica().await;
    // Both replicas have the tenant cached.
    for app in [&first, &second] {
        assert_eq!(app.get(&org.slug, "/v1/me", Some(&org.owner_token)).await.status, 200);
    }
    let ops = platform.operator_token().await;
    let suspended = platform.control_post(&format!("/v1/tenants/{}/suspend", org.slug), &ops, &json!({})).await;
    assert_eq!(suspended.status, 200);
    let (second_ref, slug, token) = (&second, org.slug.as_str(), org.owner_token.as_str());
    let refused = eventually(EVICTED_WITHIN, "the second replica refuses the suspended tenant", || async move {
        let response = second_ref.get(slug, "/v1/me", Some(token)).await;
        (response.status == 403).then_some(response)
    })
    .await;
    refused.assert_problem(403, "tenant_suspended");
    first.get(&org.slug, "/v1/me", Some(&org.owner_token)).await.assert_problem(403, "tenant_suspended");

    // Deleted: gone.
    platform.control_post(&format!("/v1/tenants/{}/activate", org.slug), &ops, &json!({})).await;
    let deleted =
        platform.control_request(Method::DELETE, &format!("/v1/tenants/{}", org.slug), &ops, &json!({})).await;
    assert_eq!(deleted.status, 202);
    let gone = eventually(Duration::from_secs(10), "a deleted tenant answers 404", || async move {
        let response = second_ref.get(slug, "/v1/me", Some(token)).await;
        (response.status == 404).then_some(response)
    })
    .await;
    gone.assert_problem(404, "tenant_not_found");
}

#[tokio::test]
async fn tenants_can_require_a_second_factor_for_admins() {
    let (platform, org) = Platform::with_org(true).await;
    let app = platform.replica().await;
    assert_eq!(app.get(&org.slug, "/v1/me", Some(&org.owner_token)).await.status, 200);
    let patched = platform
        .control_request(
            Method::PATCH,
            &format!("/v1/tenants/{}", org.slug),
            &org.owner_token,
            &json!({ "settings": { "require_2fa_for_admins": true } }),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    let (app_ref, slug, token) = (&app, org.slug.as_str(), org.owner_token.as_str());
    let refused = eventually(EVICTED_WITHIN, "the setting reaches the app plane", || async move {
        let response = app_ref.get(slug, "/v1/me", Some(token)).await;
        (response.status == 403).then_some(response)
    })
    .await;
    refused.assert_problem(403, "mfa_required");
}

#[tokio::test]
async fn verification_keys_can_come_from_the_jwks() {
    let (platform, org) = Platform::with_org(false).await;
    let jwks = format!("http://{}/.well-known/jwks.json", platform.control_server().addr);
    let app = platform.replica_with(|c| c.tokens.source = KeySource::Jwks(jwks)).await;
    assert_eq!(app.get(&org.slug, "/v1/me", Some(&org.owner_token)).await.status, 200);

    // A JWKS that cannot be read stops the replica at start.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config =
        platform.app_config(|c| c.tokens.source = KeySource::Jwks(format!("http://127.0.0.1:{dead}/jwks.json")));
    let err = app_api::AppState::new(config).await.err().expect("start fails without keys");
    assert!(matches!(err, app_api::state::StartError::Keys(_)), "{err}");
    assert!(err.to_string().contains("cannot load the JWKS"), "{err}");
}

/// Tenant connections cut a statement after `TENANT_STATEMENT_TIMEOUT_MS` (5 s); a report's
/// or digest transaction after `REPORT_STATEMENT_TIMEOUT_MS` (60 s), only while it lasts.
#[tokio::test]
async fn tenant_connections_carry_a_statement_timeout() {
    let (platform, org) = Platform::with_org(false).await;
    let app = platform.replica().await;
    let slug = shared::tenant::Slug::parse_syntax(&org.slug).unwrap();
    let tenant = app.state.tenancy.resolver.resolve(&slug).await.unwrap();
    let mut conn = app.state.tenancy.pools.acquire(&tenant).await.unwrap();
    let show = async |conn: &mut sqlx::PgConnection, setting: &str| -> String {
        sqlx::query_scalar(&format!("SHOW {setting}")).fetch_one(conn).await.unwrap()
    };
    assert_eq!(show(&mut *conn.begin().await.unwrap(), "statement_timeout").await, "5s");
    {
        let mut report = conn.begin_report().await.unwrap();
        assert_eq!(show(&mut report, "statement_timeout").await, "1min");
        assert_eq!(show(&mut report, "transaction_read_only").await, "on");
        assert_eq!(show(&mut report, "transaction_isolation").await, "repeatable read");
        report.rollback().await.unwrap();
    }
    {
        let mut digest = conn.begin_report_writer().await.unwrap();
        assert_eq!(show(&mut digest, "statement_timeout").await, "1min");
        assert_eq!(show(&mut digest, "transaction_read_only").await, "off");
        digest.rollback().await.unwrap();
    }
    assert_eq!(show(&mut *conn.begin().await.unwrap(), "statement_timeout").await, "5s");
}

/// A restart or a failover ends every pooled connection at once. The request that meets one
/// answers 503 with `Retry-After` (never a 500), and no ended connection is handed out twice:
/// the requests after it succeed.
#[tokio::test]
async fn connections_the_server_ended_are_never_used_twice() {
    use sqlx::Connection as _;
    let (platform, org) = Platform::with_org(false).await;
    let app = platform.replica().await;
    let slug = shared::tenant::Slug::parse_syntax(&org.slug).unwrap();
    let tenant = app.state.tenancy.resolver.resolve(&slug).await.unwrap();
    let (first, second) = (
        app.state.tenancy.pools.acquire(&tenant).await.unwrap(),
        app.state.tenancy.pools.acquire(&tenant).await.unwrap(),
    );
    drop((first, second));
    let database = tenant.database.as_ref().unwrap().name.clone();
    let mut admin = sqlx::PgConnection::connect(&harness::admin_url()).await.unwrap();
    let ours = "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'helpdeskly-app-api'";
    let pooled: i64 = sqlx::query_scalar(ours).bind(&database).fetch_one(&mut admin).await.unwrap();
    assert_eq!(pooled, 2, "two idle connections in the pool");
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'helpdeskly-app-api'",
    )
    .bind(&database)
    .execute(&mut admin)
    .await
    .unwrap();
    harness::eventually(Duration::from_secs(10), "the server ended them", || {
        let (admin_url, database) = (harness::admin_url(), database.clone());
        async move {
            let mut admin = sqlx::PgConnection::connect(&admin_url).await.ok()?;
            let left: i64 = sqlx::query_scalar(ours).bind(&database).fetch_one(&mut admin).await.ok()?;
            (left == 0).then_some(())
        }
    })
    .await;

    let met = app.get(&org.slug, "/v1/me", Some(&org.owner_token)).await;
    if met.status != 200 {
        met.assert_problem(503, "dependency_unavailable");
        assert!(met.header("retry-after").is_some(), "{}", met.body);
    }
    for _ in 0..5 {
        let next = app.get(&org.slug, "/v1/me", Some(&org.owner_token)).await;
        assert_eq!(next.status, 200, "an ended connection was handed out again: {}", next.body);
    }
}

#[tokio::test]
async fn the_tenant_connection_budget_fits_the_clusters_limits_and_ready_says_so() {
    let (platform, org) = Platform::with_org(false).await;
    // What control-api read from the server at its start, checked against the server itself.
    let (max, reserved): (i32, i32) = sqlx::query_as(
        "SELECT current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int
           + coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0)",
    )
    .fetch_one(&platform.control.db)
    .await
    .unwrap();
    let recorded: (Option<i32>, Option<i32>) =
        sqlx::query_as("SELECT max_connections, reserved_connections FROM db_clusters WHERE name = 'default'")
            .fetch_one(&platform.control.db)
            .await
            .unwrap();
    assert_eq!(recorded, (Some(max), Some(reserved)));

    // Eight processes sharing half the server: each gets its part, less its control pool (the
    // control database is on the same server).
    let app = platform
        .replica_with(|c| {
            c.pools.total = 1000;
            c.connection_share = app_api::config::ConnectionShare { replicas: 8, percent: 50 };
        })
        .await;
    let control_pool = i32::try_from(app.state.config.control_db_max_connections).unwrap();
    let expected = usize::try_from((max - reserved) * 50 / 100 / 8 - control_pool).unwrap();
    assert_eq!(app.state.tenancy.pools.limits().total, expected);
    let ready = app.get(&org.slug, "/ready", None).await.json();
    let pools = &ready["dependencies"]["tenant_pools"]["detail"];
    assert_eq!(pools["budget"], expected);
    assert_eq!(pools["budget_configured"], 1000);
    assert_eq!(pools["budget_limited_by"]["cluster"], "default");
    assert_eq!(pools["budget_limited_by"]["max_connections"], max);
    assert_eq!(pools["budget_limited_by"]["control_pool"], control_pool);
    // The budget holds for requests: the replica serves within it.
    let me = app.get(&org.slug, "/v1/me", Some(&org.owner_token)).await;
    assert_eq!(me.status, 200, "{}", me.body);

    // A configured total under the room stays as configured.
    let small = platform.replica_with(|c| c.pools.total = 7).await;
    assert_eq!(small.state.tenancy.pools.limits().total, 7);
    assert_eq!(small.state.tenancy.budget.limited_by, None);

    // No room at all: the replica refuses to start, naming the cluster.
    let config =
        platform.app_config(|c| c.connection_share = app_api::config::ConnectionShare { replicas: 1000, percent: 1 });
    let refused = app_api::AppState::new(config).await.err().expect("no room refuses to start");
    assert!(refused.to_string().contains("cluster default: max_connections"), "{refused}");
}
