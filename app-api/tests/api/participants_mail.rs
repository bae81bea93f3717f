//! The people of a conversation by mail, on a real broker and a real mail server read back over
//! IMAP: a public staff reply reaches the customer and each person copied, each with a reply
//! address of their own and the others in `Cc:`; an internal note reaches none of them but the
//! followers; a copied person's answer by mail joins the ticket as theirs; a new mail's `Cc:`
//! copies its people (never our own addresses); the leave link takes them off.

use std::time::Duration;

use harness::eventually;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::mailbox::{self, Mail};
use uuid::Uuid;

use crate::integrations::make_key;
use crate::notifications::MailDesk;
use crate::tickets::id;

fn address(tag: &str) -> String {
    format!("{tag}-{}@example.com", Uuid::new_v4().simple())
}

/// The address in a header such as `Reply-To: reply+x@d` or `<reply+x@d>`.
fn bare(header: &str) -> String {
    let start = header.find('<').map_or(0, |i| i + 1);
    let end = header[start..].find('>').map_or(header.len(), |i| start + i);
    header[start..end].trim().to_owned()
}

/// The mail sent to `address` itself (its `To:`) with `words`. The test mail server files a
/// mail under every address its header names, so a mailbox also holds the copies sent to the
/// others named in `Cc:`; each was delivered to its `To:` alone (`shared::mail`'s envelope).
async fn mail_with(address: &str, words: &str) -> Mail {
    eventually(Duration::from_secs(20), "the mail arrives", || async {
        own_mail(address).await.into_iter().find(|m| m.text.contains(words))
    })
    .await
}

async fn own_mail(address: &str) -> Vec<Mail> {
    let addressed = |m: &Mail| m.header("to").unwrap_or_default().to_lowercase().contains(&address.to_lowercase());
    mailbox::inbox(address).await.into_iter().filter(addressed).collect()
}

async fn count(desk: &MailDesk, sql: &str) -> i64 {
    desk.db.scalar(sql).await
}

