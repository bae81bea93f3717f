//! The tenant's SLA policy: the seed's by default, replaced by owners and admins, read by staff.
//! A new policy holds tickets created afterwards; older tickets keep the version they were
//! created under, also when their priority changes. Refused policies change nothing. The
//! migration gives tickets that existed before it the seed's policy.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use harness::TestDatabase;
use serde_json::{Value, json};
use sqlx::migrate::Migrator;

use super::sla_by_condition::closed_until_four_days_on;
use super::{Desk, error_fields, id};

static TENANT_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/tenant");

const PATH: &str = "/v1/sla/policy";

/// A policy body: (response, resolution) minutes for low, medium, high, urgent, then the
/// auto-close delays for waiting_customer and resolved.
fn policy(targets: [(i64, i64); 4], waiting_customer: i64, resolved: i64) -> Value {
    let pair =
        |(response, resolution): (i64, i64)| json!({ "response_minutes": response, "resolution_minutes": resolution });
    json!({
        "targets": { "low": pair(targets[0]), "medium": pair(targets[1]), "high": pair(targets[2]), "urgent": pair(targets[3]) },
        "auto_close": { "waiting_customer_minutes": waiting_customer, "resolved_minutes": resolved },
        "schedule_id": null,
    })
}

/// The seed's grid: low 48 h / 7 days, medium 24 h / 3 days, high 4 h / 1 day, urgent 1 h / 4 h;
/// waiting_customer closes after 7 days, resolved after 24 h.
fn seed() -> Value {
    policy([(2880, 10080), (1440, 4320), (240, 1440), (60, 240)], 10080, 1440)
}

/// A tighter policy: every target and delay differs from the seed's.
fn tight() -> Value {
    policy([(600, 2000), (30, 90), (10, 40), (5, 15)], 4320, 120)
}

async fn versions(desk: &Desk) -> i64 {
    desk.db.count("sla_policy_versions").await
}

fn time(value: &Value) -> DateTime<Utc> {
    let text = value.as_str().unwrap_or_else(|| panic!("not a timestamp: {value}"));
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}")).to_utc()
}

/// A ticket's due dates as `GET /v1/tickets/{id}` shows them, and as stored, in minutes after
/// its creation.
async fn due_minutes(desk: &Desk, ticket: i64) -> (i64, i64) {
    let read = desk.ticket(&desk.owner, ticket).await;
    let created = time(&read["created_at"]);
    let shown = (
        (time(&read["sla"]["response_due_at"]) - created).num_minutes(),
        (time(&read["sla"]["resolution_due_at"]) - created).num_minutes(),
    );
    let stored: (DateTime<Utc>, DateTime<Utc>) =
        sqlx::query_as("SELECT response_due_at, resolution_due_at FROM support_tickets WHERE id = $1")
            .bind(ticket)
            .fetch_one(&desk.db.pool)
            .await
            .unwrap();
    let stored = ((stored.0 - created).num_minutes(), (stored.1 - created).num_minutes());
    assert_eq!(shown, stored, "ticket {ticket}: the stored due dates are the ones shown");
    shown
}

#[tokio::test]
async fn staff_read_the_seed_policy_and_customers_may_not() {
    let desk = Desk::open().await;
    let (admin, agent, customer) = tokio::join!(desk.member("admin"), desk.member("agent"), desk.member("customer"));
    for who in [&desk.owner, &admin, &agent] {
        let got = desk.get(who, PATH).await;
        assert_eq!(got.status, 200, "{}: {}", who.role, got.body);
        assert_eq!(got.json(), seed(), "{}", who.role);
    }
    desk.get(&customer, PATH).await.assert_problem(403, "forbidden");
    assert_eq!(versions(&desk).await, 1);
}

