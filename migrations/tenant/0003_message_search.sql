-- Ticket search looks into threads too. HTML tags are not indexed (the parser types them as
-- tags, which no configuration maps).
ALTER TABLE ticket_messages
    ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', message)) STORED;
CREATE INDEX ticket_messages_search_idx ON ticket_messages USING gin (search);
