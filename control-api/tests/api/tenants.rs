//! Signup to an active tenant database, provisioning resumed after a crash, worker exclusivity,
//! isolation between tenant roles, and the tenant lifecycle.

use serde_json::{Value, json};
use sqlx::Connection as _;
use uuid::Uuid;

use crate::helpers::{
    ControlOptions, PASSWORD, Service, TestApp, WithRedis, Worker, amqp_url, parse, signup_body, unique_email,
    unique_slug,
};

#[tokio::test]
async fn signup_becomes_active_and_the_owner_logs_in() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let slug = unique_slug();
    let email = unique_email("owner");
    let response = app.server.post_json("/v1/tenants/signup", &signup_body(&slug, &email)).await;
    assert_eq!(response.status, 202, "{}", response.body);
    let body = response.json();
    assert_eq!(body["tenant"]["slug"], slug.as_str());
    assert_eq!(body["tenant"]["status"], "provisioning");
    assert_eq!(body["user"]["email"], email.as_str());

    app.wait_for_status(&slug, "active").await;
    let status = app.server.get(&format!("/v1/tenants/{slug}/status")).await.json();
    assert_eq!(status, json!({ "slug": slug, "name": format!("{slug} SAV"), "status": "active" }));

    let login = app.login(Some(&slug), &email, PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.json()["role"], "owner");

    // The tenant's own role reads the mirrored owner in its own database.
    let mut conn = app.connect_as_tenant(&slug, None).await.expect("the tenant role connects to its database");
    let mut tx = tenant_schema::begin(&mut conn, app.tenant_id(&slug).await).await.unwrap();
    let (mirrored, role): (String, String) =
        sqlx::query_as("SELECT email, role FROM users").fetch_one(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((mirrored.as_str(), role.as_str()), (email.as_str(), "owner"));
    // It may write data, not change the schema.
    let ddl = sqlx::query("CREATE TABLE sneaky (id int)").execute(&mut conn).await;
    assert!(ddl.is_err(), "the tenant role must not run DDL");
    let version: i64 = sqlx::query_scalar("SELECT schema_version FROM tenants WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(version, control_api::tenancy::template::latest_version(&tenant_schema::MIGRATOR));
    assert!(app.state.metrics.render().contains("tenant_signup_to_active_seconds_count 1"));
}

#[tokio::test]
async fn the_sign_up_token_signs_the_owner_in_once_the_organisation_is_active() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Manual).await;
    let (slug, email) = (unique_slug(), unique_email("owner"));
    let response = app.server.post_json("/v1/tenants/signup", &signup_body(&slug, &email)).await;
    assert_eq!(response.status, 202, "{}", response.body);
    let token = response.json()["sign_in_token"].as_str().expect("a sign-in token").to_owned();
    let server = &app.server;
    let sign_in = |tenant: &str, token: &str| {
        let body = json!({ "tenant": tenant, "token": token });
        async move { server.post_json("/v1/auth/sign-in-token", &body).await }
    };

    // Not active yet: asked again later, the token still works.
    let early = sign_in(&slug, &token).await;
    early.assert_problem(503, "tenant_provisioning");
    assert!(early.headers.contains_key("retry-after"));
    let (other, _) = app.signup().await;
    app.state.worker.run_due().await.unwrap();
    app.wait_for_status(&slug, "active").await;
    app.wait_for_status(&other, "active").await;

    // Another organisation, a forged token, an oversized one, a strict body: refused, nothing spent.
    sign_in(&other, &token).await.assert_problem(400, "invalid_token");
    sign_in(&slug, "forged").await.assert_problem(400, "invalid_token");
    sign_in(&slug, &"t".repeat(10_000)).await.assert_problem(400, "invalid_token");
    let extra = json!({ "tenant": slug, "token": token, "password": "x" });
    app.server.post_json("/v1/auth/sign-in-token", &extra).await.assert_problem(400, "validation_failed");

    // Two requests with the token at once: one signs the owner in.
    let (first, second) = tokio::join!(sign_in(&slug, &token), sign_in(&slug, &token));
    let mut statuses = [first.status.as_u16(), second.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 400], "{} / {}", first.body, second.body);
    let signed_in = if first.status == 200 { first } else { second };
    let tokens = signed_in.json();
    assert_eq!((tokens["role"].as_str(), tokens["tenant"]["slug"].as_str()), (Some("owner"), Some(slug.as_str())));
    assert_eq!(tokens["user"]["email"], email.as_str());
    let cookie = signed_in.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>();
    assert!(cookie.iter().any(|c| c.contains(tokens["refresh_token"].as_str().unwrap())), "{cookie:?}");
    let me = app.get_bearer("/v1/auth/me", tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(me.status, 200, "{}", me.body);
    sign_in(&slug, &token).await.assert_problem(400, "invalid_token");

    // A token past its 15 minutes signs no one in.
    let late = app.server.post_json("/v1/tenants/signup", &signup_body(&unique_slug(), &unique_email("late"))).await;
    let late = late.json();
    let late_slug = late["tenant"]["slug"].as_str().unwrap().to_owned();
    app.state.worker.run_due().await.unwrap();
    app.wait_for_status(&late_slug, "active").await;
    sqlx::query("UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1")
        .bind(late["user"]["id"].as_str().unwrap().parse::<Uuid>().unwrap())
        .execute(&app.state.db)
        .await
        .unwrap();
    sign_in(&late_slug, late["sign_in_token"].as_str().unwrap()).await.assert_problem(400, "invalid_token");
}

