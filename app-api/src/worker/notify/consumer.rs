//! The notification worker's reading side: consumes the SAV events from its own durable queue
//! (`NOTIFICATIONS_QUEUE`, bound to the events exchange for `sav.ticket.*`), decides who is
//! told of each (`notifications::decide`), writes the bell's rows and the mail deliveries in one
//! transaction of the tenant's database, and acks the message only after that commit.
//!
//! - **Exactly once per recipient**: the rows are unique per (event, recipient); a message
//!   redelivered after a crash before its ack writes nothing again.
//! - **Order**: the queue has a single active consumer (replicas stand by), so the mail about a
//!   ticket is written, and sent, in the order of its events.
//! - A message that can never be read, or whose tenant or ticket is gone, is logged and acked;
//!   a tenant database that cannot be reached keeps the message and tries again with backoff.

use std::sync::Arc;

use chrono::Utc;
use sav::tickets::events::Event;
use sav::tickets::participants::{self, Participant};

use super::Notifier;
use crate::events::outbox::Audience;
use crate::notifications::decide::{self, Envelope, SavEvent, TicketPeople};
use crate::notifications::links::{self, Leave, ParticipantReply, Reply, Unsubscribe};
use crate::notifications::metrics::Outcome;
use crate::notifications::render::{self, Context, Detail};
use crate::notifications::store::{self, NewMail, Recipient};
use crate::notifications::{Channel as Via, Kind, Language};
use crate::tenancy::resolve::Tenant;
use crate::worker::sav_queue;
use sav::ids::{TicketId, UserId};

/// The notification worker's side of the SAV events queue.
struct Notifications<'a>(&'a Notifier);

impl super::super::sav_queue::Handler for Notifications<'_> {
    fn handle(&self, body: &[u8]) -> impl Future<Output = Result<&'static str, String>> + Send {
        handle(self.0, body)
    }

    fn report(&self, result: &'static str) {
        self.0.metrics().event(result);
    }
}

/// Consumes until `shutdown` resolves, reconnecting with backoff.
pub async fn run(notifier: Notifier, shutdown: impl Future<Output = ()> + Send) {
    let state = notifier.state.clone();
    let consumer = sav_queue::Consumer {
        queue: &state.config.notifications.queue,
        worker: "notifications",
        connected: &state.mail.metrics.consumer_connected,
    };
    let (broker, exchange) = (state.broker.as_deref(), &state.config.events.exchange);
    sav_queue::run(broker, exchange, &consumer, &Notifications(&notifier), shutdown).await;
}

/// Writes the notifications of one message; `Ok` with what became of it (the message is done
/// with), `Err` when it must be tried again.
async fn handle(notifier: &Notifier, body: &[u8]) -> Result<&'static str, String> {
    let envelope = match decide::parse(body) {
        Ok(envelope) => envelope,
        Err(why) => {
            tracing::warn!(%why, "notifications: an event that cannot be read was dropped");
            return Ok("refused");
        }
    };
    let Some(event) = envelope.event.clone() else { return Ok("ignored") };
    let tenant = match notifier.state.tenancy.resolver.resolve_id(envelope.tenant_id).await {
        Ok(Some(tenant)) if tenant.database.is_some() => tenant,
        Ok(_) => {
            tracing::debug!(tenant = %envelope.tenant_id, "notifications: an event of a tenant without a database");
            return Ok("ignored");
        }
        Err(err) if err.is_final() => {
            tracing::debug!(tenant = %envelope.tenant_id, "notifications: an event of a tenant gone or suspended");
            return Ok("ignored");
        }
        Err(err) => return Err(err.to_string()),
    };
    let written = match &event {
        SavEvent::RuleMail { .. } => rule_mail(notifier, &tenant, &envelope, &event).await,
        _ => notify(notifier, &tenant, &envelope, &event).await,
    }
    .map_err(|e| e.to_string())?;
    if written.mail > 0 {
        notifier.mail_queue.push(&tenant.slug, Some(Arc::clone(&tenant)));
    }
    Ok(if written.any() { "notified" } else { "nothing" })
}

