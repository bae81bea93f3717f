//! SLA policies by condition on a real tenant database: admins replace the ordered list, staff
//! read it, bad lists are refused naming the field and change nothing, a schedule a policy uses
//! cannot be deleted; a ticket's clock counts the first matching policy's targets in its
//! schedule's hours (the badge names both), is matched again when its tags change, and a
//! customer message after a staff reply starts a next-response round whose breach the jobs
//! record and the summary counts.

use std::sync::Arc;

use app_api::worker::jobs::Jobs;
use chrono::{DateTime, Days, NaiveTime, Utc};
use serde_json::{Value, json};

use super::{Desk, error_fields, id};

fn targets(response: i64, next_response: Option<i64>, resolution: i64) -> Value {
    json!({ "response_minutes": response, "next_response_minutes": next_response, "resolution_minutes": resolution })
}

fn every_priority(response: i64, next_response: Option<i64>, resolution: i64) -> Value {
    let one = targets(response, next_response, resolution);
    json!({ "low": one, "medium": one, "high": one, "urgent": one })
}

/// A schedule open all day every day in UTC, closed on the five days from yesterday on: a clock
/// under it does not run before the fourth day from today, 00:00 UTC.
pub(super) async fn closed_until_four_days_on(desk: &Desk) -> (String, DateTime<Utc>) {
    let today = Utc::now().date_naive();
    let intervals: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|day| json!({ "day": day, "start": "00:00", "end": "24:00" }))
        .collect();
    let holidays: Vec<Value> = (0..5)
        .map(|n| json!({ "date": (today - Days::new(1) + Days::new(n)).to_string(), "name": format!("Closed {n}") }))
        .collect();
    let made = desk
        .post(
            &desk.owner,
            "/v1/schedules",
            &json!({ "name": "Closed this week", "time_zone": "UTC", "intervals": intervals, "holidays": holidays }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let opens = (today + Days::new(4)).and_time(NaiveTime::MIN).and_utc();
    (made.json()["id"].as_str().unwrap().to_owned(), opens)
}

fn instant(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .expect("an instant")
}

#[tokio::test]
async fn admins_order_the_policies_staff_read_them() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    let (schedule, _) = closed_until_four_days_on(&desk).await;
    let team = desk
        .post(&desk.owner, "/v1/teams", &json!({ "name": "Billing", "assignment": "manual", "member_ids": [] }))
        .await;
    assert_eq!(team.status, 201, "{}", team.body);
    let team = team.json()["id"].as_str().unwrap().to_owned();

    assert_eq!(desk.get(&agent, "/v1/sla/policies").await.json(), json!({ "policies": [] }));
    let list = json!({ "policies": [
        {
            "name": " Billing VIP ",
            "conditions": { "team_ids": [team], "tags_any": ["VIP", "vip", "refund"], "vip": true,
                            "priorities": ["urgent", "high"], "categories": ["Payment_failure"] },
            "schedule_id": schedule,
            "targets": { "high": targets(60, Some(30), 480), "urgent": targets(30, None, 240) },
        },
        { "name": "Everyone else", "targets": every_priority(120, None, 1440) },
    ]});
    let put = desk.put(&desk.owner, "/v1/sla/policies", &list).await;
    assert_eq!(put.status, 200, "{}", put.body);
    let stored: Value = put.json();
    let first = &stored["policies"][0];
    assert_eq!(first["name"], "Billing VIP");
    assert_eq!(first["conditions"]["tags_any"], json!(["refund", "vip"]));
    assert_eq!(first["conditions"]["priorities"], json!(["high", "urgent"]));
    assert_eq!(first["targets"]["low"], Value::Null);
    assert_eq!(
        stored["policies"][1]["conditions"],
        json!({ "priorities": null, "team_ids": null, "tags_any": null, "categories": null, "vip": null, "organization_ids": null })
    );
    // Staff read what was stored; customers and agents keep nothing.
    assert_eq!(desk.get(&agent, "/v1/sla/policies").await.json(), stored);
    assert_eq!(desk.get(&customer, "/v1/sla/policies").await.status, 403);
    assert_eq!(desk.put(&agent, "/v1/sla/policies", &list).await.status, 403);

    // A schedule or a team in use stays; once no policy uses it, it goes.
    let in_use = desk.delete(&desk.owner, &format!("/v1/schedules/{schedule}")).await;
    assert_eq!((in_use.status.as_u16(), in_use.json()["code"].clone()), (409, json!("schedule_in_use")));
    let named = desk.delete(&desk.owner, &format!("/v1/teams/{team}")).await;
    assert_eq!((named.status.as_u16(), named.json()["code"].clone()), (409, json!("team_in_use")));
    let emptied = desk.put(&desk.owner, "/v1/sla/policies", &json!({ "policies": [] })).await;
    assert_eq!(emptied.status, 200, "{}", emptied.body);
    assert_eq!(desk.delete(&desk.owner, &format!("/v1/schedules/{schedule}")).await.status, 204);
    assert_eq!(desk.delete(&desk.owner, &format!("/v1/teams/{team}")).await.status, 204);
}

