//! Business hours' schedules on a real tenant database: admins make, change and delete them and
//! import holidays from an iCalendar file; staff read them; bad input (an unknown zone,
//! intervals that are not times, end before start or overlap, a holiday twice, unknown fields,
//! the 21st schedule, a name taken, another tenant's schedule, a body that is not a calendar)
//! is refused and changes nothing.

use harness::TestResponse;
use reqwest::Method;
use serde_json::{Value, json};

use super::{Desk, error_fields};

fn paris() -> Value {
    json!({
        "name": "Paris office",
        "time_zone": "Europe/Paris",
        "intervals": [
            { "day": "tue", "start": "14:00", "end": "18:00" },
            { "day": "mon", "start": "09:00", "end": "12:00" },
            { "day": "mon", "start": "14:00", "end": "18:00" },
            { "day": "tue", "start": "09:00", "end": "12:00" },
            { "day": "sat", "start": "22:00", "end": "24:00" },
        ],
        "holidays": [{ "date": "2026-12-25", "name": " Noël " }],
    })
}

async fn import(desk: &Desk, id: &str, content_type: &str, body: &str) -> TestResponse {
    let request = desk
        .app
        .server
        .request(Method::POST, &format!("/v1/schedules/{id}/holidays/import"))
        .header("x-tenant-slug", &desk.org.slug)
        .header("content-type", content_type)
        .bearer_auth(&desk.owner.token)
        .body(body.to_owned());
    TestResponse::from(request.send().await.expect("request sent")).await
}

#[tokio::test]
async fn admins_keep_schedules_staff_read_them() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));

    let made = desk.post(&desk.owner, "/v1/schedules", &paris()).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let made: Value = made.json();
    let id = made["id"].as_str().unwrap().to_owned();
    // Put in order, names trimmed.
    assert_eq!(
        made["intervals"],
        json!([
            { "day": "mon", "start": "09:00", "end": "12:00" },
            { "day": "mon", "start": "14:00", "end": "18:00" },
            { "day": "tue", "start": "09:00", "end": "12:00" },
            { "day": "tue", "start": "14:00", "end": "18:00" },
            { "day": "sat", "start": "22:00", "end": "24:00" },
        ])
    );
    assert_eq!(made["holidays"], json!([{ "date": "2026-12-25", "name": "Noël" }]));

    // Staff read them; customers do not; agents do not keep them.
    let seen = desk.get(&agent, "/v1/schedules").await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.json()[0]["id"], id);
    assert_eq!(desk.get(&customer, "/v1/schedules").await.status, 403);
    assert_eq!(desk.post(&agent, "/v1/schedules", &paris()).await.status, 403);
    assert_eq!(desk.patch(&agent, &format!("/v1/schedules/{id}"), &json!({ "name": "Mine" })).await.status, 403);
    assert_eq!(desk.delete(&agent, &format!("/v1/schedules/{id}")).await.status, 403);

    // A change replaces what it names and keeps the rest.
    let changed = desk
        .patch(&desk.owner, &format!("/v1/schedules/{id}"), &json!({ "time_zone": "America/New_York", "holidays": [] }))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let changed: Value = changed.json();
    assert_eq!((changed["time_zone"].as_str(), changed["holidays"].clone()), (Some("America/New_York"), json!([])));
    assert_eq!(changed["intervals"], made["intervals"]);
    assert_eq!(changed["name"], "Paris office");

    // The name is the tenant's own, whatever the case.
    let mut same_name = paris();
    same_name["name"] = json!("PARIS OFFICE");
    let again = desk.post(&desk.owner, "/v1/schedules", &same_name).await;
    assert_eq!((again.status.as_u16(), again.json()["code"].clone()), (409, json!("schedule_name_taken")));

    assert_eq!(desk.delete(&desk.owner, &format!("/v1/schedules/{id}")).await.status, 204);
    assert_eq!(desk.delete(&desk.owner, &format!("/v1/schedules/{id}")).await.status, 404);
    assert_eq!(desk.db.count("schedule_holidays").await, 0);
}

