//! Notices to the organisation's owners and admins about the organisation rather than a ticket,
//! which nobody turns off: in the bell, and by mail to each verified address that has not
//! bounced (sent by the notification worker's sender like any other mail). Written in the
//! transaction of the change they tell of.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::render;
use super::store::{self, NewMail};
use super::{Kind, Language};

/// A webhook endpoint was disabled.
pub struct WebhookDisabled<'a> {
    pub url: &'a str,
    /// It answered 410 (else: three days of failures).
    pub gone: bool,
    /// The organisation's name, and the web app's integrations page.
    pub organisation: &'a str,
    pub page_url: &'a str,
    /// `MAIL_REPLY_DOMAIN`, where the mail's `Message-ID` lives.
    pub mail_domain: &'a str,
}

/// Tells every active owner and admin; how many were told.
pub async fn webhook_disabled(
    conn: &mut PgConnection,
    notice: &WebhookDisabled<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<usize> {
    let managers = store::managers(conn).await?;
    let recipients = store::recipients(conn, &managers).await?;
    let event_id = Uuid::now_v7();
    for person in &recipients {
        let language = person.language.unwrap_or(Language::En);
        let rendered = render::webhook_disabled(
            language,
            &person.firstname,
            notice.organisation,
            notice.url,
            notice.gone,
            notice.page_url,
        );
        store::insert_in_app(conn, event_id, person.id, Kind::WebhookDisabled, None, &rendered.title).await?;
        if person.email_verified {
            let message_id = format!("{}.{}@{}", event_id.simple(), person.id.0.simple(), notice.mail_domain);
            let mail = NewMail {
                user_id: Some(person.id),
                suppressed: person.suppressed,
                ..NewMail::standalone(
                    event_id,
                    Kind::WebhookDisabled,
                    &person.email,
                    language,
                    &message_id,
                    &rendered,
                    now,
                )
            };
            store::insert_mail(conn, &mail).await?;
        }
    }
    Ok(recipients.len())
}
