//! Tenant API keys (`/v1/api-keys`): what a key looks like, how it is stored, and how a request
//! that carries one is let in.
//!
//! - **Shape**: `hdk_` then the key's id (32 hex digits) then its secret (48 hex digits, 192
//!   random bits). The id finds the row; the secret is stored only as its HMAC-SHA256 under
//!   app-api's api-keys key, so neither a copy of the database nor a log line opens anything.
//! - **Who a key is**: an integration, with a row of its own in the users mirror (role
//!   `integration`), so what it writes names it, in the history and in the events, like a person.
//!   It acts as staff on the routes its scopes open (`scope_of`), and nowhere else: never an
//!   admin route, never the live stream, never the control plane (whose tokens it is not).
//! - **Revocation**: the row is the truth. A verified key is trusted for `TRUSTED_FOR` (1 s) on
//!   each replica, and a revocation is pushed on Redis to every replica's revoked set at once (the
//!   set revoked sessions use: key ids never collide with session ids), so a revoked key stops
//!   working at once where Redis reaches and within a second everywhere.
//! - **Last use**: written at most once a minute per key and replica.

use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use chrono::{DateTime, Utc};
use rand::RngCore as _;
use sav::ids::UserId;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use shared::config::EncryptionKey;
use shared::crypto::{keyed_digest, keyed_digest_matches};
use shared::kept::{Kept, kept};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

/// The prefix every key starts with.
pub const PREFIX: &str = "hdk_";
/// How long a verified key is trusted without reading its row again.
pub const TRUSTED_FOR: Duration = Duration::from_secs(1);
/// How often `last_used_at` is written for a key in use, at most.
const TOUCH_EVERY: Duration = Duration::from_secs(60);
/// Keys a tenant may hold (not revoked) at once.
pub const MAX_ACTIVE: i64 = 100;
const SECRET_LEN: usize = 24;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Scope {
    /// Read tickets, their messages, history and attachments, and the staff list.
    #[serde(rename = "tickets:read")]
    TicketsRead,
    /// Open, change, assign and answer tickets, upload attachments, record orders.
    #[serde(rename = "tickets:write")]
    TicketsWrite,
    /// Post raw mail to `/v1/inbound/email`.
    #[serde(rename = "inbound:email")]
    InboundEmail,
}

impl Scope {
    pub const ALL: [Self; 3] = [Self::TicketsRead, Self::TicketsWrite, Self::InboundEmail];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TicketsRead => "tickets:read",
            Self::TicketsWrite => "tickets:write",
            Self::InboundEmail => "inbound:email",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// The scope a route needs from a key (by its method and matched path), or `None`: no key may
/// call it. Every route not named here refuses keys.
pub fn scope_of(method: &Method, path: &str) -> Option<Scope> {
    let read = matches!(
        path,
        "/v1/tickets"
            | "/v1/tickets/{id}"
            | "/v1/tickets/{id}/messages"
            | "/v1/tickets/{id}/history"
            | "/v1/tickets/{id}/attachments"
            | "/v1/attachments/{id}"
            | "/v1/staff"
    );
    let write = match method.as_str() {
        "POST" => matches!(
            path,
            "/v1/tickets"
                | "/v1/tickets/{id}/messages"
                | "/v1/tickets/{id}/status"
                | "/v1/tickets/{id}/assign"
                | "/v1/tickets/{id}/attachments"
                | "/v1/tickets/{id}/merge"
                | "/v1/tickets/bulk/status"
        ),
        "PATCH" => path == "/v1/tickets/{id}",
        "PUT" => path == "/v1/orders/{order_id}",
        _ => false,
    };
    if *method == Method::GET && read {
        Some(Scope::TicketsRead)
    } else if write {
        Some(Scope::TicketsWrite)
    } else if *method == Method::POST && path == "/v1/inbound/email" {
        Some(Scope::InboundEmail)
    } else {
        None
    }
}

/// A key as made: its id and secret. Its text is shown once.
pub struct NewKey {
    pub id: Uuid,
    secret: [u8; SECRET_LEN],
}

impl NewKey {
    pub fn generate() -> Self {
        let mut secret = [0u8; SECRET_LEN];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        Self { id: Uuid::new_v4(), secret }
    }

