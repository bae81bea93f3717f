//! Tenant identifiers both planes parse at their edge, and the tenant's life cycle both planes
//! act on.

use std::fmt;

/// Subdomains and names that belong to the platform, never to a tenant.
pub const RESERVED_SLUGS: &[&str] = &[
    "www",
    "api",
    "app",
    "admin",
    "control",
    "static",
    "assets",
    "cdn",
    // The files host: the S3 server, where attachments' download links point.
    "files",
    "mail",
    "smtp",
    "imap",
    "status",
    "docs",
    "metrics",
    "grafana",
    "prometheus",
    "help",
    "support",
    "billing",
    "auth",
    "login",
    "signup",
    "dashboard",
    "internal",
    "system",
    "root",
    "test",
    "staging",
    "dev",
    "ftp",
    "ns1",
    "ns2",
    "mx",
];

/// A tenant's slug: 3 to 63 characters of `[a-z0-9-]`, no leading or trailing hyphen, not
/// reserved. It is the tenant's subdomain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

/// Why a slug was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("must be 3 to 63 characters")]
    Length,
    #[error("may contain only lower-case letters, digits and hyphens")]
    Characters,
    #[error("must not start or end with a hyphen")]
    Hyphen,
    #[error("is reserved")]
    Reserved,
}

impl Slug {
    /// Checks syntax only (no reserved list): what may be looked up.
    pub fn parse_syntax(raw: &str) -> Result<Self, SlugError> {
        if !(3..=63).contains(&raw.len()) {
            return Err(SlugError::Length);
        }
        if !raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(SlugError::Characters);
        }
        if raw.starts_with('-') || raw.ends_with('-') {
            return Err(SlugError::Hyphen);
        }
        Ok(Self(raw.to_owned()))
    }

    /// Syntax and the reserved list: what may be registered.
    pub fn parse_new(raw: &str) -> Result<Self, SlugError> {
        let slug = Self::parse_syntax(raw)?;
        if RESERVED_SLUGS.contains(&slug.as_str()) {
            return Err(SlugError::Reserved);
        }
        Ok(slug)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A tenant's life cycle: provisioning -> active <-> suspended ->
/// deleting -> deleted, or failed when provisioning gives up. Stored as text; every `match`
/// on it names each status, so a new one is a compile error wherever it matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TenantStatus {
    Provisioning,
    Active,
    Suspended,
    Deleting,
    Deleted,
    Failed,
}

impl TenantStatus {
    pub const ALL: [Self; 6] =
        [Self::Provisioning, Self::Active, Self::Suspended, Self::Deleting, Self::Deleted, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provisioning => "provisioning",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Deleting => "deleting",
            Self::Deleted => "deleted",
            Self::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Deleted, or being deleted: nothing about the tenant changes any more.
    pub fn is_gone(self) -> bool {
        match self {
            Self::Deleting | Self::Deleted => true,
            Self::Provisioning | Self::Active | Self::Suspended | Self::Failed => false,
        }
    }
}

crate::text_column!(TenantStatus, parse);

impl fmt::Display for TenantStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// For rows read with `#[sqlx(try_from = "String")]`.
impl TryFrom<String> for TenantStatus {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or_else(|| format!("unknown tenant status {value:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(Slug::parse_new("acme-sav-2").unwrap().as_str(), "acme-sav-2");
        assert_eq!(Slug::parse_new("ab"), Err(SlugError::Length));
        assert_eq!(Slug::parse_new(&"a".repeat(64)), Err(SlugError::Length));
        assert!(Slug::parse_new(&"a".repeat(63)).is_ok());
        assert_eq!(Slug::parse_new("Acme"), Err(SlugError::Characters));
        assert_eq!(Slug::parse_new("ac_me"), Err(SlugError::Characters));
        assert_eq!(Slug::parse_new("acmé"), Err(SlugError::Characters));
        assert_eq!(Slug::parse_new("-acme"), Err(SlugError::Hyphen));
        assert_eq!(Slug::parse_new("acme-"), Err(SlugError::Hyphen));
        assert_eq!(Slug::parse_new("grafana"), Err(SlugError::Reserved));
        assert!(Slug::parse_syntax("grafana").is_ok(), "reserved slugs are still well-formed");
    }

    #[test]
    fn the_files_host_is_no_tenants() {
        assert_eq!(Slug::parse_new("files"), Err(SlugError::Reserved));
        assert!(Slug::parse_new("files-acme").is_ok(), "only the host's own name is reserved");
    }
}

/// A tenant named to people: in a token response, a join, the mail about their account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct TenantRef {
    pub id: uuid::Uuid,
    pub slug: String,
    pub name: String,
}
