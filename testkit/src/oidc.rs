//! A real OpenID Provider for the single sign-on tests, over real HTTP:
//! `testkit/oidc-provider/provider.mjs`, npm's oidc-provider (a certified implementation, pinned
//! in that directory's package-lock.json; `scripts/test.sh` installs it) under node, on a free
//! port on 127.0.0.1. Each [`Provider`] is a process of its own with the clients and accounts its
//! test gave it, killed when dropped (and gone by itself when the test process dies: it exits
//! when its stdin closes).
//!
//! It speaks discovery, JWKS, the authorization code flow with PKCE (S256, required), ID tokens
//! carrying `email`, `email_verified`, `name` and `groups` (scopes `email` and `profile`) and the
//! account's `amr`, back-channel logout and RP-initiated logout. Signing in takes no browser:
//! [`Provider::sign_in`] fills its login form. Key rotation and back-channel logouts on demand
//! are test-only endpoints of its own ([`Provider::rotate_keys`],
//! [`Provider::backchannel_logout`]).

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{StatusCode, Url};
use tokio::io::{AsyncBufReadExt as _, AsyncRead, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::task::JoinHandle;

/// How long the provider may take to start listening.
const START_WITHIN: Duration = Duration::from_secs(20);
/// How long the rest of its error output may take to arrive once it stopped.
const STDERR_WITHIN: Duration = Duration::from_secs(2);
/// How many redirects [`Provider::sign_in`] follows before it gives up.
const MAX_REDIRECTS: usize = 12;

fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oidc-provider")
}

/// What the provider's error output held so far, shared with the task that reads it.
type Stderr = Arc<Mutex<String>>;

/// An OpenID Provider of a test's own (`testkit/oidc-provider/provider.mjs` on a free port on
/// 127.0.0.1). Killed when dropped.
pub struct Provider {
    /// The issuer, which is also the provider's base URL: `http://127.0.0.1:<port>`, without a
    /// trailing slash.
    pub issuer: String,
    /// A client for the test-only endpoints (no cookies, no redirects followed).
    admin: reqwest::Client,
    /// Everything the provider wrote to stderr (each line is also echoed to the test's stderr).
    stderr: Stderr,
    _process: Child,
    // Held open: the provider exits when its stdin closes.
    _stdin: ChildStdin,
    // Held open so that the provider never writes to a closed pipe.
    _stdout: Lines<BufReader<ChildStdout>>,
    // Read by the provider at start; removed with the handle.
    _config: tempfile::NamedTempFile,
}

impl Provider {
    /// Starts a provider and waits (20 s at most) until it listens. `config` is
    /// `provider.mjs`'s configuration:
    ///
    /// ```json
    /// { "port": 0,
    ///   "clients": [{ "client_id": "app", "client_secret": "…", "redirect_uris": ["…"],
    ///                 "backchannel_logout_uri": "…", "backchannel_logout_session_required": true }],
    ///   "accounts": { "<sub>": { "email": "…", "email_verified": true, "name": "…",
    ///                            "groups": ["…"], "amr": ["pwd", "mfa"] } },
    ///   "id_token_ttl": 3600 }
    /// ```
    ///
    /// Clients authenticate with `client_secret_basic` or `client_secret_post` and must use PKCE
    /// (S256); `port` (0: any free one), the back-channel logout fields, `amr` and `id_token_ttl`
    /// may be left out.
    pub async fn start(config: serde_json::Value) -> Self {
        let file = write_config(&config);
        let script = provider_dir().join("provider.mjs");
        assert!(
            provider_dir().join("node_modules/oidc-provider").is_dir(),
            "the OpenID Provider's packages are not installed: (cd {} && npm ci); scripts/test.sh does it",
            provider_dir().display()
        );
        let mut process = Command::new("node")
            .arg(&script)
            .arg(file.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("the OpenID Provider does not start (node {}: {e})", script.display()));
        let stdin = process.stdin.take().expect("the provider's stdin");
        let stderr = Stderr::default();
        let reader = collect(process.stderr.take().expect("the provider's stderr"), Arc::clone(&stderr));
        let mut stdout = BufReader::new(process.stdout.take().expect("the provider's stdout")).lines();
        let issuer = match announced_issuer(&mut stdout).await {
            Ok(issuer) => issuer,
            Err(why) => {
                let _ = process.start_kill();
                let _ = tokio::time::timeout(STDERR_WITHIN, reader).await;
                let said = stderr.lock().expect("the provider's stderr").clone();
                panic!("the OpenID Provider {why}; its stderr:\n{said}");
            }
        };
        let admin = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Self { issuer, admin, stderr, _process: process, _stdin: stdin, _stdout: stdout, _config: file }
    }

