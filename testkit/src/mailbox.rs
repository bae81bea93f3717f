//! The test mail server, read as a mail client reads it: every address has a mailbox of its
//! own on the server `scripts/test.sh` starts (mail-devel in multi-user mode: SMTP on
//! `TEST_SMTP_URL`, IMAP on `TEST_IMAP_ADDR`, one password for every mailbox,
//! `TEST_MAIL_PASSWORD`), so a test that mails addresses of its own reads only its own mail.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::TryStreamExt as _;
use harness::eventually;
use mail_parser::MessageParser;

/// The test mail server's SMTP URL, what the services are given as `SMTP_URL`.
pub fn smtp_url() -> String {
    std::env::var("TEST_SMTP_URL").unwrap_or_else(|_| "smtp://127.0.0.1:2525".into())
}

fn imap_addr() -> String {
    std::env::var("TEST_IMAP_ADDR").unwrap_or_else(|_| "127.0.0.1:2143".into())
}

/// The Python of the virtual environment mail-devel is installed in (`scripts/lib.sh`).
fn mail_devel_python() -> String {
    if let Ok(venv) = std::env::var("MAIL_DEVEL_VENV") {
        return format!("{venv}/bin/python");
    }
    let cache = std::env::var("XDG_CACHE_HOME")
        .unwrap_or_else(|_| format!("{}/.cache", std::env::var("HOME").unwrap_or_else(|_| "/root".into())));
    format!("{cache}/helpdeskly/mail-devel-0.18.1/bin/python")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("an address").port()
}

/// A mail server of a test's own (mail-devel, as the shared one, on free ports), for tests that
/// stop, pause or restart it. Killed when dropped.
pub struct MailServer {
    smtp: u16,
    imap: u16,
    http: u16,
    process: Option<std::process::Child>,
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl MailServer {
    pub async fn start() -> Self {
        let mut server = Self { smtp: free_port(), imap: free_port(), http: free_port(), process: None };
        server.run().await;
        server
    }

    async fn run(&mut self) {
        let child = std::process::Command::new(mail_devel_python())
            .args(["-m", "mail_devel", "--host", "127.0.0.1", "--multi-user", "--password", &password()])
            .args(["--smtp-port", &self.smtp.to_string(), "--imap-port", &self.imap.to_string()])
            .args(["--http-port", &self.http.to_string()])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("mail-devel starts (scripts/test.sh installs it)");
        self.process = Some(child);
        let (smtp, imap) = (self.smtp, self.imap);
        eventually(Duration::from_secs(20), "the private mail server listens", || async move {
            let up = |port| async move { tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() };
            (up(smtp).await && up(imap).await).then_some(())
        })
        .await;
    }

    /// `SMTP_URL` for the services.
    pub fn smtp_url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.smtp)
    }

    /// Stops the server (its mail is lost with it: it keeps mail in memory).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.process.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same ports, empty.
    pub async fn restart(&mut self) {
        self.stop();
        self.run().await;
    }

    fn signal(&self, signal: &str) {
        let pid = self.process.as_ref().expect("the server runs").id();
        let status = std::process::Command::new("kill").args([signal, &pid.to_string()]).status().expect("kill runs");
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// Freezes the server: connections are accepted by the system and never answered.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    pub fn resume(&self) {
        self.signal("-CONT");
    }

    /// Every mail in `address`'s mailbox on this server, oldest first.
    pub async fn inbox(&self, address: &str) -> Vec<Mail> {
        inbox_at(&format!("127.0.0.1:{}", self.imap), address).await
    }

    /// The mailbox of `address` once it holds at least `count` mails (within 30 s).
    pub async fn wait_for(&self, address: &str, count: usize) -> Vec<Mail> {
        eventually(Duration::from_secs(30), &format!("{count} mail(s) for {address}"), || async {
            let mails = self.inbox(address).await;
            (mails.len() >= count).then_some(mails)
        })
        .await
    }
}

fn password() -> String {
    std::env::var("TEST_MAIL_PASSWORD").unwrap_or_else(|_| "helpdeskly-test".into())
}

