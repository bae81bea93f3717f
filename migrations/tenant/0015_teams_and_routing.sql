-- Teams and automatic assignment: a tenant's staff in teams, each with how its tickets are
-- handed out; whether each person takes tickets now; the team on a ticket; and who the system
-- was when it made a change (`routing`).

-- Whether the person takes tickets now (routing's only; anyone may still assign by hand).
ALTER TABLE users
    ADD COLUMN available boolean NOT NULL DEFAULT true,
    ADD COLUMN available_changed_at timestamptz;

CREATE TABLE teams (
    id                  uuid PRIMARY KEY,
    name                text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    description         text NOT NULL DEFAULT '' CHECK (char_length(description) <= 1000),
    -- 'manual': nobody routes; 'round_robin': the member assigned longest ago in this team;
    -- 'least_loaded': the fewest tickets in progress, then the same.
    assignment          text NOT NULL CHECK (assignment IN ('manual', 'round_robin', 'least_loaded')),
    -- Tickets in progress a member may hold before routing passes them by (null: no cap).
    max_open_per_agent  integer CHECK (max_open_per_agent BETWEEN 1 AND 1000),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX teams_name_idx ON teams (lower(name));

CREATE TABLE team_members (
    team_id           uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id           uuid NOT NULL REFERENCES users (id),
    -- The member's last assignment in this team, by routing or by hand (round robin's order).
    last_assigned_at  timestamptz,
    added_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (user_id);

-- A team whose queue may move: something let a waiting ticket out (a member available again,
-- below the cap, added; the mode or the cap changed). The scheduled jobs hand the queue out at
-- `due_at`. Rows of their own, not a column of `teams`: writers mark a team without waiting for
-- the team's lock, which routing holds.
CREATE TABLE routing_wakes (
    team_id  uuid PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    due_at   timestamptz NOT NULL
);
CREATE INDEX routing_wakes_due_idx ON routing_wakes (due_at);

-- A deleted team leaves its tickets without a team. `queued_at`: since when the ticket waits in
-- its team's queue (open, in a team), for the operators' oldest wait.
ALTER TABLE support_tickets
    ADD COLUMN team_id uuid REFERENCES teams (id) ON DELETE SET NULL,
    ADD COLUMN queued_at timestamptz;
CREATE INDEX support_tickets_team_idx ON support_tickets (team_id, id DESC) WHERE team_id IS NOT NULL;
-- A team's queue (open is unassigned), soonest badge due time first: the order routing hands it
-- out in (`badge`: the response target while it is next, else the resolution target).
CREATE INDEX support_tickets_team_queue_idx ON support_tickets (team_id,
    (CASE WHEN first_response_at IS NULL AND response_due_at < resolution_due_at
          THEN response_due_at ELSE resolution_due_at END), id)
    WHERE status = 'open' AND team_id IS NOT NULL;
-- A member's load: their tickets in progress.
CREATE INDEX support_tickets_in_progress_idx ON support_tickets (assigned_to) WHERE status = 'in_progress';

-- The system's part in a change it made: 'routing' (automatic assignment).
ALTER TABLE ticket_history ADD COLUMN system_actor text CHECK (system_actor IN ('routing'));
