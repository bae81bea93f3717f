//! Notifications end to end, on a real broker and a real mail server (the test script's
//! mail-devel, read back over IMAP as a mail client reads it): who is told of what, the mail's
//! headers and threading, the bell, preferences and the one-click unsubscribe, languages, and
//! mail that waits while no server is configured.

use std::time::Duration;

use harness::eventually;
use serde_json::{Value, json};
use shared::config::FromEnv as _;
use testkit::mailbox::{self, Mail};

use crate::events::{Rabbit, unique};
use crate::helpers::{Person, Service, broker_url};
use crate::tickets::{Desk, id};

/// A desk whose replica relays events to a broker exchange of its own, runs the notification
/// worker on a queue of its own, and mails through the test mail server. Fields drop in order:
/// the replica stops before the exchange and queue are deleted.
pub(crate) struct MailDesk {
    desk: Desk,
    _rabbit: Rabbit,
}

impl std::ops::Deref for MailDesk {
    type Target = Desk;

    fn deref(&self) -> &Desk {
        &self.desk
    }
}

const APP_URL: &str = "http://{slug}.helpdeskly.test";

impl MailDesk {
    pub(crate) async fn open() -> Self {
        Self::open_with(|_| {}).await
    }

    async fn open_with(configure: impl FnOnce(&mut app_api::AppConfig)) -> Self {
        let (exchange, queue) = (unique("sav"), unique("notifications"));
        let mut rabbit = Rabbit::connect().await;
        rabbit.owns_exchange(&exchange);
        rabbit.owns_queue(&queue);
        let desk = Desk::open_with(|c| {
            c.amqp_url = broker_url(&Service::Test);
            c.events.exchange = exchange;
            c.notifications.queue = queue;
            c.notifications.in_serve = true;
            c.notifications.mail.smtp_url = Some(shared::mail::SmtpUrl::from_env(&mailbox::smtp_url()).unwrap());
            c.notifications.app_public_url = Some(shared::config::AppUrlTemplate::from_env(APP_URL).unwrap());
            configure(c);
        })
        .await;
        let metrics = desk.app.state.mail.metrics.clone();
        eventually(Duration::from_secs(10), "the notification worker holds its queue", || async {
            (metrics.consumer_connected.get() == 1).then_some(())
        })
        .await;
        Self { desk, _rabbit: rabbit }
    }

    /// A customer whose address is verified.
    pub(crate) async fn customer(&self) -> Person {
        let customer = self.member("customer").await;
        self.db.execute(&format!("UPDATE users SET email_verified = true WHERE id = '{}'", customer.id)).await;
        customer
    }

    /// `who`'s notifications (the first page).
    async fn bell(&self, who: &Person) -> Value {
        let page = self.get(who, "/v1/notifications").await;
        assert_eq!(page.status, 200, "{}", page.body);
        page.json()
    }

    /// `who`'s bell once it holds `count` entries.
    async fn bell_with(&self, who: &Person, count: usize) -> Value {
        eventually(Duration::from_secs(20), &format!("{count} notification(s) for {}", who.role), || async {
            let page = self.bell(who).await;
            (page["data"].as_array().unwrap().len() >= count).then_some(page)
        })
        .await
    }

    /// Mail deliveries written for `who`.
    async fn deliveries(&self, who: &Person) -> i64 {
        self.db.scalar(&format!("SELECT count(*) FROM mail_deliveries WHERE user_id = '{}'", who.id)).await
    }
}

fn header<'m>(mail: &'m Mail, name: &str) -> &'m str {
    mail.header(name).unwrap_or_else(|| panic!("no {name} in\n{}", String::from_utf8_lossy(&mail.raw)))
}