/// One mail as it arrived.
#[derive(Debug, Clone)]
pub struct Mail {
    pub raw: Vec<u8>,
    /// The header fields as sent (unfolded, the first of each name), by lower-case name.
    pub headers: BTreeMap<String, String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mail {
    fn parse(raw: Vec<u8>) -> Self {
        let message = MessageParser::default().parse(&raw).expect("a mail the parser reads");
        let mut headers = BTreeMap::new();
        for header in message.headers_raw() {
            let value = header.1.replace("\r\n", "").replace('\n', "").trim().to_owned();
            headers.entry(header.0.to_ascii_lowercase()).or_insert(value);
        }
        let subject = message.subject().unwrap_or_default().to_owned();
        let text = message.body_text(0).map(std::borrow::Cow::into_owned).unwrap_or_default();
        let html = message.body_html(0).map(std::borrow::Cow::into_owned).unwrap_or_default();
        Self { raw, headers, subject, text, html }
    }

    /// A header's raw value, when the mail has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// The `Message-ID` without its angle brackets.
    pub fn message_id(&self) -> String {
        self.header("message-id").unwrap_or_default().trim_matches(['<', '>']).to_owned()
    }
}

/// Every mail in `address`'s mailbox now, oldest first.
pub async fn inbox(address: &str) -> Vec<Mail> {
    inbox_at(&imap_addr(), address).await
}

async fn inbox_at(imap: &str, address: &str) -> Vec<Mail> {
    let stream = tokio::net::TcpStream::connect(imap).await.expect("the test IMAP server answers");
    let mut client = async_imap::Client::new(stream);
    client.read_response().await.expect("an IMAP greeting").expect("a greeting");
    let mut session = client.login(address, password()).await.map_err(|(e, _)| e).expect("an IMAP login");
    let mailbox = session.select("INBOX").await.expect("the inbox");
    let mut mails = Vec::new();
    if mailbox.exists > 0 {
        let fetched: Vec<_> =
            session.fetch("1:*", "BODY.PEEK[]").await.expect("a fetch").try_collect().await.expect("the mails");
        // A mail delivered during the fetch may add an unsolicited FETCH (its flags) without a
        // body: it is read on the next look.
        for fetch in fetched {
            if let Some(body) = fetch.body() {
                mails.push(Mail::parse(body.to_vec()));
            }
        }
    }
    let _ = session.logout().await;
    mails
}

/// The mailbox of `address` once it holds at least `count` mails (within 20 s).
pub async fn wait_for(address: &str, count: usize) -> Vec<Mail> {
    eventually(Duration::from_secs(20), &format!("{count} mail(s) for {address}"), || async {
        let mails = inbox(address).await;
        (mails.len() >= count).then_some(mails)
    })
    .await
}

/// A folder of `address`'s mailbox on the shared test mail server, written as a mail server's
/// delivery agent writes it (IMAP `APPEND`), for the tests of the mailbox fetcher.
pub struct Folder {
    pub address: String,
    pub name: String,
}

type Session = async_imap::Session<tokio::net::TcpStream>;

async fn session_of(address: &str) -> Session {
    let stream = tokio::net::TcpStream::connect(imap_addr()).await.expect("the test IMAP server answers");
    let mut client = async_imap::Client::new(stream);
    client.read_response().await.expect("an IMAP greeting").expect("a greeting");
    client.login(address, password()).await.map_err(|(e, _)| e).expect("an IMAP login")
}

impl Folder {
    /// `name` in `address`'s mailbox, created when it is not `INBOX`.
    pub async fn create(address: &str, name: &str) -> Self {
        if !name.eq_ignore_ascii_case("INBOX") {
            let mut session = session_of(address).await;
            session.create(name).await.expect("the folder is created");
            let _ = session.logout().await;
        }
        Self { address: address.to_owned(), name: name.to_owned() }
    }

    /// The IMAP server's address, as a mailbox URL (`imap://host:port`).
    pub fn imap_url(&self) -> String {
        format!("imap://{}", imap_addr())
    }

    /// The password of every mailbox on the server.
    pub fn password(&self) -> String {
        password()
    }

    /// Puts `raw` in the folder, flagged `\Seen` when `seen` (a mail someone already read).
    pub async fn deliver(&self, raw: &[u8], seen: bool) {
        let mut session = session_of(&self.address).await;
        let flags = seen.then_some("(\\Seen)");
        session.append(&self.name, flags, None, raw).await.expect("the mail is appended");
        let _ = session.logout().await;
    }

    /// The folder's UIDVALIDITY now.
    pub async fn uid_validity(&self) -> u32 {
        let mut session = session_of(&self.address).await;
        let status = session.status(&self.name, "(UIDVALIDITY)").await.expect("the folder's status");
        let _ = session.logout().await;
        status.uid_validity.expect("the server gives a UIDVALIDITY")
    }

    /// The highest UID in the folder, when it holds mail.
    pub async fn last_uid(&self) -> Option<i64> {
        let mut session = session_of(&self.address).await;
        session.examine(&self.name).await.expect("the folder");
        let uids = session.uid_search("ALL").await.expect("a UID search");
        let _ = session.logout().await;
        uids.into_iter().max().map(i64::from)
    }

    /// Deletes the folder and creates it again, empty: its UIDs start over under a new
    /// UIDVALIDITY, as when a server's mail store is rebuilt.
    pub async fn recreate(&self) {
        let mut session = session_of(&self.address).await;
        session.delete(&self.name).await.expect("the folder is deleted");
        session.create(&self.name).await.expect("the folder is created again");
        let _ = session.logout().await;
    }
}
