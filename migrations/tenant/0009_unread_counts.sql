-- Each ticket's unread public messages, kept on the ticket by the messages' own trigger instead
-- of counted for every list and every ticket read (the counts were a third of a list of 50's
-- cost: BENCHMARKS.md, "Live updates"). A message counts while its read_at is null: a public
-- message from staff for the customer, any message from the customer for staff (customers
-- never write internal notes).
--
-- Expand and backfill: app-api versions that still count the messages themselves keep working.

ALTER TABLE support_tickets
    ADD COLUMN unread_from_agent integer NOT NULL DEFAULT 0 CHECK (unread_from_agent >= 0),
    ADD COLUMN unread_from_customer integer NOT NULL DEFAULT 0 CHECK (unread_from_customer >= 0);

CREATE FUNCTION ticket_messages_unread_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.read_at IS NULL THEN
        UPDATE support_tickets
           SET unread_from_agent = unread_from_agent - (OLD.sender_type = 'agent' AND NOT OLD.is_internal)::int,
               unread_from_customer = unread_from_customer - (OLD.sender_type = 'customer')::int
         WHERE id = OLD.ticket_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.read_at IS NULL THEN
        UPDATE support_tickets
           SET unread_from_agent = unread_from_agent + (NEW.sender_type = 'agent' AND NOT NEW.is_internal)::int,
               unread_from_customer = unread_from_customer + (NEW.sender_type = 'customer')::int
         WHERE id = NEW.ticket_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER ticket_messages_unread_counted AFTER INSERT OR DELETE ON ticket_messages
    FOR EACH ROW EXECUTE FUNCTION ticket_messages_unread_counted();
-- Only what moves a message in or out of a count: being read, or moved to another ticket (a
-- merge). Erasure rewrites the text alone and costs nothing here.
CREATE TRIGGER ticket_messages_unread_moved AFTER UPDATE OF read_at, ticket_id, is_internal, sender_type
    ON ticket_messages
    FOR EACH ROW
    WHEN (OLD.read_at IS DISTINCT FROM NEW.read_at OR OLD.ticket_id <> NEW.ticket_id
          OR OLD.is_internal <> NEW.is_internal OR OLD.sender_type <> NEW.sender_type)
    EXECUTE FUNCTION ticket_messages_unread_counted();

UPDATE support_tickets t
   SET unread_from_agent = m.from_agent, unread_from_customer = m.from_customer
  FROM (SELECT ticket_id,
               count(*) FILTER (WHERE sender_type = 'agent' AND NOT is_internal) AS from_agent,
               count(*) FILTER (WHERE sender_type = 'customer') AS from_customer
          FROM ticket_messages WHERE read_at IS NULL GROUP BY ticket_id) m
 WHERE t.id = m.ticket_id;
