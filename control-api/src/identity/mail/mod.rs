//! Account mail: what control-api mails people about their account (an invitation, a password
//! reset link, an email verification link). Each is written, with the token its link carries,
//! in the transaction of what causes it (`outbox`), in the words of `compose`, and sent by the
//! `sender` that `serve` and `worker` run. The platform signs its own mail "Helpdeskly"; an
//! invitation is signed with the organisation's name.

pub mod compose;
pub mod outbox;
pub mod sender;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use self::compose::{InvitationMail, Language};
use self::outbox::{Kind, NewMail};
use self::sender::Sender;
use crate::identity::account_tokens::{self, Purpose};
use crate::identity::users::UserProfile;
use shared::config::AppUrlTemplate;
use shared::tenant::TenantRef;

/// The display name of the platform's own mail.
pub const PLATFORM_NAME: &str = "Helpdeskly";

/// Where links point when `APP_PUBLIC_URL` is not set: an organisation's address under
/// `scripts/dev.sh`.
const DEV_APP_URL: &str = "http://{slug}.localhost:6501";

/// Writing account mail, and waking the process's sender once it is committed.
#[derive(Clone)]
pub struct AccountMail {
    pub sender: Sender,
    reply_domain: String,
    app_url: Option<AppUrlTemplate>,
}

/// The person a mail about their account goes to, in one of their organisations.
pub struct Recipient<'a> {
    pub user: &'a UserProfile,
    pub tenant: &'a TenantRef,
    pub language: Language,
}

/// An invitation to mail.
pub struct Invitation<'a> {
    pub token: &'a str,
    pub email: &'a str,
    pub role: &'a str,
    pub tenant: &'a TenantRef,
    pub inviter: &'a UserProfile,
    pub expires_at: DateTime<Utc>,
    pub language: Language,
}

impl AccountMail {
    pub fn new(sender: Sender, reply_domain: String, app_url: Option<AppUrlTemplate>) -> Self {
        Self { sender, reply_domain, app_url }
    }

    /// `path` on the organisation's web address.
    fn link(&self, slug: &str, path: &str) -> String {
        let base = self.app_url.as_ref().map_or_else(|| DEV_APP_URL.replace("{slug}", slug), |url| url.for_slug(slug));
        format!("{base}{path}")
    }

    /// Issues a reset token for the recipient and writes the mail carrying its link.
    pub async fn password_reset(&self, conn: &mut PgConnection, to: &Recipient<'_>) -> sqlx::Result<Uuid> {
        let token = account_tokens::issue(conn, Purpose::PasswordReset, to.user.id, to.tenant.id).await?;
        let link = self.link(&to.tenant.slug, &format!("/reset-password?token={token}"));
        let minutes = account_tokens::RESET_TTL.as_secs() / 60;
        let composed = compose::password_reset(to.language, &to.user.firstname, &to.tenant.name, &link, minutes);
        self.write(conn, Kind::PasswordReset, to, PLATFORM_NAME, composed).await
    }

    /// Issues a verification token for the recipient and writes the mail carrying its link.
    pub async fn email_verification(&self, conn: &mut PgConnection, to: &Recipient<'_>) -> sqlx::Result<Uuid> {
        let token = account_tokens::issue(conn, Purpose::EmailVerification, to.user.id, to.tenant.id).await?;
        let link = self.link(&to.tenant.slug, &format!("/verify-email?token={token}"));
        let days = account_tokens::VERIFICATION_TTL.as_secs() / 86_400;
        let composed = compose::email_verification(to.language, &to.user.firstname, &to.tenant.name, &link, days);
        self.write(conn, Kind::EmailVerification, to, PLATFORM_NAME, composed).await
    }

    /// Writes the mail of an invitation (its token was issued with it).
    pub async fn invitation(&self, conn: &mut PgConnection, invitation: &Invitation<'_>) -> sqlx::Result<Uuid> {
        let link = self.link(&invitation.tenant.slug, &format!("/invite/{}", invitation.token));
        let inviter = format!("{} {}", invitation.inviter.firstname.trim(), invitation.inviter.lastname.trim());
        let inviter =
            if inviter.trim().is_empty() { invitation.inviter.email.clone() } else { inviter.trim().to_owned() };
        let words = InvitationMail {
            organisation: &invitation.tenant.name,
            inviter: &inviter,
            role: invitation.role,
            link: &link,
            expires_at: invitation.expires_at,
        };
        let mail = NewMail {
            kind: Kind::Invitation,
            tenant_id: invitation.tenant.id,
            address: invitation.email,
            to_name: None,
            from_name: &invitation.tenant.name,
            language: invitation.language,
            composed: compose::invitation(invitation.language, &words),
        };
        outbox::enqueue(conn, &mail, &self.reply_domain).await
    }

    async fn write(
        &self,
        conn: &mut PgConnection,
        kind: Kind,
        to: &Recipient<'_>,
        from_name: &str,
        composed: compose::Composed,
    ) -> sqlx::Result<Uuid> {
        let name = format!("{} {}", to.user.firstname.trim(), to.user.lastname.trim());
        let mail = NewMail {
            kind,
            tenant_id: to.tenant.id,
            address: &to.user.email,
            to_name: Some(name.trim().to_owned()),
            from_name,
            language: to.language,
            composed,
        };
        outbox::enqueue(conn, &mail, &self.reply_domain).await
    }

    /// Wakes this process's sender: call it once the transaction that wrote mail committed.
    pub fn wake(&self) {
        self.sender.wake();
    }
}
