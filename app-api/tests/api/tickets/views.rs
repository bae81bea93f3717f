//! Saved views on a real tenant database: a person's own views and the shared ones, their
//! tickets found exactly as the list finds them (in their order, in pages, as the caller may see
//! them), every view's exact count in one request, who may keep which view, the limits, and bad
//! input (unknown filters and values, wrong shapes, another person's view) changing nothing.

use serde_json::{Value, json};

use super::{Desk, id, ids_of};
use crate::helpers::Person;

async fn save(desk: &Desk, who: &Person, body: Value) -> Value {
    let saved = desk.post(who, "/v1/views", &body).await;
    assert_eq!(saved.status, 201, "{} saves {body}: {}", who.role, saved.body);
    saved.json()
}

fn view_id(view: &Value) -> &str {
    view["id"].as_str().expect("a view id")
}

/// Every ticket id of view `view` for `who`, following the cursor, `limit` a page.
async fn tickets_of(desk: &Desk, who: &Person, view: &Value, limit: u32) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/v1/views/{}/tickets?limit={limit}&cursor={cursor}", view_id(view)),
            None => format!("/v1/views/{}/tickets?limit={limit}", view_id(view)),
        };
        let page = desk.get(who, &path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        let page = page.json();
        ids.extend(ids_of(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
}

async fn counts(desk: &Desk, who: &Person) -> Vec<(String, i64)> {
    let answer = desk.get(who, "/v1/views/counts").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["count"].as_i64().unwrap()))
        .collect()
}

/// A ticket the owner opens for `customer`; its id.
async fn open(desk: &Desk, customer: &Person, tags: &[&str], priority: &str) -> i64 {
    let body = json!({ "subject": "Colis", "description": "Abîmé", "user_id": customer.id, "tags": tags, "priority": priority });
    id(&desk.create(&desk.owner, body).await)
}

#[tokio::test]
async fn a_view_finds_what_the_list_finds_and_counts_it_exactly() {
    let desk = Desk::open().await;
    // Agents see their own tickets, their teams' and the queue of no team (not every ticket).
    desk.agent_access("teams").await;
    let customer = desk.member("customer").await;
    let agent = desk.member("agent").await;
    let colleague = desk.member("agent").await;
    let a = open(&desk, &customer, &["refund"], "high").await;
    let b = open(&desk, &customer, &["refund", "vip"], "low").await;
    let c = open(&desk, &customer, &["refund"], "high").await;
    let d = open(&desk, &customer, &[], "high").await;
    desk.assign(&desk.owner, c, Some(&colleague)).await;

    // The agent's own view: refund tickets, not low, oldest first.
    let mine = save(
        &desk,
        &agent,
        json!({ "name": " Remboursements ", "filters": { "tag": "refund", "priority": ["high", "urgent"] }, "sort": "oldest" }),
    )
    .await;
    assert_eq!(mine["name"], "Remboursements");
    assert_eq!(mine["shared"], false);
    assert_eq!(mine["owner_id"], agent.id.to_string());
    // What the list gives with the same filters, as the same person; the colleague's ticket is
    // not the agent's to see.
    let listed = desk.list(&agent, &[("tag", "refund"), ("priority", "high,urgent"), ("sort", "oldest")]).await;
    assert_eq!(listed, [a]);
    assert_eq!(tickets_of(&desk, &agent, &mine, 1).await, listed);

    // A shared view by the owner: every unassigned ticket, newest first, in pages of one.
    let shared =
        save(&desk, &desk.owner, json!({ "name": "À attribuer", "filters": { "unassigned": "true" }, "shared": true }))
            .await;
    assert_eq!(tickets_of(&desk, &agent, &shared, 1).await, [d, b, a]);
    let theirs = desk.get(&desk.owner, &format!("/v1/views/{}/tickets", view_id(&mine))).await;
    assert_eq!(theirs.status, 404, "another's own view is not found: {}", theirs.body);

    // Counts: every view the caller sees, in the order of the list (shared first), exact.
    let listed_views = desk.get(&agent, "/v1/views").await.json();
    let names: Vec<&str> = listed_views.as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["À attribuer", "Remboursements"]);
    assert_eq!(counts(&desk, &agent).await, [(view_id(&shared).to_owned(), 3), (view_id(&mine).to_owned(), 1)]);
    // The owner sees the shared view only (not the agent's own), and counts all they may see.
    assert_eq!(counts(&desk, &desk.owner).await, [(view_id(&shared).to_owned(), 3)]);
    // A change shows in the next count.
    desk.assign(&desk.owner, d, Some(&agent)).await;
    assert_eq!(counts(&desk, &agent).await[0].1, 2);

    // Changed: its filters, then its name; the tickets follow.
    let changed = desk
        .patch(&agent, &format!("/v1/views/{}", view_id(&mine)), &json!({ "filters": { "tag_any": ["vip"] } }))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["filters"], json!({ "tag_any": ["vip"] }));
    assert_eq!(changed.json()["sort"], "oldest");
    assert_eq!(tickets_of(&desk, &agent, &mine, 50).await, [b]);
    let deleted =
        desk.send_raw(&agent, reqwest::Method::DELETE, &format!("/v1/views/{}", view_id(&mine)), Vec::new()).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(counts(&desk, &agent).await.len(), 1);
}

