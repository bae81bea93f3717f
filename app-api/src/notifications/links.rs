//! The tokens notification mail carries, signed links (`shared::signed`) under the mail-links
//! key, so that nothing about them is stored:
//!
//! - **unsubscribe** (`List-Unsubscribe`, RFC 8058): the tenant, the person and the kind of mail
//!   to turn off. It does not expire: it can only turn a kind of mail off, the same thing the
//!   person's preferences page does, and old mail must keep working.
//! - **reply** (`Reply-To: reply+{token}@{MAIL_REPLY_DOMAIN}`): the tenant and the ticket, so an
//!   answer by mail finds its ticket (email in). In lower-case base32: mail servers may change
//!   the case of an address's local part, and the local part must stay within 64 characters.
//! - **a participant's reply** (the same form): the tenant and a copied participant, whose
//!   answers join their ticket as theirs.
//! - **leave** (a copied participant's `List-Unsubscribe` and footer link): the tenant and the
//!   participant to take off the conversation.

use shared::config::EncryptionKey;
use shared::signed::{Encoding, Fields, Purpose};
use uuid::Uuid;

use super::Kind;
use sav::ids::{TicketId, UserId};

/// A link mail carries to a page that needs no sign-in (unsubscribe, rating): a token signed
/// under the mail-links key that names its tenant.
pub trait TenantLink: Sized {
    /// The token's content, when `key` signed it.
    fn read(key: &EncryptionKey, token: &str) -> Option<Self>;

    /// The tenant whose mail carried the link.
    fn tenant_id(&self) -> Uuid;
}

/// 128 bits of MAC for unsubscribe and rating links; 64 for reply addresses, which must be short
/// and only let someone add a message as the sender their From address names, checked again by
/// email in.
const UNSUBSCRIBE: Purpose = Purpose::new(1, 16, Encoding::Url);
const REPLY: Purpose = Purpose::new(2, 8, Encoding::CaseBlind);
const RATING: Purpose = Purpose::new(3, 16, Encoding::Url);
const PARTICIPANT_REPLY: Purpose = Purpose::new(6, 8, Encoding::CaseBlind);
const LEAVE: Purpose = Purpose::new(7, 16, Encoding::Url);

/// What an unsubscribe token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsubscribe {
    pub tenant_id: Uuid,
    pub user_id: UserId,
    pub kind: Kind,
}

impl Unsubscribe {
    pub fn token(&self, key: &EncryptionKey) -> String {
        let mut payload = Vec::with_capacity(33);
        payload.extend_from_slice(self.tenant_id.as_bytes());
        payload.extend_from_slice(self.user_id.0.as_bytes());
        payload.push(Kind::ALL.iter().position(|k| *k == self.kind).and_then(|i| u8::try_from(i).ok()).unwrap_or(0));
        UNSUBSCRIBE.sign(key, &payload)
    }
}

impl TenantLink for Unsubscribe {
    fn read(key: &EncryptionKey, token: &str) -> Option<Self> {
        let mut fields = Fields::new(UNSUBSCRIBE.open(key, token)?);
        let (tenant_id, user_id, kind) = (fields.uuid()?, UserId(fields.uuid()?), fields.u8()?);
        fields.end(Self { tenant_id, user_id, kind: *Kind::ALL.get(usize::from(kind))? })
    }

    fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }
}

/// What a reply address says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    pub tenant_id: Uuid,
    pub ticket_id: TicketId,
}

impl Reply {
    /// The local part's token.
    pub fn token(&self, key: &EncryptionKey) -> String {
        let mut payload = Vec::with_capacity(24);
        payload.extend_from_slice(self.tenant_id.as_bytes());
        payload.extend_from_slice(&self.ticket_id.0.to_be_bytes());
        REPLY.sign(key, &payload)
    }

    /// `reply+{token}@{domain}`.
    pub fn address(&self, key: &EncryptionKey, domain: &str) -> String {
        format!("reply+{}@{domain}", self.token(key))
    }

