-- Reports (API.md "Reports"): what a ticket's measures need beyond its stored instants, and the
-- mailed digest's settings.

ALTER TABLE support_tickets
    -- The working time, in seconds, from creation to the first public staff reply and to the
    -- last resolution, counted in the hours of the SLA policy that applied when each happened
    -- (`store::refresh_sla`); NULL until then (the resolution's again once reopened).
    ADD COLUMN first_response_business_seconds integer CHECK (first_response_business_seconds >= 0),
    ADD COLUMN resolution_business_seconds integer CHECK (resolution_business_seconds >= 0),
    -- How many times it left `resolved` for a running status.
    ADD COLUMN reopens integer NOT NULL DEFAULT 0 CHECK (reopens >= 0),
    -- Where it came from: the web app (or a person's own client of the API), a mail, or an
    -- integration's API key.
    ADD COLUMN channel text NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'email', 'api'));

-- The tickets of a range of creation, in order, for the reports and their CSV.
CREATE INDEX support_tickets_created_idx ON support_tickets (created_at, id);

-- Existing tickets. Under the versioned default (no schedule) the working time is the wall
-- time; under a policy with a schedule it is measured by the next change of the ticket's clock
-- (until then those tickets are left out of the business-time percentiles).
UPDATE support_tickets SET
    first_response_business_seconds = CASE WHEN first_response_at IS NOT NULL AND sla_schedule_id IS NULL
        THEN greatest(0, floor(extract(epoch FROM first_response_at - created_at)))::integer END,
    resolution_business_seconds = CASE WHEN resolved_at IS NOT NULL AND sla_schedule_id IS NULL
        THEN greatest(0, floor(extract(epoch FROM resolved_at - created_at)))::integer END,
    reopens = (SELECT count(*) FROM ticket_history h
               WHERE h.ticket_id = support_tickets.id AND h.from_status = 'resolved'
                 AND h.to_status IN ('open', 'in_progress', 'waiting_customer'))
WHERE first_response_at IS NOT NULL OR resolved_at IS NOT NULL;

-- Where existing tickets came from: a mail says so in its metadata; an integration's ticket was
-- opened by its row of `users`.
UPDATE support_tickets SET channel = 'email' WHERE metadata->>'channel' = 'email';
UPDATE support_tickets t SET channel = 'api'
FROM ticket_history h JOIN users u ON u.id = h.actor_id
WHERE h.ticket_id = t.id AND h.action = 'created' AND u.role = 'integration' AND t.channel = 'web';

-- The digest: one row, absent until an admin saves it. `sent_through` is the end (a date on
-- the digest's clock) of the last period whose digest was written, or skipped because the
-- settings were saved after its hour: a period is mailed at most once.
CREATE TABLE report_digest (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    frequency    text NOT NULL CHECK (frequency IN ('off', 'daily', 'weekly')),
    weekday      text NOT NULL CHECK (weekday IN ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')),
    hour         smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
    time_zone    text NOT NULL CHECK (char_length(time_zone) BETWEEN 1 AND 64),
    recipients   text[] NOT NULL CHECK (cardinality(recipients) <= 20),
    sent_through date,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
