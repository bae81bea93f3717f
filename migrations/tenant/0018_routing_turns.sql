-- Round robin's turn taken ahead of a ticket's creation, in a statement of its own (called
-- outside any transaction): the team's row is locked for that statement only, not until the new
-- ticket commits, so creations into one team no longer take turns on the team for the length of
-- their whole write (`sav::routing::take_turn`).
--
-- Only a round robin without a cap: a cap and least loaded weigh tickets in progress, which
-- count uncommitted work; they route under the team's lock in the write (null here). Null too
-- when the caller may not put tickets in teams, when there is no such team, or when nobody
-- takes tickets now (the write routes under the lock, and the ticket waits).
--
-- Each statement of a volatile function reads a snapshot of its own: the member chosen is read
-- after the lock is held, with every earlier turn committed. The turn commits without waiting for
-- the write-ahead log's flush: one lost in a crash costs a place in the round, never a member
-- chosen twice (the ticket's own commit flushes it, being later in the log).
CREATE FUNCTION routing_take_turn(team uuid, caller uuid) RETURNS uuid
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    chosen uuid;
BEGIN
    PERFORM 1 FROM users
     WHERE id = caller AND active AND role IN ('owner', 'admin', 'agent', 'integration');
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM teams
     WHERE id = team AND assignment = 'round_robin' AND max_open_per_agent IS NULL
       FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('synchronous_commit', 'off', true);
    SELECT m.user_id INTO chosen
      FROM team_members m JOIN users u ON u.id = m.user_id
     WHERE m.team_id = team AND u.active AND u.available AND u.role IN ('owner', 'admin', 'agent')
     ORDER BY m.last_assigned_at NULLS FIRST, m.user_id
     LIMIT 1;
    IF chosen IS NOT NULL THEN
        UPDATE team_members SET last_assigned_at = clock_timestamp()
         WHERE team_id = team AND user_id = chosen;
    END IF;
    RETURN chosen;
END
$$;
