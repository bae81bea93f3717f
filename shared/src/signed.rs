//! The one signed-link type. A link carries what it needs (a tenant, a person, a ticket, a file)
//! and nothing about it is stored: it is `payload || MAC`, the MAC an HMAC-SHA256 under the
//! link's key over its purpose's byte and the payload, cut to what the purpose needs, then
//! encoded for where the link travels (a URL, or a mail address's case-blind local part).
//! A link that expires carries its expiry first, under the MAC.
//!
//! The purposes are named where they are used (unsubscribe, reply and rating links in mail,
//! file download links); each signs under its own byte, so a link of one purpose never opens as
//! another, even under the same key.

use base32::Alphabet;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use uuid::Uuid;

use crate::config::EncryptionKey;

const BASE32: Alphabet = Alphabet::Rfc4648Lower { padding: false };

/// How a link is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// URL-safe base64 without padding: for URLs.
    Url,
    /// Lower-case base32 without padding: read whatever its case (mail servers may change the
    /// case of an address's local part).
    CaseBlind,
}

/// One purpose of links: its byte under the MAC, how many bytes of MAC it keeps, how it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purpose {
    pub byte: u8,
    pub mac_bytes: usize,
    pub encoding: Encoding,
}

/// Why a link opens nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a link of this purpose signed with this key, or altered.
    Invalid,
    /// Signed, but past its expiry.
    Expired,
}

impl Purpose {
    /// `mac_bytes` from 8 (64 bits) to 32 (the whole HMAC-SHA256); a constant out of that
    /// range fails the build.
    pub const fn new(byte: u8, mac_bytes: usize, encoding: Encoding) -> Self {
        assert!(mac_bytes >= 8 && mac_bytes <= 32, "a link's MAC keeps 8 to 32 bytes");
        Self { byte, mac_bytes, encoding }
    }

    fn mac(&self, key: &EncryptionKey, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as hmac::Mac>::new_from_slice(key.bytes()).expect("HMAC takes any key length");
        mac.update(&[self.byte]);
        mac.update(payload);
        mac
    }

    /// The link for `payload`.
    pub fn sign(&self, key: &EncryptionKey, payload: &[u8]) -> String {
        let tag = self.mac(key, payload).finalize().into_bytes();
        let mut bytes = Vec::with_capacity(payload.len() + self.mac_bytes);
        bytes.extend_from_slice(payload);
        bytes.extend_from_slice(&tag[..self.mac_bytes.min(tag.len())]);
        match self.encoding {
            Encoding::Url => URL_SAFE_NO_PAD.encode(bytes),
            Encoding::CaseBlind => base32::encode(BASE32, &bytes),
        }
    }

    /// The payload of `link`, when this purpose signed it with `key`.
    pub fn open(&self, key: &EncryptionKey, link: &str) -> Option<Vec<u8>> {
        let link = link.trim();
        let mut bytes = match self.encoding {
            Encoding::Url => URL_SAFE_NO_PAD.decode(link).ok()?,
            Encoding::CaseBlind => base32::decode(BASE32, &link.to_ascii_lowercase())?,
        };
        let payload_len = bytes.len().checked_sub(self.mac_bytes)?;
        let tag = bytes.split_off(payload_len);
        self.mac(key, &bytes).verify_truncated_left(&tag).ok()?;
        Some(bytes)
    }

    /// The link for `payload`, opening until `expires`.
    pub fn sign_until(&self, key: &EncryptionKey, expires: DateTime<Utc>, payload: &[u8]) -> String {
        let mut bytes = Vec::with_capacity(8 + payload.len());
        bytes.extend_from_slice(&expires.timestamp().to_be_bytes());
        bytes.extend_from_slice(payload);
        self.sign(key, &bytes)
    }

    /// The payload of a link signed by `sign_until`, while it has not expired at `now`.
    pub fn open_at(&self, key: &EncryptionKey, link: &str, now: DateTime<Utc>) -> Result<Vec<u8>, Refused> {
        let mut fields = Fields::new(self.open(key, link).ok_or(Refused::Invalid)?);
        let expires = fields.i64().ok_or(Refused::Invalid)?;
        if now.timestamp() >= expires {
            return Err(Refused::Expired);
        }
        Ok(fields.rest())
    }
}