#[tokio::test]
async fn who_may_keep_which_view() {
    let desk = Desk::open().await;
    let agent = desk.member("agent").await;
    let other = desk.member("agent").await;
    let admin = desk.member("admin").await;
    let customer = desk.member("customer").await;

    let refused = desk.post(&agent, "/v1/views", &json!({ "name": "Tous", "filters": {}, "shared": true })).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let shared =
        save(&desk, &admin, json!({ "name": "Urgents", "filters": { "priority": "urgent" }, "shared": true })).await;
    let own =
        save(&desk, &agent, json!({ "name": "Les miens", "filters": { "assigned_to": agent.id.to_string() } })).await;

    // A shared view is kept by owners and admins; an agent sees it and may not change it.
    let path = format!("/v1/views/{}", view_id(&shared));
    assert_eq!(desk.patch(&agent, &path, &json!({ "name": "x" })).await.status, 403);
    assert_eq!(desk.send_raw(&agent, reqwest::Method::DELETE, &path, Vec::new()).await.status, 403);
    let renamed = desk.patch(&desk.owner, &path, &json!({ "name": "Très urgents" })).await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.json()["shared"], true);
    // Another person's own view does not exist for anyone else, admins included.
    let path = format!("/v1/views/{}", view_id(&own));
    for who in [&other, &admin, &desk.owner] {
        assert_eq!(desk.patch(who, &path, &json!({ "name": "x" })).await.status, 404);
        assert_eq!(desk.get(who, &format!("{path}/tickets")).await.status, 404);
        assert_eq!(desk.send_raw(who, reqwest::Method::DELETE, &path, Vec::new()).await.status, 404);
    }
    // Customers have no views.
    for path in ["/v1/views", "/v1/views/counts"] {
        assert_eq!(desk.get(&customer, path).await.status, 403, "{path}");
    }
    assert_eq!(desk.post(&customer, "/v1/views", &json!({ "name": "x", "filters": {} })).await.status, 403);
    // Unknown ids and ids that are not ids.
    let unknown = format!("/v1/views/{}", uuid::Uuid::now_v7());
    assert_eq!(desk.patch(&agent, &unknown, &json!({ "name": "x" })).await.status, 404);
    assert_eq!(desk.get(&agent, "/v1/views/not-an-id/tickets").await.status, 400);
}

#[tokio::test]
async fn bad_views_are_refused_naming_the_filter_and_change_nothing() {
    let desk = Desk::open().await;
    let agent = desk.member("agent").await;
    let kept = save(&desk, &agent, json!({ "name": "Gardée", "filters": { "status": "open" } })).await;
    let cases = [
        (json!({ "name": "x", "filters": { "limit": "5" } }), 422, "filters.limit"),
        (json!({ "name": "x", "filters": { "status": "bogus" } }), 422, "filters.status"),
        (json!({ "name": "x", "filters": { "status": ["open", "nope"] } }), 422, "filters.status"),
        (json!({ "name": "x", "filters": { "tag": "two words" } }), 422, "filters.tag"),
        (json!({ "name": "x", "filters": { "team_id": "not-a-team" } }), 422, "filters.team_id"),
        (json!({ "name": "x", "filters": { "unassigned": "perhaps" } }), 422, "filters"),
        (json!({ "name": "x", "filters": { "q": ["a"] } }), 422, "filters.q"),
        (json!({ "name": "x", "filters": { "order_id": 5 } }), 422, "filters.order_id"),
        (json!({ "name": "", "filters": {} }), 422, "name"),
        (json!({ "name": "x", "filters": [] }), 400, ""),
        (json!({ "name": "x" }), 400, ""),
        (json!({ "name": "x", "filters": {}, "sort": "random" }), 400, ""),
        (json!({ "name": "x", "filters": {}, "owner_id": agent.id }), 400, ""),
    ];
    for (body, status, field) in cases {
        let answer = desk.post(&agent, "/v1/views", &body).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
        if !field.is_empty() {
            assert_eq!(answer.json()["errors"][0]["field"], field, "{body}: {}", answer.body);
        }
        if status == 422 {
            let patched = desk.patch(&agent, &format!("/v1/views/{}", view_id(&kept)), &body).await;
            assert_eq!(patched.status, 422, "{body}: {}", patched.body);
        }
    }
    let views = desk.get(&agent, "/v1/views").await.json();
    assert_eq!(views.as_array().unwrap().len(), 1);
    assert_eq!(views[0]["filters"], json!({ "status": "open" }));
    assert_eq!(views[0]["name"], "Gardée");

    // Fifty of one's own, then no more; the shared views count apart.
    for n in 1..50 {
        save(&desk, &agent, json!({ "name": format!("Vue {n}"), "filters": {} })).await;
    }
    let refused = desk.post(&agent, "/v1/views", &json!({ "name": "Vue 51", "filters": {} })).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["code"], "limit_reached");
    save(&desk, &desk.owner, json!({ "name": "Partagée", "filters": {}, "shared": true })).await;
    save(&desk, &desk.member("agent").await, json!({ "name": "Une autre", "filters": {} })).await;
    assert_eq!(counts(&desk, &agent).await.len(), 51);
}
