//! Erasing an identity (GDPR article 17) once the last tenant it belonged to has removed it for
//! erasure. The tenant plane erases its own copy first; here go the identity, its second factor,
//! its refresh tokens, the invitations addressed to its email or accepted by it, the account mail
//! addressed to it (and the tokens of its links), its email in the audit trail (replaced by its
//! id), and the addresses and browsers of its own entries. An identity that still belongs to another tenant, or
//! that operates the platform, is not the requesting tenant's to erase: it stays whole.
//!
//! Its sessions are revoked first, like any ended session, and kept detached rather than deleted
//! (`sessions::detach_revoked`): the app plane refuses the access tokens of revoked sessions by
//! reading `sessions.revoked_at`, and a deleted row would be missed whenever the message the
//! caller publishes after committing is lost, or there is no Redis at all.

use sqlx::PgConnection;
use uuid::Uuid;

use super::{audit, invitations, memberships, sessions, users};

/// What became of the identity behind a member removed for erasure.
#[derive(Debug)]
pub enum IdentityErasure {
    /// Gone. These sessions were revoked on the way: publish them once committed.
    Erased { revoked_sessions: Vec<Uuid> },
    /// Kept: it belongs to another tenant or operates the platform (or was already gone).
    Kept,
}

/// Erases `user_id` if it belongs to no tenant any more, in the caller's transaction (which has
/// just removed its membership).
pub async fn erase_if_unattached(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<IdentityErasure> {
    // Locked before counting: a membership being added concurrently either is counted or fails.
    let Some(subject) = users::lock_for_erasure(conn, user_id).await? else { return Ok(IdentityErasure::Kept) };
    if subject.is_platform_admin || memberships::count_of_user(conn, user_id).await? > 0 {
        return Ok(IdentityErasure::Kept);
    }
    let revoked_sessions = sessions::revoke_user(conn, user_id, sessions::Scope::All, "identity_erased").await?;
    sessions::detach_revoked(conn, user_id).await?;
    invitations::delete_of_person(conn, &subject.email, user_id).await?;
    // The tokens of its links go with the identity (`ON DELETE CASCADE`).
    crate::identity::mail::outbox::delete_to_address(conn, &subject.email).await?;
    audit::forget_email(conn, &subject.email, user_id).await?;
    audit::forget_origins(conn, user_id).await?;
    users::delete(conn, user_id).await?;
    Ok(IdentityErasure::Erased { revoked_sessions })
}