#[tokio::test]
async fn bad_lists_are_refused_naming_the_field_and_change_nothing() {
    let desk = Desk::open().await;
    let kept = json!({ "policies": [{ "name": "Kept", "targets": every_priority(5, None, 50) }] });
    let stored: Value = desk.put(&desk.owner, "/v1/sla/policies", &kept).await.json();
    // Bad lists: each refused naming its field, nothing changed.
    let other_org_schedule = uuid::Uuid::now_v7().to_string();
    let one = |policy: Value| json!({ "policies": [policy] });
    let cases = [
        (
            json!({ "policies": [{ "name": "A", "targets": every_priority(1, None, 1) }, { "name": "a", "targets": every_priority(1, None, 1) }] }),
            vec!["policies[1].name"],
        ),
        (one(json!({ "name": "", "targets": every_priority(1, None, 1) })), vec!["policies[0].name"]),
        (
            one(json!({ "name": "A", "targets": { "low": targets(1, None, 1) } })),
            vec!["policies[0].targets.medium", "policies[0].targets.high", "policies[0].targets.urgent"],
        ),
        (
            one(json!({ "name": "A", "conditions": { "priorities": ["low"] }, "targets": every_priority(1, None, 1) })),
            vec!["policies[0].targets.medium", "policies[0].targets.high", "policies[0].targets.urgent"],
        ),
        (
            one(
                json!({ "name": "A", "conditions": { "team_ids": [uuid::Uuid::now_v7()] }, "targets": every_priority(1, None, 1) }),
            ),
            vec!["policies[0].conditions.team_ids"],
        ),
        (
            one(json!({ "name": "A", "conditions": { "tags_any": [] }, "targets": every_priority(1, None, 1) })),
            vec!["policies[0].conditions.tags_any"],
        ),
        (
            one(
                json!({ "name": "A", "conditions": { "tags_any": ["no spaces"] }, "targets": every_priority(1, None, 1) }),
            ),
            vec!["policies[0].conditions.tags_any"],
        ),
        (
            one(json!({ "name": "A", "schedule_id": other_org_schedule, "targets": every_priority(1, None, 1) })),
            vec!["policies[0].schedule_id"],
        ),
        (
            one(json!({ "name": "A", "targets": every_priority(0, Some(525_601), 1) })),
            vec![
                "policies[0].targets.low.response_minutes",
                "policies[0].targets.low.next_response_minutes",
                "policies[0].targets.medium.response_minutes",
                "policies[0].targets.medium.next_response_minutes",
                "policies[0].targets.high.response_minutes",
                "policies[0].targets.high.next_response_minutes",
                "policies[0].targets.urgent.response_minutes",
                "policies[0].targets.urgent.next_response_minutes",
            ],
        ),
        (
            json!({ "policies": (0..51).map(|n| json!({ "name": format!("P{n}"), "targets": every_priority(1, None, 1) })).collect::<Vec<_>>() }),
            vec!["policies"],
        ),
    ];
    for (body, fields) in cases {
        let refused = desk.put(&desk.owner, "/v1/sla/policies", &body).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert_eq!(error_fields(&refused), fields, "{body}");
    }
    for unreadable in [
        one(json!({ "name": "A", "targets": every_priority(1, None, 1), "colour": "red" })),
        one(
            json!({ "name": "A", "conditions": { "priorities": ["whenever"] }, "targets": every_priority(1, None, 1) }),
        ),
        one(json!({ "name": "A", "targets": every_priority(1, None, 1), "schedule_id": "not-a-uuid" })),
        json!({ "policies": "all" }),
    ] {
        assert_eq!(desk.put(&desk.owner, "/v1/sla/policies", &unreadable).await.status, 400, "{unreadable}");
    }
    assert_eq!(desk.get(&desk.owner, "/v1/sla/policies").await.json(), stored, "nothing changed");
}

