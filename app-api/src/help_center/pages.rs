//! The help center's public pages, rendered on the server from what the store read: whole HTML
//! documents a search engine indexes as they are (a title, a description, a canonical link and
//! the other locale's address), in English or French, with no script at all (search is a GET
//! form, a vote a POST form), styled by one stylesheet of their own (`STYLESHEET`, served at
//! `/help/help.css`: the web app's Content-Security-Policy allows no inline style).

use std::fmt::Write as _;

use shared::mail::escape_html as esc;
use uuid::Uuid;

use super::articles::{Article, Summary};
use super::categories::Category;
use super::locale::Locale;
use super::search::Hit;

/// The pages' stylesheet.
pub const STYLESHEET: &str = include_str!("help.css");

/// The words of the pages in one locale.
struct Words {
    help_center: &'static str,
    search_label: &'static str,
    search_button: &'static str,
    other_articles: &'static str,
    no_articles: &'static str,
    results_for: &'static str,
    no_results: &'static str,
    helpful_question: &'static str,
    yes: &'static str,
    no: &'static str,
    thanks: &'static str,
    other_language: &'static str,
    home: &'static str,
    not_found_title: &'static str,
    not_found: &'static str,
    contact: &'static str,
    updated: &'static str,
}

const ENGLISH: Words = Words {
    help_center: "Help center",
    search_label: "Search the help center",
    search_button: "Search",
    other_articles: "Other articles",
    no_articles: "No article yet.",
    results_for: "Results for",
    no_results: "No article matches these words. Try others, or contact us.",
    helpful_question: "Was this article helpful?",
    yes: "Yes",
    no: "No",
    thanks: "Thank you for your feedback.",
    other_language: "Français",
    home: "Help center home",
    not_found_title: "Page not found",
    not_found: "There is no such page in this help center.",
    contact: "Still need help? Open a ticket",
    updated: "Updated",
};

const FRENCH: Words = Words {
    help_center: "Centre d'aide",
    search_label: "Rechercher dans le centre d'aide",
    search_button: "Rechercher",
    other_articles: "Autres articles",
    no_articles: "Aucun article pour l'instant.",
    results_for: "Résultats pour",
    no_results: "Aucun article ne contient ces mots. Essayez-en d'autres, ou contactez-nous.",
    helpful_question: "Cet article vous a-t-il aidé ?",
    yes: "Oui",
    no: "Non",
    thanks: "Merci pour votre avis.",
    other_language: "English",
    home: "Accueil du centre d'aide",
    not_found_title: "Page introuvable",
    not_found: "Cette page n'existe pas dans ce centre d'aide.",
    contact: "Besoin d'aide ? Ouvrez une demande",
    updated: "Mis à jour le",
};

fn words(locale: Locale) -> &'static Words {
    match locale {
        Locale::En => &ENGLISH,
        Locale::Fr => &FRENCH,
    }
}

fn other(locale: Locale) -> Locale {
    match locale {
        Locale::En => Locale::Fr,
        Locale::Fr => Locale::En,
    }
}

/// Addresses of the pages, from the help center's root.
pub fn home_path(locale: Locale) -> String {
    format!("/help/{}", locale.as_str())
}

pub fn article_path(locale: Locale, slug: &str) -> String {
    format!("/help/{}/articles/{slug}", locale.as_str())
}

pub fn category_path(locale: Locale, id: Uuid) -> String {
    format!("/help/{}/categories/{id}", locale.as_str())
}

fn search_path(locale: Locale) -> String {
    format!("/help/{}/search", locale.as_str())
}

/// Where the pages are, for their canonical and alternate links: the organisation's web
/// address, without a trailing slash.
pub struct Site<'a> {
    pub origin: &'a str,
    pub locale: Locale,
}

/// A page's head and frame around `main`.
struct Frame<'a> {
    title: String,
    description: Option<&'a str>,
    /// This page's path (its canonical address).
    path: String,
    /// The same page in the other locale, when there is one.
    alternate: Option<String>,
    /// Search engines leave it out (search results, missing pages).
    no_index: bool,
}

