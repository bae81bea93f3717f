-- Answers to requests sent with an `Idempotency-Key` (the bulk status change), kept 24 hours so
-- a retry gets the same answer instead of acting twice. `answer` is null while the first
-- request runs.
CREATE TABLE idempotent_requests (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    -- What was asked (the endpoint and a digest of the body): the key cannot be reused for
    -- another request.
    request      text NOT NULL,
    answer       jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotent_requests_created_idx ON idempotent_requests (created_at);

-- A merged ticket points at the ticket it was merged into (its thread moved there); the
-- target's sources are the tickets that point at it.
ALTER TABLE support_tickets ADD COLUMN merged_into bigint REFERENCES support_tickets (id);
CREATE INDEX support_tickets_merged_into_idx ON support_tickets (merged_into) WHERE merged_into IS NOT NULL;
