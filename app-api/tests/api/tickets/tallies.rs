//! The tallies the view and tag counts are summed from (`ticket_tallies`, kept by the database):
//! after every kind of change (creation, assignment, status, tags, team, category, merge, rows
//! deleted) each view's count is what its tickets are, for an agent and for the owner, the views
//! the tallies cannot count included; concurrent changes and folds lose nothing; a count that
//! finds the tallies grown has them folded.

use std::time::Duration;

use harness::eventually;
use sav::tickets::tallies;
use serde_json::{Value, json};

use super::{Desk, id, ids_of};
use crate::helpers::{Person, TenantDb};

/// Rows of tickets (once each, once per tag) that the tallies do not sum to, and sums of the
/// tallies that no tickets make: both empty when the tallies are exact.
const MISMATCHES: &str = "
    WITH tickets AS (
        SELECT tag, t.status, t.priority, t.team_id, t.assigned_to, t.category, ticket_breach_kept(t),
               count(*)::bigint AS n
        FROM support_tickets t, unnest(array_prepend('', t.tags)) AS tag GROUP BY 1, 2, 3, 4, 5, 6, 7
    ), tallied AS (
        SELECT tag, status, priority, team_id, assigned_to, category, breached, sum(n)::bigint AS n
        FROM ticket_tallies GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(n) <> 0
    )
    SELECT count(*) FROM ((TABLE tickets EXCEPT TABLE tallied) UNION ALL (TABLE tallied EXCEPT TABLE tickets)) AS d";

async fn assert_tallies_exact(db: &TenantDb, after: &str) {
    assert_eq!(db.scalar(MISMATCHES).await, 0, "the tallies after {after}");
}

/// A view shared by the owner; its id.
async fn shared_view(desk: &Desk, name: &str, filters: Value) -> String {
    let body = json!({ "name": name, "filters": filters, "shared": true });
    let saved = desk.post(&desk.owner, "/v1/views", &body).await;
    assert_eq!(saved.status, 201, "{body}: {}", saved.body);
    saved.json()["id"].as_str().unwrap().to_owned()
}

