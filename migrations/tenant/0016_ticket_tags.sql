-- Tags on tickets: lower-case words a team chooses (`[a-z0-9][a-z0-9_:-]{0,49}`), at most 20 a
-- ticket, kept sorted and distinct by the one ticket write path (`sav::tickets::tags`). On the
-- ticket's row, so that adding and removing happen under the row lock every write takes (two
-- agents tagging at once lose nothing) and a filter reads one GIN index: all of (`@>`), any of
-- (`&&`) and none of (`NOT &&`).
ALTER TABLE support_tickets
    ADD COLUMN tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20);
CREATE INDEX support_tickets_tags_idx ON support_tickets USING gin (tags);
