//! Quoted history: what a reply repeats of the conversation, found and taken out so that the
//! thread shows what the sender wrote now, wherever they wrote it: above the quote (top-posted),
//! below it (bottom-posted) or between its lines (inline). The whole original stays one click
//! away (the raw message), and the rule when in doubt is to keep everything: a message is never
//! emptied. Forwarded mail is kept whole: what it forwards is its content.
//!
//! The rules, line by line:
//! - every line that starts with `>` (at any depth) is quoted and dropped;
//! - a quote's opening is dropped with it: an attribution line, "On ... wrote:" (also wrapped over
//!   two or three lines), "Le ... a écrit :", "Am ... schrieb ...:", "El ... escribió:",
//!   "Il ... ha scritto:", "Op ... schreef ...:"; a separator, "-----Original Message-----",
//!   "-----Message d'origine-----", "----- Mail original -----", a line of underscores; a header
//!   block, "From:" / "De :" / "Von:" followed within a few lines by "Sent:" / "Date:" /
//!   "Envoyé :" / "Gesendet:" and "Subject:" / "Objet :" / "Betreff:" (Outlook), up to its blank
//!   line;
//! - an opening followed by `>` lines opens a marked quote: what the sender wrote after or
//!   between those lines is kept, in its order;
//! - an opening followed by unmarked text (Outlook's and Zimbra's header blocks, Yahoo's
//!   attribution) begins the earlier message, which runs to the end: when the sender wrote
//!   above it, the rest is dropped. With nothing above it, an attribution is a marker whose
//!   quote was deleted (the sender's words follow it), and a header block or separator keeps the
//!   whole text, since nothing tells the sender's words from the earlier message's;
//! - when nothing is left, the whole text is kept.
//!
//! HTML (read when a mail has no text part) is marked before it is read as text: Gmail's
//! `blockquote.gmail_quote`, Apple Mail's and Thunderbird's `blockquote type="cite"` and Yahoo's
//! `div.yahoo_quoted` each become one `>` line, Gmail's `div.gmail_attr` and Thunderbird's
//! `div.moz-cite-prefix` (their attributions) are dropped, and the rest from Outlook's
//! `divRplyFwdMsg`, `appendonsend` or bordered header block on is the earlier message. The
//! text rules above then apply, so answers written between an HTML quote's parts are kept too.

/// The new words of `text`: what the sender wrote outside its quoted history, or all of it when
/// there is no quote, when it is a forward, or when nothing would be left.
pub fn new_text(text: &str) -> String {
    own_words(text).unwrap_or_else(|| text.trim().to_owned())
}

/// The new words of an HTML body: `full` is its whole text, `marked` its text once its quotes
/// were marked (`mark_html_quotes`). A forward, or a body of which nothing would be left, is
/// kept whole.
pub fn new_html_text(full: &str, marked: &str) -> String {
    if is_forward(&full.lines().collect::<Vec<_>>()) {
        return full.trim().to_owned();
    }
    own_words(marked).unwrap_or_else(|| full.trim().to_owned())
}

/// What the sender wrote, quotes and their openings taken out; none when nothing is left or
/// when nothing tells the sender's words from the quote.
fn own_words(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    if is_forward(&lines) {
        return Some(text.trim().to_owned());
    }
    let mut kept: Vec<&str> = Vec::new();
    // Whether a quote was taken out since the last kept line (a paragraph break in its place).
    let mut cut = false;
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        if is_quoted(line) {
            cut = true;
            at += 1;
            continue;
        }
        if let Some(opening) = opening_at(&lines, at) {
            let quoted_next = lines[opening.end..].iter().find(|l| !plain(l).is_empty()).is_some_and(|l| is_quoted(l));
            let written_above = kept.iter().any(|l| !plain(l).is_empty());
            if quoted_next || (!written_above && opening.attribution) {
                cut = true;
                at = opening.end;
                continue;
            }
            if written_above {
                break;
            }
            return None;
        }
        if cut && !plain(line).is_empty() {
            kept.push("");
            cut = false;
        }
        kept.push(line);
        at += 1;
    }
    let mut words = String::new();
    let mut blank = true;
    for line in kept {
        if plain(line).is_empty() {
            if !blank {
                words.push('\n');
            }
            blank = true;
        } else {
            words.push_str(line);
            words.push('\n');
            blank = false;
        }
    }
    let words = words.trim();
    (!words.is_empty()).then(|| words.to_owned())
}

/// What an HTML quote element becomes in the marked HTML: one quoted line (line breaks around it,
/// since the HTML reader breaks lines at `<br>` and `</p>` only).
const QUOTE_LINE: &str = "<br>&gt;<br>";

