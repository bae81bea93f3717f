//! One received mail, from its bytes to what it became: kept first (the original in the blob
//! store, a row in `inbound_emails`), then read and decided:
//!
//! 1. the same mail again (its dedupe key) is answered from its first arrival: `duplicate`;
//! 2. our own mail, automatic replies and bounces never start a conversation or tell anyone:
//!    `ignored` (a bounce fails the mail it returns and suppresses the address);
//! 3. a DMARC failure said by the trusted receiving server, or a staff address not proven by
//!    it, or an unknown sender where the tenant creates no customers: `quarantined` (visible to
//!    staff, attributed to nobody, told to nobody) until released or discarded;
//! 4. else the sender's ticket (by the reply address's token, then our Message-IDs in
//!    `In-Reply-To`/`References`, then `[TKT-...]` in the subject from the ticket's customer)
//!    gets the message (`appended`), or a new ticket is opened (`created`), through the one
//!    write path (`TicketWriter`), with the mail's files through the attachment checks.
//!
//! Never across tenants: every lookup is in the tenant's own database, and a reply token of
//! another tenant is ignored.

use std::sync::Arc;

use sav::tickets::change::{Change, Post};
use sav::tickets::content;
use sav::tickets::participants::{self, Participant};
use sav::tickets::refusal::Refused;
use serde::Serialize;
use shared::error::{ApiError, ApiResult};
use shared::work_queue::{self, Lanes, LeasedQueue};
use utoipa::ToSchema;

use super::auth::{self, Dmarc};
use super::parse::{self, Inbound, Kind};
use super::{files, store};
use crate::attachments::blob;
use crate::commands::{Opening, TicketWriter, Unwritten};
use crate::mailin::OwnAddresses;
use crate::notifications::links::{ParticipantReply, Reply};
use crate::state::AppState;
use crate::tenancy::resolve::Tenant;
use sav::ids::{TicketId, UserId};

/// Where a mail came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Posted to `/v1/inbound/email`.
    Api,
    /// Fetched from the tenant's mailbox.
    Imap,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Imap => "imap",
        }
    }
}

/// What became of a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Appended,
    Duplicate,
    Quarantined,
    Ignored,
}

/// The answer to a received mail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Received {
    #[schema(value_type = Option<i64>)]
    pub ticket_id: Option<TicketId>,
    pub message_id: Option<i64>,
    pub outcome: Outcome,
    /// The row of the mail (`/v1/inbound/emails/{id}`).
    pub inbound_email_id: i64,
    /// Why it was quarantined or ignored.
    pub reason: Option<String>,
}

impl Received {
    fn from_row(row: &store::InboundEmail, outcome: Outcome) -> Self {
        Self {
            ticket_id: row.ticket_id,
            message_id: row.message_id,
            outcome,
            inbound_email_id: row.id,
            reason: row.reason.clone(),
        }
    }
}

/// The outcome a stored row stands for, when it has been decided.
fn settled_outcome(outcome: &str) -> Option<Outcome> {
    match outcome {
        "created" | "released" => Some(Outcome::Created),
        "appended" => Some(Outcome::Appended),
        "quarantined" => Some(Outcome::Quarantined),
        "ignored" | "discarded" => Some(Outcome::Ignored),
        _ => None,
    }
}

/// The marks of the mail this service sends, from its mail settings.
pub fn own_mail(state: &AppState) -> parse::OwnMail {
    let mail = &state.config.notifications.mail;
    parse::OwnMail { from: Some(mail.from.to_string().to_lowercase()), domain: Some(mail.reply_domain.to_lowercase()) }
}