#[tokio::test]
async fn admins_replace_the_policy_once_and_the_audit_log_says_who() {
    let desk = Desk::open().await;
    let (admin, agent) = tokio::join!(desk.member("admin"), desk.member("agent"));

    let put = desk.put(&admin, PATH, &tight()).await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.json(), tight(), "the answer is the stored policy");
    assert_eq!(desk.get(&agent, PATH).await.json(), tight());
    assert_eq!(versions(&desk).await, 2);

    // The same policy again, by anyone allowed: no new version, nothing to audit.
    for who in [&admin, &desk.owner] {
        let again = desk.put(who, PATH, &tight()).await;
        assert_eq!((again.status.as_u16(), again.json()), (200, tight()), "{}", again.body);
    }
    assert_eq!(versions(&desk).await, 2, "an unchanged policy makes no version");

    // One value changed by the owner: a third version.
    let mut one_more = tight();
    one_more["targets"]["high"]["response_minutes"] = json!(12);
    let put = desk.put(&desk.owner, PATH, &one_more).await;
    assert_eq!((put.status.as_u16(), put.json()), (200, one_more.clone()), "{}", put.body);
    assert_eq!(desk.get(&admin, PATH).await.json(), one_more);
    assert_eq!(versions(&desk).await, 3);

    let rows: Vec<(uuid::Uuid, String, Option<uuid::Uuid>, Value)> =
        sqlx::query_as("SELECT actor_id, action, subject_id, details FROM audit_log ORDER BY id")
            .fetch_all(&desk.db.pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (actor, action, subject, details) = &rows[0];
    assert_eq!((actor, action.as_str(), subject), (&admin.id, "sla_policy_changed", &None));
    assert_eq!(details["version"], json!([1, 2]));
    assert_eq!(details["targets.low.response_minutes"], json!([2880, 600]));
    assert_eq!(details["targets.urgent.resolution_minutes"], json!([240, 15]));
    assert_eq!(details["auto_close.waiting_customer_minutes"], json!([10080, 4320]));
    assert_eq!(details["auto_close.resolved_minutes"], json!([1440, 120]));
    assert_eq!(details.as_object().unwrap().len(), 11, "every value changed, and the version: {details}");
    let (actor, action, _, details) = &rows[1];
    assert_eq!((actor, action.as_str()), (&desk.owner.id, "sla_policy_changed"));
    assert_eq!(details, &json!({ "version": [2, 3], "targets.high.response_minutes": [10, 12] }));
}

#[tokio::test]
async fn the_default_policy_counts_in_its_schedule_which_stays_while_it_is_used() {
    let (desk, other) = tokio::join!(Desk::open(), Desk::open());
    let customer = desk.member("customer").await;
    let (schedule, opens) = closed_until_four_days_on(&desk).await;
    let (foreign, _) = closed_until_four_days_on(&other).await;

    // An unknown schedule, another organisation's, a malformed id: refused, nothing changes.
    for bad in [uuid::Uuid::now_v7().to_string(), foreign] {
        let mut body = seed();
        body["schedule_id"] = json!(bad);
        let refused = desk.put(&desk.owner, PATH, &body).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(error_fields(&refused), ["schedule_id"]);
    }
    let mut malformed = seed();
    malformed["schedule_id"] = json!("not-a-uuid");
    desk.put(&desk.owner, PATH, &malformed).await.assert_problem(400, "validation_failed");
    assert_eq!(versions(&desk).await, 1);

    let mut in_hours = seed();
    in_hours["schedule_id"] = json!(schedule);
    let put = desk.put(&desk.owner, PATH, &in_hours).await;
    assert_eq!((put.status.as_u16(), put.json()), (200, in_hours.clone()), "{}", put.body);

    // A ticket created now counts its targets from the schedule's next opening (medium: 24 h to
    // answer, 3 days to resolve), and its badge says so.
    let ticket =
        id(&desk.create(&desk.owner, json!({ "subject": "Hours", "description": "x", "user_id": customer.id })).await);
    let sla = desk.ticket(&desk.owner, ticket).await["sla"].clone();
    assert_eq!((sla["policy"].as_str(), sla["schedule_id"].as_str()), (Some("default"), Some(schedule.as_str())));
    assert_eq!(time(&sla["response_due_at"]), opens + chrono::Duration::hours(24));
    assert_eq!(time(&sla["resolution_due_at"]), opens + chrono::Duration::days(3));
    assert_eq!(sla["outside_business_hours"], true);
    // Its clock counted again (a new priority: high, 4 h to answer) stays in the schedule.
    let high = desk.patch(&desk.owner, &format!("/v1/tickets/{ticket}"), &json!({ "priority": "high" })).await;
    assert_eq!(high.status, 200, "{}", high.body);
    let sla = desk.ticket(&desk.owner, ticket).await["sla"].clone();
    assert_eq!(time(&sla["response_due_at"]), opens + chrono::Duration::hours(4));

    // In use, the schedule stays; back to every hour, it may go.
    desk.delete(&desk.owner, &format!("/v1/schedules/{schedule}")).await.assert_problem(409, "schedule_in_use");
    assert_eq!(desk.put(&desk.owner, PATH, &seed()).await.status, 200);
    assert_eq!(desk.delete(&desk.owner, &format!("/v1/schedules/{schedule}")).await.status, 204);
    // The ticket keeps its version, whose schedule is gone: it counts every hour.
    let low = desk.patch(&desk.owner, &format!("/v1/tickets/{ticket}"), &json!({ "priority": "low" })).await;
    assert_eq!(low.status, 200, "{}", low.body);
    assert_eq!(due_minutes(&desk, ticket).await, (2880, 10080));
    assert_eq!(desk.ticket(&desk.owner, ticket).await["sla"]["schedule_id"], Value::Null);

    let changes: Vec<Value> =
        sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'sla_policy_changed' ORDER BY id")
            .fetch_all(&desk.db.pool)
            .await
            .unwrap();
    assert_eq!(
        changes,
        [
            json!({ "version": [1, 2], "schedule_id": [null, schedule] }),
            json!({ "version": [2, 3], "schedule_id": [schedule, null] })
        ]
    );
}

