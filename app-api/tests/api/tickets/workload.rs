//! The admin side: agents' workload, order references for the priority rules, and the SLA
//! summary's breaches and at-risk tickets (due dates moved in the database, since waiting hours
//! for a clock is not a test).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{Desk, id};

#[tokio::test]
async fn admins_see_every_staff_members_workload() {
    let desk = Desk::open().await;
    let (customer, admin, a1, a2, gone) = tokio::join!(
        desk.member("customer"),
        desk.member("admin"),
        desk.member("agent"),
        desk.member("agent"),
        desk.member("agent"),
    );
    let new = |n: usize| {
        let (desk, customer) = (&desk, &customer);
        async move { id(&desk.create(customer, json!({ "subject": format!("Job {n}"), "description": "x" })).await) }
    };
    // a1: one in progress, one waiting, one resolved, one closed (not counted).
    let t = new(1).await;
    desk.assign(&a1, t, Some(&a1)).await;
    let t = new(2).await;
    desk.assign(&a1, t, Some(&a1)).await;
    desk.set_status(&a1, t, "waiting_customer").await;
    let t = new(3).await;
    desk.assign(&a1, t, Some(&a1)).await;
    desk.set_status(&a1, t, "resolved").await;
    let t = new(4).await;
    desk.assign(&a1, t, Some(&a1)).await;
    desk.set_status(&a1, t, "resolved").await;
    desk.set_status(&customer, t, "closed").await;
    // a2: one in progress. One ticket stays in the queue.
    let t = new(5).await;
    desk.assign(&desk.owner, t, Some(&a2)).await;
    new(6).await;
    // A member removed from the tenant has no workload and no access.
    desk.db.execute(&format!("UPDATE users SET active = false WHERE id = '{}'", gone.id)).await;
    desk.get(&gone, "/v1/tickets").await.assert_problem(403, "forbidden");

    for who in [&desk.owner, &admin] {
        let workload = desk.get(who, "/v1/agents/workload").await;
        assert_eq!(workload.status, 200, "{}", workload.body);
        assert!(workload.json().get("next_cursor").is_some(), "{}", workload.body);
        let rows: HashMap<String, Value> = workload.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["user_id"].as_str().unwrap().to_owned(), r.clone()))
            .collect();
        let mut people: Vec<&String> = rows.keys().collect();
        people.sort();
        let mut staff = [desk.owner.id.to_string(), admin.id.to_string(), a1.id.to_string(), a2.id.to_string()];
        staff.sort();
        assert_eq!(people, staff.iter().collect::<Vec<_>>(), "one row per active staff member");
        let counts = |user: &uuid::Uuid| {
            let row = &rows[&user.to_string()];
            let n = |k: &str| row[k].as_i64().unwrap_or_else(|| panic!("{k} in {row}"));
            assert_eq!(n("total"), n("open") + n("in_progress") + n("waiting_customer") + n("resolved"), "{row}");
            [n("open"), n("in_progress"), n("waiting_customer"), n("resolved")]
        };
        assert_eq!(counts(&a1.id), [0, 1, 1, 1]);
        assert_eq!(counts(&a2.id), [0, 1, 0, 0]);
        assert_eq!(counts(&admin.id), [0, 0, 0, 0]);
        let a1_row = &rows[&a1.id.to_string()];
        assert_eq!(a1_row["email"], a1.email.as_str());
        assert_eq!(a1_row["role"], "agent");
        assert!(a1_row["firstname"].is_string() && a1_row["lastname"].is_string());
    }
    desk.get(&a1, "/v1/agents/workload").await.assert_problem(403, "forbidden");
    desk.get(&customer, "/v1/agents/workload").await.assert_problem(403, "forbidden");
}

