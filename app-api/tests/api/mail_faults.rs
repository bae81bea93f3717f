//! Notification mail when things fail, with `app-api worker` (the binary) holding the
//! notification worker and a mail server of the test's own: the worker killed before the mail
//! server answers and after it answered, and the mail server away, lose no mail and send none
//! twice, and the mail about a ticket arrives in order.
//!
//! Which side of the server's answer can still duplicate: a worker killed after the server
//! accepted a mail but before the delivery's mark committed sends that mail again (with the same
//! `Message-ID`, which mail readers show once). The window is the one commit after each answer,
//! so at most one mail per killed sender; these tests kill before the answer, and after the mark.

use std::collections::HashMap;
use std::time::Duration;

use harness::eventually;
use serde_json::json;
use testkit::mailbox::MailServer;

use crate::events::{Rabbit, unique};
use crate::helpers::{Person, Platform, TenantDb, WorkerProcess};
use crate::tickets::id;

/// The platform, its replica (which relays events and serves, without a notification worker)
/// and what the worker binary needs to join them.
struct Rig {
    _rabbit: Rabbit,
    exchange: String,
    queue: String,
    db: TenantDb,
    app: testkit::Replica,
    org: testkit::Org,
    platform: Platform,
}

impl Rig {
    async fn open() -> Self {
        let (exchange, queue) = (unique("sav"), unique("notifications"));
        let mut rabbit = Rabbit::connect().await;
        rabbit.owns_exchange(&exchange);
        rabbit.owns_queue(&queue);
        // The worker also consumes order events: its exchange and queues are the test's too.
        rabbit.owns_exchange(&format!("{exchange}.orders"));
        rabbit.owns_queue(&format!("{queue}.orders"));
        rabbit.owns_queue(&format!("{queue}.orders.dead"));
        let (platform, org) = Platform::with_org(false).await;
        let app = platform
            .replica_with(|c| {
                c.rate_limits.per_user_per_minute = 0;
                c.amqp_url = crate::helpers::broker_url(&crate::helpers::Service::Test);
                c.events.exchange.clone_from(&exchange);
                c.notifications.in_serve = false;
            })
            .await;
        let db = platform.tenant_db(&org.slug).await;
        Self { _rabbit: rabbit, exchange, queue, db, app, org, platform }
    }

    /// `app-api worker`, mailing through `smtp_url`, once it holds the notification queue.
    async fn worker(&self, smtp_url: &str) -> WorkerProcess {
        let worker = WorkerProcess::spawn(
            &self.platform,
            &[
                ("EVENTS_EXCHANGE", self.exchange.clone()),
                ("NOTIFICATIONS_QUEUE", self.queue.clone()),
                ("ORDERS_EXCHANGE", format!("{}.orders", self.exchange)),
                ("ORDERS_QUEUE", format!("{}.orders", self.queue)),
                ("SMTP_URL", smtp_url.to_owned()),
                ("APP_PUBLIC_URL", "http://{slug}.helpdeskly.test".to_owned()),
            ],
        );
        let port = worker.port;
        let metrics = format!("http://127.0.0.1:{port}/metrics");
        eventually(Duration::from_secs(20), "the worker holds the notification queue", || async {
            let text = reqwest::get(&metrics).await.ok()?.text().await.ok()?;
            text.lines().any(|line| line == "notification_consumer_connected 1").then_some(())
        })
        .await;
        worker
    }

    async fn customer(&self) -> Person {
        let customer = self.platform.member(&self.app, &self.org, "customer").await;
        self.db.execute(&format!("UPDATE users SET email_verified = true WHERE id = '{}'", customer.id)).await;
        customer
    }

    async fn ticket(&self, customer: &Person, subject: &str) -> i64 {
        let body = json!({"subject": subject, "description": "x"});
        let created = self.app.post(&self.org.slug, "/v1/tickets", &customer.token, &body).await;
        assert_eq!(created.status, 201, "{}", created.body);
        id(&created.json())
    }

    async fn reply(&self, who: &Person, ticket: i64, text: &str) {
        let body = json!({"message": text});
        let said = self.app.post(&self.org.slug, &format!("/v1/tickets/{ticket}/messages"), &who.token, &body).await;
        assert_eq!(said.status, 201, "{}", said.body);
    }

