//! Search over the published articles, each in its own language: PostgreSQL's text search with
//! the help center's English and French configurations (accents folded, then stemmed; migration
//! 0028). Every word must match; when no article has them all, articles with any of them come
//! instead (what a subject typed into the new-ticket form needs). A match in the title ranks
//! above a match in the body alone, then `ts_rank`; snippets come from `ts_headline` over the
//! article's text, escaped here, with the matches in `<mark>`.

use serde::Serialize;
use shared::error::FieldError;
use shared::mail::escape_html;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::locale::Locale;

/// A query's most characters.
pub const QUERY_MAX_CHARS: usize = 200;
/// The most results of one search.
pub const LIMIT_MAX: i64 = 50;
/// Where `ts_headline` marks a match: characters an article's text never holds
/// (`markdown::plain_text` drops control characters), escaped around.
const MARK_START: char = '\u{1}';
const MARK_END: char = '\u{2}';

/// A published article a search found.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = HelpSearchResult)]
pub struct Hit {
    pub id: Uuid,
    pub slug: String,
    pub locale: Locale,
    pub title: String,
    pub description: String,
    pub category_id: Option<Uuid>,
    /// Where the words were found, as HTML: the text escaped, the matches in `<mark>`.
    pub snippet_html: String,
}

/// A query as given, trimmed: 1 to 200 characters.
pub fn query(value: Option<&str>) -> Result<String, FieldError> {
    let value = value.unwrap_or_default().trim();
    if value.is_empty() || value.chars().count() > QUERY_MAX_CHARS || value.contains('\0') {
        return Err(FieldError::new("q", "must be 1 to 200 characters"));
    }
    Ok(value.to_owned())
}

/// `q` as the unanswered searches keep it: lower case, accents folded, spaces collapsed.
pub fn normalised(q: &str) -> String {
    super::markdown::folded(q).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `limit` published articles (in `locale`, or every locale) that match every word
/// of `q`, or any when none matches them all, best first.
pub async fn run(conn: &mut PgConnection, q: &str, locale: Option<Locale>, limit: i64) -> sqlx::Result<Vec<Hit>> {
    let hits = matching(conn, q, locale, limit, false).await?;
    if !hits.is_empty() {
        return Ok(hits);
    }
    matching(conn, q, locale, limit, true).await
}

async fn matching(
    conn: &mut PgConnection,
    q: &str,
    locale: Option<Locale>,
    limit: i64,
    any_word: bool,
) -> sqlx::Result<Vec<Hit>> {
    let options = format!(
        "StartSel=\"{MARK_START}\", StopSel=\"{MARK_END}\", MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \""
    );
    let rows = sqlx::query!(
        r#"WITH asked AS (
             SELECT CASE WHEN $5 THEN (SELECT string_agg(quote_literal(w), ' | ')
                                         FROM unnest(tsvector_to_array(to_tsvector('help_english', $1))) AS w)::tsquery
                         ELSE websearch_to_tsquery('help_english', $1) END AS en,
                    CASE WHEN $5 THEN (SELECT string_agg(quote_literal(w), ' | ')
                                         FROM unnest(tsvector_to_array(to_tsvector('help_french', $1))) AS w)::tsquery
                         ELSE websearch_to_tsquery('help_french', $1) END AS fr
           ), best AS (
             SELECT a.id, a.slug, a.locale, a.title, a.description, a.category_id, a.body_text, a.published_at,
                    CASE a.locale WHEN 'fr' THEN q.fr ELSE q.en END AS query,
                    a.title_search @@ CASE a.locale WHEN 'fr' THEN q.fr ELSE q.en END AS in_title,
                    ts_rank(a.search, CASE a.locale WHEN 'fr' THEN q.fr ELSE q.en END) AS rank
               FROM help_articles a, asked q
              WHERE a.status = 'published' AND ($2::text IS NULL OR a.locale = $2)
                AND ((a.locale = 'en' AND a.search @@ q.en) OR (a.locale = 'fr' AND a.search @@ q.fr))
              ORDER BY in_title DESC, rank DESC, a.published_at DESC, a.id
              LIMIT $3
           )
           SELECT id, slug, locale AS "locale: Locale", title, description, category_id,
                  ts_headline(CASE locale WHEN 'fr' THEN 'help_french'::regconfig ELSE 'help_english'::regconfig END,
                              body_text, query, $4) AS "snippet!"
             FROM best
            ORDER BY in_title DESC, rank DESC, published_at DESC, id"#,
        q,
        locale.map(Locale::as_str),
        limit,
        options,
        any_word,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Hit {
            id: r.id,
            slug: r.slug,
            locale: r.locale,
            title: r.title,
            description: r.description,
            category_id: r.category_id,
            snippet_html: marked(&r.snippet),
        })
        .collect())
}

/// `snippet` as HTML: escaped, with `ts_headline`'s marks as `<mark>`.
fn marked(snippet: &str) -> String {
    escape_html(snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_escaped_around_their_marks() {
        let snippet = "a <script>x</script> \u{1}refund\u{2} & more";
        assert_eq!(marked(snippet), "a &lt;script&gt;x&lt;/script&gt; <mark>refund</mark> &amp; more");
    }

    #[test]
    fn queries_are_bounded() {
        assert_eq!(query(Some("  remboursé ")).unwrap(), "remboursé");
        for bad in [None, Some(""), Some("   "), Some("a\0b")] {
            assert!(query(bad).is_err(), "{bad:?}");
        }
        assert!(query(Some(&"x".repeat(201))).is_err());
        assert!(query(Some(&"x".repeat(200))).is_ok());
    }
}