/// Takes in one raw message for `tenant`.
pub async fn receive(state: &AppState, tenant: &Arc<Tenant>, source: Source, raw: &[u8]) -> ApiResult<Received> {
    let started = std::time::Instant::now();
    let inbound = parse::read(raw, &own_mail(state));
    let raw_digest = parse::raw_digest(raw);
    let dedupe_key = inbound.as_ref().map_or(raw_digest, |mail| mail.dedupe_key);
    let mut db = state.tenancy.pools.acquire(tenant).await?;
    let mut tx = db.begin().await?;
    if let Some(first) = store::by_dedupe_key(&mut tx, &dedupe_key).await?
        && settled_outcome(&first.outcome).is_some()
    {
        state.mail_in_metrics.received(source.as_str(), "duplicate");
        return Ok(Received::from_row(&first, Outcome::Duplicate));
    }
    // The original first, committed: whatever happens next, the mail is not lost.
    let key = blob::inbound_key(tenant.id, &hex::encode(raw_digest));
    files::keep_original(state, &mut tx, &key, raw).await?;
    tx.commit().await?;
    let new = store::NewInbound {
        source: source.as_str(),
        blob_key: &key,
        size_bytes: i64::try_from(raw.len()).unwrap_or(i64::MAX),
        dedupe_key: &dedupe_key,
        message_id_header: inbound.as_ref().and_then(|m| m.message_id.as_deref()),
        from_address: inbound.as_ref().map_or("", |m| m.from_address.as_str()),
        from_name: inbound.as_ref().map_or("", |m| m.from_name.as_str()),
        subject: inbound.as_ref().map_or("", |m| m.subject.as_str()),
    };
    let mut tx = db.begin().await?;
    let row = if let Some(row) = store::insert(&mut tx, &new).await? {
        row
    } else {
        // The same mail arrived beside this one, or an earlier try stopped before deciding.
        let first = store::by_dedupe_key(&mut tx, &dedupe_key)
            .await?
            .ok_or_else(|| ApiError::internal("the mail's row went"))?;
        // Settled, or being read by another try right now: either way, this one is the same mail.
        if settled_outcome(&first.outcome).is_some() || !store::take(&mut tx, first.id).await? {
            state.mail_in_metrics.received(source.as_str(), "duplicate");
            return Ok(Received::from_row(&first, Outcome::Duplicate));
        }
        first
    };
    tx.commit().await?;
    drop(db);
    let authserv = match source {
        Source::Api => state.config.mail_in.authserv_id.clone(),
        Source::Imap => {
            let mut db = state.tenancy.pools.acquire(tenant).await?;
            store::mailbox_authserv_id(&mut *db.begin().await?).await?
        }
    };
    let decided = decide(state, tenant, row.id, inbound, authserv.as_deref(), None).await?;
    state.mail_in_metrics.received(source.as_str(), decided.outcome_label());
    state.mail_in_metrics.seconds.observe(started.elapsed().as_secs_f64());
    Ok(decided)
}

/// Reads again the mail a crash left `received` (its lease run out), a few at a time: what the
/// jobs sweep does for each tenant. How many were settled.
pub async fn settle_stranded(state: &AppState, tenant: &Arc<Tenant>) -> ApiResult<usize> {
    let queue = Arc::new(Stranded { state: state.clone(), tenant: Arc::clone(tenant) });
    let lanes = Lanes { batch: 20, concurrency: 1, claims: 1 };
    let drained = work_queue::drain_leased(&queue, lanes, &state.queue_metrics).await?;
    Ok(drained.worked.into_iter().filter(|&settled| settled).count())
}

/// The stranded mail queue in the work queues' metrics.
pub const STRANDED_QUEUE: &str = "stranded_mail";

/// A tenant's mail a crash left half read, as a leased queue: each is read again and settled.
struct Stranded {
    state: AppState,
    tenant: Arc<Tenant>,
}

impl LeasedQueue for Stranded {
    type Item = store::InboundEmail;
    /// Whether it was settled.
    type Worked = bool;
    type Error = ApiError;

    fn name(&self) -> &'static str {
        STRANDED_QUEUE
    }

    async fn claim(&self, limit: i64) -> ApiResult<Vec<store::InboundEmail>> {
        let mut db = self.state.tenancy.pools.acquire(&self.tenant).await?;
        let mut tx = db.begin().await?;
        let claimed = store::claim_stranded(&mut tx, limit).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn work(&self, row: store::InboundEmail) -> (work_queue::Outcome, bool) {
        match self.read_again(row).await {
            Ok(()) => (work_queue::Outcome::Done, true),
            Err(err) => {
                let at =
                    chrono::Utc::now() + chrono::Duration::from_std(store::READ_LEASE).unwrap_or(chrono::Duration::MAX);
                (work_queue::Outcome::Retry { at, error: err.to_string() }, false)
            }
        }
    }
}