#[tokio::test]
async fn bad_schedules_are_refused_and_change_nothing() {
    let desk = Desk::open().await;
    let with = |change: Value| {
        let mut body = paris();
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    for (body, named) in [
        (with(json!({ "time_zone": "Europe/Atlantis" })), vec!["time_zone"]),
        (with(json!({ "time_zone": "+02:00" })), vec!["time_zone"]),
        (with(json!({ "name": " " })), vec!["name"]),
        (with(json!({ "intervals": [{ "day": "mon", "start": "9:00", "end": "17:00" }] })), vec!["intervals[0].start"]),
        (with(json!({ "intervals": [{ "day": "mon", "start": "09:00", "end": "24:01" }] })), vec!["intervals[0].end"]),
        (with(json!({ "intervals": [{ "day": "mon", "start": "17:00", "end": "09:00" }] })), vec!["intervals[0].end"]),
        (
            with(json!({ "intervals": [{ "day": "mon", "start": "09:60", "end": "10:00" }] })),
            vec!["intervals[0].start"],
        ),
        (
            with(json!({ "intervals": [
                { "day": "wed", "start": "09:00", "end": "13:00" },
                { "day": "wed", "start": "12:00", "end": "17:00" },
            ] })),
            vec!["intervals"],
        ),
        (
            with(json!({ "holidays": [
                { "date": "2026-05-01", "name": "Fête du Travail" },
                { "date": "2026-05-01", "name": "Again" },
            ] })),
            vec!["holidays[1].date"],
        ),
        (with(json!({ "holidays": [{ "date": "2026-05-01", "name": "" }] })), vec!["holidays[0].name"]),
    ] {
        let refused = desk.post(&desk.owner, "/v1/schedules", &body).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert_eq!(error_fields(&refused), named, "{body}");
    }
    // Unknown fields, wrong types, an unknown day: unreadable.
    for body in [
        with(json!({ "colour": "blue" })),
        with(json!({ "intervals": [{ "day": "monday", "start": "09:00", "end": "17:00" }] })),
        with(json!({ "intervals": "mon-fri" })),
        with(json!({ "holidays": [{ "date": "2026-02-30", "name": "No such day" }] })),
    ] {
        assert_eq!(desk.post(&desk.owner, "/v1/schedules", &body).await.status, 400, "{body}");
    }
    let too_many: Vec<Value> = (0..71)
        .map(|m| json!({ "day": "mon", "start": format!("{:02}:{:02}", m / 4 + 1, (m % 4) * 15), "end": "23:59" }))
        .collect();
    let refused = desk.post(&desk.owner, "/v1/schedules", &with(json!({ "intervals": too_many }))).await;
    assert_eq!(refused.status, 422);
    assert!(error_fields(&refused).contains(&"intervals".to_owned()));
    assert_eq!(desk.db.count("schedules").await, 0);

    // Twenty, and no more; a change that breaks a rule leaves the schedule as it was.
    for n in 0..20 {
        let made = desk.post(&desk.owner, "/v1/schedules", &with(json!({ "name": format!("Office {n}") }))).await;
        assert_eq!(made.status, 201, "{}", made.body);
    }
    let one_more = desk.post(&desk.owner, "/v1/schedules", &with(json!({ "name": "Office 20" }))).await;
    assert_eq!((one_more.status.as_u16(), one_more.json()["code"].clone()), (422, json!("limit_reached")));
    let first = desk.get(&desk.owner, "/v1/schedules").await.json()[0].clone();
    let path = format!("/v1/schedules/{}", first["id"].as_str().unwrap());
    let broken = desk.patch(&desk.owner, &path, &json!({ "time_zone": "Nowhere/City" })).await;
    assert_eq!(broken.status, 422);
    assert_eq!(desk.get(&desk.owner, "/v1/schedules").await.json()[0], first);

    // Another tenant's schedule is not found here.
    let other = Desk::open().await;
    let theirs: Value = other.post(&other.owner, "/v1/schedules", &paris()).await.json();
    let their_path = format!("/v1/schedules/{}", theirs["id"].as_str().unwrap());
    assert_eq!(desk.patch(&desk.owner, &their_path, &json!({ "name": "Taken" })).await.status, 404);
    assert_eq!(desk.delete(&desk.owner, &their_path).await.status, 404);
    assert_eq!(other.get(&other.owner, "/v1/schedules").await.json()[0]["name"], "Paris office");
}

const CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Helpdeskly//Test//EN\r\n\
BEGIN:VEVENT\r\nUID:new-year\r\nDTSTART;VALUE=DATE:20200101\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Jour de l'an\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:christmas\r\nDTSTART;VALUE=DATE:20201225\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Christmas\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:standup\r\nDTSTART:20260310T090000Z\r\nSUMMARY:Stand-up\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

#[tokio::test]
async fn holidays_come_from_a_calendar_file() {
    let desk = Desk::open().await;
    let made: Value = desk.post(&desk.owner, "/v1/schedules", &paris()).await.json();
    let id = made["id"].as_str().unwrap();

    let imported = import(&desk, id, "text/calendar; charset=utf-8", CALENDAR).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    // New Year and Christmas over this year and the next two, less the Christmas of 2026 the
    // schedule had (kept with its own name); the stand-up has a time of day.
    let year = chrono::Datelike::year(&chrono::Utc::now());
    let christmas_known = (year..=year + 2).contains(&2026);
    let expected = 6 - u64::from(christmas_known);
    assert_eq!(
        imported.json(),
        json!({ "imported": expected, "skipped": [{ "date": "2026-03-10", "summary": "Stand-up", "reason": "time_of_day" }] })
    );
    let holidays = desk.get(&desk.owner, "/v1/schedules").await.json()[0]["holidays"].clone();
    assert_eq!(holidays.as_array().unwrap().len(), 7 - usize::from(christmas_known));
    assert!(holidays.as_array().unwrap().contains(&json!({ "date": "2026-12-25", "name": "Noël" })));
    assert!(
        holidays
            .as_array()
            .unwrap()
            .contains(&json!({ "date": format!("{}-01-01", year + 1), "name": "Jour de l'an" }))
    );

    // Again: nothing new.
    assert_eq!(import(&desk, id, "text/calendar", CALENDAR).await.json()["imported"], 0);

    // Not a calendar, not declared as one, too large, or not this tenant's schedule.
    let before = desk.db.count("schedule_holidays").await;
    let refused = import(&desk, id, "text/calendar", "BEGIN:VEVENT\r\nno calendar here").await;
    assert_eq!((refused.status.as_u16(), error_fields(&refused)), (422, vec!["body".to_owned()]), "{}", refused.body);
    assert_eq!(import(&desk, id, "application/json", "{}").await.status, 415);
    let huge = format!("BEGIN:VCALENDAR\r\n{}", "X-FILLER:0123456789\r\n".repeat(60_000));
    assert_eq!(import(&desk, id, "text/calendar", &huge).await.status, 413);
    let unknown = uuid::Uuid::now_v7();
    assert_eq!(import(&desk, &unknown.to_string(), "text/calendar", CALENDAR).await.status, 404);
    assert_eq!(desk.db.count("schedule_holidays").await, before);
}
