//! What a verified ID token means here: whether its email may sign in to the tenant (a verified
//! address in an allowed domain) and which role the person holds (the role claim's values
//! looked up in the owner's map, the highest found, else the default role).

use std::collections::BTreeMap;

use serde_json::Value;
use shared::auth::Role;

/// The roles a provider may give: never an owner's (owners are made here, not by a claim).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MappedRole {
    Customer,
    Agent,
    Admin,
}

impl MappedRole {
    pub fn role(self) -> Role {
        match self {
            Self::Customer => Role::Customer,
            Self::Agent => Role::Agent,
            Self::Admin => Role::Admin,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Agent => "agent",
            Self::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "customer" => Some(Self::Customer),
            "agent" => Some(Self::Agent),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// How claims become a role: the claim read, its values' roles, the role without a match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRule {
    pub claim: Option<String>,
    pub map: BTreeMap<String, MappedRole>,
    pub default: MappedRole,
}

/// What the rule found in the claims: the role, and the claim's values it read (for the owner's
/// test sign-in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    pub role: MappedRole,
    pub values: Vec<String>,
}

impl RoleRule {
    /// The highest role any of the claim's values maps to (a string, or an array of strings; a
    /// dotted name reads a nested object, as `realm_access.roles`), else the default.
    pub fn apply(&self, claims: &Value) -> Mapped {
        let values = self.claim.as_deref().map(|name| claim_values(claims, name)).unwrap_or_default();
        let role = values.iter().filter_map(|value| self.map.get(value)).copied().max().unwrap_or(self.default);
        Mapped { role, values }
    }
}

/// The string values of claim `name` (dotted for nested objects); none when it is absent or of
/// another type.
fn claim_values(claims: &Value, name: &str) -> Vec<String> {
    let found = name.split('.').try_fold(claims, |value, key| value.get(key));
    match found {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// The email in normal form when it may sign in: verified by the provider and, when the owner
/// lists domains, in one of them (exactly, case aside: a subdomain is another organisation).
pub fn admitted_email(email: Option<&str>, verified: Option<bool>, allowed_domains: &[String]) -> Result<String, Why> {
    let email = email.map(str::trim).filter(|e| !e.is_empty()).ok_or(Why::NoEmail)?.to_lowercase();
    if verified != Some(true) {
        return Err(Why::EmailUnverified);
    }
    let domain = email.rsplit_once('@').map(|(_, domain)| domain).ok_or(Why::NoEmail)?;
    if !allowed_domains.is_empty() && !allowed_domains.iter().any(|allowed| allowed.eq_ignore_ascii_case(domain)) {
        return Err(Why::DomainNotAllowed);
    }
    Ok(email)
}

/// Why an identity the provider vouched for does not sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    NoEmail,
    EmailUnverified,
    DomainNotAllowed,
}

impl Why {
    pub fn code(self) -> &'static str {
        match self {
            Self::NoEmail => "sso_no_email",
            Self::EmailUnverified => "sso_email_unverified",
            Self::DomainNotAllowed => "sso_domain_not_allowed",
        }
    }
}

/// Whether the provider says the person proved more than one factor (RFC 8176's values): then
/// a second factor is not asked again here.
pub fn multi_factor(amr: &[String]) -> bool {
    amr.iter().any(|method| matches!(method.as_str(), "mfa" | "otp" | "hwk" | "swk" | "sms" | "fpt" | "face" | "iris"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(pairs: &[(&str, MappedRole)]) -> BTreeMap<String, MappedRole> {
        pairs.iter().map(|(value, role)| ((*value).to_owned(), *role)).collect()
    }

    #[test]
    fn the_highest_mapped_value_wins_and_the_default_fills_in() {
        let roles = map(&[("support", MappedRole::Agent), ("support-leads", MappedRole::Admin)]);
        let rule = RoleRule { claim: Some("groups".into()), map: roles.clone(), default: MappedRole::Customer };
        let both = rule.apply(&json!({"groups": ["support", "support-leads", "sales"]}));
        assert_eq!(both.role, MappedRole::Admin);
        assert_eq!(both.values, ["support", "support-leads", "sales"]);
        assert_eq!(rule.apply(&json!({"groups": "support"})).role, MappedRole::Agent);
        assert_eq!(rule.apply(&json!({"groups": ["sales"]})).role, MappedRole::Customer);
        assert_eq!(rule.apply(&json!({"groups": 7})).role, MappedRole::Customer);
        assert_eq!(rule.apply(&json!({})).role, MappedRole::Customer);
        let nested = RoleRule { claim: Some("realm_access.roles".into()), ..rule };
        assert_eq!(nested.apply(&json!({"realm_access": {"roles": ["support"]}})).role, MappedRole::Agent);
        let none = RoleRule { claim: None, map: roles, default: MappedRole::Agent };
        assert_eq!(none.apply(&json!({"groups": ["support-leads"]})).role, MappedRole::Agent);
    }

    #[test]
    fn only_verified_emails_of_allowed_domains_sign_in() {
        let domains = vec!["acme.example".to_owned()];
        assert_eq!(admitted_email(Some(" Ana@ACME.example "), Some(true), &domains), Ok("ana@acme.example".into()));
        assert_eq!(admitted_email(Some("ana@acme.example"), Some(false), &domains), Err(Why::EmailUnverified));
        assert_eq!(admitted_email(Some("ana@acme.example"), None, &domains), Err(Why::EmailUnverified));
        assert_eq!(admitted_email(Some("ana@evil.example"), Some(true), &domains), Err(Why::DomainNotAllowed));
        assert_eq!(admitted_email(Some("ana@eu.acme.example"), Some(true), &domains), Err(Why::DomainNotAllowed));
        assert_eq!(admitted_email(None, Some(true), &domains), Err(Why::NoEmail));
        assert_eq!(admitted_email(Some("ana@evil.example"), Some(true), &[]), Ok("ana@evil.example".into()));
    }

    #[test]
    fn a_second_factor_is_recognised_among_the_methods() {
        assert!(multi_factor(&["pwd".into(), "mfa".into()]));
        assert!(multi_factor(&["hwk".into()]));
        assert!(!multi_factor(&["pwd".into()]));
        assert!(!multi_factor(&[]));
    }
}