/// What an HTML tag opens, as far as quotes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Element {
    /// A quote (`blockquote.gmail_quote`, `blockquote type="cite"`, `div.yahoo_quoted`).
    Quote,
    /// A quote's attribution (`div.gmail_attr`, `div.moz-cite-prefix`).
    Attribution,
    /// The start of the earlier message, unmarked, to the end (Outlook's blocks).
    History,
}

/// `html` with each quote element as one `>` line, attributions left out and nothing from
/// Outlook's earlier message on.
pub fn mark_html_quotes(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut marked = String::with_capacity(html.len());
    let (mut copied, mut at) = (0, 0);
    while let Some(found) = lower[at..].find('<') {
        let open = at + found;
        let end = lower[open..].find('>').map_or(lower.len(), |e| open + e + 1);
        let tag = &lower[open..end];
        match element(tag) {
            None => at = end,
            Some(Element::History) => {
                marked.push_str(&html[copied..open]);
                return marked;
            }
            Some(kind) => {
                marked.push_str(&html[copied..open]);
                if kind == Element::Quote {
                    marked.push_str(QUOTE_LINE);
                }
                copied = element_end(&lower, open, tag_name(tag));
                at = copied;
            }
        }
    }
    marked.push_str(&html[copied..]);
    marked
}

/// The name of the lower-case tag `tag` (`<div class=...>` gives `div`).
fn tag_name(tag: &str) -> &str {
    let name = tag.trim_start_matches('<');
    &name[..name.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(name.len())]
}

/// What the lower-case opening tag `tag` opens, if it is part of a quote.
fn element(tag: &str) -> Option<Element> {
    let tag = tag.replace(['"', '\''], "");
    let has = |part: &str| tag.contains(part);
    let name = tag_name(&tag);
    if has("id=divrplyfwdmsg")
        || has("id=appendonsend")
        || has("border-top:solid #e1e1e1")
        || has("border-top:solid #b5c4df")
    {
        Some(Element::History)
    } else if name == "blockquote" && (has("type=cite") || has("gmail_quote")) || name == "div" && has("yahoo_quoted") {
        Some(Element::Quote)
    } else if name == "div" && (has("gmail_attr") || has("moz-cite-prefix")) {
        Some(Element::Attribution)
    } else {
        None
    }
}

/// Where the element whose opening tag starts at `open` in `lower` ends: after its closing tag
/// (the same name, nested ones counted), or at the end when it is never closed.
fn element_end(lower: &str, open: usize, name: &str) -> usize {
    let mut depth = 0usize;
    let mut at = open;
    while let Some(found) = lower[at..].find('<') {
        let tag = at + found;
        let end = lower[tag..].find('>').map_or(lower.len(), |e| tag + e + 1);
        let inner = &lower[tag + 1..end];
        let (closing, inner) = inner.strip_prefix('/').map_or((false, inner), |rest| (true, rest));
        if tag_name(inner) == name {
            if closing {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return end;
                }
            } else if !inner.ends_with("/>") {
                depth += 1;
            }
        }
        at = end;
    }
    lower.len()
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

/// A quote's opening: an attribution, a separator or a header block.
struct Opening {
    /// The line after its own lines.
    end: usize,
    /// Whether it is an attribution line ("On ... wrote:"), which names who wrote the quote.
    attribution: bool,
}