#[derive(Debug, Default)]
struct Written {
    in_app: usize,
    mail: usize,
}

impl Written {
    fn any(&self) -> bool {
        self.in_app + self.mail > 0
    }
}

/// Decides and writes, in one transaction.
async fn notify(
    notifier: &Notifier,
    tenant: &Arc<Tenant>,
    envelope: &Envelope,
    event: &SavEvent,
) -> Result<Written, shared::ApiError> {
    let state = &notifier.state;
    let mut conn = state.tenancy.pools.acquire(tenant).await?;
    let mut tx = conn.begin().await?;
    let Some(ticket) = store::ticket(&mut tx, event.ticket_id()).await? else { return Ok(Written::default()) };
    let managers = store::managers(&mut tx).await?;
    let followers = participants::followers(&mut tx, ticket.id).await?;
    let people = TicketPeople { customer: ticket.user_id, assignee: ticket.assigned_to, followers };
    let told = decide::recipients(event, &people, &managers);
    let copied = copied_on(&mut tx, event, ticket.id).await?;
    if told.is_empty() && copied.is_empty() {
        return Ok(Written::default());
    }
    let ids: Vec<_> = told.iter().map(|(id, _)| *id).collect();
    let recipients = store::recipients(&mut tx, &ids).await?;
    let detail = detail_of(&mut tx, event, ticket.id).await?;
    let organisation = notifier.organisation_name(tenant).await;
    let app_url = notifier.app_url(&tenant.slug);
    let ticket_url = format!("{app_url}/tickets/{}", ticket.id);
    let settings_url = format!("{app_url}/account/notifications");
    let mut written = Written::default();
    // The bells rung, announced to the person's open pages through the outbox (the live stream).
    let mut bells = Vec::new();
    for (person, kind) in told {
        let Some(recipient) = recipients.iter().find(|r| r.id == person) else { continue };
        let language = recipient.language.unwrap_or_default();
        let unsubscribe =
            Unsubscribe { tenant_id: tenant.id, user_id: person, kind }.token(&state.config.keys.mail_links);
        let unsubscribe_page = format!("{app_url}/unsubscribe?token={unsubscribe}");
        let rating_page = (kind == Kind::TicketResolved && person == ticket.user_id)
            .then(|| rating_page(&state.config.keys.mail_links, tenant, &ticket, &app_url))
            .flatten();
        let context = Context {
            kind,
            language,
            to_customer: person == ticket.user_id,
            copied: false,
            organisation: &organisation,
            recipient_firstname: &recipient.firstname,
            ticket_number: &ticket.ticket_number,
            ticket_subject: &ticket.subject,
            ticket_url: &ticket_url,
            settings_url: &settings_url,
            unsubscribe_url: &unsubscribe_page,
            rating_url: rating_page.as_deref(),
            detail: detail.clone(),
        };
        let rendered = render::render(&context);
        if recipient.wants(Via::InApp, kind)
            && let Some(notification_id) =
                store::insert_in_app(&mut tx, envelope.event_id, person, kind, Some(ticket.id), &rendered.title).await?
        {
            written.in_app += 1;
            notifier.metrics().delivery(kind, Via::InApp, Outcome::Queued);
            bells.push(Event::NotificationCreated {
                ticket_id: ticket.id,
                user_id: person,
                notification_id,
                kind: kind.as_str(),
            });
        }
        if recipient.wants(Via::Email, kind) && recipient.email_verified {
            // The customer sees who else is on the conversation.
            let cc: Vec<String> =
                if person == ticket.user_id { copied.iter().map(|p| p.email.clone()).collect() } else { Vec::new() };
            let mail = Mail {
                envelope,
                tenant,
                ticket_id: ticket.id,
                recipient,
                kind,
                language,
                app_url: &app_url,
                unsubscribe: &unsubscribe,
                cc: &cc,
            };
            if write_mail(notifier, &mut tx, &mail, &rendered).await? {
                written.mail += usize::from(!recipient.suppressed);
                let outcome = if recipient.suppressed { Outcome::Suppressed } else { Outcome::Queued };
                notifier.metrics().delivery(kind, Via::Email, outcome);
            }
        }
    }
    if !copied.is_empty() {
        let on_ticket = OnTicket { ticket: &ticket, organisation: &organisation, app_url: &app_url, detail: &detail };
        written.mail += mail_copied(notifier, &mut tx, envelope, tenant, &on_ticket, &copied).await?;
    }
    let audience =
        Audience { customer: ticket.user_id, staff: Vec::new(), team: None, left_queue: None, organization: None };
    crate::events::enqueue(&mut tx, tenant, Utc::now(), &bells, &audience).await?;
    tx.commit().await?;
    if !bells.is_empty() {
        state.events.hints.hint(tenant);
    }
    Ok(written)
}

