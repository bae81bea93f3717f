-- The help center's images, and its search bounded.

-- Images of articles, uploaded by staff with the checks every file passes (kind, size, content,
-- virus scan, the tenant's quota) and stored once per content under the tenant's `help/`
-- prefix: the stored objects' counting (migration 0007's trigger functions, which count any row
-- naming a stored object by its `file_path`) keeps and releases them as it does ticket files.
-- At most 10,000, checked by the service.
CREATE TABLE help_images (
    id            uuid PRIMARY KEY,
    original_name text NOT NULL CHECK (char_length(original_name) BETWEEN 1 AND 255),
    file_path     text NOT NULL REFERENCES stored_objects (file_path),
    mime_type     text NOT NULL CHECK (mime_type LIKE 'image/%'),
    file_size     bigint NOT NULL CHECK (file_size > 0),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    uploaded_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX help_images_list_idx ON help_images (created_at DESC, id DESC);
CREATE INDEX help_images_object_idx ON help_images (file_path);
CREATE TRIGGER help_images_counted AFTER INSERT ON help_images
    FOR EACH ROW EXECUTE FUNCTION ticket_attachments_counted();
CREATE TRIGGER help_images_released AFTER DELETE ON help_images
    FOR EACH ROW EXECUTE FUNCTION ticket_attachments_released();

-- A search ranks a bounded set of candidates (`help_center::search`): in each language, the
-- newest published articles with the words in their title, and the newest with them anywhere.
-- Each set has an index of its own on an expression that is the article's vector when it is
-- published in that language and NULL otherwise: the planner then estimates how many articles of
-- that language hold a word from the expression's own statistics (a word common in English
-- articles is not taken for common in French ones), and follows the publication order
-- (`help_articles_published_idx`) for common words, the text index for rare ones. Articles are
-- written seldom and searched often: the text indexes take each write at once
-- (`fastupdate = off`) rather than keeping a pending list every search would read.
DROP INDEX help_articles_search_idx;
CREATE INDEX help_articles_title_en_idx ON help_articles
    USING gin ((CASE WHEN status = 'published' AND locale = 'en' THEN title_search END)) WITH (fastupdate = off);
CREATE INDEX help_articles_title_fr_idx ON help_articles
    USING gin ((CASE WHEN status = 'published' AND locale = 'fr' THEN title_search END)) WITH (fastupdate = off);
CREATE INDEX help_articles_text_en_idx ON help_articles
    USING gin ((CASE WHEN status = 'published' AND locale = 'en' THEN search END)) WITH (fastupdate = off);
CREATE INDEX help_articles_text_fr_idx ON help_articles
    USING gin ((CASE WHEN status = 'published' AND locale = 'fr' THEN search END)) WITH (fastupdate = off);
CREATE INDEX help_articles_published_idx ON help_articles (locale, published_at DESC, id) WHERE status = 'published';
ANALYZE help_articles;
