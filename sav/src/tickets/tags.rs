//! Tags: lower-case words a team puts on its tickets (`refund`, `vip:gold`, `carrier-late`), as
//! plain functions. A tag is read trimmed and lower-cased, then must be `[a-z0-9][a-z0-9_:-]{0,49}`;
//! a ticket holds at most `MAX_PER_TICKET`, kept sorted and distinct. A change is a whole new set
//! or tags to add and remove; either is applied to the ticket as loaded under its row lock by the
//! one write path, so two agents tagging at once both keep their tags.

use std::collections::BTreeSet;

use base::FieldError;

/// The most tags one ticket holds (the 21st is refused with `limit_reached`).
pub const MAX_PER_TICKET: usize = 20;
/// The longest tag, in characters.
pub const MAX_CHARS: usize = 50;
/// The most tags one request may name in one field (a set, or tags to add or remove).
pub const MAX_NAMED: usize = 100;

/// One tag as given, trimmed and lower-cased, or why it is not a tag.
pub fn normalise(value: &str) -> Result<String, String> {
    let tag = value.trim().to_lowercase();
    let mut bytes = tag.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let rest_ok = bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b':' | b'-'));
    if first_ok && rest_ok && tag.len() <= MAX_CHARS {
        Ok(tag)
    } else {
        Err(format!(
            "{value:?} is not a tag: 1 to {MAX_CHARS} characters of a-z, 0-9, _, : and -, starting with a letter or digit"
        ))
    }
}

/// The tags of `field`, each normalised, sorted and distinct; every bad one is named.
pub fn checked(field: &str, values: &[String]) -> Result<BTreeSet<String>, FieldError> {
    if values.len() > MAX_NAMED {
        return Err(FieldError::new(field, format!("names at most {MAX_NAMED} tags")));
    }
    let mut tags = BTreeSet::new();
    let mut bad = Vec::new();
    for value in values {
        match normalise(value) {
            Ok(tag) => {
                tags.insert(tag);
            }
            Err(why) => bad.push(why),
        }
    }
    if bad.is_empty() { Ok(tags) } else { Err(FieldError::new(field, bad.join("; "))) }
}

/// A change to a ticket's tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The whole set, replacing what the ticket holds.
    Replace(BTreeSet<String>),
    /// Tags added and removed, whatever else the ticket holds (a tag in both is refused when
    /// the change is read).
    Adjust { add: BTreeSet<String>, remove: BTreeSet<String> },
}

impl Change {
    /// Adding and removing in one change, checked: a tag both added and removed is refused.
    pub fn adjust(add: BTreeSet<String>, remove: BTreeSet<String>) -> Result<Self, FieldError> {
        let both: Vec<&str> = add.intersection(&remove).map(String::as_str).collect();
        if both.is_empty() {
            Ok(Self::Adjust { add, remove })
        } else {
            Err(FieldError::new("remove_tags", format!("also in add_tags: {}", both.join(", "))))
        }
    }
}

/// Too many tags: what the ticket would hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooMany(pub usize);

impl std::fmt::Display for TooMany {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a ticket holds at most {MAX_PER_TICKET} tags; this change would leave {}", self.0)
    }
}

/// A new ticket's tags, within the limit.
pub fn initial(tags: BTreeSet<String>) -> Result<Vec<String>, TooMany> {
    within_limit(tags)
}

/// What `current` becomes under `change`, sorted and distinct, within the limit.
pub fn apply(current: &[String], change: &Change) -> Result<Vec<String>, TooMany> {
    let next: BTreeSet<String> = match change {
        Change::Replace(tags) => tags.clone(),
        Change::Adjust { add, remove } => {
            current.iter().filter(|tag| !remove.contains(*tag)).chain(add).cloned().collect()
        }
    };
    within_limit(next)
}

fn within_limit(tags: BTreeSet<String>) -> Result<Vec<String>, TooMany> {
    if tags.len() > MAX_PER_TICKET { Err(TooMany(tags.len())) } else { Ok(tags.into_iter().collect()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(tags: &[&str]) -> BTreeSet<String> {
        tags.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn tags_are_trimmed_and_lower_cased_then_checked() {
        assert_eq!(normalise("  Refund ").unwrap(), "refund");
        assert_eq!(normalise("VIP:Gold").unwrap(), "vip:gold");
        assert_eq!(normalise("carrier-late_2").unwrap(), "carrier-late_2");
        assert_eq!(normalise("9lives").unwrap(), "9lives");
        assert_eq!(normalise(&"a".repeat(50)).unwrap().len(), 50);
        for bad in ["", "   ", "-late", ":x", "_x", "two words", "café", "a/b", "é", "tab\tbed", &"a".repeat(51)] {
            assert!(normalise(bad).is_err(), "{bad:?} passed");
        }
    }

    #[test]
    fn a_list_is_sorted_distinct_and_names_each_bad_tag() {
        let tags = checked("tags", &["b".into(), "A".into(), " a ".into()]).unwrap();
        assert_eq!(tags, set(&["a", "b"]));
        let err = checked("tags", &["ok".into(), "no way".into(), "-x".into()]).unwrap_err();
        assert_eq!(err.field, "tags");
        assert!(err.message.contains("\"no way\"") && err.message.contains("\"-x\""), "{}", err.message);
        let many: Vec<String> = (0..=MAX_NAMED).map(|n| format!("t{n}")).collect();
        assert!(checked("add_tags", &many).is_err());
    }

    #[test]
    fn adjusting_keeps_what_others_added() {
        let current = vec!["billing".to_owned(), "urgent".to_owned()];
        let change = Change::adjust(set(&["refund"]), set(&["urgent", "absent"])).unwrap();
        assert_eq!(apply(&current, &change).unwrap(), ["billing", "refund"]);
        // Two agents at once: each change applies to what the other left.
        let first = apply(&current, &Change::adjust(set(&["a"]), set(&[])).unwrap()).unwrap();
        let second = apply(&first, &Change::adjust(set(&["b"]), set(&[])).unwrap()).unwrap();
        assert_eq!(second, ["a", "b", "billing", "urgent"]);
        assert!(Change::adjust(set(&["x"]), set(&["x"])).is_err());
    }

    #[test]
    fn replacing_sets_the_whole_list_and_the_limit_holds() {
        let current = vec!["old".to_owned()];
        assert_eq!(apply(&current, &Change::Replace(set(&["new"]))).unwrap(), ["new"]);
        assert_eq!(apply(&current, &Change::Replace(BTreeSet::new())).unwrap(), Vec::<String>::new());
        let twenty: BTreeSet<String> = (0..20).map(|n| format!("t{n:02}")).collect();
        let full = apply(&[], &Change::Replace(twenty.clone())).unwrap();
        assert_eq!(full.len(), MAX_PER_TICKET);
        let one_more = Change::adjust(set(&["extra"]), set(&[])).unwrap();
        assert_eq!(apply(&full, &one_more), Err(TooMany(21)));
        // Adding one already there, or removing one to add another, stays within.
        assert_eq!(apply(&full, &Change::adjust(set(&["t00"]), set(&[])).unwrap()).unwrap().len(), 20);
        assert_eq!(apply(&full, &Change::adjust(set(&["extra"]), set(&["t01"])).unwrap()).unwrap().len(), 20);
        let mut twenty_one = twenty;
        twenty_one.insert("t99".into());
        assert_eq!(initial(twenty_one), Err(TooMany(21)));
    }
}
