//! Quoted history: what a reply repeats of the conversation, found and cut so that the thread
//! shows what the sender wrote now. The whole original stays one click away (the raw message),
//! and the rule when in doubt is to keep everything: a message is never emptied, and a reply
//! that answers between or after quoted lines (interleaved, bottom-posted) is kept whole, since
//! its quotes are its context. Forwarded mail is kept whole: what it forwards is its content.
//!
//! A quote starts at the first of:
//! - an attribution line: "On ... wrote:" (also wrapped over two lines), "Le ... a écrit :",
//!   "Am ... schrieb ...:", "El ... escribió:", "Il ... ha scritto:", "Op ... schreef ...:";
//! - a separator: "-----Original Message-----", "-----Message d'origine-----", a line of
//!   underscores, "> Message du ..." (French webmails);
//! - a header block: "From:" / "De :" / "Von:" followed within a few lines by "Sent:", "Date:",
//!   "Envoyé :", "Gesendet:" and "Subject:" / "Objet :" / "Betreff:" (Outlook);
//! - the first line quoted with `>` after a blank line (a quote without its attribution).
//!
//! HTML is cut before its quote containers (Gmail's `gmail_quote`, Apple Mail's and
//! Thunderbird's `blockquote type="cite"`, Outlook's `divRplyFwdMsg` and its bordered header,
//! Yahoo's `yahoo_quoted`, Thunderbird's `moz-cite-prefix`) and then read as text, so the text
//! rules above remove an attribution left just before the cut.

/// The new words of `text`: the text before its quoted history, or all of it when there is no
/// quote, when something was written after the quote, or when nothing would be left.
pub fn new_text(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if is_forward(&lines) {
        return text.trim().to_owned();
    }
    let Some(start) = quote_start(&lines) else { return text.trim().to_owned() };
    if written_after(&lines, start) {
        return text.trim().to_owned();
    }
    let kept = lines[..start].join("\n");
    let kept = kept.trim();
    if kept.is_empty() { text.trim().to_owned() } else { kept.to_owned() }
}

/// The HTML of `html` before its first quote container (all of it when there is none).
pub fn cut_html_quote(html: &str) -> &str {
    const MARKERS: &[&str] = &[
        "class=\"gmail_quote",
        "class=gmail_quote",
        "type=\"cite\"",
        "type=cite",
        "id=\"divRplyFwdMsg\"",
        "id=divRplyFwdMsg",
        "id=\"appendonsend\"",
        "class=\"yahoo_quoted",
        "class=\"moz-cite-prefix",
        "border-top:solid #E1E1E1",
        "border-top:solid #B5C4DF",
    ];
    let lower = html.to_ascii_lowercase();
    let cut = MARKERS
        .iter()
        .filter_map(|marker| lower.find(&marker.to_ascii_lowercase()))
        .filter_map(|at| lower[..at].rfind('<'))
        .min();
    match cut {
        Some(at) if !html_to_words(&html[..at]).is_empty() => &html[..at],
        _ => html,
    }
}

fn html_to_words(html: &str) -> String {
    mail_parser::decoders::html::html_to_text(html).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Spaces of every kind (no-break, narrow no-break) as plain ones, trimmed.
fn plain(line: &str) -> String {
    line.replace(['\u{a0}', '\u{202f}', '\u{2007}'], " ").trim().to_owned()
}

fn is_forward(lines: &[&str]) -> bool {
    lines.iter().map(|l| plain(l).to_lowercase()).any(|l| {
        let l = l.trim_matches(|c: char| c == '-' || c == ' ');
        l == "forwarded message"
            || l == "message transféré"
            || l == "begin forwarded message:"
            || l == "début du message réexpédié :"
            || l == "début du message réexpédié:"
            || l == "weitergeleitete nachricht"
    })
}

/// Whether the line is quoted (`>`, however deep).
fn is_quoted(line: &str) -> bool {
    plain(line).starts_with('>')
}

fn ends_attribution(line: &str) -> bool {
    let l = plain(line).to_lowercase();
    let l = l.trim_end();
    l.ends_with("wrote:")
        || l.ends_with("écrit :")
        || l.ends_with("écrit:")
        || l.ends_with("escribió:")
        || l.ends_with("ha scritto:")
        || (l.contains("schrieb") && l.ends_with(':'))
        || (l.contains("schreef") && l.ends_with(':'))
}

fn begins_attribution(line: &str) -> bool {
    let l = plain(line);
    ["On ", "Le ", "Am ", "El ", "Il ", "Op "].iter().any(|p| l.starts_with(p))
}

fn is_separator(line: &str) -> bool {
    let l = plain(line).to_lowercase();
    let dashed = l.trim_matches(|c: char| c == '-' || c == ' ');
    (l.starts_with("-----") || l.starts_with("----- "))
        && matches!(
            dashed,
            "original message"
                | "mail original"
                | "message d'origine"
                | "message d’origine"
                | "ursprüngliche nachricht"
                | "mensaje original"
        )
        || (l.len() >= 20 && l.chars().all(|c| c == '_'))
        || l.starts_with("> message du ")
}

/// `From:`-like header labels (Outlook's block), in the languages seen.
fn label(line: &str) -> Option<&'static str> {
    let l = plain(line).to_lowercase();
    let named =
        |names: &[&str]| names.iter().any(|n| l.strip_prefix(n).is_some_and(|rest| rest.trim_start().starts_with(':')));
    if named(&["from", "de", "von", "van"]) {
        Some("from")
    } else if named(&["sent", "date", "envoyé", "gesendet", "enviado", "verzonden"]) {
        Some("sent")
    } else if named(&["subject", "objet", "betreff", "asunto", "onderwerp"]) {
        Some("subject")
    } else {
        None
    }
}