    async fn deliveries(&self, status: &str) -> i64 {
        self.db.scalar(&format!("SELECT count(*) FROM mail_deliveries WHERE status = '{status}'")).await
    }
}

/// How many times each `Message-ID` arrived.
fn copies(mails: &[testkit::mailbox::Mail]) -> HashMap<String, usize> {
    let mut copies = HashMap::new();
    for mail in mails {
        *copies.entry(mail.message_id()).or_insert(0) += 1;
    }
    copies
}

async fn kill(mut worker: WorkerProcess) {
    worker.child.start_kill().expect("SIGKILL");
    worker.child.wait().await.expect("the worker ends");
}

#[tokio::test]
async fn a_worker_killed_before_or_after_the_server_answers_loses_nothing_and_sends_nothing_twice() {
    let rig = Rig::open().await;
    let mail = MailServer::start().await;
    let customer = rig.customer().await;
    let first = rig.worker(&mail.smtp_url()).await;

    // Before the answer: the server accepts connections and never answers; the worker has read
    // the events and written the deliveries, and is waiting on the server when it is killed.
    mail.pause();
    let tickets =
        [rig.ticket(&customer, "One").await, rig.ticket(&customer, "Two").await, rig.ticket(&customer, "Three").await];
    eventually(Duration::from_secs(20), "three deliveries written", || async {
        (rig.deliveries("pending").await == 3).then_some(())
    })
    .await;
    kill(first).await;
    mail.resume();
    let second = rig.worker(&mail.smtp_url()).await;
    let mails = mail.wait_for(&customer.email, 3).await;
    eventually(Duration::from_secs(20), "three deliveries sent", || async {
        (rig.deliveries("sent").await == 3).then_some(())
    })
    .await;

    // After the answer: the delivery is marked sent, then the worker is killed and another
    // starts; the broker's redelivery (if the ack was lost) writes nothing again.
    let owner = rig.platform.owner(&rig.app, &rig.org).await;
    rig.reply(&owner, tickets[0], "We are on it").await;
    eventually(Duration::from_secs(20), "the reply's mail sent", || async {
        (rig.deliveries("sent").await == 4).then_some(())
    })
    .await;
    kill(second).await;
    let third = rig.worker(&mail.smtp_url()).await;
    rig.reply(&owner, tickets[1], "Also on this one").await;
    let mails_now = mail.wait_for(&customer.email, 5).await;
    eventually(Duration::from_secs(20), "every delivery sent", || async {
        (rig.deliveries("sent").await == 5).then_some(())
    })
    .await;
    drop(third);

    assert!(mails.len() >= 3);
    let copies = copies(&mails_now);
    assert_eq!(copies.len(), 5, "one mail per (event, recipient): {copies:?}");
    assert!(copies.values().all(|n| *n == 1), "never two: {copies:?}");
    assert_eq!(rig.db.count("mail_deliveries").await, 5);
}

#[tokio::test]
async fn mail_written_while_the_server_is_away_arrives_once_it_is_back_in_order_per_ticket() {
    let rig = Rig::open().await;
    let mut mail = MailServer::start().await;
    let customer = rig.customer().await;
    let owner = rig.platform.owner(&rig.app, &rig.org).await;
    let _worker = rig.worker(&mail.smtp_url()).await;
    mail.stop();
    let ticket = rig.ticket(&customer, "Order").await;
    for n in 1..=3 {
        rig.reply(&owner, ticket, &format!("Reply number {n}")).await;
    }
    eventually(Duration::from_secs(20), "four deliveries written", || async {
        (rig.deliveries("pending").await == 4).then_some(())
    })
    .await;
    // Tried at least once while away: nothing counted against the mail, nothing lost.
    assert_eq!(rig.db.scalar("SELECT coalesce(max(attempts), 0)::bigint FROM mail_deliveries").await, 0);
    mail.restart().await;
    let mails = mail.wait_for(&customer.email, 4).await;
    assert_eq!(mails.len(), 4);
    assert!(mails[0].text.contains("We received your request"), "the confirmation first: {}", mails[0].text);
    for (n, mail) in mails[1..].iter().enumerate() {
        assert!(mail.text.contains(&format!("Reply number {}", n + 1)), "in order: {}", mail.text);
        assert_eq!(
            mail.header("in-reply-to").unwrap(),
            format!("<{}>", mails[n].message_id()),
            "each answers the one before"
        );
    }
}
