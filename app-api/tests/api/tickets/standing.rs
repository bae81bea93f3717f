//! One rule for where a ticket stands, answered the same everywhere: the SLA badge of the list and
//! of the ticket, the `sla` filters and the summary's counts; and `allowed_statuses`, which is
//! exactly what `POST /v1/tickets/{id}/status` accepts, for every status and every role.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{Desk, id, with_query};
use crate::helpers::Person;

const STATUSES: [&str; 5] = ["open", "in_progress", "waiting_customer", "resolved", "closed"];
const BADGE_FIELDS: [&str; 6] = ["clock", "next", "due_at", "response_breached", "resolution_breached", "at_risk"];

/// Every ticket `who` may see, by id, as the list shows it.
async fn listed(desk: &Desk, who: &Person, query: &[(&str, &str)]) -> BTreeMap<i64, Value> {
    let mut pairs = vec![("limit", "100")];
    pairs.extend_from_slice(query);
    let page = desk.get(who, &with_query("/v1/tickets", &pairs)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let page = page.json();
    assert!(page["next_cursor"].is_null(), "one page holds them all");
    page["data"].as_array().unwrap().iter().map(|t| (id(t), t.clone())).collect()
}

/// A ticket of `customer` at `priority`, brought to `status` by staff.
async fn ticket_in(desk: &Desk, agent: &Person, customer: &Person, priority: &str, status: &str) -> i64 {
    let body = json!({ "subject": "Standing", "description": "where it stands", "priority": priority, "user_id": customer.id });
    let ticket = id(&desk.create(agent, body).await);
    match status {
        "open" => {}
        "closed" => {
            desk.set_status(agent, ticket, "closed").await;
        }
        _ => {
            desk.assign(agent, ticket, Some(agent)).await;
            if status != "in_progress" {
                desk.set_status(agent, ticket, status).await;
            }
        }
    }
    ticket
}

#[tokio::test]
async fn the_badge_is_the_same_in_the_list_the_ticket_the_filters_and_the_summary() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    let priorities = ["low", "medium", "high", "urgent"];
    let mut tickets = Vec::new();
    for i in 0..40 {
        let status = STATUSES[(i / 4) % 5];
        let ticket = ticket_in(&desk, &agent, &customer, priorities[i % 4], status).await;
        if i % 2 == 0 && status == "in_progress" {
            desk.say(&agent, ticket, "A first public answer", false).await;
        }
        tickets.push((i, ticket));
    }
    // Due times placed around now, against each ticket's own targets: past due, a tenth of the
    // target left (at risk), or far ahead; and breaches recorded earlier by the jobs.
    for (i, ticket) in &tickets {
        let (response, resolution) = match i % 3 {
            0 => ("now() - interval '5 minutes'", "now() + make_interval(secs => p.resolution_minutes * 60)"),
            1 => (
                "now() + make_interval(secs => p.response_minutes * 6)",
                "now() + make_interval(secs => p.resolution_minutes * 6)",
            ),
            _ => ("now() + make_interval(secs => p.response_minutes * 50)", "now() - interval '5 minutes'"),
        };
        let recorded_response = if i % 7 == 0 { "now() - interval '1 minute'" } else { "NULL" };
        let recorded_resolution = if i % 11 == 0 { "now() - interval '1 minute'" } else { "NULL" };
        desk.db
            .execute(&format!(
                "UPDATE support_tickets t SET response_due_at = {response}, resolution_due_at = {resolution},
                    response_risk_at = {response} - make_interval(secs => p.response_minutes * 15),
                    resolution_risk_at = {resolution} - make_interval(secs => p.resolution_minutes * 15),
                    response_breached_at = {recorded_response}, resolution_breached_at = {recorded_resolution}
                 FROM sla_policy_targets p WHERE p.version_id = t.sla_version_id AND p.priority = t.priority
                   AND t.id = {ticket}"
            ))
            .await;
    }

    let owner = desk.owner.clone();
    let list = listed(&desk, &owner, &[]).await;
    assert_eq!(list.len(), 40);
    let mut badges = BTreeMap::new();
    for (ticket, item) in &list {
        let detail = desk.ticket(&owner, *ticket).await;
        for field in BADGE_FIELDS {
            assert_eq!(item["sla"][field], detail["sla"][field], "ticket {ticket}: {field}: {item} vs {detail}");
        }
        assert_eq!(item["allowed_statuses"], detail["allowed_statuses"], "ticket {ticket}");
        badges.insert(*ticket, (item["status"].as_str().unwrap().to_owned(), item["sla"].clone()));
    }
    let flag = |badge: &Value, field: &str| badge[field].as_bool().unwrap();
    let ids_where = |keep: &dyn Fn(&str, &Value) -> bool| -> BTreeSet<i64> {
        badges.iter().filter(|(_, (status, badge))| keep(status, badge)).map(|(t, _)| *t).collect()
    };
    let breached = ids_where(&|_, b| flag(b, "response_breached") || flag(b, "resolution_breached"));
    let at_risk = ids_where(&|_, b| flag(b, "at_risk"));
    assert!(!breached.is_empty() && !at_risk.is_empty(), "the arrangement covers both");
    for ticket in &at_risk {
        let badge = &badges[ticket].1;
        let next = badge["next"].as_str().unwrap();
        assert!(!flag(badge, &format!("{next}_breached")), "a breached next target is no risk: {badge}");
    }
    // The recorded breaches stay on the badge whatever the status.
    for (i, ticket) in &tickets {
        if i % 7 == 0 {
            assert!(flag(&badges[ticket].1, "response_breached"), "ticket {ticket}");
        }
        if i % 11 == 0 {
            assert!(flag(&badges[ticket].1, "resolution_breached"), "ticket {ticket}");
        }
    }

    // The filters find exactly the badges that say so.
    let filtered = |found: BTreeMap<i64, Value>| found.into_keys().collect::<BTreeSet<_>>();
    assert_eq!(filtered(listed(&desk, &owner, &[("sla", "breached")]).await), breached);
    assert_eq!(filtered(listed(&desk, &owner, &[("sla", "at_risk")]).await), at_risk);

    // The summary counts every ticket not closed by its badge.
    let summary = desk.get(&owner, "/v1/sla/summary").await;
    assert_eq!(summary.status, 200, "{}", summary.body);
    let summary = summary.json();
    let not_closed = |keep: &dyn Fn(&Value) -> bool| {
        i64::try_from(badges.values().filter(|(status, badge)| status != "closed" && keep(badge)).count()).unwrap()
    };
    assert_eq!(summary["breaches"]["response"], not_closed(&|b| flag(b, "response_breached")), "{summary}");
    assert_eq!(summary["breaches"]["resolution"], not_closed(&|b| flag(b, "resolution_breached")), "{summary}");
    assert_eq!(
        summary["breaches"]["tickets"],
        not_closed(&|b| flag(b, "response_breached") || flag(b, "resolution_breached")),
        "{summary}"
    );
    assert_eq!(summary["at_risk_count"], not_closed(&|b| flag(b, "at_risk")), "{summary}");
    let listed_at_risk: BTreeSet<i64> = summary["at_risk"].as_array().unwrap().iter().map(id).collect();
    let open_at_risk = ids_where(&|status, b| status != "closed" && flag(b, "at_risk"));
    assert_eq!(listed_at_risk, open_at_risk, "{summary}");
    for entry in summary["at_risk"].as_array().unwrap() {
        let badge = &badges[&id(entry)].1;
        assert_eq!(entry["sla_type"], badge["next"]);
        assert_eq!(entry["due_at"], badge["due_at"]);
    }
}