/// How many tickets of view `view` `who` finds by listing them.
async fn listed(desk: &Desk, who: &Person, view: &str) -> i64 {
    let mut found = 0;
    let mut path = format!("/v1/views/{view}/tickets?limit=100");
    loop {
        let page = desk.get(who, &path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        let page = page.json();
        found += i64::try_from(ids_of(&page).len()).unwrap();
        match page["next_cursor"].as_str() {
            Some(next) => path = format!("/v1/views/{view}/tickets?limit=100&cursor={next}"),
            None => return found,
        }
    }
}

/// Every view's count for `who` is the number of its tickets `who` lists.
async fn assert_counts_are_listings(desk: &Desk, who: &Person, views: &[(&str, String)], after: &str) {
    let answer = desk.get(who, "/v1/views/counts").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let counts = answer.json();
    for (name, view) in views {
        let count = counts.as_array().unwrap().iter().find(|c| c["id"] == view.as_str()).unwrap()["count"].as_i64();
        assert_eq!(count, Some(listed(desk, who, view).await), "{name} for the {} after {after}", who.role);
    }
}

async fn patch(desk: &Desk, who: &Person, ticket: i64, body: Value) {
    let done = desk.patch(who, &format!("/v1/tickets/{ticket}"), &body).await;
    assert_eq!(done.status, 200, "{body}: {}", done.body);
}

#[tokio::test]
async fn counts_stay_exact_through_every_kind_of_change_for_each_role() {
    let desk = Desk::open().await;
    // Agents see their own tickets, their teams' and the queue of no team (not every ticket).
    desk.agent_access("teams").await;
    let (customer, agent, colleague) =
        (desk.member("customer").await, desk.member("agent").await, desk.member("agent").await);
    let team = desk
        .post(&desk.owner, "/v1/teams", &json!({ "name": "Retours", "assignment": "manual", "member_ids": [agent.id] }))
        .await;
    assert_eq!(team.status, 201, "{}", team.body);
    let team = team.json()["id"].as_str().unwrap().to_owned();
    // Counted from the tallies: by status, priority, assignee, team, category, one tag; over
    // the tickets: two tags, a tag left out, the SLA, words.
    let mut views = Vec::new();
    for (name, filters) in [
        ("every ticket", json!({})),
        ("open", json!({ "status": ["open"] })),
        ("high or urgent", json!({ "priority": ["high", "urgent"] })),
        ("unassigned", json!({ "unassigned": "true" })),
        ("the agent's", json!({ "assigned_to": agent.id })),
        ("the team's", json!({ "team_id": team })),
        ("no team", json!({ "team_id": "none" })),
        ("shipping", json!({ "category": "shipping" })),
        ("refund", json!({ "tag": "refund" })),
        ("vip, open", json!({ "tag_any": ["vip"], "status": ["open", "in_progress"] })),
        ("refund and vip", json!({ "tag": ["refund", "vip"] })),
        ("not refund", json!({ "no_tag": "refund" })),
        ("breached", json!({ "sla": "breached" })),
        ("words", json!({ "q": "colis" })),
    ] {
        views.push((name, shared_view(&desk, name, filters).await));
    }
    let check = async |after: &str| {
        assert_tallies_exact(&desk.db, after).await;
        for who in [&desk.owner, &agent, &colleague] {
            assert_counts_are_listings(&desk, who, &views, after).await;
        }
    };

    let mut tickets = Vec::new();
    for (n, (tags, priority, category)) in [
        (json!(["refund"]), "high", Some("shipping")),
        (json!(["refund", "vip"]), "low", None),
        (json!(["vip"]), "urgent", Some("shipping")),
        (json!([]), "medium", Some("billing")),
        (json!(["refund"]), "medium", None),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = json!({ "subject": format!("Colis {n}"), "description": "Abîmé", "user_id": customer.id, "tags": tags, "priority": priority });
        if let Some(category) = category {
            body["category"] = category.into();
        }
        tickets.push(id(&desk.create(&desk.owner, body).await));
    }
    let [agents, colleagues, teams, target, folded_in] = tickets[..] else { unreachable!() };
    check("the creations").await;

    desk.assign(&desk.owner, agents, Some(&agent)).await;
    desk.assign(&desk.owner, colleagues, Some(&colleague)).await;
    check("the assignments").await;
    desk.set_status(&agent, agents, "waiting_customer").await;
    check("a status change").await;
    patch(&desk, &agent, agents, json!({ "add_tags": ["vip"], "remove_tags": ["refund"] })).await;
    patch(&desk, &desk.owner, teams, json!({ "team_id": team, "category": null, "priority": "low" })).await;
    check("tags, a team, a category and a priority").await;
    patch(&desk, &desk.owner, target, json!({ "add_tags": ["refund"] })).await;
    let merged = desk
        .post(&desk.owner, &format!("/v1/tickets/{target}/merge"), &json!({ "source_ticket_ids": [folded_in] }))
        .await;
    assert_eq!(merged.status, 200, "{}", merged.body);
    check("a merge").await;
    desk.db.execute(&format!("DELETE FROM support_tickets WHERE id IN ({colleagues}, {folded_in})")).await;
    check("two rows deleted in one statement").await;
    // Breached, as the badge says: a target the jobs recorded missed, a response given late, and
    // a running clock past due that the jobs have not reached yet.
    desk.db
        .execute(&format!(
            "UPDATE support_tickets SET resolution_breached_at = now() WHERE id = {agents};
             UPDATE support_tickets SET first_response_at = response_due_at + interval '1 hour' WHERE id = {teams};
             UPDATE support_tickets SET response_due_at = now() - interval '1 minute' WHERE id = {target}"
        ))
        .await;
    let breached = views.iter().find(|(name, _)| *name == "breached").unwrap();
    assert_eq!(listed(&desk, &desk.owner, &breached.1).await, 3, "the three kinds of breach");
    check("breaches recorded, given late and not yet recorded").await;

    // Folded: the same counts, one row a combination, none of them a change.
    let mut conn = desk.db.pool.acquire().await.unwrap();
    assert!(tallies::fold(&mut conn).await.unwrap(), "no other fold holds the lock");
    check("a fold").await;
    assert_eq!(desk.db.scalar("SELECT count(*) FROM ticket_tallies WHERE NOT folded").await, 0);
    let combinations =
        "SELECT count(*) FROM (SELECT DISTINCT tag, status, priority, team_id, assigned_to, category, breached
        FROM ticket_tallies) c";
    assert_eq!(desk.db.scalar("SELECT count(*) FROM ticket_tallies").await, desk.db.scalar(combinations).await);

    // The tags' counts, from the same rows, as each may see the tickets: `agents` is the
    // agent's, `teams` waits in the agent's team, `target` in the queue of no team.
    let tags = async |who: &Person, query: &str| {
        let tags = desk.get(who, &format!("/v1/tags{query}")).await;
        assert_eq!(tags.status, 200, "{}", tags.body);
        tags.json()
    };
    let everything = json!([{ "name": "vip", "count": 2 }, { "name": "refund", "count": 1 }]);
    assert_eq!(tags(&desk.owner, "").await, everything);
    assert_eq!(tags(&agent, "").await, everything);
    assert_eq!(tags(&agent, "?q=v").await, json!([{ "name": "vip", "count": 2 }]));
    assert_eq!(tags(&colleague, "").await, json!([{ "name": "refund", "count": 1 }]));
}

