//! Concurrent writers on one ticket: changes are serialised per ticket, so two assignments at
//! the same moment both land in order (one status change, a history that chains), and two
//! agents grabbing the same unassigned ticket cannot both get it. Each race runs on several
//! tickets, so a missing lock shows up even when one attempt happens to serialise by luck.

use serde_json::json;

use super::{Desk, count_action, id, moves};
use crate::helpers::Person;

const RACES: usize = 6;

async fn tickets(desk: &Desk, customer: &Person, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(id(&desk.create(customer, json!({ "subject": format!("Race {i}"), "description": "Go" })).await));
    }
    ids
}

#[tokio::test]
async fn two_admins_assigning_at_once_both_land_in_order() {
    let desk = Desk::open().await;
    let (customer, first, second) = tokio::join!(desk.member("customer"), desk.member("admin"), desk.member("admin"));
    for t in tickets(&desk, &customer, RACES).await {
        let path = format!("/v1/tickets/{t}/assign");
        let (to_first, to_second) = (json!({ "assigned_to": first.id }), json!({ "assigned_to": second.id }));
        let (a, b) = tokio::join!(desk.post(&first, &path, &to_first), desk.post(&second, &path, &to_second));
        assert_eq!(a.status, 200, "ticket {t}: {}", a.body);
        assert_eq!(b.status, 200, "ticket {t}: {}", b.body);

        let history = desk.history(t).await;
        let assigned: Vec<_> = history.iter().filter(|h| h.action == "assigned").collect();
        assert_eq!(assigned.len(), 2, "ticket {t}: {history:?}");
        assert_eq!(moves(&history), [("open", "in_progress")], "one status change on ticket {t}: {history:?}");
        // The second assignment saw the first: its old value is the first one's new value.
        let change = |i: usize, side: usize| assigned[i].changes["assigned_to"][side].clone();
        assert_eq!(change(0, 0), serde_json::Value::Null, "ticket {t}: {history:?}");
        assert_eq!(change(1, 0), change(0, 1), "a lost update on ticket {t}: {history:?}");
        assert_ne!(change(1, 1), change(0, 1), "ticket {t}: {history:?}");
        let ticket = desk.ticket(&desk.owner, t).await;
        assert_eq!(ticket["assigned_to"], change(1, 1), "the last writer wins on ticket {t}");
        assert_eq!(ticket["status"], "in_progress");

        let events = desk
            .db
            .scalar(&format!("SELECT count(*) FROM outbox WHERE (payload -> 'data' ->> 'ticket_id')::bigint = {t}"))
            .await;
        // created, 2 x assigned, 1 x status_changed.
        assert_eq!(events, 4, "ticket {t}");
    }
}

#[tokio::test]
async fn two_agents_cannot_both_take_the_same_ticket() {
    let desk = Desk::open().await;
    // Agents see their own tickets, their teams' and the queue of no team (not every ticket).
    desk.agent_access("teams").await;
    let (customer, first, second) = tokio::join!(desk.member("customer"), desk.member("agent"), desk.member("agent"));
    for t in tickets(&desk, &customer, RACES).await {
        let path = format!("/v1/tickets/{t}/assign");
        let (to_first, to_second) = (json!({ "assigned_to": first.id }), json!({ "assigned_to": second.id }));
        let (a, b) = tokio::join!(desk.post(&first, &path, &to_first), desk.post(&second, &path, &to_second));
        // The loser no longer sees a ticket taken by someone else: 404, as for any invisible one.
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 404], "ticket {t}: {} / {}", a.body, b.body);
        let winner = if a.status == 200 { &first } else { &second };
        let loser = if a.status == 200 { &b } else { &a };
        loser.assert_problem(404, "not_found");

        let history = desk.history(t).await;
        assert_eq!(count_action(&history, "assigned"), 1, "ticket {t}: {history:?}");
        assert_eq!(moves(&history), [("open", "in_progress")], "ticket {t}: {history:?}");
        assert_eq!(desk.ticket(&desk.owner, t).await["assigned_to"], winner.id.to_string());
    }
}

/// A request refused after it locked the ticket leaves no lock behind: the transaction's
/// rollback reaches the server before its connection waits in the pool.
#[tokio::test]
async fn a_refused_change_leaves_no_row_lock_behind() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let t = id(&desk.create(&customer, json!({ "subject": "Locked?", "description": "x" })).await);
    desk.assign(&agent, t, Some(&agent)).await;
    desk.set_status(&agent, t, "waiting_customer").await;
    // Unassigning a ticket that waits for the customer is refused after the row was locked.
    let refused = desk.post(&agent, &format!("/v1/tickets/{t}/assign"), &json!({ "assigned_to": null })).await;
    refused.assert_problem(409, "conflict");
    let pool = &desk.db.pool;
    harness::eventually(std::time::Duration::from_secs(5), "the row lock is released", || async move {
        let mut tx = pool.begin().await.ok()?;
        let taken = sqlx::query("SELECT 1 FROM support_tickets WHERE id = $1 FOR UPDATE NOWAIT")
            .bind(t)
            .execute(&mut *tx)
            .await
            .is_ok();
        let _ = tx.rollback().await;
        taken.then_some(())
    })
    .await;
}
