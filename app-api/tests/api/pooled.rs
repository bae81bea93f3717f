//! Pooled tenants: two organisations whose rows share one pool database are as apart as two
//! databases would keep them, number their tickets from `TKT-1` each, and one's deletion leaves
//! none of its rows behind and all of the other's.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::attachments::{PDF, uploaded};
use crate::helpers::{Platform, Service};
use crate::tickets::Desk;

/// A desk for a new organisation of `platform` (pooled, the default placement), its replica
/// running the background work.
async fn desk_on(platform: Platform) -> Desk {
    let org = platform.org().await;
    let app = platform
        .replica_with(|c| {
            c.rate_limits.per_user_per_minute = 0;
            c.jobs.in_serve = true;
        })
        .await;
    let owner = platform.owner(&app, &org).await;
    let db = platform.tenant_db(&org.slug).await;
    Desk { db, app, org, owner, platform }
}

/// Where `slug`'s rows are: its placement's mode and database.
async fn placement(desk: &Desk, slug: &str) -> (String, String) {
    sqlx::query_as("SELECT placement, database_name FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_one(&desk.platform.control.db)
        .await
        .unwrap()
}

/// The id of what `response` created, as a path names it.
fn id(response: &harness::TestResponse) -> String {
    assert_eq!(response.status, 201, "{}", response.body);
    let id = &response.json()["id"];
    id.as_str().map_or_else(|| id.to_string(), str::to_owned)
}

/// Rows carrying `tenant` in every table of database `name` with the column (read from the
/// catalog), counted by the cluster admin, past the policies.
pub async fn rows_in(name: &str, tenant: uuid::Uuid) -> i64 {
    let admin = sqlx::PgPool::connect_with(harness::admin_options().database(name)).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    assert!(tables.len() >= 57, "{tables:?}");
    let mut total = 0;
    for table in tables {
        let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table} WHERE tenant_id = $1"))
            .bind(tenant)
            .fetch_one(&admin)
            .await
            .unwrap();
        total += count;
    }
    admin.close().await;
    total
}

