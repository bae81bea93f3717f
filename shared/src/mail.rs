//! Mail out, for both services: the settings (`SMTP_URL`, `MAIL_FROM`, `MAIL_REPLY_DOMAIN`),
//! one mail as the platform sends it ([`Outgoing`]: the headers that make it thread, not loop,
//! and unsubscribe in one click), and the SMTP client ([`Mailer`], lettre's pooled transport on
//! rustls) that says of each failure whether to try again.
//!
//! What is sent, and when, is each service's own: mail waits in a table of the service's
//! database until a sender claims it, so a mail server that is away, or not configured, loses
//! nothing.

use std::fmt;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use lettre::address::Address;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncTransport as _, Message, Tokio1Executor};
use prometheus::{HistogramOpts, HistogramVec, Registry};
use secrecy::{ExposeSecret as _, SecretString};

pub use base::mail::{address, escape_html, text_to_html};

use crate::backoff;
use crate::config::{ConfigError, Env, FromEnv};
use crate::work_queue::{GiveUp, Outcome, Retries};

/// How long one SMTP exchange (connect, or one mail) may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
/// The `References` header is kept under this many characters (the first and the newest ids
/// stay), so a long conversation's mail does not grow past what servers accept.
pub const REFERENCES_MAX_CHARS: usize = 1500;

/// The language a mail is written in: `en` (the default) or `fr`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Fr,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::En, Self::Fr].into_iter().find(|l| l.as_str() == value)
    }
}

crate::text_column!(Language, parse);

/// `SMTP_URL`: `smtp://host:port` (plain, as local catchers speak), `smtp://host:587?tls=starttls`
/// (STARTTLS required), `smtps://user:pass@host:465` (TLS from the start). Credentials are
/// percent-encoded in the URL. Debug output hides it.
#[derive(Clone)]
pub struct SmtpUrl(SecretString);

impl SmtpUrl {
    /// The URL in lettre's words: `tls=starttls` is its `tls=required`.
    fn for_transport(&self) -> String {
        self.0.expose_secret().replace("tls=starttls", "tls=required")
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmtpUrl(..)")
    }
}

impl FromEnv for SmtpUrl {
    fn from_env(raw: &str) -> Result<Self, String> {
        let url =
            url::Url::parse(raw).map_err(|_| "expected smtp://host:port or smtps://user:pass@host:465".to_owned())?;
        if !matches!(url.scheme(), "smtp" | "smtps") {
            return Err("the scheme must be smtp or smtps".into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("the URL names no host".into());
        }
        for (key, value) in url.query_pairs() {
            if key == "tls" && !matches!(value.as_ref(), "starttls" | "required" | "opportunistic") {
                return Err("tls must be starttls or opportunistic".into());
            }
        }
        Ok(Self(SecretString::from(raw.to_owned())))
    }
}

/// An address read from the environment.
#[derive(Debug, Clone)]
pub struct MailAddress(Address);

impl FromEnv for MailAddress {
    fn from_env(raw: &str) -> Result<Self, String> {
        raw.trim().parse::<Address>().map(Self).map_err(|_| "expected an email address".to_owned())
    }
}

/// The mail settings of a service.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// Without it, mail waits in its table (and is logged) until a server is configured.
    pub smtp_url: Option<SmtpUrl>,
    /// The sender's address; the display name is the organisation's, or the platform's.
    pub from: Address,
    /// The domain of the `Reply-To` addresses that carry reply tokens.
    pub reply_domain: String,
}

impl MailConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let smtp_url = env.optional::<SmtpUrl>("SMTP_URL")?;
        let from = env
            .optional::<MailAddress>("MAIL_FROM")?
            .map_or_else(|| "helpdeskly@localhost".parse().expect("a valid address"), |a| a.0);
        let reply_domain = env.optional::<String>("MAIL_REPLY_DOMAIN")?.unwrap_or_else(|| from.domain().to_owned());
        if reply_domain.is_empty() || !reply_domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
            return Err(ConfigError {
                name: "MAIL_REPLY_DOMAIN",
                problem: "is invalid: expected a domain name".into(),
            });
        }
        Ok(Self { smtp_url, from, reply_domain })
    }
}

/// One mail as the platform sends it.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    pub to: String,
    pub to_name: Option<String>,
    /// The display name of the sender (the organisation's name).
    pub from_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `en` or `fr`.
    pub language: String,
    /// Without the angle brackets.
    pub message_id: String,
    /// The mail this one answers, and the conversation so far (without angle brackets).
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// Where replies go (an address carrying a reply token).
    pub reply_to: Option<String>,
    /// The others on the conversation, shown in `Cc:`: each gets a mail of their own, so this
    /// one is delivered to `to` alone.
    pub cc: Vec<String>,
    /// The one-click unsubscribe URL (RFC 8058).
    pub unsubscribe_url: Option<String>,
    /// Names the delivery row (`X-Helpdeskly-Notification-Id`).
    pub notification_id: Option<String>,
}

