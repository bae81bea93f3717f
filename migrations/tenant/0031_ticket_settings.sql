-- The organisation's ticket settings (`GET/PATCH /v1/ticket-settings`): one row, always there.
-- `agent_ticket_access`: which tickets agents see and work. `all` (the default): every ticket,
-- as admins do; `teams`: their own, every ticket of their teams whoever holds it, and the
-- unassigned tickets of no team; `assigned`: their own.

CREATE TABLE ticket_settings (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    agent_ticket_access text NOT NULL DEFAULT 'all' CHECK (agent_ticket_access IN ('all', 'teams', 'assigned')),
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO ticket_settings DEFAULT VALUES;
