//! Tags on a real tenant database: staff tag a ticket when they open it and later (the whole set,
//! or tags added and removed), concurrent taggers all keep their tags, the list filters by all
//! of, any of and none of a set of tags, `GET /v1/tags` counts what the caller may see, the
//! history and the created event carry the tags, customers are shown none, and bad input (a bad
//! tag, the 21st, both ways of changing at once) changes nothing.

use futures_util::future::join_all;
use serde_json::{Value, json};

use super::{Desk, id, with_query};
use crate::helpers::Person;

/// A ticket the owner opens for `customer` with `tags`; its id.
async fn tagged(desk: &Desk, customer: &Person, tags: &[&str]) -> i64 {
    let body =
        json!({ "subject": "Colis abîmé", "description": "Carton écrasé", "user_id": customer.id, "tags": tags });
    id(&desk.create(&desk.owner, body).await)
}

async fn tags_of(desk: &Desk, who: &Person, ticket: i64) -> Value {
    desk.ticket(who, ticket).await["tags"].clone()
}

async fn patch_tags(desk: &Desk, who: &Person, ticket: i64, body: Value) -> harness::TestResponse {
    desk.patch(who, &format!("/v1/tickets/{ticket}"), &body).await
}

#[tokio::test]
async fn staff_tag_on_opening_and_later_and_customers_are_shown_none() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let agent = desk.member("agent").await;
    let mark = desk.mark().await;
    let ticket = tagged(&desk, &customer, &["  Refund", "carrier-late", "refund", "VIP:Gold"]).await;
    // Trimmed, lower-cased, distinct, sorted.
    assert_eq!(tags_of(&desk, &desk.owner, ticket).await, json!(["carrier-late", "refund", "vip:gold"]));
    let written = desk.since(&mark).await;
    assert_eq!(written.history[0].changes["tags"], json!([null, ["carrier-late", "refund", "vip:gold"]]));
    let created = written.event("sav.ticket.created");
    assert_eq!(created.payload["data"]["tags"], json!(["carrier-late", "refund", "vip:gold"]));
    assert_eq!(created.payload["data"]["team_id"], Value::Null);

    // The customer's own ticket shows them no tags; tags they send are ignored, as a priority is.
    assert_eq!(tags_of(&desk, &customer, ticket).await, json!([]));
    let theirs =
        desk.create(&customer, json!({ "subject": "Retard", "description": "Toujours rien", "tags": ["mine"] })).await;
    assert_eq!(tags_of(&desk, &desk.owner, id(&theirs)).await, json!([]));
    // Nor may they change a ticket's tags.
    let refused = patch_tags(&desk, &customer, ticket, json!({ "add_tags": ["x"] })).await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // Added and removed, whatever else it holds; then the whole set; each change one entry.
    let mark = desk.mark().await;
    let changed =
        patch_tags(&desk, &agent, ticket, json!({ "add_tags": ["Damaged"], "remove_tags": ["refund", "absent"] }))
            .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["tags"], json!(["carrier-late", "damaged", "vip:gold"]));
    let replaced = patch_tags(&desk, &agent, ticket, json!({ "tags": ["resend"] })).await;
    assert_eq!(replaced.json()["tags"], json!(["resend"]));
    let same = patch_tags(&desk, &agent, ticket, json!({ "add_tags": ["resend"] })).await;
    assert_eq!(same.status, 200, "{}", same.body);
    let history = desk.since(&mark).await.history;
    let recorded: Vec<&Value> = history.iter().map(|h| &h.changes["tags"]).collect();
    assert_eq!(
        recorded,
        [
            &json!([["carrier-late", "refund", "vip:gold"], ["carrier-late", "damaged", "vip:gold"]]),
            &json!([["carrier-late", "damaged", "vip:gold"], ["resend"]]),
        ],
        "a change that changes nothing records nothing"
    );
    assert!(history.iter().all(|h| h.action == "updated" && h.actor_id == Some(agent.id)));
    let cleared = patch_tags(&desk, &agent, ticket, json!({ "tags": [] })).await;
    assert_eq!(cleared.json()["tags"], json!([]));
}