/// Why a mail could not be built or sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The server could not be reached, or the connection broke: nothing is known of this mail;
    /// try again once the server is back.
    Unreachable(String),
    /// A 4xx answer: try this mail again later.
    Transient(String),
    /// A 5xx answer, or a mail that cannot be built: never try again.
    Permanent(String),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreachable(why) => write!(f, "mail server unreachable: {why}"),
            Self::Transient(why) => write!(f, "refused for now: {why}"),
            Self::Permanent(why) => write!(f, "refused: {why}"),
        }
    }
}

impl std::error::Error for SendError {}

/// How long a mail refused for now (4xx) is tried: on `backoff::MAIL_REFUSED`, while the next
/// try falls within 72 hours of the mail's writing; the same for every queue of mail.
pub const RETRIES: Retries = Retries::new(backoff::MAIL_REFUSED, GiveUp::Past(Duration::from_secs(72 * 3600)));

/// What a send's result makes of a queued mail written at `created_at`: sent, tried again on
/// `RETRIES`, refused for good, or waiting for the server. `attempts` counts the tries before
/// this one.
pub fn outcome(sent: Result<(), SendError>, attempts: i32, created_at: DateTime<Utc>, now: DateTime<Utc>) -> Outcome {
    match sent {
        Ok(()) => Outcome::Done,
        Err(SendError::Unreachable(why)) => Outcome::Away { error: why },
        Err(SendError::Transient(why)) => RETRIES.after_refusal(true, attempts.saturating_add(1), created_at, now, why),
        Err(SendError::Permanent(why)) => Outcome::Refused { error: why },
    }
}

/// `ids` as a `References` value, within `REFERENCES_MAX_CHARS`: the first id (the start of the
/// conversation) and as many of the newest as fit.
pub fn references_header(ids: &[String]) -> String {
    let bracketed: Vec<String> = ids.iter().map(|id| format!("<{id}>")).collect();
    let Some((first, rest)) = bracketed.split_first() else { return String::new() };
    let mut kept: Vec<&str> = Vec::new();
    let mut length = first.len();
    for id in rest.iter().rev() {
        if length + 1 + id.len() > REFERENCES_MAX_CHARS {
            break;
        }
        length += 1 + id.len();
        kept.push(id);
    }
    kept.reverse();
    std::iter::once(first.as_str()).chain(kept).collect::<Vec<_>>().join(" ")
}

fn raw_header(name: &'static str, value: String) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
}

impl Outgoing {
    /// The message, with `from` as the sender's address.
    pub fn build(&self, from: &Address) -> Result<Message, SendError> {
        let bad = |what: &str| SendError::Permanent(format!("the mail cannot be built: {what}"));
        let to: Address = self.to.parse().map_err(|_| bad("the recipient is not an address"))?;
        let mut builder = Message::builder()
            .from(Mailbox::new(Some(self.from_name.clone()), from.clone()))
            .to(Mailbox::new(self.to_name.clone(), to.clone()))
            .subject(self.subject.clone())
            .message_id(Some(format!("<{}>", self.message_id)));
        for other in &self.cc {
            let address: Address = other.parse().map_err(|_| bad("a Cc address is not an address"))?;
            builder = builder.cc(Mailbox::new(None, address));
        }
        // Delivered to `to` alone, whatever the header names.
        let envelope =
            lettre::address::Envelope::new(Some(from.clone()), vec![to.clone()]).map_err(|e| bad(&e.to_string()))?;
        builder = builder.envelope(envelope);
        if let Some(reply_to) = &self.reply_to {
            let address: Address = reply_to.parse().map_err(|_| bad("the reply address is not an address"))?;
            builder = builder.reply_to(Mailbox::new(None, address));
        }
        if let Some(parent) = &self.in_reply_to {
            builder = builder.in_reply_to(format!("<{parent}>"));
        }
        if !self.references.is_empty() {
            builder = builder.references(references_header(&self.references));
        }
        let mut message = builder
            .multipart(MultiPart::alternative_plain_html(self.text.clone(), self.html.clone()))
            .map_err(|e| bad(&e.to_string()))?;
        let headers = message.headers_mut();
        // An automatic mail (RFC 3834): auto-responders must not answer it, and Exchange not
        // send its own automatic replies.
        headers.insert_raw(raw_header("Auto-Submitted", "auto-generated".into()));
        headers.insert_raw(raw_header("X-Auto-Response-Suppress", "All".into()));
        headers.insert_raw(raw_header("Content-Language", self.language.clone()));
        if let Some(url) = &self.unsubscribe_url {
            headers.insert_raw(raw_header("List-Unsubscribe", format!("<{url}>")));
            headers.insert_raw(raw_header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into()));
        }
        if let Some(id) = &self.notification_id {
            headers.insert_raw(raw_header("X-Helpdeskly-Notification-Id", id.clone()));
        }
        Ok(message)
    }
}