#[tokio::test]
async fn a_policy_holds_the_tickets_created_after_it_and_older_ones_keep_theirs() {
    let desk = Desk::open().await;
    let (admin, agent, customer) = tokio::join!(desk.member("admin"), desk.member("agent"), desk.member("customer"));
    let new = |subject: &'static str| {
        let (desk, customer) = (&desk, &customer);
        async move { id(&desk.create(customer, json!({ "subject": subject, "description": "x" })).await) }
    };
    let before = new("Before the change").await;
    assert_eq!(due_minutes(&desk, before).await, (24 * 60, 3 * 24 * 60), "medium, the seed's");

    let put = desk.put(&admin, PATH, &tight()).await;
    assert_eq!(put.status, 200, "{}", put.body);
    let after = new("After the change").await;
    assert_eq!(due_minutes(&desk, after).await, (30, 90), "medium, the new policy's");
    assert_eq!(due_minutes(&desk, before).await, (24 * 60, 3 * 24 * 60), "unchanged by the new policy");

    // A priority change finds its targets in the ticket's own version.
    for ticket in [before, after] {
        let patched = desk.patch(&agent, &format!("/v1/tickets/{ticket}"), &json!({ "priority": "high" })).await;
        assert_eq!(patched.status, 200, "{}", patched.body);
    }
    assert_eq!(due_minutes(&desk, before).await, (4 * 60, 24 * 60), "high, the seed's");
    assert_eq!(due_minutes(&desk, after).await, (10, 40), "high, the new policy's");

    // So does a status change: an hour's wait for the customer (its start moved an hour back)
    // moves the due dates of the new policy's high targets by an hour when the customer answers.
    desk.assign(&agent, after, Some(&agent)).await;
    desk.set_status(&agent, after, "waiting_customer").await;
    desk.db
        .execute(&format!(
            "UPDATE ticket_history SET created_at = created_at - interval '1 hour' WHERE ticket_id = {after};
             UPDATE support_tickets SET created_at = created_at - interval '1 hour' WHERE id = {after};"
        ))
        .await;
    desk.say(&customer, after, "Here is the photo", false).await;
    assert_eq!(desk.ticket(&agent, after).await["status"], "in_progress");
    let (response, resolution) = due_minutes(&desk, after).await;
    assert!((70..=71).contains(&response) && (100..=101).contains(&resolution), "{response} {resolution}");

    // The summary's at-risk tickets are measured against each ticket's targets: 5 minutes
    // left is less than a quarter of the seed's 4 hours, but not of the new policy's 40 minutes.
    let fresh = new("Fresh, under the new policy").await;
    let patched = desk.patch(&agent, &format!("/v1/tickets/{fresh}"), &json!({ "priority": "high" })).await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(due_minutes(&desk, fresh).await, (10, 40));
    desk.db
        .execute(&format!(
            // As their clocks would have: each at risk a quarter of its own target before.
            "UPDATE support_tickets t SET response_due_at = now() + interval '5 minutes',
                response_risk_at = now() + interval '5 minutes' - make_interval(secs => p.response_minutes * 15),
                resolution_due_at = now() + interval '1 day',
                resolution_risk_at = now() + interval '1 day' - make_interval(secs => p.resolution_minutes * 15)
              FROM sla_policy_targets p WHERE p.version_id = t.sla_version_id AND p.priority = t.priority
                AND t.id IN ({before}, {fresh})"
        ))
        .await;
    let summary = desk.get(&desk.owner, "/v1/sla/summary").await;
    assert_eq!(summary.status, 200, "{}", summary.body);
    let at_risk: Vec<i64> = summary.json()["at_risk"].as_array().unwrap().iter().map(id).collect();
    assert!(at_risk.contains(&before), "{}", summary.body);
    assert!(!at_risk.contains(&fresh), "{}", summary.body);
}