#[tokio::test]
async fn a_ticket_counts_its_policys_targets_in_its_schedules_hours() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let (schedule, opens) = closed_until_four_days_on(&desk).await;
    let list = json!({ "policies": [
        { "name": "VIP hours", "conditions": { "tags_any": ["vip"] }, "schedule_id": schedule,
          "targets": every_priority(60, None, 600) },
    ]});
    assert_eq!(desk.put(&desk.owner, "/v1/sla/policies", &list).await.status, 200);

    let tagged = id(&desk
        .create(&desk.owner, json!({ "subject": "VIP", "description": "x", "user_id": customer.id, "tags": ["vip"] }))
        .await);
    let detail = desk.ticket(&desk.owner, tagged).await;
    let sla = &detail["sla"];
    assert_eq!((sla["policy"].as_str(), sla["schedule_id"].as_str()), (Some("VIP hours"), Some(schedule.as_str())));
    assert_eq!(
        (sla["next"].as_str(), instant(&sla["due_at"])),
        (Some("response"), opens + chrono::Duration::minutes(60))
    );
    assert_eq!(instant(&sla["resolution_due_at"]), opens + chrono::Duration::minutes(600));
    assert_eq!(sla["outside_business_hours"], true, "a holiday today");
    assert_eq!(sla["at_risk"], false);

    // Not tagged: the fallback, every hour (medium: 24 h to answer).
    let plain =
        desk.create(&desk.owner, json!({ "subject": "Plain", "description": "x", "user_id": customer.id })).await;
    let plain_id = id(&plain);
    let detail = desk.ticket(&desk.owner, plain_id).await;
    let created = instant(&detail["created_at"]);
    assert_eq!(
        (detail["sla"]["policy"].as_str(), detail["sla"]["schedule_id"].clone()),
        (Some("default"), Value::Null)
    );
    assert_eq!(instant(&detail["sla"]["due_at"]), created + chrono::Duration::hours(24));
    assert_eq!(detail["sla"]["outside_business_hours"], false);

    // Tagged later, it is matched again: its targets count from its creation in the schedule.
    let tagged_later =
        desk.patch(&desk.owner, &format!("/v1/tickets/{plain_id}"), &json!({ "add_tags": ["vip"] })).await;
    assert_eq!(tagged_later.status, 200, "{}", tagged_later.body);
    let detail = desk.ticket(&desk.owner, plain_id).await;
    assert_eq!(detail["sla"]["policy"], "VIP hours");
    assert_eq!(instant(&detail["sla"]["due_at"]), opens + chrono::Duration::minutes(60));
    // The list shows the same badge.
    let listed = desk.get(&desk.owner, "/v1/tickets").await;
    let listed: Value = listed.json();
    let row = listed["data"].as_array().unwrap().iter().find(|t| t["id"] == plain_id).expect("listed");
    assert_eq!(
        (row["sla"]["policy"].clone(), row["sla"]["due_at"].clone()),
        (json!("VIP hours"), detail["sla"]["due_at"].clone())
    );
    // And untagged, back to the fallback.
    let untagged =
        desk.patch(&desk.owner, &format!("/v1/tickets/{plain_id}"), &json!({ "remove_tags": ["vip"] })).await;
    assert_eq!(untagged.status, 200);
    let detail = desk.ticket(&desk.owner, plain_id).await;
    assert_eq!(
        (detail["sla"]["policy"].as_str(), instant(&detail["sla"]["due_at"])),
        (Some("default"), created + chrono::Duration::hours(24))
    );
}