/// The SMTP client of a process, when `SMTP_URL` is set.
#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Address,
    latency: HistogramVec,
}

impl Mailer {
    /// The client of `config`; a URL lettre cannot use stops the service at start.
    pub fn new(config: &MailConfig, registry: &Registry) -> Result<Self, ConfigError> {
        let transport = config
            .smtp_url
            .as_ref()
            .map(|url| {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&url.for_transport())
                    .map(|builder| {
                        builder
                            .timeout(Some(SMTP_TIMEOUT))
                            .pool_config(PoolConfig::new().max_size(8).idle_timeout(Duration::from_secs(60)))
                            .build()
                    })
                    .map_err(|e| ConfigError { name: "SMTP_URL", problem: format!("is invalid: {e}") })
            })
            .transpose()?;
        let latency = HistogramVec::new(
            HistogramOpts::new("mail_smtp_seconds", "Time the mail server took to accept or refuse one mail")
                .buckets(vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0]),
            &["outcome"],
        )
        .expect("a valid metric");
        // A second registration (several mailers in one registry, in tests) keeps the first.
        let latency = match registry.register(Box::new(latency.clone())) {
            Ok(()) | Err(prometheus::Error::AlreadyReg) => latency,
            Err(e) => panic!("mail metrics: {e}"),
        };
        Ok(Self { transport, from: config.from.clone(), latency })
    }

    /// Whether a mail server is configured.
    pub fn is_configured(&self) -> bool {
        self.transport.is_some()
    }

    pub fn from_address(&self) -> &Address {
        &self.from
    }

    /// Sends `mail`; `Err(Unreachable)` as well when no server is configured.
    pub async fn send(&self, mail: &Outgoing) -> Result<(), SendError> {
        let Some(transport) = &self.transport else {
            return Err(SendError::Unreachable("SMTP_URL is not set".into()));
        };
        let message = mail.build(&self.from)?;
        let started = Instant::now();
        let result = transport.send(message).await.map(drop).map_err(|e| classify(&e));
        let outcome = match &result {
            Ok(()) => "accepted",
            Err(SendError::Transient(_)) => "deferred",
            Err(SendError::Permanent(_)) => "refused",
            Err(SendError::Unreachable(_)) => "unreachable",
        };
        self.latency.with_label_values(&[outcome]).observe(started.elapsed().as_secs_f64());
        result
    }

    /// Whether the server answers (for `/ready`).
    pub async fn check(&self) -> Result<(), String> {
        let Some(transport) = &self.transport else { return Err("SMTP_URL is not set".into()) };
        match transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err("the mail server did not answer NOOP".into()),
            Err(e) => Err(classify(&e).to_string()),
        }
    }
}

