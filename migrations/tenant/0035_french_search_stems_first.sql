-- French help-center search stems a word before folding its accents, so `endommagée` finds
-- `endommagé` (`help_french` folded them first, and the French stemmer does not know
-- `endommagee`): the vectors and queries of French articles are the French stemmer's, their
-- lexemes then folded by `help_fold`. English keeps `help_english`. `help_french` stays for
-- the app versions of a rollout that still name it.
CREATE FUNCTION help_fold(tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN public.unaccent('public.unaccent'::regdictionary, $1::text)::tsvector;
CREATE FUNCTION help_fold(tsquery) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN public.unaccent('public.unaccent'::regdictionary, $1::text)::tsquery;

ALTER TABLE help_articles DROP COLUMN title_search, DROP COLUMN search;
ALTER TABLE help_articles
    ADD COLUMN title_search tsvector GENERATED ALWAYS AS (
        CASE locale WHEN 'fr' THEN help_fold(to_tsvector('pg_catalog.french'::regconfig, title))
                    ELSE to_tsvector('help_english'::regconfig, title) END
    ) STORED,
    ADD COLUMN search tsvector GENERATED ALWAYS AS (
        CASE locale
            WHEN 'fr' THEN help_fold(setweight(to_tsvector('pg_catalog.french'::regconfig, title), 'A')
                                     || setweight(to_tsvector('pg_catalog.french'::regconfig, body_text), 'B'))
            ELSE setweight(to_tsvector('help_english'::regconfig, title), 'A')
                 || setweight(to_tsvector('help_english'::regconfig, body_text), 'B') END
    ) STORED;
ALTER TABLE help_articles
    ALTER COLUMN search SET STORAGE MAIN,
    ALTER COLUMN title_search SET STORAGE MAIN;

-- The indexes of migration 0029, on the new columns.
CREATE INDEX help_articles_title_en_idx ON help_articles
    USING gin ((CASE WHEN status = 'published' AND locale = 'en' THEN title_search END)) WITH (fastupdate = off);
CREATE INDEX help_articles_title_fr_idx ON help_articles
    USING gin ((CASE WHEN status = 'published' AND locale = 'fr' THEN title_search END)) WITH (fastupdate = off);
CREATE INDEX help_articles_text_en_idx ON help_articles
    USING gin ((CASE WHEN status = 'published' AND locale = 'en' THEN search END)) WITH (fastupdate = off);
CREATE INDEX help_articles_text_fr_idx ON help_articles
    USING gin ((CASE WHEN status = 'published' AND locale = 'fr' THEN search END)) WITH (fastupdate = off);
ANALYZE help_articles;