fn document(site: &Site<'_>, frame: &Frame<'_>, query: &str, main: &str) -> String {
    let w = words(site.locale);
    let lang = site.locale.as_str();
    let mut head = String::new();
    let _ = write!(head, "<title>{} – {}</title>", esc(&frame.title), esc(w.help_center));
    if let Some(description) = frame.description.filter(|d| !d.is_empty()) {
        let _ = write!(head, r#"<meta name="description" content="{}">"#, esc(description));
    }
    if frame.no_index {
        head.push_str(r#"<meta name="robots" content="noindex">"#);
    } else {
        let _ = write!(head, r#"<link rel="canonical" href="{}{}">"#, esc(site.origin), esc(&frame.path));
        let _ =
            write!(head, r#"<link rel="alternate" hreflang="{lang}" href="{}{}">"#, esc(site.origin), esc(&frame.path));
    }
    let other = other(site.locale);
    if let Some(alternate) = &frame.alternate {
        let _ = write!(
            head,
            r#"<link rel="alternate" hreflang="{}" href="{}{}">"#,
            other.as_str(),
            esc(site.origin),
            esc(alternate)
        );
    }
    let switch = frame.alternate.clone().unwrap_or_else(|| home_path(other));
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}
<link rel="stylesheet" href="/help/help.css">
</head>
<body>
<header class="top">
<a class="brand" href="{home}">{help_center}</a>
<form class="search" role="search" method="get" action="{search}">
<label for="help-search">{search_label}</label>
<input id="help-search" type="search" name="q" value="{query}" maxlength="200" required>
<button type="submit">{search_button}</button>
</form>
<a class="language" href="{switch}" hreflang="{other_lang}" lang="{other_lang}">{other_language}</a>
</header>
<main id="main">
{main}
</main>
<footer class="bottom"><a href="/tickets/new">{contact}</a></footer>
</body>
</html>
"#,
        home = home_path(site.locale),
        help_center = esc(w.help_center),
        search = search_path(site.locale),
        search_label = esc(w.search_label),
        query = esc(query),
        search_button = esc(w.search_button),
        switch = esc(&switch),
        other_lang = other.as_str(),
        other_language = esc(w.other_language),
        contact = esc(w.contact),
    )
}

fn article_list(out: &mut String, locale: Locale, articles: &[&Summary]) {
    out.push_str("<ul class=\"articles\">");
    for article in articles {
        let _ = write!(
            out,
            r#"<li><a href="{}">{}</a><p>{}</p></li>"#,
            esc(&article_path(locale, &article.slug)),
            esc(&article.title),
            esc(&article.description)
        );
    }
    out.push_str("</ul>");
}

/// The home: every category with its articles in this locale, then the articles of none.
pub fn home(site: &Site<'_>, categories: &[Category], articles: &[Summary]) -> String {
    let w = words(site.locale);
    let mut main = format!("<h1>{}</h1>", esc(w.help_center));
    if articles.is_empty() {
        let _ = write!(main, "<p>{}</p>", esc(w.no_articles));
    }
    for category in categories {
        let of: Vec<&Summary> = articles.iter().filter(|a| a.category_id == Some(category.id)).collect();
        if of.is_empty() {
            continue;
        }
        let name = category.name.in_locale(site.locale);
        let _ = write!(
            main,
            r#"<section><h2><a href="{}">{}</a></h2>"#,
            esc(&category_path(site.locale, category.id)),
            esc(name)
        );
        article_list(&mut main, site.locale, &of);
        main.push_str("</section>");
    }
    let known: Vec<Uuid> = categories.iter().map(|c| c.id).collect();
    let rest: Vec<&Summary> = articles.iter().filter(|a| a.category_id.is_none_or(|id| !known.contains(&id))).collect();
    if !rest.is_empty() {
        let _ = write!(main, "<section><h2>{}</h2>", esc(w.other_articles));
        article_list(&mut main, site.locale, &rest);
        main.push_str("</section>");
    }
    let frame = Frame {
        title: w.help_center.to_owned(),
        description: None,
        path: home_path(site.locale),
        alternate: Some(home_path(other(site.locale))),
        no_index: false,
    };
    document(site, &frame, "", &main)
}

/// A category's page: its articles in this locale.
pub fn category(site: &Site<'_>, category: &Category, articles: &[Summary]) -> String {
    let w = words(site.locale);
    let name = category.name.in_locale(site.locale);
    let mut main = format!(
        r#"<nav aria-label="{}"><a href="{}">{}</a></nav><h1>{}</h1>"#,
        esc(w.home),
        esc(&home_path(site.locale)),
        esc(w.help_center),
        esc(name)
    );
    if articles.is_empty() {
        let _ = write!(main, "<p>{}</p>", esc(w.no_articles));
    } else {
        article_list(&mut main, site.locale, &articles.iter().collect::<Vec<_>>());
    }
    let frame = Frame {
        title: name.to_owned(),
        description: None,
        path: category_path(site.locale, category.id),
        alternate: Some(category_path(other(site.locale), category.id)),
        no_index: false,
    };
    document(site, &frame, "", &main)
}

/// An article's page, with its vote form (or the thanks, once voted).
pub fn article(site: &Site<'_>, article: &Article, category: Option<&Category>, voted: bool) -> String {
    let w = words(site.locale);
    let mut main = format!(
        r#"<nav aria-label="{}"><a href="{}">{}</a>"#,
        esc(w.home),
        esc(&home_path(site.locale)),
        esc(w.help_center)
    );
    if let Some(category) = category {
        let _ = write!(
            main,
            r#" › <a href="{}">{}</a>"#,
            esc(&category_path(site.locale, category.id)),
            esc(category.name.in_locale(site.locale))
        );
    }
    main.push_str("</nav>");
    let _ = write!(main, "<article><h1>{}</h1>", esc(&article.title));
    let updated = article.updated_at.format("%Y-%m-%d").to_string();
    let _ = write!(
        main,
        r#"<p class="updated">{} <time datetime="{}">{}</time></p>"#,
        esc(w.updated),
        article.updated_at.to_rfc3339(),
        updated
    );
    // Sanitised when it was saved (`markdown::render`).
    let _ = write!(main, r#"<div class="body">{}</div></article>"#, article.body_html);
    if voted {
        let _ =
            write!(main, r#"<section id="feedback" class="feedback"><p role="status">{}</p></section>"#, esc(w.thanks));
    } else {
        let _ = write!(
            main,
            r#"<section id="feedback" class="feedback"><form method="post" action="{action}"><fieldset><legend>{question}</legend><button type="submit" name="helpful" value="yes">{yes}</button> <button type="submit" name="helpful" value="no">{no}</button></fieldset></form></section>"#,
            action = esc(&format!("{}/feedback", article_path(site.locale, &article.slug))),
            question = esc(w.helpful_question),
            yes = esc(w.yes),
            no = esc(w.no),
        );
    }
    let translation = article.translations.iter().find(|t| t.locale == other(site.locale));
    let frame = Frame {
        title: article.title.clone(),
        description: Some(&article.description),
        path: article_path(site.locale, &article.slug),
        alternate: translation.map(|t| article_path(t.locale, &t.slug)),
        no_index: false,
    };
    document(site, &frame, "", &main)
}

/// The results of a search, with their snippets (`Hit::snippet_html`, escaped by `search`).
pub fn results(site: &Site<'_>, query: &str, hits: &[Hit]) -> String {
    let w = words(site.locale);
    let mut main = format!(r"<h1>{} « {} »</h1>", esc(w.results_for), esc(query));
    if hits.is_empty() {
        let _ = write!(main, r#"<p role="status">{}</p>"#, esc(w.no_results));
    } else {
        main.push_str(r#"<ol class="results">"#);
        for hit in hits {
            let _ = write!(
                main,
                r#"<li lang="{}"><a href="{}">{}</a><p>{}</p></li>"#,
                hit.locale.as_str(),
                esc(&article_path(hit.locale, &hit.slug)),
                esc(&hit.title),
                hit.snippet_html
            );
        }
        main.push_str("</ol>");
    }
    let frame = Frame {
        title: format!("{} « {query} »", w.results_for),
        description: None,
        path: search_path(site.locale),
        alternate: None,
        no_index: true,
    };
    document(site, &frame, query, &main)
}

/// The page of an address the help center does not have.
pub fn not_found(site: &Site<'_>) -> String {
    let w = words(site.locale);
    let main = format!(
        r#"<h1>{}</h1><p>{}</p><p><a href="{}">{}</a></p>"#,
        esc(w.not_found_title),
        esc(w.not_found),
        esc(&home_path(site.locale)),
        esc(w.home)
    );
    let frame = Frame {
        title: w.not_found_title.to_owned(),
        description: None,
        path: home_path(site.locale),
        alternate: None,
        no_index: true,
    };
    document(site, &frame, "", &main)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::help_center::articles::{Status, Translation};

    fn article() -> Article {
        Article {
            id: Uuid::nil(),
            slug: "refunds".into(),
            locale: Locale::En,
            title: "Refunds <fast>".into(),
            description: "How \"refunds\" work".into(),
            body: None,
            body_html: "<p>Sent back</p>".into(),
            category_id: None,
            status: Status::Published,
            translations: vec![Translation {
                id: Uuid::nil(),
                locale: Locale::Fr,
                slug: "remboursements".into(),
                title: "Remboursements".into(),
                status: Status::Published,
            }],
            created_at: Utc::now(),
            updated_at: Utc::now(),
            published_at: Some(Utc::now()),
        }
    }

    #[test]
    fn an_article_page_says_what_search_engines_read() {
        let site = Site { origin: "https://acme.example.com", locale: Locale::En };
        let page = super::article(&site, &article(), None, false);
        assert!(page.contains("<html lang=\"en\">"));
        assert!(page.contains("<title>Refunds &lt;fast&gt; – Help center</title>"), "{page}");
        assert!(page.contains(r#"<meta name="description" content="How &quot;refunds&quot; work">"#));
        assert!(page.contains(r#"<link rel="canonical" href="https://acme.example.com/help/en/articles/refunds">"#));
        assert!(page.contains(
            r#"<link rel="alternate" hreflang="fr" href="https://acme.example.com/help/fr/articles/remboursements">"#
        ));
        assert!(page.contains("<p>Sent back</p>") && page.contains(r#"action="/help/en/articles/refunds/feedback""#));
        assert!(!page.contains("<script") && !page.contains("style="));
        let thanked = super::article(&site, &article(), None, true);
        assert!(thanked.contains("Thank you for your feedback.") && !thanked.contains("<form method=\"post\""));
    }

    #[test]
    fn results_are_never_indexed_and_echo_the_query_escaped() {
        let site = Site { origin: "https://acme.example.com", locale: Locale::Fr };
        let page = results(&site, "<b>x</b>", &[]);
        assert!(page.contains(r#"<meta name="robots" content="noindex">"#) && !page.contains("canonical"));
        assert!(page.contains("&lt;b&gt;x&lt;/b&gt;") && !page.contains("<b>x</b>"));
        assert!(page.contains("Aucun article ne contient ces mots"));
    }
}