fn classify(error: &lettre::transport::smtp::Error) -> SendError {
    let text = error.to_string();
    if error.is_permanent() {
        SendError::Permanent(text)
    } else if error.is_transient() {
        SendError::Transient(text)
    } else {
        SendError::Unreachable(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry(at: DateTime<Utc>) -> Outcome {
        Outcome::Retry { at, error: "busy".into() }
    }

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
    }

    #[test]
    fn retries_stop_72_hours_after_the_mail_was_written() {
        let created = at("2030-01-01T00:00:00Z");
        let early = at("2030-01-01T00:01:00Z");
        assert_eq!(RETRIES.after_refusal(true, 1, created, early, "busy"), retry(at("2030-01-01T00:01:30Z")));
        // The last try that still falls within the window.
        let late = at("2030-01-03T23:00:00Z");
        assert_eq!(RETRIES.after_refusal(true, 20, created, late, "busy"), retry(at("2030-01-04T00:00:00Z")));
        let later = at("2030-01-03T23:00:01Z");
        assert_eq!(RETRIES.after_refusal(true, 20, created, later, "busy"), Outcome::Failed { error: "busy".into() });
        // Every 4xx for three days: a bounded number of tries.
        let (mut now, mut attempts) = (created, 0);
        while let Outcome::Retry { at: next, .. } = RETRIES.after_refusal(true, attempts + 1, created, now, "busy") {
            (now, attempts) = (next, attempts + 1);
        }
        assert!((70..=80).contains(&attempts), "{attempts}");
        assert!(now <= created + chrono::Duration::hours(72));
    }

    #[test]
    fn a_permanent_refusal_is_final_at_once() {
        let created = at("2030-01-01T00:00:00Z");
        assert_eq!(RETRIES.after_refusal(false, 1, created, created, "no"), Outcome::Refused { error: "no".into() });
    }

    fn mail() -> Outgoing {
        Outgoing {
            to: "ada@example.test".into(),
            to_name: Some("Ada L".into()),
            from_name: "Acme <Support>".into(),
            subject: "[TKT-1] <script>alert(1)</script>".into(),
            text: "Hello".into(),
            html: "<p>Hello</p>".into(),
            language: "fr".into(),
            message_id: "n1.t1@helpdeskly.test".into(),
            in_reply_to: Some("root.t1@helpdeskly.test".into()),
            references: vec!["root.t1@helpdeskly.test".into()],
            reply_to: Some("reply+abc@replies.test".into()),
            cc: Vec::new(),
            unsubscribe_url: Some("https://acme.test/v1/notifications/unsubscribe?token=x".into()),
            notification_id: Some("42".into()),
        }
    }

    #[test]
    fn the_others_on_a_conversation_are_shown_and_never_sent_this_copy() {
        let from: Address = "support@helpdeskly.test".parse().unwrap();
        let copied = Outgoing { cc: vec!["bo@example.test".into(), "cy@example.test".into()], ..mail() };
        let message = copied.build(&from).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains("Cc: bo@example.test, cy@example.test"), "{raw}");
        let to: Vec<String> = message.envelope().to().iter().map(ToString::to_string).collect();
        assert_eq!(to, ["ada@example.test"]);
        let bad = Outgoing { cc: vec!["not an address".into()], ..mail() };
        assert!(matches!(bad.build(&from), Err(SendError::Permanent(_))));
    }

    #[test]
    fn a_mail_carries_the_threading_and_automation_headers() {
        let from: Address = "support@helpdeskly.test".parse().unwrap();
        let raw = String::from_utf8(mail().build(&from).unwrap().formatted()).unwrap();
        for header in [
            "Message-ID: <n1.t1@helpdeskly.test>",
            "In-Reply-To: <root.t1@helpdeskly.test>",
            "References: <root.t1@helpdeskly.test>",
            "Reply-To: reply+abc@replies.test",
            "Auto-Submitted: auto-generated",
            "X-Auto-Response-Suppress: All",
            "List-Unsubscribe: <https://acme.test/v1/notifications/unsubscribe?token=x>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "X-Helpdeskly-Notification-Id: 42",
            "Content-Language: fr",
        ] {
            assert!(raw.contains(header), "{header} missing from:\n{raw}");
        }
        assert!(raw.contains("multipart/alternative"));
    }

    #[test]
    fn references_keep_the_first_and_the_newest_within_the_cap() {
        let ids: Vec<String> = (0..200).map(|i| format!("n{i}.ticket@helpdeskly.test")).collect();
        let header = references_header(&ids);
        assert!(header.len() <= REFERENCES_MAX_CHARS, "{}", header.len());
        assert!(header.starts_with("<n0.ticket@helpdeskly.test> "));
        assert!(header.ends_with("<n199.ticket@helpdeskly.test>"));
        assert!(!header.contains("<n1.ticket@"), "the oldest after the first go first");
        assert_eq!(references_header(&ids[..2]), "<n0.ticket@helpdeskly.test> <n1.ticket@helpdeskly.test>");
        assert_eq!(references_header(&[]), "");
    }

    #[test]
    fn the_smtp_url_is_checked() {
        assert!(SmtpUrl::from_env("smtp://127.0.0.1:2525").is_ok());
        assert!(SmtpUrl::from_env("smtps://u:p@mail.example:465").is_ok());
        assert!(SmtpUrl::from_env("smtp://mail.example:587?tls=starttls").is_ok());
        assert!(SmtpUrl::from_env("http://mail.example").is_err());
        assert!(SmtpUrl::from_env("smtp://mail.example?tls=maybe").is_err());
        assert!(SmtpUrl::from_env("not a url").is_err());
    }

    #[test]
    fn the_reply_domain_defaults_to_the_sender_s() {
        let config = MailConfig::from_env(&Env::from_pairs([("MAIL_FROM", "support@acme.example")])).unwrap();
        assert_eq!(config.reply_domain, "acme.example");
        assert!(config.smtp_url.is_none());
        let bad = Env::from_pairs([("MAIL_FROM", "not an address")]);
        assert_eq!(MailConfig::from_env(&bad).unwrap_err().name, "MAIL_FROM");
    }
}