/// A rule's mail, written once per recipient in one transaction: the staff it names who have
/// a verified address, and its address; never to an address from which an auto-submitted mail
/// reached us (no loop with an auto-responder), nor one that bounced for good.
async fn rule_mail(
    notifier: &Notifier,
    tenant: &Arc<Tenant>,
    envelope: &Envelope,
    event: &SavEvent,
) -> Result<Written, shared::ApiError> {
    let SavEvent::RuleMail { ticket_id, ticket_number, rule_name, user_ids, address, subject, body } = event else {
        return Ok(Written::default());
    };
    let state = &notifier.state;
    let mut conn = state.tenancy.pools.acquire(tenant).await?;
    let mut tx = conn.begin().await?;
    let mut to: Vec<(Option<UserId>, String, Language)> = store::recipients(&mut tx, user_ids)
        .await?
        .into_iter()
        .filter(|person| person.email_verified)
        .map(|person| (Some(person.id), person.email, person.language.unwrap_or_default()))
        .collect();
    if let Some(address) = address
        && !to.iter().any(|(_, known, _)| known.eq_ignore_ascii_case(address))
    {
        to.push((None, address.clone(), Language::default()));
    }
    let addresses: Vec<String> = to.iter().map(|(_, address, _)| address.clone()).collect();
    let unmailable = store::unmailable(&mut tx, &addresses).await?;
    let organisation = notifier.organisation_name(tenant).await;
    let ticket_url = format!("{}/tickets/{ticket_id}", notifier.app_url(&tenant.slug));
    let domain = &state.config.notifications.mail.reply_domain;
    let mut written = Written::default();
    for (index, (user_id, address, language)) in to.iter().enumerate() {
        if unmailable.iter().any(|refused| refused.eq_ignore_ascii_case(address)) {
            notifier.metrics().delivery(Kind::RuleMail, Via::Email, Outcome::Suppressed);
            continue;
        }
        let rendered =
            render::rule_mail(*language, &organisation, rule_name, ticket_number, &ticket_url, subject, body);
        let message_id = format!("{}.{index}@{domain}", envelope.event_id.simple());
        let occurred_at = envelope.occurred_at.unwrap_or_else(Utc::now);
        let new = NewMail {
            user_id: *user_id,
            ticket_id: Some(*ticket_id),
            ..NewMail::standalone(
                envelope.event_id,
                Kind::RuleMail,
                address,
                *language,
                &message_id,
                &rendered,
                occurred_at,
            )
        };
        if store::insert_mail(&mut tx, &new).await? {
            written.mail += 1;
            notifier.metrics().delivery(Kind::RuleMail, Via::Email, Outcome::Queued);
        }
    }
    tx.commit().await?;
    Ok(written)
}

