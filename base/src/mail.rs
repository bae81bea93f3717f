//! Mail addresses and text as people typed them, made safe for a mail.

use lettre::address::Address;

/// Plain text as HTML: escaped, paragraphs at blank lines, line breaks kept.
pub fn text_to_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 32);
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        html.push_str("<p>");
        html.push_str(&paragraph.lines().map(escape_html).collect::<Vec<_>>().join("<br>"));
        html.push_str("</p>");
    }
    html
}

/// `value` as HTML text or a quoted attribute value: what people typed, in a mail's HTML part.
pub fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `raw` as a mail address a person can be written to (trimmed, lower-case, at most 254
/// characters, with a domain), or `None`.
pub fn address(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.len() > 254 || !trimmed.contains('@') {
        return None;
    }
    let parsed = trimmed.parse::<Address>().ok()?;
    parsed.domain().contains('.').then(|| trimmed.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_lowered() {
        assert_eq!(address(" Ana.Colleague@Example.COM ").as_deref(), Some("ana.colleague@example.com"));
        for bad in ["", "ana", "ana@", "@example.com", "ana@localhost", "a b@example.com", "<ana@example.com>"] {
            assert_eq!(address(bad), None, "{bad}");
        }
        assert_eq!(address(&format!("{}@example.com", "a".repeat(250))), None);
    }

    #[test]
    fn text_becomes_escaped_paragraphs() {
        assert_eq!(
            text_to_html("Hi <b>\nthere\n\nBye & thanks"),
            "<p>Hi &lt;b&gt;<br>there</p><p>Bye &amp; thanks</p>"
        );
    }
}
