//! The reports' digest on a real mail server read back over IMAP: saved during its hour, the
//! period just ended goes at once to each recipient, in their language; the schedule claiming
//! the tenant again (as after a restart, or on another replica) writes nothing more; saved after
//! its hour it waits for the next period; bad settings are refused by name and change nothing.

use std::time::Duration;

use chrono::{Timelike as _, Utc};
use harness::eventually;
use serde_json::{Value, json};
use testkit::mailbox;
use uuid::Uuid;

use crate::notifications::MailDesk;
use crate::tickets::{error_fields, id};

fn address(tag: &str) -> String {
    format!("{tag}-{}@example.com", Uuid::new_v4().simple())
}

async fn digest_mails(address: &str) -> Vec<mailbox::Mail> {
    let digest =
        |m: &mailbox::Mail| m.subject.starts_with("Support digest") || m.subject.starts_with("Résumé du support");
    mailbox::inbox(address).await.into_iter().filter(digest).collect()
}

/// Saves a daily digest at the current hour (again at the next one if the hour turned between
/// reading the clock and the save): the answer.
async fn save_now(desk: &MailDesk, recipients: &[&str]) -> Value {
    for _ in 0..2 {
        let hour = Utc::now().hour();
        let body = json!({ "frequency": "daily", "hour": hour, "time_zone": "UTC", "recipients": recipients });
        let saved = desk.put(&desk.owner, "/v1/reports/digest", &body).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        let saved = saved.json();
        if saved["last_sent_period_end"].is_null() {
            return saved;
        }
    }
    panic!("the hour turned twice while saving");
}

#[tokio::test]
async fn a_digest_saved_during_its_hour_arrives_once_even_when_claimed_again() {
    let desk = MailDesk::open().await;
    let customer = desk.customer().await;
    let lead = desk.member("admin").await;
    desk.db
        .execute(&format!("INSERT INTO notification_languages (user_id, language) VALUES ('{}', 'fr')", lead.id))
        .await;
    // Two tickets created yesterday, one of them answered; one today (not in the period).
    for n in 0..3 {
        let ticket = id(&desk.create(&customer, json!({ "subject": format!("Order {n}"), "description": "x" })).await);
        if n < 2 {
            desk.say(&desk.owner, ticket, "We are on it", false).await;
            desk.db
                .execute(&format!(
                    "UPDATE support_tickets SET created_at = date_trunc('day', now()) - interval '12 hours' WHERE id = {ticket}"
                ))
                .await;
        }
    }
    let outsider = address("outsider");
    let saved = save_now(&desk, &[&lead.email, &outsider]).await;
    assert_eq!(saved["frequency"], "daily");
    assert_eq!(saved["recipients"], json!([lead.email.to_lowercase(), outsider]));

    let english = eventually(Duration::from_secs(30), "the digest reaches the outsider", || async {
        digest_mails(&outsider).await.into_iter().next()
    })
    .await;
    assert!(english.subject.starts_with("Support digest"), "{}", english.subject);
    assert!(english.text.contains("Created: 2\n"), "{}", english.text);
    assert!(english.text.contains("/admin/reports"), "{}", english.text);
    let french = eventually(Duration::from_secs(30), "the digest reaches the lead", || async {
        digest_mails(&lead.email).await.into_iter().next()
    })
    .await;
    assert!(french.subject.starts_with("Résumé du support"), "{}", french.subject);
    assert!(french.text.contains("Créés\u{a0}: 2\n"), "{}", french.text);

    let today = Utc::now().date_naive().to_string();
    let shown = desk.get(&desk.owner, "/v1/reports/digest").await.json();
    assert_eq!(shown["last_sent_period_end"], today.as_str(), "{shown}");
    assert!(shown["next_send_at"].as_str().is_some_and(|at| at > today.as_str()), "{shown}");

    // The schedule claims the tenant again now, as after a restart: nothing more is written.
    let control = &desk.platform.control.db;
    let tenant: Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(&desk.org.slug)
        .fetch_one(control)
        .await
        .unwrap();
    sqlx::query("UPDATE tenant_schedule SET next_due_at = now() WHERE tenant_id = $1 AND work = 'digest'")
        .bind(tenant)
        .execute(control)
        .await
        .unwrap();
    eventually(Duration::from_secs(20), "the worker visits the tenant again", || async {
        let due: bool = sqlx::query_scalar(
            "SELECT next_due_at > now() + interval '1 hour' FROM tenant_schedule WHERE tenant_id = $1 AND work = 'digest'",
        )
        .bind(tenant)
        .fetch_one(control)
        .await
        .unwrap();
        due.then_some(())
    })
    .await;
    assert_eq!(desk.db.scalar("SELECT count(*) FROM mail_deliveries WHERE kind = 'report_digest'").await, 2);
    assert_eq!(digest_mails(&outsider).await.len(), 1);
    assert_eq!(digest_mails(&lead.email).await.len(), 1);
}