#[tokio::test]
async fn concurrent_signups_for_one_slug_let_exactly_one_through() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Manual).await;
    let slug = unique_slug();
    let attempts = (0..6).map(|_| {
        let body = signup_body(&slug, &unique_email("racer"));
        let request = app.server.request(reqwest::Method::POST, "/v1/tenants/signup").json(&body);
        async move { request.send().await.unwrap().status().as_u16() }
    });
    let mut statuses = futures_util::future::join_all(attempts).await;
    statuses.sort_unstable();
    assert_eq!(statuses, [202, 409, 409, 409, 409, 409]);
    let tenants: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants").fetch_one(&app.state.db).await.unwrap();
    assert_eq!(tenants, 1);
}

#[tokio::test]
async fn bad_and_taken_slugs() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Manual).await;
    for bad in ["ab", "Acme", "acme_sav", "-acme", "acme-", "grafana", "www", &"a".repeat(64)] {
        let response = app.server.post_json("/v1/tenants/signup", &signup_body(bad, &unique_email("x"))).await;
        let body = response.assert_problem(422, "validation_failed");
        assert_eq!(body["errors"][0]["field"], "slug", "{bad}: {body}");
    }
    let mut weak = signup_body(&unique_slug(), "not-an-email");
    weak["admin"]["password"] = json!("short");
    weak["organization_name"] = json!("  ");
    let body = app.server.post_json("/v1/tenants/signup", &weak).await.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["organization_name", "admin.email"]);

    let (taken, _) = app.signup().await;
    let again = app.server.post_json("/v1/tenants/signup", &signup_body(&taken, &unique_email("late"))).await;
    let conflict = again.assert_problem(409, "conflict");
    // The field that caused it, for a form to show the error beside it.
    assert_eq!(conflict["errors"][0]["field"], "slug");
    let tenants: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants").fetch_one(&app.state.db).await.unwrap();
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&app.state.db).await.unwrap();
    assert_eq!((tenants, users), (1, 1), "refused signups leave nothing behind");
}

#[tokio::test]
async fn provisioning_interrupted_after_any_step_finishes_without_duplicates() {
    let app = TestApp::spawn_dedicated(WithRedis::No, Worker::Manual).await;
    let provisioner = &app.state.worker.provisioner;
    for completed_steps in 1..=5 {
        let (slug, _) = app.signup().await;
        let id = app.tenant_id(&slug).await;
        // A worker that died after `completed_steps` steps.
        let tenant = provisioner.tenant(id).await.unwrap();
        let placed = provisioner.assign_placement(&tenant).await.unwrap();
        let cluster = provisioner.cluster(placed.cluster_id).await.unwrap();
        let mut admin = provisioner.admin_connection(&cluster).await.unwrap();
        if completed_steps >= 2 {
            provisioner.ensure_role(&mut admin, &placed).await.unwrap();
        }
        if completed_steps >= 3 {
            provisioner.ensure_database(&mut admin, &placed).await.unwrap();
        }
        if completed_steps >= 4 {
            let tenant_db = provisioner.tenant_admin_pool(&cluster, &placed).await.unwrap();
            provisioner.prepare_schema(&tenant_db, &placed).await.unwrap();
            if completed_steps >= 5 {
                provisioner.seed(&tenant_db, &placed).await.unwrap();
            }
            tenant_db.close().await;
        }
        assert!(app.state.worker.run_due().await.unwrap() >= 1);
        app.wait_for_status(&slug, "active").await;

        let mut conn = app.connect_as_tenant(&slug, None).await.unwrap();
        let mut tx = tenant_schema::begin(&mut conn, app.tenant_id(&slug).await).await.unwrap();
        let owners: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&mut *tx).await.unwrap();
        assert_eq!(owners, 1, "after {completed_steps} steps: one mirrored owner");
    }
    let databases: i64 =
        sqlx::query_scalar("SELECT count(DISTINCT database_name) FROM tenants").fetch_one(&app.state.db).await.unwrap();
    assert_eq!(databases, 5);
}

