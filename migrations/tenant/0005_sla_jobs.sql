-- What the scheduled SAV jobs need: when a ticket closes on its own (auto_close_at, set while it
-- waits for the customer or is resolved, from its policy version's delays), and when each of its
-- SLA targets was found breached (once per ticket and kind, never cleared).
ALTER TABLE support_tickets
    ADD COLUMN auto_close_at          timestamptz,
    ADD COLUMN response_breached_at   timestamptz,
    ADD COLUMN resolution_breached_at timestamptz;

-- Backfill: tickets waiting for the customer close a delay after they last entered that status;
-- resolved tickets a delay after their resolution.
UPDATE support_tickets t
SET auto_close_at = CASE t.status
        WHEN 'waiting_customer' THEN
            (SELECT max(h.created_at) FROM ticket_history h
             WHERE h.ticket_id = t.id AND h.to_status = 'waiting_customer')
            + make_interval(mins => v.auto_close_waiting_customer_minutes)
        ELSE t.resolved_at + make_interval(mins => v.auto_close_resolved_minutes)
    END
FROM sla_policy_versions v
WHERE v.id = t.sla_version_id AND t.status IN ('waiting_customer', 'resolved');

-- A breach is a history entry of its own.
ALTER TABLE ticket_history DROP CONSTRAINT ticket_history_action_check;
ALTER TABLE ticket_history ADD CONSTRAINT ticket_history_action_check
    CHECK (action IN ('created', 'status_changed', 'assigned', 'updated', 'sla_breached'));

-- What the jobs look for, each the head of a small partial index: the tenant's next due time
-- is three index probes, and the due tickets three range scans, however many tickets it holds.
CREATE INDEX support_tickets_response_due_idx ON support_tickets (response_due_at)
    WHERE status IN ('open', 'in_progress') AND first_response_at IS NULL AND response_breached_at IS NULL;
CREATE INDEX support_tickets_resolution_due_idx ON support_tickets (resolution_due_at)
    WHERE status IN ('open', 'in_progress') AND resolution_breached_at IS NULL;
CREATE INDEX support_tickets_auto_close_idx ON support_tickets (auto_close_at) WHERE auto_close_at IS NOT NULL;
