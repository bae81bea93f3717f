//! Email in: how fast mail is read, and how long a mail posted to `/v1/inbound/email` takes to
//! become a message staff can see.
//!
//! - **Parsing**: the corpus of the tests (`app-api/tests/mail-corpus`, 40 messages in the
//!   shapes of the common mail clients, with attachments) read by `mailin::parse::read` in a loop on one core for 3 s:
//!   messages a second.
//! - **HTTP in**: an app-api replica in this process; `--customers` new customers each write a
//!   first mail (a new ticket), then `--mails` replies (the corpus's replies that carry the
//!   ticket's number in their subject, each with a Message-ID of its own) go to those tickets,
//!   `--clients` at once. The latency is the POST's: the 202 comes after the message (or ticket)
//!   is committed, so the mail is visible when it returns; one in 50 is checked by reading the
//!   thread right after.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use app_api::mailin::parse;
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use crate::platform::Platform;
use crate::stats::summarize;

pub struct Options {
    pub customers: usize,
    pub mails: usize,
    pub clients: usize,
}

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../app-api/tests/mail-corpus");

/// The corpus's messages: (file, kind, raw text with placeholders); a reply's kind is `reply`
/// when its subject names the ticket, `reply-by-id` when only its header fields do.
fn corpus() -> Vec<(String, String, String)> {
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(format!("{CORPUS}/corpus.json")).expect("the corpus's index"))
            .expect("the corpus's index is JSON");
    cases
        .iter()
        .map(|case| {
            let file = case["file"].as_str().expect("a file name").to_owned();
            let raw = std::fs::read_to_string(format!("{CORPUS}/{file}")).expect("a corpus message");
            let mut kind = case["kind"].as_str().unwrap_or_default().to_owned();
            if kind == "reply" && !case["subject"].as_str().unwrap_or_default().contains("{{TICKET_NUMBER}}") {
                "reply-by-id".clone_into(&mut kind);
            }
            (file, kind, raw)
        })
        .collect()
}