#[tokio::test]
async fn a_failing_step_is_retried_until_it_succeeds() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Manual).await;
    // The cluster's admin URL points at a port nothing listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead_url: shared::config::DatabaseUrl = parse(&format!("postgres://postgres@127.0.0.1:{dead}/postgres"));
    let key = &app.state.config.keys.cluster_admin_url;
    control_api::tenancy::clusters::register_default(&app.state.db, key, &dead_url).await.unwrap();

    let (slug, _) = app.signup().await;
    assert!(app.state.worker.run_one().await.unwrap());
    let (status, attempts, error): (String, i32, Option<String>) =
        sqlx::query_as("SELECT status, attempts, last_error FROM provisioning_jobs")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(error.is_some());
    assert!(!app.state.worker.run_one().await.unwrap(), "the retry waits for its backoff");

    control_api::tenancy::clusters::register_default(&app.state.db, key, &app.state.config.tenant_db).await.unwrap();
    sqlx::query("UPDATE provisioning_jobs SET run_after = now()").execute(&app.state.db).await.unwrap();
    app.state.worker.run_due().await.unwrap();
    app.wait_for_status(&slug, "active").await;
}

#[tokio::test]
async fn two_workers_never_run_one_job_twice() {
    let first = TestApp::spawn_dedicated(WithRedis::No, Worker::Manual).await;
    for _ in 0..6 {
        first.signup().await;
    }
    // A second control-api instance on the same control database.
    let config = first.state.config.clone();
    let second = control_api::AppState::new(config).unwrap();
    let (a, b) = tokio::join!(first.state.worker.run_due(), second.worker.run_due());
    assert_eq!(a.unwrap() + b.unwrap(), 6, "every job ran exactly once");
    let active: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants WHERE status = 'active'")
        .fetch_one(&first.state.db)
        .await
        .unwrap();
    assert_eq!(active, 6);
    let runs = |state: &control_api::AppState| state.worker.metrics.runs.with_label_values(&["provision", "ok"]).get();
    assert_eq!(runs(&first.state) + runs(&second), 6);
}

#[tokio::test]
async fn a_tenant_role_cannot_open_another_tenants_database() {
    let app = TestApp::spawn_dedicated(WithRedis::No, Worker::Background).await;
    let [(a, _), (b, _)] = app.active_tenants().await;
    let b_database: String = sqlx::query_scalar("SELECT database_name FROM tenants WHERE slug = $1")
        .bind(&b)
        .fetch_one(&app.state.db)
        .await
        .unwrap();

    let refused = app.connect_as_tenant(&a, Some(&b_database)).await.expect_err("A's role must not open B's database");
    assert!(refused.to_string().contains("permission denied"), "{refused}");
    // Databases outside the tenant plane keep the server's defaults; the control database's
    // tables stay closed to tenant roles all the same.
    let mut control =
        app.connect_as_tenant(&a, Some(app.db.name())).await.expect("PUBLIC may connect to the control database here");
    let read = sqlx::query("SELECT count(*) FROM users")
        .execute(&mut control)
        .await
        .expect_err("no privilege on control tables");
    assert!(read.to_string().contains("permission denied"), "{read}");
    let mut own = app.connect_as_tenant(&a, None).await.expect("A's role opens A's database");
    own.ping().await.unwrap();
}

