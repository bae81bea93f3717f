//! Teams and automatic assignment on a real tenant database: a routed team hands each ticket that
//! enters it to an eligible member in the write's own transaction (round robin evenly under
//! concurrency, least loaded by load, never past the cap, never to someone unavailable), a
//! ticket nobody may take waits and goes out soonest due first when someone may, a reopened
//! ticket leaves an assignee who is away, manual teams are left alone, agents see their teams'
//! queues only, and bad input changes nothing.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::future::join_all;
use harness::eventually;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Desk, id};
use crate::helpers::Person;

/// `POST /v1/teams` by the owner, which must succeed; the team.
async fn team(desk: &Desk, assignment: &str, cap: Option<i32>, members: &[&Person]) -> Value {
    let body = json!({
        "name": format!("Team {}", Uuid::now_v7()),
        "assignment": assignment,
        "max_open_per_agent": cap,
        "member_ids": members.iter().map(|m| m.id).collect::<Vec<_>>(),
    });
    let created = desk.post(&desk.owner, "/v1/teams", &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()
}

fn team_id(team: &Value) -> &str {
    team["id"].as_str().expect("a team id")
}

/// A ticket the owner opens for `customer` in `team`; the ticket as answered.
async fn open_in(desk: &Desk, customer: &Person, team: &Value, priority: &str) -> Value {
    let body = json!({
        "subject": "Where is my parcel?", "description": "Order 42", "user_id": customer.id,
        "team_id": team["id"], "priority": priority,
    });
    desk.create(&desk.owner, body).await
}

async fn agents(desk: &Desk, n: usize) -> Vec<Person> {
    join_all((0..n).map(|_| desk.member("agent"))).await
}

async fn set_available(desk: &Desk, who: &Person, available: bool) {
    let put = desk.put(who, "/v1/me/availability", &json!({ "available": available })).await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.json()["available"], available);
}

fn assignee(ticket: &Value) -> Option<Uuid> {
    ticket["assigned_to"].as_str().map(|a| a.parse().unwrap())
}

#[tokio::test]
async fn a_hundred_tickets_at_once_go_twenty_to_each_of_five_available_agents() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let five = agents(&desk, 5).await;
    let team = team(&desk, "round_robin", None, &five.iter().collect::<Vec<_>>()).await;
    let created = join_all((0..100).map(|_| open_in(&desk, &customer, &team, "medium"))).await;

    let mut dealt: HashMap<Uuid, usize> = HashMap::new();
    for ticket in &created {
        assert_eq!(ticket["status"], "in_progress", "{ticket}");
        assert_eq!(ticket["team_id"], team["id"]);
        *dealt.entry(assignee(ticket).expect("assigned at creation")).or_default() += 1;
    }
    assert_eq!(dealt.len(), 5, "{dealt:?}");
    assert!(dealt.values().all(|&n| n == 20), "exactly 20 each: {dealt:?}");
    assert!(five.iter().all(|a| dealt.contains_key(&a.id)));
    // Each ticket was assigned once, by routing, with its event.
    let tickets: Vec<i64> = created.iter().map(id).collect();
    let assigned = desk
        .db
        .scalar(&format!(
            "SELECT count(*) FROM ticket_history WHERE action = 'assigned' AND system_actor = 'routing'
               AND actor_id IS NULL AND ticket_id IN ({})",
            tickets.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ))
        .await;
    assert_eq!(assigned, 100);
    let events = desk.db.scalar("SELECT count(*) FROM outbox WHERE routing_key = 'sav.ticket.assigned'").await;
    assert_eq!(events, 100);
    let history = desk.get(&desk.owner, &format!("/v1/tickets/{}/history", tickets[0])).await.json();
    let routed = history["data"].as_array().unwrap().iter().find(|h| h["action"] == "assigned").unwrap().clone();
    assert_eq!(routed["actor"], json!({ "type": "system", "id": null, "name": "routing" }));
}

/// The members' places in the round, as stored: the one to be dealt next first.
async fn round_of(desk: &Desk, team: &Value) -> String {
    desk.db
        .text(&format!(
            "SELECT string_agg(user_id::text || '@' || coalesce(last_assigned_at::text, '-'), ','
                               ORDER BY last_assigned_at NULLS FIRST, user_id)
             FROM team_members WHERE team_id = '{}'",
            team_id(team)
        ))
        .await
}

