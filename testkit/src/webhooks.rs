//! A webhook endpoint of a test's own, over real HTTP: `systests/webhook_receiver.py`, which
//! checks each delivery's signature with an implementation of Standard Webhooks that is not the
//! platform's (standardwebhooks from PyPI, pinned; `scripts/test.sh` installs it and sets
//! `WEBHOOK_RECEIVER_VENV`), keeps what arrived, and answers as the test scripted it: statuses,
//! delays, `Retry-After` and `Location`, so that retries, back-off, time-outs and redirects can
//! be tested. Each [`Receiver`] is a process of its own on a free port, killed when dropped;
//! endpoints are told apart by name (`/hooks/<name>`), each with its own secrets and script.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt as _, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// How long the receiver may take to start listening.
const START_WITHIN: Duration = Duration::from_secs(20);
/// How long [`Receiver::wait_for`] waits.
const WAIT_WITHIN: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(20);

/// The Python of the virtual environment standardwebhooks is installed in (`scripts/lib.sh`'s
/// `webhook_receiver_venv`).
fn receiver_python() -> String {
    if let Ok(venv) = std::env::var("WEBHOOK_RECEIVER_VENV") {
        return format!("{venv}/bin/python");
    }
    let cache = std::env::var("XDG_CACHE_HOME")
        .unwrap_or_else(|_| format!("{}/.cache", std::env::var("HOME").unwrap_or_else(|_| "/root".into())));
    format!("{cache}/helpdeskly/standardwebhooks-1.1.0/bin/python")
}

fn receiver_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../systests/webhook_receiver.py")
}

/// Whether the receiver takes `name` as an endpoint's name: 1 to 64 of `[A-Za-z0-9_-]`.
fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// How the receiver answers one delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    pub status: u16,
    /// Slept before answering (the delivery is recorded on arrival, before it).
    pub delay_ms: u64,
    /// The `Retry-After` header's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<String>,
    /// The `Location` header's value (with a 3xx status: a redirect the sender must not follow).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub body: String,
}

impl Response {
    /// `status`, at once, with no headers of note and an empty body.
    pub fn status(status: u16) -> Self {
        Self { status, delay_ms: 0, retry_after: None, location: None, body: String::new() }
    }

    #[must_use]
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self
    }

    #[must_use]
    pub fn with_retry_after(mut self, value: impl Into<String>) -> Self {
        self.retry_after = Some(value.into());
        self
    }

    #[must_use]
    pub fn with_location(mut self, url: impl Into<String>) -> Self {
        self.location = Some(url.into());
        self
    }

    #[must_use]
    pub fn with_body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }
}

/// One delivery as it arrived.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Received {
    /// When it arrived, in seconds since the Unix epoch (the receiver's clock: this machine's).
    pub at: f64,
    /// Its headers by lower-case name (repeated ones joined with ", ").
    pub headers: BTreeMap<String, String>,
    pub body: String,
    /// The indexes of the endpoint's secrets (as set when it arrived) whose Standard Webhooks
    /// check passed: signature, `webhook-id` and a `webhook-timestamp` within 5 minutes.
    pub signatures_valid: Vec<usize>,
    /// Why the check with the first secret failed, when no secret's passed (none when the
    /// endpoint had no secrets).
    pub error: Option<String>,
}

impl Received {
    /// The body, parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("a webhook body that is not JSON ({e}): {}", self.body))
    }

    /// A header's value, when the delivery had it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
}

#[derive(Deserialize)]
struct Requests {
    requests: Vec<Received>,
}

/// A webhook receiver of a test's own (`systests/webhook_receiver.py` on a free port on
/// 127.0.0.1). Killed when dropped.
pub struct Receiver {
    port: u16,
    client: reqwest::Client,
    _process: Child,
    // Held open so that the receiver never writes to a closed pipe.
    _stdout: Lines<BufReader<ChildStdout>>,
}

