//! Moves between placements: a tenant moved from its pool database to a database of its own and
//! back, while tickets are written to it, keeps every write answered 201, its ids, numbers,
//! files and tokens, answers nothing but 2xx or a 503 with `Retry-After`, and leaves nothing at
//! the source; a move that cannot reach its target fails and leaves the tenant serving where it
//! was; the operators' route refuses what it must.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use shared::config::FromEnv as _;

use crate::attachments::{PDF, uploaded};
use crate::helpers::{ControlOptions, Platform, Service};
use crate::pooled::rows_in;
use crate::tickets::Desk;

/// A pooled organisation of a platform whose moves hold the source briefly after the switch.
async fn desk() -> Desk {
    let options = ControlOptions::default()
        .redis(Service::Test)
        .configure(|c| c.tenancy.move_settle = Duration::from_millis(300));
    let platform = Platform::start_with(options).await;
    let org = platform.org().await;
    let app = platform.replica_with(|c| c.rate_limits.per_user_per_minute = 0).await;
    let owner = platform.owner(&app, &org).await;
    let db = platform.tenant_db(&org.slug).await;
    Desk { db, app, org, owner, platform }
}

async fn placement(desk: &Desk, operator: &str) -> Value {
    let path = format!("/v1/tenants/{}/placement", desk.org.slug);
    let answer = desk.platform.control_request(Method::GET, &path, operator, &json!({})).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

async fn ask_move(desk: &Desk, token: &str, body: &Value) -> harness::TestResponse {
    let path = format!("/v1/tenants/{}/placement", desk.org.slug);
    desk.platform.control_request(Method::POST, &path, token, body).await
}

/// Asks for a move and waits for its end: the placement then.
async fn moved(desk: &Desk, operator: &str, body: &Value) -> Value {
    let asked = ask_move(desk, operator, body).await;
    assert_eq!(asked.status, 202, "{}", asked.body);
    let status = &asked.json()["move"]["status"];
    assert!(["copying", "switching", "done"].contains(&status.as_str().unwrap()), "{}", asked.body);
    harness::eventually(Duration::from_secs(60), "the move ends", || async {
        let now = placement(desk, operator).await;
        matches!(now["move"]["status"].as_str(), Some("done" | "failed")).then_some(now)
    })
    .await
}

async fn database_exists(name: &str) -> bool {
    let admin = sqlx::PgPool::connect_with(harness::admin_options()).await.unwrap();
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(&admin)
        .await
        .unwrap()
}

/// Writers creating tickets until told to stop: the numbers answered 201. Any answer but a 201 or
/// a 503 with `Retry-After` fails the test.
fn writers(desk: &Arc<Desk>, stop: &Arc<AtomicBool>) -> Vec<tokio::task::JoinHandle<(Vec<String>, usize)>> {
    (0..2)
        .map(|writer| {
            let (desk, stop) = (Arc::clone(desk), Arc::clone(stop));
            tokio::spawn(async move {
                let (mut numbers, mut refused) = (Vec::new(), 0);
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let body = json!({"subject": format!("Writer {writer} parcel {n}"), "description": "Late."});
                    let answer = desk.post(&desk.owner, "/v1/tickets", &body).await;
                    match answer.status.as_u16() {
                        201 => numbers.push(answer.json()["ticket_number"].as_str().unwrap().to_owned()),
                        503 => {
                            assert!(answer.headers.contains_key("retry-after"), "{}", answer.body);
                            refused += 1;
                        }
                        _ => panic!("a write during a move answered {}: {}", answer.status, answer.body),
                    }
                }
                (numbers, refused)
            })
        })
        .collect()
}

