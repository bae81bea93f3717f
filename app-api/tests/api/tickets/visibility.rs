//! Who sees which ticket and which message, through every way of looking: the list, full-text
//! search, a single ticket, its messages, posting on it, its history, the SLA counts and unread
//! counts. Customers see their own tickets and public messages; agents see theirs and the
//! unassigned queue, internal notes included; admins and owners see everything; anything else
//! is a 404, never a 403 that would confirm it exists.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Desk, id, newest_first};
use crate::helpers::Person;

#[tokio::test]
#[allow(clippy::too_many_lines, reason = "one matrix, checked through every endpoint")]
async fn each_role_sees_exactly_its_tickets_and_messages() {
    let desk = Desk::open().await;
    // Agents see their own tickets, their teams' and the queue of no team (not every ticket).
    desk.agent_access("teams").await;
    let (c1, c2, a1, a2, admin) = tokio::join!(
        desk.member("customer"),
        desk.member("customer"),
        desk.member("agent"),
        desk.member("agent"),
        desk.member("admin"),
    );
    let owner = desk.owner.clone();
    // "wobbly" is in every subject: search must filter by visibility, not only by words.
    let t1 = id(&desk.create(&c1, json!({ "subject": "Wobbly table leg", "description": "It wobbles" })).await);
    let t2 = id(&desk.create(&c2, json!({ "subject": "Wobbly chair", "description": "Also wobbles" })).await);
    let t3 = id(&desk.create(&c2, json!({ "subject": "Wobbly lamp", "description": "Sapphire shade" })).await);
    desk.assign(&owner, t1, Some(&a1)).await;
    desk.assign(&owner, t3, Some(&a2)).await;
    desk.say(&c1, t1, "Any news about my table?", false).await;
    desk.say(&a1, t1, "We are looking into it", false).await;
    let note = id(&desk.say(&a1, t1, "Third complaint from this customer", true).await);

    let all = [t1, t2, t3];
    let matrix: [(&str, &Person, Vec<i64>); 6] = [
        ("customer 1", &c1, vec![t1]),
        ("customer 2", &c2, vec![t2, t3]),
        ("agent 1", &a1, vec![t1, t2]),
        ("agent 2", &a2, vec![t2, t3]),
        ("admin", &admin, vec![t1, t2, t3]),
        ("owner", &owner, vec![t1, t2, t3]),
    ];

    // First pass: nothing here reads messages, so unread counts are still as written.
    for (name, who, visible) in &matrix {
        assert_eq!(desk.list(who, &[]).await, newest_first(visible), "{name} lists");
        assert_eq!(desk.list(who, &[("q", "wobbly")]).await, newest_first(visible), "{name} searches");
        // A word only the lamp's description holds.
        let sapphire = if visible.contains(&t3) { vec![t3] } else { vec![] };
        assert_eq!(desk.list(who, &[("q", "sapphire")]).await, sapphire, "{name} searches descriptions");
        for ticket in all {
            let got = desk.get(who, &format!("/v1/tickets/{ticket}")).await;
            if !visible.contains(&ticket) {
                got.assert_problem(404, "not_found");
                continue;
            }
            assert_eq!(got.status, 200, "{name} reads {ticket}: {}", got.body);
            // One message from the other side on t1 for everybody who sees it: the customer's
            // question for staff, the agent's public answer for the customer (the internal
            // note never counts for a customer).
            let unread = i32::from(ticket == t1);
            assert_eq!(got.json()["unread_count"], unread, "{name} unread on {ticket}: {}", got.body);
        }
    }

    // The SLA counts cover what the caller sees, and only staff read them.
    let mut running = BTreeMap::new();
    for ticket in all {
        let t = desk.ticket(&owner, ticket).await;
        running.insert(ticket, (t["status"].as_str().unwrap().to_owned(), t["priority"].as_str().unwrap().to_owned()));
    }
    for (name, who, visible) in &matrix {
        let summary = desk.get(who, "/v1/sla/summary").await;
        if who.role == "customer" {
            summary.assert_problem(403, "forbidden");
            continue;
        }
        assert_eq!(summary.status, 200, "{name}: {}", summary.body);
        let mut expected: BTreeMap<(String, String), i64> = BTreeMap::new();
        for ticket in visible {
            *expected.entry(running[ticket].clone()).or_default() += 1;
        }
        let mut counted: BTreeMap<(String, String), i64> = BTreeMap::new();
        for row in summary.json()["open"].as_array().unwrap() {
            let count = row["count"].as_i64().unwrap();
            if count > 0 {
                let key = (row["status"].as_str().unwrap().to_owned(), row["priority"].as_str().unwrap().to_owned());
                *counted.entry(key).or_default() += count;
            }
        }
        assert_eq!(counted, expected, "{name}'s SLA counts: {}", summary.body);
        assert_eq!(counted.values().sum::<i64>(), i64::try_from(visible.len()).unwrap(), "{name}");
    }

    // Second pass: messages, and posting.
    for (name, who, visible) in &matrix {
        for ticket in all {
            let path = format!("/v1/tickets/{ticket}/messages");
            let messages = desk.get(who, &path).await;
            let posted = desk.post(who, &path, &json!({ "message": "Hello?" })).await;
            if !visible.contains(&ticket) {
                messages.assert_problem(404, "not_found");
                posted.assert_problem(404, "not_found");
                continue;
            }
            assert_eq!(messages.status, 200, "{name} reads messages of {ticket}: {}", messages.body);
            assert_eq!(posted.status, 201, "{name} writes on {ticket}: {}", posted.body);
            if ticket != t1 {
                continue;
            }
            let data = messages.json()["data"].as_array().unwrap().clone();
            let ids: Vec<i64> = data.iter().map(id).collect();
            if who.role == "customer" {
                assert_eq!(data.len(), 2, "{name} sees the two public messages: {data:?}");
                assert!(!ids.contains(&note), "{name} sees the internal note");
                assert!(data.iter().all(|m| m["is_internal"] == false));
            } else {
                // Staff see the internal note, and what others posted in this pass before them.
                assert!(ids.contains(&note), "{name} misses the internal note: {data:?}");
                assert!(data.len() >= 3);
            }
        }
    }
    // Refused posts wrote nothing: 3 messages at first, then one per person per visible ticket.
    let posts: i64 = matrix.iter().map(|(_, _, visible)| i64::try_from(visible.len()).unwrap()).sum();
    assert_eq!(desk.db.count("ticket_messages").await, 3 + posts);

    // History is for staff who see the ticket.
    desk.get(&c1, &format!("/v1/tickets/{t1}/history")).await.assert_problem(403, "forbidden");
    desk.get(&a2, &format!("/v1/tickets/{t1}/history")).await.assert_problem(404, "not_found");
    assert_eq!(desk.get(&a1, &format!("/v1/tickets/{t1}/history")).await.status, 200);
    assert_eq!(desk.get(&admin, &format!("/v1/tickets/{t3}/history")).await.status, 200);
}