/// The page the resolution mail sends its customer to, to rate the resolution
/// (`sav::satisfaction`); none once the ticket is no longer resolved.
fn rating_page(
    key: &shared::config::EncryptionKey,
    tenant: &Tenant,
    ticket: &store::TicketFacts,
    app_url: &str,
) -> Option<String> {
    let resolved_at = ticket.resolved_at?;
    let link =
        links::Rating { tenant_id: tenant.id, ticket_id: ticket.id, resolved_at: resolved_at.timestamp_micros() };
    Some(format!("{app_url}/rate?token={}", link.token(key)))
}

struct Mail<'a> {
    envelope: &'a Envelope,
    tenant: &'a Tenant,
    ticket_id: TicketId,
    recipient: &'a Recipient,
    kind: Kind,
    language: Language,
    app_url: &'a str,
    /// The recipient's unsubscribe token for this kind of mail.
    unsubscribe: &'a str,
    /// The others on the conversation, shown in `Cc:`.
    cc: &'a [String],
}

/// The `References` of a mail about `ticket_id` to `address`: the ticket's own id first, so every
/// mail of a ticket shares a root, then the newest of that address's earlier mail about it (what
/// a References header holds, 1,500 characters, is about 17 of ours).
async fn thread_refs(
    tx: &mut sqlx::PgConnection,
    tenant: &Tenant,
    ticket_id: TicketId,
    address: &str,
    domain: &str,
) -> sqlx::Result<Vec<String>> {
    let mut refs = vec![format!("ticket-{ticket_id}.{}@{domain}", tenant.id.simple())];
    refs.extend(store::conversation(tx, ticket_id, address, 16).await?);
    Ok(refs)
}

/// The mail of one recipient, joined to the conversation their earlier mail about the ticket
/// started (the ticket's own id first, so every mail of a ticket shares a root).
async fn write_mail(
    notifier: &Notifier,
    tx: &mut sqlx::PgConnection,
    mail: &Mail<'_>,
    rendered: &render::Rendered,
) -> sqlx::Result<bool> {
    let domain = &notifier.state.config.notifications.mail.reply_domain;
    let keys = &notifier.state.config.keys;
    let refs = thread_refs(tx, mail.tenant, mail.ticket_id, &mail.recipient.email, domain).await?;
    let message_id = format!("{}.{}@{domain}", mail.envelope.event_id.simple(), mail.recipient.id.0.simple());
    let unsubscribe_url = format!("{}/v1/notifications/unsubscribe?token={}", mail.app_url, mail.unsubscribe);
    let reply_to = Reply { tenant_id: mail.tenant.id, ticket_id: mail.ticket_id }.address(&keys.mail_links, domain);
    let occurred_at = mail.envelope.occurred_at.unwrap_or_else(Utc::now);
    let new = NewMail {
        user_id: Some(mail.recipient.id),
        ticket_id: Some(mail.ticket_id),
        suppressed: mail.recipient.suppressed,
        ..NewMail::standalone(
            mail.envelope.event_id,
            mail.kind,
            &mail.recipient.email,
            mail.language,
            &message_id,
            rendered,
            occurred_at,
        )
        .in_conversation(&refs, &reply_to, &unsubscribe_url, mail.cc)
    };
    store::insert_mail(tx, &new).await
}

/// What the notifications of `event` say beyond its kind.
async fn detail_of(tx: &mut sqlx::PgConnection, event: &SavEvent, ticket_id: TicketId) -> sqlx::Result<Detail> {
    Ok(match event {
        SavEvent::MessageAdded { message_id, .. } => {
            store::message(tx, ticket_id, *message_id).await?.map_or(Detail::None, |m| Detail::Message {
                author: m.author,
                text: render::plain_text(&m.html),
                internal: m.is_internal,
            })
        }
        SavEvent::TicketStatusChanged { new_status, reason, .. } => {
            Detail::Status { to: new_status.clone(), reason: reason.clone() }
        }
        SavEvent::TicketSlaBreach { sla_type, .. } => Detail::Breach { target: sla_type.clone() },
        _ => Detail::None,
    })
}

