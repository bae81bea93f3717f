//! Reading a received mail (with `mail-parser`): who sent it, what it answers, its new words,
//! its files, and what kind of mail it is, so that nothing automatic starts a conversation.

use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders as _, PartType};
use sha2::{Digest as _, Sha256};

use super::quotes;

/// References kept from `In-Reply-To` and `References` (the newest ones).
const MAX_REFERENCES: usize = 50;
/// Files taken from one mail; the rest are left in the original.
pub const MAX_FILES: usize = 10;

/// What kind of mail it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Written by a person: it may open or join a conversation.
    Conversation,
    /// An automatic answer (out of office, autoresponder, list or bulk mail).
    AutoReply,
    /// A delivery status notification: the addresses that failed for good, and the Message-ID of
    /// the mail that bounced.
    Bounce { failed: Vec<String>, original: Option<String> },
    /// Mail this service sent (a notification coming back).
    OwnMail,
}

/// A file of the mail.
#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
    /// Shown in the body (`Content-ID`, `cid:` images).
    pub inline: bool,
}

/// A received mail, read.
#[derive(Debug, Clone)]
pub struct Inbound {
    /// Without angle brackets.
    pub message_id: Option<String>,
    /// `In-Reply-To` then `References`, newest first, without angle brackets.
    pub references: Vec<String>,
    /// Lower-case.
    pub from_address: String,
    pub from_name: String,
    /// Every address it was delivered to (To, Cc, Delivered-To, X-Original-To), lower-case.
    pub recipients: Vec<String>,
    /// The `Cc:` header's people, each once: a checked lower-case address and a name (at most
    /// `MAX_COPIED`).
    pub cc: Vec<(String, String)>,
    pub subject: String,
    /// The words the sender wrote now (quotes cut), as plain text.
    pub text: String,
    /// The whole text body.
    pub full_text: String,
    pub files: Vec<File>,
    /// Files past `MAX_FILES`, left in the original.
    pub files_left: usize,
    pub kind: Kind,
    /// The `Authentication-Results` values, top first.
    pub authentication_results: Vec<String>,
    /// What makes it the same mail twice (see `dedupe_key`).
    pub dedupe_key: [u8; 32],
}

/// Marks of the mail this service sends.
#[derive(Debug, Clone, Default)]
pub struct OwnMail {
    /// `MAIL_FROM`'s address, lower-case.
    pub from: Option<String>,
    /// `MAIL_REPLY_DOMAIN`, lower-case: our Message-IDs end with it.
    pub domain: Option<String>,
}

/// SHA-256 of the raw message.
pub fn raw_digest(raw: &[u8]) -> [u8; 32] {
    Sha256::digest(raw).into()
}

/// The same mail twice: its `Message-ID` with the bytes after its header (relays add header
/// fields, not body bytes), or the whole message when it has no `Message-ID`. A sender reusing a
/// `Message-ID` for other content makes another key.
pub fn dedupe_key(message_id: Option<&str>, raw: &[u8], body_offset: usize) -> [u8; 32] {
    match message_id {
        Some(id) => {
            let mut hasher = Sha256::new();
            hasher.update(id.as_bytes());
            hasher.update([0]);
            hasher.update(raw.get(body_offset..).unwrap_or_default());
            hasher.finalize().into()
        }
        None => raw_digest(raw),
    }
}