#[tokio::test]
async fn creations_and_moves_into_a_team_share_one_round_and_a_refused_caller_takes_no_turn() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let three = agents(&desk, 3).await;
    let routed = team(&desk, "round_robin", None, &three.iter().collect::<Vec<_>>()).await;
    let manual = team(&desk, "manual", None, &[]).await;
    let outside = join_all((0..12).map(|_| open_in(&desk, &customer, &manual, "low"))).await;
    // New tickets take their turns ahead of their writes; moved ones under the team's lock.
    let created = join_all((0..18).map(|_| open_in(&desk, &customer, &routed, "medium")));
    let moved = join_all(outside.iter().map(|ticket| async {
        let path = format!("/v1/tickets/{}", id(ticket));
        let moved = desk.patch(&desk.owner, &path, &json!({ "team_id": routed["id"] })).await;
        assert_eq!(moved.status, 200, "{}", moved.body);
        moved.json()
    }));
    let (created, moved) = tokio::join!(created, moved);
    let mut dealt: HashMap<Uuid, usize> = HashMap::new();
    for ticket in created.iter().chain(&moved) {
        *dealt.entry(assignee(ticket).expect("routed")).or_default() += 1;
    }
    assert_eq!(dealt.len(), 3, "{dealt:?}");
    assert!(dealt.values().all(|&n| n == 10), "exactly 10 each: {dealt:?}");

    // A customer's team is ignored and takes no turn; nor does a team that is not one.
    let before = round_of(&desk, &routed).await;
    let body = json!({ "subject": "Hello", "description": "Where is it?", "team_id": routed["id"] });
    let own = desk.create(&customer, body).await;
    assert_eq!((own["team_id"].clone(), own["assigned_to"].clone()), (Value::Null, Value::Null));
    let unknown = json!({ "subject": "Hi", "description": "x", "user_id": customer.id, "team_id": Uuid::now_v7() });
    assert_eq!(desk.post(&desk.owner, "/v1/tickets", &unknown).await.status, 422);
    assert_eq!(round_of(&desk, &routed).await, before, "the round did not move");
    // The next creation goes to the member dealt longest ago.
    let next: Uuid = before.split(',').next().unwrap().split('@').next().unwrap().parse().unwrap();
    assert_eq!(assignee(&open_in(&desk, &customer, &routed, "high").await), Some(next));
}

#[tokio::test]
async fn least_loaded_gives_the_ticket_to_the_member_with_the_fewest_in_progress() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let [a, b, c]: [Person; 3] = agents(&desk, 3).await.try_into().unwrap();
    // Load by hand, outside the team: a holds two tickets in progress, c one, b none.
    for holder in [&a, &a, &c] {
        let t = id(&desk.create(&customer, json!({ "subject": "Before", "description": "x" })).await);
        desk.assign(&desk.owner, t, Some(holder)).await;
    }
    let team = team(&desk, "least_loaded", None, &[&a, &b, &c]).await;
    let mut order = Vec::new();
    for _ in 0..3 {
        order.push(assignee(&open_in(&desk, &customer, &team, "medium").await).unwrap());
    }
    // b (0); then b and c hold one each and c was never assigned in the team; then b (a holds 2).
    assert_eq!(order, [b.id, c.id, b.id]);
}

#[tokio::test]
async fn the_cap_holds_under_concurrency_and_the_rest_waits_in_the_queue() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let three = agents(&desk, 3).await;
    let team = team(&desk, "round_robin", Some(2), &three.iter().collect::<Vec<_>>()).await;
    let created = join_all((0..10).map(|_| open_in(&desk, &customer, &team, "medium"))).await;
    let assigned: Vec<Uuid> = created.iter().filter_map(assignee).collect();
    assert_eq!(assigned.len(), 6, "two each, the rest waits");
    for agent in &three {
        assert_eq!(assigned.iter().filter(|a| **a == agent.id).count(), 2);
    }
    let waiting = desk.list(&desk.owner, &[("team_id", team_id(&team)), ("status", "open")]).await;
    assert_eq!(waiting.len(), 4);
    let unrouted = desk
        .db
        .scalar(&format!(
            "SELECT count(*) FROM support_tickets WHERE team_id = '{}' AND assigned_to IS NULL AND queued_at IS NOT NULL",
            team_id(&team)
        ))
        .await;
    assert_eq!(unrouted, 4);
}