#[tokio::test]
async fn suspend_activate_and_delete() {
    let app = TestApp::spawn_dedicated(WithRedis::Yes, Worker::Background).await;
    let [(slug, owner)] = app.active_tenants().await;
    let ops = app.platform_admin_token().await;
    let owner_token =
        app.login(Some(&slug), &owner, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();

    // Changes reach the app plane's channel.
    let redis = app.redis.as_ref().unwrap();
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let mut pubsub = client.get_async_pubsub().await.unwrap();
    pubsub.subscribe(format!("{}tenant-changes", redis.prefix)).await.unwrap();

    app.post_bearer(&format!("/v1/tenants/{slug}/suspend"), &owner_token, &json!({}))
        .await
        .assert_problem(403, "forbidden");
    let suspended = app.post_bearer(&format!("/v1/tenants/{slug}/suspend"), &ops, &json!({})).await;
    assert_eq!(suspended.status, 200, "{}", suspended.body);
    assert_eq!(suspended.json()["status"], "suspended");
    let message: String = {
        use futures_util::StreamExt as _;
        let msg =
            tokio::time::timeout(std::time::Duration::from_secs(5), pubsub.on_message().next()).await.unwrap().unwrap();
        msg.get_payload().unwrap()
    };
    let change: serde_json::Value = serde_json::from_str(&message).unwrap();
    assert_eq!((change["slug"].as_str(), change["status"].as_str()), (Some(slug.as_str()), Some("suspended")));

    app.login(Some(&slug), &owner, PASSWORD).await.assert_problem(403, "tenant_suspended");
    app.post_bearer(&format!("/v1/tenants/{slug}/suspend"), &ops, &json!({})).await.assert_problem(409, "conflict");
    let active = app.post_bearer(&format!("/v1/tenants/{slug}/activate"), &ops, &json!({})).await;
    assert_eq!(active.json()["status"], "active");
    assert_eq!(app.login(Some(&slug), &owner, PASSWORD).await.status, 200);

    let database: String = sqlx::query_scalar("SELECT database_name FROM tenants WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let deleting = app.delete_bearer(&format!("/v1/tenants/{slug}"), &owner_token).await;
    assert_eq!(deleting.status, 202, "{}", deleting.body);
    assert_eq!(deleting.json()["status"], "deleting");
    app.wait_for_deletion(&slug).await;
    let mut admin = sqlx::PgConnection::connect_with(&harness::admin_options()).await.unwrap();
    let (db_left, role_left): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1), EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
    )
    .bind(&database)
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert!(!db_left && !role_left, "the database and role are dropped");
    app.login(Some(&slug), &owner, PASSWORD).await.assert_problem(401, "unauthorized");
    app.delete_bearer(&format!("/v1/tenants/{slug}"), &ops).await.assert_problem(410, "tenant_deleted");
}