/// Reads `raw`; `None` when it is not a mail at all (no header).
pub fn read(raw: &[u8], own: &OwnMail) -> Option<Inbound> {
    let message = MessageParser::default().parse(raw)?;
    if message.headers().is_empty() {
        return None;
    }
    let message_id = message.message_id().map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
    let from = message.from().and_then(|a| a.first());
    let from_address = from.and_then(|a| a.address()).unwrap_or_default().trim().to_lowercase();
    let from_name = from.and_then(|a| a.name()).unwrap_or_default().trim().to_owned();
    let subject = message.subject().unwrap_or_default().trim().to_owned();
    let (mut text, full_text) = body(&message);
    if is_forward_subject(&subject) {
        // What a forward brings is its content.
        text.clone_from(&full_text);
    }
    let (files, files_left) = files(&message);
    let kind = kind(&message, &from_address, message_id.as_deref(), &subject, own);
    let authentication_results = message
        .headers_raw()
        .filter(|(name, _)| name.eq_ignore_ascii_case("Authentication-Results"))
        .map(|(_, value)| unfold(value))
        .collect();
    let body_offset = message.root_part().raw_body_offset() as usize;
    Some(Inbound {
        dedupe_key: dedupe_key(message_id.as_deref(), raw, body_offset),
        references: references(&message),
        recipients: recipients(&message),
        cc: copied(&message),
        message_id,
        from_address,
        from_name,
        subject,
        text,
        full_text,
        files,
        files_left,
        kind,
        authentication_results,
    })
}

/// `Fwd:`, `Fw:`, `TR:` (French clients), `WG:` (German ones).
fn is_forward_subject(subject: &str) -> bool {
    let s = subject.trim_start().to_ascii_lowercase();
    ["fwd:", "fw:", "tr:", "tr :", "wg:"].iter().any(|p| s.starts_with(p))
}

fn unfold(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(ids) => ids.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    }
}

fn references(message: &Message<'_>) -> Vec<String> {
    let mut all = ids(message.in_reply_to());
    let mut refs = ids(message.references());
    refs.reverse();
    all.extend(refs);
    let mut seen = std::collections::HashSet::new();
    all.retain(|id| !id.is_empty() && seen.insert(id.clone()));
    all.truncate(MAX_REFERENCES);
    all
}

/// `Cc:` people read from one mail (a participant list holds 20).
pub const MAX_COPIED: usize = 20;

fn copied(message: &Message<'_>) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for addr in message.all_cc().flat_map(|list| list.iter()) {
        let Some(address) = addr.address().and_then(shared::mail::address) else { continue };
        if found.len() < MAX_COPIED && !found.iter().any(|(known, _)| *known == address) {
            let name: String = addr.name().unwrap_or_default().trim().chars().take(255).collect();
            found.push((address, name));
        }
    }
    found
}

fn recipients(message: &Message<'_>) -> Vec<String> {
    let mut found: Vec<String> = message
        .all_to()
        .chain(message.all_cc())
        .flat_map(|list| list.iter())
        .filter_map(|a| a.address())
        .map(str::to_lowercase)
        .collect();
    for (name, value) in message.headers_raw() {
        if ["Delivered-To", "X-Original-To", "Envelope-To"].iter().any(|n| name.eq_ignore_ascii_case(n)) {
            let value = value.trim().trim_start_matches('<').trim_end_matches('>').to_lowercase();
            if !value.is_empty() {
                found.push(value);
            }
        }
    }
    found.dedup();
    found
}

/// The new words and the whole text: the text parts (preferred), else the HTML parts read as text
/// with their quotes marked.
fn body(message: &Message<'_>) -> (String, String) {
    let mut texts = Vec::new();
    let mut htmls = Vec::new();
    for id in &message.text_body {
        match message.parts.get(*id as usize).map(|p| &p.body) {
            Some(PartType::Text(text)) => texts.push(text.to_string()),
            Some(PartType::Html(html)) => htmls.push(html.to_string()),
            _ => {}
        }
    }
    if texts.is_empty() && htmls.is_empty() {
        for id in &message.html_body {
            if let Some(PartType::Html(html)) = message.parts.get(*id as usize).map(|p| &p.body) {
                htmls.push(html.to_string());
            }
        }
    }
    if !texts.is_empty() {
        let full = normalise(&texts.join("\n\n"));
        return (quotes::new_text(&full), full);
    }
    let full = normalise(&htmls.iter().map(|h| html_text(h)).collect::<Vec<_>>().join("\n\n"));
    let marked =
        normalise(&htmls.iter().map(|h| html_text(&quotes::mark_html_quotes(h))).collect::<Vec<_>>().join("\n\n"));
    (quotes::new_html_text(&full, &marked), full)
}

