//! Search over the published articles, each in its own language: PostgreSQL's text search, in
//! English with accents folded then stemmed (`help_english`, migration 0028), in French stemmed
//! then folded (`help_fold` over the French stemmer's lexemes, migration 0035: the stemmer needs
//! the accents). Every word must match; when no article has them all, articles with any of them come
//! instead (what a subject typed into the new-ticket form needs). A match in the title ranks
//! above a match in the body alone, then `ts_rank`, among a bounded set of candidates (migration
//! 0029); snippets come from `ts_headline` over the article's text, escaped here, with the
//! matches in `<mark>`.

use std::sync::LazyLock;

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
/// The most articles a search ranks from each set (in each language, the newest with the words in
/// their title, and the newest with them anywhere). A word most articles hold would otherwise
/// have every one of them read and ranked (about 25 ms for 5,000 here); the articles it finds
/// first are still those with it in their title.
const CANDIDATES: i64 = 100;
/// Snippets are found in the first this many characters of an article's text: `ts_headline`
/// parses what it is given, so an article's length must not decide a search's time.
const SNIPPET_SOURCE_CHARS: i32 = 4_000;
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

/// The search: the asked words as each configuration reads them (every word, websearch syntax;
/// or any word, joined with `|`), the candidates (in each language, the newest articles with
/// the words in their title, then the newest with them anywhere, at most `CANDIDATES` of each:
/// four sets, each with an index of its own, migration 0029), the best of those ranked, then
/// their snippets. A set is taken along the publication order when its words are common and
/// from its text index when they are rare: which is cheaper depends on the words, so the
/// statement is planned with them each time (never prepared once).
static SEARCH: LazyLock<String> = LazyLock::new(|| {
    let sets =
        [("title_search", "en", "fr"), ("title_search", "fr", "en"), ("search", "en", "fr"), ("search", "fr", "en")]
            .map(|(column, locale, other)| candidates(column, locale, other))
            .join("\n  UNION\n");
    format!(
        r"
WITH asked AS NOT MATERIALIZED (
  SELECT CASE WHEN $5 THEN replace(plainto_tsquery('help_english', $1)::text, ' & ', ' | ')::tsquery
              ELSE websearch_to_tsquery('help_english', $1) END AS en,
         help_fold(CASE WHEN $5 THEN replace(plainto_tsquery('pg_catalog.french', $1)::text, ' & ', ' | ')::tsquery
                        ELSE websearch_to_tsquery('pg_catalog.french', $1) END) AS fr
), candidates AS (
{sets}
), best AS (
  SELECT a.id, a.published_at,
         CASE a.locale WHEN 'fr' THEN q.fr ELSE q.en END AS query,
         a.title_search @@ CASE a.locale WHEN 'fr' THEN q.fr ELSE q.en END AS in_title,
         ts_rank(a.search, CASE a.locale WHEN 'fr' THEN q.fr ELSE q.en END) AS rank
    FROM candidates c JOIN help_articles a USING (id), asked q
   ORDER BY in_title DESC, rank DESC, a.published_at DESC, a.id
   LIMIT $3
)
SELECT a.id, a.slug, a.locale, a.title, a.description, a.category_id,
       ts_headline(CASE a.locale WHEN 'fr' THEN 'pg_catalog.french'::regconfig ELSE 'help_english'::regconfig END,
                   left(a.body_text, $7), b.query, $4) AS snippet
  FROM best b JOIN help_articles a USING (id)
 ORDER BY b.in_title DESC, b.rank DESC, b.published_at DESC, b.id"
    )
});

/// One set of candidates: the newest published articles in `locale` (unless the search asks for
/// `other`) whose `column` matches, at most `$6`. The `CASE` is the expression its index holds
/// (migration 0029), written as the index writes it so the planner can use it.
fn candidates(column: &str, locale: &str, other: &str) -> String {
    format!(
        "  (SELECT a.id FROM help_articles a, asked q
    WHERE a.status = 'published' AND a.locale = '{locale}' AND $2::text IS DISTINCT FROM '{other}'
      AND (CASE WHEN a.status = 'published' AND a.locale = '{locale}' THEN a.{column} END) @@ q.{locale}
    ORDER BY a.published_at DESC, a.id LIMIT $6)"
    )
}

#[derive(sqlx::FromRow)]
struct Found {
    id: Uuid,
    slug: String,
    locale: Locale,
    title: String,
    description: String,
    category_id: Option<Uuid>,
    snippet: String,
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
    let rows = sqlx::query_as::<_, Found>(SEARCH.as_str())
        .bind(q)
        .bind(locale.map(Locale::as_str))
        .bind(limit)
        .bind(options)
        .bind(any_word)
        .bind(CANDIDATES)
        .bind(SNIPPET_SOURCE_CHARS)
        .persistent(false)
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