fn header_block_at(lines: &[&str], at: usize) -> bool {
    if label(lines[at]) != Some("from") {
        return false;
    }
    let window = &lines[at + 1..lines.len().min(at + 7)];
    window.iter().any(|l| label(l) == Some("sent")) && window.iter().any(|l| label(l) == Some("subject"))
}

/// Where the quoted history begins, if anywhere.
fn quote_start(lines: &[&str]) -> Option<usize> {
    for (at, line) in lines.iter().enumerate() {
        if plain(line).is_empty() {
            continue;
        }
        if is_separator(line) || header_block_at(lines, at) {
            return Some(at);
        }
        if begins_attribution(line) && ends_attribution(line) {
            return Some(at);
        }
        // An attribution wrapped over two (or three) lines by the client.
        if begins_attribution(line)
            && (1..=2).any(|n| lines.get(at + n).is_some_and(|next| ends_attribution(next) && !is_quoted(next)))
        {
            return Some(at);
        }
        if is_quoted(line) && (at == 0 || plain(lines[at - 1]).is_empty() || ends_attribution(lines[at - 1])) {
            return Some(at);
        }
    }
    None
}

/// Whether the sender wrote something after the quote began (an interleaved or bottom-posted
/// answer). Only quotes marked with `>` can tell: after a separator or a header block, the rest
/// is the earlier message, unmarked.
fn written_after(lines: &[&str], start: usize) -> bool {
    let marked = (start..lines.len()).find(|&i| is_quoted(lines[i]));
    let unmarked_block =
        is_separator(lines[start]) && !plain(lines[start]).starts_with('>') || header_block_at(lines, start);
    if unmarked_block {
        return false;
    }
    let Some(first_quoted) = marked else { return false };
    let last_quoted = (first_quoted..lines.len()).rev().find(|&i| is_quoted(lines[i])).unwrap_or(first_quoted);
    let between = (first_quoted..=last_quoted).any(|i| !is_quoted(lines[i]) && !plain(lines[i]).is_empty());
    let after = lines[last_quoted + 1..].iter().any(|l| !plain(l).is_empty());
    between || after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_top_posted_reply_keeps_the_words_above_the_attribution() {
        let text =
            "Thanks, it works now.\n\nJane\n\nOn Mon, 23 Nov 2026 at 10:12, Support <s@x> wrote:\n> Try again.\n> \n";
        assert_eq!(new_text(text), "Thanks, it works now.\n\nJane");
    }

    #[test]
    fn wrapped_and_french_attributions_and_outlook_blocks_are_quotes() {
        let wrapped = "Merci\n\nOn Mon, 23 Nov 2026 at 10:12, A Very Long Support Name\n<reply+abc@x> wrote:\n> old\n";
        assert_eq!(new_text(wrapped), "Merci");
        let french = "D'accord.\n\nLe lun. 23 nov. 2026 à 10:12, Support <s@x> a\u{a0}écrit\u{202f}:\n> ancien\n";
        assert_eq!(new_text(french), "D'accord.");
        let outlook = "Yes please.\n\nDe : Support <s@x>\nEnvoyé : lundi 23 novembre 2026 10:12\nÀ : moi\nObjet : RE: colis\n\nOld text";
        assert_eq!(new_text(outlook), "Yes please.");
        let original = "Fine.\n-----Original Message-----\nFrom: s@x\nold";
        assert_eq!(new_text(original), "Fine.");
    }

    #[test]
    fn interleaved_bottom_posted_forwarded_and_empty_answers_are_kept_whole() {
        let interleaved = "On Mon, X wrote:\n> Which colour?\nBlue.\n> Which size?\nM.";
        assert_eq!(new_text(interleaved), interleaved);
        let bottom = "> Which colour?\n\nBlue.";
        assert_eq!(new_text(bottom), bottom);
        let forward = "See below.\n\n---------- Forwarded message ---------\nFrom: a@b\n\nhello";
        assert_eq!(new_text(forward), forward);
        let only_quote = "On Mon, X wrote:\n> old";
        assert_eq!(new_text(only_quote), only_quote);
    }

    #[test]
    fn html_is_cut_before_its_quote_container() {
        let html =
            "<div>Thanks!</div><div class=\"gmail_quote\"><div>On Mon X wrote:</div><blockquote>old</blockquote></div>";
        assert_eq!(cut_html_quote(html), "<div>Thanks!</div>");
        let nothing_before = "<blockquote type=\"cite\">old</blockquote>";
        assert_eq!(cut_html_quote(nothing_before), nothing_before);
    }
}