#[tokio::test]
async fn refused_policies_change_nothing() {
    let desk = Desk::open().await;
    let (admin, agent, customer) = tokio::join!(desk.member("admin"), desk.member("agent"), desk.member("customer"));
    let with = |path: &[&str], value: Value| {
        let mut body = seed();
        let (last, parents) = path.split_last().unwrap();
        let mut at = &mut body;
        for key in parents {
            at = &mut at[*key];
        }
        at[*last] = value;
        body
    };
    let without = |parent: &[&str], key: &str| {
        let mut body = seed();
        let mut at = &mut body;
        for part in parent {
            at = &mut at[*part];
        }
        at.as_object_mut().unwrap().remove(key);
        body
    };

    for who in [&agent, &customer] {
        desk.put(who, PATH, &tight()).await.assert_problem(403, "forbidden");
    }
    // Readable bodies against the rules: 422, naming the field.
    let rules = [
        (with(&["targets", "low", "response_minutes"], json!(0)), "targets.low.response_minutes"),
        (with(&["targets", "urgent", "resolution_minutes"], json!(525_601)), "targets.urgent.resolution_minutes"),
        (with(&["targets", "medium", "resolution_minutes"], json!(-5)), "targets.medium.resolution_minutes"),
        (with(&["auto_close", "waiting_customer_minutes"], json!(0)), "auto_close.waiting_customer_minutes"),
        (with(&["auto_close", "resolved_minutes"], json!(525_601)), "auto_close.resolved_minutes"),
        (with(&["targets", "high", "response_minutes"], json!(1441)), "targets.high.response_minutes"),
        (with(&["targets", "low", "response_minutes"], json!(10_000_000_000_i64)), "targets.low.response_minutes"),
    ];
    for (body, field) in &rules {
        let problem = desk.put(&admin, PATH, body).await.assert_problem(422, "validation_failed");
        let fields: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, [*field], "{problem}");
    }
    // Unreadable bodies: missing, unknown, or mistyped fields: 400, naming where.
    let shapes = [
        (without(&["targets"], "high"), "targets"),
        (without(&[], "auto_close"), ""),
        (without(&["targets", "low"], "resolution_minutes"), "targets.low"),
        (with(&["grace_minutes"], json!(5)), ""),
        (with(&["targets", "critical"], json!({ "response_minutes": 5, "resolution_minutes": 10 })), "targets"),
        (with(&["targets", "low", "breach_alert"], json!(true)), "targets.low"),
        (with(&["targets", "low", "response_minutes"], json!("60")), "targets.low.response_minutes"),
        (with(&["targets", "low", "response_minutes"], json!(1.5)), "targets.low.response_minutes"),
        (with(&["auto_close", "resolved_minutes"], Value::Null), "auto_close.resolved_minutes"),
        (with(&["targets"], json!([1, 2, 3, 4])), "targets"),
    ];
    for (body, at) in &shapes {
        let problem = desk.put(&admin, PATH, body).await.assert_problem(400, "validation_failed");
        let field = problem["errors"][0]["field"].as_str().unwrap_or_else(|| panic!("no field in {problem}"));
        assert!(field.starts_with(at), "{field} is not under {at:?}: {problem}");
    }
    desk.send_raw(&admin, reqwest::Method::PUT, PATH, b"{\"targets\":".to_vec())
        .await
        .assert_problem(400, "validation_failed");

    assert_eq!(versions(&desk).await, 1, "no version written");
    assert_eq!(desk.db.count("audit_log").await, 0, "nothing audited");
    assert_eq!(desk.get(&admin, PATH).await.json(), seed());
    let ticket = id(&desk.create(&customer, json!({ "subject": "Still the seed", "description": "x" })).await);
    assert_eq!(due_minutes(&desk, ticket).await, (24 * 60, 3 * 24 * 60));

    // The bounds themselves are allowed.
    let edges = policy([(1, 525_600), (1, 1), (525_600, 525_600), (1, 2)], 1, 525_600);
    let put = desk.put(&admin, PATH, &edges).await;
    assert_eq!((put.status.as_u16(), put.json()), (200, edges), "{}", put.body);
}

