-- Ticket numbers count per tenant: the first ticket made from now on is `TKT-1`, then `TKT-2`,
-- and so on, never one number twice. The counter is a row, raised by a statement of its own just
-- before the creating transaction (`sav::tickets::store::take_ticket_number`); tickets that exist
-- keep the `TKT-` and eight characters they were given. The table holds the tenant's counters by
-- name: the ticket numbers are the first of them.
CREATE TABLE tenant_counters (
    name text PRIMARY KEY CHECK (name IN ('ticket_number')),
    last bigint NOT NULL CHECK (last >= 0)
);

INSERT INTO tenant_counters (name, last) VALUES ('ticket_number', 0);