    /// A client that signs in as a browser would, for [`Provider::sign_in`]: it keeps cookies
    /// (the provider's interaction and session cookies) and follows no redirect by itself.
    pub fn browser() -> reqwest::Client {
        reqwest::Client::builder()
            .no_proxy()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client")
    }

    /// The provider's URL for `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// What the provider wrote to stderr so far (for a failing test's message).
    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("the provider's stderr").clone()
    }

    /// Makes a new signing key the one that signs from now on; the JWKS then publishes it first
    /// and the one before it second. Returns the new key's `kid`. The provider keeps its
    /// sessions, grants and codes.
    pub async fn rotate_keys(&self) -> String {
        let response = self.admin.post(self.url("/__test/rotate")).send().await.expect("the provider answers");
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::OK, "the provider did not rotate its keys: {body}\n{}", self.stderr());
        let answer: serde_json::Value = serde_json::from_str(&body).expect("the rotation's answer as JSON");
        answer["kid"].as_str().expect("the new key's kid").to_owned()
    }

    /// Has the provider send the client `client_id` (which must have a
    /// `backchannel_logout_uri`) a back-channel logout token for `sub`, with `sid` when the
    /// client requires sessions, as it does at the end of a session. `Ok` once the client's
    /// receiver answered 200 or 204; `Err` with the status it answered otherwise (0: it could not
    /// be reached).
    pub async fn backchannel_logout(&self, client_id: &str, sub: &str, sid: Option<&str>) -> Result<(), u16> {
        let request = serde_json::json!({ "client_id": client_id, "sub": sub, "sid": sid });
        let response = self
            .admin
            .post(self.url("/__test/backchannel-logout"))
            .json(&request)
            .send()
            .await
            .expect("the provider answers");
        match response.status() {
            StatusCode::NO_CONTENT => Ok(()),
            StatusCode::BAD_GATEWAY => {
                let answer: serde_json::Value = response.json().await.expect("the provider's answer as JSON");
                Err(answer["status"].as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or(0))
            }
            status => panic!(
                "the provider refused the back-channel logout {request} ({status}): {}",
                response.text().await.unwrap_or_default()
            ),
        }
    }

    /// Signs `login` (an account's `sub`) in without a browser and returns where the provider
    /// sends the browser back: the client's redirect URI with `code` and `state` (or `error` when
    /// the provider refused the request), which is not requested.
    ///
    /// `http` must keep cookies and follow no redirect by itself (see [`Provider::browser`]).
    /// From `authorize_url` (the provider's `/auth?…`), each redirect within the provider is
    /// followed by hand; the login page's form is submitted with `login`; the consent the
    /// provider then asks for is granted by the provider itself; the first redirect away from the
    /// provider is the answer. When `http` already holds a session with the provider (a former
    /// sign-in), no form is shown and `login` is not used.
    pub async fn sign_in(&self, http: &reqwest::Client, authorize_url: &str, login: &str) -> Url {
        let mut url =
            Url::parse(authorize_url).unwrap_or_else(|e| panic!("an authorization URL {authorize_url:?}: {e}"));
        for _ in 0..MAX_REDIRECTS {
            let response = send(http.get(url.clone()), &url).await;
            let next = match redirect(&response, &url) {
                Some(next) => next,
                None => self.submit_login(http, response, &url, login).await,
            };
            if !self.owns(&next) {
                return next;
            }
            url = next;
        }
        panic!("signing {login} in took more than {MAX_REDIRECTS} redirects, the last to {url}")
    }

    /// Fills the login form of the page `response` answered and returns where the provider
    /// sends the browser then.
    async fn submit_login(
        &self,
        http: &reqwest::Client,
        response: reqwest::Response,
        page_url: &Url,
        login: &str,
    ) -> Url {
        let status = response.status();
        let page = response.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::OK, "the provider answered {page_url} with {status}: {page}\n{}", self.stderr());
        let action = login_form_action(&page)
            .and_then(|action| page_url.join(&action).ok())
            .unwrap_or_else(|| panic!("the provider's page at {page_url} has no login form: {page}"));
        let response = send(http.post(action.clone()).form(&[("login", login)]), &action).await;
        if let Some(next) = redirect(&response, &action) {
            return next;
        }
        let page = response.text().await.unwrap_or_default();
        panic!("the provider did not sign {login:?} in: {page}\n{}", self.stderr())
    }

    /// Whether `url` is one of the provider's (same scheme, host and port as the issuer).
    fn owns(&self, url: &Url) -> bool {
        Url::parse(&self.issuer).is_ok_and(|issuer| issuer.origin() == url.origin())
    }
}

