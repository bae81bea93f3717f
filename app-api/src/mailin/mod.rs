//! Email in (DESIGN.md "Email in"): a tenant's mail becomes tickets and messages. Mail arrives
//! posted by the tenant's mail server (`POST /v1/inbound/email`) or fetched from its mailbox
//! over IMAP (`worker::mailboxes`); either way `intake` keeps the original, reads it (`parse`,
//! with `quotes` cutting the quoted history and `auth` reading the trusted server's verdict),
//! and decides what it becomes; `files` holds its bytes and attachments; `store` its rows. Admins
//! keep the mailbox (`channel`) and the quarantine (`quarantine`).

pub mod auth;
pub mod channel;
pub mod files;
pub mod intake;
pub mod parse;
pub mod quarantine;
pub mod quotes;
pub mod store;

pub use crate::infra::mail_in_metrics::MailInMetrics;

/// The largest mail taken in (413 `payload_too_large` above).
pub const MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;

/// Reads an `imap_url`; `Err` says what is wrong with it.
pub fn imap_server(url: &str) -> Result<(String, u16, bool), String> {
    let parsed = url::Url::parse(url).map_err(|_| "must be a URL such as imaps://imap.example.com".to_owned())?;
    let tls = match parsed.scheme() {
        "imaps" => true,
        "imap" => false,
        _ => return Err("must start with imaps:// (or imap:// for a server on this network)".into()),
    };
    if !parsed.username().is_empty() || parsed.password().is_some() || parsed.query().is_some() {
        return Err("must not carry credentials or a query: give username and password apart".into());
    }
    if !matches!(parsed.path(), "" | "/") {
        return Err("must not name a folder: give it as folder".into());
    }
    let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or("must name a host")?.to_owned();
    let port = parsed.port().unwrap_or(if tls { 993 } else { 143 });
    Ok((host, port, tls))
}

/// Our own addresses, never a conversation's participants: `MAIL_FROM`, anything at
/// `MAIL_REPLY_DOMAIN`, and the tenant's mailbox (its username, when that is an address).
#[derive(Debug, Clone)]
pub struct OwnAddresses {
    from: String,
    reply_domain: String,
    mailbox: Option<String>,
}

impl OwnAddresses {
    /// The tenant's, whose database `conn` is.
    pub async fn of(config: &crate::config::AppConfig, conn: &mut sqlx::PgConnection) -> sqlx::Result<Self> {
        let mail = &config.notifications.mail;
        let mailbox = store::channel(conn).await?.and_then(|channel| shared::mail::address(&channel.username));
        Ok(Self { from: mail.from.to_string().to_lowercase(), reply_domain: mail.reply_domain.to_lowercase(), mailbox })
    }

    /// Whether `address` (lower-case) is one of them.
    pub fn includes(&self, address: &str) -> bool {
        let domain = address.rsplit_once('@').map_or("", |(_, domain)| domain);
        address == self.from || domain == self.reply_domain || self.mailbox.as_deref() == Some(address)
    }
}
