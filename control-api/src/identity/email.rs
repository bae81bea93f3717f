//! `Email`: an address as people type it, checked once at the edge and compared in lower case.

use std::fmt;

/// A syntactically plausible email address, trimmed; `normalized()` is the lower-case form used
/// for uniqueness and lockout keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let email = raw.trim();
        if email.len() > 254 {
            return Err("must be at most 254 characters");
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err("must be an email address");
        };
        let plausible = !local.is_empty()
            && local.len() <= 64
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && !local.contains('@');
        if !plausible {
            return Err("must be an email address");
        }
        Ok(Self(email.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        let email = Email::parse("  Ada.Lovelace+sav@Example.org ").unwrap();
        assert_eq!(email.as_str(), "Ada.Lovelace+sav@Example.org");
        assert_eq!(email.normalized(), "ada.lovelace+sav@example.org");
    }

    #[test]
    fn rejects_the_rest() {
        for bad in [
            "",
            "ada",
            "@example.org",
            "ada@",
            "ada@example",
            "ada@.example.org",
            "ada@example..org",
            "a da@example.org",
            "a@b@example.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Email::parse(&format!("{}@example.org", "a".repeat(65))).is_err());
    }
}
