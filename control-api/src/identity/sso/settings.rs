//! A tenant's single sign-on settings, as its owner writes them (`Draft`, checked field by
//! field within bounds) and as they are stored (`Settings`, the client secret sealed for the
//! tenant's row and opened only to talk to the provider).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::config::EncryptionKey;
use shared::crypto;
use shared::error::FieldError;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::mapping::{MappedRole, RoleRule};

/// The addresses an owner registers at their provider, on the organisation's host
/// (`APP_PUBLIC_URL`): the redirect URI and the back-channel logout URI.
pub fn addresses(app_public_url: Option<&shared::config::AppUrlTemplate>, slug: &str) -> Option<(String, String)> {
    let host = app_public_url?.for_slug(slug);
    Some((format!("{host}/v1/auth/sso/callback"), format!("{host}/v1/auth/sso/backchannel-logout")))
}

/// What the owner sends (`PUT /v1/tenants/{slug}/sso`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// The provider's issuer: its discovery document is read from
    /// `{issuer}/.well-known/openid-configuration` and must name this issuer.
    pub issuer: String,
    pub client_id: String,
    /// Write-only; may be left out of a change to keep the stored one.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Asked of the provider besides `openid` (default `email profile`).
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// The email domains that may sign in; empty: any.
    #[serde(default)]
    pub allowed_domains: Vec<String>,
    /// The ID token's claim whose values `role_map` maps (dotted for a nested object).
    #[serde(default)]
    pub role_claim: Option<String>,
    /// A value of `role_claim` to `admin` or `agent`.
    #[serde(default)]
    pub role_map: BTreeMap<String, String>,
    /// The role of a person no value maps: `agent` or `customer`.
    pub default_role: String,
    /// Whether a person who is not a member joins on their first sign-in.
    pub auto_create: bool,
    /// Whether staff must sign in through the provider (the owner keeps a password with 2FA).
    pub required_for_staff: bool,
}

/// Bounds on what an owner stores.
const URL_MAX: usize = 2048;
const CLIENT_ID_MAX: usize = 255;
const SECRET_MAX: usize = 1024;
const SCOPES_MAX: usize = 20;
const SCOPE_MAX: usize = 64;
const DOMAINS_MAX: usize = 50;
const CLAIM_MAX: usize = 128;
const ROLE_MAP_MAX: usize = 100;
const ROLE_VALUE_MAX: usize = 256;

/// What the owner chose, in normal form: the settings but the client secret, alike when checked
/// and when stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    pub issuer: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub allowed_domains: Vec<String>,
    pub roles: RoleRule,
    pub auto_create: bool,
    pub required_for_staff: bool,
}

/// The settings a draft stands for, its fields checked; the secret still in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub choices: Choices,
    pub client_secret: Option<String>,
}

impl Draft {
    /// The draft's fields in normal form, or what is wrong with each (`allow_insecure`: an
    /// `http://` issuer is accepted, for development and tests).
    pub fn check(self, allow_insecure: bool) -> Result<Checked, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut wrong = |field: &str, message: &str| errors.push(FieldError::new(field, message));
        let issuer = self.issuer.trim().trim_end_matches('/').to_owned();
        match url::Url::parse(&issuer) {
            _ if issuer.len() > URL_MAX => wrong("issuer", "must be at most 2048 characters"),
            Ok(url) if url.scheme() == "https" || (allow_insecure && url.scheme() == "http") => {
                if url.query().is_some() || url.fragment().is_some() || url.host_str().is_none() {
                    wrong("issuer", "must be an address without query or fragment");
                }
            }
            Ok(_) | Err(_) => wrong("issuer", "must be an https:// address"),
        }
        let client_id = self.client_id.trim().to_owned();
        if client_id.is_empty() || client_id.len() > CLIENT_ID_MAX {
            wrong("client_id", "must be 1 to 255 characters");
        }
        if self.client_secret.as_ref().is_some_and(|s| s.is_empty() || s.len() > SECRET_MAX) {
            wrong("client_secret", "must be 1 to 1024 characters");
        }
        let mut scopes = vec!["openid".to_owned()];
        let asked = self.scopes.unwrap_or_else(|| vec!["email".into(), "profile".into()]);
        if asked.len() > SCOPES_MAX {
            wrong("scopes", "must hold at most 20 scopes");
        } else if asked.iter().any(|s| !scope_syntax(s)) {
            wrong("scopes", "each scope is 1 to 64 letters, digits or _ : . -");
        }
        for scope in asked {
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        let allowed_domains: Vec<String> = self.allowed_domains.iter().map(|d| d.trim().to_lowercase()).collect();
        if allowed_domains.len() > DOMAINS_MAX {
            wrong("allowed_domains", "must hold at most 50 domains");
        } else if allowed_domains.iter().any(|d| !domain_syntax(d)) {
            wrong("allowed_domains", "each must be a domain name, as acme.example");
        }
        let role_claim = self.role_claim.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
        if role_claim.as_ref().is_some_and(|c| c.len() > CLAIM_MAX) {
            wrong("role_claim", "must be at most 128 characters");
        }
        let mut role_map = BTreeMap::new();
        if self.role_map.len() > ROLE_MAP_MAX {
            wrong("role_map", "must hold at most 100 values");
        }
        for (value, role) in self.role_map {
            match MappedRole::parse(&role) {
                Some(role @ (MappedRole::Admin | MappedRole::Agent)) if value.len() <= ROLE_VALUE_MAX => {
                    role_map.insert(value, role);
                }
                _ => wrong("role_map", "maps values of at most 256 characters to admin or agent"),
            }
        }
        if !role_map.is_empty() && role_claim.is_none() {
            wrong("role_claim", "is required with a role_map");
        }
        let default_role =
            if let Some(role @ (MappedRole::Agent | MappedRole::Customer)) = MappedRole::parse(&self.default_role) {
                role
            } else {
                wrong("default_role", "must be agent or customer");
                MappedRole::Customer
            };
        if !errors.is_empty() {
            return Err(errors);
        }
        let roles = RoleRule { claim: role_claim, map: role_map, default: default_role };
        let choices = Choices {
            issuer,
            client_id,
            scopes,
            allowed_domains,
            roles,
            auto_create: self.auto_create,
            required_for_staff: self.required_for_staff,
        };
        Ok(Checked { choices, client_secret: self.client_secret })
    }
}