impl Receiver {
    /// Starts a receiver and waits (20 s at most) until it listens.
    pub async fn start() -> Self {
        let python = receiver_python();
        let script = receiver_script();
        let mut process = Command::new(&python)
            .arg(&script)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "the webhook receiver does not start ({python} {}: {e}); scripts/test.sh installs its \
                     environment (scripts/lib.sh's webhook_receiver_venv, WEBHOOK_RECEIVER_VENV)",
                    script.display()
                )
            });
        let mut stdout = BufReader::new(process.stdout.take().expect("the receiver's stdout")).lines();
        let first = tokio::time::timeout(START_WITHIN, stdout.next_line())
            .await
            .unwrap_or_else(|_| panic!("the webhook receiver does not listen within {START_WITHIN:?} ({python})"));
        let line = match first {
            Err(e) => panic!("the webhook receiver's output is unreadable: {e}"),
            Ok(None) => panic!(
                "the webhook receiver stopped before listening (its error is above; is standardwebhooks installed \
                 in {python}'s environment? scripts/test.sh installs it)"
            ),
            Ok(Some(line)) => line,
        };
        let port = line
            .strip_prefix("listening on ")
            .and_then(|port| port.trim().parse().ok())
            .unwrap_or_else(|| panic!("the webhook receiver said {line:?}, not \"listening on <port>\""));
        let client = reqwest::Client::builder().no_proxy().build().expect("an HTTP client");
        Self { port, client, _process: process, _stdout: stdout }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL deliveries to the endpoint `name` are sent to (1 to 64 of `[A-Za-z0-9_-]`).
    pub fn url(&self, name: &str) -> String {
        assert!(valid_name(name), "a webhook receiver endpoint's name is 1 to 64 of [A-Za-z0-9_-], not {name:?}");
        format!("http://127.0.0.1:{}/hooks/{name}", self.port)
    }

    fn control_url(&self, name: &str) -> String {
        assert!(valid_name(name), "a webhook receiver endpoint's name is 1 to 64 of [A-Za-z0-9_-], not {name:?}");
        format!("http://127.0.0.1:{}/_control/{name}", self.port)
    }

    async fn configure(&self, name: &str, config: serde_json::Value) {
        let response =
            self.client.put(self.control_url(name)).json(&config).send().await.expect("the webhook receiver answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert_eq!(status, reqwest::StatusCode::NO_CONTENT, "the webhook receiver refused {config}: {text}");
    }

    /// Sets the endpoint `name`'s secrets (`whsec_` and base64, as the platform shows them) and
    /// its script: `responses` answer the next deliveries, one each, in order; after them,
    /// `default` does (when `None`, the default stays as it was: at first `200`).
    pub async fn script(&self, name: &str, secrets: &[String], responses: Vec<Response>, default: Option<Response>) {
        let mut config = serde_json::json!({ "secrets": secrets, "responses": responses });
        if let Some(default) = default {
            config["default"] = serde_json::to_value(default).expect("a response as JSON");
        }
        self.configure(name, config).await;
    }

    /// Replaces the endpoint `name`'s secrets, leaving its script as it is (a rotation: a
    /// delivery is checked with each of them, see [`Received::signatures_valid`]).
    pub async fn set_secrets(&self, name: &str, secrets: &[String]) {
        self.configure(name, serde_json::json!({ "secrets": secrets })).await;
    }

    /// Replaces the responses the endpoint `name`'s next deliveries get, leaving its secrets and
    /// default as they are.
    pub async fn set_responses(&self, name: &str, responses: Vec<Response>) {
        self.configure(name, serde_json::json!({ "responses": responses })).await;
    }

    /// Every delivery to the endpoint `name` so far, in order of arrival.
    pub async fn requests(&self, name: &str) -> Vec<Received> {
        let response = self.client.get(self.control_url(name)).send().await.expect("the webhook receiver answers");
        assert!(response.status().is_success(), "the webhook receiver answered {}", response.status());
        response.json::<Requests>().await.expect("the webhook receiver's record").requests
    }

    /// The deliveries to the endpoint `name` once there are at least `count` (within 30 s).
    pub async fn wait_for(&self, name: &str, count: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + WAIT_WITHIN;
        loop {
            let received = self.requests(name).await;
            if received.len() >= count {
                return received;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{count} webhook delivery(ies) to {name}: not within {WAIT_WITHIN:?}; {} arrived: {received:#?}",
                received.len()
            );
            tokio::time::sleep(POLL).await;
        }
    }
}