#[tokio::test]
async fn admins_upsert_order_references() {
    let desk = Desk::open().await;
    let (customer, admin, agent) = tokio::join!(desk.member("customer"), desk.member("admin"), desk.member("agent"));
    let order = |total: Value, currency: &str, status: &str| json!({ "user_id": customer.id, "total": total, "currency": currency, "status": status });

    let created = desk.put(&desk.owner, "/v1/orders/555", &order(json!(612.50), "EUR", "paid")).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let body = created.json();
    assert_eq!(body["order_id"], 555);
    assert_eq!(body["user_id"], customer.id.to_string());
    assert_eq!(body["total"].as_f64(), Some(612.5));
    assert_eq!(body["currency"], "EUR");
    assert_eq!(body["status"], "paid");
    assert!(body["updated_at"].is_string());
    let updated = desk.put(&admin, "/v1/orders/555", &order(json!(612.50), "EUR", "shipped")).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.json()["status"], "shipped");
    let stored: (i64, String, String) =
        sqlx::query_as("SELECT total_cents, currency, status FROM order_refs WHERE order_id = 555")
            .fetch_one(&desk.db.pool)
            .await
            .unwrap();
    assert_eq!(stored, (61_250, "EUR".to_owned(), "shipped".to_owned()));

    let before = desk.counts().await;
    for who in [&agent, &customer] {
        desk.put(who, "/v1/orders/556", &order(json!(10), "EUR", "paid")).await.assert_problem(403, "forbidden");
    }
    for (body, status) in [
        (order(json!(10), "eur", "paid"), 422),
        (order(json!(10), "EURO", "paid"), 422),
        (order(json!(10.999), "EUR", "paid"), 422),
        (order(json!(-1), "EUR", "paid"), 422),
        (order(json!(10), "EUR", ""), 422),
        (json!({ "user_id": customer.id, "total": 10, "currency": "EUR", "status": "paid", "vat": 2 }), 400),
        (json!({ "user_id": customer.id, "total": "ten", "currency": "EUR", "status": "paid" }), 400),
    ] {
        desk.put(&desk.owner, "/v1/orders/556", &body).await.assert_problem(status, "validation_failed");
    }
    desk.put(&desk.owner, "/v1/orders/abc", &order(json!(10), "EUR", "paid"))
        .await
        .assert_problem(400, "validation_failed");
    assert_eq!(desk.counts().await, before, "refused upserts wrote nothing");
}

#[tokio::test]
async fn the_sla_summary_counts_breaches_and_tickets_at_risk() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let new = |subject: &'static str| {
        let (desk, customer) = (&desk, &customer);
        async move { desk.create(customer, json!({ "subject": subject, "description": "x" })).await }
    };
    let late_answer = id(&new("No answer yet").await);
    let late_fix = id(&new("Not fixed yet").await);
    let at_risk = new("Nearly late").await;
    let calm = id(&new("Plenty of time").await);
    // Waiting for the customer: the clock is paused, a past due date is no breach.
    let paused = id(&new("Waiting for you").await);
    desk.assign(&agent, paused, Some(&agent)).await;
    desk.set_status(&agent, paused, "waiting_customer").await;
    desk.db
        .execute(&format!(
            "UPDATE support_tickets SET response_due_at = now() - interval '1 minute' WHERE id IN ({late_answer}, {paused});
             UPDATE support_tickets SET resolution_due_at = now() - interval '1 minute' WHERE id = {late_fix};
             UPDATE support_tickets SET response_due_at = now() + interval '10 minutes',
               response_risk_at = now() - interval '50 minutes' WHERE id = {};",
            id(&at_risk)
        ))
        .await;

    let summary = desk.get(&desk.owner, "/v1/sla/summary").await;
    assert_eq!(summary.status, 200, "{}", summary.body);
    let summary = summary.json();
    assert_eq!(summary["breaches"]["response"], 1, "{summary}");
    assert_eq!(summary["breaches"]["resolution"], 1, "{summary}");
    let risky = summary["at_risk"].as_array().unwrap();
    assert_eq!(risky.len(), 1, "{summary}");
    assert_eq!(risky[0]["id"], id(&at_risk));
    assert_eq!(risky[0]["ticket_number"], at_risk["ticket_number"]);
    assert_eq!(risky[0]["sla_type"], "response");
    assert_eq!(risky[0]["priority"], "medium");
    assert_eq!(risky[0]["status"], "open");
    assert!(risky[0]["due_at"].is_string());
    assert!(summary["generated_at"].is_string());
    let total: i64 = summary["open"].as_array().unwrap().iter().map(|r| r["count"].as_i64().unwrap()).sum();
    assert_eq!(total, 5, "{summary}");

    // Closed tickets leave the counts.
    desk.set_status(&agent, calm, "closed").await;
    let summary = desk.get(&desk.owner, "/v1/sla/summary").await.json();
    let total: i64 = summary["open"].as_array().unwrap().iter().map(|r| r["count"].as_i64().unwrap()).sum();
    assert_eq!(total, 4, "{summary}");
}