#[tokio::test]
async fn tenants_are_listed_for_operators_and_readable_by_their_admins() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let [(slug, owner), (other, _)] = app.active_tenants().await;
    let ops = app.platform_admin_token().await;
    let owner_token =
        app.login(Some(&slug), &owner, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();

    let page = app.get_bearer("/v1/tenants?limit=1", &ops).await.json();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = app.get_bearer(&format!("/v1/tenants?limit=1&cursor={cursor}"), &ops).await.json();
    assert_eq!(rest["data"][0]["slug"], other.as_str());
    assert!(rest["next_cursor"].is_null());
    let unknown = app.get_bearer("/v1/tenants?status=nonsense", &ops).await.assert_problem(400, "validation_failed");
    assert_eq!(unknown["errors"][0]["field"], "status");
    app.get_bearer("/v1/tenants", &owner_token).await.assert_problem(403, "forbidden");

    // The status filter: one tenant of each.
    let suspended = app.post_bearer(&format!("/v1/tenants/{other}/suspend"), &ops, &json!({})).await;
    assert_eq!(suspended.status, 200, "{}", suspended.body);
    let slugs_with = async |status: &str| -> Vec<String> {
        let page = app.get_bearer(&format!("/v1/tenants?status={status}"), &ops).await.json();
        page["data"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(slugs_with("active").await, vec![slug.clone()]);
    assert_eq!(slugs_with("suspended").await, vec![other.clone()]);
    assert!(slugs_with("deleted").await.is_empty());

    let own = app.get_bearer(&format!("/v1/tenants/{slug}"), &owner_token).await;
    assert_eq!(own.json()["slug"], slug.as_str());
    app.get_bearer(&format!("/v1/tenants/{other}"), &owner_token).await.assert_problem(404, "not_found");

    assert_eq!((own.json()["time_zone"].as_str(), own.json()["default_locale"].as_str()), (Some("UTC"), Some("en")));

    // The organisation's time zone and language: checked, each refusal naming its field.
    let path = format!("/v1/tenants/{slug}");
    for (body, field) in [
        (json!({ "time_zone": "Europe/Atlantis" }), "time_zone"),
        (json!({ "time_zone": "" }), "time_zone"),
        (json!({ "default_locale": "xx" }), "default_locale"),
    ] {
        let refused = app.patch_bearer(&path, &owner_token, &body).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert_eq!(refused.json()["errors"][0]["field"], field);
    }
    let set =
        app.patch_bearer(&path, &owner_token, &json!({ "time_zone": "Europe/Paris", "default_locale": "fr" })).await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(
        (set.json()["time_zone"].as_str(), set.json()["default_locale"].as_str()),
        (Some("Europe/Paris"), Some("fr"))
    );
    assert_eq!(set.json()["name"], own.json()["name"], "the rest kept");

    // Before the 2FA requirement below, which refuses this token before its body is read.
    let unknown = app
        .patch_bearer(&format!("/v1/tenants/{slug}"), &owner_token, &json!({ "settings": { "theme": "dark" } }))
        .await;
    unknown.assert_problem(400, "validation_failed");
    let patched = app
        .patch_bearer(
            &format!("/v1/tenants/{slug}"),
            &owner_token,
            &json!({ "name": "Renamed", "settings": { "require_2fa_for_admins": true } }),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.json()["settings"]["require_2fa_for_admins"], true);
}

/// A private queue on `control_exchange` bound to `routing_key`, gone when the connection closes.
async fn listen(routing_key: &str) -> (lapin::Connection, lapin::Consumer) {
    use lapin::options::{BasicConsumeOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
    use lapin::types::FieldTable;

    let connection = lapin::Connection::connect(&amqp_url(), lapin::ConnectionProperties::default()).await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    let durable = ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() };
    channel
        .exchange_declare("control_exchange".into(), lapin::ExchangeKind::Topic, durable, FieldTable::default())
        .await
        .unwrap();
    let private = QueueDeclareOptions { exclusive: true, auto_delete: true, ..QueueDeclareOptions::default() };
    let queue = channel.queue_declare("".into(), private, FieldTable::default()).await.unwrap();
    channel
        .queue_bind(
            queue.name().clone(),
            "control_exchange".into(),
            routing_key.into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let consumer = channel
        .basic_consume(queue.name().clone(), "test".into(), BasicConsumeOptions::default(), FieldTable::default())
        .await
        .unwrap();
    (connection, consumer)
}

/// The first event about tenant `slug` on `consumer` (other tests' tenants share the exchange),
/// persistent and with an id, within 10 s.
async fn event_of(consumer: &mut lapin::Consumer, slug: &str) -> Value {
    use futures_util::StreamExt as _;
    use lapin::options::BasicAckOptions;

    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let delivery = consumer.next().await.expect("a delivery").expect("delivered");
            delivery.ack(BasicAckOptions::default()).await.unwrap();
            let event: Value = serde_json::from_slice(&delivery.data).unwrap();
            if event["data"]["slug"] == slug {
                assert_eq!(delivery.properties.delivery_mode(), &Some(2), "persistent");
                assert!(delivery.properties.message_id().is_some());
                return event;
            }
        }
    })
    .await
    .expect("the event arrives")
}

#[tokio::test]
async fn tenant_changes_are_published_on_the_control_exchange() {
    let app = ControlOptions::default().broker(Service::Test).tenancy(Worker::Background).start().await;
    let [(slug, _)] = app.active_tenants().await;
    let (connection, mut consumer) = listen("control.tenant.suspended").await;

    let ops = app.platform_admin_token().await;
    let suspended = app.post_bearer(&format!("/v1/tenants/{slug}/suspend"), &ops, &json!({})).await;
    assert_eq!(suspended.status, 200);

    let event = event_of(&mut consumer, &slug).await;
    assert_eq!(event["event"], "TenantChanged");
    assert_eq!(event["data"]["status"], "suspended");
    connection.close(0, "done".into()).await.unwrap();
}

