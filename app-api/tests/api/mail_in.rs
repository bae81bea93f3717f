//! Email in: the corpus of real-world replies read and stripped (`tests/mail-corpus`), and mail
//! posted to `/v1/inbound/email` becoming tickets and messages, duplicates, quarantine and
//! automatic mail.

use app_api::mailin::parse::{self, OwnMail};
use axum::http::Method;
use serde_json::{Value, json};
use testkit::mailbox::{self, Folder, Mail};

use crate::notifications::MailDesk;

use crate::integrations::make_key;
use crate::tickets::Desk;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mail-corpus");

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn substitute(raw: &str, customer: &str, reply: &str, number: &str, ours: &str) -> String {
    raw.replace("{{CUSTOMER}}", customer)
        .replace("{{SUPPORT}}", "support@shop.example")
        .replace("{{REPLY_ADDRESS}}", reply)
        .replace("{{TICKET_NUMBER}}", number)
        .replace("{{OUR_MESSAGE_ID}}", ours)
        .replace('\n', "\r\n")
}

#[test]
fn every_case_of_the_corpus_is_read_exactly_and_never_empty() {
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(format!("{CORPUS}/corpus.json")).unwrap()).unwrap();
    assert!(cases.len() >= 30, "the corpus holds {} cases", cases.len());
    let mut exact = 0;
    let mut misses = Vec::new();
    for case in &cases {
        let file = case["file"].as_str().unwrap();
        let raw = std::fs::read_to_string(format!("{CORPUS}/{file}")).unwrap();
        let raw = substitute(&raw, "jane@example.com", "reply+abc@mail.test", "TKT-20261123-0042", "e1.r1@mail.test");
        let expected = std::fs::read_to_string(format!("{CORPUS}/{}", file.replace(".eml", ".expected.txt"))).unwrap();
        let mail = parse::read(raw.as_bytes(), &OwnMail::default()).unwrap_or_else(|| panic!("{file} is read"));
        assert!(!mail.text.trim().is_empty(), "{file}: the new text is never empty");
        let subject = case["subject"].as_str().unwrap().replace("{{TICKET_NUMBER}}", "TKT-20261123-0042");
        assert_eq!(words(&mail.subject), words(&subject), "{file}: the subject is decoded");
        let files = case["attachments"].as_u64().unwrap() + case["refused_attachments"].as_u64().unwrap();
        assert!(mail.files.len() as u64 >= files, "{file}: {} file(s) read, {files} expected", mail.files.len());
        if words(&mail.text) == words(&expected) {
            exact += 1;
        } else {
            misses.push(format!("{file}:\n  got:      {}\n  expected: {}", words(&mail.text), words(&expected)));
        }
    }
    assert_eq!(exact, cases.len(), "{exact} of {} exact:\n{}", cases.len(), misses.join("\n"));
}