#[tokio::test]
async fn agents_tagging_at_once_all_keep_their_tags() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let agents = join_all((0..4).map(|_| desk.member("agent"))).await;
    let ticket = tagged(&desk, &customer, &["start"]).await;
    // Sixteen changes at once from four agents, each adding its own tag and one removing `start`.
    let writes = (0..16).map(|n| {
        let body = if n == 0 {
            json!({ "add_tags": [format!("tag-{n}")], "remove_tags": ["start"] })
        } else {
            json!({ "add_tags": [format!("tag-{n}")] })
        };
        patch_tags(&desk, &agents[n % 4], ticket, body)
    });
    for answer in join_all(writes).await {
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let mut expected: Vec<String> = (0..16).map(|n| format!("tag-{n}")).collect();
    expected.sort();
    assert_eq!(tags_of(&desk, &desk.owner, ticket).await, json!(expected));
    let entries = desk.history(ticket).await.into_iter().filter(|h| h.changes.get("tags").is_some()).count();
    assert_eq!(entries, 17, "the opening and each of the sixteen changes");
}

#[tokio::test]
async fn bad_tags_the_twenty_first_and_both_ways_at_once_change_nothing() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let agent = desk.member("agent").await;
    let nineteen: Vec<String> = (0..19).map(|n| format!("t{n:02}")).collect();
    let names: Vec<&str> = nineteen.iter().map(String::as_str).collect();
    let ticket = tagged(&desk, &customer, &names).await;
    let before = desk.counts().await;

    let cases = [
        (json!({ "add_tags": ["two words"] }), 422, "validation_failed", "add_tags"),
        (json!({ "add_tags": ["-dash-first"] }), 422, "validation_failed", "add_tags"),
        (json!({ "tags": ["a".repeat(51)] }), 422, "validation_failed", "tags"),
        (json!({ "tags": ["ok"], "add_tags": ["other"] }), 422, "validation_failed", "tags"),
        (json!({ "add_tags": ["same"], "remove_tags": ["same"] }), 422, "validation_failed", "remove_tags"),
        (json!({ "add_tags": ["x", "y"] }), 422, "limit_reached", "tags"),
        (json!({ "add_tags": "x" }), 400, "validation_failed", ""),
        (json!({ "add_tags": [1] }), 400, "validation_failed", ""),
        (json!({ "tags": null }), 422, "validation_failed", ""),
        (json!({ "add_tag": ["x"] }), 400, "validation_failed", ""),
    ];
    for (body, status, code, field) in cases {
        let answer = patch_tags(&desk, &agent, ticket, body.clone()).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
        let problem = answer.json();
        assert_eq!(problem["code"], code, "{body}: {problem}");
        if !field.is_empty() {
            assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        }
    }
    let refused = desk
        .post(
            &desk.owner,
            "/v1/tickets",
            &json!({ "subject": "s", "description": "d", "user_id": customer.id,
                     "tags": (0..21).map(|n| format!("n{n}")).collect::<Vec<_>>() }),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["code"], "limit_reached");
    let bad = desk
        .post(
            &desk.owner,
            "/v1/tickets",
            &json!({ "subject": "s", "description": "d", "user_id": customer.id, "tags": ["é"] }),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.json()["errors"][0]["field"], "tags");
    assert_eq!(desk.counts().await, before, "nothing written");
    assert_eq!(tags_of(&desk, &desk.owner, ticket).await.as_array().unwrap().len(), 19);
    // The twentieth fits.
    let twentieth = patch_tags(&desk, &agent, ticket, json!({ "add_tags": ["last"] })).await;
    assert_eq!(twentieth.status, 200, "{}", twentieth.body);
    assert_eq!(twentieth.json()["tags"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn the_list_filters_by_all_any_and_none_of_a_set_of_tags() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let both = tagged(&desk, &customer, &["refund", "urgent"]).await;
    let refund = tagged(&desk, &customer, &["refund"]).await;
    let urgent = tagged(&desk, &customer, &["urgent", "vip"]).await;
    let none = tagged(&desk, &customer, &[]).await;
    let owner = &desk.owner;

    assert_eq!(desk.list(owner, &[("tag", "refund")]).await, [refund, both]);
    assert_eq!(desk.list(owner, &[("tag", "refund"), ("tag", "URGENT ")]).await, [both]);
    assert_eq!(desk.list(owner, &[("tag_any", "refund"), ("tag_any", "vip")]).await, [urgent, refund, both]);
    assert_eq!(desk.list(owner, &[("no_tag", "refund")]).await, [none, urgent]);
    assert_eq!(desk.list(owner, &[("no_tag", "refund"), ("no_tag", "vip")]).await, [none]);
    assert_eq!(desk.list(owner, &[("tag", "urgent"), ("no_tag", "vip")]).await, [both]);
    assert_eq!(desk.list(owner, &[("tag", "unknown")]).await, Vec::<i64>::new());
    // Pages follow the filter.
    assert_eq!(
        desk.list(owner, &[("tag_any", "refund"), ("tag_any", "urgent"), ("limit", "1")]).await,
        [urgent, refund, both]
    );

    for query in [[("tag", "two words")], [("no_tag", "")], [("tagz", "x")]] {
        let answer = desk.get(owner, &with_query("/v1/tickets", &query)).await;
        assert_eq!(answer.status, 400, "{query:?}: {}", answer.body);
        assert_eq!(answer.json()["code"], "validation_failed");
    }
}

/// `GET /v1/tags{query}` as `who`, which must answer 200.
async fn counts(desk: &Desk, who: &Person, query: &str) -> Value {
    let path = format!("/v1/tags{query}");
    let answer = desk.get(who, &path).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    answer.json()
}

#[tokio::test]
async fn tag_counts_are_of_what_the_caller_may_see() {
    let desk = Desk::open().await;
    // Agents see their own tickets, their teams' and the queue of no team (not every ticket).
    desk.agent_access("teams").await;
    let customer = desk.member("customer").await;
    let agent = desk.member("agent").await;
    let colleague = desk.member("agent").await;
    let mine = tagged(&desk, &customer, &["refund", "urgent"]).await;
    desk.assign(&desk.owner, mine, Some(&agent)).await;
    let theirs = tagged(&desk, &customer, &["refund", "secret"]).await;
    desk.assign(&desk.owner, theirs, Some(&colleague)).await;
    tagged(&desk, &customer, &["refund", "return"]).await;
    let closed = tagged(&desk, &customer, &["refund"]).await;
    desk.set_status(&desk.owner, closed, "closed").await;

    // Most used first, then by name; every status counts.
    assert_eq!(
        counts(&desk, &desk.owner, "").await,
        json!([
            { "name": "refund", "count": 4 }, { "name": "return", "count": 1 },
            { "name": "secret", "count": 1 }, { "name": "urgent", "count": 1 },
        ])
    );
    // An agent counts their own tickets and the unassigned ones of their queues, not a colleague's.
    assert_eq!(
        counts(&desk, &agent, "").await,
        json!([{ "name": "refund", "count": 3 }, { "name": "return", "count": 1 }, { "name": "urgent", "count": 1 }])
    );
    assert_eq!(
        counts(&desk, &desk.owner, "?q=RE").await,
        json!([{ "name": "refund", "count": 4 }, { "name": "return", "count": 1 }])
    );
    assert_eq!(counts(&desk, &desk.owner, "?limit=1").await, json!([{ "name": "refund", "count": 4 }]));
    assert_eq!(counts(&desk, &desk.owner, "?q=nothing").await, json!([]));

    let customer_asks = desk.get(&customer, "/v1/tags").await;
    assert_eq!(customer_asks.status, 403, "{}", customer_asks.body);
    let long = format!("?q={}", "a".repeat(51));
    for (query, status) in [("?limit=0", 422), ("?limit=101", 422), (long.as_str(), 422), ("?x=1", 400)] {
        let answer = desk.get(&desk.owner, &format!("/v1/tags{query}")).await;
        assert_eq!(answer.status, status, "{query}: {}", answer.body);
    }
}
