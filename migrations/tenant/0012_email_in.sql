-- Email in (DESIGN.md "Email in"): mail received by the tenant (posted by its mail server, or
-- fetched from its mailbox), what became of each, and the mailbox.

-- Every mail received, once: its original kept in the blob store before anything is parsed, and
-- its outcome. A mail that arrives twice (the same `dedupe_key`) is answered from its first row.
CREATE TABLE inbound_emails (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source        text NOT NULL CHECK (source IN ('api', 'imap')),
    blob_key      text NOT NULL CHECK (char_length(blob_key) BETWEEN 1 AND 1024),
    size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),
    -- SHA-256 of its `Message-ID` with the bytes after its header (a relay adds header fields,
    -- not body bytes), or of the whole message when it has no `Message-ID`: a sender reusing a
    -- `Message-ID` for other content is not taken for a duplicate.
    dedupe_key    bytea NOT NULL UNIQUE,
    message_id_header text CHECK (char_length(message_id_header) <= 998),
    from_address  text NOT NULL DEFAULT '' CHECK (char_length(from_address) <= 320),
    from_name     text NOT NULL DEFAULT '' CHECK (char_length(from_name) <= 255),
    subject       text NOT NULL DEFAULT '' CHECK (char_length(subject) <= 998),
    -- 'received' while it is being read (a crash leaves it there: the sweep reads it again).
    outcome       text NOT NULL DEFAULT 'received'
                  CHECK (outcome IN ('received', 'created', 'appended', 'quarantined', 'ignored', 'released', 'discarded')),
    -- Why it was quarantined or ignored: dmarc_fail, staff_spoof, unknown_sender, auto_reply,
    -- bounce, own_mail, unreadable, empty, refused.
    reason        text CHECK (char_length(reason) <= 64),
    ticket_id     bigint REFERENCES support_tickets (id) ON DELETE SET NULL,
    message_id    bigint REFERENCES ticket_messages (id) ON DELETE SET NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    settled_at    timestamptz,
    settled_by    uuid REFERENCES users (id)
);
CREATE INDEX inbound_emails_recent_idx ON inbound_emails (id DESC);
CREATE INDEX inbound_emails_quarantined_idx ON inbound_emails (id DESC) WHERE outcome = 'quarantined';
CREATE INDEX inbound_emails_unsettled_idx ON inbound_emails (received_at) WHERE outcome = 'received';
CREATE INDEX inbound_emails_ticket_idx ON inbound_emails (ticket_id, reason) WHERE ticket_id IS NOT NULL;

-- Where a message came from: the web app, a mail, or an integration's API key.
ALTER TABLE ticket_messages
    ADD COLUMN channel text NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'email', 'api')),
    ADD COLUMN inbound_email_id bigint REFERENCES inbound_emails (id) ON DELETE SET NULL;

-- The tenant's mailbox, fetched over IMAP (at most one). Its password is sealed (AES-256-GCM
-- under app-api's mailbox-passwords key, the tenant's id as associated data). `uid_validity`
-- and `last_uid` say what was fetched: a new UIDVALIDITY starts the folder over, and mail seen
-- before is recognised by its dedupe key.
CREATE TABLE email_channel (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    imap_url         text NOT NULL CHECK (char_length(imap_url) <= 2000),
    username         text NOT NULL CHECK (char_length(username) BETWEEN 1 AND 320),
    password_sealed  bytea NOT NULL,
    folder           text NOT NULL DEFAULT 'INBOX' CHECK (char_length(folder) BETWEEN 1 AND 255),
    authserv_id      text CHECK (char_length(authserv_id) BETWEEN 1 AND 255),
    -- Mail from an unknown address opens a ticket for a new customer account; else it is
    -- quarantined.
    create_customers boolean NOT NULL DEFAULT true,
    uid_validity     bigint,
    last_uid         bigint,
    last_fetch_at    timestamptz,
    last_error       text CHECK (char_length(last_error) <= 1000),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