/// Reads a payload's fields in order.
pub struct Fields {
    bytes: Vec<u8>,
    at: usize,
}

impl Fields {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self { bytes, at: 0 }
    }

    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let field = self.bytes.get(self.at..self.at.checked_add(N)?)?.try_into().ok()?;
        self.at += N;
        Some(field)
    }

    pub fn uuid(&mut self) -> Option<Uuid> {
        self.take::<16>().map(Uuid::from_bytes)
    }

    pub fn i64(&mut self) -> Option<i64> {
        self.take::<8>().map(i64::from_be_bytes)
    }

    pub fn u8(&mut self) -> Option<u8> {
        self.take::<1>().map(|[byte]| byte)
    }

    /// What is left.
    pub fn rest(mut self) -> Vec<u8> {
        self.bytes.split_off(self.at.min(self.bytes.len()))
    }

    /// `Some(value)` only when nothing is left after the fields read.
    pub fn end<T>(self, value: T) -> Option<T> {
        (self.at == self.bytes.len()).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: Purpose = Purpose::new(9, 16, Encoding::Url);
    const SHORT: Purpose = Purpose::new(10, 8, Encoding::CaseBlind);

    fn key(byte: u8) -> EncryptionKey {
        EncryptionKey::from_bytes([byte; 32])
    }

    #[test]
    fn a_link_opens_under_its_key_and_purpose_only() {
        let link = URL.sign(&key(1), b"payload");
        assert_eq!(URL.open(&key(1), &link).as_deref(), Some(&b"payload"[..]));
        assert_eq!(URL.open(&key(2), &link), None, "another key");
        assert_eq!(Purpose { byte: 11, ..URL }.open(&key(1), &link), None, "another purpose");
        let mut bytes = URL_SAFE_NO_PAD.decode(&link).unwrap();
        bytes[0] ^= 1;
        assert_eq!(URL.open(&key(1), &URL_SAFE_NO_PAD.encode(&bytes)), None, "altered");
        for junk in ["", "%%%", "abc", &link[..10]] {
            assert_eq!(URL.open(&key(1), junk), None, "{junk}");
        }
    }

    #[test]
    fn a_case_blind_link_opens_whatever_its_case() {
        let link = SHORT.sign(&key(1), &42_i64.to_be_bytes());
        assert_eq!(link, link.to_ascii_lowercase());
        let opened = SHORT.open(&key(1), &link.to_ascii_uppercase()).unwrap();
        assert_eq!(Fields::new(opened).i64(), Some(42));
    }

    #[test]
    fn an_expiring_link_opens_until_its_expiry() {
        let now = Utc::now();
        let expires = now + chrono::Duration::seconds(60);
        let link = URL.sign_until(&key(1), expires, b"file");
        assert_eq!(URL.open_at(&key(1), &link, now).as_deref(), Ok(&b"file"[..]));
        assert_eq!(URL.open_at(&key(1), &link, expires), Err(Refused::Expired));
        assert_eq!(URL.open_at(&key(2), &link, now), Err(Refused::Invalid));
    }

    #[test]
    fn fields_read_in_order_and_refuse_what_is_short_or_left_over() {
        let id = Uuid::new_v4();
        let mut payload = id.as_bytes().to_vec();
        payload.extend_from_slice(&7_i64.to_be_bytes());
        payload.push(3);
        let mut fields = Fields::new(payload.clone());
        assert_eq!((fields.uuid(), fields.i64(), fields.u8()), (Some(id), Some(7), Some(3)));
        assert_eq!(fields.end(()), Some(()));
        let mut short = Fields::new(payload[..20].to_vec());
        assert_eq!((short.uuid(), short.i64()), (Some(id), None));
        let mut long = Fields::new(payload);
        assert_eq!(long.uuid(), Some(id));
        assert_eq!(long.end(()), None);
    }
}
