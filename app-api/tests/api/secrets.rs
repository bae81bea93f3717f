//! What the app plane holds and trusts: ended sessions refused at once, only the app plane's own
//! keys (no cluster admin URLs), ciphertexts bound to their rows, and cached tenant lookups in
//! Redis that cannot be forged.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use harness::eventually;
use serde_json::json;
use shared::crypto::open;

use crate::helpers::{PASSWORD, Platform, Replica};

/// How soon a revocation must reach the app plane.
const REFUSED_WITHIN: Duration = Duration::from_secs(1);

async fn logout_is_refused_on_the_app_plane(with_redis: bool) {
    let platform = Platform::start(with_redis).await;
    let app = platform.replica().await;
    let org = platform.org().await;
    let agent = platform.member(&app, &org, "agent").await;
    // A second session of the same person, which must keep working.
    let other = platform.login(&org.slug, &agent.email).await;
    let login = platform
        .control_server()
        .post_json("/v1/auth/login", &json!({ "tenant": org.slug, "email": agent.email, "password": PASSWORD }))
        .await
        .json();
    let token = login["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&org.slug, "/v1/me", Some(&token)).await.status, 200, "the token is verified and cached");

    let logout =
        platform.control_post("/v1/auth/logout", &token, &json!({ "refresh_token": login["refresh_token"] })).await;
    assert_eq!(logout.status, 204, "{}", logout.body);
    let (app_ref, slug, token_ref) = (&app, org.slug.as_str(), token.as_str());
    let refused = eventually(REFUSED_WITHIN, "the logged-out token is refused", || async move {
        let response = app_ref.get(slug, "/v1/me", Some(token_ref)).await;
        (response.status == 401).then_some(response)
    })
    .await;
    refused.assert_problem(401, "unauthorized");
    assert_eq!(app.get(&org.slug, "/v1/me", Some(&other)).await.status, 200, "other sessions go on");

    // A replica started afterwards knows it too (it reads the revocations when it starts).
    let late = platform.replica().await;
    let (late_ref, slug) = (&late, org.slug.as_str());
    eventually(REFUSED_WITHIN, "a new replica refuses it too", || async move {
        (late_ref.get(slug, "/v1/me", Some(token_ref)).await.status == 401).then_some(())
    })
    .await;
}

#[tokio::test]
async fn logout_is_refused_on_the_app_plane_within_a_second_with_redis() {
    logout_is_refused_on_the_app_plane(true).await;
}

#[tokio::test]
async fn logout_is_refused_on_the_app_plane_within_a_second_without_redis() {
    logout_is_refused_on_the_app_plane(false).await;
}

#[tokio::test]
async fn the_app_plane_cannot_open_cluster_admin_urls() {
    let (platform, org) = Platform::with_org(false).await;
    let app = platform.replica().await;
    let (cluster_id, admin_url): (uuid::Uuid, Vec<u8>) =
        sqlx::query_as("SELECT id, admin_url_encrypted FROM db_clusters WHERE name = 'default'")
            .fetch_one(&platform.control.db)
            .await
            .unwrap();
    let keys = &app.state.config.keys;
    for key in [&keys.tenant_database, &keys.tenant_cache] {
        assert!(open(key, &admin_url, cluster_id.as_bytes()).is_err(), "app-api opened a cluster admin URL");
    }
    // What it needs, it can open.
    let (tenant_id, password): (uuid::Uuid, Vec<u8>) =
        sqlx::query_as("SELECT id, db_password_encrypted FROM tenants WHERE slug = $1")
            .bind(&org.slug)
            .fetch_one(&platform.control.db)
            .await
            .unwrap();
    assert!(open(&keys.tenant_database, &password, tenant_id.as_bytes()).is_ok());
}

/// A's row given B's sealed password: neither tenant's database opens through it.
#[tokio::test]
async fn a_password_moved_to_another_tenant_does_not_open() {
    let platform = Platform::start(false).await;
    let a = platform.org().await;
    let b = platform.org().await;
    sqlx::query(
        "UPDATE tenants SET db_password_encrypted = (SELECT db_password_encrypted FROM tenants WHERE slug = $2)
         WHERE slug = $1",
    )
    .bind(&a.slug)
    .bind(&b.slug)
    .execute(&platform.control.db)
    .await
    .unwrap();
    let app = platform.replica().await;
    let refused = app.get(&a.slug, "/v1/tickets", Some(&a.owner_token)).await;
    refused.assert_problem(500, "internal_error");
    assert_eq!(app.get(&b.slug, "/v1/tickets", Some(&b.owner_token)).await.status, 200);
}

async fn redis_entry(platform: &Platform, slug: &str) -> Option<String> {
    let redis = platform.redis().unwrap();
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    redis::cmd("GET").arg(format!("{}tenant:{slug}", redis.prefix)).query_async(&mut conn).await.unwrap()
}

async fn set_redis_entry(platform: &Platform, slug: &str, value: &str) {
    let redis = platform.redis().unwrap();
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let () = redis::cmd("SET")
        .arg(format!("{}tenant:{slug}", redis.prefix))
        .arg(value)
        .arg("EX")
        .arg(60)
        .query_async(&mut conn)
        .await
        .unwrap();
}

async fn my_email(app: &Replica, slug: &str, token: &str) -> String {
    let me = app.get(slug, "/v1/me", Some(token)).await;
    assert_eq!(me.status, 200, "{}", me.body);
    me.json()["email"].as_str().unwrap().to_owned()
}

/// Someone who can write to Redis but holds no key points A's slug at B's database: the entry
/// is ignored (and replaced), and A's requests still reach A.
#[tokio::test]
async fn forged_tenant_cache_entries_are_ignored() {
    let platform = Platform::start(true).await;
    let warm = platform.replica().await;
    let a = platform.org().await;
    let b = platform.org().await;
    my_email(&warm, &a.slug, &a.owner_token).await;
    my_email(&warm, &b.slug, &b.owner_token).await;
    let genuine_a = redis_entry(&platform, &a.slug).await.expect("the lookup is cached in Redis");
    let genuine_b = redis_entry(&platform, &b.slug).await.unwrap();
    let signed_b = URL_SAFE_NO_PAD.decode(&genuine_b).expect("a signed entry");
    let payload_b = std::str::from_utf8(&signed_b[..signed_b.len() - 32]).unwrap();
    let (_, json_b) = payload_b.split_once('\n').expect("slug, then the JSON");

    // B's entry, signed for B, moved under A's key; then B's database under A's name and id
    // with a made-up MAC; then the same as bare JSON.
    let a_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(&a.slug)
        .fetch_one(&platform.control.db)
        .await
        .unwrap();
    let mut b_as_a: serde_json::Value = serde_json::from_str(json_b).unwrap();
    b_as_a["slug"] = json!(a.slug);
    b_as_a["id"] = json!(a_id);
    let b_as_a = b_as_a.to_string();
    // Replicas stay up until the end: the platform counts the listeners it started.
    let mut replicas = Vec::new();
    let unsigned = [format!("{}\n{b_as_a}", a.slug).as_bytes(), &[0; 32]].concat();
    for forged in [genuine_b.clone(), URL_SAFE_NO_PAD.encode(unsigned), b_as_a.clone()] {
        set_redis_entry(&platform, &a.slug, &forged).await;
        // A new replica has nothing in process memory: it reads Redis first.
        replicas.push(platform.replica().await);
        let fresh = replicas.last().unwrap();
        assert_eq!(my_email(fresh, &a.slug, &a.owner_token).await, a.owner_email, "A still reaches A");
        let rewritten = redis_entry(&platform, &a.slug).await.unwrap();
        assert_ne!(rewritten, forged, "the forged entry was replaced");
    }
    assert!(URL_SAFE_NO_PAD.decode(&genuine_a).is_ok_and(|entry| entry.len() > 32), "{genuine_a}");
}
