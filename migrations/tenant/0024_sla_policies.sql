-- SLA policies by condition (API.md "Business hours"): an ordered list, the first whose
-- conditions all match a ticket gives its targets, counted in its schedule's working hours (or
-- 24/7); when none matches, the versioned policy (`sla_policy_versions`) applies as before
-- (`sav::sla_policies`). At most 50, checked by the service.

CREATE TABLE sla_policies (
    position integer PRIMARY KEY CHECK (position >= 0),
    name text NOT NULL,
    -- Each condition: NULL matches every ticket.
    priorities text[],
    team_ids uuid[],
    tags_any text[],
    categories text[],
    vip boolean,
    -- NULL: 24/7. A schedule in use cannot be deleted (409 `schedule_in_use`).
    schedule_id uuid REFERENCES schedules (id) ON DELETE RESTRICT,
    -- {PRIORITY: {response_minutes, next_response_minutes, resolution_minutes}}, for the
    -- priorities it can match, checked on write.
    targets jsonb NOT NULL
);

CREATE UNIQUE INDEX sla_policies_name_key ON sla_policies (lower(name));
CREATE INDEX sla_policies_schedule_idx ON sla_policies (schedule_id) WHERE schedule_id IS NOT NULL;

-- What applied to a ticket when its clock last changed: the matched policy's name, schedule
-- and targets for its priority (all NULL: the versioned default of `sla_version_id`). No
-- foreign key to `schedules`: a ticket keeps the due times it was given under a schedule
-- deleted since (no policy may use a schedule that is deleted), and the next change of its
-- clock matches again.
ALTER TABLE support_tickets
    ADD COLUMN sla_policy text,
    ADD COLUMN sla_schedule_id uuid,
    ADD COLUMN sla_response_minutes integer,
    ADD COLUMN sla_next_response_minutes integer,
    ADD COLUMN sla_resolution_minutes integer,
    -- The next-response target: a round runs from a customer message that follows a public
    -- staff reply until the next public staff reply, when the policy has such a target.
    ADD COLUMN next_response_since timestamptz,
    ADD COLUMN next_response_due_at timestamptz,
    ADD COLUMN next_response_risk_at timestamptz,
    -- When the jobs found the running round missed (cleared when a round starts).
    ADD COLUMN next_response_breached_at timestamptz,
    -- Rounds missed in all; never decreases.
    ADD COLUMN next_response_breaches integer NOT NULL DEFAULT 0;

-- The jobs' fourth probe, as the others (migration 0005): the head of a small partial index.
CREATE INDEX support_tickets_next_response_due_idx ON support_tickets (next_response_due_at)
    WHERE status IN ('open', 'in_progress') AND next_response_due_at IS NOT NULL AND next_response_breached_at IS NULL;

-- A missed next-response round is a breach the badge keeps, as the others (migration 0020).
-- Every existing ticket has none, so the tallies stay as they are.
CREATE OR REPLACE FUNCTION ticket_breach_kept(t support_tickets) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT t.response_breached_at IS NOT NULL OR t.resolution_breached_at IS NOT NULL
        OR coalesce(t.first_response_at > t.response_due_at, false) OR t.next_response_breaches > 0
$$;
