-- Tickets staff open for a customer on the phone (or at the counter): `phone` joins the
-- channels a ticket and a message come from.
ALTER TABLE support_tickets DROP CONSTRAINT support_tickets_channel_check;
ALTER TABLE support_tickets ADD CONSTRAINT support_tickets_channel_check
    CHECK (channel IN ('web', 'email', 'api', 'phone'));
ALTER TABLE ticket_messages DROP CONSTRAINT ticket_messages_channel_check;
ALTER TABLE ticket_messages ADD CONSTRAINT ticket_messages_channel_check
    CHECK (channel IN ('web', 'email', 'api', 'phone'));

-- The list's `?channel=` filter.
CREATE INDEX support_tickets_channel_idx ON support_tickets (channel, created_at DESC) WHERE channel <> 'web';