#[tokio::test]
async fn two_tenants_of_one_pool_see_nothing_of_each_other_and_number_from_one() {
    let ours = desk_on(Platform::start_with(crate::helpers::ControlOptions::default().redis(Service::Off)).await).await;
    let theirs_org = ours.platform.org().await;
    let theirs_owner = ours.platform.owner(&ours.app, &theirs_org).await;
    let (mode, database) = placement(&ours, &ours.org.slug).await;
    assert_eq!(mode, "pooled");
    assert_eq!(placement(&ours, &theirs_org.slug).await, (mode, database), "one pool database holds both");
    let theirs = |path: &str| {
        let (app, slug, token) = (&ours.app, theirs_org.slug.clone(), theirs_owner.token.clone());
        let path = path.to_owned();
        async move { app.get(&slug, &path, Some(&token)).await }
    };

    // Both number from one.
    let body = json!({"subject": "Broken kettle", "description": "It leaks."});
    let first = ours.post(&ours.owner, "/v1/tickets", &body).await;
    assert_eq!(first.json()["ticket_number"], "TKT-1", "{}", first.body);
    let other_first = ours.app.post(&theirs_org.slug, "/v1/tickets", &theirs_owner.token, &body).await;
    assert_eq!(other_first.json()["ticket_number"], "TKT-1", "{}", other_first.body);

    // Twenty at once get twenty numbers, with none of the other tenant's taken or skipped.
    let desk = &ours;
    let created = futures_util::future::join_all((0..20).map(|n| {
        let body = json!({"subject": format!("Parcel {n}"), "description": "Late."});
        async move { desk.post(&desk.owner, "/v1/tickets", &body).await }
    }))
    .await;
    let mut numbers: Vec<String> = created
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{}", r.body);
            r.json()["ticket_number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort_by_key(|n| n[4..].parse::<u32>().unwrap());
    assert_eq!(numbers, (2..=21).map(|n| format!("TKT-{n}")).collect::<Vec<_>>());

    // Every id of ours is not there for them.
    let ticket = id(&first);
    let attachment = uploaded(&ours, &ours.owner, ticket.parse().unwrap(), "invoice.pdf", PDF).await["id"].to_string();
    let view =
        id(&ours.post(&ours.owner, "/v1/views", &json!({"name": "Mine", "filters": {"status": ["open"]}})).await);
    let article = json!({"title": "Descale a kettle", "body": "Vinegar.", "locale": "en", "status": "published"});
    let article = id(&ours.post(&ours.owner, "/v1/kb/articles", &article).await);
    for path in [
        format!("/v1/tickets/{ticket}"),
        format!("/v1/tickets/{ticket}/messages"),
        format!("/v1/attachments/{attachment}"),
        format!("/v1/views/{view}/tickets"),
        format!("/v1/kb/articles/{article}"),
    ] {
        let answer = theirs(&path).await;
        assert_eq!(answer.status, 404, "{path}: {}", answer.body);
    }
    // Lists, search and the CSV export hold their own rows alone.
    let listed = theirs("/v1/tickets?q=kettle").await.json();
    let subjects: Vec<&str> =
        listed["data"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["Broken kettle"], "their own kettle alone");
    assert_eq!(theirs("/v1/tickets").await.json()["data"].as_array().unwrap().len(), 1);
    let now = chrono::Utc::now();
    let (from, to) =
        ((now - chrono::Duration::days(1)).format("%Y-%m-%d"), (now + chrono::Duration::days(1)).format("%Y-%m-%d"));
    let csv = theirs(&format!("/v1/reports/tickets.csv?from={from}&to={to}")).await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(csv.body.contains("Broken kettle") && !csv.body.contains("Parcel"), "{}", csv.body);
    let articles = theirs("/v1/kb/articles").await.json();
    assert_eq!(articles["data"].as_array().map(Vec::len), Some(0), "{articles}");
}

#[tokio::test]
async fn a_deleted_pooled_tenant_leaves_no_row_and_its_neighbour_keeps_every_one() {
    let platform = Platform::start_with(crate::helpers::ControlOptions::default().redis(Service::Test)).await;
    let leaving = desk_on(platform).await;
    let staying_org = leaving.platform.org().await;
    let staying_owner = leaving.platform.owner(&leaving.app, &staying_org).await;
    let body = json!({"subject": "Scratched table", "description": "On delivery."});
    for desk_slug in [&leaving.org.slug, &staying_org.slug] {
        let token = if desk_slug == &leaving.org.slug { &leaving.owner.token } else { &staying_owner.token };
        let created = leaving.app.post(desk_slug, "/v1/tickets", token, &body).await;
        assert_eq!(created.status, 201, "{}", created.body);
    }
    let tenant: uuid::Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(&leaving.org.slug)
        .fetch_one(&leaving.platform.control.db)
        .await
        .unwrap();
    let staying = leaving.platform.tenant_db(&staying_org.slug).await;
    let database: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&staying.pool).await.unwrap();
    let rows_of = async |tenant: uuid::Uuid| rows_in(&database, tenant).await;
    let staying_tenant: uuid::Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(&staying_org.slug)
        .fetch_one(&leaving.platform.control.db)
        .await
        .unwrap();
    let (before, neighbour_before) = (rows_of(tenant).await, rows_of(staying_tenant).await);
    assert!(before > 10 && neighbour_before > 10, "rows of both: {before}, {neighbour_before}");

    let path = format!("/v1/tenants/{}", leaving.org.slug);
    let deleting = leaving.platform.control_request(Method::DELETE, &path, &leaving.org.owner_token, &json!({})).await;
    assert_eq!(deleting.status, 202, "{}", deleting.body);
    let status_path = format!("/v1/tenants/{}/status", leaving.org.slug);
    harness::eventually(Duration::from_secs(60), "the status says deleted", || async {
        let status: Value = leaving.platform.control_server().get(&status_path).await.json();
        (status["status"] == "deleted").then_some(())
    })
    .await;
    assert_eq!(rows_of(tenant).await, 0, "no row of the deleted tenant is left");
    assert_eq!(rows_of(staying_tenant).await, neighbour_before, "the neighbour keeps every row");
    let still = leaving.app.get(&staying_org.slug, "/v1/tickets", Some(&staying_owner.token)).await;
    assert_eq!(still.json()["data"].as_array().unwrap().len(), 1, "{}", still.body);
}

