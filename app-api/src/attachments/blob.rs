//! The blob store: where attachment files (and help center images) live, behind one small interface with two backends,
//! S3 (`s3`) and the local disk (`disk`). Keys are made by `object_key` alone, so no name a
//! person chose ever reaches a path or a key.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sav::ids::TicketId;
use uuid::Uuid;

/// How long one call to the store may take before it counts as down.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The store cannot be reached, or did not answer in time.
    #[error("the file store is unreachable: {0}")]
    Unreachable(String),
    /// The store answered and refused (credentials, permissions, a missing bucket).
    #[error("the file store refused: {0}")]
    Refused(String),
    /// The object is not there.
    #[error("no such object")]
    Missing,
    /// Anything else (the local disk's errors among them).
    #[error("the file store failed: {0}")]
    Failed(String),
}

impl BlobError {
    /// A short reason without details, for `/ready`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Unreachable(_) => "unreachable",
            Self::Refused(_) => "refused (credentials, permissions or bucket)",
            Self::Missing => "object missing",
            Self::Failed(_) => "failing",
        }
    }
}

/// An object as the store lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub key: String,
    pub size: u64,
    pub modified: DateTime<Utc>,
}

/// One page of a listing and where the next one starts.
#[derive(Debug, Default)]
pub struct ListPage {
    pub objects: Vec<StoredObject>,
    pub next: Option<String>,
}

/// How a download presents the file.
#[derive(Debug, Clone, Copy)]
pub struct Presentation<'a> {
    /// The name shown to the person (the original name).
    pub file_name: &'a str,
    pub content_type: &'a str,
}

/// A link that downloads one object for a while. Local links are relative to the host the
/// request came on.
#[derive(Debug, Clone)]
pub struct Link {
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// The blob store's interface.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// `s3` or `disk`.
    fn kind(&self) -> &'static str;

    /// Makes the store usable: creates the bucket or the directory when missing.
    async fn prepare(&self) -> Result<(), BlobError>;

    /// Whether the store answers and accepts the credentials (readiness).
    async fn check(&self) -> Result<(), BlobError>;

    /// Stores the file at `path` (`size` bytes) under `key`. The file is the caller's spool file
    /// and may be moved away.
    async fn put_file(&self, key: &str, path: &Path, size: u64, content_type: &str) -> Result<(), BlobError>;

    /// Deletes the objects (absent ones are not an error).
    async fn delete(&self, keys: &[String]) -> Result<(), BlobError>;

    /// One page of the objects whose keys start with `prefix`, in key order, after `after`.
    async fn list(&self, prefix: &str, after: Option<&str>) -> Result<ListPage, BlobError>;

    /// Whether the object exists.
    async fn exists(&self, key: &str) -> Result<bool, BlobError>;

    /// The whole object, read into memory: for the small objects the service reads itself (the
    /// originals of received mail, at most `mailin::MAX_MESSAGE_BYTES`), never for downloads.
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError>;