#[tokio::test]
async fn a_move_is_published_as_tenant_moved_with_its_modes_alone() {
    let app = ControlOptions::default().broker(Service::Test).tenancy(Worker::Background).start().await;
    let [(slug, _)] = app.active_tenants().await;
    let (connection, mut consumer) = listen("control.tenant.moved").await;
    let database: String = sqlx::query_scalar("SELECT database_name FROM tenants WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&app.state.db)
        .await
        .unwrap();

    let ops = app.platform_admin_token().await;
    let asked = app.post_bearer(&format!("/v1/tenants/{slug}/placement"), &ops, &json!({"mode": "dedicated"})).await;
    assert_eq!(asked.status, 202, "{}", asked.body);

    let event = event_of(&mut consumer, &slug).await;
    assert_eq!(event["event"], "TenantMoved");
    assert_eq!((event["data"]["from"].as_str(), event["data"]["to"].as_str()), (Some("pooled"), Some("dedicated")));
    assert!(!event.to_string().contains(&database), "no database name: {event}");
    connection.close(0, "done".into()).await.unwrap();
}

#[tokio::test]
async fn a_drop_waits_for_a_provisioning_run_still_in_flight() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Manual).await;
    let (slug, _) = app.signup().await;
    let id = app.tenant_id(&slug).await;
    // Another worker holds the provisioning job (its claim is a row lock).
    let mut other_worker = app.state.db.begin().await.unwrap();
    sqlx::query("SELECT id FROM provisioning_jobs WHERE tenant_id = $1 AND kind = 'provision' FOR UPDATE")
        .bind(id)
        .execute(&mut *other_worker)
        .await
        .unwrap();
    // An operator deletes the tenant meanwhile (its owner cannot sign in before it is active).
    let ops = app.platform_admin_token().await;
    let deleting = app.delete_bearer(&format!("/v1/tenants/{slug}"), &ops).await;
    assert_eq!(deleting.status, 202, "{}", deleting.body);

    assert!(app.state.worker.run_one().await.unwrap(), "the drop job runs");
    let (status, attempts): (String, i32) =
        sqlx::query_as("SELECT status, attempts FROM provisioning_jobs WHERE tenant_id = $1 AND kind = 'drop'")
            .bind(id)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts), ("pending", 1), "the drop waits for the provisioning run");

    // The provisioning run ends (it finds the tenant deleting and does nothing); the drop goes on.
    other_worker.rollback().await.unwrap();
    app.state.worker.run_due().await.unwrap();
    sqlx::query("UPDATE provisioning_jobs SET run_after = now() WHERE status = 'pending'")
        .execute(&app.state.db)
        .await
        .unwrap();
    app.state.worker.run_due().await.unwrap();
    app.wait_for_deletion(&slug).await;
}

#[tokio::test]
async fn the_status_names_the_web_address_when_the_platform_does() {
    let app = TestApp::spawn_with(|c| c.app_public_url = Some(parse("https://{slug}.helpdeskly.example/"))).await;
    let slug = unique_slug();
    app.create_tenant(&slug, "provisioning").await;
    let status = app.server.get(&format!("/v1/tenants/{slug}/status")).await.json();
    assert_eq!(status["app_url"], format!("https://{slug}.helpdeskly.example"));

    for (bad, why) in
        [("https://helpdeskly.example", "{slug}"), ("ftp://{slug}.example", "http"), ("{slug}", "relative")]
    {
        let env = shared::config::Env::from_pairs([("APP_PUBLIC_URL", bad)]);
        let error = env.optional::<control_api::config::AppUrlTemplate>("APP_PUBLIC_URL").unwrap_err();
        assert_eq!(error.name, "APP_PUBLIC_URL", "{why}");
    }
}