    /// The token's content, when `key` signed it (whatever its case).
    pub fn read(key: &EncryptionKey, token: &str) -> Option<Self> {
        let mut fields = Fields::new(REPLY.open(key, token)?);
        let (tenant_id, ticket_id) = (fields.uuid()?, TicketId(fields.i64()?));
        fields.end(Self { tenant_id, ticket_id })
    }
}

/// What a copied participant's reply address says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParticipantReply {
    pub tenant_id: Uuid,
    pub participant_id: i64,
}

impl ParticipantReply {
    fn payload(tenant_id: Uuid, participant_id: i64) -> Vec<u8> {
        let mut payload = Vec::with_capacity(24);
        payload.extend_from_slice(tenant_id.as_bytes());
        payload.extend_from_slice(&participant_id.to_be_bytes());
        payload
    }

    /// `reply+{token}@{domain}`.
    pub fn address(&self, key: &EncryptionKey, domain: &str) -> String {
        format!("reply+{}@{domain}", PARTICIPANT_REPLY.sign(key, &Self::payload(self.tenant_id, self.participant_id)))
    }

    /// The token's content, when `key` signed it (whatever its case).
    pub fn read(key: &EncryptionKey, token: &str) -> Option<Self> {
        let mut fields = Fields::new(PARTICIPANT_REPLY.open(key, token)?);
        let (tenant_id, participant_id) = (fields.uuid()?, fields.i64()?);
        fields.end(Self { tenant_id, participant_id })
    }
}

/// What a copied participant's leave link says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leave {
    pub tenant_id: Uuid,
    pub participant_id: i64,
}

impl Leave {
    pub fn token(&self, key: &EncryptionKey) -> String {
        LEAVE.sign(key, &ParticipantReply::payload(self.tenant_id, self.participant_id))
    }
}

impl TenantLink for Leave {
    fn read(key: &EncryptionKey, token: &str) -> Option<Self> {
        let mut fields = Fields::new(LEAVE.open(key, token)?);
        let (tenant_id, participant_id) = (fields.uuid()?, fields.i64()?);
        fields.end(Self { tenant_id, participant_id })
    }

    fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }
}

/// What a rating link says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating {
    pub tenant_id: Uuid,
    pub ticket_id: TicketId,
    /// The resolution asked about, in microseconds since the epoch (as the database keeps it).
    pub resolved_at: i64,
}

impl Rating {
    /// The resolution the link asks about, as the domain checks it.
    pub fn asked(&self) -> sav::satisfaction::AskedResolution {
        sav::satisfaction::AskedResolution { ticket_id: self.ticket_id, resolved_at: self.resolved_at }
    }

    pub fn token(&self, key: &EncryptionKey) -> String {
        let mut payload = Vec::with_capacity(32);
        payload.extend_from_slice(self.tenant_id.as_bytes());
        payload.extend_from_slice(&self.ticket_id.0.to_be_bytes());
        payload.extend_from_slice(&self.resolved_at.to_be_bytes());
        RATING.sign(key, &payload)
    }
}

impl TenantLink for Rating {
    fn read(key: &EncryptionKey, token: &str) -> Option<Self> {
        let mut fields = Fields::new(RATING.open(key, token)?);
        let (tenant_id, ticket_id, resolved_at) = (fields.uuid()?, TicketId(fields.i64()?), fields.i64()?);
        fields.end(Self { tenant_id, ticket_id, resolved_at })
    }

    fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn key(byte: u8) -> EncryptionKey {
        EncryptionKey::from_bytes([byte; 32])
    }