fn scope_syntax(scope: &str) -> bool {
    (1..=SCOPE_MAX).contains(&scope.len())
        && scope.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.' | b'-'))
}

fn domain_syntax(domain: &str) -> bool {
    domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// A tenant's stored settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub tenant_id: Uuid,
    pub choices: Choices,
    sealed_secret: Vec<u8>,
    pub updated_at: DateTime<Utc>,
}

impl Settings {
    /// The client secret, opened with `key`; `None` when it cannot be (another key).
    pub fn client_secret(&self, key: &EncryptionKey) -> Option<String> {
        let opened = crypto::open(key, &self.sealed_secret, self.tenant_id.as_bytes()).ok()?;
        String::from_utf8(opened).ok()
    }
}

/// What the settings answer shows (never the secret), with the addresses to register at the
/// provider.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsView {
    pub issuer: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub allowed_domains: Vec<String>,
    pub role_claim: Option<String>,
    pub role_map: BTreeMap<String, MappedRole>,
    pub default_role: MappedRole,
    pub auto_create: bool,
    pub required_for_staff: bool,
    /// The redirect URI to register at the provider.
    pub redirect_uri: String,
    /// The back-channel logout URI to register at the provider.
    pub backchannel_logout_uri: String,
    pub updated_at: DateTime<Utc>,
}

impl Settings {
    pub fn view(&self, redirect_uri: String, backchannel_logout_uri: String) -> SettingsView {
        let Choices { issuer, client_id, scopes, allowed_domains, roles, auto_create, required_for_staff } =
            self.choices.clone();
        SettingsView {
            issuer,
            client_id,
            scopes,
            allowed_domains,
            role_claim: roles.claim,
            role_map: roles.map,
            default_role: roles.default,
            auto_create,
            required_for_staff,
            redirect_uri,
            backchannel_logout_uri,
            updated_at: self.updated_at,
        }
    }
}

struct Row {
    tenant_id: Uuid,
    issuer: String,
    client_id: String,
    client_secret: Vec<u8>,
    scopes: Vec<String>,
    allowed_domains: Vec<String>,
    role_claim: Option<String>,
    role_map: serde_json::Value,
    default_role: String,
    auto_create: bool,
    required_for_staff: bool,
    updated_at: DateTime<Utc>,
}

impl From<Row> for Settings {
    fn from(row: Row) -> Self {
        let roles = RoleRule {
            claim: row.role_claim,
            map: serde_json::from_value(row.role_map).unwrap_or_default(),
            default: MappedRole::parse(&row.default_role).unwrap_or(MappedRole::Customer),
        };
        let choices = Choices {
            issuer: row.issuer,
            client_id: row.client_id,
            scopes: row.scopes,
            allowed_domains: row.allowed_domains,
            roles,
            auto_create: row.auto_create,
            required_for_staff: row.required_for_staff,
        };
        Self { tenant_id: row.tenant_id, choices, sealed_secret: row.client_secret, updated_at: row.updated_at }
    }
}

pub async fn of_tenant(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<Option<Settings>> {
    let row = sqlx::query_as!(
        Row,
        "SELECT tenant_id, issuer, client_id, client_secret, scopes, allowed_domains, role_claim, role_map,
                default_role, auto_create, required_for_staff, updated_at
         FROM tenant_sso WHERE tenant_id = $1",
        tenant_id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Settings::from))
}