#[tokio::test]
async fn an_unavailable_agent_gets_nothing_and_colleagues_see_it() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let [away, here]: [Person; 2] = agents(&desk, 2).await.try_into().unwrap();
    set_available(&desk, &away, false).await;
    let team = team(&desk, "round_robin", None, &[&away, &here]).await;
    for _ in 0..6 {
        assert_eq!(assignee(&open_in(&desk, &customer, &team, "medium").await), Some(here.id));
    }
    let staff = desk.get(&here, "/v1/staff").await.json();
    let of = |p: &Person| staff["data"].as_array().unwrap().iter().find(|s| s["id"] == p.id.to_string()).cloned();
    assert_eq!(of(&away).unwrap()["available"], false);
    assert_eq!(of(&here).unwrap()["available"], true);
    assert_eq!(desk.get(&away, "/v1/me").await.json()["available"], false);
    let workload = desk.get(&desk.owner, "/v1/agents/workload").await.json();
    let load =
        workload["data"].as_array().unwrap().iter().find(|w| w["user_id"] == away.id.to_string()).unwrap().clone();
    assert_eq!((load["available"].clone(), load["team_ids"].clone()), (json!(false), json!([team["id"]])));
    // Anyone may still assign them by hand.
    let t = id(&open_in(&desk, &customer, &team, "medium").await);
    let moved = desk.assign(&desk.owner, t, Some(&away)).await;
    assert_eq!(assignee(&moved), Some(away.id));
}

#[tokio::test]
async fn waiting_tickets_go_out_soonest_due_first_when_a_member_may_take_one() {
    let desk = Desk::open_with(|c| c.jobs.in_serve = true).await;
    let customer = desk.member("customer").await;
    let agent = desk.member("agent").await;
    set_available(&desk, &agent, false).await;
    let team = team(&desk, "round_robin", Some(1), &[&agent]).await;
    // Opened in this order; due soonest: urgent, then high, then low.
    let mut by_priority = HashMap::new();
    for priority in ["low", "urgent", "high"] {
        let ticket = open_in(&desk, &customer, &team, priority).await;
        assert_eq!(ticket["status"], "open", "nobody may take it: it waits");
        by_priority.insert(priority, id(&ticket));
    }
    set_available(&desk, &agent, true).await;
    for priority in ["urgent", "high", "low"] {
        let t = by_priority[priority];
        let taken = eventually(Duration::from_secs(10), &format!("the {priority} ticket goes out"), || async {
            let ticket = desk.ticket(&desk.owner, t).await;
            (assignee(&ticket) == Some(agent.id)).then_some(ticket)
        })
        .await;
        assert_eq!(taken["status"], "in_progress");
        // The cap of one: nothing else went out meanwhile.
        let waiting = desk.list(&desk.owner, &[("team_id", team_id(&team)), ("status", "open")]).await;
        assert!(!waiting.contains(&t));
        assert_eq!(
            waiting.len(),
            by_priority.len() - 1 - ["urgent", "high", "low"].iter().position(|p| *p == priority).unwrap()
        );
        // Resolved, the agent drops below the cap and takes the next.
        desk.set_status(&agent, t, "resolved").await;
    }
}

#[tokio::test]
async fn a_waiting_queue_goes_round_the_members_who_come_back() {
    let desk = Desk::open_with(|c| c.jobs.in_serve = true).await;
    let customer = desk.member("customer").await;
    let three = agents(&desk, 3).await;
    let newcomer = desk.member("agent").await;
    desk.db.execute("UPDATE users SET available = false WHERE role = 'agent'").await;
    let team = team(&desk, "round_robin", None, &three.iter().collect::<Vec<_>>()).await;
    // More than one transaction's batch (50): the round goes on across batches.
    let opened = join_all((0..60).map(|_| open_in(&desk, &customer, &team, "medium"))).await;
    assert!(opened.iter().all(|t| t["status"] == "open"));
    // All three back at once, then a member joins: the queue is handed out, in turn.
    let ids: Vec<String> = three.iter().map(|a| format!("'{}'", a.id)).collect();
    desk.db.execute(&format!("UPDATE users SET available = true WHERE id IN ({})", ids.join(","))).await;
    let members: Vec<Uuid> = three.iter().chain([&newcomer]).map(|a| a.id).collect();
    let joined =
        desk.patch(&desk.owner, &format!("/v1/teams/{}", team_id(&team)), &json!({ "member_ids": members })).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    let dealt = eventually(Duration::from_secs(10), "the queue is handed out", || async {
        let waiting = desk.list(&desk.owner, &[("team_id", team_id(&team)), ("status", "open")]).await;
        if !waiting.is_empty() {
            return None;
        }
        let mut dealt = Vec::new();
        for agent in &three {
            dealt.push(
                desk.list(&desk.owner, &[("team_id", team_id(&team)), ("assigned_to", &agent.id.to_string())])
                    .await
                    .len(),
            );
        }
        Some(dealt)
    })
    .await;
    assert_eq!(dealt, [20, 20, 20], "in turn");
}

