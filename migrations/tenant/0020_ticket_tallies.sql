-- How many tickets hold each combination of the properties views and tag counts most often
-- filter on (status, priority, team, assignee, category, and whether an SLA target is recorded
-- missed or was answered late), once for the tickets themselves
-- (`tag` empty) and once for each of their tags: an index of counts, kept by the database
-- itself so that no write can miss it. `GET /v1/views/counts` and `GET /v1/tags` sum these rows
-- instead of counting tickets (`sav::tickets::tallies`).
--
-- A change adds rows and never updates one: -1 for what the ticket was, +1 for what it is, in
-- the change's own transaction, so concurrent writes never wait for each other here and a
-- count read in one statement is exact. The rows of a combination are folded into one now and
-- then (`tallies::fold`: delete them and insert their sum, in one statement).
CREATE TABLE ticket_tallies (
    tag         text NOT NULL,
    status      text NOT NULL,
    priority    text NOT NULL,
    team_id     uuid,
    assigned_to uuid,
    category    text,
    -- `ticket_breach_kept`: the part of the SLA badge's "breached" that a write decides.
    breached    boolean NOT NULL,
    n           bigint NOT NULL,
    -- A fold's sum (true), or a change's +1 or -1 since.
    folded      boolean NOT NULL DEFAULT false
);

-- A target recorded missed (by the jobs, or when a clock stopped past it), or the response
-- given late: what the badge calls breached, but for a running clock past a due time the jobs
-- have not reached yet (which time alone decides: counted over the tickets).
CREATE FUNCTION ticket_breach_kept(t support_tickets) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT t.response_breached_at IS NOT NULL OR t.resolution_breached_at IS NOT NULL
        OR coalesce(t.first_response_at > t.response_due_at, false)
$$;

-- Rows inserted or deleted, a statement at a time (a bulk insert adds one row per combination):
-- each ticket counts once for itself (tag '') and once for each of its tags.
CREATE FUNCTION ticket_tallies_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_tallies (tag, status, priority, team_id, assigned_to, category, breached, n)
    SELECT tag, a.status, a.priority, a.team_id, a.assigned_to, a.category, ticket_breach_kept(a), count(*)
    FROM added a, unnest(array_prepend('', a.tags)) AS tag
    GROUP BY 1, 2, 3, 4, 5, 6, 7;
    RETURN NULL;
END $$;

CREATE FUNCTION ticket_tallies_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_tallies (tag, status, priority, team_id, assigned_to, category, breached, n)
    SELECT tag, r.status, r.priority, r.team_id, r.assigned_to, r.category, ticket_breach_kept(r), -count(*)
    FROM removed r, unnest(array_prepend('', r.tags)) AS tag
    GROUP BY 1, 2, 3, 4, 5, 6, 7;
    RETURN NULL;
END $$;

-- A row changed in what the tallies hold (most writes do not: a message, a due date).
CREATE FUNCTION ticket_tallies_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_tallies (tag, status, priority, team_id, assigned_to, category, breached, n)
    SELECT tag, OLD.status, OLD.priority, OLD.team_id, OLD.assigned_to, OLD.category, ticket_breach_kept(OLD), -1
    FROM unnest(array_prepend('', OLD.tags)) AS tag
    UNION ALL
    SELECT tag, NEW.status, NEW.priority, NEW.team_id, NEW.assigned_to, NEW.category, ticket_breach_kept(NEW), 1
    FROM unnest(array_prepend('', NEW.tags)) AS tag;
    RETURN NULL;
END $$;

CREATE FUNCTION ticket_tallies_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ticket_tallies;
    RETURN NULL;
END $$;

CREATE TRIGGER support_tickets_tally_insert AFTER INSERT ON support_tickets
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ticket_tallies_added();
CREATE TRIGGER support_tickets_tally_delete AFTER DELETE ON support_tickets
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION ticket_tallies_removed();
CREATE TRIGGER support_tickets_tally_update AFTER UPDATE ON support_tickets FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.priority IS DISTINCT FROM NEW.priority
          OR OLD.team_id IS DISTINCT FROM NEW.team_id OR OLD.assigned_to IS DISTINCT FROM NEW.assigned_to
          OR OLD.category IS DISTINCT FROM NEW.category OR OLD.tags IS DISTINCT FROM NEW.tags
          OR ticket_breach_kept(OLD) IS DISTINCT FROM ticket_breach_kept(NEW))
    EXECUTE FUNCTION ticket_tallies_changed();
CREATE TRIGGER support_tickets_tally_truncate AFTER TRUNCATE ON support_tickets
    FOR EACH STATEMENT EXECUTE FUNCTION ticket_tallies_emptied();

-- The tickets already there (the triggers above hold the table's writers off until this
-- migration commits).
INSERT INTO ticket_tallies (tag, status, priority, team_id, assigned_to, category, breached, n, folded)
SELECT tag, t.status, t.priority, t.team_id, t.assigned_to, t.category, ticket_breach_kept(t), count(*), true
FROM support_tickets t, unnest(array_prepend('', t.tags)) AS tag
GROUP BY 1, 2, 3, 4, 5, 6, 7;
