-- Round robin's turns taken for several new tickets in one statement (`sav::routing::TurnDesk`):
-- the creations into one team that reach a replica while a turn is being taken have theirs
-- taken together in the next statement, so the team's row is locked once for all of them, not
-- once each (creations waited on each other's locks). Replaces `routing_take_turn` (0018), whose
-- rules it keeps for each caller in order: the member assigned longest ago among those
-- available, their turn recorded at the statement's own clock (each later than the one before);
-- null for a caller who may not put tickets in teams, and for all when the team is not a round
-- robin without a cap, does not exist, or nobody takes tickets now (the writes route under the
-- lock). Committed without waiting for the log's flush, as before.

DROP FUNCTION routing_take_turn(uuid, uuid);

CREATE FUNCTION routing_take_turns(team uuid, callers uuid[]) RETURNS uuid[]
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    turns uuid[] := '{}';
    caller uuid;
    chosen uuid;
BEGIN
    PERFORM 1 FROM teams
     WHERE id = team AND assignment = 'round_robin' AND max_open_per_agent IS NULL
       FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN array_fill(NULL::uuid, ARRAY[cardinality(callers)]);
    END IF;
    PERFORM set_config('synchronous_commit', 'off', true);
    FOREACH caller IN ARRAY callers LOOP
        chosen := NULL;
        PERFORM 1 FROM users
         WHERE id = caller AND active AND role IN ('owner', 'admin', 'agent', 'integration');
        IF FOUND THEN
            SELECT m.user_id INTO chosen
              FROM team_members m JOIN users u ON u.id = m.user_id
             WHERE m.team_id = team AND u.active AND u.available AND u.role IN ('owner', 'admin', 'agent')
             ORDER BY m.last_assigned_at NULLS FIRST, m.user_id
             LIMIT 1;
            IF chosen IS NOT NULL THEN
                UPDATE team_members SET last_assigned_at = clock_timestamp()
                 WHERE team_id = team AND user_id = chosen;
            END IF;
        END IF;
        turns := turns || chosen;
    END LOOP;
    RETURN turns;
END
$$;