#[tokio::test]
async fn copied_people_get_public_replies_answer_by_mail_and_leave() {
    let desk = MailDesk::open().await;
    let customer = desk.customer().await;
    let agent = desk.member("agent").await;
    let (key, _) = make_key(&desk, &["inbound:email"]).await;
    let ticket = id(&desk.create(&customer, json!({ "subject": "Lost parcel", "description": "Where is it?" })).await);
    let participants = format!("/v1/tickets/{ticket}/participants");
    let colleague = address("colleague");
    let supplier = address("supplier");
    for (who, email) in [(&customer, &colleague), (&desk.owner, &supplier)] {
        let added = desk.post(who, &participants, &json!({ "email": email, "name": "Bo Copied", "kind": "cc" })).await;
        assert_eq!(added.status, 201, "{}", added.body);
    }
    let followed = desk.post(&agent, &participants, &json!({ "email": agent.email, "kind": "follower" })).await;
    assert_eq!(followed.status, 201, "{}", followed.body);

    desk.say(&desk.owner, ticket, "We shipped it yesterday.", false).await;
    desk.say(&desk.owner, ticket, "Carrier is slow, check again Friday.", true).await;

    // Each person copied: the reply, from a reply address of their own, the others in Cc:.
    let to_colleague = mail_with(&colleague, "We shipped it yesterday.").await;
    let to_supplier = mail_with(&supplier, "We shipped it yesterday.").await;
    let to_customer = mail_with(&customer.email, "We shipped it yesterday.").await;
    let cc = to_colleague.header("cc").unwrap_or_default().to_lowercase();
    assert!(cc.contains(&customer.email.to_lowercase()) && cc.contains(&supplier), "{cc}");
    assert!(!cc.contains(&colleague), "never oneself in Cc: {cc}");
    let customer_cc = to_customer.header("cc").unwrap_or_default().to_lowercase();
    assert!(customer_cc.contains(&colleague) && customer_cc.contains(&supplier), "{customer_cc}");
    let replies: Vec<String> = [&to_colleague, &to_supplier, &to_customer]
        .iter()
        .map(|m| bare(m.header("reply-to").unwrap_or_default()))
        .collect();
    assert!(replies.iter().all(|r| r.starts_with("reply+")), "{replies:?}");
    assert!(replies[0] != replies[1] && replies[0] != replies[2] && replies[1] != replies[2], "{replies:?}");
    let leave = bare(to_colleague.header("list-unsubscribe").unwrap_or_default());
    assert!(leave.contains("/v1/participants/leave?token="), "{leave}");
    assert!(!to_colleague.text.contains("/account/notifications"), "no account links for someone without one");
    // The note: the follower hears of it, nobody copied does.
    eventually(Duration::from_secs(20), "the follower is told of the note", || async {
        let told = count(
            &desk,
            &format!("SELECT count(*) FROM notifications WHERE user_id = '{}' AND kind = 'message_added'", agent.id),
        )
        .await;
        (told >= 1).then_some(())
    })
    .await;
    for copied in [&colleague, &supplier] {
        assert_eq!(count(&desk, &format!("SELECT count(*) FROM mail_deliveries WHERE address = '{copied}'")).await, 1);
        let theirs = own_mail(copied).await;
        assert_eq!(theirs.len(), 1, "one mail each: the reply");
        assert!(mailbox::inbox(copied).await.iter().all(|m| !m.text.contains("Carrier is slow")), "never the note");
    }

    // The colleague answers by mail: a message of theirs on the ticket, never a new ticket.
    let answer = format!(
        "From: Bo Copied <{colleague}>\r\nTo: {}\r\nSubject: Re: {}\r\nMessage-ID: <{}@example.com>\r\nIn-Reply-To: <{}>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nThanks, we will wait.\r\n",
        replies[0],
        to_colleague.subject,
        Uuid::new_v4().simple(),
        to_colleague.message_id()
    );
    let read = desk.send_raw(&key, Method::POST, "/v1/inbound/email", answer.into_bytes()).await;
    assert_eq!(read.status, 202, "{}", read.body);
    let read = read.json();
    assert_eq!((read["outcome"].as_str(), read["ticket_id"].as_i64()), (Some("appended"), Some(ticket)), "{read}");
    let contact: Uuid = sqlx::query_scalar("SELECT user_id FROM ticket_participants WHERE email = $1")
        .bind(&colleague)
        .fetch_one(&desk.db.pool)
        .await
        .unwrap();
    let sender: Uuid = sqlx::query_scalar("SELECT sender_id FROM ticket_messages WHERE id = $1")
        .bind(read["message_id"].as_i64().unwrap())
        .fetch_one(&desk.db.pool)
        .await
        .unwrap();
    assert_eq!(sender, contact, "the message is the colleague's, as the contact the ticket keeps");
    assert_ne!(contact, customer.id);
    assert_eq!(count(&desk, "SELECT count(*) FROM support_tickets").await, 1, "no new ticket");
    eventually(Duration::from_secs(20), "the follower is told of the answer", || async {
        let told = count(
            &desk,
            &format!("SELECT count(*) FROM notifications WHERE user_id = '{}' AND kind = 'message_added'", agent.id),
        )
        .await;
        (told >= 2).then_some(())
    })
    .await;

    // The colleague leaves by their link; a second click finds nobody.
    let path = leave.split_once(".helpdeskly.test").map(|(_, path)| path.to_owned()).unwrap();
    let leave_now = || async {
        let response =
            desk.app.server.request(Method::POST, &path).header("x-tenant-slug", &desk.org.slug).send().await.unwrap();
        (response.status().as_u16(), response.json::<Value>().await.unwrap())
    };
    let (status, body) = leave_now().await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["email"], colleague.as_str());
    assert_eq!(leave_now().await.0, 400);
    let left = desk.get(&desk.owner, &participants).await.json();
    let emails: Vec<&str> = left.as_array().unwrap().iter().map(|p| p["email"].as_str().unwrap()).collect();
    assert_eq!(emails, [supplier.as_str(), agent.email.to_lowercase().as_str()]);
}

#[tokio::test]
async fn a_new_mail_copies_its_cc_people_on_the_ticket_it_opens_but_never_our_own_addresses() {
    let desk = MailDesk::open().await;
    let (key, _) = make_key(&desk, &["inbound:email"]).await;
    let config = &desk.app.state.config.notifications.mail;
    let (own_from, reply_domain) = (config.from.to_string(), config.reply_domain.clone());
    let sender = address("buyer");
    let (colleague, boss) = (address("colleague"), address("boss"));
    let raw = format!(
        "From: Ana Buyer <{sender}>\r\nTo: {own_from}\r\nCc: Bo <{colleague}>, {own_from}, helpdesk@{reply_domain}, \
         Boss <{boss}>, {sender}\r\nSubject: Broken kettle\r\nMessage-ID: <{}@example.com>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nIt leaks.\r\n",
        Uuid::new_v4().simple()
    );
    let read = desk.send_raw(&key, Method::POST, "/v1/inbound/email", raw.into_bytes()).await;
    assert_eq!(read.status, 202, "{}", read.body);
    let read = read.json();
    assert_eq!(read["outcome"], "created", "{read}");
    let ticket = read["ticket_id"].as_i64().unwrap();
    let copied = desk.get(&desk.owner, &format!("/v1/tickets/{ticket}/participants")).await.json();
    let found: Vec<(&str, &str, &str)> = copied
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["email"].as_str().unwrap(), p["name"].as_str().unwrap(), p["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [(colleague.as_str(), "Bo", "cc"), (boss.as_str(), "Boss", "cc")]);
}