/// `raw` from `customer` about ticket `number`, with a Message-ID of its own (`n`).
fn render(raw: &str, customer: &str, number: &str, n: usize) -> Vec<u8> {
    let text = raw
        .replace("{{CUSTOMER}}", customer)
        .replace("{{SUPPORT}}", "support@shop.example")
        .replace("{{REPLY_ADDRESS}}", "support@shop.example")
        .replace("{{TICKET_NUMBER}}", number)
        .replace("{{OUR_MESSAGE_ID}}", "none@bench.invalid");
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        if line.len() > 11 && line[..11].eq_ignore_ascii_case("message-id:") {
            let _ = write!(out, "Message-ID: <bench-{n}-{}@example.com>", uuid::Uuid::new_v4().simple());
        } else {
            out.push_str(line);
        }
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn parse_rate() {
    let messages: Vec<Vec<u8>> =
        corpus().iter().map(|(_, _, raw)| render(raw, "jane@example.com", "TKT-20261123-0042", 0)).collect();
    let bytes: usize = messages.iter().map(Vec::len).sum();
    let own = parse::OwnMail::default();
    let started = Instant::now();
    let mut read = 0_usize;
    while started.elapsed() < Duration::from_secs(3) {
        for raw in &messages {
            let mail = parse::read(raw, &own).expect("a corpus message is read");
            assert!(!mail.text.is_empty());
            read += 1;
        }
    }
    #[allow(clippy::cast_precision_loss, reason = "counts and sizes of a few messages")]
    let (rate, average) =
        (read as f64 / started.elapsed().as_secs_f64(), bytes as f64 / messages.len() as f64 / 1024.0);
    println!(
        "email in: parsing: {rate:.0} messages a second on one core ({} corpus messages, {:.1} KiB on average, quotes cut, files read)",
        messages.len(),
        average
    );
}

#[allow(clippy::too_many_lines, reason = "one measurement read in order")]
pub async fn run(options: &Options) {
    parse_rate();

    let platform = Platform::start_logging_at("error").await;
    // The relay's key has no rate limit here (600 a minute by default): it sends all the load.
    let (org, app, owner) = platform.organisation(|c| c.integrations.key_rate_per_minute = 0).await;
    let slug = org.slug.clone();
    let made = app
        .post(&slug, "/v1/api-keys", &owner.token, &json!({"name": "Mail relay", "scopes": ["inbound:email"]}))
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let key = made.json()["key"].as_str().expect("the key").to_owned();
    let post = |raw: Vec<u8>| {
        let (app, slug, key) = (&app, slug.clone(), key.clone());
        async move {
            let started = Instant::now();
            let answer = app.send_raw(axum::http::Method::POST, &slug, "/v1/inbound/email", &key, raw).await;
            let took = started.elapsed();
            assert_eq!(answer.status, 202, "{}", answer.body);
            (took, answer.json())
        }
    };

    let corpus = corpus();
    let first = corpus.iter().find(|(file, _, _)| file.contains("new-ticket-plain")).expect("a new-ticket mail");
    let replies: Vec<&(String, String, String)> = corpus.iter().filter(|(_, kind, _)| kind == "reply").collect();

    // New tickets, one per customer.
    let customers: Vec<String> = (0..options.customers).map(|n| format!("customer-{n}-{slug}@example.com")).collect();
    let started = Instant::now();
    let opened: Vec<(Duration, Value)> = futures_util::stream::iter(customers.iter().enumerate())
        .map(|(n, customer)| post(render(&first.2, customer, "", n)))
        .buffered(options.clients)
        .collect()
        .await;
    let opened_in = started.elapsed();
    let mut tickets = Vec::new();
    for (_, answer) in &opened {
        assert_eq!(answer["outcome"], "created", "{answer}");
        let id = answer["ticket_id"].as_i64().expect("a ticket");
        let ticket = app.get(&slug, &format!("/v1/tickets/{id}"), Some(&owner.token)).await.json();
        tickets.push((id, ticket["ticket_number"].as_str().expect("a number").to_owned()));
    }
    println!(
        "email in: {} new tickets by mail ({} clients) in {:.2} s: {}",
        opened.len(),
        options.clients,
        opened_in.as_secs_f64(),
        summarize(opened.iter().map(|(took, _)| *took).collect())
    );

    // Replies to those tickets.
    let started = Instant::now();
    let sent: Vec<(usize, Duration, Value)> = futures_util::stream::iter(0..options.mails)
        .map(|n| {
            let (customer, (_, number)) = (&customers[n % customers.len()], &tickets[n % tickets.len()]);
            let (file, _, raw) = replies[n % replies.len()];
            let post = post(render(raw, customer, number, options.customers + n));
            async move {
                let (took, answer) = post.await;
                assert_eq!(answer["outcome"], "appended", "{file}: {answer}");
                (n, took, answer)
            }
        })
        .buffer_unordered(options.clients)
        .collect()
        .await;
    let sent_in = started.elapsed();
    let mut checked = 0;
    for (n, _, answer) in &sent {
        if n % 50 == 0 {
            let (id, _) = &tickets[n % tickets.len()];
            let thread = app.get(&slug, &format!("/v1/tickets/{id}/messages?limit=100"), Some(&owner.token)).await;
            assert!(thread.body.contains(&format!("\"id\":{}", answer["message_id"])), "the message is visible");
            checked += 1;
        }
    }
    #[allow(clippy::cast_precision_loss, reason = "counts")]
    let rate = sent.len() as f64 / sent_in.as_secs_f64();
    println!(
        "email in: {} replies by mail ({} clients, {} distinct corpus replies, {checked} checked visible) in {:.2} s, {rate:.0} a second: {}",
        sent.len(),
        options.clients,
        replies.len(),
        sent_in.as_secs_f64(),
        summarize(sent.iter().map(|(_, took, _)| *took).collect())
    );
    drop(app);
    platform.finish().await;
}
