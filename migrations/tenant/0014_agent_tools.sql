-- Agents' tools: macros (a reply, a status, a priority and an assignment applied in one
-- transaction) and the customers' satisfaction ratings, one per resolution of a ticket.
CREATE TABLE macros (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    -- Plain text with placeholders, filled and escaped when the macro is applied.
    body         text CHECK (char_length(body) BETWEEN 1 AND 20000),
    is_internal  boolean NOT NULL DEFAULT false,
    status       text CHECK (status IN ('open', 'in_progress', 'waiting_customer', 'resolved', 'closed')),
    priority     text CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    -- 'me': the agent applying it; 'nobody': back to the queue; 'member': `assignee`.
    assignment   text CHECK (assignment IN ('me', 'nobody', 'member')),
    assignee     uuid REFERENCES users (id),
    created_by   uuid NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((assignment = 'member') = (assignee IS NOT NULL)),
    CHECK (body IS NOT NULL OR status IS NOT NULL OR priority IS NOT NULL OR assignment IS NOT NULL)
);
CREATE UNIQUE INDEX macros_name_idx ON macros (lower(name));

CREATE TABLE satisfaction_ratings (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    bigint NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
    -- The resolution rated: the ticket's resolved_at (or closed_at when it closed unresolved).
    resolved_at  timestamptz NOT NULL,
    user_id      uuid NOT NULL REFERENCES users (id),
    -- Who had the ticket when it was rated.
    agent_id     uuid REFERENCES users (id),
    rating       smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment      text CHECK (char_length(comment) BETWEEN 1 AND 2000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (ticket_id, resolved_at)
);
CREATE INDEX satisfaction_ratings_created_idx ON satisfaction_ratings (created_at);
CREATE INDEX satisfaction_ratings_user_idx ON satisfaction_ratings (user_id, created_at DESC);
