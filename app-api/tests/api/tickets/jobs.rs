//! The scheduled SAV jobs on real tenant databases and a real control database, on a clock the
//! test sets ahead of the wall clock: a missed target is recorded once, announced once, and a
//! missed response raises the priority once; waiting and resolved tickets close on their own
//! after their policy's delays; two workers never act twice; only tenants with something due
//! are visited; and the running jobs find a breach within seconds of its due time.

use std::sync::Arc;
use std::time::Duration;

use app_api::AppState;
use app_api::worker::jobs::{Check, Jobs, Reason};
use chrono::{DateTime, Utc};
use harness::eventually;
use serde_json::{Value, json};
use shared::tenant::Slug;

use super::{Desk, History, count_action, id};

/// The jobs of `state` on a clock `ahead` of the wall clock.
fn jobs_ahead(state: &AppState, ahead: chrono::Duration) -> Jobs {
    Jobs::new(state).with_clock(Arc::new(move || Utc::now() + ahead))
}

fn hours(n: i64) -> chrono::Duration {
    chrono::Duration::hours(n)
}

fn minutes(n: i64) -> chrono::Duration {
    chrono::Duration::minutes(n)
}

fn system_rows(history: &[History]) -> Vec<&History> {
    history.iter().filter(|h| h.actor_kind == "system").collect()
}

