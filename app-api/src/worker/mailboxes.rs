//! The mailbox fetcher (email in over IMAP): every second it claims the tenants whose mailbox is
//! due (`tenant_schedule` in the control database, so its cost follows the tenants that have a
//! mailbox, not every tenant) and fetches each one's new mail, a few tenants at once.
//!
//! A fetch reads the folder's UIDVALIDITY and the mail above the last UID it took, in UID order,
//! without touching flags (`BODY.PEEK[]`), so read or unread makes no difference; each mail goes
//! through `mailin::intake` and the last UID is recorded after each, so a fetch cut short goes on
//! where it stopped. A new UIDVALIDITY (the folder was recreated or renumbered) starts the folder
//! over: what was taken before is recognised by its dedupe key and creates nothing.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use control_schema::directory::TenantRow;
use control_schema::schedule::{self, Work};
use futures_util::TryStreamExt as _;
use shared::work_queue::{Lanes, LeasedQueue, Outcome};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::mailin::intake::{self, Source};
use crate::mailin::{MAX_MESSAGE_BYTES, store};
use crate::state::AppState;
use crate::tenancy::resolve::Tenant;

/// The mailbox fetches' queue in the work queues' metrics.
pub const QUEUE: &str = "mailbox_fetches";
/// Tenants claimed per turn (one claim a turn), and fetched at once.
const LANES: Lanes = Lanes { batch: 20, concurrency: 4, claims: 1 };
/// Mail taken per fetch; the rest waits for the next one (which comes at once when this one was
/// full).
const PER_FETCH: usize = 200;
/// Connecting, logging in and each command.
const IMAP_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the fetcher until `stop`.
pub async fn run(state: AppState, stop: impl Future<Output = ()> + Send + 'static) {
    super::pacing::drain_schedule(Arc::new(state), Work::Mailbox, Mailboxes, LANES, stop).await;
}

/// One turn: the due mailboxes fetched; how many were claimed.
pub async fn turn(state: &Arc<AppState>) -> sqlx::Result<usize> {
    super::pacing::schedule_turn(state, Work::Mailbox, Mailboxes(Arc::clone(state)), LANES).await
}

/// The mailbox part of the tenants' schedule, as a leased queue: a claimed tenant's mailbox is
/// fetched, and its next fetch is one poll later (the lease), at once when the fetch was full, or
/// never when the mailbox is gone.
struct Mailboxes(Arc<AppState>);

impl LeasedQueue for Mailboxes {
    type Item = TenantRow;
    type Error = sqlx::Error;
    type Worked = ();

    fn name(&self) -> &'static str {
        QUEUE
    }

    async fn claim(&self, limit: i64) -> sqlx::Result<Vec<TenantRow>> {
        let now = Utc::now();
        schedule::claim_due(&self.0.tenancy.control_db, Work::Mailbox, now, now + self.0.config.mail_in.poll, limit)
            .await
    }

    async fn work(&self, row: TenantRow) -> (Outcome, ()) {
        let state = &self.0;
        let id = row.id;
        let tenant = match Tenant::from_row(row) {
            Ok(tenant) => Arc::new(tenant),
            Err(err) => {
                tracing::warn!(tenant = %id, error = %err, "mailboxes: an unusable tenant row");
                return (Outcome::Retry { at: Utc::now() + state.config.mail_in.poll, error: err.to_string() }, ());
            }
        };
        let next = match fetch(state, &tenant).await {
            Ok(Fetched::Full) => Some(Some(Utc::now())),
            Ok(Fetched::Gone) => Some(None),
            Ok(Fetched::Done(_)) => None,
            Err(err) => {
                tracing::info!(tenant = %tenant.id, error = %err, "mailboxes: a fetch failed");
                return (Outcome::Retry { at: Utc::now() + state.config.mail_in.poll, error: err }, ());
            }
        };
        if let Some(next) = next
            && let Err(err) = schedule::set_due(&state.tenancy.control_db, Work::Mailbox, tenant.id, next).await
        {
            // The lease brings the tenant back at the next poll.
            tracing::info!(tenant = %tenant.id, error = %err, "mailboxes: the next fetch not written");
        }
        (Outcome::Done, ())
    }
}

/// What a fetch did.
#[derive(Debug, PartialEq, Eq)]
pub enum Fetched {
    /// The mail taken (it may be none).
    Done(usize),
    /// `PER_FETCH` taken and more waiting.
    Full,
    /// The tenant has no mailbox any more.
    Gone,
}

/// Fetches `tenant`'s mailbox once, recording the outcome (or the error) on the channel.
pub async fn fetch(state: &AppState, tenant: &Arc<Tenant>) -> Result<Fetched, String> {
    let mut db = state.tenancy.pools.acquire(tenant).await.map_err(|e| format!("{e:?}"))?;
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    let Some(channel) = store::channel(&mut tx).await.map_err(|e| e.to_string())? else { return Ok(Fetched::Gone) };
    drop(tx);
    drop(db);
    let outcome = fetch_channel(state, tenant, &channel).await;
    state.mail_in_metrics.fetched(outcome.is_ok());
    record_fetch(state, tenant, None, None, outcome.as_ref().err().map(String::as_str)).await?;
    outcome
}