#[tokio::test]
async fn a_reopened_ticket_leaves_an_assignee_who_is_away_unless_nobody_else_may_take_it() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let [first, second]: [Person; 2] = agents(&desk, 2).await.try_into().unwrap();
    let team = team(&desk, "round_robin", None, &[&first, &second]).await;
    let ticket = open_in(&desk, &customer, &team, "medium").await;
    let (t, holder) = (id(&ticket), assignee(&ticket).unwrap());
    let (holder, other) = if holder == first.id { (&first, &second) } else { (&second, &first) };

    desk.set_status(holder, t, "resolved").await;
    set_available(&desk, holder, false).await;
    let reopened = desk.set_status(&customer, t, "in_progress").await;
    assert_eq!(assignee(&reopened), Some(other.id), "routed again: its assignee is away");

    // Nobody else available: the ticket stays with its assignee.
    desk.set_status(other, t, "resolved").await;
    set_available(&desk, other, false).await;
    let reopened = desk.set_status(&customer, t, "in_progress").await;
    assert_eq!(assignee(&reopened), Some(other.id));
}

#[tokio::test]
async fn an_unassigned_ticket_goes_to_someone_else_and_manual_teams_are_left_alone() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let [first, second]: [Person; 2] = agents(&desk, 2).await.try_into().unwrap();
    let routed = team(&desk, "round_robin", None, &[&first, &second]).await;
    let ticket = open_in(&desk, &customer, &routed, "medium").await;
    let taken_from = assignee(&ticket).unwrap();
    let back = desk.assign(&desk.owner, id(&ticket), None).await;
    let now = assignee(&back).expect("routed again at once");
    assert_ne!(now, taken_from, "never back to the member it was taken from");

    let manual = team(&desk, "manual", None, &[&first, &second]).await;
    let untouched = open_in(&desk, &customer, &manual, "urgent").await;
    assert_eq!((untouched["status"].clone(), untouched["assigned_to"].clone()), (json!("open"), Value::Null));
    // Moved into a routed team, it is routed; out of it, it stays as it is.
    let moved =
        desk.patch(&desk.owner, &format!("/v1/tickets/{}", id(&untouched)), &json!({ "team_id": routed["id"] })).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert!(assignee(&moved.json()).is_some());
}

#[tokio::test]
async fn agents_see_the_queues_of_their_teams_and_of_no_team() {
    let desk = Desk::open().await;
    // Agents see their own tickets, their teams' and the queue of no team (not every ticket).
    desk.agent_access("teams").await;
    let customer = desk.member("customer").await;
    let [mine, theirs]: [Person; 2] = agents(&desk, 2).await.try_into().unwrap();
    let my_team = team(&desk, "manual", None, &[&mine]).await;
    let their_team = team(&desk, "manual", None, &[&theirs]).await;
    let in_mine = id(&open_in(&desk, &customer, &my_team, "medium").await);
    let in_theirs = id(&open_in(&desk, &customer, &their_team, "medium").await);
    let in_none = id(&desk.create(&customer, json!({ "subject": "No team", "description": "x" })).await);

    let mut seen = desk.list(&mine, &[]).await;
    seen.sort_unstable();
    assert_eq!(seen, [in_mine, in_none]);
    desk.get(&mine, &format!("/v1/tickets/{in_theirs}")).await.assert_problem(404, "not_found");
    assert_eq!(desk.list(&mine, &[("team_id", "none")]).await, [in_none]);
    assert_eq!(desk.list(&mine, &[("team_id", team_id(&my_team))]).await, [in_mine]);
    assert!(desk.list(&mine, &[("team_id", team_id(&their_team))]).await.is_empty());
    // Their colleague's ticket, once assigned to them, is theirs to see.
    desk.assign(&desk.owner, in_theirs, Some(&mine)).await;
    assert_eq!(desk.ticket(&mine, in_theirs).await["team_id"], their_team["id"]);
    // Owners see every queue; a customer's team_id is ignored.
    assert_eq!(desk.list(&desk.owner, &[("team_id", team_id(&their_team))]).await, [in_theirs]);
    let own =
        desk.create(&customer, json!({ "subject": "Mine", "description": "x", "team_id": their_team["id"] })).await;
    assert_eq!(own["team_id"], Value::Null);
    // A team's deletion leaves its tickets without a team.
    let deleted = desk
        .send_raw(&desk.owner, reqwest::Method::DELETE, &format!("/v1/teams/{}", team_id(&my_team)), Vec::new())
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(desk.ticket(&desk.owner, in_mine).await["team_id"], Value::Null);
}