#[tokio::test]
async fn an_agent_loses_sight_of_a_ticket_given_to_someone_else() {
    let desk = Desk::open().await;
    // Agents see their own tickets, their teams' and the queue of no team (not every ticket).
    desk.agent_access("teams").await;
    let (customer, a1, a2) = tokio::join!(desk.member("customer"), desk.member("agent"), desk.member("agent"));
    let ticket = id(&desk.create(&customer, json!({ "subject": "Broken zip", "description": "On my jacket" })).await);
    // Unassigned: both agents see it in the queue.
    assert_eq!(desk.list(&a1, &[]).await, [ticket]);
    assert_eq!(desk.list(&a2, &[]).await, [ticket]);
    desk.assign(&a1, ticket, Some(&a1)).await;
    assert_eq!(desk.list(&a2, &[]).await, Vec::<i64>::new());
    desk.get(&a2, &format!("/v1/tickets/{ticket}")).await.assert_problem(404, "not_found");
    // ...and cannot act on it any more.
    let path = format!("/v1/tickets/{ticket}/assign");
    desk.post(&a2, &path, &json!({ "assigned_to": a2.id })).await.assert_problem(404, "not_found");
    desk.post(&a2, &format!("/v1/tickets/{ticket}/status"), &json!({ "status": "waiting_customer" }))
        .await
        .assert_problem(404, "not_found");
    desk.patch(&a2, &format!("/v1/tickets/{ticket}"), &json!({ "subject": "Mine now" }))
        .await
        .assert_problem(404, "not_found");
    // Handed over to the second agent, the first one no longer sees it.
    desk.assign(&desk.owner, ticket, Some(&a2)).await;
    assert_eq!(desk.list(&a1, &[]).await, Vec::<i64>::new());
    assert_eq!(desk.ticket(&a2, ticket).await["assigned_to"], a2.id.to_string());
    // A customer never sees a stranger's ticket, even unassigned.
    let stranger = desk.member("customer").await;
    desk.get(&stranger, &format!("/v1/tickets/{ticket}")).await.assert_problem(404, "not_found");
}