#[tokio::test]
async fn a_missed_response_is_recorded_announced_and_raises_the_priority_once() {
    let d = Desk::open().await;
    let customer = d.member("customer").await;
    // Medium: 24 h to answer, 3 days to resolve.
    let t = id(&d.create(&customer, json!({ "subject": "Late", "description": "Nobody answers" })).await);
    // Another organisation whose only ticket is low (48 h to answer): nothing due there.
    let other = d.platform.org().await;
    let other_customer = d.platform.member(&d.app, &other, "customer").await;
    let other_owner = d.platform.owner(&d.app, &other).await;
    let created = d
        .app
        .post(&other.slug, "/v1/tickets", &other_customer.token, &json!({ "subject": "Calm", "description": "x" }))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let other_ticket = id(&created.json());
    let lowered = d
        .app
        .patch(&other.slug, &format!("/v1/tickets/{other_ticket}"), &other_owner.token, &json!({ "priority": "low" }))
        .await;
    assert_eq!(lowered.status, 200, "{}", lowered.body);

    let jobs = jobs_ahead(&d.app.state, hours(25));
    jobs.sweep().await.unwrap();
    let mark = d.mark().await;
    let first = jobs.check().await.unwrap();
    assert_eq!((first.tenants, first.breaches, first.closed), (1, 1, 0), "only the tenant with something due");
    let metrics = d.app.state.metrics.render();
    assert!(metrics.contains(r#"work_queue_attempts_total{outcome="done",queue="sav_jobs"} 1"#), "{metrics}");

    let written = d.since(&mark).await;
    assert_eq!(written.actions(), ["sla_breached", "updated"]);
    assert!(written.history.iter().all(|h| h.actor_kind == "system" && h.actor_id.is_none()), "{:?}", written.history);
    let raise = written.history.iter().find(|h| h.action == "updated").unwrap();
    assert_eq!(raise.changes, json!({ "priority": ["medium", "high"] }));
    let event = &written.event("sav.ticket.sla_breach").payload;
    assert_eq!(event["event"], "TicketSLABreach");
    let data = &event["data"];
    assert_eq!(data["ticket_id"], t);
    assert_eq!(data["priority"], "medium", "the priority it breached at");
    assert_eq!(data["sla_type"], "response");
    assert_eq!(data["expected_minutes"], 24 * 60);
    let actual = data["actual_minutes"].as_i64().unwrap();
    assert!((25 * 60..25 * 60 + 2).contains(&actual), "{data}");
    assert!(data.get("assigned_to").is_some_and(Value::is_null), "{data}");
    let read = d.ticket(&d.owner, t).await;
    assert_eq!(read["priority"], "high");
    let recorded = d
        .db
        .scalar(&format!("SELECT count(*) FROM support_tickets WHERE id = {t} AND response_breached_at IS NOT NULL"))
        .await;
    assert_eq!(recorded, 1, "the breach is recorded on the ticket");

    // The raise brought the resolution target to high's day, which has passed too.
    let mark = d.mark().await;
    let second = jobs.check().await.unwrap();
    assert_eq!((second.tenants, second.breaches), (1, 1));
    let written = d.since(&mark).await;
    assert_eq!(written.actions(), ["sla_breached"], "a missed resolution raises nothing");
    let data = &written.event("sav.ticket.sla_breach").payload["data"];
    assert_eq!((data["sla_type"].as_str(), data["priority"].as_str()), (Some("resolution"), Some("high")));
    assert_eq!(data["expected_minutes"], 24 * 60);

    // Once per ticket and kind: nothing is due any more, so the tenant leaves the schedule.
    assert_eq!(jobs.check().await.unwrap(), Check::default());
    let later = jobs_ahead(&d.app.state, hours(24 * 30)).check().await.unwrap();
    assert_eq!((later.tenants, later.breaches), (1, 2), "the other organisation's low ticket at last, nothing here");
    let history = d.history(t).await;
    assert_eq!(count_action(&history, "sla_breached"), 2);
    assert_eq!(system_rows(&history).len(), 3);
    assert_eq!(d.ticket(&d.owner, t).await["priority"], "high", "raised once");
    let metrics = d.app.server.get("/metrics").await.body;
    for line in [
        r#"sla_breaches_total{priority="medium",sla_type="response"} 1"#,
        r#"sla_breaches_total{priority="high",sla_type="resolution"} 1"#,
        r#"sav_job_visits_total{outcome="acted",reason="claimed"} 3"#,
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
}

#[tokio::test]
async fn waiting_and_resolved_tickets_close_on_their_own_after_the_policy_delays() {
    let d = Desk::open().await;
    let mut policy = d.get(&d.owner, "/v1/sla/policy").await.json();
    policy["auto_close"] = json!({ "waiting_customer_minutes": 60, "resolved_minutes": 30 });
    let put = d.put(&d.owner, "/v1/sla/policy", &policy).await;
    assert_eq!(put.status, 200, "{}", put.body);
    let (customer, agent) = tokio::join!(d.member("customer"), d.member("agent"));
    let mut tickets = Vec::new();
    for subject in ["Waiting", "Resolved", "Answered"] {
        let t = id(&d.create(&customer, json!({ "subject": subject, "description": "x" })).await);
        d.assign(&agent, t, Some(&agent)).await;
        tickets.push(t);
    }
    let [waiting, resolved, answered] = tickets[..] else { unreachable!() };
    d.set_status(&agent, waiting, "waiting_customer").await;
    d.set_status(&agent, resolved, "resolved").await;
    d.set_status(&agent, answered, "waiting_customer").await;
    d.say(&customer, answered, "Here is the photo", false).await;
    let read = d.ticket(&agent, waiting).await;
    let closes_at: DateTime<Utc> = read["auto_close_at"].as_str().unwrap().parse().unwrap();
    assert!((closes_at - Utc::now() - minutes(60)).num_seconds().abs() < 30, "{read}");
    assert!(d.ticket(&agent, answered).await["auto_close_at"].is_null(), "the customer answered");

    // 45 minutes on: the resolved ticket closes, the waiting one has 15 minutes left.
    let jobs = jobs_ahead(&d.app.state, minutes(45));
    jobs.sweep().await.unwrap();
    let mark = d.mark().await;
    let check = jobs.check().await.unwrap();
    assert_eq!((check.closed, check.breaches), (1, 0));
    let written = d.since(&mark).await;
    assert_eq!(written.moves(), [("resolved", "closed")]);
    assert_eq!(written.history[0].actor_kind, "system");
    assert!(written.history[0].reason.as_deref().is_some_and(|r| r.contains("not reopened")), "{:?}", written.history);
    let changed = &written.event("sav.ticket.status_changed").payload["data"];
    assert_eq!((changed["ticket_id"].as_i64(), changed["new_status"].as_str()), (Some(resolved), Some("closed")));
    assert!(changed["changed_by"].is_null());
    assert_eq!(d.ticket(&agent, waiting).await["status"], "waiting_customer");

    // 61 minutes on: the waiting ticket closes; the answered one stays in progress.
    let mark = d.mark().await;
    let check = jobs_ahead(&d.app.state, minutes(61)).check().await.unwrap();
    assert_eq!(check.closed, 1);
    assert_eq!(d.since(&mark).await.moves(), [("waiting_customer", "closed")]);
    for (t, status) in [(waiting, "closed"), (resolved, "closed"), (answered, "in_progress")] {
        let read = d.ticket(&agent, t).await;
        assert_eq!(read["status"], status, "{read}");
        if status == "closed" {
            assert!(read["auto_close_at"].is_null());
        }
    }
    let metrics = d.app.server.get("/metrics").await.body;
    assert!(metrics.contains(r#"tickets_auto_closed_total{from="resolved"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"tickets_auto_closed_total{from="waiting_customer"} 1"#), "{metrics}");
}

#[tokio::test]
async fn two_workers_never_act_twice_on_a_ticket() {
    let d = Desk::open().await;
    let customer = d.member("customer").await;
    let mut tickets = Vec::new();
    for n in 0..30 {
        tickets.push(id(&d.create(&customer, json!({ "subject": format!("Due {n}"), "description": "x" })).await));
    }
    let second = d.platform.replica_with(|c| c.rate_limits.per_user_per_minute = 0).await;
    let (a, b) = (jobs_ahead(&d.app.state, hours(25)), jobs_ahead(&second.state, hours(25)));
    a.sweep().await.unwrap();
    let tenant = d.app.state.tenancy.resolver.resolve(&Slug::parse_syntax(&d.org.slug).unwrap()).await.unwrap();
    // Both claim at once, and both are hinted at once (a visit without a claim).
    let (ca, cb, va, vb) =
        tokio::join!(a.check(), b.check(), a.visit(&tenant, Reason::Hinted), b.visit(&tenant, Reason::Hinted));
    let mut breaches = ca.unwrap().breaches + cb.unwrap().breaches + va.unwrap().breaches + vb.unwrap().breaches;
    // Then until nothing is due (the raises brought the resolution targets in).
    for _ in 0..5 {
        let (ca, cb) = tokio::join!(a.check(), b.check());
        breaches += ca.unwrap().breaches + cb.unwrap().breaches;
    }
    assert_eq!(breaches, 60, "each ticket breached its response and its resolution once");
    let per_ticket: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT ticket_id, count(*) FILTER (WHERE changes->>'sla_type' = 'response'),
                count(*) FILTER (WHERE changes->>'sla_type' = 'resolution')
         FROM ticket_history WHERE action = 'sla_breached' GROUP BY ticket_id ORDER BY ticket_id",
    )
    .fetch_all(&d.db.pool)
    .await
    .unwrap();
    assert_eq!(per_ticket, tickets.iter().map(|t| (*t, 1, 1)).collect::<Vec<_>>());
    assert_eq!(d.db.scalar("SELECT count(*) FROM outbox WHERE routing_key = 'sav.ticket.sla_breach'").await, 60);
    assert_eq!(d.db.scalar("SELECT count(*) FROM support_tickets WHERE priority = 'high'").await, 30, "raised once");
}

#[tokio::test]
async fn running_jobs_find_a_breach_within_seconds_of_its_due_time() {
    let d = Desk::open().await;
    let customer = d.member("customer").await;
    // The jobs run as `serve` runs them (checking every SLA_CHECK_SECONDS, 2 by default), on a
    // clock 3 seconds short of an hour ahead.
    let jobs = jobs_ahead(&d.app.state, minutes(60) - chrono::Duration::seconds(3));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(jobs.run(async {
        let _ = stopped.await;
    }));
    let t = id(&d.create(&customer, json!({ "subject": "Urgent now", "description": "x" })).await);
    // An agent makes it urgent (an hour to answer): the due time comes near, and the jobs hear
    // of it through the change's hint, not through a sweep.
    let raised = d.patch(&d.owner, &format!("/v1/tickets/{t}"), &json!({ "priority": "urgent" })).await;
    assert_eq!(raised.status, 200, "{}", raised.body);
    let (due, breached): (DateTime<Utc>, DateTime<Utc>) =
        eventually(Duration::from_secs(15), "the breach is recorded", || async {
            sqlx::query_as(
                "SELECT response_due_at, response_breached_at FROM support_tickets
                 WHERE id = $1 AND response_breached_at IS NOT NULL",
            )
            .bind(t)
            .fetch_optional(&d.db.pool)
            .await
            .unwrap()
        })
        .await;
    let late = breached - due;
    // At most one check interval (2 s) plus the time to act, with room for a loaded machine.
    assert!(late >= chrono::Duration::zero() && late < chrono::Duration::seconds(5), "found {late} late");
    let _ = stop.send(());
    running.await.unwrap();
    assert_eq!(count_action(&d.history(t).await, "sla_breached"), 1);
}

#[tokio::test]
async fn a_wrong_stored_due_date_is_measured_again_and_breaches_nothing() {
    let d = Desk::open().await;
    let customer = d.member("customer").await;
    let t = id(&d.create(&customer, json!({ "subject": "On time", "description": "x" })).await);
    // A due date in the past that the history does not bear out (24 h to answer, asked now).
    d.db.execute(&format!("UPDATE support_tickets SET response_due_at = now() - interval '1 minute' WHERE id = {t}"))
        .await;
    let jobs = jobs_ahead(&d.app.state, chrono::Duration::zero());
    jobs.sweep().await.unwrap();
    let check = jobs.check().await.unwrap();
    assert_eq!((check.tenants, check.breaches), (1, 0), "visited, nothing recorded");
    assert_eq!(count_action(&d.history(t).await, "sla_breached"), 0);
    let hours_left =
        d.db.scalar(&format!(
            "SELECT extract(epoch FROM response_due_at - created_at)::bigint / 3600 FROM support_tickets WHERE id = {t}"
        ))
        .await;
    assert_eq!(hours_left, 24, "the due date is the policy's again");
    assert_eq!(d.db.count("outbox").await, 1, "TicketCreated only");
}
