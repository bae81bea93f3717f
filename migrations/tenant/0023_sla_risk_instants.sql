-- When each SLA target turns at risk, stored beside its due time (`sav::tickets::sla`): the
-- instant three quarters of the target has run on the ticket's clock, written whenever the due
-- times are (a clock starts, pauses, resumes or stops). The badge, the `sla=at_risk` filter and
-- the summary read them as they read the due times, so "a quarter or less left" counts in the
-- hours the clock counts (business hours, for a policy with a schedule) and the lists need no
-- policy grid. Existing tickets get the instants their 24/7 clocks give: the due time less a
-- quarter of the target of their priority in their policy version.

ALTER TABLE support_tickets
    ADD COLUMN response_risk_at timestamptz,
    ADD COLUMN resolution_risk_at timestamptz;

UPDATE support_tickets t
   SET response_risk_at = t.response_due_at - make_interval(secs => p.response_minutes * 15),
       resolution_risk_at = t.resolution_due_at - make_interval(secs => p.resolution_minutes * 15)
  FROM sla_policy_targets p
 WHERE p.version_id = t.sla_version_id AND p.priority = t.priority;

ALTER TABLE support_tickets
    ALTER COLUMN response_risk_at SET NOT NULL,
    ALTER COLUMN resolution_risk_at SET NOT NULL;

-- A ticket inserted without them (by an app-api from before this migration during a rollout,
-- or by SQL run by hand) gets the instants of a 24/7 clock, as the backfill gave.
CREATE FUNCTION support_tickets_risk_of_the_grid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT coalesce(NEW.response_risk_at, NEW.response_due_at - make_interval(secs => p.response_minutes * 15)),
           coalesce(NEW.resolution_risk_at, NEW.resolution_due_at - make_interval(secs => p.resolution_minutes * 15))
      INTO NEW.response_risk_at, NEW.resolution_risk_at
      FROM sla_policy_targets p
     WHERE p.version_id = NEW.sla_version_id AND p.priority = NEW.priority;
    RETURN NEW;
END
$$;

CREATE TRIGGER support_tickets_risk_of_the_grid
    BEFORE INSERT ON support_tickets
    FOR EACH ROW WHEN (NEW.response_risk_at IS NULL OR NEW.resolution_risk_at IS NULL)
    EXECUTE FUNCTION support_tickets_risk_of_the_grid();
