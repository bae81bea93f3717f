-- Email in: a lease on reading a received mail. Two tries must never read the same mail at once
-- (a relay posting it again while the first try still reads it, a late retry beside the sweep):
-- each try takes the lease first, and the sweep reads again only mail whose lease has run out,
-- which is mail a crash left 'received'.
ALTER TABLE inbound_emails ADD COLUMN read_until timestamptz;
DROP INDEX inbound_emails_unsettled_idx;
CREATE INDEX inbound_emails_unsettled_idx ON inbound_emails (read_until) WHERE outcome = 'received';