#[tokio::test]
async fn each_side_hears_of_the_other_and_the_mail_threads() {
    let desk = MailDesk::open().await;
    let customer = desk.customer().await;
    let agent = desk.member("agent").await;
    let ticket =
        desk.create(&customer, json!({"subject": "Parcel <b>lost</b>", "description": "Ordered on the 3rd."})).await;
    let (ticket_id, number) = (id(&ticket), ticket["ticket_number"].as_str().unwrap().to_owned());

    // The confirmation, with every header a mail reader and a mail server need.
    let confirmation = mailbox::wait_for(&customer.email, 1).await.remove(0);
    assert_eq!(confirmation.subject, format!("[{number}] Parcel <b>lost</b>"));
    assert_eq!(header(&confirmation, "auto-submitted"), "auto-generated");
    assert_eq!(header(&confirmation, "x-auto-response-suppress"), "All");
    assert_eq!(header(&confirmation, "list-unsubscribe-post"), "List-Unsubscribe=One-Click");
    let unsubscribe = header(&confirmation, "list-unsubscribe");
    assert!(
        unsubscribe
            .starts_with(&format!("<http://{}.helpdeskly.test/v1/notifications/unsubscribe?token=", desk.org.slug))
    );
    assert!(header(&confirmation, "reply-to").starts_with("reply+"), "{}", header(&confirmation, "reply-to"));
    assert!(header(&confirmation, "x-helpdeskly-notification-id").starts_with(&desk.org.slug));
    assert!(header(&confirmation, "from").contains('@'));
    assert!(confirmation.text.contains(&format!("/tickets/{ticket_id}")), "{}", confirmation.text);
    assert!(
        confirmation.text.contains("/unsubscribe?token="),
        "a page to stop them, for people: {}",
        confirmation.text
    );
    assert!(!confirmation.html.contains("<b>lost</b>"), "the subject is text: {}", confirmation.html);
    assert!(confirmation.html.contains("&lt;b&gt;lost&lt;/b&gt;"));

    // Assigned by the owner: the agent is told; the owner (the actor) is not.
    desk.assign(&desk.owner, ticket_id, Some(&agent)).await;
    let assigned = mailbox::wait_for(&agent.email, 1).await.remove(0);
    assert!(assigned.text.contains(&format!("Ticket {number} was assigned to you")), "{}", assigned.text);

    // An internal note: nothing for the customer; the agent wrote it, so nothing for them.
    desk.say(&agent, ticket_id, "Customer sounds upset, check the carrier", true).await;
    // A public reply: the customer is told, in the same conversation as the confirmation.
    desk.say(&agent, ticket_id, "We found it: it ships <i>tomorrow</i>.", false).await;
    let mails = mailbox::wait_for(&customer.email, 2).await;
    let reply = &mails[1];
    assert_eq!(reply.subject, confirmation.subject);
    assert!(reply.text.contains("We found it: it ships tomorrow."), "{}", reply.text);
    assert!(!reply.text.contains("upset"), "an internal note never reaches a customer");
    assert_eq!(header(reply, "in-reply-to"), format!("<{}>", confirmation.message_id()));
    assert!(header(reply, "references").contains(&confirmation.message_id()));
    assert_ne!(reply.message_id(), confirmation.message_id());

    // The customer answers: the agent is told, the customer is not.
    desk.say(&customer, ticket_id, "Thank you!", false).await;
    let agent_mail = mailbox::wait_for(&agent.email, 2).await;
    assert!(agent_mail[1].text.contains("Thank you!"));
    assert!(agent_mail.iter().all(|m| !m.text.contains("upset")), "the note's writer is not told of it");

    // The bell says the same, and nothing the customer did themselves.
    let bell = desk.bell_with(&customer, 2).await;
    let kinds: Vec<&str> = bell["data"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["message_added", "ticket_created"], "newest first: {bell}");
    assert_eq!(bell["unread_count"], 2);
    assert_eq!(mailbox::inbox(&customer.email).await.len(), 2, "exactly the confirmation and the reply");
    assert_eq!(desk.deliveries(&customer).await, 2);
}

#[tokio::test]
async fn preferences_and_one_click_unsubscribe_stop_the_next_mail() {
    let desk = MailDesk::open().await;
    let customer = desk.customer().await;
    let agent = desk.member("agent").await;
    let ticket = id(&desk.create(&customer, json!({"subject": "Broken lid", "description": "Cracked."})).await);
    let confirmation = mailbox::wait_for(&customer.email, 1).await.remove(0);
    desk.assign(&desk.owner, ticket, Some(&agent)).await;

    // Replies off by mail, still on in the app.
    let mut preferences = desk.get(&customer, "/v1/me/notification-preferences").await.json();
    assert_eq!(preferences["email"]["message_added"], true);
    assert_eq!(preferences["email"]["sla_breach"], false, "customers never hear of breaches");
    preferences["email"]["message_added"] = json!(false);
    let saved = desk.put(&customer, "/v1/me/notification-preferences", &preferences).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.json(), preferences);
    desk.say(&agent, ticket, "Can you send a photo?", false).await;
    let bell = desk.bell_with(&customer, 2).await;
    assert_eq!(bell["data"][0]["kind"], "message_added");
    assert_eq!(desk.deliveries(&customer).await, 1, "no mail written for the reply");

    // The one-click unsubscribe of the confirmation's kind of mail, as a mail client posts it.
    let url = header(&confirmation, "list-unsubscribe").trim_matches(['<', '>']).to_owned();
    let path = url.split_once(".helpdeskly.test").unwrap().1;
    let posted = desk
        .app
        .server
        .request(reqwest::Method::POST, path)
        .header("x-tenant-slug", &desk.org.slug)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    assert_eq!(posted.json::<Value>().await.unwrap(), json!({"kind": "ticket_created", "channel": "email"}));
    let now = desk.get(&customer, "/v1/me/notification-preferences").await.json();
    assert_eq!(now["email"]["ticket_created"], false);
    assert_eq!(now["in_app"]["ticket_created"], true);
    desk.create(&customer, json!({"subject": "Another one", "description": "Again."})).await;
    desk.bell_with(&customer, 3).await;
    assert_eq!(desk.deliveries(&customer).await, 1, "no confirmation mail for the second ticket");
    assert_eq!(mailbox::inbox(&customer.email).await.len(), 1);

    // A forged or foreign token changes nothing.
    let forged = desk
        .app
        .server
        .request(reqwest::Method::POST, "/v1/notifications/unsubscribe?token=AAAA")
        .header("x-tenant-slug", &desk.org.slug)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert_eq!(forged.json::<Value>().await.unwrap()["code"], "invalid_token");
}

