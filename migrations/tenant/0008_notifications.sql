-- Notifications: who is told of each SAV event, in the web app (the bell) and by mail.
--
-- The notification worker reads each event from the broker and writes its rows here in one
-- transaction before it acks the message: one in-app row per (event, recipient) and one mail
-- delivery per (event, recipient), each unique, so a redelivered event writes nothing twice.
-- Senders claim due deliveries with FOR UPDATE SKIP LOCKED.

-- Whether the member's address is proven: self-registered customers are not until they follow
-- the link mailed to them (control-api mirrors it); no notification mail goes to an address
-- that is not. Everyone else joined through a mailed invitation or signed the organisation up.
ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT true;

-- A person's choices: a kind of notification switched off on a channel has a row with
-- enabled = false (or true, over a default that is off); no row means the role's default.
CREATE TABLE notification_settings (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel     text NOT NULL CHECK (channel IN ('email', 'in_app')),
    kind        text NOT NULL CHECK (kind IN ('ticket_created', 'ticket_assigned', 'message_added',
                                              'status_changed', 'ticket_resolved', 'sla_breach')),
    enabled     boolean NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, channel, kind)
);

-- The language mail is written in, per person (the web app sets it with the preferences).
CREATE TABLE notification_languages (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    language    text NOT NULL CHECK (language IN ('en', 'fr')),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The bell.
CREATE TABLE notifications (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    uuid NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    ticket_id   bigint REFERENCES support_tickets (id) ON DELETE CASCADE,
    title       text NOT NULL CHECK (char_length(title) <= 500),
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz,
    UNIQUE (event_id, user_id)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- Mail to send, and what became of it. The mail is written out when the event is read (subject,
-- bodies, threading headers), so a sender needs nothing else and what was sent is what was
-- decided at the time.
CREATE TABLE mail_deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        uuid NOT NULL,
    user_id         uuid REFERENCES users (id) ON DELETE CASCADE,
    kind            text NOT NULL,
    ticket_id       bigint REFERENCES support_tickets (id) ON DELETE CASCADE,
    address         text NOT NULL,
    language        text NOT NULL,
    -- Our Message-ID, and the ids of the earlier mail of the conversation (oldest first).
    message_id      text NOT NULL UNIQUE,
    in_reply_to     text,
    refs            text[] NOT NULL DEFAULT '{}',
    subject         text NOT NULL,
    text_body       text NOT NULL,
    html_body       text NOT NULL,
    unsubscribe_url text,
    reply_to        text,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'suppressed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (event_id, user_id)
);
-- What senders claim: due deliveries, oldest first; and the earlier pending mail of the same
-- conversation, which goes first.
CREATE INDEX mail_deliveries_due_idx ON mail_deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX mail_deliveries_thread_idx ON mail_deliveries (ticket_id, address, id);

-- Addresses that bounced for good: no more mail goes to them from this organisation.
CREATE TABLE mail_suppressions (
    address     text PRIMARY KEY CHECK (address = lower(address)),
    reason      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