/// The people copied on the conversation an event mails: a public staff reply's alone.
async fn copied_on(
    tx: &mut sqlx::PgConnection,
    event: &SavEvent,
    ticket_id: TicketId,
) -> sqlx::Result<Vec<Participant>> {
    match event {
        SavEvent::MessageAdded { is_internal: false, sender_type, .. } if sender_type == "agent" => {
            participants::list(tx, ticket_id, false).await
        }
        _ => Ok(Vec::new()),
    }
}

/// What the mail of a ticket's event says of the ticket.
struct OnTicket<'a> {
    ticket: &'a store::TicketFacts,
    organisation: &'a str,
    app_url: &'a str,
    detail: &'a Detail,
}

/// A public staff reply, mailed to each person copied on the conversation (`copied`): in the
/// customer's language, with a reply address and a leave link of their own, the customer and
/// the others in `Cc:`, joined to the conversation their earlier mail started. Never to an
/// address that bounced for good or answers automatically. How many were written.
async fn mail_copied(
    notifier: &Notifier,
    tx: &mut sqlx::PgConnection,
    envelope: &Envelope,
    tenant: &Tenant,
    on: &OnTicket<'_>,
    copied: &[Participant],
) -> Result<usize, shared::ApiError> {
    let state = &notifier.state;
    let customer = store::recipients(tx, &[on.ticket.user_id]).await?.pop().map(|c| (c.email, c.language));
    let key = &state.config.keys.mail_links;
    let domain = &state.config.notifications.mail.reply_domain;
    let (customer_address, language) = customer
        .map_or((None, Language::default()), |(address, language)| (Some(address), language.unwrap_or_default()));
    let addresses: Vec<String> = copied.iter().map(|p| p.email.clone()).collect();
    let unmailable = store::unmailable(tx, &addresses).await?;
    let mut written = 0;
    for participant in copied {
        if unmailable.iter().any(|refused| refused.eq_ignore_ascii_case(&participant.email)) {
            notifier.metrics().delivery(Kind::MessageAdded, Via::Email, Outcome::Suppressed);
            continue;
        }
        let leave = Leave { tenant_id: tenant.id, participant_id: participant.id }.token(key);
        let leave_page = format!("{}/leave?token={leave}", on.app_url);
        let firstname = participant.name.split_whitespace().next().unwrap_or_default();
        let context = Context {
            kind: Kind::MessageAdded,
            language,
            to_customer: true,
            copied: true,
            organisation: on.organisation,
            recipient_firstname: firstname,
            ticket_number: &on.ticket.ticket_number,
            ticket_subject: &on.ticket.subject,
            ticket_url: "",
            settings_url: "",
            unsubscribe_url: &leave_page,
            rating_url: None,
            detail: on.detail.clone(),
        };
        let rendered = render::render(&context);
        let refs = thread_refs(tx, tenant, on.ticket.id, &participant.email, domain).await?;
        let message_id = format!("{}.p{}@{domain}", envelope.event_id.simple(), participant.id);
        let reply_to = ParticipantReply { tenant_id: tenant.id, participant_id: participant.id }.address(key, domain);
        let unsubscribe_url = format!("{}/v1/participants/leave?token={leave}", on.app_url);
        let cc: Vec<String> = customer_address
            .iter()
            .cloned()
            .chain(copied.iter().filter(|other| other.id != participant.id).map(|other| other.email.clone()))
            .collect();
        let occurred_at = envelope.occurred_at.unwrap_or_else(Utc::now);
        let new = NewMail {
            ticket_id: Some(on.ticket.id),
            ..NewMail::standalone(
                envelope.event_id,
                Kind::MessageAdded,
                &participant.email,
                language,
                &message_id,
                &rendered,
                occurred_at,
            )
            .in_conversation(&refs, &reply_to, &unsubscribe_url, &cc)
        };
        if store::insert_mail(tx, &new).await? {
            written += 1;
            notifier.metrics().delivery(Kind::MessageAdded, Via::Email, Outcome::Queued);
        }
    }
    Ok(written)
}
