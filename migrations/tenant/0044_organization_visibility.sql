-- What a customer sees of their colleagues' tickets, as one function every ticket read calls
-- (`sav::tickets::access`): a customer sees a ticket when they are its requester, a manager of
-- the ticket's organisation, or a member of it while it shares tickets. For a colleague's ticket
-- they see, `colleague_may_comment` says whether they may also post on it (the organisation's
-- `shared_comments`); it is null for a ticket they see as its requester or do not see at all.
-- Read with the statement that reads the ticket, so a change of sharing, role or membership
-- holds from the next request on. One primary-key lookup of the membership, one of the
-- organisation.

CREATE FUNCTION colleague_may_comment(viewer uuid, requester uuid, organization uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT o.shared_comments
    FROM organization_members m
    JOIN organizations o ON o.tenant_id = m.tenant_id AND o.id = m.organization_id
    WHERE requester IS DISTINCT FROM viewer
      AND m.organization_id = organization AND m.user_id = viewer
      AND (m.role = 'manager' OR o.shared_tickets)
$$;

-- The organisations whose every ticket `viewer` sees (manager, or member while it shares
-- tickets): the same rule as a set, which a list reads once (an InitPlan) rather than once a row,
-- and a customer's live stream reads as it opens.
CREATE FUNCTION organizations_seen_by(viewer uuid) RETURNS uuid[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(m.organization_id ORDER BY m.organization_id), '{}')
    FROM organization_members m
    JOIN organizations o ON o.tenant_id = m.tenant_id AND o.id = m.organization_id
    WHERE m.user_id = viewer AND (m.role = 'manager' OR o.shared_tickets)
$$;

-- An organisation's tickets in the lists' order (`id DESC`), as a team's are.
CREATE INDEX support_tickets_organization_list_idx ON support_tickets (tenant_id, organization_id, id DESC)
    WHERE organization_id IS NOT NULL;