/// The opening that starts at line `at`, if one does.
fn opening_at(lines: &[&str], at: usize) -> Option<Opening> {
    if is_separator(lines[at]) || header_block_at(lines, at) {
        // The block runs to its blank line.
        let end = (at + 1..lines.len()).find(|&i| plain(lines[i]).is_empty()).unwrap_or(lines.len());
        return Some(Opening { end, attribution: false });
    }
    if !begins_attribution(lines[at]) {
        return None;
    }
    // On one line, or wrapped over two or three by the client.
    for n in 0..3 {
        let Some(line) = lines.get(at + n) else { break };
        if n > 0 && (plain(line).is_empty() || is_quoted(line)) {
            break;
        }
        if ends_attribution(line) {
            return Some(Opening { end: at + n + 1, attribution: true });
        }
    }
    None
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
    fn a_bottom_posted_reply_keeps_the_words_below_the_quote() {
        let text = "On Mon, 23 Nov 2026 at 10:12, Support <s@x> wrote:\n\n> Is it late?\n> Tell us.\n\nIt came today.\n\nJane\n";
        assert_eq!(new_text(text), "It came today.\n\nJane");
        let signed = "On 23/11/2026 10:12, Support wrote:\n> Which size?\n\n5 mm.\n\n-- \nHenrik Lund";
        assert_eq!(new_text(signed), "5 mm.\n\n-- \nHenrik Lund");
    }

    #[test]
    fn an_inline_reply_keeps_the_answers_between_the_quoted_lines_in_order() {
        let text = "Hello,\n\nOn Mon, X wrote:\n> Which colour?\nBlue.\n> Which size?\n\nM.\n\nJane\n\n> Thanks,\n> > older\n> Support";
        assert_eq!(new_text(text), "Hello,\n\nBlue.\n\nM.\n\nJane");
    }

    #[test]
    fn a_reply_marker_with_nothing_above_it() {
        // The quote was deleted and its attribution left: what follows is the sender's.
        let marker = "Le 23/11/2026 à 10:12, Support a écrit :\n\nMerci, bien reçu.";
        assert_eq!(new_text(marker), "Merci, bien reçu.");
        // A header block followed by `>` lines is a marked quote like any other.
        let prefixed =
            "-----Original Message-----\nFrom: s@x\nSent: Monday\nTo: me\nSubject: colis\n\n> Old text\n\nMy answer";
        assert_eq!(new_text(prefixed), "My answer");
        // Unmarked, nothing tells the sender's words from the earlier message's: all is kept.
        let unmarked = "From: s@x\nSent: Monday\nTo: me\nSubject: colis\n\nOld text";
        assert_eq!(new_text(unmarked), unmarked);
    }

    #[test]
    fn a_quote_without_attribution_is_its_quoted_lines() {
        let below = "Hi,\n\nStill broken.\n\n> Did it work?\n> Support";
        assert_eq!(new_text(below), "Hi,\n\nStill broken.");
        let short = "> Which size did you order?\nM, the blue one.";
        assert_eq!(new_text(short), "M, the blue one.");
    }

    #[test]
    fn an_unmarked_quote_below_the_words_runs_to_the_end() {
        let yahoo = "Thanks\n\n    On Monday, November 23, 2026, 10:12:00 AM GMT+1, X <x@y> wrote:  \n \nHello Tom,\n\nold\n> older";
        assert_eq!(new_text(yahoo), "Thanks");
    }

    #[test]
    fn a_mail_that_is_only_a_quote_or_a_forward_is_kept_whole() {
        let only_quote = "On Mon, X wrote:\n> old";
        assert_eq!(new_text(only_quote), only_quote);
        assert_eq!(new_text("> old\n> older"), "> old\n> older");
        let forward = "See below.\n\n---------- Forwarded message ---------\nFrom: a@b\n\nhello\n> quoted";
        assert_eq!(new_text(forward), forward);
    }

    #[test]
    fn html_quotes_become_quoted_lines_and_attributions_go() {
        let gmail = "<div>Thanks!</div><div class=\"gmail_quote\"><div class=\"gmail_attr\">On Mon X wrote:</div>\
            <blockquote class=\"gmail_quote\">old<blockquote class=\"gmail_quote\">older</blockquote></blockquote></div>";
        assert_eq!(mark_html_quotes(gmail), "<div>Thanks!</div><div class=\"gmail_quote\"><br>&gt;<br></div>");
        let inline = "<p>Hi</p><div class=\"moz-cite-prefix\">On X wrote:<br></div><BLOCKQUOTE type=\"cite\">Q1</BLOCKQUOTE>\
            <p>A1</p><blockquote type=cite><div>Q2</div></blockquote><p>A2</p>";
        assert_eq!(mark_html_quotes(inline), "<p>Hi</p><br>&gt;<br><p>A1</p><br>&gt;<br><p>A2</p>");
        let outlook = "<p>Yes.</p><div id=\"divRplyFwdMsg\"><b>From:</b> s</div><div>old</div>";
        assert_eq!(mark_html_quotes(outlook), "<p>Yes.</p>");
        let unclosed = "<p>Yes.</p><blockquote type=\"cite\"><p>old";
        assert_eq!(mark_html_quotes(unclosed), "<p>Yes.</p><br>&gt;<br>");
        let plain_blockquote = "<p>The manual says:</p><blockquote>Do not immerse.</blockquote>";
        assert_eq!(mark_html_quotes(plain_blockquote), plain_blockquote);
    }

    #[test]
    fn an_html_body_that_is_only_a_quote_or_a_forward_is_kept_whole() {
        assert_eq!(new_html_text("On Mon X wrote:\nold", ">"), "On Mon X wrote:\nold");
        let forward = "FYI\n---------- Forwarded message ---------\nFrom: a@b\nhello";
        assert_eq!(new_html_text(forward, "FYI\nhello"), forward);
        assert_eq!(new_html_text("Hi\nA1\nold\nA2", "Hi\n>\nA1\n>\nA2"), "Hi\n\nA1\n\nA2");
    }
}