/// The settings of the tenants a provider's client signs in to (a back-channel logout names
/// only its issuer and client).
pub async fn of_client(conn: &mut PgConnection, issuer: &str, client_id: &str) -> sqlx::Result<Vec<Settings>> {
    let rows = sqlx::query_as!(
        Row,
        "SELECT tenant_id, issuer, client_id, client_secret, scopes, allowed_domains, role_claim, role_map,
                default_role, auto_create, required_for_staff, updated_at
         FROM tenant_sso WHERE issuer = $1 AND client_id = $2",
        issuer,
        client_id,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Settings::from).collect())
}

/// Writes `checked` as the tenant's settings, sealing a new secret or keeping the stored one;
/// `None` when there is neither.
pub async fn save(
    conn: &mut PgConnection,
    key: &EncryptionKey,
    tenant_id: Uuid,
    checked: &Checked,
) -> sqlx::Result<Option<Settings>> {
    let Checked { choices, client_secret } = checked;
    let sealed = client_secret.as_ref().map(|secret| crypto::seal(key, secret.as_bytes(), tenant_id.as_bytes()));
    let role_map = serde_json::to_value(&choices.roles.map).expect("a map of strings serialises");
    let row = sqlx::query_as!(
        Row,
        "INSERT INTO tenant_sso AS s (tenant_id, issuer, client_id, client_secret, scopes, allowed_domains, role_claim,
                                     role_map, default_role, auto_create, required_for_staff)
         SELECT $1, $2, $3, coalesce($4, (SELECT client_secret FROM tenant_sso WHERE tenant_id = $1)), $5, $6, $7, $8,
                $9, $10, $11
         WHERE $4::bytea IS NOT NULL OR EXISTS (SELECT 1 FROM tenant_sso WHERE tenant_id = $1)
         ON CONFLICT (tenant_id) DO UPDATE SET
             issuer = excluded.issuer, client_id = excluded.client_id, client_secret = excluded.client_secret,
             scopes = excluded.scopes, allowed_domains = excluded.allowed_domains, role_claim = excluded.role_claim,
             role_map = excluded.role_map, default_role = excluded.default_role, auto_create = excluded.auto_create,
             required_for_staff = excluded.required_for_staff, updated_at = now()
         RETURNING tenant_id, issuer, client_id, client_secret, scopes, allowed_domains, role_claim, role_map,
                   default_role, auto_create, required_for_staff, updated_at",
        tenant_id,
        choices.issuer,
        choices.client_id,
        sealed,
        &choices.scopes,
        &choices.allowed_domains,
        choices.roles.claim,
        role_map,
        choices.roles.default.as_str(),
        choices.auto_create,
        choices.required_for_staff,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Settings::from))
}

/// Removes the tenant's settings; false when there were none.
pub async fn delete(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<bool> {
    let deleted = sqlx::query!("DELETE FROM tenant_sso WHERE tenant_id = $1", tenant_id).execute(conn).await?;
    Ok(deleted.rows_affected() > 0)
}

/// Whether the tenant's staff must sign in through its provider.
pub async fn required_for_staff(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<bool> {
    let required = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM tenant_sso WHERE tenant_id = $1 AND required_for_staff) AS "required!""#,
        tenant_id,
    )
    .fetch_one(conn)
    .await?;
    Ok(required)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            issuer: "https://login.acme.example/".into(),
            client_id: "helpdeskly".into(),
            client_secret: Some("s3cret".into()),
            scopes: None,
            allowed_domains: vec![" ACME.example ".into()],
            role_claim: Some("groups".into()),
            role_map: BTreeMap::from([("support".into(), "agent".into())]),
            default_role: "customer".into(),
            auto_create: true,
            required_for_staff: false,
        }
    }

    #[test]
    fn a_good_draft_is_put_in_normal_form() {
        let checked = draft().check(false).unwrap().choices;
        assert_eq!(checked.issuer, "https://login.acme.example");
        assert_eq!(checked.scopes, ["openid", "email", "profile"]);
        assert_eq!(checked.allowed_domains, ["acme.example"]);
        assert_eq!(checked.roles.map.get("support"), Some(&MappedRole::Agent));
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = Draft {
            issuer: "http://login.acme.example".into(),
            client_id: String::new(),
            client_secret: Some("x".repeat(2000)),
            scopes: Some(vec!["email profile".into()]),
            allowed_domains: vec!["not a domain".into()],
            role_claim: None,
            role_map: BTreeMap::from([("owners".into(), "owner".into())]),
            default_role: "admin".into(),
            auto_create: false,
            required_for_staff: false,
        };
        let errors = bad.check(false).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["issuer", "client_id", "client_secret", "scopes", "allowed_domains", "role_map", "default_role"]
        );
        let insecure = Draft { issuer: "http://127.0.0.1:9000".into(), ..draft() };
        assert!(insecure.check(true).is_ok(), "development issuers pass when allowed");
        let mapped_without_claim = Draft { role_claim: None, ..draft() };
        let errors = mapped_without_claim.check(false).unwrap_err();
        assert_eq!(errors[0].field, "role_claim");
    }
}