/// Records a fetch on the tenant's channel (`store::record_fetch`) in a transaction of its own,
/// committed.
async fn record_fetch(
    state: &AppState,
    tenant: &Tenant,
    uid_validity: Option<i64>,
    last_uid: Option<i64>,
    error: Option<&str>,
) -> Result<(), String> {
    let mut db = state.tenancy.pools.acquire(tenant).await.map_err(|e| format!("{e:?}"))?;
    let recorded = async {
        let mut tx = db.begin().await?;
        store::record_fetch(&mut tx, uid_validity, last_uid, error).await?;
        tx.commit().await
    };
    recorded.await.map_err(|e| e.to_string())
}

/// The mailbox's address: `imap://host:port` or `imaps://host:port` (993 by default).
struct Server {
    host: String,
    port: u16,
    tls: bool,
}

async fn fetch_channel(state: &AppState, tenant: &Arc<Tenant>, channel: &store::Channel) -> Result<Fetched, String> {
    let (host, port, tls) = crate::mailin::imap_server(&channel.imap_url)?;
    let server = Server { host, port, tls };
    let sealed = &channel.password_sealed;
    let password =
        shared::crypto::open(&state.config.keys.mailbox_passwords, sealed, tenant.id.as_bytes()).map_err(|_| {
            "the stored password cannot be opened (the app-plane key changed?): save the mailbox again".to_owned()
        })?;
    let password = String::from_utf8(password).map_err(|_| "the stored password is not text".to_owned())?;
    let tcp = tokio::time::timeout(IMAP_TIMEOUT, tokio::net::TcpStream::connect((server.host.as_str(), server.port)))
        .await
        .map_err(|_| format!("{}:{} did not answer within {} s", server.host, server.port, IMAP_TIMEOUT.as_secs()))?
        .map_err(|e| format!("cannot connect to {}:{}: {e}", server.host, server.port))?;
    if server.tls {
        let connector = tokio_rustls::TlsConnector::from(Arc::new(tls_config()));
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(server.host.clone())
            .map_err(|e| format!("{}: {e}", server.host))?;
        let stream = tokio::time::timeout(IMAP_TIMEOUT, connector.connect(name, tcp))
            .await
            .map_err(|_| "the TLS handshake timed out".to_owned())?
            .map_err(|e| format!("TLS with {}: {e}", server.host))?;
        session(state, tenant, channel, stream, &password).await
    } else {
        session(state, tenant, channel, tcp, &password).await
    }
}

fn tls_config() -> tokio_rustls::rustls::ClientConfig {
    let roots = tokio_rustls::rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("the default protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth()
}

async fn within<T, E: std::fmt::Display>(what: &str, step: impl Future<Output = Result<T, E>>) -> Result<T, String> {
    tokio::time::timeout(IMAP_TIMEOUT, step)
        .await
        .map_err(|_| format!("{what} timed out"))?
        .map_err(|e| format!("{what}: {e}"))
}

async fn session<S>(
    state: &AppState,
    tenant: &Arc<Tenant>,
    channel: &store::Channel,
    stream: S,
    password: &str,
) -> Result<Fetched, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug,
{
    let mut client = async_imap::Client::new(stream);
    within("the server's greeting", async { client.read_response().await.map(|r| r.ok_or("no greeting")) })
        .await?
        .map_err(str::to_owned)?;
    let mut session =
        within("login", async { client.login(&channel.username, password).await.map_err(|(e, _)| e) }).await?;
    let folder = within("selecting the folder", session.examine(&channel.folder)).await?;
    let validity = folder.uid_validity.map(i64::from).ok_or("the server gave no UIDVALIDITY")?;
    let after = match (channel.uid_validity, channel.last_uid) {
        (Some(known), Some(last)) if known == validity => last,
        _ => 0,
    };
    let mut taken = 0;
    let mut full = false;
    if folder.exists > 0 {
        // The UIDs above `after` with their sizes; `N:*` always names the last mail, even below N.
        let listed: Vec<_> = within("listing", async {
            session.uid_fetch(format!("{}:*", after + 1), "(UID RFC822.SIZE)").await?.try_collect::<Vec<_>>().await
        })
        .await?;
        let mut uids: Vec<(u32, u32)> = listed
            .iter()
            .filter_map(|f| Some((f.uid?, f.size.unwrap_or(0))))
            .filter(|(uid, _)| i64::from(*uid) > after)
            .collect();
        uids.sort_unstable();
        full = uids.len() > PER_FETCH;
        uids.truncate(PER_FETCH);
        for (uid, size) in uids {
            if size as usize <= MAX_MESSAGE_BYTES {
                let fetched: Vec<_> = within("fetching a mail", async {
                    session.uid_fetch(uid.to_string(), "(UID BODY.PEEK[])").await?.try_collect::<Vec<_>>().await
                })
                .await?;
                if let Some(body) = fetched.iter().find(|f| f.uid == Some(uid)).and_then(|f| f.body()) {
                    intake::receive(state, tenant, Source::Imap, body)
                        .await
                        .map_err(|e| format!("mail {uid}: {e:?}"))?;
                    taken += 1;
                }
            } else {
                tracing::warn!(tenant = %tenant.id, uid, size, "mailboxes: a mail over 25 MB was left in the mailbox");
            }
            record_fetch(state, tenant, Some(validity), Some(i64::from(uid)), None).await?;
        }
    }
    if channel.uid_validity != Some(validity) {
        let last = if taken == 0 { Some(after) } else { None };
        record_fetch(state, tenant, Some(validity), last, None).await?;
    }
    let _ = tokio::time::timeout(IMAP_TIMEOUT, session.logout()).await;
    Ok(if full { Fetched::Full } else { Fetched::Done(taken) })
}
