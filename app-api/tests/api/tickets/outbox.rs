//! The outbox is written in the same transaction as the change it describes: a successful
//! request leaves exactly its events, and a request that fails at commit leaves neither the
//! change nor its history nor its events. The failure is injected in the tenant database with a
//! deferred constraint trigger that raises on a marker in an event's payload, so it strikes at
//! COMMIT, after every statement of the request succeeded.

use serde_json::json;

use super::{Desk, count_action, id};

const MARKER: &str = "boom-marker";

/// Makes every commit that wrote an outbox row whose payload holds `marker` fail, after every
/// statement of its request succeeded.
pub async fn install_failure(desk: &Desk, marker: &str) {
    desk.db
        .execute_as_admin(&format!(
            "CREATE FUNCTION fail_marker() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
                 IF NEW.payload::text LIKE '%{marker}%' THEN RAISE EXCEPTION 'injected failure'; END IF;
                 RETURN NEW;
             END $$;
             CREATE CONSTRAINT TRIGGER fail_marker AFTER INSERT ON outbox
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_marker();"
        ))
        .await;
}

#[tokio::test]
async fn a_change_and_its_events_commit_together_or_not_at_all() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));

    // Success: exactly the expected rows, unpublished, each with its own message id.
    let mark = desk.mark().await;
    let t = id(&desk.create(&customer, json!({ "subject": "Dented kettle", "description": "Arrived dented" })).await);
    desk.assign(&agent, t, Some(&agent)).await;
    let written = desk.since(&mark).await;
    assert_eq!(written.keys(), ["sav.ticket.assigned", "sav.ticket.created", "sav.ticket.status_changed"]);
    assert_eq!(count_action(&written.history, "created"), 1);
    assert_eq!(count_action(&written.history, "assigned"), 1);
    assert_eq!(written.moves(), [("open", "in_progress")], "{written:?}");
    assert_eq!(written.events[0].routing_key, "sav.ticket.created", "events keep the order of the changes");
    let distinct: std::collections::HashSet<_> = written.events.iter().map(|e| e.message_id).collect();
    assert_eq!(distinct.len(), 3);

    install_failure(&desk, MARKER).await;
    let counts = desk.counts().await;
    let before = desk.ticket(&desk.owner, t).await;

    // The reason travels in TicketStatusChanged: the commit fails, the client gets a bare 500.
    let mark = desk.mark().await;
    let failed = desk
        .post(&agent, &format!("/v1/tickets/{t}/status"), &json!({ "status": "waiting_customer", "reason": MARKER }))
        .await;
    let problem = failed.assert_problem(500, "internal_error");
    assert!(!failed.body.contains("injected failure"), "a 5xx leaks internals: {problem}");
    assert!(desk.since(&mark).await.is_empty());
    assert_eq!(desk.counts().await, counts);
    let after = desk.ticket(&desk.owner, t).await;
    assert_eq!(after["status"], "in_progress");
    assert_eq!(after["updated_at"], before["updated_at"]);

    // The subject travels in TicketCreated: no ticket, no history.
    let failed = desk
        .post(&customer, "/v1/tickets", &json!({ "subject": format!("{MARKER} kettle"), "description": "x" }))
        .await;
    failed.assert_problem(500, "internal_error");
    assert_eq!(desk.counts().await, counts);
    assert!(desk.since(&mark).await.is_empty());
    assert_eq!(desk.list(&customer, &[]).await, [t]);

    // The same request without the marker goes through: the failure was the injected one.
    let mark = desk.mark().await;
    let ok = desk
        .post(&agent, &format!("/v1/tickets/{t}/status"), &json!({ "status": "waiting_customer", "reason": "Photo?" }))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let written = desk.since(&mark).await;
    assert_eq!(written.keys(), ["sav.ticket.status_changed"]);
    assert_eq!(written.moves(), [("in_progress", "waiting_customer")], "{written:?}");
    assert_eq!(desk.db.count("outbox").await, 4, "three events for the first two requests, one for the last");
}
