-- Ticket numbers count per tenant: the first ticket made from now on is `TKT-1`, then `TKT-2`,
-- and so on. The counter is a row taken in the creating transaction (its lock held until the
-- commit, so concurrent creations get consecutive numbers and a rolled-back one gives its number
-- to the next); tickets that exist keep the `TKT-` and eight characters they were given. The
-- table holds the tenant's counters by name: the ticket numbers are the first of them.
CREATE TABLE tenant_counters (
    name text PRIMARY KEY CHECK (name IN ('ticket_number')),
    last bigint NOT NULL CHECK (last >= 0)
);

INSERT INTO tenant_counters (name, last) VALUES ('ticket_number', 0);