#[tokio::test]
async fn concurrent_changes_and_folds_lose_nothing_and_a_grown_tally_is_folded() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let mut tickets = Vec::new();
    for n in 0..6 {
        let body =
            json!({ "subject": format!("Colis {n}"), "description": "x", "user_id": customer.id, "tags": ["refund"] });
        tickets.push(id(&desk.create(&desk.owner, body).await));
    }
    // Four writers tag, untag and change priorities while the tallies are folded again and again.
    let writers = (0..4).map(|w| {
        let (desk, tickets) = (&desk, &tickets);
        async move {
            for round in 0..10 {
                let ticket = tickets[(w + round) % tickets.len()];
                let tag = format!("w{w}");
                let body = if round % 2 == 0 {
                    json!({ "add_tags": [tag], "priority": "high" })
                } else {
                    json!({ "remove_tags": [tag], "priority": "low" })
                };
                patch(desk, &desk.owner, ticket, body).await;
            }
        }
    });
    let folds = async {
        let mut conn = desk.db.pool.acquire().await.unwrap();
        for _ in 0..20 {
            tallies::fold(&mut conn).await.unwrap();
        }
    };
    tokio::join!(futures_util::future::join_all(writers), folds);
    assert_tallies_exact(&desk.db, "concurrent writers and folds").await;

    // Thousands of changes made around the API; the next count finds them and has them folded.
    desk.db
        .execute(
            "DO $$ BEGIN FOR round IN 1..150 LOOP
                 UPDATE support_tickets SET priority = CASE priority WHEN 'low' THEN 'medium' ELSE 'low' END;
             END LOOP; END $$",
        )
        .await;
    let changes = "SELECT count(*) FROM ticket_tallies WHERE NOT folded";
    assert!(desk.db.scalar(changes).await > 2_000);
    shared_view(&desk, "every ticket", json!({})).await;
    let counts = desk.get(&desk.owner, "/v1/views/counts").await;
    assert_eq!(counts.status, 200, "{}", counts.body);
    assert_eq!(counts.json()[0]["count"], 6);
    eventually(Duration::from_secs(10), "the tallies folded after the count", || async {
        (desk.db.scalar(changes).await == 0).then_some(())
    })
    .await;
    assert_tallies_exact(&desk.db, "the fold a count asked for").await;
}