fn html_text(html: &str) -> String {
    // Block ends as line breaks, whatever the converter makes of them.
    let mut spaced = String::with_capacity(html.len() + 64);
    let lower = html.to_ascii_lowercase();
    let mut last = 0;
    for (at, _) in lower.match_indices('<') {
        let tag = &lower.as_bytes()[at..];
        if ["<br", "</p>", "</div", "</li>", "</tr>", "<p>", "<p ", "<div"]
            .iter()
            .any(|t| tag.starts_with(t.as_bytes()))
        {
            spaced.push_str(&html[last..at]);
            spaced.push('\n');
            last = at;
        }
    }
    spaced.push_str(&html[last..]);
    mail_parser::decoders::html::html_to_text(&spaced)
}

/// Line ends as `\n`, no trailing spaces, at most one blank line in a row.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.replace("\r\n", "\n").replace('\r', "\n").lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_owned()
}

fn files(message: &Message<'_>) -> (Vec<File>, usize) {
    let mut files = Vec::new();
    let mut left = 0;
    for part in message.attachments() {
        let bytes = match &part.body {
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => bytes.to_vec(),
            PartType::Text(text) => text.as_bytes().to_vec(),
            PartType::Html(html) => html.as_bytes().to_vec(),
            PartType::Message(inner) => inner.raw_message().to_vec(),
            PartType::Multipart(_) => continue,
        };
        if files.len() == MAX_FILES {
            left += 1;
            continue;
        }
        let inline = part.content_id().is_some()
            && !part.content_disposition().is_some_and(mail_parser::ContentType::is_attachment);
        let name = part.attachment_name().map_or_else(|| unnamed(part.content_type()), str::to_owned);
        files.push(File { name, bytes, inline });
    }
    (files, left)
}

/// A name for a file sent without one, from its type (`image.png`, `message.eml`, ...).
fn unnamed(content_type: Option<&mail_parser::ContentType<'_>>) -> String {
    let subtype = content_type.and_then(|c| c.subtype()).unwrap_or("bin").to_ascii_lowercase();
    let extension = match subtype.as_str() {
        "jpeg" => "jpg",
        "rfc822" => "eml",
        "plain" => "txt",
        other => other,
    };
    let stem = content_type.map_or("file", |c| c.ctype());
    format!("{stem}.{extension}")
}

fn header_text<'a>(message: &'a Message<'_>, name: &'a str) -> Option<&'a str> {
    message.header_raw(name).map(str::trim)
}

fn kind(message: &Message<'_>, from: &str, message_id: Option<&str>, subject: &str, own: &OwnMail) -> Kind {
    if let Some(bounce) = bounce(message) {
        return bounce;
    }
    let ours_by_id = own
        .domain
        .as_deref()
        .is_some_and(|d| message_id.is_some_and(|id| id.to_lowercase().ends_with(&format!("@{d}"))));
    if message.header_raw("X-Helpdeskly-Notification-Id").is_some()
        || own.from.as_deref().is_some_and(|ours| ours == from)
        || ours_by_id
    {
        return Kind::OwnMail;
    }
    if is_automatic(message, from, subject) { Kind::AutoReply } else { Kind::Conversation }
}

/// RFC 3834 and what common autoresponders add, and the subjects of out-of-office replies.
fn is_automatic(message: &Message<'_>, from: &str, subject: &str) -> bool {
    let submitted = header_text(message, "Auto-Submitted").is_some_and(|v| !v.to_ascii_lowercase().starts_with("no"));
    let precedence = ["Precedence", "X-Precedence"].iter().any(|name| {
        header_text(message, name)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "bulk" | "list" | "junk" | "auto_reply"))
    });
    let flagged = ["X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-AutoReply-From", "X-Mail-Autoreply"]
        .iter()
        .any(|name| message.header_raw(*name).is_some())
        || header_text(message, "X-Autogenerated").is_some_and(|v| v.eq_ignore_ascii_case("reply"));
    let local = from.split('@').next().unwrap_or_default();
    let robot =
        matches!(local, "mailer-daemon" | "postmaster" | "noreply" | "no-reply" | "donotreply" | "do-not-reply");
    let null_sender = header_text(message, "Return-Path").is_some_and(|v| v == "<>");
    let s = subject.to_lowercase();
    let out_of_office = [
        "auto:",
        "automatic reply",
        "autoreply",
        "auto-reply",
        "auto reply",
        "out of office",
        "out of the office",
        "réponse automatique",
        "reponse automatique",
        "absence du bureau",
        "abwesenheitsnotiz",
        "automatische antwort",
        "respuesta automática",
    ]
    .iter()
    .any(|p| s.starts_with(p) || s.contains(&format!(": {p}")));
    submitted || precedence || flagged || robot || null_sender || out_of_office
}