#[tokio::test]
async fn preferences_refuse_unknown_and_missing_kinds() {
    let desk = MailDesk::open().await;
    let customer = desk.customer().await;
    let before = desk.get(&customer, "/v1/me/notification-preferences").await.json();
    let mut missing = before.clone();
    missing["email"].as_object_mut().unwrap().remove("ticket_created");
    let refused = desk.put(&customer, "/v1/me/notification-preferences", &missing).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["errors"][0]["field"], "email.ticket_created");
    let mut unknown = before.clone();
    unknown["in_app"]["ticket_deleted"] = json!(true);
    assert_eq!(desk.put(&customer, "/v1/me/notification-preferences", &unknown).await.status, 422);
    let mut wrong = before.clone();
    wrong["language"] = json!("de");
    let wrong = desk.put(&customer, "/v1/me/notification-preferences", &wrong).await;
    assert_eq!((wrong.status.as_u16(), wrong.json()["errors"][0]["field"].clone()), (400, json!("language")));
    let mut extra = before.clone();
    extra["sms"] = json!({});
    assert_eq!(desk.put(&customer, "/v1/me/notification-preferences", &extra).await.status, 400);
    assert_eq!(desk.get(&customer, "/v1/me/notification-preferences").await.json(), before, "nothing changed");
    let both = desk.post(&customer, "/v1/notifications/read", &json!({"ids": [1], "all": true})).await;
    assert_eq!(both.status, 422);
    let neither = desk.post(&customer, "/v1/notifications/read", &json!({})).await;
    assert_eq!(neither.status, 422);
    let many: Vec<i64> = (0..501).collect();
    assert_eq!(desk.post(&customer, "/v1/notifications/read", &json!({"ids": many})).await.status, 422);
}