#[tokio::test]
async fn the_migration_holds_existing_tickets_to_the_seed_policy() {
    let db = TestDatabase::empty().await;
    // Migrated as `migrate-tenants` does a database holding rows: its tenant named.
    let tenant = uuid::Uuid::new_v4();
    let pool =
        sqlx::PgPool::connect_with(db.options().options([(tenant_schema::TENANT_SETTING, tenant)])).await.unwrap();
    // A tenant database as it was before the policy, with a ticket in it.
    let before = Migrator {
        migrations: Cow::Owned(TENANT_MIGRATIONS.migrations.iter().filter(|m| m.version < 4).cloned().collect()),
        ..Migrator::DEFAULT
    };
    before.run(&pool).await.unwrap();
    let insert_ticket = |number: &'static str| {
        sqlx::query(
            "INSERT INTO support_tickets (ticket_number, user_id, subject, description, response_due_at,
                resolution_due_at)
             VALUES ($1, '00000000-0000-7000-8000-000000000001', 'Old', 'x', now(), now()) RETURNING id",
        )
        .bind(number)
    };
    sqlx::raw_sql(
        "INSERT INTO users (id, email, role) VALUES ('00000000-0000-7000-8000-000000000001', 'c@x', 'customer')",
    )
    .execute(&pool)
    .await
    .unwrap();
    insert_ticket("TKT-OLD00001").execute(&pool).await.unwrap();

    TENANT_MIGRATIONS.run(&pool).await.unwrap();
    let version: i64 =
        sqlx::query_scalar("SELECT sla_version_id FROM support_tickets WHERE ticket_number = 'TKT-OLD00001'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(version, 1);
    let targets: Vec<(String, i32, i32)> = sqlx::query_as(
        "SELECT priority, response_minutes, resolution_minutes FROM sla_policy_targets WHERE version_id = 1
         ORDER BY response_minutes DESC",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let seed = [("low", 2880, 10080), ("medium", 1440, 4320), ("high", 240, 1440), ("urgent", 60, 240)];
    assert_eq!(targets, seed.map(|(p, r, s)| (p.to_owned(), r, s)));
    let delays: (i32, i32) = sqlx::query_as(
        "SELECT auto_close_waiting_customer_minutes, auto_close_resolved_minutes FROM sla_policy_versions WHERE id = 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(delays, (7 * 24 * 60, 24 * 60));

    // A ticket written without naming a version (an app-api from before, during a rollout) runs
    // under the seed's policy, which its due dates were computed from.
    insert_ticket("TKT-OLD00002").execute(&pool).await.unwrap();
    let version: i64 =
        sqlx::query_scalar("SELECT sla_version_id FROM support_tickets WHERE ticket_number = 'TKT-OLD00002'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(version, 1);
    // Versions never change.
    for statement in ["UPDATE sla_policy_versions SET low_response_minutes = 1", "DELETE FROM sla_policy_versions"] {
        let err = sqlx::raw_sql(statement).execute(&pool).await.expect_err(statement);
        assert!(err.to_string().contains("do not change"), "{statement}: {err}");
    }
    pool.close().await;
}