/// A delivery status notification (`multipart/report; report-type=delivery-status`): the
/// recipients whose delivery failed for good (`Action: failed` with a 5.x.x status) and the
/// Message-ID of the mail that bounced.
fn bounce(message: &Message<'_>) -> Option<Kind> {
    let root = message.root_part().content_type()?;
    let is_report = root.ctype().eq_ignore_ascii_case("multipart")
        && root.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
        && root.attribute("report-type").is_some_and(|t| t.eq_ignore_ascii_case("delivery-status"));
    if !is_report {
        return None;
    }
    let mut failed = Vec::new();
    let mut original = None;
    for part in &message.parts {
        let Some(ctype) = part.content_type() else { continue };
        let sub = ctype.subtype().unwrap_or_default().to_ascii_lowercase();
        match (ctype.ctype().to_ascii_lowercase().as_str(), sub.as_str()) {
            ("message", "delivery-status") => {
                failed.extend(failed_recipients(&String::from_utf8_lossy(part.contents())));
            }
            ("message", "rfc822") => {
                if let PartType::Message(inner) = &part.body {
                    original = original.or_else(|| inner.message_id().map(str::to_owned));
                }
            }
            ("text", "rfc822-headers") => {
                original = original.or_else(|| header_message_id(&String::from_utf8_lossy(part.contents())));
            }
            _ => {}
        }
    }
    Some(Kind::Bounce { failed, original })
}

/// `Final-Recipient` (or `Original-Recipient`) of each per-recipient block whose `Action` is
/// `failed` and whose `Status` is permanent (5.x.x).
fn failed_recipients(report: &str) -> Vec<String> {
    let mut out = Vec::new();
    for block in report.replace("\r\n", "\n").split("\n\n") {
        let field = |name: &str| {
            block.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
            })
        };
        let failed = field("Action").is_some_and(|a| a.eq_ignore_ascii_case("failed"));
        let permanent = field("Status").is_some_and(|s| s.starts_with('5'));
        let recipient = field("Final-Recipient").or_else(|| field("Original-Recipient"));
        if let (true, true, Some(recipient)) = (failed, permanent, recipient) {
            let address = recipient.rsplit(';').next().unwrap_or_default().trim().to_lowercase();
            if address.contains('@') {
                out.push(address);
            }
        }
    }
    out
}