#[tokio::test]
async fn bad_team_input_is_refused_and_changes_nothing() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let existing = team(&desk, "round_robin", None, &[&agent]).await;
    let other = desk.platform.org().await;
    let stranger = desk.platform.member(&desk.app, &other, "agent").await;
    let before = (desk.db.count("teams").await, desk.db.count("team_members").await, desk.counts().await);

    let desk = &desk;
    let post = |body: Value| async move { desk.post(&desk.owner, "/v1/teams", &body).await };
    let base = |members: Vec<Uuid>| json!({ "name": "Billing", "assignment": "round_robin", "member_ids": members });
    for (body, field) in [
        (base(vec![customer.id]), "member_ids"),
        (base(vec![Uuid::now_v7()]), "member_ids"),
        (base(vec![stranger.id]), "member_ids"),
        (json!({ "name": " ", "assignment": "manual", "member_ids": [] }), "name"),
        (
            json!({ "name": "Capped", "assignment": "manual", "max_open_per_agent": 0, "member_ids": [] }),
            "max_open_per_agent",
        ),
    ] {
        let refused = post(body.clone()).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.json()["errors"][0]["field"], field, "{body}: {}", refused.body);
    }
    let taken = post(
        json!({ "name": existing["name"].as_str().unwrap().to_uppercase(), "assignment": "manual", "member_ids": [] }),
    )
    .await;
    taken.assert_problem(409, "team_name_taken");
    for body in [
        json!({ "name": "X", "assignment": "fastest", "member_ids": [] }),
        json!({ "name": "X", "assignment": "manual", "member_ids": [], "colour": "red" }),
        json!({ "name": "X", "assignment": "manual", "member_ids": "everyone" }),
    ] {
        post(body).await.assert_problem(400, "validation_failed");
    }
    let by_agent = desk.post(&agent, "/v1/teams", &base(vec![])).await;
    assert_eq!(by_agent.status, 403, "{}", by_agent.body);
    let unknown = Uuid::now_v7();
    desk.patch(&desk.owner, &format!("/v1/teams/{unknown}"), &json!({ "name": "Y" }))
        .await
        .assert_problem(404, "not_found");
    let ticket = json!({ "subject": "S", "description": "D", "user_id": customer.id, "team_id": unknown });
    let refused = desk.post(&desk.owner, "/v1/tickets", &ticket).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.json()["errors"][0]["field"], "team_id");
    desk.get(&desk.owner, "/v1/tickets?team_id=someone").await.assert_problem(400, "validation_failed");
    let bad_availability = desk.put(&agent, "/v1/me/availability", &json!({ "available": "yes" })).await;
    bad_availability.assert_problem(400, "validation_failed");
    let customer_availability = desk.put(&customer, "/v1/me/availability", &json!({ "available": false })).await;
    assert_eq!(customer_availability.status, 403);

    let after = (desk.db.count("teams").await, desk.db.count("team_members").await, desk.counts().await);
    assert_eq!(before, after, "nothing changed");
}

#[tokio::test]
async fn signing_out_of_every_session_makes_a_person_unavailable() {
    let desk = Desk::open().await;
    let agent = desk.member("agent").await;
    assert_eq!(desk.get(&agent, "/v1/me").await.json()["available"], true, "a new member is available");
    let out = desk.platform.plane.post_bearer("/v1/auth/logout-all", &agent.token, &json!({})).await;
    assert_eq!(out.status, 204, "{}", out.body);
    eventually(Duration::from_secs(10), "the agent is unavailable", || async {
        let staff = desk.get(&desk.owner, "/v1/staff").await.json();
        let row = staff["data"].as_array()?.iter().find(|s| s["id"] == agent.id.to_string())?.clone();
        (row["available"] == false).then_some(())
    })
    .await;
}
