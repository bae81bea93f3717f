-- What the background sweeps look for, one statement per database over the tenants placed there
-- (app-api's relay, mail, webhook and jobs sweeps): each function is given those tenants' ids and
-- returns one row for each. It names each tenant in turn, as `SET LOCAL` does (`set_config`, local
-- to the transaction), and probes the heads of its indexes under the tables' policies, as any other
-- read does: no role reads past them. After the last tenant, none is named. They only read, so a
-- tenant switching to another database is probed all the same; the visits that then write enter
-- it as every transaction does (`tenant_enter()`).
--
-- `tenant_next_due()` is the one definition of when anything comes due in the named tenant: the
-- jobs read it for one tenant after a visit, and `sav_backlogs` for many.

CREATE FUNCTION tenant_next_due() RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT LEAST(
        (SELECT min(response_due_at) FROM support_tickets
         WHERE status IN ('open', 'in_progress') AND first_response_at IS NULL AND response_breached_at IS NULL),
        (SELECT min(resolution_due_at) FROM support_tickets
         WHERE status IN ('open', 'in_progress') AND resolution_breached_at IS NULL),
        (SELECT min(next_response_due_at) FROM support_tickets
         WHERE status IN ('open', 'in_progress') AND next_response_due_at IS NOT NULL
           AND next_response_breached_at IS NULL),
        (SELECT min(auto_close_at) FROM support_tickets WHERE auto_close_at IS NOT NULL),
        (SELECT min(due_at) FROM routing_wakes),
        (SELECT min(due_at) FROM rule_timers WHERE due_at IS NOT NULL))
$$;

-- The outbox: rows waiting to be published, and when the oldest kept published one was.
CREATE FUNCTION outbox_backlogs(tenants uuid[])
RETURNS TABLE (tenant uuid, pending bigint, oldest_pending timestamptz, oldest_published timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    each uuid;
BEGIN
    FOREACH each IN ARRAY tenants LOOP
        PERFORM set_config('helpdeskly.tenant', each::text, true);
        RETURN QUERY SELECT each,
            (SELECT count(*) FROM outbox WHERE published_at IS NULL),
            (SELECT created_at FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1),
            (SELECT published_at FROM outbox WHERE published_at IS NOT NULL ORDER BY id LIMIT 1);
    END LOOP;
    PERFORM set_config('helpdeskly.tenant', '', true);
END
$$;

-- Notification mail waiting to be sent.
CREATE FUNCTION mail_backlogs(tenants uuid[])
RETURNS TABLE (tenant uuid, depth bigint, oldest timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    each uuid;
BEGIN
    FOREACH each IN ARRAY tenants LOOP
        PERFORM set_config('helpdeskly.tenant', each::text, true);
        RETURN QUERY SELECT each, count(*), min(created_at) FROM mail_deliveries WHERE status = 'pending';
    END LOOP;
    PERFORM set_config('helpdeskly.tenant', '', true);
END
$$;

-- Webhook deliveries waiting (and when the next is due), disabled endpoints, and when the
-- oldest finished delivery kept was made (what pruning drops).
CREATE FUNCTION delivery_backlogs(tenants uuid[])
RETURNS TABLE (tenant uuid, pending bigint, oldest timestamptz, next_due timestamptz, disabled bigint,
               oldest_finished timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    each uuid;
BEGIN
    FOREACH each IN ARRAY tenants LOOP
        PERFORM set_config('helpdeskly.tenant', each::text, true);
        RETURN QUERY SELECT each,
            (SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'),
            (SELECT min(created_at) FROM webhook_deliveries WHERE state = 'pending'),
            (SELECT min(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'),
            (SELECT count(*) FROM webhook_endpoints WHERE NOT enabled),
            (SELECT created_at FROM webhook_deliveries WHERE state <> 'pending' ORDER BY created_at LIMIT 1);
    END LOOP;
    PERFORM set_config('helpdeskly.tenant', '', true);
END
$$;

-- The scheduled jobs: when anything comes due, the tickets waiting in routed teams (since when
-- the oldest has, and the oldest of a team where nobody is available), and whether mail a crash
-- left half read waits to be read again.
CREATE FUNCTION sav_backlogs(tenants uuid[])
RETURNS TABLE (tenant uuid, next_due timestamptz, waiting bigint, oldest_waiting timestamptz,
               oldest_unstaffed timestamptz, stranded_mail boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    each uuid;
BEGIN
    FOREACH each IN ARRAY tenants LOOP
        PERFORM set_config('helpdeskly.tenant', each::text, true);
        RETURN QUERY SELECT each, tenant_next_due(), w.tickets, w.oldest, w.oldest_unstaffed,
            EXISTS (SELECT 1 FROM inbound_emails
                    WHERE outcome = 'received' AND (read_until IS NULL OR read_until < now()))
        FROM (
            SELECT count(*) AS tickets, min(s.queued_at) AS oldest,
                min(s.queued_at) FILTER (WHERE NOT EXISTS (
                    SELECT 1 FROM team_members m JOIN users u ON u.id = m.user_id
                    WHERE m.team_id = s.team_id AND u.active AND u.available
                      AND u.role IN ('owner', 'admin', 'agent'))) AS oldest_unstaffed
            FROM support_tickets s JOIN teams t ON t.id = s.team_id
            WHERE s.status = 'open' AND s.team_id IS NOT NULL AND t.assignment <> 'manual') w;
    END LOOP;
    PERFORM set_config('helpdeskly.tenant', '', true);
END
$$;