    /// `hdk_...`, what the caller is given once.
    pub fn text(&self) -> String {
        format!("{PREFIX}{}{}", self.id.simple(), hex::encode(self.secret))
    }

    pub fn digest(&self, key: &EncryptionKey) -> Vec<u8> {
        keyed_digest(key, &self.secret)
    }
}

/// The first characters of a key, what lists show to tell keys apart.
pub fn display_prefix(id: Uuid) -> String {
    format!("{PREFIX}{}", &id.simple().to_string()[..12])
}

/// A presented key split into its id and secret; `None` when it is not shaped like a key.
pub fn parse(text: &str) -> Option<(Uuid, Vec<u8>)> {
    let rest = text.strip_prefix(PREFIX)?;
    if rest.len() != 32 + SECRET_LEN * 2 || !rest.is_ascii() {
        return None;
    }
    let (id, secret) = rest.split_at(32);
    Some((Uuid::try_parse(id).ok()?, hex::decode(secret).ok()?))
}

/// A key as lists show it (never its text).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiKey {
    pub id: Uuid,
    pub name: String,
    #[schema(value_type = Vec<String>, example = json!(["tickets:read"]))]
    pub scopes: Vec<String>,
    /// The key's first characters (`hdk_` and 12 hex digits).
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

struct KeyRow {
    id: Uuid,
    name: String,
    scopes: Vec<String>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<KeyRow> for ApiKey {
    fn from(row: KeyRow) -> Self {
        Self {
            prefix: display_prefix(row.id),
            id: row.id,
            name: row.name,
            scopes: row.scopes,
            created_at: row.created_at,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// Makes the callers that create keys wait for each other until the transaction ends, so that
/// a count of the keys holds until the new one is written.
pub async fn lock_for_create(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('api_keys'))").execute(conn).await.map(drop)
}

/// The keys not revoked.
pub async fn active_count(conn: &mut PgConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM api_keys WHERE revoked_at IS NULL"#).fetch_one(conn).await
}

/// Stores a new key and the integration it acts as (in the caller's transaction).
pub async fn create(
    conn: &mut PgConnection,
    key: &NewKey,
    digest: &[u8],
    name: &str,
    scopes: &[Scope],
    expires_at: Option<DateTime<Utc>>,
    created_by: UserId,
) -> sqlx::Result<ApiKey> {
    sqlx::query!(
        "INSERT INTO users (id, email, firstname, lastname, role, email_verified, active)
         VALUES ($1, $2, $3, '', 'integration', false, true)",
        key.id,
        format!("integration+{}@integrations.invalid", key.id.simple()),
        name,
    )
    .execute(&mut *conn)
    .await?;
    let scopes: Vec<String> = scopes.iter().map(|s| s.as_str().to_owned()).collect();
    sqlx::query_as!(
        KeyRow,
        "INSERT INTO api_keys (id, name, scopes, secret_digest, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, name, scopes, created_at, expires_at, last_used_at, revoked_at",
        key.id,
        name,
        &scopes,
        digest,
        created_by as _,
        expires_at,
    )
    .fetch_one(conn)
    .await
    .map(ApiKey::from)
}

/// The tenant's keys, newest first, `limit` at most after `before` (a page).
pub async fn page(
    conn: &mut PgConnection,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<ApiKey>> {
    let (at, id) = before.map_or((None, None), |(at, id)| (Some(at), Some(id)));
    let rows = sqlx::query_as!(
        KeyRow,
        "SELECT id, name, scopes, created_at, expires_at, last_used_at, revoked_at FROM api_keys
         WHERE $1::timestamptz IS NULL OR (created_at, id) < ($1, $2)
         ORDER BY created_at DESC, id DESC LIMIT $3",
        at,
        id,
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(ApiKey::from).collect())
}

/// Revokes a key and deactivates its integration; false when there is no such key (or it was
/// revoked already).
pub async fn revoke(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<bool> {
    let revoked = sqlx::query!("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    sqlx::query!("UPDATE users SET active = false, updated_at = now() WHERE id = $1 AND role = 'integration'", id)
        .execute(conn)
        .await?;
    Ok(revoked == 1)
}

/// Whether a key exists at all (revoked or not).
pub async fn exists(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM api_keys WHERE id = $1) AS "e!""#, id).fetch_one(conn).await
}

/// What a request with a valid key acts as.
#[derive(Debug, Clone)]
pub struct Verified {
    pub tenant: Uuid,
    pub key: Uuid,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Verified {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// Why a presented key is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a key of this tenant, a wrong secret, or revoked.
    Invalid,
    Expired,
}

/// The keys verified lately on this replica, and when each was last written as used.
pub struct KeyCheck {
    digest_key: EncryptionKey,
    verified: Kept<[u8; 32], Arc<Verified>>,
    touched: Kept<Uuid, ()>,
}

impl KeyCheck {
    pub fn new(digest_key: EncryptionKey) -> Self {
        Self { digest_key, verified: kept(100_000, TRUSTED_FOR), touched: kept(100_000, TOUCH_EVERY) }
    }

    pub fn digest_key(&self) -> &EncryptionKey {
        &self.digest_key
    }

    /// A key verified within `TRUSTED_FOR`, for `tenant`.
    pub fn remembered(&self, tenant: Uuid, text: &str) -> Option<Arc<Verified>> {
        self.verified.get(&fingerprint(text)).filter(|v| v.tenant == tenant)
    }

    /// Checks a key against its row in the tenant database (read on `conn`).
    pub async fn verify(
        &self,
        conn: &mut PgConnection,
        tenant: Uuid,
        text: &str,
    ) -> sqlx::Result<Result<Arc<Verified>, Refusal>> {
        let Some((id, secret)) = parse(text) else { return Ok(Err(Refusal::Invalid)) };
        let row = sqlx::query!(
            "SELECT scopes, secret_digest, expires_at, revoked_at, last_used_at FROM api_keys WHERE id = $1",
            id
        )
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(Err(Refusal::Invalid)) };
        if row.revoked_at.is_some() || !keyed_digest_matches(&self.digest_key, &secret, &row.secret_digest) {
            return Ok(Err(Refusal::Invalid));
        }
        let now = Utc::now();
        if row.expires_at.is_some_and(|at| at <= now) {
            return Ok(Err(Refusal::Expired));
        }
        if !self.touched.contains_key(&id) {
            self.touched.insert(id, ());
            sqlx::query!("UPDATE api_keys SET last_used_at = $2 WHERE id = $1", id, now).execute(conn).await?;
        }
        let verified = Arc::new(Verified {
            tenant,
            key: id,
            scopes: row.scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
            expires_at: row.expires_at,
        });
        self.verified.insert(fingerprint(text), Arc::clone(&verified));
        Ok(Ok(verified))
    }
}

fn fingerprint(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_parses_back_to_its_id_and_secret() {
        let key = NewKey::generate();
        let text = key.text();
        assert!(text.starts_with("hdk_") && text.len() == 4 + 32 + 48);
        let (id, secret) = parse(&text).unwrap();
        assert_eq!((id, secret.as_slice()), (key.id, key.secret.as_slice()));
        assert!(text.starts_with(&display_prefix(key.id)));
        for bad in ["", "hdk_", "hdk_xyz", &text[..text.len() - 1], &text.replace("hdk_", "hdx_"), &format!("{text}0")]
        {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn every_route_needs_its_scope_and_others_refuse_keys() {
        assert_eq!(scope_of(&Method::GET, "/v1/tickets/{id}"), Some(Scope::TicketsRead));
        assert_eq!(scope_of(&Method::POST, "/v1/tickets/{id}/messages"), Some(Scope::TicketsWrite));
        assert_eq!(scope_of(&Method::POST, "/v1/inbound/email"), Some(Scope::InboundEmail));
        for (method, path) in [
            (Method::GET, "/v1/api-keys"),
            (Method::PUT, "/v1/sla/policy"),
            (Method::GET, "/v1/stream"),
            (Method::GET, "/v1/me"),
            (Method::DELETE, "/v1/attachments/{id}"),
            (Method::GET, "/v1/webhooks"),
        ] {
            assert_eq!(scope_of(&method, path), None, "{method} {path}");
        }
    }
}
