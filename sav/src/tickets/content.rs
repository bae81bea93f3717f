//! What people write, checked at the edge: subjects, rich text (sanitised against XSS before it
//! is stored), categories, reasons and metadata, each with a limit.

use std::sync::LazyLock;

use base::FieldError;

pub const SUBJECT_MAX_CHARS: usize = 255;
/// Descriptions and messages, before and after sanitising.
pub const TEXT_MAX_CHARS: usize = 20_000;
pub const CATEGORY_MAX_CHARS: usize = 64;
pub const REASON_MAX_CHARS: usize = 1_000;
pub const METADATA_MAX_BYTES: usize = 16 * 1024;

/// Formatting survives (paragraphs, emphasis, lists, links, code); scripts, event handlers,
/// `javascript:` URLs, styles and images (tracking pixels) do not. Links get
/// `rel="noopener noreferrer"`.
static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder.rm_tags(["img"]);
    builder
});

/// A one-line subject: trimmed, 1 to 255 characters, no control characters.
pub fn subject(field: &str, value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if value.chars().count() > SUBJECT_MAX_CHARS {
        return Err(FieldError::new(field, format!("must be at most {SUBJECT_MAX_CHARS} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    Ok(value.to_owned())
}

/// Rich text (HTML allowed), sanitised; at most 20,000 characters before and after, and not empty
/// once sanitised when `required`.
pub fn rich_text(field: &str, value: &str, required: bool) -> Result<String, FieldError> {
    let too_long = || FieldError::new(field, format!("must be at most {TEXT_MAX_CHARS} characters"));
    if value.chars().count() > TEXT_MAX_CHARS {
        return Err(too_long());
    }
    let clean = CLEANER.clean(value).to_string();
    let clean = clean.trim();
    if clean.chars().count() > TEXT_MAX_CHARS {
        return Err(too_long());
    }
    if required && clean.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    Ok(clean.to_owned())
}

/// A category: 1 to 64 characters of `a-z`, `0-9`, `_` and `-` (`payment_failure`, `shipping`).
pub fn category(value: &str) -> Result<String, FieldError> {
    let ok = (1..=CATEGORY_MAX_CHARS).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new("category", "must be 1 to 64 characters of a-z, 0-9, _ and -"))
    }
}

/// An optional reason for a change, trimmed; blank means none.
pub fn reason(value: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if value.chars().count() > REASON_MAX_CHARS {
        return Err(FieldError::new("reason", format!("must be at most {REASON_MAX_CHARS} characters")));
    }
    Ok(Some(value.to_owned()))
}

/// Ticket metadata: a JSON object of at most 16 KiB.
pub fn metadata(value: serde_json::Value) -> Result<serde_json::Value, FieldError> {
    if !value.is_object() {
        return Err(FieldError::new("metadata", "must be a JSON object"));
    }
    let size = serde_json::to_vec(&value).map_or(usize::MAX, |bytes| bytes.len());
    if size > METADATA_MAX_BYTES {
        return Err(FieldError::new("metadata", format!("must be at most {METADATA_MAX_BYTES} bytes as JSON")));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rich_text_loses_scripts_and_keeps_formatting() {
        let clean = rich_text("message", r#"<script>alert(1)</script><b onclick="x()">hi</b> <a href="javascript:alert(1)">x</a> <img src="https://t.example/p.gif">"#, true).unwrap();
        assert!(!clean.contains("script") && !clean.contains("onclick") && !clean.contains("javascript"), "{clean}");
        assert!(!clean.contains("<img"), "{clean}");
        assert!(clean.starts_with("<b>hi</b>"), "{clean}");
        let link = rich_text("message", r#"<a href="https://example.org">docs</a>"#, true).unwrap();
        assert!(link.contains(r#"rel="noopener noreferrer""#), "{link}");
        assert!(rich_text("message", "<script>only</script>", true).is_err(), "nothing left");
        assert!(rich_text("description", "", false).unwrap().is_empty());
    }

    #[test]
    fn limits_hold_before_and_after_sanitising() {
        assert!(rich_text("m", &"a".repeat(TEXT_MAX_CHARS), true).is_ok());
        assert!(rich_text("m", &"a".repeat(TEXT_MAX_CHARS + 1), true).is_err());
        // Escaping grows text: 6,000 "<" become 24,000 characters of "&lt;".
        assert!(rich_text("m", &"< ".repeat(6_000), true).is_err());
        assert_eq!(subject("subject", "Parcel\nlost").unwrap_err().message, "must not contain control characters");
        assert_eq!(subject("subject", "  Parcel lost  ").unwrap(), "Parcel lost");
        assert!(subject("subject", "   ").is_err());
        assert!(subject("subject", &"é".repeat(255)).is_ok());
        assert!(subject("subject", &"é".repeat(256)).is_err());
    }

    #[test]
    fn categories_reasons_and_metadata() {
        assert!(category("payment_failure").is_ok());
        for bad in ["", "Payment", "a b", &"x".repeat(65)] {
            assert!(category(bad).is_err(), "{bad:?}");
        }
        assert_eq!(reason(Some("  ")).unwrap(), None);
        assert!(reason(Some(&"r".repeat(1001))).is_err());
        assert!(metadata(serde_json::json!([1])).is_err());
        assert!(metadata(serde_json::json!({ "tags": ["vip"] })).is_ok());
        assert!(metadata(serde_json::json!({ "blob": "x".repeat(METADATA_MAX_BYTES) })).is_err());
    }
}