#[tokio::test]
async fn a_digest_saved_after_its_hour_waits_and_bad_settings_change_nothing() {
    let desk = MailDesk::open().await;
    let outsider = address("later");
    let now = Utc::now();
    // Two hours ago (yesterday's hour just after midnight): this period's hour has passed.
    let hour = (now.hour() + 22) % 24;
    let body =
        json!({ "frequency": "weekly", "weekday": "mon", "hour": hour, "time_zone": "UTC", "recipients": [outsider] });
    let saved = desk.put(&desk.owner, "/v1/reports/digest", &body).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let saved = saved.json();
    assert!(saved["last_sent_period_end"].is_string(), "the period of the passed hour is passed over: {saved}");
    assert_eq!(saved["weekday"], "mon");
    let next = saved["next_send_at"].as_str().unwrap().to_owned();
    assert!(next > now.to_rfc3339(), "{saved}");

    for (body, fields) in [
        (json!({ "frequency": "daily", "hour": 24, "time_zone": "UTC", "recipients": [outsider] }), vec!["hour"]),
        (
            json!({ "frequency": "daily", "hour": 8, "time_zone": "Moon/Base", "recipients": [outsider] }),
            vec!["time_zone"],
        ),
        (
            json!({ "frequency": "daily", "hour": 8, "time_zone": "UTC", "recipients": ["nobody"] }),
            vec!["recipients[0]"],
        ),
        (json!({ "frequency": "daily", "hour": 8, "time_zone": "UTC", "recipients": [] }), vec!["recipients"]),
        (
            json!({ "frequency": "daily", "hour": 8, "time_zone": "UTC",
                    "recipients": (0..21).map(|n| format!("p{n}@example.com")).collect::<Vec<_>>() }),
            vec!["recipients"],
        ),
    ] {
        let refused = desk.put(&desk.owner, "/v1/reports/digest", &body).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert_eq!(error_fields(&refused), fields, "{body}");
    }
    for body in [
        json!({ "frequency": "hourly", "hour": 8, "time_zone": "UTC", "recipients": [] }),
        json!({ "frequency": "daily", "hour": "eight", "time_zone": "UTC", "recipients": [] }),
        json!({ "frequency": "daily", "hour": 8, "time_zone": "UTC", "recipients": [], "colour": "red" }),
    ] {
        let refused = desk.put(&desk.owner, "/v1/reports/digest", &body).await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.body);
    }
    let agent = desk.member("agent").await;
    desk.put(&agent, "/v1/reports/digest", &body).await.assert_problem(403, "forbidden");
    let kept = desk.get(&desk.owner, "/v1/reports/digest").await.json();
    assert_eq!(kept, saved, "nothing changed");
    assert_eq!(desk.db.scalar("SELECT count(*) FROM mail_deliveries WHERE kind = 'report_digest'").await, 0);
}
