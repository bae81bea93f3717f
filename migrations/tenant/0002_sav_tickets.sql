-- The SAV schema (tickets, their messages, attachments, history), the order references the
-- priority rules read, and the transactional outbox of events.

-- Orders the priority rules look at ("order value > 500 EUR"). Admins upsert rows through
-- PUT /v1/orders/{order_id}; order events fill it later.
CREATE TABLE order_refs (
    order_id     bigint PRIMARY KEY CHECK (order_id > 0),
    user_id      uuid NOT NULL,
    total_cents  bigint NOT NULL CHECK (total_cents >= 0),
    currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status       text NOT NULL CHECK (char_length(status) BETWEEN 1 AND 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_refs_user_idx ON order_refs (user_id);

CREATE TABLE support_tickets (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_number     text NOT NULL UNIQUE,
    -- The customer the ticket is about.
    user_id           uuid NOT NULL REFERENCES users (id),
    subject           text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
    description       text NOT NULL CHECK (char_length(description) <= 20000),
    priority          text NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    status            text NOT NULL DEFAULT 'open'
                      CHECK (status IN ('open', 'in_progress', 'waiting_customer', 'resolved', 'closed')),
    category          text CHECK (char_length(category) BETWEEN 1 AND 64),
    assigned_to       uuid REFERENCES users (id),
    order_id          bigint,
    metadata          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    -- The SLA clock as of the last change: exact while the clock runs (open, in_progress),
    -- recomputed from the history whenever the status or the priority changes.
    response_due_at   timestamptz NOT NULL,
    resolution_due_at timestamptz NOT NULL,
    first_response_at timestamptz,
    resolved_at       timestamptz,
    closed_at         timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- Full-text search: a ticket and its thread are one document, as each side may see it.
    -- The words of the thread (without positions) are kept by the message endpoint: public
    -- messages for customers, every message including internal notes for staff. The subject
    -- weighs more than the description. 'simple' does not stem: tenants write in many
    -- languages. HTML tags are not indexed.
    thread_public     tsvector NOT NULL DEFAULT ''::tsvector,
    thread_staff      tsvector NOT NULL DEFAULT ''::tsvector,
    search_public     tsvector GENERATED ALWAYS AS (
                          setweight(to_tsvector('simple', subject), 'A')
                          || setweight(to_tsvector('simple', description), 'B') || thread_public) STORED,
    search_staff      tsvector GENERATED ALWAYS AS (
                          setweight(to_tsvector('simple', subject), 'A')
                          || setweight(to_tsvector('simple', description), 'B') || thread_staff) STORED,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
-- Single-column indexes of the seed that a composite below does not already lead with.
CREATE INDEX support_tickets_user_idx ON support_tickets (user_id, id DESC);
CREATE INDEX support_tickets_priority_idx ON support_tickets (priority, id DESC);
CREATE INDEX support_tickets_order_idx ON support_tickets (order_id) WHERE order_id IS NOT NULL;
-- The seed's composite suggestions, ending in id for keyset pagination (newest first).
CREATE INDEX support_tickets_status_priority_idx ON support_tickets (status, priority, id DESC);
CREATE INDEX support_tickets_assignee_status_idx ON support_tickets (assigned_to, status, id DESC);
CREATE INDEX support_tickets_unassigned_idx ON support_tickets (id DESC) WHERE assigned_to IS NULL;
-- The repeat-issue rule: tickets of one customer in one category.
CREATE INDEX support_tickets_user_category_idx ON support_tickets (user_id, category) WHERE category IS NOT NULL;
CREATE INDEX support_tickets_category_idx ON support_tickets (category, id DESC) WHERE category IS NOT NULL;
CREATE INDEX support_tickets_search_public_idx ON support_tickets USING gin (search_public);
CREATE INDEX support_tickets_search_staff_idx ON support_tickets USING gin (search_staff);
-- The SLA summary reads running clocks only.
CREATE INDEX support_tickets_running_idx ON support_tickets (resolution_due_at)
    WHERE status IN ('open', 'in_progress');

CREATE TABLE ticket_messages (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    bigint NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
    sender_id    uuid NOT NULL REFERENCES users (id),
    sender_type  text NOT NULL CHECK (sender_type IN ('customer', 'agent')),
    message      text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 20000),
    is_internal  boolean NOT NULL DEFAULT false,
    -- When the other side (customer or staff) first read it.
    read_at      timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT (is_internal AND sender_type = 'customer'))
);
CREATE INDEX ticket_messages_thread_idx ON ticket_messages (ticket_id, created_at, id);
CREATE INDEX ticket_messages_sender_idx ON ticket_messages (sender_id);
-- Unread counts: messages nobody on the receiving side has read yet.
CREATE INDEX ticket_messages_unread_idx ON ticket_messages (ticket_id, sender_type) WHERE read_at IS NULL;

CREATE TABLE ticket_attachments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id      bigint NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
    message_id     bigint REFERENCES ticket_messages (id) ON DELETE CASCADE,
    original_name  text NOT NULL CHECK (char_length(original_name) BETWEEN 1 AND 255),
    filename       text NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 255),
    file_path      text NOT NULL CHECK (char_length(file_path) BETWEEN 1 AND 1024),
    mime_type      text NOT NULL CHECK (char_length(mime_type) BETWEEN 1 AND 255),
    file_size      bigint NOT NULL CHECK (file_size >= 0),
    uploaded_by    uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_attachments_ticket_idx ON ticket_attachments (ticket_id, message_id);
CREATE INDEX ticket_attachments_message_idx ON ticket_attachments (message_id) WHERE message_id IS NOT NULL;

-- Every change to a ticket, append-only: who (null for the system), what, from which status to
-- which, why, and the fields that changed ({"field": [old, new]}).
CREATE TABLE ticket_history (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    bigint NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
    actor_id     uuid REFERENCES users (id),
    actor_kind   text NOT NULL CHECK (actor_kind IN ('agent', 'customer', 'system')),
    action       text NOT NULL CHECK (action IN ('created', 'status_changed', 'assigned', 'updated')),
    from_status  text,
    to_status    text,
    reason       text CHECK (char_length(reason) <= 1000),
    changes      jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_history_ticket_idx ON ticket_history (ticket_id, id);

-- Events written in the same transaction as the change they describe; a relay publishes them
-- to RabbitMQ (sav_exchange) and marks them sent. Nothing is published for a rolled-back change.
CREATE TABLE outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id    uuid NOT NULL UNIQUE,
    routing_key   text NOT NULL,
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE published_at IS NULL;