fn mail(from: &str, subject: &str, message_id: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Jane Doe <{from}>\r\nTo: support@shop.example\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n\
         Date: Mon, 23 Nov 2026 10:12:00 +0100\r\n{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn a_customers_mail_to_a_closed_ticket_opens_a_new_one() {
    let desk = Desk::open().await;
    let (key, _) = make_key(&desk, &["inbound:email"]).await;
    let customer = format!("jane-{}@example.com", uuid::Uuid::new_v4().simple());
    let post = |raw: Vec<u8>| desk.send_raw(&key, Method::POST, "/v1/inbound/email", raw);
    let first = post(mail(&customer, "Parcel never arrived", "first@example.com", "", "Where is it?")).await.json();
    assert_eq!(first["outcome"], "created", "{first}");
    let closed = first["ticket_id"].as_i64().unwrap();
    desk.set_status(&desk.owner, closed, "closed").await;
    let number = desk.ticket(&desk.owner, closed).await["ticket_number"].as_str().unwrap().to_owned();

    let reply = mail(&customer, &format!("Re: [{number}] Parcel"), "second@example.com", "", "Still nothing.");
    let answer = post(reply).await.json();
    assert_eq!(answer["outcome"], "created", "{answer}");
    let opened = answer["ticket_id"].as_i64().unwrap();
    assert_ne!(opened, closed);
    assert!(desk.ticket(&desk.owner, opened).await["description"].as_str().unwrap().contains("Still nothing."));
    let thread = desk.get(&desk.owner, &format!("/v1/tickets/{closed}/messages")).await.json();
    assert_eq!(thread["data"].as_array().unwrap().len(), 0, "the closed ticket took no message: {thread}");
}

#[tokio::test]
async fn posted_mail_opens_tickets_threads_replies_and_keeps_automatic_and_spoofed_mail_out() {
    let desk = Desk::open().await;
    let (key, _) = make_key(&desk, &["inbound:email"]).await;
    let customer = format!("jane-{}@example.com", uuid::Uuid::new_v4().simple());
    let post = |raw: Vec<u8>| desk.send_raw(&key, Method::POST, "/v1/inbound/email", raw);

    // A new address opens a ticket, as a new customer.
    let first = mail(&customer, "Parcel never arrived", "first@example.com", "", "Where is my parcel?");
    let created = post(first.clone()).await;
    assert_eq!(created.status, 202, "{}", created.body);
    let created = created.json();
    assert_eq!(created["outcome"], "created");
    let ticket_id = created["ticket_id"].as_i64().unwrap();
    let ticket = desk.ticket(&desk.owner, ticket_id).await;
    assert_eq!(ticket["subject"], "Parcel never arrived");
    assert!(ticket["description"].as_str().unwrap().contains("Where is my parcel?"));

    // The same mail again is one mail; the same Message-ID with other content is another.
    let again = post(first).await.json();
    assert_eq!(again["outcome"], "duplicate");
    assert_eq!(again["ticket_id"], ticket_id);
    let number = ticket["ticket_number"].as_str().unwrap();
    let reused = mail(
        &customer,
        &format!("Re: [{number}] Parcel"),
        "first@example.com",
        "",
        "Any news?\r\n\r\nOn Mon, Support wrote:\r\n> We look.",
    );
    let appended = post(reused).await.json();
    assert_eq!(appended["outcome"], "appended", "{appended}");
    assert_eq!(appended["ticket_id"], ticket_id);
    let thread = desk.get(&desk.owner, &format!("/v1/tickets/{ticket_id}/messages")).await.json();
    let message = &thread["data"][0];
    assert_eq!(message["channel"], "email");
    assert_eq!(message["message"], "<p>Any news?</p>", "the quote is cut");
    let raw = desk.get(&desk.owner, &format!("/v1/inbound/emails/{}/raw", message["inbound_email_id"])).await;
    assert_eq!(raw.status, 200);
    assert!(raw.body.contains("> We look."), "the original keeps the quote");

    // A reply by Message-ID, from the customer, joins the ticket too.
    let by_id = mail(&customer, "Re: Parcel", "third@example.com", "In-Reply-To: <first@example.com>\r\n", "Thanks.");
    assert_eq!(post(by_id).await.json()["ticket_id"], ticket_id);

    // An out-of-office answer is recorded, never a message.
    let away = mail(&customer, "Out of office", "away@example.com", "Auto-Submitted: auto-replied\r\n", "I am away.");
    let ignored = post(away).await.json();
    assert_eq!((ignored["outcome"].as_str(), ignored["reason"].as_str()), (Some("ignored"), Some("auto_reply")));
    let count = desk.get(&desk.owner, &format!("/v1/tickets/{ticket_id}/messages")).await.json()["data"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(count, 2, "two messages: the auto-reply is none");

    // Mail claiming the owner's address, unproven, is quarantined; an admin releases it.
    let spoof = mail(&desk.owner.email, &format!("Re: [{number}]"), "spoof@example.com", "", "Refund approved!");
    let quarantined = post(spoof).await.json();
    assert_eq!(
        (quarantined["outcome"].as_str(), quarantined["reason"].as_str()),
        (Some("quarantined"), Some("staff_spoof"))
    );
    let listed = desk.get(&desk.owner, "/v1/inbound/emails?state=quarantined").await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let id = quarantined["inbound_email_id"].as_i64().unwrap();
    let discarded =
        desk.send_raw(&desk.owner, Method::POST, &format!("/v1/inbound/emails/{id}/discard"), Vec::new()).await;
    assert_eq!(discarded.status, 204, "{}", discarded.body);
    let twice = desk.send_raw(&desk.owner, Method::POST, &format!("/v1/inbound/emails/{id}/release"), Vec::new()).await;
    assert_eq!(twice.status, 409, "a discarded mail is not released");

    // Bad input: a person's token, an empty body, an oversized declaration.
    let by_person =
        desk.send_raw(&desk.owner, Method::POST, "/v1/inbound/email", b"From: a@b.c\r\n\r\nx".to_vec()).await;
    assert_eq!(by_person.status, 403);
    assert_eq!(post(Vec::new()).await.status, 422);
    let huge = post(vec![b'a'; 25 * 1024 * 1024 + 1]).await;
    assert_eq!(huge.status, 413, "{}", huge.body);
}

/// A desk whose mailbox fetcher the test drives: every turn finds the mailbox due.
async fn fetching_desk() -> Desk {
    Desk::open_with(|c| c.mail_in.poll = std::time::Duration::ZERO).await
}

/// One turn of the fetcher; `true` when the tenant's mailbox was due and fetched.
async fn fetch_turn(desk: &Desk) -> bool {
    let state = std::sync::Arc::new(desk.app.state.clone());
    app_api::worker::mailboxes::turn(&state).await.expect("the due mailboxes are claimed") == 1
}

#[tokio::test]
async fn a_mailbox_fetched_over_imap_becomes_tickets_once_whatever_its_flags_or_uidvalidity() {
    let desk = fetching_desk().await;
    let support = format!("support-{}@shop.example", uuid::Uuid::new_v4().simple());
    let folder = Folder::create(&support, "Support").await;
    let settings = json!({
        "imap_url": folder.imap_url(), "username": support, "password": folder.password(), "folder": "Support",
    });
    let saved = desk.put(&desk.owner, "/v1/channels/email", &settings).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(!saved.body.contains(&folder.password()), "the password is never returned");
    let tickets = || desk.db.count("support_tickets");
    let received = || desk.db.count("inbound_emails");

    // Two customers write; one mail was already read in another client: flags play no part.
    let (ann, bob) = (unique_address("ann"), unique_address("bob"));
    let kettle = mail(&ann, "Kettle leaks", "kettle@example.com", "", "It leaks from the base.");
    let size = mail(&bob, "Wrong size", "size@example.com", "", "The shirt is too small.");
    folder.deliver(&kettle, false).await;
    folder.deliver(&size, true).await;
    assert!(fetch_turn(&desk).await, "the mailbox is due at once after saving");
    assert_eq!((tickets().await, received().await), (2, 2));
    let metrics = desk.app.state.metrics.render();
    assert!(metrics.contains(r#"work_queue_attempts_total{outcome="done",queue="mailbox_fetches"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"work_queue_depth{queue="mailbox_fetches"} "#), "{metrics}");
    let channel = desk.get(&desk.owner, "/v1/channels/email").await.json();
    assert_eq!(channel["last_error"], Value::Null, "{channel}");
    assert_eq!(channel["last_uid"].as_i64(), folder.last_uid().await, "the last UID taken is recorded");
    let first_validity = folder.uid_validity().await;
    assert_eq!(channel["uid_validity"], i64::from(first_validity));
    let subjects: Vec<String> =
        sqlx::query_scalar("SELECT subject FROM support_tickets ORDER BY id").fetch_all(&desk.db.pool).await.unwrap();
    assert_eq!(subjects, ["Kettle leaks", "Wrong size"]);
    let ann_ticket = desk.db.scalar("SELECT id FROM support_tickets WHERE subject = 'Kettle leaks'").await;

    // A second fetch takes nothing: the UIDs are behind the last one taken.
    assert!(fetch_turn(&desk).await);
    assert_eq!((tickets().await, received().await), (2, 2));

    // A reply by mail joins its ticket.
    let reply =
        mail(&ann, "Re: Kettle leaks", "kettle-2@example.com", "In-Reply-To: <kettle@example.com>\r\n", "Photo soon.");
    folder.deliver(&reply, false).await;
    assert!(fetch_turn(&desk).await);
    assert_eq!((tickets().await, received().await), (2, 3));
    let thread = desk.get(&desk.owner, &format!("/v1/tickets/{ann_ticket}/messages")).await.json();
    assert_eq!(thread["data"][0]["message"], "<p>Photo soon.</p>", "{thread}");
    assert_eq!(thread["data"][0]["channel"], "email");

    // The server's store is rebuilt: the folder comes back under a new UIDVALIDITY, its UIDs
    // starting over, with the old mail and one new. Only the new one is taken.
    folder.recreate().await;
    for raw in [&kettle, &size, &reply] {
        folder.deliver(raw, true).await;
    }
    let late = mail(&unique_address("cy"), "Late parcel", "late@example.com", "", "Still waiting.");
    folder.deliver(&late, false).await;
    let second_validity = folder.uid_validity().await;
    assert_ne!(first_validity, second_validity, "the server gave the recreated folder a new UIDVALIDITY");
    assert!(fetch_turn(&desk).await);
    assert_eq!((tickets().await, received().await), (3, 4), "the old mail is known by its dedupe key");
    let channel = desk.get(&desk.owner, "/v1/channels/email").await.json();
    assert_eq!(channel["uid_validity"].as_i64(), Some(i64::from(second_validity)));
    assert_eq!(channel["last_uid"].as_i64(), folder.last_uid().await);

    // A wrong password: the fetch fails, says why on the channel, and takes nothing.
    folder.deliver(&mail(&ann, "Another", "another@example.com", "", "More."), false).await;
    let wrong = json!({
        "imap_url": folder.imap_url(), "username": support, "password": "not-the-password", "folder": "Support",
    });
    assert_eq!(desk.put(&desk.owner, "/v1/channels/email", &wrong).await.status, 200);
    assert!(fetch_turn(&desk).await);
    let channel = desk.get(&desk.owner, "/v1/channels/email").await.json();
    assert!(channel["last_error"].as_str().is_some_and(|e| e.contains("login")), "{channel}");
    assert_eq!(received().await, 4);
    // Without a mailbox, nothing is due.
    assert_eq!(desk.send_raw(&desk.owner, Method::DELETE, "/v1/channels/email", Vec::new()).await.status, 204);
    assert!(!fetch_turn(&desk).await);
}

fn unique_address(name: &str) -> String {
    format!("{name}-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// The address part of a `Reply-To` value (`reply+token@domain` or `Name <reply+token@domain>`).
fn bare_address(value: &str) -> String {
    value.rsplit_once('<').map_or(value, |(_, rest)| rest.trim_end_matches('>')).trim().to_owned()
}

#[tokio::test]
async fn every_reply_of_the_corpus_joins_its_ticket_and_every_new_mail_opens_one() {
    let desk = MailDesk::open().await;
    let customer = desk.customer().await;
    let (key, _) = make_key(&desk, &["inbound:email"]).await;
    let ticket =
        desk.create(&customer, json!({"subject": "Order never arrived", "description": "Ordered on the 3rd."})).await;
    let (ticket_id, number) = (ticket["id"].as_i64().unwrap(), ticket["ticket_number"].as_str().unwrap().to_owned());
    let confirmation = mailbox::wait_for(&customer.email, 1).await.remove(0);
    let reply_address = bare_address(confirmation.header("reply-to").expect("our mail names a reply address"));
    let ours = confirmation.message_id();

    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(format!("{CORPUS}/corpus.json")).unwrap()).unwrap();
    let mut opened = Vec::new();
    for case in &cases {
        let file = case["file"].as_str().unwrap();
        let raw = std::fs::read_to_string(format!("{CORPUS}/{file}")).unwrap();
        let raw = substitute(&raw, &customer.email, &reply_address, &number, &ours);
        let answer = desk.send_raw(&key, Method::POST, "/v1/inbound/email", raw.into_bytes()).await;
        assert_eq!(answer.status, 202, "{file}: {}", answer.body);
        let answer = answer.json();
        if case["kind"] == "reply" {
            assert_eq!(
                (answer["outcome"].as_str(), answer["ticket_id"].as_i64()),
                (Some("appended"), Some(ticket_id)),
                "{file}: {answer}"
            );
        } else {
            assert_eq!(answer["outcome"], "created", "{file}: {answer}");
            opened.push(answer["ticket_id"].as_i64().unwrap());
        }
    }
    let replies = cases.iter().filter(|c| c["kind"] == "reply").count();
    let on_ticket = desk
        .db
        .scalar(&format!("SELECT count(*) FROM ticket_messages WHERE ticket_id = {ticket_id} AND channel = 'email'"))
        .await;
    assert_eq!(on_ticket, i64::try_from(replies).unwrap(), "one message per reply");
    opened.sort_unstable();
    opened.dedup();
    assert_eq!(opened.len(), cases.len() - replies, "each new mail has a ticket of its own");
}

/// What the worst auto-responder sends back to `mail`: to its reply address, answering its
/// Message-ID; marked as RFC 3834 asks (`Auto-Submitted`) or only by an out-of-office subject
/// and `X-Autoreply`.
fn auto_reply(from: &str, mail: &Mail, index: usize) -> Vec<u8> {
    let to = bare_address(mail.header("reply-to").unwrap_or(mail.header("from").unwrap()));
    let marks = if index.is_multiple_of(2) { "Auto-Submitted: auto-replied\r\n" } else { "X-Autoreply: yes\r\n" };
    format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: Out of office: {subject}\r\nMessage-ID: <away-{index}-{id}>\r\n\
         In-Reply-To: <{ours}>\r\n{marks}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         I am away until Monday.\r\n",
        subject = mail.subject,
        id = uuid::Uuid::new_v4().simple(),
        ours = mail.message_id(),
    )
    .into_bytes()
}

#[tokio::test]
async fn an_auto_responder_answering_every_mail_is_recorded_once_per_ticket_and_starts_no_storm() {
    let desk = MailDesk::open().await;
    let customer = desk.customer().await;
    let agent = desk.member("agent").await;
    let (key, _) = make_key(&desk, &["inbound:email"]).await;
    // Two tickets, each confirmed and answered twice: six mails to the customer.
    for subject in ["Kettle leaks", "Wrong size"] {
        let ticket = desk.create(&customer, json!({"subject": subject, "description": "Please help."})).await;
        let id = ticket["id"].as_i64().unwrap();
        desk.say(&agent, id, "We are looking into it.", false).await;
        desk.say(&agent, id, "A replacement is on its way.", false).await;
    }
    let sent = mailbox::wait_for(&customer.email, 6).await;
    assert_eq!(sent.len(), 6);
    // Written with each change, in its transaction: what an auto-reply taken as a message would
    // add to at once.
    let last_event = "SELECT coalesce(max(id), 0) FROM outbox";
    let (events, messages) = (desk.db.scalar(last_event).await, desk.db.count("ticket_messages").await);
    let to_customer = format!("SELECT count(*) FROM mail_deliveries WHERE user_id = '{}'", customer.id);
    assert_eq!(desk.db.scalar(&to_customer).await, 6);

    // The responder answers every one of them, twice over (as a responder that does not
    // remember whom it answered).
    for round in 0..2 {
        for (index, mail) in sent.iter().enumerate() {
            let answer = desk
                .send_raw(&key, Method::POST, "/v1/inbound/email", auto_reply(&customer.email, mail, round * 6 + index))
                .await;
            assert_eq!(answer.status, 202, "{}", answer.body);
            let answer = answer.json();
            assert_eq!(
                (answer["outcome"].as_str(), answer["reason"].as_str()),
                (Some("ignored"), Some("auto_reply")),
                "{answer}"
            );
        }
    }
    let per_ticket: Vec<i64> = sqlx::query_scalar(
        "SELECT count(*) FROM inbound_emails WHERE reason = 'auto_reply' AND ticket_id IS NOT NULL GROUP BY ticket_id",
    )
    .fetch_all(&desk.db.pool)
    .await
    .unwrap();
    assert_eq!(per_ticket, [1, 1], "one auto-reply recorded against each ticket");
    assert_eq!(desk.db.count("inbound_emails").await, 12, "every auto-reply is in the intake log");
    // No message, no event, no mail: nothing the responder could answer again.
    assert_eq!(desk.db.scalar(last_event).await, events);
    assert_eq!(desk.db.scalar(&to_customer).await, 6);
    assert_eq!(desk.db.count("ticket_messages").await, messages);
    assert_eq!(mailbox::inbox(&customer.email).await.len(), 6);
}

#[tokio::test]
async fn mail_left_half_read_by_a_failure_is_read_again_by_the_sweep_and_never_twice_at_once() {
    // The virus scanner is down (nothing listens on its port): the mail is kept and recorded, and
    // its reading stops at its attachment.
    let desk = Desk::open_with(|c| c.attachments.clamav_addr = Some("127.0.0.1:9".into())).await;
    let (key, _) = make_key(&desk, &["inbound:email"]).await;
    let customer = unique_address("dora");
    let raw = format!(
        "From: Dora <{customer}>\r\nTo: support@shop.example\r\nSubject: Scratched lens\r\nMessage-ID: <lens@example.com>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         The lens came scratched.\r\n--b\r\nContent-Type: text/plain; name=\"order.txt\"\r\n\
         Content-Disposition: attachment; filename=\"order.txt\"\r\n\r\nOrder 1042\r\n--b--\r\n"
    )
    .into_bytes();
    let post = |raw: Vec<u8>| desk.send_raw(&key, Method::POST, "/v1/inbound/email", raw);
    let failed = post(raw.clone()).await;
    assert_eq!(failed.status, 503, "{}", failed.body);
    assert_eq!(desk.db.count("support_tickets").await, 0);
    let outcome = "SELECT count(*) FROM inbound_emails WHERE outcome = 'received'";
    assert_eq!(desk.db.scalar(outcome).await, 1, "kept, recorded, not settled");

    // Posted again at once, while the first try's lease runs: the same mail, not read twice.
    let again = post(raw.clone()).await;
    assert_eq!(again.status, 202, "{}", again.body);
    assert_eq!((again.json()["outcome"].as_str(), again.json()["ticket_id"].as_i64()), (Some("duplicate"), None));
    // The sweep leaves a mail whose lease runs.
    let healthy = desk.platform.replica_with(|c| c.attachments.clamav_addr = None).await;
    app_api::worker::jobs::Jobs::new(&healthy.state).sweep().await.unwrap();
    assert_eq!(desk.db.count("support_tickets").await, 0);

    // The lease runs out (the try is taken to have crashed): the sweep reads the mail again.
    desk.db.execute("UPDATE inbound_emails SET read_until = now() - interval '1 second'").await;
    app_api::worker::jobs::Jobs::new(&healthy.state).sweep().await.unwrap();
    assert_eq!(desk.db.scalar(outcome).await, 0);
    assert_eq!(desk.db.count("support_tickets").await, 1);
    let metrics = healthy.state.metrics.render();
    assert!(metrics.contains(r#"work_queue_attempts_total{outcome="done",queue="stranded_mail"} 1"#), "{metrics}");
    assert_eq!(desk.db.count("ticket_attachments").await, 1, "its file too");
    let settled = desk.app.send_raw(Method::POST, &desk.org.slug, "/v1/inbound/email", &key.token, raw).await.json();
    assert_eq!(settled["outcome"], "duplicate");
    assert!(settled["ticket_id"].as_i64().is_some(), "{settled}");
    // Swept again: nothing more.
    app_api::worker::jobs::Jobs::new(&healthy.state).sweep().await.unwrap();
    assert_eq!(desk.db.count("support_tickets").await, 1);
}