#[tokio::test]
async fn a_tenant_moves_to_a_database_of_its_own_and_back_under_writes_and_loses_nothing() {
    let desk = Arc::new(desk().await);
    let operator = desk.platform.operator_token().await;
    let tenant: uuid::Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(&desk.org.slug)
        .fetch_one(&desk.platform.control.db)
        .await
        .unwrap();
    let first =
        desk.post(&desk.owner, "/v1/tickets", &json!({"subject": "Broken kettle", "description": "Leaks."})).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let ticket = first.json()["id"].as_i64().unwrap();
    let file = uploaded(&desk, &desk.owner, ticket, "invoice.pdf", PDF).await;
    let before = placement(&desk, &operator).await;
    assert_eq!((before["mode"].as_str(), before["move"].is_null()), (Some("pooled"), true), "{before}");
    let pool = before["database"].as_str().unwrap().to_owned();

    for (to, from_database) in [("dedicated", pool.clone()), ("pooled", String::new())] {
        let from_database = if from_database.is_empty() {
            placement(&desk, &operator).await["database"].as_str().unwrap().to_owned()
        } else {
            from_database
        };
        let stop = Arc::new(AtomicBool::new(false));
        let running = writers(&desk, &stop);
        // Writes go on before, during and after the move.
        let source = desk.platform.tenant_db(&desk.org.slug).await;
        harness::eventually(Duration::from_secs(10), "writes land before the move", || async {
            let count: i64 =
                sqlx::query_scalar("SELECT count(*) FROM support_tickets").fetch_one(&source.pool).await.unwrap();
            (count > 3).then_some(())
        })
        .await;
        source.pool.close().await;
        let after = moved(&desk, &operator, &json!({"mode": to})).await;
        let settled =
            desk.post(&desk.owner, "/v1/tickets", &json!({"subject": "After", "description": "Moved."})).await;
        assert_eq!(settled.status, 201, "{}", settled.body);
        stop.store(true, Ordering::Relaxed);
        let mut acknowledged = vec![settled.json()["ticket_number"].as_str().unwrap().to_owned()];
        for writer in running {
            let (numbers, _refused) = writer.await.unwrap();
            acknowledged.extend(numbers);
        }
        assert_eq!(after["move"]["status"], "done", "{after}");
        assert_eq!(after["mode"], to, "{after}");
        assert_eq!(after["move"]["from"]["database"], from_database.as_str(), "{after}");
        assert_ne!(after["database"], from_database.as_str(), "{after}");

        // Every write answered 201 is in the target, once, and numbers go on from where they were.
        let target = desk.platform.tenant_db(&desk.org.slug).await;
        let stored: Vec<String> =
            sqlx::query_scalar("SELECT ticket_number FROM support_tickets").fetch_all(&target.pool).await.unwrap();
        for number in &acknowledged {
            assert!(stored.contains(number), "{number} was answered 201 and is not in the target");
        }
        let mut unique = stored.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), stored.len(), "no number twice");
        // The source keeps nothing of it.
        match to {
            "dedicated" => assert_eq!(rows_in(&from_database, tenant).await, 0, "the pool keeps no row of it"),
            _ => assert!(!database_exists(&from_database).await, "its own database is dropped"),
        }
    }

    // Ids, the file and the owner's token from before the moves still serve.
    let read = desk.app.get(&desk.org.slug, &format!("/v1/tickets/{ticket}"), Some(&desk.owner.token)).await;
    assert_eq!((read.status.as_u16(), read.json()["ticket_number"].as_str()), (200, Some("TKT-1")), "{}", read.body);
    let attachment =
        desk.app.get(&desk.org.slug, &format!("/v1/attachments/{}", file["id"]), Some(&desk.owner.token)).await;
    assert_eq!(attachment.status, 200, "{}", attachment.body);
    // The audit log says what moved, with no database name.
    let log = desk
        .platform
        .control_request(
            Method::GET,
            &format!("/v1/tenants/{}/audit-log", desk.org.slug),
            &desk.org.owner_token,
            &json!({}),
        )
        .await
        .json();
    let moves: Vec<&Value> = log["data"].as_array().unwrap().iter().filter(|e| e["action"] == "tenant_moved").collect();
    assert_eq!(moves.len(), 2, "{log}");
    assert_eq!(moves[0]["details"], json!({"from": "dedicated", "to": "pooled"}), "{log}");
    assert_eq!(moves[1]["details"], json!({"from": "pooled", "to": "dedicated"}), "{log}");
}

#[tokio::test]
async fn a_move_to_a_cluster_out_of_reach_fails_and_the_tenant_serves_where_it_was() {
    let desk = desk().await;
    let operator = desk.platform.operator_token().await;
    let config = &desk.platform.control.config;
    let away = shared::config::DatabaseUrl::from_env("postgres://postgres@127.0.0.1:1/postgres").unwrap();
    let key = &config.keys.cluster_admin_url;
    control_api::tenancy::clusters::register(&desk.platform.control.db, key, "away", &away, Some(10)).await.unwrap();
    let before = placement(&desk, &operator).await;

    let after = moved(&desk, &operator, &json!({"mode": "pooled", "cluster": "away"})).await;
    assert_eq!(after["move"]["status"], "failed", "{after}");
    assert!(after["move"]["error"].as_str().is_some_and(|e| !e.is_empty()), "{after}");
    assert_eq!(
        (&after["mode"], &after["cluster"], &after["database"]),
        (&before["mode"], &before["cluster"], &before["database"])
    );
    let places: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(p.tenants), 0)::bigint FROM pool_databases p JOIN db_clusters c ON c.id = p.cluster_id WHERE c.name = 'away'",
    )
    .fetch_one(&desk.platform.control.db)
    .await
    .unwrap();
    assert_eq!(places, 0, "the place it took in the target pool is given back");
    let served = desk.post(&desk.owner, "/v1/tickets", &json!({"subject": "Still here", "description": "Yes."})).await;
    assert_eq!(served.status, 201, "{}", served.body);
    let metrics = desk.platform.control_server().get("/metrics").await.body;
    assert!(metrics.contains("tenant_moves_total{outcome=\"failed\"} 1"), "{metrics}");
}

