-- Typed custom fields: a tenant's own questions about its tickets (`sav::fields`). Admins define
-- them; the one ticket write path checks every value against its definition.
CREATE TABLE ticket_fields (
    key                   text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
    label_en              text NOT NULL CHECK (char_length(label_en) BETWEEN 1 AND 100),
    label_fr              text CHECK (char_length(label_fr) BETWEEN 1 AND 100),
    kind                  text NOT NULL CHECK (kind IN ('text', 'number', 'date', 'checkbox', 'dropdown', 'multiselect')),
    -- Dropdown and multi-select: `[{value, label: {en, fr}}]`, at most 100.
    options               jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(options) = 'array'),
    required_to_resolve   boolean NOT NULL DEFAULT false,
    visible_to_customer   boolean NOT NULL DEFAULT false,
    editable_by_customer  boolean NOT NULL DEFAULT false CHECK (visible_to_customer OR NOT editable_by_customer),
    position              integer NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- A ticket's values, `{key: value}`, set values only (text: a string; number: a number; date:
-- `YYYY-MM-DD`; checkbox: true or false; dropdown: an option's value; multi-select: an array of
-- them). Equality filters read one GIN index (`@>`, a multi-select matching when it holds the
-- value).
ALTER TABLE support_tickets ADD COLUMN fields jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(fields) = 'object');
CREATE INDEX support_tickets_fields_idx ON support_tickets USING gin (fields jsonb_path_ops);

-- Number and date values again, as numbers (a date: days since 1970-01-01), for the range
-- filters (`field.KEY.gte`, `.lte`): one B-tree over (key, value) finds a range of any field.
-- Written by the same write as the ticket's values.
CREATE TABLE ticket_field_ranges (
    key        text NOT NULL REFERENCES ticket_fields (key) ON DELETE CASCADE,
    value      double precision NOT NULL,
    ticket_id  bigint NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
    PRIMARY KEY (key, value, ticket_id)
);
CREATE INDEX ticket_field_ranges_ticket_idx ON ticket_field_ranges (ticket_id);