#[tokio::test]
async fn a_customer_message_after_a_reply_starts_a_next_response_round() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    let list = json!({ "policies": [{ "name": "Chatty", "targets": every_priority(60, Some(30), 600) }] });
    assert_eq!(desk.put(&desk.owner, "/v1/sla/policies", &list).await.status, 200);
    let t = id(&desk.create(&customer, json!({ "subject": "Where is my parcel", "description": "x" })).await);
    assert_eq!(desk.ticket(&desk.owner, t).await["sla"]["next_response_due_at"], Value::Null);

    // An internal note answers nobody; the public reply meets the response target.
    desk.say(&agent, t, "checking", true).await;
    assert_eq!(desk.ticket(&desk.owner, t).await["sla"]["next"], "response");
    desk.say(&agent, t, "It left yesterday", false).await;
    assert_eq!(desk.ticket(&desk.owner, t).await["sla"]["next_response_due_at"], Value::Null, "no round yet");
    let asked = desk.say(&customer, t, "Still nothing", false).await;
    let asked_at = instant(&asked["created_at"]);
    let detail = desk.ticket(&desk.owner, t).await;
    assert_eq!(detail["sla"]["next"], "next_response");
    assert_eq!(instant(&detail["sla"]["next_response_due_at"]), asked_at + chrono::Duration::minutes(30));
    // A second customer message keeps the round's start.
    desk.say(&customer, t, "Hello?", false).await;
    assert_eq!(
        instant(&desk.ticket(&desk.owner, t).await["sla"]["next_response_due_at"]),
        asked_at + chrono::Duration::minutes(30)
    );

    // Missed: the jobs, 31 minutes on, record it once.
    let jobs = Jobs::new(&desk.app.state).with_clock(Arc::new(|| Utc::now() + chrono::Duration::minutes(31)));
    jobs.sweep().await.unwrap();
    let mark = desk.mark().await;
    let checked = jobs.check().await.unwrap();
    assert_eq!(checked.breaches, 1);
    assert_eq!(jobs.check().await.unwrap().breaches, 0, "once");
    let written = desk.since(&mark).await;
    assert_eq!(written.actions(), ["sla_breached"]);
    let data = &written.event("sav.ticket.sla_breach").payload["data"];
    assert_eq!((data["sla_type"].as_str(), data["expected_minutes"].as_i64()), (Some("next_response"), Some(30)));

    let badge = &desk.ticket(&desk.owner, t).await["sla"];
    assert_eq!(badge["next_response_breached"], true);
    let summary: Value = desk.get(&desk.owner, "/v1/sla/summary").await.json();
    assert_eq!(
        (summary["breaches"]["next_response"].as_i64(), summary["breaches"]["tickets"].as_i64()),
        (Some(1), Some(1))
    );
    let breached: Value = desk.get(&desk.owner, "/v1/tickets?sla=breached").await.json();
    assert_eq!(breached["data"].as_array().unwrap().len(), 1);

    // The reply ends the round; the breach stays on the badge.
    desk.say(&agent, t, "Found it", false).await;
    let badge = &desk.ticket(&desk.owner, t).await["sla"];
    assert_eq!((badge["next_response_due_at"].clone(), badge["next"].as_str()), (Value::Null, Some("resolution")));
    assert_eq!(badge["next_response_breached"], true);
}