/// What the control database holds of a deleted tenant's people goes with it: the accounts of
/// those who belonged to it alone, every session and refresh token on it, its memberships,
/// invitations, SLA schedule row and finished jobs. Someone who also belongs elsewhere keeps
/// their account and their other membership. The audit log keeps the deletion, naming the
/// forgotten owner by id only.
#[tokio::test]
async fn a_deleted_tenant_leaves_nothing_of_its_people_but_the_record_of_its_deletion() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let [(slug, owner), (elsewhere, other_owner)] = app.active_tenants().await;
    let db = &app.state.db;
    let tenant = app.tenant_id(&slug).await;
    let user_of = |email: String| async move {
        sqlx::query_scalar::<_, Uuid>("SELECT id FROM users WHERE lower(email) = lower($1)")
            .bind(email)
            .fetch_optional(db)
            .await
            .unwrap()
    };
    let (owner_id, both_id) = (user_of(owner.clone()).await.unwrap(), user_of(other_owner.clone()).await.unwrap());
    // The other organisation's owner is an agent here too.
    sqlx::query("INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, 'agent')")
        .bind(both_id)
        .bind(tenant)
        .execute(db)
        .await
        .unwrap();
    let owner_token =
        app.login(Some(&slug), &owner, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.login(Some(&slug), &other_owner, PASSWORD).await.status, 200);
    let invited = app
        .post_bearer(
            &format!("/v1/tenants/{slug}/invitations"),
            &owner_token,
            &json!({ "email": "new@example.org", "role": "agent" }),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let count =
        |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).bind(tenant).fetch_one(db).await.unwrap() };
    let left = || async {
        [
            count("SELECT count(*) FROM sessions WHERE tenant_id = $1").await,
            count(
                "SELECT count(*) FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE s.tenant_id = $1",
            )
            .await,
            count("SELECT count(*) FROM memberships WHERE tenant_id = $1").await,
            count("SELECT count(*) FROM invitations WHERE tenant_id = $1").await,
            count("SELECT count(*) FROM tenant_schedule WHERE tenant_id = $1").await,
            count("SELECT count(*) FROM provisioning_jobs WHERE tenant_id = $1 AND kind <> 'drop'").await,
        ]
    };
    // What app-api writes when the tenant has a ticket with a due time and a mailbox.
    sqlx::query(
        "INSERT INTO tenant_schedule (tenant_id, work, next_due_at)
         VALUES ($1, 'sav', now() + interval '1 hour'), ($1, 'mailbox', now())",
    )
    .bind(tenant)
    .execute(db)
    .await
    .unwrap();
    let before = left().await;
    assert!(before.iter().all(|&n| n > 0), "sessions, tokens, members, invitations, schedule, jobs: {before:?}");

    let deleting = app.delete_bearer(&format!("/v1/tenants/{slug}"), &owner_token).await;
    assert_eq!(deleting.status, 202, "{}", deleting.body);
    app.wait_for_deletion(&slug).await;

    assert_eq!(left().await, [0; 6], "sessions, tokens, members, invitations, schedule, jobs");
    // The drop's job row is marked done just after the drop, when the worker commits its claim.
    let done = "SELECT count(*) FROM provisioning_jobs WHERE tenant_id = $1 AND kind = 'drop' AND status = 'done'";
    harness::eventually(std::time::Duration::from_secs(10), "the drop job's own row stays, done", || async {
        (count(done).await == 1).then_some(())
    })
    .await;
    assert_eq!(user_of(owner.clone()).await, None, "the owner belonged here alone: the account is gone");
    assert_eq!(user_of(other_owner.clone()).await, Some(both_id), "an account with another organisation stays");
    assert_eq!(app.login(Some(&elsewhere), &other_owner, PASSWORD).await.status, 200, "and signs in there");
    let (action, actor, details): (String, Option<Uuid>, serde_json::Value) = sqlx::query_as(
        "SELECT action, actor_user_id, details FROM audit_log WHERE tenant_id = $1 AND action = 'tenant_deleted'",
    )
    .bind(tenant)
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!((action.as_str(), actor), ("tenant_deleted", Some(owner_id)));
    assert_eq!(details["slug"], slug.as_str());
    let naming_the_owner: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE details::text ILIKE '%' || $1 || '%' OR (actor_user_id = $2 AND ip IS NOT NULL)",
    )
    .bind(&owner)
    .bind(owner_id)
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(naming_the_owner, 0, "the log names the forgotten owner by id only, without addresses");
}

/// A deleted tenant's slug is its own for 30 days (a sign-up is told until when), then free: a
/// new organisation takes it, and the deleted tenant's row stays, letting go of it.
#[tokio::test]
async fn a_deleted_tenants_slug_is_reserved_for_thirty_days_then_free() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let [(slug, owner)] = app.active_tenants().await;
    let owner_token =
        app.login(Some(&slug), &owner, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.delete_bearer(&format!("/v1/tenants/{slug}"), &owner_token).await.status, 202);
    app.wait_for_deletion(&slug).await;
    let db = &app.state.db;
    let old = app.tenant_id(&slug).await;

    let again = app.server.post_json("/v1/tenants/signup", &signup_body(&slug, &unique_email("next"))).await;
    let problem = again.assert_problem(409, "conflict");
    let free_from = chrono::DateTime::parse_from_rfc3339(problem["available_at"].as_str().unwrap()).unwrap();
    let minutes = (free_from.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes();
    assert!((30 * 24 * 60 - 5..=30 * 24 * 60).contains(&minutes), "free in {minutes} minutes: {problem}");
    assert!(problem["errors"][0]["message"].as_str().unwrap().starts_with("is reserved until"), "{problem}");

    // Thirty days and a minute later.
    sqlx::query("UPDATE tenants SET deleted_at = now() - interval '30 days 1 minute' WHERE id = $1")
        .bind(old)
        .execute(db)
        .await
        .unwrap();
    let taken = app.server.post_json("/v1/tenants/signup", &signup_body(&slug, &unique_email("next"))).await;
    assert_eq!(taken.status, 202, "{}", taken.body);
    app.wait_for_status(&slug, "active").await;
    let rows: Vec<(Uuid, String, bool)> = sqlx::query_as(
        "SELECT id, status, slug_released_at IS NOT NULL FROM tenants WHERE slug = $1 ORDER BY created_at",
    )
    .bind(&slug)
    .fetch_all(db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[0].0, rows[0].1.as_str(), rows[0].2), (old, "deleted", true));
    assert_eq!((rows[1].1.as_str(), rows[1].2), ("active", false));
    // The slug's only holder now is the new organisation.
    let status = app.server.get(&format!("/v1/tenants/{slug}/status")).await;
    assert_eq!(status.json()["status"], "active");
    let third = app.server.post_json("/v1/tenants/signup", &signup_body(&slug, &unique_email("third"))).await;
    third.assert_problem(409, "conflict");
}