impl Stranded {
    async fn read_again(&self, row: store::InboundEmail) -> ApiResult<()> {
        let state = &self.state;
        let raw = files::original(state, &row.blob_key).await?;
        let inbound = parse::read(&raw, &own_mail(state));
        let authserv = match row.source.as_str() {
            "imap" => {
                let mut db = state.tenancy.pools.acquire(&self.tenant).await?;
                store::mailbox_authserv_id(&mut *db.begin().await?).await?
            }
            _ => state.config.mail_in.authserv_id.clone(),
        };
        // A mail released from the quarantine is read again as released.
        decide(state, &self.tenant, row.id, inbound, authserv.as_deref(), row.settled_by).await.map(drop)
    }
}

impl Received {
    fn outcome_label(&self) -> &'static str {
        match self.outcome {
            Outcome::Created => "created",
            Outcome::Appended => "appended",
            Outcome::Duplicate => "duplicate",
            Outcome::Quarantined => "quarantined",
            Outcome::Ignored => "ignored",
        }
    }
}

/// Why a mail is quarantined.
const DMARC_FAIL: &str = "dmarc_fail";
const STAFF_SPOOF: &str = "staff_spoof";
const UNKNOWN_SENDER: &str = "unknown_sender";

/// Decides what mail `id` becomes and records it. `released_by`: the staff member who released
/// it from the quarantine, so the sender is taken as who they say they are.
pub async fn decide(
    state: &AppState,
    tenant: &Arc<Tenant>,
    id: i64,
    inbound: Option<Inbound>,
    authserv_id: Option<&str>,
    released_by: Option<UserId>,
) -> ApiResult<Received> {
    let released = released_by.is_some();
    let mut db = state.tenancy.pools.acquire(tenant).await?;
    // What the mail is, read and recorded in one transaction: committed before each answer, and
    // before the ticket's write (on connections of its own) reads the sender and participants.
    let mut tx = db.begin().await?;
    let Some(mail) = inbound.filter(|m| m.from_address.contains('@')) else {
        return set_aside(tx, id, Outcome::Ignored, "unreadable", None).await;
    };
    match &mail.kind {
        Kind::OwnMail => return set_aside(tx, id, Outcome::Ignored, "own_mail", None).await,
        Kind::Bounce { failed, original } => {
            let detail = "a delivery status notification said the address failed for good";
            store::record_bounce(&mut tx, failed, original.as_deref(), detail).await?;
            return set_aside(tx, id, Outcome::Ignored, "bounce", None).await;
        }
        Kind::AutoReply => {
            // Recorded against its ticket once at most; never a message, never told.
            let ticket = thread(state, tenant, &mut tx, &mail, None).await?;
            let ticket = match ticket {
                Some(t) if !store::auto_reply_recorded(&mut tx, t).await? => Some(t),
                _ => None,
            };
            return set_aside(tx, id, Outcome::Ignored, "auto_reply", ticket).await;
        }
        Kind::Conversation => {}
    }
    let dmarc = auth::dmarc(mail.authentication_results.iter().map(String::as_str), authserv_id);
    if dmarc == Dmarc::Fail && !released {
        return set_aside(tx, id, Outcome::Quarantined, DMARC_FAIL, None).await;
    }
    let member = store::member_by_address(&mut tx, &mail.from_address).await?;
    let staff_member = matches!(&member, Some((_, role, true)) if role != "customer");
    // Someone copied on a ticket answers it as themself, never opening a new one.
    let copied_on = if staff_member { None } else { copied_participant(state, tenant, &mut tx, &mail).await? };
    let sender = match member {
        Some((user, role, true)) if role != "customer" => {
            if dmarc != Dmarc::Pass && !released {
                return set_aside(tx, id, Outcome::Quarantined, STAFF_SPOOF, None).await;
            }
            Sender { id: user, staff: true }
        }
        Some((user, _, true)) => Sender { id: user, staff: false },
        Some((_, _, false)) | None => {
            // Someone copied on a ticket gets a contact whatever the mailbox says of strangers.
            let may_create = copied_on.is_some() || released || store::creates_customers(&mut tx).await?;
            let created = if may_create { new_customer(state, tenant, &mut tx, &mail).await? } else { None };
            let Some(user) = created else {
                return set_aside(tx, id, Outcome::Quarantined, UNKNOWN_SENDER, None).await;
            };
            Sender { id: user, staff: false }
        }
    };
    let ticket = answered(state, tenant, &mut tx, &mail, sender, copied_on.as_ref()).await?;
    let copied = copied_by(state, &mut tx, &mail).await?;
    tx.commit().await?;
    drop(db);
    let writer = TicketWriter::acting(state, tenant.clone(), sender.id);
    let checked = files::check(state, &mail).await?;
    let as_participant = copied_on.is_some();
    let (outcome, ticket_id, message_id) = match ticket {
        Some(ticket_id) => {
            match append(state, tenant, &writer, sender.id, ticket_id, id, &mail, &checked, as_participant).await {
                Ok(message_id) => (Outcome::Appended, ticket_id, Some(message_id)),
                // A closed ticket takes no message: the mail opens a new one.
                Err(Unwritten::Refused(Refused::Closed(_))) if !sender.staff => {
                    let ticket_id = open(state, tenant, &writer, sender.id, id, &mail, &checked, &copied).await?;
                    (Outcome::Created, ticket_id, None)
                }
                Err(err) => return Err(err.into()),
            }
        }
        None if sender.staff => {
            // Staff write to tickets; a staff mail that answers none is left for review.
            let mut db = state.tenancy.pools.acquire(tenant).await?;
            return set_aside(db.begin().await?, id, Outcome::Ignored, "no_ticket", None).await;
        }
        None => (Outcome::Created, open(state, tenant, &writer, sender.id, id, &mail, &checked, &copied).await?, None),
    };
    let mut db = state.tenancy.pools.acquire(tenant).await?;
    let stored = match (released, outcome) {
        (true, _) => "released",
        (false, Outcome::Created) => "created",
        (false, _) => "appended",
    };
    let mut tx = db.begin().await?;
    store::settle(&mut tx, id, stored, None, Some(ticket_id), message_id, released_by).await?;
    tx.commit().await?;
    Ok(Received { ticket_id: Some(ticket_id), message_id, outcome, inbound_email_id: id, reason: None })
}

