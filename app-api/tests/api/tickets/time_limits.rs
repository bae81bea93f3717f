//! Every statement of a tenant's runs under a time limit (`TENANT_STATEMENT_TIMEOUT_MS`): one it
//! cuts (a lock held too long, say) answers 503 `server_busy` with `Retry-After` and leaves
//! nothing changed; reports and exports run under a longer one of their own
//! (`REPORT_STATEMENT_TIMEOUT_MS`).

use std::time::Duration;

use harness::eventually;
use serde_json::json;

use super::{Desk, id};

/// A desk whose statements may run 300 ms (reports keep their 60 s).
async fn hurried_desk() -> Desk {
    Desk::open_with(|c| c.pools.statement_timeout = Duration::from_millis(300)).await
}

#[tokio::test]
async fn a_statement_cut_by_its_time_limit_answers_server_busy_and_changes_nothing() {
    let d = hurried_desk().await;
    let (customer, agent) = tokio::join!(d.member("customer"), d.member("agent"));
    let ticket = id(&d.create(&customer, json!({ "subject": "Parcel", "description": "Lost" })).await);
    let path = format!("/v1/tickets/{ticket}");

    // Someone else holds the ticket's row longer than a statement may wait for it.
    let mut holder = d.db.pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM support_tickets WHERE id = $1 FOR UPDATE")
        .bind(ticket)
        .execute(&mut *holder)
        .await
        .unwrap();
    let cut = d.patch(&agent, &path, &json!({ "priority": "high" })).await;
    cut.assert_problem(503, "server_busy");
    assert_eq!(cut.header("retry-after"), Some("1"), "{:?}", cut.headers);
    holder.rollback().await.unwrap();

    assert_eq!(d.ticket(&d.owner, ticket).await["priority"], "medium", "the cut change was not made");
    assert!(d.history(ticket).await.iter().all(|h| h.action != "priority_changed"));
    // The connection the cut statement ran on serves the next request.
    let changed = d.patch(&agent, &path, &json!({ "priority": "high" })).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["priority"], "high");
}

#[tokio::test]
async fn reports_wait_past_the_requests_limit() {
    let d = hurried_desk().await;
    let customer = d.member("customer").await;
    d.create(&customer, json!({ "subject": "Parcel", "description": "Lost" })).await;

    // The tickets' table locked by someone else: a request's statement is cut, a report's waits.
    let mut holder = d.db.pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE support_tickets IN ACCESS EXCLUSIVE MODE").execute(&mut *holder).await.unwrap();
    d.get(&d.owner, "/v1/tickets").await.assert_problem(503, "server_busy");

    let today = chrono::Utc::now().date_naive();
    let (from, to) = (today.pred_opt().unwrap(), today.succ_opt().unwrap());
    let path = format!("/v1/reports/performance?from={from}&to={to}&group_by=priority");
    let report = d.get(&d.owner, &path);
    let waited = async {
        eventually(Duration::from_secs(30), "the report waits on the lock for over a second", || async {
            let waiting =
                d.db.scalar(
                    "SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND application_name = 'helpdeskly-app-api'
                       AND wait_event_type = 'Lock' AND now() - query_start > interval '1 second'",
                )
                .await;
            (waiting == 1).then_some(())
        })
        .await;
        holder.rollback().await.unwrap();
    };
    let (report, ()) = tokio::join!(report, waited);
    assert_eq!(report.status, 200, "{}", report.body);
    assert_eq!(report.json()["total"]["created"], 1, "{}", report.body);
}
