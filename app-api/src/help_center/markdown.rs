//! An article's Markdown made into what is stored beside it, once, on save: the sanitised HTML
//! readers get, the plain text that search and snippets read, a description for search engines,
//! and a slug from the title.

use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use unicode_normalization::UnicodeNormalization as _;

/// Where the help center's images are served: the only `src` an article's `<img>` may keep.
pub const IMAGES_PATH: &str = "/help/images/";
/// The description's most characters (search engines show about this much).
const DESCRIPTION_MAX_CHARS: usize = 160;
/// A slug's most characters.
pub const SLUG_MAX_CHARS: usize = 100;

/// What an article's Markdown gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML.
    pub html: String,
    /// The words the HTML shows, blocks apart, for search and snippets.
    pub text: String,
    /// The first words of the text, at most 160 characters.
    pub description: String,
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// Formatting, tables, code, headings and links survive; scripts, event attributes, styles,
/// frames, forms and every URL scheme but `http`, `https` and `mailto` do not. Images stay only
/// when they are the help center's own (`IMAGES_PATH`, which went through the attachment checks
/// on upload). Links get `rel="noopener noreferrer nofollow"`.
static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .add_tag_attributes("img", ["loading"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "src") => value.starts_with(IMAGES_PATH).then(|| value.into()),
            _ => Some(value.into()),
        });
    builder
});

/// Renders `markdown` (trusted by nobody: raw HTML in it goes through the same sanitiser).
pub fn render(markdown: &str) -> Rendered {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options()));
    let html = CLEANER.clean(&unsafe_html).to_string();
    let text = plain_text(markdown);
    let description = describe(&text);
    Rendered { html, text, description }
}

/// The words of `markdown` as a reader sees them: text and code, a space between inline parts
/// and a line between blocks; raw HTML's tags are left out, and a block of raw HTML whole (its
/// words may not survive the sanitiser).
fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(words) | Event::Code(words) => text.push_str(&words),
            Event::SoftBreak | Event::HardBreak | Event::Start(Tag::Image { .. } | Tag::TableCell) => text.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_),
            ) => text.push('\n'),
            _ => {}
        }
    }
    // Control characters are no words (and the snippets' marks are two of them).
    let text: String = text.chars().map(|c| if c.is_control() && c != '\n' { ' ' } else { c }).collect();
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines.join("\n")
}

/// The first words of `text` on one line, cut at a word within 160 characters (with an
/// ellipsis when cut).
fn describe(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= DESCRIPTION_MAX_CHARS {
        return line;
    }
    let cut: String = line.chars().take(DESCRIPTION_MAX_CHARS - 1).collect();
    let words = cut.rsplit_once(' ').map_or(cut.as_str(), |(words, _)| words);
    format!("{}…", words.trim_end_matches([',', ';', ':', '.']))
}

/// `value` in lower case with accents dropped (NFD, combining marks removed): what slugs and
/// normalised searches are made of.
pub fn folded(value: &str) -> String {
    value.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// A slug from `title`: letters and digits folded to ASCII, runs of anything else as one `-`,
/// at most 100 characters (cut at a `-` where it can be), `article` when nothing is left.
pub fn slug_of(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    for c in folded(title).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    if slug.len() > SLUG_MAX_CHARS {
        slug.truncate(SLUG_MAX_CHARS);
        if let Some(cut) = slug.rfind('-') {
            slug.truncate(cut);
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() { "article".to_owned() } else { slug.to_owned() }
}

/// Whether `slug` is one a person may choose: 1 to 100 characters of `a-z` and `0-9` in words
/// joined by single `-`.
pub fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= SLUG_MAX_CHARS
        && slug
            .split('-')
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(markdown: &str) -> String {
        render(markdown).html
    }

    #[test]
    fn formatting_tables_and_code_survive() {
        let out = html(
            "# Refunds\n\n**Bold** and *soft* with `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nlet x = 1;\n```\n",
        );
        assert!(out.contains("<h1>Refunds</h1>"), "{out}");
        assert!(
            out.contains("<strong>Bold</strong>") && out.contains("<em>soft</em>") && out.contains("<code>code</code>")
        );
        assert!(out.contains("<table>") && out.contains("<td>2</td>"), "{out}");
        assert!(out.contains("<pre><code>let x = 1;"), "{out}");
    }

    #[test]
    fn hostile_markdown_is_sanitised() {
        let hostile = concat!(
            "<script>alert(1)</script>\n\n",
            "<img src=x onerror=alert(2)>\n\n",
            "[click](javascript:alert(3)) [data](data:text/html,<b>x</b>) [vb](vbscript:msgbox)\n\n",
            "<iframe src=\"https://evil.example\"></iframe>\n\n",
            "<a href=\"https://ok.example\" onclick=\"steal()\" style=\"color:red\">ok</a>\n\n",
            "<svg onload=alert(4)><circle/></svg>\n\n",
            "<form action=\"https://evil.example\"><input name=p></form>\n\n",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">\n\n",
            "![pixel](https://tracker.example/p.gif) ![ours](/help/images/0193aa00-0000-7000-8000-000000000001)\n\n",
            "<div style=\"background:url(javascript:alert(5))\">styled</div>\n\n",
            "[&#106;avascript](&#106;avascript:alert(6))\n",
        );
        let out = html(hostile);
        let lower = out.to_lowercase();
        for banned in [
            "<script",
            "onerror",
            "onclick",
            "onload",
            "javascript:",
            "vbscript:",
            "data:",
            "<iframe",
            "<svg",
            "<form",
            "<input",
            "<object",
            "<embed",
            "style=",
            "tracker.example",
        ] {
            assert!(!lower.contains(banned), "{banned} survived in {out}");
        }
        assert!(out.contains(r#"<img src="/help/images/0193aa00-0000-7000-8000-000000000001" alt="ours">"#), "{out}");
        assert!(out.contains(r#"href="https://ok.example""#) && out.contains("noopener noreferrer nofollow"), "{out}");
        assert!(out.contains("styled"));
    }

    #[test]
    fn text_and_description_say_what_is_shown() {
        let rendered =
            render("# Returns\n\nSend it back within **30 days**.\n\n- keep the box\n- print the label\n\n<b>raw</b>");
        assert_eq!(rendered.text, "Returns\nSend it back within 30 days.\nkeep the box\nprint the label\nraw");
        assert_eq!(rendered.description, "Returns Send it back within 30 days. keep the box print the label raw");
        let blocks = render("<script>\nalert(1)\n</script>\n\nAfter");
        assert_eq!(blocks.text, "After", "a block of raw HTML says nothing");
        let long = "word ".repeat(100);
        let described = render(&long).description;
        assert!(described.chars().count() <= 160 && described.ends_with("word…"), "{described}");
    }

    #[test]
    fn slugs_fold_accents_and_stay_short() {
        assert_eq!(slug_of("Être remboursé : délais & conditions !"), "etre-rembourse-delais-conditions");
        assert_eq!(slug_of("   ¿¡!!  "), "article");
        let long = slug_of(&"refund policy ".repeat(20));
        assert!(long.len() <= SLUG_MAX_CHARS && !long.ends_with('-') && long.starts_with("refund-policy-"), "{long}");
        assert!(is_slug("a-1") && !is_slug("a--1") && !is_slug("-a") && !is_slug("A") && !is_slug("") && !is_slug("é"));
        assert_eq!(folded("Remboursé ÇA"), "rembourse ca");
    }
}
