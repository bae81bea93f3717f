//! Sender authentication (RFC 8601 `Authentication-Results`), believed only from the receiving
//! server the tenant trusts: the first such field from the top of the header (the newest) whose
//! `authserv-id` is that server's. Fields added before it reached that server (lower down), or
//! by anyone else, are the sender's to forge and are ignored; without a trusted server nothing
//! is believed.

/// What the trusted server said about DMARC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dmarc {
    Pass,
    Fail,
    /// No trusted verdict: no trusted server configured, no field from it, or a result such as
    /// `none` or `temperror`.
    Unknown,
}

/// The DMARC verdict of the trusted server `authserv_id` among `fields` (the values of every
/// `Authentication-Results` field, top first).
pub fn dmarc<'a>(fields: impl IntoIterator<Item = &'a str>, authserv_id: Option<&str>) -> Dmarc {
    let Some(trusted) = authserv_id.map(str::trim).filter(|id| !id.is_empty()) else { return Dmarc::Unknown };
    let Some(field) = fields.into_iter().find(|f| serv_id(f).is_some_and(|id| id.eq_ignore_ascii_case(trusted))) else {
        return Dmarc::Unknown;
    };
    for result in field.split(';').skip(1) {
        let mut words = result.split_whitespace();
        let Some(method) = words.next() else { continue };
        let Some((name, value)) = method.split_once('=') else { continue };
        if name.eq_ignore_ascii_case("dmarc") {
            let value = value.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_ascii_lowercase();
            return match value.as_str() {
                "pass" => Dmarc::Pass,
                "fail" => Dmarc::Fail,
                _ => Dmarc::Unknown,
            };
        }
    }
    Dmarc::Unknown
}

/// The `authserv-id` of a field's value: its first word, before any version or `;`.
fn serv_id(field: &str) -> Option<&str> {
    let head = field.split(';').next()?.trim();
    let without_comment = head.split('(').next()?.trim();
    without_comment.split_whitespace().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_trusted_servers_top_field_counts() {
        let trusted = Some("mx.example.net");
        let pass = "mx.example.net; spf=pass smtp.mailfrom=a.example; dkim=pass header.d=a.example; dmarc=pass header.from=a.example";
        let forged_fail = "mx.example.net; dmarc=fail header.from=a.example";
        assert_eq!(dmarc([pass, forged_fail], trusted), Dmarc::Pass, "the top one is the trusted server's own");
        assert_eq!(dmarc([forged_fail], trusted), Dmarc::Fail);
        let other = "evil.example; dmarc=pass";
        assert_eq!(dmarc([other], trusted), Dmarc::Unknown, "another server's word is not believed");
        assert_eq!(dmarc([pass], None), Dmarc::Unknown, "no trusted server, nothing believed");
        assert_eq!(dmarc(["MX.EXAMPLE.NET 1; dmarc=Pass (p=reject)"], trusted), Dmarc::Pass);
        assert_eq!(dmarc(["mx.example.net; dmarc=none"], trusted), Dmarc::Unknown);
        assert_eq!(dmarc(["mx.example.net; none"], trusted), Dmarc::Unknown);
    }
}