/// Settles mail `id` as ignored or quarantined for `reason` (about `ticket`, if any) in `tx`,
/// and commits it.
async fn set_aside(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    id: i64,
    outcome: Outcome,
    reason: &'static str,
    ticket: Option<TicketId>,
) -> ApiResult<Received> {
    let stored = if outcome == Outcome::Quarantined { "quarantined" } else { "ignored" };
    store::settle(&mut tx, id, stored, Some(reason), ticket, None, None).await?;
    tx.commit().await?;
    Ok(Received { ticket_id: ticket, message_id: None, outcome, inbound_email_id: id, reason: Some(reason.to_owned()) })
}

#[derive(Debug, Clone, Copy)]
struct Sender {
    id: UserId,
    staff: bool,
}

/// The ticket the mail answers, if any: the reply token (of this tenant), our Message-IDs, then
/// the `[TKT-...]` of the subject. Staff may answer any ticket; anyone else only their own.
async fn thread(
    state: &AppState,
    tenant: &Tenant,
    db: &mut sqlx::PgConnection,
    mail: &Inbound,
    sender: Option<Sender>,
) -> ApiResult<Option<TicketId>> {
    let key = &state.config.keys.mail_links;
    let by_token = mail.recipients.iter().find_map(|address| {
        let local = address.split('@').next()?;
        let token = local.strip_prefix("reply+")?;
        Reply::read(key, token).filter(|reply| reply.tenant_id == tenant.id).map(|reply| reply.ticket_id)
    });
    let candidate = match by_token {
        Some(ticket) => Some(ticket),
        None => store::ticket_of_message_ids(db, &mail.references).await?,
    };
    let allowed = |customer: Option<UserId>| match sender {
        None => customer.is_some(),
        Some(sender) => sender.staff || customer == Some(sender.id),
    };
    if let Some(ticket) = candidate
        && allowed(store::customer_of_ticket(db, ticket).await?)
    {
        return Ok(Some(ticket));
    }
    let Some(number) = ticket_number(&mail.subject) else { return Ok(None) };
    match sender {
        Some(sender) if !sender.staff => Ok(store::ticket_by_number(db, &number, sender.id).await?),
        _ => Ok(None),
    }
}

