//! Email in: the corpus of real-world replies read and stripped (`tests/mail-corpus`), and mail
//! posted to `/v1/inbound/email` becoming tickets and messages, duplicates, quarantine and
//! automatic mail.

use app_api::mailin::parse::{self, OwnMail};
use axum::http::Method;
use serde_json::Value;

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
fn the_corpus_is_read_exactly_for_at_least_95_percent_and_never_empty() {
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
    let share = exact * 100 / cases.len();
    assert!(share >= 95, "{exact} of {} exact ({share}%):\n{}", cases.len(), misses.join("\n"));
}

fn mail(from: &str, subject: &str, message_id: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Jane Doe <{from}>\r\nTo: support@shop.example\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n\
         Date: Mon, 23 Nov 2026 10:12:00 +0100\r\n{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
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
