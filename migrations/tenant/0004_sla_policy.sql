-- The tenant's SLA policy: response and resolution targets per priority and the two auto-close
-- delays, in whole minutes. Each change is a new version, never changed afterwards; the current
-- policy is the newest version. Every ticket keeps the version it was created under, so a change
-- applies to tickets created afterwards, and a running ticket whose priority changes (an agent's
-- override, a response breach) finds the new priority's targets in its own version.
CREATE TABLE sla_policy_versions (
    id                                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    low_response_minutes                integer NOT NULL,
    low_resolution_minutes              integer NOT NULL,
    medium_response_minutes             integer NOT NULL,
    medium_resolution_minutes           integer NOT NULL,
    high_response_minutes               integer NOT NULL,
    high_resolution_minutes             integer NOT NULL,
    urgent_response_minutes             integer NOT NULL,
    urgent_resolution_minutes           integer NOT NULL,
    -- How long a ticket waits for the customer, and stays resolved, before it closes.
    auto_close_waiting_customer_minutes integer NOT NULL CHECK (auto_close_waiting_customer_minutes BETWEEN 1 AND 525600),
    auto_close_resolved_minutes         integer NOT NULL CHECK (auto_close_resolved_minutes BETWEEN 1 AND 525600),
    created_at                          timestamptz NOT NULL DEFAULT now(),
    -- From 1 minute to a year (525,600 minutes), the response within the resolution.
    CHECK (1 <= low_response_minutes AND low_response_minutes <= low_resolution_minutes
           AND low_resolution_minutes <= 525600),
    CHECK (1 <= medium_response_minutes AND medium_response_minutes <= medium_resolution_minutes
           AND medium_resolution_minutes <= 525600),
    CHECK (1 <= high_response_minutes AND high_response_minutes <= high_resolution_minutes
           AND high_resolution_minutes <= 525600),
    CHECK (1 <= urgent_response_minutes AND urgent_response_minutes <= urgent_resolution_minutes
           AND urgent_resolution_minutes <= 525600)
);

-- A version is what the tickets created under it were promised: it never changes and never goes.
CREATE FUNCTION sla_policy_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'SLA policy versions do not change: insert a new version instead';
END
$$;
CREATE TRIGGER sla_policy_versions_immutable BEFORE UPDATE OR DELETE ON sla_policy_versions
    FOR EACH ROW EXECUTE FUNCTION sla_policy_versions_immutable();

-- Version 1: the seed's grid (low 48 h / 7 days, medium 24 h / 3 days, high 4 h / 1 day,
-- urgent 1 h / 4 h; waiting_customer closes after 7 days, resolved after 24 h), the policy of
-- every tenant until an admin changes it, and of every ticket created before this migration.
INSERT INTO sla_policy_versions (
    low_response_minutes, low_resolution_minutes, medium_response_minutes, medium_resolution_minutes,
    high_response_minutes, high_resolution_minutes, urgent_response_minutes, urgent_resolution_minutes,
    auto_close_waiting_customer_minutes, auto_close_resolved_minutes)
VALUES (2880, 10080, 1440, 4320, 240, 1440, 60, 240, 10080, 1440);

-- The version each ticket runs under. A constant default fills existing rows without rewriting
-- the table (the backfill), and covers tickets written by an app-api from before this migration
-- during a rollout: those compute their due dates from the seed's grid, which version 1 is.
ALTER TABLE support_tickets
    ADD COLUMN sla_version_id bigint NOT NULL DEFAULT 1 REFERENCES sla_policy_versions (id);

-- One row per version and priority, for statements that need the targets of a ticket's own
-- priority: `JOIN sla_policy_targets p ON p.version_id = t.sla_version_id AND p.priority = t.priority`.
CREATE VIEW sla_policy_targets AS
SELECT v.id AS version_id, x.priority, x.response_minutes, x.resolution_minutes
FROM sla_policy_versions v
CROSS JOIN LATERAL (VALUES ('low', v.low_response_minutes, v.low_resolution_minutes),
                           ('medium', v.medium_response_minutes, v.medium_resolution_minutes),
                           ('high', v.high_response_minutes, v.high_resolution_minutes),
                           ('urgent', v.urgent_response_minutes, v.urgent_resolution_minutes))
    AS x (priority, response_minutes, resolution_minutes);