/// The configuration as a temporary file for the provider to read.
fn write_config(config: &serde_json::Value) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new()
        .prefix("oidc-provider-")
        .suffix(".json")
        .tempfile()
        .expect("a temporary file for the OpenID Provider's configuration");
    serde_json::to_writer(file.as_file(), config).expect("the OpenID Provider's configuration written");
    file
}

/// The issuer the provider announces on its first line (`listening <issuer>`), or what went
/// wrong instead.
async fn announced_issuer(stdout: &mut Lines<BufReader<ChildStdout>>) -> Result<String, String> {
    match tokio::time::timeout(START_WITHIN, stdout.next_line()).await {
        Err(_) => Err(format!("did not listen within {START_WITHIN:?}")),
        Ok(Err(e)) => Err(format!("wrote unreadable output ({e})")),
        Ok(Ok(None)) => Err("stopped before listening".to_owned()),
        Ok(Ok(Some(line))) => line
            .strip_prefix("listening ")
            .map(str::to_owned)
            .ok_or_else(|| format!("said {line:?}, not \"listening <issuer>\"")),
    }
}

/// Reads `pipe` line by line into `into` (and the test's stderr) until it closes.
fn collect(pipe: impl AsyncRead + Unpin + Send + 'static, into: Stderr) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut lines = BufReader::new(pipe).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("oidc-provider: {line}");
            let mut text = into.lock().expect("the provider's stderr");
            text.push_str(&line);
            text.push('\n');
        }
    })
}

/// Sends `request` (to `url`), checking that the client did not follow a redirect by itself.
async fn send(request: reqwest::RequestBuilder, url: &Url) -> reqwest::Response {
    let response = request.send().await.unwrap_or_else(|e| panic!("the OpenID Provider answers {url}: {e}"));
    assert_eq!(
        response.url(),
        url,
        "the client followed a redirect by itself: sign_in needs one that does not (Provider::browser)"
    );
    response
}

/// Where a redirect sends the browser (relative to `base`, the URL requested), or `None` when
/// `response` is not a redirect.
fn redirect(response: &reqwest::Response, base: &Url) -> Option<Url> {
    if !response.status().is_redirection() {
        return None;
    }
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_else(|| panic!("a redirect from {base} ({}) without a Location", response.status()));
    Some(base.join(location).unwrap_or_else(|e| panic!("a redirect from {base} to {location:?}: {e}")))
}

/// The `action` of the page's login form (the form that has an input named `login`).
fn login_form_action(page: &str) -> Option<String> {
    let form = &page[page.find("<form")?..];
    let form = &form[..form.find("</form>")?];
    if !form.contains(r#"name="login""#) {
        return None;
    }
    let action = &form[form.find(r#"action=""#)? + r#"action=""#.len()..];
    Some(action[..action.find('"')?].replace("&amp;", "&"))
}

#[cfg(test)]
mod tests {
    use super::login_form_action;

    #[test]
    fn the_login_forms_action_is_read_from_the_page() {
        let page = r#"<p>x</p><form method="post" action="/interaction/a&amp;b/login">
            <label for="login">Login</label><input id="login" name="login"></form>"#;
        assert_eq!(login_form_action(page).as_deref(), Some("/interaction/a&b/login"));
        assert_eq!(login_form_action(r#"<form action="/x"><input name="q"></form>"#), None);
        assert_eq!(login_form_action("<p>no form</p>"), None);
    }
}
