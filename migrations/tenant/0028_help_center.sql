-- The help center (API.md "Help center"): articles written by staff in Markdown, kept with the
-- sanitised HTML rendered from it once on save (`help_center::markdown`), grouped in categories,
-- one locale each and linked to their translation; searched in their own language with accents
-- folded; and what customers do with them (views, votes, suggestions, searches that found
-- nothing), counted by day.

-- Accents folded before stemming, so `rembourse` finds `remboursé`: the English and French
-- configurations, each with `unaccent` in front of its stemmer.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION help_english (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION help_english
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION help_french (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION help_french
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;

-- At most 200, checked by the service.
CREATE TABLE help_categories (
    id         uuid PRIMARY KEY,
    name_en    text NOT NULL CHECK (char_length(name_en) BETWEEN 1 AND 100),
    name_fr    text CHECK (char_length(name_fr) BETWEEN 1 AND 100),
    position   integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX help_categories_order_idx ON help_categories (position, id);

-- At most 20,000, checked by the service. `family` groups an article with its translations (at
-- most one per locale); `body_text` is what the HTML says, for search and snippets.
CREATE TABLE help_articles (
    id           uuid PRIMARY KEY,
    family       uuid NOT NULL,
    locale       text NOT NULL CHECK (locale IN ('en', 'fr')),
    slug         text NOT NULL UNIQUE
                 CHECK (char_length(slug) <= 100 AND slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title        text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description  text NOT NULL,
    body         text NOT NULL,
    body_html    text NOT NULL,
    body_text    text NOT NULL,
    category_id  uuid REFERENCES help_categories (id) ON DELETE SET NULL,
    status       text NOT NULL CHECK (status IN ('draft', 'published')),
    author_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    title_search tsvector GENERATED ALWAYS AS (
        to_tsvector(CASE locale WHEN 'fr' THEN 'help_french'::regconfig ELSE 'help_english'::regconfig END, title)
    ) STORED,
    search       tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(CASE locale WHEN 'fr' THEN 'help_french'::regconfig ELSE 'help_english'::regconfig END, title), 'A')
        || setweight(to_tsvector(CASE locale WHEN 'fr' THEN 'help_french'::regconfig ELSE 'help_english'::regconfig END, body_text), 'B')
    ) STORED,
    CONSTRAINT help_articles_family_locale_key UNIQUE (family, locale),
    CHECK ((status = 'published') = (published_at IS NOT NULL))
);
-- A search reads the vectors of every article it matches (to rank them): kept in the row, the long
-- texts moved out of it first (a vector fetched from the TOAST table costs a lookup each, which
-- tripled a search matching half the articles).
ALTER TABLE help_articles
    ALTER COLUMN search SET STORAGE MAIN,
    ALTER COLUMN title_search SET STORAGE MAIN;
CREATE INDEX help_articles_search_idx ON help_articles USING gin (search) WHERE status = 'published';
CREATE INDEX help_articles_list_idx ON help_articles (locale, updated_at DESC, id DESC);
CREATE INDEX help_articles_category_idx ON help_articles (category_id);

-- What readers did with an article, by day (UTC).
CREATE TABLE help_article_days (
    article_id      uuid NOT NULL REFERENCES help_articles (id) ON DELETE CASCADE,
    day             date NOT NULL,
    views           integer NOT NULL DEFAULT 0,
    suggested_views integer NOT NULL DEFAULT 0,
    helpful         integer NOT NULL DEFAULT 0,
    not_helpful     integer NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, day)
);
CREATE INDEX help_article_days_day_idx ON help_article_days (day);

-- Who voted on an article today: a person (`user:<id>`) or an address's keyed digest, never the
-- address itself. A voter's rows of earlier days are dropped by their next vote on the article.
CREATE TABLE help_votes (
    article_id uuid NOT NULL REFERENCES help_articles (id) ON DELETE CASCADE,
    voter      text NOT NULL CHECK (char_length(voter) <= 100),
    day        date NOT NULL,
    PRIMARY KEY (article_id, voter, day)
);

-- An article a signed-in customer opened from the new-ticket form's suggestions: a deflection
-- when no ticket of theirs follows within 30 minutes.
CREATE TABLE help_suggested_views (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id uuid NOT NULL REFERENCES help_articles (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at         timestamptz NOT NULL
);
CREATE INDEX help_suggested_views_at_idx ON help_suggested_views (at);

-- Searches by customers and visitors that found nothing, normalised (lower case, spaces
-- collapsed), by day: at most 1,000 a day, checked by the service.
CREATE TABLE help_unanswered_searches (
    query  text NOT NULL CHECK (char_length(query) BETWEEN 1 AND 200),
    locale text NOT NULL CHECK (locale IN ('any', 'en', 'fr')),
    day    date NOT NULL,
    count  integer NOT NULL DEFAULT 1,
    PRIMARY KEY (day, query, locale)
);