/// A ticket names its customer (with the VIP flag) and its assignee; the team list is for the
/// team only.
#[tokio::test]
async fn tickets_name_their_people_and_staff_see_their_team() {
    let desk = Desk::open().await;
    let (customer, agent, other) = tokio::join!(desk.member("customer"), desk.member("agent"), desk.member("customer"));
    desk.db.execute(&format!("UPDATE users SET vip = true WHERE id = '{}'", customer.id)).await;
    let ticket = id(&desk.create(&customer, json!({ "subject": "Retour", "description": "x" })).await);
    desk.assign(&agent, ticket, Some(&agent)).await;

    let seen = desk.ticket(&agent, ticket).await;
    assert_eq!(seen["customer"]["id"], customer.id.to_string());
    assert_eq!(seen["customer"]["email"], customer.email.as_str());
    assert_eq!(seen["customer"]["vip"], true);
    assert_eq!(seen["assignee"]["id"], agent.id.to_string());
    assert!(seen["assignee"]["firstname"].is_string());
    assert!(seen["assignee"].get("email").is_none(), "an assignee is named, not reachable");
    let mine = desk.ticket(&customer, ticket).await;
    assert_eq!(mine["assignee"]["id"], agent.id.to_string());

    let team = desk.get(&agent, "/v1/staff?limit=100").await;
    assert_eq!(team.status, 200, "{}", team.body);
    let ids: Vec<String> =
        team.json()["data"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect();
    assert!(ids.contains(&agent.id.to_string()) && ids.contains(&desk.owner.id.to_string()), "{ids:?}");
    assert!(!ids.contains(&customer.id.to_string()), "customers are not staff");
    desk.get(&other, "/v1/staff").await.assert_problem(403, "forbidden");
    desk.get(&agent, "/v1/staff?cursor=nope").await.assert_problem(422, "validation_failed");
}

/// The organisation's `agent_ticket_access` decides what an agent sees on every read path (the
/// list, a search, the ticket and its thread, a view's count, the tags in use), from the next
/// request on; owners and customers are not concerned. Only admins change it; a value that is
/// none is refused naming the field.
#[tokio::test]
async fn agent_access_decides_what_agents_see_on_every_read_path() {
    let desk = Desk::open().await;
    let (customer, me, colleague) = tokio::join!(desk.member("customer"), desk.member("agent"), desk.member("agent"));
    let team = |name: &str| json!({ "name": name, "assignment": "manual", "member_ids": [me.id, colleague.id] });
    let billing = desk.post(&desk.owner, "/v1/teams", &team("Billing")).await.json()["id"].clone();
    let returns = desk
        .post(
            &desk.owner,
            "/v1/teams",
            &json!({ "name": "Returns", "assignment": "manual", "member_ids": [colleague.id] }),
        )
        .await
        .json()["id"]
        .clone();
    // Opened by the owner for the customer.
    let open = |subject: &str, team: Option<&Value>| {
        let mut body = json!({
            "subject": format!("Parcel {subject}"), "description": "Where is it?", "tags": ["parcel"], "user_id": customer.id,
        });
        if let Some(team) = team {
            body["team_id"] = team.clone();
        }
        body
    };
    // Mine; a colleague's of no team; a colleague's of my team; the queue of no team; the queue
    // of a team I am not in.
    let mine = id(&desk.create(&desk.owner, open("mine", None)).await);
    desk.assign(&desk.owner, mine, Some(&me)).await;
    let theirs = id(&desk.create(&desk.owner, open("theirs", None)).await);
    desk.assign(&desk.owner, theirs, Some(&colleague)).await;
    let team_theirs = id(&desk.create(&desk.owner, open("team", Some(&billing))).await);
    desk.assign(&desk.owner, team_theirs, Some(&colleague)).await;
    let queue = id(&desk.create(&desk.owner, open("queue", None)).await);
    let other_queue = id(&desk.create(&desk.owner, open("elsewhere", Some(&returns))).await);
    let every = [mine, theirs, team_theirs, queue, other_queue];
    let view = desk.post(&me, "/v1/views", &json!({ "name": "Parcels", "filters": { "tag": ["parcel"] } })).await;
    assert_eq!(view.status, 201, "{}", view.body);
    let view_id = view.json()["id"].clone();

    for (access, seen) in [
        ("all", every.to_vec()),
        ("teams", vec![mine, team_theirs, queue]),
        ("assigned", vec![mine]),
        ("all", every.to_vec()),
    ] {
        desk.agent_access(access).await;
        let mut listed = desk.list(&me, &[]).await;
        listed.sort_unstable();
        assert_eq!(listed, seen, "{access}: the list");
        let mut found = desk.list(&me, &[("q", "parcel")]).await;
        found.sort_unstable();
        assert_eq!(found, seen, "{access}: a search");
        for t in every {
            let expected = if seen.contains(&t) { 200 } else { 404 };
            assert_eq!(desk.get(&me, &format!("/v1/tickets/{t}")).await.status, expected, "{access}: ticket {t}");
            let thread = desk.get(&me, &format!("/v1/tickets/{t}/messages")).await;
            assert_eq!(thread.status, expected, "{access}: the thread of {t}");
        }
        let counts = desk.get(&me, "/v1/views/counts").await.json();
        let count = counts.as_array().unwrap().iter().find(|c| c["id"] == view_id).unwrap()["count"].clone();
        assert_eq!(count, json!(seen.len()), "{access}: the view's count");
        let tags = desk.get(&me, "/v1/tags").await.json();
        assert_eq!(tags, json!([{ "name": "parcel", "count": seen.len() }]), "{access}: the tags in use");
        // The owner sees every ticket, the customer their own, whatever agents are given.
        assert_eq!(desk.list(&desk.owner, &[]).await.len(), every.len());
        assert_eq!(desk.list(&customer, &[]).await.len(), every.len(), "{access}: every ticket is the customer's");
    }

    // Only owners and admins change it, before anything of the body is read; a value that is
    // none, or a field that is none, is refused naming it.
    let path = "/v1/ticket-settings";
    desk.patch(&me, path, &json!({ "agent_ticket_access": "nonsense" })).await.assert_problem(403, "forbidden");
    desk.patch(&customer, path, &json!({})).await.assert_problem(403, "forbidden");
    let bad = desk.patch(&desk.owner, path, &json!({ "agent_ticket_access": "some" })).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(bad.json()["errors"][0]["field"], "agent_ticket_access");
    let unknown = desk.patch(&desk.owner, path, &json!({ "agent_access": "all" })).await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    let settings = desk.get(&me, path).await.json();
    assert_eq!(settings["agent_ticket_access"], "all", "unchanged by the refusals");
    let theirs = desk.get(&customer, path).await.json();
    assert_eq!(theirs, json!({ "order_number": "optional" }), "customers read what concerns them alone");
}