#[tokio::test]
async fn allowed_statuses_are_exactly_the_moves_the_server_accepts() {
    let desk = Desk::open().await;
    let (agent, admin, customer) = tokio::join!(desk.member("agent"), desk.member("admin"), desk.member("customer"));
    let owner = desk.owner.clone();
    let mut walked = 0;
    for (role, who) in [("customer", &customer), ("agent", &agent), ("admin", &admin), ("owner", &owner)] {
        for from in STATUSES {
            for to in STATUSES {
                // A fresh ticket each time: a move that is accepted changes it. The agent's are
                // theirs (assigned to them, or in the queue), the customer's their own.
                let staff = if role == "agent" { &agent } else { &owner };
                let ticket = ticket_in(&desk, staff, &customer, "medium", from).await;
                let shown = desk.ticket(who, ticket).await;
                assert_eq!(shown["status"], from);
                let allowed: Vec<&str> =
                    shown["allowed_statuses"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
                let listed = listed(&desk, who, &[("status", from)]).await;
                assert_eq!(listed[&ticket]["allowed_statuses"], shown["allowed_statuses"], "{role} {from}");
                // With a reason, which every move takes and staff reopening needs.
                let body = json!({ "status": to, "reason": "Walking every move" });
                let moved = desk.post(who, &format!("/v1/tickets/{ticket}/status"), &body).await;
                if allowed.contains(&to) {
                    assert_eq!(moved.status, 200, "{role}: {from} -> {to} is offered: {}", moved.body);
                    assert_eq!(moved.json()["status"], to);
                    assert!(moved.json()["allowed_statuses"].is_array(), "{}", moved.body);
                } else {
                    assert!(moved.status == 409 || moved.status == 403, "{role}: {from} -> {to}: {}", moved.body);
                    if moved.status == 409 && moved.json()["code"] == "invalid_transition" {
                        assert_eq!(moved.json()["allowed"], shown["allowed_statuses"], "{role} {from}");
                    }
                }
                walked += 1;
            }
        }
    }
    assert_eq!(walked, 4 * 5 * 5);
}