/// The ticket a mail from `sender` answers: a copied participant's own (their contact kept
/// with them), else what threading finds.
async fn answered(
    state: &AppState,
    tenant: &Tenant,
    db: &mut sqlx::PgConnection,
    mail: &Inbound,
    sender: Sender,
    copied_on: Option<&Participant>,
) -> ApiResult<Option<TicketId>> {
    let Some(participant) = copied_on else { return thread(state, tenant, db, mail, Some(sender)).await };
    if participant.user_id.is_none() {
        participants::set_user(db, participant.id, sender.id).await?;
    }
    Ok(Some(participant.ticket_id))
}

/// The people a new mail copies, who join the conversation it opens: never our own addresses,
/// nor its sender.
async fn copied_by(state: &AppState, db: &mut sqlx::PgConnection, mail: &Inbound) -> ApiResult<Vec<(String, String)>> {
    if mail.cc.is_empty() {
        return Ok(Vec::new());
    }
    let own = OwnAddresses::of(&state.config, db).await?;
    let others = |(address, _): &&(String, String)| !own.includes(address) && *address != mail.from_address;
    Ok(mail.cc.iter().filter(others).cloned().collect())
}

/// The `cc` participant a mail comes from: its own reply address names them, or a thread of
/// ours (a reply address of this tenant, our Message-IDs) names a ticket they are copied on.
async fn copied_participant(
    state: &AppState,
    tenant: &Tenant,
    db: &mut sqlx::PgConnection,
    mail: &Inbound,
) -> ApiResult<Option<Participant>> {
    let key = &state.config.keys.mail_links;
    let tokens = mail.recipients.iter().filter_map(|address| address.split('@').next()?.strip_prefix("reply+"));
    for token in tokens.clone() {
        let Some(reply) = ParticipantReply::read(key, token).filter(|r| r.tenant_id == tenant.id) else { continue };
        if let Some(participant) = participants::by_id(db, reply.participant_id).await?
            && participant.kind == participants::Kind::Cc
            && participant.email == mail.from_address
        {
            return Ok(Some(participant));
        }
    }
    let by_token = tokens.filter_map(|token| Reply::read(key, token)).find(|r| r.tenant_id == tenant.id);
    let ticket = match by_token {
        Some(reply) => Some(reply.ticket_id),
        None => store::ticket_of_message_ids(db, &mail.references).await?,
    };
    let Some(ticket) = ticket else { return Ok(None) };
    Ok(participants::by_address(db, ticket, &mail.from_address).await?.filter(|p| p.kind == participants::Kind::Cc))
}

