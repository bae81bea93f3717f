-- Round robin's turns in fewer statements (`sav::routing::take_turns`): each caller's turn is one
-- statement that checks the caller, chooses the member assigned longest ago among those
-- available and records their turn, where 0021 ran three. The rules are 0021's: the team's row
-- locked first (so every choice reads the turns committed before it), each turn at the
-- statement's own clock (each later than the one before), null for a caller who may not put
-- tickets in teams, and for all when the team is not a round robin without a cap, does not exist,
-- or nobody takes tickets now; committed without waiting for the log's flush.

CREATE OR REPLACE FUNCTION routing_take_turns(team uuid, callers uuid[]) RETURNS uuid[]
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    turns uuid[] := '{}';
    caller uuid;
    chosen uuid;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true)
       FROM teams
      WHERE id = team AND assignment = 'round_robin' AND max_open_per_agent IS NULL
        FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN array_fill(NULL::uuid, ARRAY[cardinality(callers)]);
    END IF;
    FOREACH caller IN ARRAY callers LOOP
        chosen := NULL;
        UPDATE team_members SET last_assigned_at = clock_timestamp()
         WHERE team_id = team
           AND user_id = (SELECT m.user_id
                            FROM team_members m JOIN users u ON u.id = m.user_id
                           WHERE m.team_id = team AND u.active AND u.available
                             AND u.role IN ('owner', 'admin', 'agent')
                           ORDER BY m.last_assigned_at NULLS FIRST, m.user_id
                           LIMIT 1)
           AND EXISTS (SELECT 1 FROM users
                        WHERE id = caller AND active AND role IN ('owner', 'admin', 'agent', 'integration'))
        RETURNING user_id INTO chosen;
        turns := turns || chosen;
    END LOOP;
    RETURN turns;
END
$$;