#[tokio::test]
async fn mail_comes_in_the_recipient_s_language_and_the_bell_is_read() {
    let desk = MailDesk::open().await;
    let customer = desk.customer().await;
    let mut preferences = desk.get(&customer, "/v1/me/notification-preferences").await.json();
    preferences["language"] = json!("fr");
    assert_eq!(desk.put(&customer, "/v1/me/notification-preferences", &preferences).await.status, 200);
    let ticket = id(&desk.create(&customer, json!({"subject": "Colis", "description": "Perdu."})).await);
    let mail = mailbox::wait_for(&customer.email, 1).await.remove(0);
    assert!(mail.text.starts_with("Bonjour Cust,"), "{}", mail.text);
    assert!(mail.text.contains("Nous avons bien reçu votre demande"), "{}", mail.text);
    assert_eq!(header(&mail, "content-language"), "fr");

    let bell = desk.bell_with(&customer, 1).await;
    assert_eq!(bell["data"][0]["ticket_id"], ticket);
    assert!(bell["data"][0]["title"].as_str().unwrap().starts_with("Nous avons bien reçu"));
    let first = bell["data"][0]["id"].as_i64().unwrap();
    // Another person's ids are ignored.
    let agent = desk.member("agent").await;
    assert_eq!(desk.post(&agent, "/v1/notifications/read", &json!({"ids": [first]})).await.status, 204);
    assert_eq!(desk.bell(&customer).await["unread_count"], 1);
    // `GET /v1/me` carries the same count, for the bell of a page just opened.
    assert_eq!(desk.get(&customer, "/v1/me").await.json()["unread_notifications"], 1);
    assert_eq!(desk.get(&agent, "/v1/me").await.json()["unread_notifications"], 0, "one's own only");
    assert_eq!(desk.post(&customer, "/v1/notifications/read", &json!({"ids": [first]})).await.status, 204);
    let read = desk.bell(&customer).await;
    assert_eq!(read["unread_count"], 0);
    assert_eq!(desk.get(&customer, "/v1/me").await.json()["unread_notifications"], 0);
    assert!(read["data"][0]["read_at"].is_string());
    let unread = desk.get(&customer, "/v1/notifications?unread=true").await.json();
    assert_eq!(unread["data"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn an_unverified_address_gets_the_bell_and_no_mail() {
    let desk = MailDesk::open().await;
    let customer = desk.member("customer").await;
    desk.db.execute(&format!("UPDATE users SET email_verified = false WHERE id = '{}'", customer.id)).await;
    desk.create(&customer, json!({"subject": "Hello", "description": "Anyone?"})).await;
    desk.bell_with(&customer, 1).await;
    assert_eq!(desk.deliveries(&customer).await, 0);
}

#[tokio::test]
async fn managers_hear_of_breaches_and_customers_never_do() {
    let desk = MailDesk::open().await;
    let customer = desk.customer().await;
    let admin = desk.member("admin").await;
    let ticket = id(&desk.create(&customer, json!({"subject": "Late", "description": "Waiting."})).await);
    mailbox::wait_for(&customer.email, 1).await;
    // A day and an hour later, the response target (24 h at medium) has passed: the jobs record
    // the breach and its event.
    let ahead = chrono::Duration::hours(25);
    let jobs = app_api::worker::jobs::Jobs::new(&desk.app.state)
        .with_clock(std::sync::Arc::new(move || chrono::Utc::now() + ahead));
    jobs.sweep().await.unwrap();
    assert_eq!(jobs.check().await.unwrap().breaches, 1, "ticket {ticket} breached");
    let mail = mailbox::wait_for(&admin.email, 1).await.remove(0);
    assert!(mail.text.contains("The response target was missed"), "{}", mail.text);
    let bell = desk.bell_with(&admin, 1).await;
    assert_eq!(bell["data"][0]["kind"], "sla_breach");
    assert_eq!(mailbox::inbox(&customer.email).await.len(), 1, "only the confirmation");
}

#[tokio::test]
async fn mail_waits_without_a_mail_server_and_goes_once_one_is_configured() {
    let desk = MailDesk::open_with(|c| c.notifications.mail.smtp_url = None).await;
    let customer = desk.customer().await;
    desk.create(&customer, json!({"subject": "Quiet", "description": "No server yet."})).await;
    let db = &desk.db;
    eventually(Duration::from_secs(20), "the delivery is written", || async {
        (db.scalar("SELECT count(*) FROM mail_deliveries WHERE status = 'pending'").await == 1).then_some(())
    })
    .await;
    assert!(mailbox::inbox(&customer.email).await.is_empty());
    // A second replica with a mail server (its background work off, so the test drives it): its
    // sweep finds the waiting mail.
    let sender = desk
        .platform
        .replica_with(|c| {
            c.notifications.in_serve = false;
            c.notifications.mail.smtp_url = Some(shared::mail::SmtpUrl::from_env(&mailbox::smtp_url()).unwrap());
        })
        .await;
    let notifier = app_api::worker::notify::Notifier::of(&sender.state);
    notifier.sweep_and_send().await;
    assert_eq!(db.scalar("SELECT count(*) FROM mail_deliveries WHERE status = 'sent'").await, 1);
    assert_eq!(mailbox::wait_for(&customer.email, 1).await.len(), 1);
    notifier.sweep_and_send().await;
    assert_eq!(db.scalar("SELECT count(*) FROM mail_deliveries WHERE status = 'sent'").await, 1);
    assert_eq!(mailbox::inbox(&customer.email).await.len(), 1, "sent once");
}

#[tokio::test]
async fn an_erased_customer_leaves_no_notification_behind() {
    let desk = MailDesk::open().await;
    let customer = desk.customer().await;
    let agent = desk.member("agent").await;
    let ticket = id(&desk.create(&customer, json!({"subject": "Private matter", "description": "Mine."})).await);
    desk.assign(&desk.owner, ticket, Some(&agent)).await;
    desk.say(&customer, ticket, "My address is 1 Main St", false).await;
    mailbox::wait_for(&agent.email, 2).await;
    desk.bell_with(&customer, 1).await;
    let mut preferences = desk.get(&customer, "/v1/me/notification-preferences").await.json();
    preferences["language"] = json!("fr");
    assert_eq!(desk.put(&customer, "/v1/me/notification-preferences", &preferences).await.status, 200);
    let erased = desk
        .app
        .send(reqwest::Method::DELETE, &desk.org.slug, &format!("/v1/users/{}", customer.id), &desk.owner.token, None)
        .await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    for table in ["mail_deliveries", "notifications", "notification_settings", "notification_languages"] {
        let left = desk.db.scalar(&format!("SELECT count(*) FROM {table} WHERE user_id = '{}'", customer.id)).await;
        assert_eq!(left, 0, "{table} keeps the erased customer's rows");
    }
    let quoting = desk.db.scalar(&format!("SELECT count(*) FROM mail_deliveries WHERE ticket_id = {ticket}")).await;
    assert_eq!(quoting, 0, "the staff's mail about the ticket quoted the customer");
}

#[tokio::test]
async fn the_customer_hears_of_waiting_resolution_and_closing_and_the_agent_of_a_reopening() {
    let desk = MailDesk::open().await;
    let customer = desk.customer().await;
    let agent = desk.member("agent").await;
    let ticket = id(&desk.create(&customer, json!({"subject": "Zip broken", "description": "On the bag."})).await);
    desk.assign(&desk.owner, ticket, Some(&agent)).await;
    let reason = json!({"status": "waiting_customer", "reason": "Which size?"});
    assert_eq!(desk.post(&agent, &format!("/v1/tickets/{ticket}/status"), &reason).await.status, 200);
    let waiting = mailbox::wait_for(&customer.email, 2).await.remove(1);
    assert!(waiting.text.contains("is now waiting for your answer"), "{}", waiting.text);
    assert!(waiting.text.contains("Reason: Which size?"), "{}", waiting.text);

    // The customer answers (the ticket moves back to in progress: the agent hears of the message).
    desk.say(&customer, ticket, "Size M", false).await;
    desk.set_status(&agent, ticket, "resolved").await;
    let resolved = mailbox::wait_for(&customer.email, 3).await.remove(2);
    assert!(resolved.text.contains("was resolved"), "{}", resolved.text);
    assert!(resolved.text.contains("confirm the resolution"), "{}", resolved.text);
    // It asks for a rating, one link per score, each to the rating page with a signed token.
    let page = format!("http://{}.helpdeskly.test/rate?token=", desk.org.slug);
    let links: Vec<&str> = resolved
        .text
        .lines()
        .filter_map(|line| line.split_once(": ").map(|(_, url)| url))
        .filter(|url| url.starts_with(&page))
        .collect();
    assert_eq!(links.len(), 5, "{}", resolved.text);
    let token = links[3].strip_prefix(&page).unwrap().strip_suffix("&rating=4").unwrap().to_owned();
    let desk_ref = &desk;
    let rate = |token: String| async move {
        let request = desk_ref
            .app
            .server
            .request(reqwest::Method::POST, "/v1/satisfaction")
            .header("x-tenant-slug", &desk_ref.org.slug);
        let answer = request.json(&json!({"token": token, "rating": 4})).send().await.unwrap();
        answer.status().as_u16()
    };

    // The customer reopens: their agent is told, they are not.
    desk.set_status(&customer, ticket, "in_progress").await;
    let agent_mail = mailbox::wait_for(&agent.email, 3).await;
    assert!(agent_mail[2].text.contains("The customer moved"), "{}", agent_mail[2].text);
    assert_eq!(rate(token.clone()).await, 409, "reopened since: that resolution is not rated");
    desk.set_status(&agent, ticket, "resolved").await;
    let again = mailbox::wait_for(&customer.email, 4).await.remove(3);
    let token_again = again.text.lines().find_map(|line| line.split_once(&page).map(|(_, rest)| rest)).unwrap();
    let token_again = token_again.split('&').next().unwrap().to_owned();
    assert_ne!(token_again, token);
    assert_eq!(rate(token_again.clone()).await, 201, "the new resolution's link rates it");
    assert_eq!(rate(token_again).await, 409, "once");
    desk.set_status(&customer, ticket, "closed").await;
    let agent_mail = mailbox::wait_for(&agent.email, 4).await;
    assert!(agent_mail[3].text.contains("to closed"), "{}", agent_mail[3].text);
    // Confirmation, waiting, resolved twice; the customer's own moves told them nothing.
    assert_eq!(mailbox::wait_for(&customer.email, 4).await.len(), 4);
    let customer_kinds = desk
        .db
        .scalar(&format!(
            "SELECT count(*) FROM mail_deliveries WHERE user_id = '{}' AND kind = 'status_changed'",
            customer.id
        ))
        .await;
    assert_eq!(customer_kinds, 1, "only the wait was a status mail; resolution has its own");
}
