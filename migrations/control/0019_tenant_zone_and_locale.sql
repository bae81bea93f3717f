-- An organisation's time zone (IANA, `UTC` by default: its reports and digests count its days
-- in it) and its default language (`en` or `fr`, the languages the platform speaks), set by its
-- owners and admins (`PATCH /v1/tenants/{slug}`).
ALTER TABLE tenants
    ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (char_length(time_zone) BETWEEN 1 AND 64),
    ADD COLUMN default_locale text NOT NULL DEFAULT 'en' CHECK (default_locale IN ('en', 'fr'));