#[tokio::test]
async fn placement_is_shown_to_platform_operators_alone_and_lists_filter_by_it() {
    let app = TestApp::spawn_tenancy(WithRedis::No, Worker::Background).await;
    let [(slug, owner), (other, _)] = app.active_tenants().await;
    let ops = app.platform_admin_token().await;
    let owner_token =
        app.login(Some(&slug), &owner, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();
    let database: String = sqlx::query_scalar("SELECT database_name FROM tenants WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let placed = json!({ "mode": "pooled", "cluster": "default", "database": database });
    // Pooled, both tenants are rows of one database.
    let other_database: String = sqlx::query_scalar("SELECT database_name FROM tenants WHERE slug = $1")
        .bind(&other)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(other_database, database);

    // Operators see where each tenant is, in the list, the tenant and its own route.
    let page = app.get_bearer("/v1/tenants", &ops).await.json();
    assert_eq!(page["data"][0]["slug"], slug.as_str());
    assert_eq!(page["data"][0]["placement"], placed);
    assert_eq!(app.get_bearer(&format!("/v1/tenants/{slug}"), &ops).await.json()["placement"], placed);
    let own = app.get_bearer(&format!("/v1/tenants/{slug}/placement"), &ops).await;
    assert_eq!(own.status, 200, "{}", own.body);
    let mut expected = placed.clone();
    expected["move"] = Value::Null;
    assert_eq!(own.json(), expected);
    app.get_bearer("/v1/tenants/no-such-tenant/placement", &ops).await.assert_problem(404, "not_found");

    // Owners see their organisation, never where it is kept.
    let seen = app.get_bearer(&format!("/v1/tenants/{slug}"), &owner_token).await.json();
    assert_eq!(seen["slug"], slug.as_str());
    assert!(seen.get("placement").is_none(), "{seen}");
    let refused = app.get_bearer(&format!("/v1/tenants/{slug}/placement"), &owner_token).await;
    refused.assert_problem(403, "forbidden");

    // The filters, alone and together (the second tenant said dedicated here, as a move would leave it).
    sqlx::query("UPDATE tenants SET placement = 'dedicated' WHERE slug = $1")
        .bind(&other)
        .execute(&app.state.db)
        .await
        .unwrap();
    let slugs = async |query: &str| -> Vec<String> {
        let page = app.get_bearer(&format!("/v1/tenants?{query}"), &ops).await;
        assert_eq!(page.status, 200, "{query}: {}", page.body);
        page.json()["data"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(slugs("placement=pooled").await, [slug.as_str()]);
    assert_eq!(slugs("placement=dedicated").await, [other.as_str()]);
    assert_eq!(slugs("placement=dedicated&cluster=default").await, [other.as_str()]);
    assert_eq!(slugs("cluster=default").await, [slug.as_str(), other.as_str()]);
    assert!(slugs("cluster=elsewhere").await.is_empty());
    assert!(slugs("placement=pooled&status=suspended").await.is_empty());
    let unknown = app.get_bearer("/v1/tenants?placement=shared", &ops).await.assert_problem(400, "validation_failed");
    assert_eq!(unknown["errors"][0]["field"], "placement");

    // `tenants{placement}`, as the worker counts them.
    app.state.worker.metrics.census.count(&app.state.db).await.unwrap();
    let metrics = app.server.get("/metrics").await.body;
    assert!(metrics.contains("tenants{placement=\"dedicated\"} 1"), "{metrics}");
    assert!(metrics.contains("tenants{placement=\"pooled\"} 1"), "{metrics}");
}
