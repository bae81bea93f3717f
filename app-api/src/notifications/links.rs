//! The tokens notification mail carries, signed with the mail-links key (HMAC-SHA256, cut to
//! what each needs), so that nothing about them is stored:
//!
//! - **unsubscribe** (`List-Unsubscribe`, RFC 8058): the tenant, the person and the kind of mail
//!   to turn off. It does not expire: it can only turn a kind of mail off, the same thing the
//!   person's preferences page does, and old mail must keep working.
//! - **reply** (`Reply-To: reply+{token}@{MAIL_REPLY_DOMAIN}`): the tenant and the ticket, so an
//!   answer by mail finds its ticket (email in). In lower-case base32: mail servers may change
//!   the case of an address's local part, and the local part must stay within 64 characters.

use base32::Alphabet;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use shared::config::EncryptionKey;
use shared::crypto::keyed_digest;
use subtle::ConstantTimeEq as _;
use uuid::Uuid;

use super::Kind;

const UNSUBSCRIBE: u8 = 1;
const REPLY: u8 = 2;
const RATING: u8 = 3;
/// Bytes of MAC kept: 128 bits for unsubscribe links, 64 for reply addresses (which must be
/// short, and which only let someone add a message as the sender their From address names,
/// checked again by email in).
const UNSUBSCRIBE_MAC: usize = 16;
const RATING_MAC: usize = 16;
const REPLY_MAC: usize = 8;
const BASE32: Alphabet = Alphabet::Rfc4648Lower { padding: false };

fn mac(key: &EncryptionKey, purpose: u8, payload: &[u8]) -> Vec<u8> {
    let mut signed = Vec::with_capacity(payload.len() + 1);
    signed.push(purpose);
    signed.extend_from_slice(payload);
    keyed_digest(key, &signed)
}

fn verify(key: &EncryptionKey, purpose: u8, payload: &[u8], tag: &[u8]) -> bool {
    let full = mac(key, purpose, payload);
    full.get(..tag.len()).is_some_and(|expected| bool::from(expected.ct_eq(tag)))
}

/// What an unsubscribe token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsubscribe {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub kind: Kind,
}

impl Unsubscribe {
    pub fn token(&self, key: &EncryptionKey) -> String {
        let mut payload = Vec::with_capacity(33 + UNSUBSCRIBE_MAC);
        payload.extend_from_slice(self.tenant_id.as_bytes());
        payload.extend_from_slice(self.user_id.as_bytes());
        payload.push(Kind::ALL.iter().position(|k| *k == self.kind).and_then(|i| u8::try_from(i).ok()).unwrap_or(0));
        let tag = mac(key, UNSUBSCRIBE, &payload);
        payload.extend_from_slice(&tag[..UNSUBSCRIBE_MAC]);
        URL_SAFE_NO_PAD.encode(payload)
    }

    /// The token's content, when `key` signed it.
    pub fn read(key: &EncryptionKey, token: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if bytes.len() != 33 + UNSUBSCRIBE_MAC {
            return None;
        }
        let (payload, tag) = bytes.split_at(33);
        if !verify(key, UNSUBSCRIBE, payload, tag) {
            return None;
        }
        Some(Self {
            tenant_id: Uuid::from_slice(&payload[..16]).ok()?,
            user_id: Uuid::from_slice(&payload[16..32]).ok()?,
            kind: *Kind::ALL.get(usize::from(payload[32]))?,
        })
    }
}

/// What a reply address says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    pub tenant_id: Uuid,
    pub ticket_id: i64,
}

impl Reply {
    /// The local part's token.
    pub fn token(&self, key: &EncryptionKey) -> String {
        let mut payload = Vec::with_capacity(24 + REPLY_MAC);
        payload.extend_from_slice(self.tenant_id.as_bytes());
        payload.extend_from_slice(&self.ticket_id.to_be_bytes());
        let tag = mac(key, REPLY, &payload);
        payload.extend_from_slice(&tag[..REPLY_MAC]);
        base32::encode(BASE32, &payload)
    }

    /// `reply+{token}@{domain}`.
    pub fn address(&self, key: &EncryptionKey, domain: &str) -> String {
        format!("reply+{}@{domain}", self.token(key))
    }