/// `TKT-...` between square brackets in a subject.
fn ticket_number(subject: &str) -> Option<String> {
    let start = subject.find("[TKT-")?;
    let rest = &subject[start + 1..];
    let end = rest.find(']')?;
    let number = &rest[..end];
    (number.len() <= 40 && number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')).then(|| number.to_owned())
}

/// The sender as a new customer of the tenant (the control plane's identity, and the tenant's
/// mirror at once so the ticket can name them); `None` when the identity is disabled.
async fn new_customer(
    state: &AppState,
    tenant: &Tenant,
    db: &mut sqlx::PgConnection,
    mail: &Inbound,
) -> ApiResult<Option<UserId>> {
    let customer = state.tenancy.customer_by_mail(tenant.id, &mail.from_address, &mail.from_name).await?;
    let Some(member) = customer else { return Ok(None) };
    tenant_schema::members::upsert(db, &member).await?;
    Ok(Some(UserId(member.id)))
}

/// The largest text kept in a message from a mail (the rest stays in the original).
const TEXT_KEPT: usize = 15_000;

/// The mail's new words as the sanitised HTML a message holds, with a line for each file that
/// was not kept.
fn content_of(mail: &Inbound, refused: &[String]) -> ApiResult<String> {
    let mut text: String = mail.text.chars().take(TEXT_KEPT).collect();
    if mail.text.chars().count() > TEXT_KEPT {
        text.push_str("\n[…]");
    }
    if text.trim().is_empty() {
        text = if mail.files.is_empty() { "(empty message)".to_owned() } else { "(files only)".to_owned() };
    }
    if !refused.is_empty() {
        text.push_str("\n\nFiles not kept (they stay in the original mail):");
        for line in refused {
            text.push_str("\n- ");
            text.extend(line.chars().take(300));
        }
    }
    let html = shared::mail::text_to_html(&text);
    content::rich_text("message", &html, true).map_err(|e| ApiError::invalid(vec![e]))
}

#[allow(clippy::too_many_arguments, reason = "one mail's pieces")]
async fn append(
    state: &AppState,
    tenant: &Arc<Tenant>,
    writer: &TicketWriter,
    sender: UserId,
    ticket_id: TicketId,
    inbound_id: i64,
    mail: &Inbound,
    checked: &files::Checked,
    participant: bool,
) -> Result<i64, Unwritten> {
    let (attachment_ids, mut refused) = files::store(state, tenant, ticket_id, sender, checked).await?;
    refused.splice(0..0, checked.refused.iter().cloned());
    let text = content_of(mail, &refused)?;
    let mut db = writer.connect().await?;
    let post = Post { text, internal: false, attachment_ids, inbound_email_id: Some(inbound_id) };
    let written = if participant {
        writer.post_as_participant(&mut db, ticket_id, post).await?
    } else {
        writer.try_change(&mut db, ticket_id, vec![Change::Post(post)]).await?
    };
    written.message.map(|m| m.id).ok_or_else(|| ApiError::internal("a post wrote no message").into())
}

#[allow(clippy::too_many_arguments, reason = "one mail's pieces")]
async fn open(
    state: &AppState,
    tenant: &Arc<Tenant>,
    writer: &TicketWriter,
    sender: UserId,
    inbound_id: i64,
    mail: &Inbound,
    checked: &files::Checked,
    copied: &[(String, String)],
) -> ApiResult<TicketId> {
    let description = content_of(mail, &checked.refused)?;
    let subject: String = mail.subject.trim().chars().take(255).collect();
    let subject = if subject.is_empty() { "(no subject)".to_owned() } else { subject };
    let opening = Opening {
        subject,
        description,
        category: None,
        order_id: None,
        priority: None,
        metadata: serde_json::json!({ "channel": "email", "inbound_email_id": inbound_id }),
        requester: None,
        channel: None,
        notify_requester: false,
        team_id: None,
        organization_id: None,
        tags: std::collections::BTreeSet::new(),
        fields: serde_json::Map::new(),
        copied: copied.to_vec(),
    };
    let (written, db) = writer.open(opening).await?;
    drop(db);
    let (_, refused) = files::store(state, tenant, written.ticket.id, sender, checked).await?;
    if !refused.is_empty() {
        tracing::info!(tenant = %tenant.id, ticket = %written.ticket.id, ?refused, "email in: files of a new ticket not kept");
    }
    Ok(written.ticket.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_numbers_are_read_from_the_subject_brackets() {
        assert_eq!(ticket_number("Re: [TKT-20261123-0042] Parcel").as_deref(), Some("TKT-20261123-0042"));
        assert_eq!(ticket_number("TKT-1 without brackets"), None);
        assert_eq!(ticket_number("[TKT-1 <script>]"), None);
    }
}
