//! Ticket numbers count per tenant: `TKT-1`, then `TKT-2`, in every organisation; concurrent
//! creations get twenty different numbers (consecutive when none fails), and a number an older
//! ticket holds is passed over.

use futures_util::future::join_all;
use serde_json::json;

use super::Desk;

fn number(ticket: &serde_json::Value) -> String {
    ticket["ticket_number"].as_str().expect("a ticket number").to_owned()
}

#[tokio::test]
async fn every_organisation_counts_its_tickets_from_tkt_1() {
    let d = Desk::open().await;
    let customer = d.member("customer").await;
    let first = d.create(&customer, json!({ "subject": "First", "description": "One" })).await;
    let second = d.create(&customer, json!({ "subject": "Second", "description": "Two" })).await;
    assert_eq!([number(&first), number(&second)], ["TKT-1", "TKT-2"]);

    // Another organisation of the same platform has a `TKT-1` of its own.
    let other = d.platform.org().await;
    let stranger = d.platform.member(&d.app, &other, "customer").await;
    let created =
        d.app.post(&other.slug, "/v1/tickets", &stranger.token, &json!({ "subject": "Hi", "description": "x" })).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(number(&created.json()), "TKT-1");
}

#[tokio::test]
async fn twenty_creations_at_once_get_twenty_consecutive_numbers() {
    let d = Desk::open().await;
    let customer = d.member("customer").await;
    let created = join_all((0..20).map(|i| {
        let body = json!({ "subject": format!("Parcel {i}"), "description": "Lost" });
        let (d, customer) = (&d, &customer);
        async move { d.create(customer, body).await }
    }))
    .await;
    let mut numbers: Vec<String> = created.iter().map(number).collect();
    numbers.sort_by_key(|n| n[4..].parse::<u32>().unwrap());
    let expected: Vec<String> = (1..=20).map(|n| format!("TKT-{n}")).collect();
    assert_eq!(numbers, expected);
    assert_eq!(d.db.scalar("SELECT count(DISTINCT ticket_number) FROM support_tickets").await, 20);
}

#[tokio::test]
async fn a_number_an_older_ticket_holds_is_passed_over() {
    let d = Desk::open().await;
    let customer = d.member("customer").await;
    // Tickets numbered before the count began hold `TKT-` and eight letters or digits; say one
    // of them holds what the count gives next.
    d.db.execute(&format!(
        "INSERT INTO support_tickets (ticket_number, user_id, subject, description, response_due_at, resolution_due_at)
         VALUES ('TKT-1', '{}', 'Older', 'x', now(), now())",
        customer.id
    ))
    .await;
    let created = d.create(&customer, json!({ "subject": "Newer", "description": "y" })).await;
    assert_eq!(number(&created), "TKT-2");
    assert_eq!(d.db.scalar("SELECT last FROM tenant_counters WHERE name = 'ticket_number'").await, 2);
}
