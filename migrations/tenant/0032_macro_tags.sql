-- Macros add tags (`add_tags`, at most 20, each as a ticket's tags are written), and a macro may
-- do only that: the "something to do" check counts them.
ALTER TABLE macros ADD COLUMN add_tags text[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(add_tags) <= 20);

ALTER TABLE macros DROP CONSTRAINT macros_check1;
ALTER TABLE macros ADD CONSTRAINT macros_does_something CHECK (
    body IS NOT NULL OR status IS NOT NULL OR priority IS NOT NULL OR assignment IS NOT NULL
    OR cardinality(add_tags) > 0
);
