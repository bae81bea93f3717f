//! The onboarding checklist a new organisation's owners and admins see on the console's home
//! (`GET/PATCH /v1/onboarding`): four steps read from what the organisation did, so a step is done
//! however it was done, and the checklist dismissed.

use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;

/// The steps, each done or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = OnboardingSteps)]
#[allow(clippy::struct_excessive_bools, reason = "the checklist's four steps, each done or not")]
pub struct Steps {
    /// A staff invitation sent, or a staff member besides the owners.
    pub invite_agents: bool,
    /// A mailbox set (`/v1/channels/email`).
    pub connect_mail: bool,
    /// An admin said the portal is shared, or a customer registered.
    pub share_portal: bool,
    /// An article published in the help center.
    pub publish_article: bool,
}

/// The checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Onboarding {
    pub steps: Steps,
    /// Hidden by an admin before its steps were done.
    pub dismissed: bool,
}

/// The checklist now; `staff_invited`: whether the control plane holds a staff invitation of the
/// organisation.
pub async fn get(conn: &mut PgConnection, staff_invited: bool) -> sqlx::Result<Onboarding> {
    let row = sqlx::query!(
        r#"SELECT o.dismissed, o.portal_shared,
                  EXISTS (SELECT 1 FROM users WHERE role IN ('admin', 'agent')) AS "staff!",
                  EXISTS (SELECT 1 FROM email_channel) AS "mailbox!",
                  EXISTS (SELECT 1 FROM users WHERE role = 'customer') AS "customers!",
                  EXISTS (SELECT 1 FROM help_articles WHERE status = 'published') AS "published!"
           FROM onboarding o"#
    )
    .fetch_one(conn)
    .await?;
    Ok(Onboarding {
        steps: Steps {
            invite_agents: staff_invited || row.staff,
            connect_mail: row.mailbox,
            share_portal: row.portal_shared || row.customers,
            publish_article: row.published,
        },
        dismissed: row.dismissed,
    })
}

/// Sets what is given (`None` keeps it).
pub async fn update(conn: &mut PgConnection, portal_shared: Option<bool>, dismissed: Option<bool>) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE onboarding SET portal_shared = coalesce($1, portal_shared), dismissed = coalesce($2, dismissed),
                updated_at = now()",
        portal_shared,
        dismissed,
    )
    .execute(conn)
    .await?;
    Ok(())
}