#[tokio::test]
async fn the_placement_route_refuses_what_it_must_and_takes_one_move_at_a_time() {
    let desk = desk().await;
    let operator = desk.platform.operator_token().await;
    let owner = desk.org.owner_token.clone();
    let refused = ask_move(&desk, &owner, &json!({"mode": "dedicated"})).await;
    assert_eq!(refused.status, 403, "owners do not move their tenant: {}", refused.body);
    // A body that does not parse is a 400, one that parses but names nothing known a 422.
    for (body, status, field) in [
        (json!({"mode": "sharded"}), 422, "mode"),
        (json!({"mode": 3}), 400, "mode"),
        (json!({"mode": "dedicated", "cluster": "nowhere"}), 422, "cluster"),
        (json!({"mode": "dedicated", "cluster": ""}), 422, "cluster"),
        (json!({"mode": "dedicated", "database": "x"}), 400, ""),
    ] {
        let answer = ask_move(&desk, &operator, &body).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
        if !field.is_empty() {
            assert_eq!(answer.json()["errors"][0]["field"], field, "{}", answer.body);
        }
    }
    let already = ask_move(&desk, &operator, &json!({"mode": "pooled"})).await;
    assert_eq!(
        (already.status.as_u16(), already.json()["code"].as_str()),
        (409, Some("already_placed")),
        "{}",
        already.body
    );
    assert!(placement(&desk, &operator).await["move"].is_null(), "nothing refused started a move");

    // Two asked for at once: one starts, the other is told a move is under way.
    let body = json!({"mode": "dedicated"});
    let (a, b) = tokio::join!(ask_move(&desk, &operator, &body), ask_move(&desk, &operator, &body));
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [202, 409], "{} / {}", a.body, b.body);
    let conflict = if a.status == 409 { a } else { b };
    assert_eq!(conflict.json()["code"], "move_in_progress", "{}", conflict.body);
}

#[tokio::test]
async fn while_a_switch_holds_a_tenant_its_requests_answer_503_and_write_nothing_and_its_neighbour_serves() {
    let desk = desk().await;
    let neighbour = desk.platform.org().await;
    let neighbour_owner = desk.platform.owner(&desk.app, &neighbour).await;
    let (tenant, database): (uuid::Uuid, String) =
        sqlx::query_as("SELECT id, database_name FROM tenants WHERE slug = $1")
            .bind(&desk.org.slug)
            .fetch_one(&desk.platform.control.db)
            .await
            .unwrap();
    let options = harness::admin_options().database(&database);
    let mut fence = <sqlx::PgConnection as sqlx::Connection>::connect_with(&options).await.unwrap();
    tenant_schema::moving::fence(&mut fence, tenant, Duration::from_secs(5)).await.unwrap();

    let body = json!({"subject": "During the switch", "description": "Held."});
    let held = desk.post(&desk.owner, "/v1/tickets", &body).await;
    assert_eq!((held.status.as_u16(), held.json()["code"].as_str()), (503, Some("tenant_moving")), "{}", held.body);
    assert!(held.headers.contains_key("retry-after"), "{:?}", held.headers);
    let read = desk.app.get(&desk.org.slug, "/v1/tickets", Some(&desk.owner.token)).await;
    assert_eq!(read.status, 503, "{}", read.body);
    let other = desk.app.post(&neighbour.slug, "/v1/tickets", &neighbour_owner.token, &body).await;
    assert_eq!(other.status, 201, "the pool's other tenants are not held: {}", other.body);
    let written: i64 = sqlx::query_scalar("SELECT count(*) FROM support_tickets WHERE tenant_id = $1")
        .bind(tenant)
        .fetch_one(&mut fence)
        .await
        .unwrap();
    assert_eq!(written, 0, "a write answered 503 was not made");

    <sqlx::PgConnection as sqlx::Connection>::close(fence).await.unwrap();
    let after = desk.post(&desk.owner, "/v1/tickets", &body).await;
    assert_eq!((after.status.as_u16(), after.json()["ticket_number"].as_str()), (201, Some("TKT-1")), "{}", after.body);
}