    #[test]
    fn unsubscribe_tokens_read_back_and_refuse_forgeries() {
        let link =
            Unsubscribe { tenant_id: Uuid::new_v4(), user_id: UserId(Uuid::new_v4()), kind: Kind::StatusChanged };
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
        let reply = Reply { tenant_id: Uuid::new_v4(), ticket_id: TicketId(9_007_199_254_740_993) };
        let address = reply.address(&key(1), "replies.helpdeskly.example");
        let local = address.split('@').next().unwrap();
        assert!(local.len() <= 64, "{local}");
        let token = local.strip_prefix("reply+").unwrap();
        assert_eq!(Reply::read(&key(1), token), Some(reply));
        assert_eq!(Reply::read(&key(1), &token.to_ascii_uppercase()), Some(reply));
        assert_eq!(Reply::read(&key(2), token), None);
        let other = Reply { ticket_id: TicketId(1), ..reply }.token(&key(1));
        let spliced = format!("{}{}", &other[..38], &token[38..]);
        assert_eq!(Reply::read(&key(1), &spliced), None);
    }

    #[test]
    fn rating_links_name_one_resolution_and_refuse_forgeries() {
        let link = Rating { tenant_id: Uuid::new_v4(), ticket_id: TicketId(42), resolved_at: 1_795_000_000_123_456 };
        let token = link.token(&key(1));
        assert_eq!(Rating::read(&key(1), &token), Some(link));
        assert_eq!(Rating::read(&key(2), &token), None, "another key");
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[31] ^= 1; // another resolution, same MAC
        assert_eq!(Rating::read(&key(1), &URL_SAFE_NO_PAD.encode(&bytes)), None);
        let unsubscribe =
            Unsubscribe { tenant_id: link.tenant_id, user_id: UserId(Uuid::new_v4()), kind: Kind::TicketResolved };
        assert_eq!(Rating::read(&key(1), &unsubscribe.token(&key(1))), None, "another purpose");
        assert_eq!(Rating::read(&key(1), "nonsense"), None);
    }

    #[test]
    fn participant_links_name_one_participant_and_no_other_purpose() {
        let tenant_id = Uuid::new_v4();
        let reply = ParticipantReply { tenant_id, participant_id: 9_007_199_254_740_993 };
        let address = reply.address(&key(1), "replies.helpdeskly.example");
        let local = address.split('@').next().unwrap();
        assert!(local.len() <= 64, "{local}");
        let token = local.strip_prefix("reply+").unwrap();
        assert_eq!(ParticipantReply::read(&key(1), &token.to_ascii_uppercase()), Some(reply));
        assert_eq!(Reply::read(&key(1), token), None, "a ticket's reply token is another purpose");
        assert_eq!(ParticipantReply::read(&key(2), token), None);
        let leave = Leave { tenant_id, participant_id: 7 };
        let link = leave.token(&key(1));
        assert_eq!(Leave::read(&key(1), &link), Some(leave));
        assert_eq!(Leave::read(&key(2), &link), None);
        let rating = Rating { tenant_id, ticket_id: TicketId(7), resolved_at: 1 }.token(&key(1));
        assert_eq!(Leave::read(&key(1), &rating), None, "another purpose");
    }

    /// Unsubscribe links do not expire: those in mail already sent must keep opening. Their
    /// form is the payload, then the first 16 bytes of the HMAC over the purpose's byte and it.
    #[test]
    fn unsubscribe_links_keep_the_form_of_those_already_mailed() {
        let link =
            Unsubscribe { tenant_id: Uuid::from_u128(1), user_id: UserId(Uuid::from_u128(2)), kind: Kind::ALL[1] };
        let mut payload = Uuid::from_u128(1).as_bytes().to_vec();
        payload.extend_from_slice(Uuid::from_u128(2).as_bytes());
        payload.push(1);
        let mut signed = vec![1];
        signed.extend_from_slice(&payload);
        let tag = shared::crypto::keyed_digest(&key(1), &signed);
        payload.extend_from_slice(&tag[..16]);
        assert_eq!(link.token(&key(1)), URL_SAFE_NO_PAD.encode(payload));
    }
}