    /// A link that downloads the object as `presentation` says, valid `ttl`.
    async fn link(&self, key: &str, presentation: Presentation<'_>, ttl: Duration) -> Result<Link, BlobError>;
}

/// `tenants/{tenant_id}/tickets/{ticket_id}/{sha256}.{ext}`: the same content in a ticket is one
/// object.
pub fn object_key(tenant: Uuid, ticket_id: TicketId, sha256: &str, extension: &str) -> String {
    format!("tenants/{tenant}/tickets/{ticket_id}/{sha256}.{extension}")
}

/// `tenants/{tenant_id}/inbound/{sha256}.eml`: the original of a received mail (email in).
pub fn inbound_key(tenant: Uuid, sha256: &str) -> String {
    format!("tenants/{tenant}/inbound/{sha256}.eml")
}

/// `tenants/{tenant_id}/help/{sha256}.{ext}`: an image of the help center's articles.
pub fn help_image_key(tenant: Uuid, sha256: &str, extension: &str) -> String {
    format!("tenants/{tenant}/help/{sha256}.{extension}")
}

/// The prefix of every object of a tenant.
pub fn tenant_prefix(tenant: Uuid) -> String {
    format!("tenants/{tenant}/")
}

/// Every object under `prefix`, deleted a page at a time (or counted, in a dry run); how many.
pub async fn empty_prefix(store: &dyn BlobStore, prefix: &str, dry_run: bool) -> Result<u64, BlobError> {
    let (mut removed, mut after) = (0u64, None::<String>);
    loop {
        let page = store.list(prefix, after.as_deref()).await?;
        let keys: Vec<String> = page.objects.into_iter().map(|o| o.key).collect();
        removed += keys.len() as u64;
        if dry_run {
            after = page.next;
        } else if !keys.is_empty() {
            store.delete(&keys).await?;
        }
        // Deleted pages are listed again from the start: what is left begins there.
        if keys.is_empty() || (dry_run && after.is_none()) {
            return Ok(removed);
        }
    }
}

/// Whether `key` is one `object_key` could have made (the disk store refuses any other).
pub fn is_object_key(key: &str) -> bool {
    let parts: Vec<&str> = key.split('/').collect();
    let hashed = |file: &str| {
        file.split_once('.').is_some_and(|(hash, ext)| {
            hash.len() == 64
                && hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
                && (1..=10).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
    };
    match parts.as_slice() {
        [tenants, tenant, tickets, ticket, file] => {
            *tenants == "tenants"
                && Uuid::parse_str(tenant).is_ok()
                && *tickets == "tickets"
                && ticket.parse::<i64>().is_ok_and(|id| id > 0)
                && hashed(file)
        }
        [tenants, tenant, folder, file] => {
            *tenants == "tenants"
                && Uuid::parse_str(tenant).is_ok()
                && matches!(*folder, "inbound" | "help")
                && hashed(file)
        }
        _ => false,
    }
}

/// `Content-Disposition` forcing a download under `file_name`: an ASCII fallback and the exact
/// name percent-encoded as RFC 6266 and RFC 8187 describe.
pub fn content_disposition(file_name: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    let fallback: String = file_name
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%' || c == ' ' { c } else { '_' })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(file_name, UNRESERVED);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A display name from what a person sent: path components dropped (browsers on some systems
/// send them), control and format characters removed, trimmed, at most 255 characters.
pub fn display_name(sent: &str) -> Option<String> {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'))
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let name: String = trimmed.chars().take(255).collect();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_layout_and_nothing_else_passes() {
        let tenant = Uuid::now_v7();
        let hash = "a".repeat(64);
        let key = object_key(tenant, TicketId(42), &hash, "pdf");
        assert_eq!(key, format!("tenants/{tenant}/tickets/42/{hash}.pdf"));
        assert!(is_object_key(&key));
        assert!(key.starts_with(&tenant_prefix(tenant)));
        assert!(is_object_key(&help_image_key(tenant, &hash, "png")));
        assert!(is_object_key(&inbound_key(tenant, &hash)));
        for bad in [
            format!("tenants/{tenant}/tickets/42/../../x.pdf"),
            format!("tenants/{tenant}/tickets/-1/{hash}.pdf"),
            format!("tenants/{tenant}/tickets/42/{}.pdf", "A".repeat(64)),
            format!("/tenants/{tenant}/tickets/42/{hash}.pdf"),
            format!("tenants/{tenant}/tickets/42/{hash}"),
            "tenants/x/tickets/1/a.pdf".to_owned(),
            format!("tenants/{tenant}/other/{hash}.png"),
        ] {
            assert!(!is_object_key(&bad), "{bad}");
        }
    }

    #[test]
    fn names_are_shown_without_paths_or_control_characters() {
        assert_eq!(display_name("../../etc/passwd.txt").as_deref(), Some("passwd.txt"));
        assert_eq!(display_name("C:\\Users\\me\\facture.pdf").as_deref(), Some("facture.pdf"));
        assert_eq!(display_name("bad\r\nname\u{0}.png").as_deref(), Some("badname.png"));
        assert_eq!(display_name("evil\u{202e}gpj.exe").as_deref(), Some("evilgpj.exe"));
        assert_eq!(display_name("  .hidden.txt ").as_deref(), Some("hidden.txt"));
        assert_eq!(display_name("dir/"), None);
        assert_eq!(display_name("\u{7}"), None);
        assert_eq!(display_name(&"é".repeat(300)).map(|n| n.chars().count()), Some(255));
    }

    #[test]
    fn the_disposition_forces_a_download_and_keeps_the_name_exactly() {
        assert_eq!(
            content_disposition("facture n°1 \"final\".pdf"),
            "attachment; filename=\"facture n_1 _final_.pdf\"; filename*=UTF-8''facture%20n%C2%B01%20%22final%22.pdf"
        );
        assert_eq!(content_disposition("a;b.txt"), "attachment; filename=\"a;b.txt\"; filename*=UTF-8''a%3Bb.txt");
    }
}
