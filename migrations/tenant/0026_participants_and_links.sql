-- Participants: the addresses copied on a ticket's conversation (`cc`), and the staff who follow
-- it (`follower`). One row per address and ticket, whatever its kind; addresses are kept
-- lower-case. A `cc` without an account is an address with a name; once they write, the contact
-- their mail made is `user_id`.
CREATE TABLE ticket_participants (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   bigint NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('cc', 'follower')),
    email       text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254 AND email = lower(email)),
    name        text NOT NULL DEFAULT '' CHECK (char_length(name) <= 255),
    user_id     uuid REFERENCES users (id),
    -- Who added them (staff, the ticket's customer); null when a mail's `Cc:` did.
    added_by    uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (ticket_id, email),
    CHECK (kind = 'cc' OR user_id IS NOT NULL)
);
CREATE INDEX ticket_participants_email_idx ON ticket_participants (email);
CREATE INDEX ticket_participants_user_idx ON ticket_participants (user_id) WHERE user_id IS NOT NULL;

-- Linked tickets, one row per pair: `parent` says `from_id` is the parent of `to_id`; a
-- `related` pair is kept with the lower id first.
CREATE TABLE ticket_links (
    from_id     bigint NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
    to_id       bigint NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('parent', 'related')),
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (from_id, to_id),
    CHECK (from_id <> to_id),
    CHECK (kind = 'parent' OR from_id < to_id)
);
CREATE UNIQUE INDEX ticket_links_pair_idx ON ticket_links (least(from_id, to_id), greatest(from_id, to_id));
CREATE INDEX ticket_links_to_idx ON ticket_links (to_id);

-- The other people of a conversation a mail names in `Cc:` (each recipient gets their own mail;
-- the header shows who else is on it).
ALTER TABLE mail_deliveries ADD COLUMN cc text[] NOT NULL DEFAULT '{}';
