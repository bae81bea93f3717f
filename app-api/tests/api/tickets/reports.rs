//! The reports: the performance report against what each ticket's own record gives (its
//! messages, history, badge and rating, read through the API), percentiles against an
//! independent computation; every ticket as CSV, read back by Python's RFC 4180 reader; and
//! each refusal, which changes nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{Desk, error_fields, id, moves, with_query};
use crate::helpers::Person;

/// PostgreSQL's `percentile_cont`: linear interpolation between the closest ranks.
fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let last = sorted.len().checked_sub(1)?;
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (position, low) = (p * last as f64, (p * last as f64).floor() as usize);
    let high = (low + 1).min(last);
    #[allow(clippy::cast_precision_loss)]
    Some(sorted[low] + (position - low as f64) * (sorted[high] - sorted[low]))
}

fn instant(value: &Value) -> Option<DateTime<Utc>> {
    value.as_str().map(|s| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
}

fn minutes(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let ms = (to - from).num_milliseconds() as f64;
    ms / 60_000.0
}

/// What one ticket's own record says, read through the API.
#[derive(Debug, Clone)]
struct Known {
    assignee: Option<String>,
    team: Option<String>,
    organization: Option<String>,
    priority: String,
    tags: Vec<String>,
    resolved: bool,
    reopened: bool,
    first_response: Option<f64>,
    resolution: Option<f64>,
    /// `Some(met)` once decided.
    sla: Option<bool>,
    rating: Option<f64>,
}

async fn known(desk: &Desk, ticket: i64) -> Known {
    let t = desk.ticket(&desk.owner, ticket).await;
    let created = instant(&t["created_at"]).unwrap();
    let messages = desk.get(&desk.owner, &format!("/v1/tickets/{ticket}/messages")).await.json();
    let first_reply = messages["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["sender_type"] == "agent" && m["is_internal"] == false)
        .filter_map(|m| instant(&m["created_at"]))
        .min();
    let history = desk.history(ticket).await;
    let badge = &t["sla"];
    let breached = ["response_breached", "resolution_breached", "next_response_breached"]
        .iter()
        .any(|k| badge[*k].as_bool().unwrap_or_else(|| panic!("{k} in {badge}")));
    let settled = t["status"] == "resolved" || t["status"] == "closed";
    let rating = desk.get(&desk.owner, &format!("/v1/tickets/{ticket}/satisfaction")).await;
    Known {
        assignee: t["assigned_to"].as_str().map(str::to_owned),
        team: t["team_id"].as_str().map(str::to_owned),
        organization: t["organization_id"].as_str().map(str::to_owned),
        priority: t["priority"].as_str().unwrap().to_owned(),
        tags: t["tags"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect(),
        resolved: !t["resolved_at"].is_null(),
        reopened: moves(&history).iter().any(|(from, to)| *from == "resolved" && *to != "closed"),
        first_response: first_reply.map(|at| minutes(created, at)),
        resolution: instant(&t["resolved_at"]).map(|at| minutes(created, at)),
        sla: (breached || settled).then_some(!breached),
        rating: (rating.status == 200).then(|| rating.json()["rating"]["rating"].as_f64()).flatten(),
    }
}

/// Asserts a report's `value` is `expected` to within a second (working seconds are stored whole).
fn close(value: &Value, expected: Option<f64>, what: &str) {
    match expected {
        None => assert!(value.is_null(), "{what}: {value} where none was expected"),
        Some(expected) => {
            let got = value.as_f64().unwrap_or_else(|| panic!("{what}: {value}, expected {expected}"));
            assert!((got - expected).abs() < 1.0 / 60.0 + 1e-9, "{what}: {got}, expected {expected}");
        }
    }
}

/// Checks one report row against the tickets it covers.
fn check_row(row: &Value, tickets: &[&Known]) {
    let what = format!("row {}", row["key"]);
    let count = |f: fn(&Known) -> bool| tickets.iter().filter(|k| f(k)).count();
    assert_eq!(row["created"], json!(tickets.len()), "{what}: {row}");
    assert_eq!(row["resolved"], json!(count(|k| k.resolved)), "{what}: {row}");
    assert_eq!(row["reopened"], json!(count(|k| k.reopened)), "{what}: {row}");
    let firsts: Vec<f64> = tickets.iter().filter_map(|k| k.first_response).collect();
    let resolutions: Vec<f64> = tickets.iter().filter_map(|k| k.resolution).collect();
    close(&row["first_response_minutes"]["median"], percentile(&firsts, 0.5), &format!("{what} first median"));
    close(&row["first_response_minutes"]["p90"], percentile(&firsts, 0.9), &format!("{what} first p90"));
    close(&row["resolution_minutes"]["median"], percentile(&resolutions, 0.5), &format!("{what} resolution median"));
    close(&row["resolution_minutes"]["p90"], percentile(&resolutions, 0.9), &format!("{what} resolution p90"));
    let decided: Vec<bool> = tickets.iter().filter_map(|k| k.sla).collect();
    #[allow(clippy::cast_precision_loss)]
    let met = (!decided.is_empty()).then(|| decided.iter().filter(|m| **m).count() as f64 / decided.len() as f64);
    close(&row["sla_met_ratio"], met, &format!("{what} sla"));
    let ratings: Vec<f64> = tickets.iter().filter_map(|k| k.rating).collect();
    #[allow(clippy::cast_precision_loss)]
    let average = (!ratings.is_empty()).then(|| ratings.iter().sum::<f64>() / ratings.len() as f64);
    close(&row["csat_average"], average, &format!("{what} csat"));
}

/// A desk with a team, two agents and a customer, and ten tickets with first responses and
/// resolutions of different lengths (created earlier by moving their creation back), one
/// reopened, two rated, one breached; with what each one's record says.
struct Scene {
    desk: Desk,
    customer: Person,
    agent: Person,
    tickets: Vec<(i64, Known)>,
}

async fn scene() -> Scene {
    let desk = Desk::open().await;
    let (customer, a1, a2) = tokio::join!(desk.member("customer"), desk.member("agent"), desk.member("agent"));
    let team = desk
        .post(&desk.owner, "/v1/teams", &json!({ "name": "Billing", "assignment": "manual", "member_ids": [a1.id] }))
        .await;
    assert_eq!(team.status, 201, "{}", team.body);
    let team_id = team.json()["id"].as_str().unwrap().to_owned();
    // The customer's organisation: their tickets' unless moved out of it.
    let acme = desk.post(&desk.owner, "/v1/organizations", &json!({ "name": "Acme" })).await.json()["id"].clone();
    let joined = desk
        .put(&desk.owner, &format!("/v1/organizations/{}/members/{}", acme.as_str().unwrap(), customer.id), &json!({}))
        .await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    let priorities = ["low", "medium", "high", "urgent"];
    let mut ids = Vec::new();
    for n in 0..10_usize {
        let mut body = json!({
            "subject": format!("Parcel {n}"), "description": "Where is it?", "user_id": customer.id,
            "priority": priorities[n % 4], "tags": if n % 3 == 0 { json!(["refund", "late"]) } else if n % 3 == 1 { json!(["late"]) } else { json!([]) },
        });
        if n < 5 {
            body["team_id"] = json!(team_id);
        }
        let ticket = id(&desk.create(&desk.owner, body).await);
        if n % 3 == 2 {
            let moved =
                desk.patch(&desk.owner, &format!("/v1/tickets/{ticket}"), &json!({ "organization_id": null })).await;
            assert_eq!(moved.status, 200, "{}", moved.body);
        }
        // Created (n + 1) * 23 minutes ago: what the clock reads at the reply and resolution.
        desk.db
            .execute(&format!(
                "UPDATE support_tickets SET created_at = created_at - interval '{} minutes' WHERE id = {ticket}",
                (n + 1) * 23
            ))
            .await;
        let agent = if n % 2 == 0 { &a1 } else { &a2 };
        if n < 7 {
            desk.assign(&desk.owner, ticket, Some(agent)).await;
        }
        if n < 8 {
            desk.say(agent, ticket, &format!("On it ({n})"), false).await;
        }
        if n < 5 {
            desk.set_status(agent, ticket, "resolved").await;
        }
        ids.push(ticket);
    }
    // Reopened by the customer, then resolved again; two rated; one breached.
    desk.set_status(&customer, ids[0], "in_progress").await;
    desk.set_status(&a1, ids[0], "resolved").await;
    for (ticket, rating) in [(ids[1], 4), (ids[2], 5)] {
        let rated =
            desk.post(&customer, &format!("/v1/tickets/{ticket}/satisfaction"), &json!({ "rating": rating })).await;
        assert_eq!(rated.status, 201, "{}", rated.body);
    }
    desk.db.execute(&format!("UPDATE support_tickets SET response_breached_at = now() WHERE id = {}", ids[7])).await;
    let mut tickets = Vec::new();
    for ticket in ids {
        tickets.push((ticket, known(&desk, ticket).await));
    }
    assert!(tickets.iter().any(|(_, k)| k.reopened), "the scene has a reopened ticket");
    assert!(tickets.iter().filter(|(_, k)| k.first_response.is_some()).count() == 8);
    Scene { desk, customer, agent: a1, tickets }
}

fn range() -> (String, String) {
    let now = Utc::now();
    ((now - chrono::Duration::days(2)).to_rfc3339(), (now + chrono::Duration::days(1)).to_rfc3339())
}

#[tokio::test]
async fn performance_by_each_grouping_is_what_the_tickets_records_give() {
    type KeyOf = fn(&Known) -> Vec<Option<String>>;
    let s = scene().await;
    let (from, to) = range();
    let all: Vec<&Known> = s.tickets.iter().map(|(_, k)| k).collect();
    let groupings: [(&str, KeyOf); 5] = [
        ("agent", |k| vec![k.assignee.clone()]),
        ("team", |k| vec![k.team.clone()]),
        ("organization", |k| vec![k.organization.clone()]),
        ("priority", |k| vec![Some(k.priority.clone())]),
        ("tag", |k| if k.tags.is_empty() { vec![None] } else { k.tags.iter().cloned().map(Some).collect() }),
    ];
    for (grouping, key_of) in groupings {
        let path = with_query("/v1/reports/performance", &[("from", &from), ("to", &to), ("group_by", grouping)]);
        let answer = s.desk.get(&s.desk.owner, &path).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let report = answer.json();
        assert_eq!(report["group_by"], grouping);
        check_row(&report["total"], &all);
        let mut expected: BTreeMap<Option<String>, Vec<&Known>> = BTreeMap::new();
        for known in &all {
            for key in key_of(known) {
                expected.entry(key).or_default().push(known);
            }
        }
        let rows = report["rows"].as_array().unwrap();
        assert_eq!(rows.len(), expected.len(), "{grouping}: {rows:?}");
        for row in rows {
            let key = row["key"].as_str().map(str::to_owned);
            let tickets = expected.get(&key).unwrap_or_else(|| panic!("{grouping}: unexpected {row}"));
            check_row(row, tickets);
            assert!(row["period_start"].is_null());
        }
        if grouping == "team" {
            let billing = rows.iter().find(|r| !r["key"].is_null()).unwrap();
            assert_eq!(billing["label"], "Billing");
        }
        if grouping == "organization" {
            assert_eq!(rows.len(), 2, "Acme's and those of none: {rows:?}");
            let acme = rows.iter().find(|r| !r["key"].is_null()).unwrap();
            assert_eq!(acme["label"], "Acme");
        }
        if grouping == "agent" {
            let named = rows.iter().find(|r| r["key"] == json!(s.agent.id.to_string())).unwrap();
            assert!(named["label"].as_str().is_some_and(|l| !l.is_empty() && l != s.agent.id.to_string()), "{named}");
        }
    }
    // By channel, and split by day: every ticket counted once, today.
    let path = with_query(
        "/v1/reports/performance",
        &[("from", &from), ("to", &to), ("group_by", "channel"), ("period", "day")],
    );
    let answer = s.desk.get(&s.desk.owner, &path).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let report = answer.json();
    let rows = report["rows"].as_array().unwrap();
    let created: i64 = rows.iter().map(|r| r["created"].as_i64().unwrap()).sum();
    assert_eq!(created, 10, "{rows:?}");
    assert!(rows.iter().all(|r| r["period_start"].is_string()), "{rows:?}");
    // A range that holds none of them.
    let empty =
        with_query("/v1/reports/performance", &[("from", "2020-01-01"), ("to", "2020-02-01"), ("group_by", "team")]);
    let report = s.desk.get(&s.desk.owner, &empty).await.json();
    assert_eq!(report["rows"], json!([]));
    assert_eq!(report["total"]["created"], 0);
    assert!(report["total"]["first_response_minutes"]["median"].is_null());
}

#[tokio::test]
async fn the_working_minutes_count_the_policys_hours() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    // Open all week in UTC but closed from yesterday for five days: no working time passes.
    let (schedule_id, _) = super::sla_by_condition::closed_until_four_days_on(&desk).await;
    let target = json!({ "response_minutes": 60, "resolution_minutes": 480 });
    let policies = json!({ "policies": [{ "name": "Closed hours", "schedule_id": schedule_id,
        "targets": { "low": target, "medium": target, "high": target, "urgent": target } }] });
    let saved = desk.put(&desk.owner, "/v1/sla/policies", &policies).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let ticket =
        id(&desk.create(&desk.owner, json!({ "subject": "Hours", "description": "x", "user_id": customer.id })).await);
    desk.db
        .execute(&format!(
            "UPDATE support_tickets SET created_at = created_at - interval '90 minutes' WHERE id = {ticket}"
        ))
        .await;
    desk.assign(&desk.owner, ticket, Some(&desk.owner)).await;
    desk.say(&desk.owner, ticket, "Hello", false).await;
    desk.set_status(&desk.owner, ticket, "resolved").await;
    let (from, to) = range();
    let path = with_query("/v1/reports/performance", &[("from", &from), ("to", &to), ("group_by", "priority")]);
    let total = desk.get(&desk.owner, &path).await.json()["total"].clone();
    assert_eq!(total["first_response_minutes"]["median"], json!(0.0), "{total}");
    assert_eq!(total["resolution_minutes"]["median"], json!(0.0), "{total}");
    let csv = desk.get(&desk.owner, &with_query("/v1/reports/tickets.csv", &[("from", &from), ("to", &to)])).await;
    let rows = parse_csv(&csv.body);
    let column = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    assert_eq!(rows[1][column("first_response_business_minutes")], "0");
    assert!(rows[1][column("first_response_minutes")].parse::<i64>().unwrap() >= 90, "{:?}", rows[1]);
}

/// `text` read by Python's `csv` module (RFC 4180, independent of the writer).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    use std::io::Write as _;
    let mut python = std::process::Command::new("python3")
        .args([
            "-c",
            "import csv, io, json, sys; print(json.dumps(list(csv.reader(io.TextIOWrapper(sys.stdin.buffer, encoding='utf-8', newline=''), strict=True))))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    python.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = python.wait_with_output().unwrap();
    assert!(out.status.success(), "python's csv reader refused the file");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn the_csv_holds_every_ticket_of_the_range_as_a_spreadsheet_reads_it() {
    let s = scene().await;
    let desk = &s.desk;
    let option = |v: &str| json!({ "value": v, "label": { "en": v, "fr": null } });
    for field in [
        json!({ "key": "parts", "label": { "en": "Parts" }, "type": "multiselect", "options": [option("lid"), option("cord")] }),
        json!({ "key": "refund", "label": { "en": "Refund" }, "type": "number" }),
    ] {
        assert_eq!(desk.post(&desk.owner, "/v1/fields", &field).await.status, 201);
    }
    let tricky = id(&desk
        .create(
            &desk.owner,
            json!({ "subject": "=HYPERLINK(\"http://evil\"), \"quoted\"; semi", "description": "x", "user_id": s.customer.id,
                "fields": { "parts": ["lid", "cord"], "refund": -12.5 }, "tags": ["late"] }),
        )
        .await);
    let (from, to) = range();
    let answer = desk.get(&desk.owner, &with_query("/v1/reports/tickets.csv", &[("from", &from), ("to", &to)])).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(answer.header("content-disposition").unwrap().starts_with("attachment; filename=\"tickets-"));
    assert!(answer.body.ends_with("\r\n") && !answer.body.replace("\r\n", "").contains('\r'));
    let rows = parse_csv(&answer.body);
    let header = &rows[0];
    assert_eq!(
        &header[..9],
        ["number", "subject", "status", "priority", "team", "assignee", "customer_email", "organization", "tags"]
    );
    assert_eq!(&header[9..11], ["field.parts", "field.refund"]);
    assert_eq!(header.last().unwrap(), "csat");
    assert_eq!(rows.len(), 12, "a header and one row per ticket");
    let column = |name: &str| header.iter().position(|c| c == name).unwrap_or_else(|| panic!("{name}"));
    // Oldest first; each row is its ticket.
    let mut created: Vec<String> = rows[1..].iter().map(|r| r[column("created_at")].clone()).collect();
    let unsorted = created.clone();
    created.sort();
    assert_eq!(created, unsorted);
    for (ticket, known) in &s.tickets {
        let t = desk.ticket(&desk.owner, *ticket).await;
        let row = rows.iter().find(|r| r[0] == t["ticket_number"].as_str().unwrap()).expect("the ticket's row");
        assert_eq!(row[column("status")], t["status"].as_str().unwrap());
        assert_eq!(row[column("priority")], known.priority);
        assert_eq!(row[column("tags")], known.tags.join(";"));
        assert_eq!(row[column("customer_email")], s.customer.email);
        assert_eq!(row[column("organization")], if known.organization.is_some() { "Acme" } else { "" });
        assert_eq!(row[column("resolved_at")].is_empty(), !known.resolved);
        let whole = |v: Option<f64>| v.map(|m| m.floor().to_string()).unwrap_or_default();
        let first = &row[column("first_response_minutes")];
        assert!(
            first == &whole(known.first_response)
                || known.first_response.is_some_and(|m| (first.parse::<f64>().unwrap() - m.floor()).abs() <= 1.0),
            "{first} {known:?}"
        );
        assert_eq!(row[column("first_response_business_minutes")], *first, "24/7: the same minutes");
        assert_eq!(row[column("sla_met")], known.sla.map(|m| m.to_string()).unwrap_or_default());
        assert_eq!(row[column("csat")], known.rating.map(|r| r.to_string()).unwrap_or_default());
        assert_eq!(row[column("team")].is_empty(), known.team.is_none());
    }
    let number = desk.ticket(&desk.owner, tricky).await["ticket_number"].as_str().unwrap().to_owned();
    let row = rows.iter().find(|r| r[0] == number).unwrap();
    assert_eq!(row[column("subject")], "'=HYPERLINK(\"http://evil\"), \"quoted\"; semi", "a formula is neutralised");
    assert_eq!(row[column("field.parts")], "lid;cord");
    assert_eq!(row[column("field.refund")], "'-12.5");
    assert_eq!(row[column("sla_met")], "", "undecided");

    // Filters of the list apply; the range bounds creation.
    let filtered = desk
        .get(
            &desk.owner,
            &with_query(
                "/v1/reports/tickets.csv",
                &[("from", &from), ("to", &to), ("status", "resolved"), ("tag", "late")],
            ),
        )
        .await;
    let rows = parse_csv(&filtered.body);
    let expected = s.tickets.iter().filter(|(_, k)| k.resolved && k.tags.contains(&"late".to_owned())).count();
    assert_eq!(rows.len(), expected + 1, "{}", filtered.body);
    let past = desk
        .get(&desk.owner, &with_query("/v1/reports/tickets.csv", &[("from", "2020-01-01"), ("to", "2020-12-31")]))
        .await;
    assert_eq!(parse_csv(&past.body).len(), 1, "the header alone");
}

#[tokio::test]
async fn bad_report_requests_are_refused_by_name() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    let performance = |pairs: &[(&str, &str)]| with_query("/v1/reports/performance", pairs);
    for (pairs, status, field) in [
        (vec![("from", "2026-05-02"), ("to", "2026-05-01"), ("group_by", "team")], 422, "from"),
        (vec![("from", "2025-01-01"), ("to", "2026-01-03"), ("group_by", "team")], 422, "to"),
        (vec![("from", "2026-01-01"), ("to", "2026-02-01"), ("group_by", "customer")], 422, "group_by"),
        (vec![("from", "2026-01-01"), ("to", "2026-02-01"), ("group_by", "team"), ("period", "year")], 422, "period"),
        (
            vec![("from", "2026-01-01"), ("to", "2026-02-01"), ("group_by", "team"), ("time_zone", "Mars/Base")],
            422,
            "time_zone",
        ),
        (vec![("from", "soon"), ("to", "2026-02-01"), ("group_by", "team")], 422, "from"),
        (vec![("to", "2026-02-01"), ("group_by", "team")], 422, "from"),
    ] {
        let answer = desk.get(&desk.owner, &performance(&pairs)).await;
        assert_eq!(answer.status, status, "{pairs:?}: {}", answer.body);
        assert_eq!(error_fields(&answer), [field], "{pairs:?}");
    }
    let unknown = desk
        .get(
            &desk.owner,
            &performance(&[("from", "2026-01-01"), ("to", "2026-02-01"), ("group_by", "team"), ("colour", "red")]),
        )
        .await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    let csv = |pairs: &[(&str, &str)]| with_query("/v1/reports/tickets.csv", pairs);
    for (pairs, status) in [
        (vec![("from", "2026-01-01"), ("to", "2027-06-01")], 422),
        (vec![("from", "2026-01-01")], 422),
        (vec![("from", "2026-01-01"), ("to", "2026-02-01"), ("limit", "10")], 400),
        (vec![("from", "2026-01-01"), ("to", "2026-02-01"), ("status", "lost")], 400),
        (vec![("from", "2026-01-01"), ("to", "2026-02-01"), ("colour", "red")], 400),
        (vec![("from", "2026-01-01"), ("to", "2026-02-01"), ("field.nothing", "1")], 422),
    ] {
        let answer = desk.get(&desk.owner, &csv(&pairs)).await;
        assert_eq!(answer.status, status, "{pairs:?}: {}", answer.body);
        assert_eq!(answer.json()["code"], "validation_failed");
    }
    let ok = [("from", "2026-01-01"), ("to", "2026-02-01"), ("group_by", "team")];
    for who in [&agent, &customer] {
        desk.get(who, &performance(&ok)).await.assert_problem(403, "forbidden");
        desk.get(who, &csv(&ok[..2])).await.assert_problem(403, "forbidden");
        desk.get(who, "/v1/reports/digest").await.assert_problem(403, "forbidden");
    }
}

#[tokio::test]
async fn an_export_keeps_to_its_pace_and_still_holds_every_ticket() {
    // Twenty rows a second: twenty tickets take a second at least.
    let desk = Desk::open_with(|c| c.pools.export_rows_per_second = 20).await;
    let customer = desk.member("customer").await;
    for n in 0..20 {
        desk.create(&customer, json!({ "subject": format!("Parcel {n}"), "description": "Late" })).await;
    }
    let (from, to) = range();
    let started = std::time::Instant::now();
    let answer = desk.get(&desk.owner, &with_query("/v1/reports/tickets.csv", &[("from", &from), ("to", &to)])).await;
    let took = started.elapsed();
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(parse_csv(&answer.body).len(), 21, "a header and one row per ticket");
    assert!(took >= std::time::Duration::from_secs(1), "twenty rows at twenty a second took {took:?}");
}