    /// The token's content, when `key` signed it (whatever its case).
    pub fn read(key: &EncryptionKey, token: &str) -> Option<Self> {
        let bytes = base32::decode(BASE32, &token.trim().to_ascii_lowercase())?;
        if bytes.len() != 24 + REPLY_MAC {
            return None;
        }
        let (payload, tag) = bytes.split_at(24);
        if !verify(key, REPLY, payload, tag) {
            return None;
        }
        Some(Self {
            tenant_id: Uuid::from_slice(&payload[..16]).ok()?,
            ticket_id: i64::from_be_bytes(payload[16..24].try_into().ok()?),
        })
    }
}

/// What a rating link says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating {
    pub tenant_id: Uuid,
    pub ticket_id: i64,
    /// The resolution asked about, in microseconds since the epoch (as the database keeps it).
    pub resolved_at: i64,
}

impl Rating {
    pub fn token(&self, key: &EncryptionKey) -> String {
        let mut payload = Vec::with_capacity(32 + RATING_MAC);
        payload.extend_from_slice(self.tenant_id.as_bytes());
        payload.extend_from_slice(&self.ticket_id.to_be_bytes());
        payload.extend_from_slice(&self.resolved_at.to_be_bytes());
        let tag = mac(key, RATING, &payload);
        payload.extend_from_slice(&tag[..RATING_MAC]);
        URL_SAFE_NO_PAD.encode(payload)
    }

    /// The token's content, when `key` signed it.
    pub fn read(key: &EncryptionKey, token: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if bytes.len() != 32 + RATING_MAC {
            return None;
        }
        let (payload, tag) = bytes.split_at(32);
        if !verify(key, RATING, payload, tag) {
            return None;
        }
        Some(Self {
            tenant_id: Uuid::from_slice(&payload[..16]).ok()?,
            ticket_id: i64::from_be_bytes(payload[16..24].try_into().ok()?),
            resolved_at: i64::from_be_bytes(payload[24..32].try_into().ok()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> EncryptionKey {
        EncryptionKey::from_bytes([byte; 32])
    }

    #[test]
    fn unsubscribe_tokens_read_back_and_refuse_forgeries() {
        let link = Unsubscribe { tenant_id: Uuid::new_v4(), user_id: Uuid::new_v4(), kind: Kind::StatusChanged };
        let token = link.token(&key(1));
        assert_eq!(Unsubscribe::read(&key(1), &token), Some(link));
        assert_eq!(Unsubscribe::read(&key(2), &token), None, "another key");
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[32] = 0; // another kind, same MAC
        assert_eq!(Unsubscribe::read(&key(1), &URL_SAFE_NO_PAD.encode(&bytes)), None);
        assert_eq!(Unsubscribe::read(&key(1), "not a token"), None);
        assert_eq!(Unsubscribe::read(&key(1), &token[..20]), None);
    }

    #[test]
    fn reply_addresses_are_short_case_blind_and_signed() {
        let reply = Reply { tenant_id: Uuid::new_v4(), ticket_id: 9_007_199_254_740_993 };
        let address = reply.address(&key(1), "replies.helpdeskly.example");
        let local = address.split('@').next().unwrap();
        assert!(local.len() <= 64, "{local}");
        let token = local.strip_prefix("reply+").unwrap();
        assert_eq!(Reply::read(&key(1), token), Some(reply));
        assert_eq!(Reply::read(&key(1), &token.to_ascii_uppercase()), Some(reply));
        assert_eq!(Reply::read(&key(2), token), None);
        let other = Reply { ticket_id: 1, ..reply }.token(&key(1));
        let spliced = format!("{}{}", &other[..38], &token[38..]);
        assert_eq!(Reply::read(&key(1), &spliced), None);
    }

    #[test]
    fn rating_links_name_one_resolution_and_refuse_forgeries() {
        let link = Rating { tenant_id: Uuid::new_v4(), ticket_id: 42, resolved_at: 1_795_000_000_123_456 };
        let token = link.token(&key(1));
        assert_eq!(Rating::read(&key(1), &token), Some(link));
        assert_eq!(Rating::read(&key(2), &token), None, "another key");
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[31] ^= 1; // another resolution, same MAC
        assert_eq!(Rating::read(&key(1), &URL_SAFE_NO_PAD.encode(&bytes)), None);
        let unsubscribe =
            Unsubscribe { tenant_id: link.tenant_id, user_id: Uuid::new_v4(), kind: Kind::TicketResolved };
        assert_eq!(Rating::read(&key(1), &unsubscribe.token(&key(1))), None, "another purpose");
        assert_eq!(Rating::read(&key(1), "nonsense"), None);
    }
}