#[tokio::test]
async fn the_next_pool_database_is_made_before_a_sign_up_needs_it() {
    // Pools of two: the first sign-up leaves its pool one place, and the next pool is made.
    let platform = Platform::start_with(
        crate::helpers::ControlOptions::default().redis(Service::Off).configure(|c| c.tenancy.pool_max_tenants = 2),
    )
    .await;
    let pools = async || -> Vec<(String, i32, bool)> {
        sqlx::query_as("SELECT name, tenants, ready FROM pool_databases ORDER BY created_at, id")
            .fetch_all(&platform.control.db)
            .await
            .unwrap()
    };
    let database_exists = async |name: &str| -> bool {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&platform.control.db)
            .await
            .unwrap()
    };
    let first = platform.org().await;
    let made = harness::eventually(Duration::from_secs(30), "the next pool is made", || async {
        let pools = pools().await;
        (pools.len() == 2 && pools[1].2).then_some(pools)
    })
    .await;
    assert_eq!((made[0].1, made[1].1), (1, 0), "{made:?}");
    assert!(database_exists(&made[1].0).await, "its database exists before anyone needs it");

    // The second fills the first pool, which has its successor: no third one yet.
    let second = platform.org().await;
    let third = platform.org().await;
    let database_of = async |slug: &str| -> String {
        sqlx::query_scalar("SELECT database_name FROM tenants WHERE slug = $1")
            .bind(slug)
            .fetch_one(&platform.control.db)
            .await
            .unwrap()
    };
    assert_eq!(database_of(&first.slug).await, made[0].0);
    assert_eq!(database_of(&second.slug).await, made[0].0);
    assert_eq!(database_of(&third.slug).await, made[1].0, "the third goes to the pool made ahead");
    let after = harness::eventually(Duration::from_secs(30), "the one after is made", || async {
        let pools = pools().await;
        (pools.len() == 3 && pools[2].2).then_some(pools)
    })
    .await;
    assert_eq!(after.iter().map(|p| p.1).collect::<Vec<_>>(), [2, 1, 0], "{after:?}");
}

/// Connections taken from the replica's tenant pools so far.
fn acquired(state: &app_api::AppState) -> u64 {
    state.tenancy.pools.metrics().acquire_wait.get_sample_count()
}

#[tokio::test]
async fn the_sweeps_read_every_tenant_of_a_pool_database_in_one_statement() {
    let ours = desk_on(Platform::start_with(crate::helpers::ControlOptions::default().redis(Service::Off)).await).await;
    let (second, third) = (ours.platform.org().await, ours.platform.org().await);
    for org in [&second, &third] {
        assert_eq!(placement(&ours, &org.slug).await, placement(&ours, &ours.org.slug).await, "one pool database");
    }
    let body = json!({"subject": "Broken kettle", "description": "It leaks."});
    assert_eq!(ours.post(&ours.owner, "/v1/tickets", &body).await.status, 201);
    // Our schedule, once the replica's jobs have written it, forgotten (as a lost write would
    // leave it): the sweep finds the ticket's target again, and only ours.
    let control = &ours.platform.control.db;
    let written = "SELECT count(*) FROM tenant_schedule WHERE work = 'sav' AND next_due_at IS NOT NULL";
    harness::eventually(Duration::from_secs(10), "the ticket's target scheduled", || async {
        let rows: i64 = sqlx::query_scalar(written).fetch_one(control).await.unwrap();
        (rows == 1).then_some(())
    })
    .await;
    sqlx::query("DELETE FROM tenant_schedule").execute(control).await.unwrap();
    let state = &ours.app.state;
    let before = acquired(state);
    let brought = app_api::worker::jobs::Jobs::new(state).sweep().await.unwrap();
    assert_eq!(acquired(state) - before, 1, "one connection for the three tenants of the pool database");
    assert_eq!(brought, 1);
    let scheduled: Vec<String> = sqlx::query_scalar(
        "SELECT t.slug FROM tenant_schedule s JOIN tenants t ON t.id = s.tenant_id WHERE s.work = 'sav'",
    )
    .fetch_all(control)
    .await
    .unwrap();
    assert_eq!(scheduled, std::slice::from_ref(&ours.org.slug));

    // A transaction naming no tenant sees no row, and the probe leaves none named behind it.
    let tenant =
        state.tenancy.resolver.resolve(&shared::tenant::Slug::parse_syntax(&ours.org.slug).unwrap()).await.unwrap();
    let mut conn = state.tenancy.pools.acquire(&tenant).await.unwrap();
    let mut tx = conn.begin_naming_none().await.unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM support_tickets").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(seen, 0);
    let ids = vec![tenant.id, uuid::Uuid::new_v4()];
    let probed: Vec<(uuid::Uuid, i64)> =
        sqlx::query_as("SELECT tenant, waiting FROM sav_backlogs($1)").bind(&ids).fetch_all(&mut *tx).await.unwrap();
    assert_eq!(probed.len(), 2, "a row for each tenant given, one it does not know included");
    let named: String =
        sqlx::query_scalar("SELECT current_setting('helpdeskly.tenant')").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(named, "");
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM support_tickets").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(seen, 0);
}