fn header_message_id(headers: &str) -> Option<String> {
    headers.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case("Message-ID")
            .then(|| value.trim().trim_start_matches('<').trim_end_matches('>').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(raw: &str) -> Inbound {
        read(raw.replace('\n', "\r\n").as_bytes(), &OwnMail::default()).expect("a mail")
    }

    #[test]
    fn a_plain_reply_is_read_with_its_references_and_new_words() {
        let mail = read_str(
            "From: Jane Doe <Jane@Example.com>\nTo: reply+abc@mail.test\nSubject: Re: [TKT-1] Parcel\nMessage-ID: <m1@example.com>\nIn-Reply-To: <n2@mail.test>\nReferences: <root@mail.test> <n1@mail.test> <n2@mail.test>\n\nStill nothing.\n\nOn Mon, 23 Nov 2026, Support <reply+abc@mail.test> wrote:\n> We shipped it.\n",
        );
        assert_eq!(mail.from_address, "jane@example.com");
        assert_eq!(mail.from_name, "Jane Doe");
        assert_eq!(mail.references, ["n2@mail.test", "n1@mail.test", "root@mail.test"]);
        assert_eq!(mail.recipients, ["reply+abc@mail.test"]);
        assert_eq!(mail.text, "Still nothing.");
        assert_eq!(mail.kind, Kind::Conversation);
    }

    #[test]
    fn the_cc_header_s_people_are_read_once_and_checked() {
        let mail = read_str(
            "From: Jane <jane@example.com>\nTo: support@mail.test\nCc: Bo Colleague <Bo@Example.com>, not-an-address, bo@example.com, \"Cy, Ltd\" <cy@supplier.example>\nSubject: Parcel\nMessage-ID: <m9@example.com>\n\nHello.\n",
        );
        assert_eq!(
            mail.cc,
            [
                ("bo@example.com".to_owned(), "Bo Colleague".to_owned()),
                ("cy@supplier.example".to_owned(), "Cy, Ltd".to_owned())
            ]
        );
        let many: Vec<String> = (0..30).map(|i| format!("p{i}@example.com")).collect();
        let crowded =
            read_str(&format!("From: a@b.c\nCc: {}\nSubject: x\nMessage-ID: <z@b.c>\n\nHi.\n", many.join(", ")));
        assert_eq!(crowded.cc.len(), MAX_COPIED);
    }

    #[test]
    fn automatic_mail_is_told_apart() {
        let auto =
            read_str("From: a@b.c\nAuto-Submitted: auto-replied\nSubject: Re: x\nMessage-ID: <a@b.c>\n\nAway.\n");
        assert_eq!(auto.kind, Kind::AutoReply);
        let not_auto = read_str("From: a@b.c\nAuto-Submitted: no\nSubject: x\nMessage-ID: <b@b.c>\n\nHello.\n");
        assert_eq!(not_auto.kind, Kind::Conversation);
        let office = read_str("From: a@b.c\nSubject: Réponse automatique : colis\nMessage-ID: <c@b.c>\n\nAbsente.\n");
        assert_eq!(office.kind, Kind::AutoReply);
        let own = read(
            b"From: support@mail.test\r\nSubject: x\r\nMessage-ID: <e.r@mail.test>\r\n\r\nhi\r\n",
            &OwnMail { from: Some("support@mail.test".into()), domain: Some("mail.test".into()) },
        )
        .unwrap();
        assert_eq!(own.kind, Kind::OwnMail);
    }

    #[test]
    fn a_bounce_names_the_failed_address_and_the_mail_it_returns() {
        let mail = read_str(concat!(
            "From: MAILER-DAEMON@mx.test\nTo: support@mail.test\nSubject: Undelivered\nMessage-ID: <dsn1@mx.test>\n",
            "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n",
            "--b\nContent-Type: text/plain\n\nYour mail could not be delivered.\n",
            "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.test\n\n",
            "Final-Recipient: rfc822; gone@example.com\nAction: failed\nStatus: 5.1.1\n\n",
            "Final-Recipient: rfc822; slow@example.com\nAction: delayed\nStatus: 4.4.1\n\n",
            "--b\nContent-Type: text/rfc822-headers\n\nMessage-ID: <ev.rc@mail.test>\nSubject: x\n\n--b--\n",
        ));
        assert_eq!(
            mail.kind,
            Kind::Bounce { failed: vec!["gone@example.com".into()], original: Some("ev.rc@mail.test".into()) }
        );
    }

    #[test]
    fn the_dedupe_key_ignores_added_header_fields_but_not_other_content() {
        let one = "Message-ID: <same@x>\nFrom: a@b.c\n\nHello\n";
        let relayed = "Received: from relay\nMessage-ID: <same@x>\nFrom: a@b.c\n\nHello\n";
        let reused = "Message-ID: <same@x>\nFrom: a@b.c\n\nSomething else\n";
        assert_eq!(read_str(one).dedupe_key, read_str(relayed).dedupe_key);
        assert_ne!(read_str(one).dedupe_key, read_str(reused).dedupe_key);
    }
}
