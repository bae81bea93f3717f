-- Rules (API.md "Rules"): what a support team wants to happen to its tickets by itself, as data
-- checked by the service (`sav::rules::parse`) and run in the ticket write path
-- (`commands::rules`). At most 200, checked by the service.

CREATE TABLE rules (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    enabled     boolean NOT NULL DEFAULT true,
    -- 1..n, contiguous: rules run in this order.
    position    integer NOT NULL CHECK (position >= 1),
    -- As written: an event's name, or {after_minutes, since}.
    trigger     jsonb NOT NULL,
    -- What the write path selects by: the event, or 'time' for a time rule.
    event       text NOT NULL
                CHECK (event IN ('ticket.created', 'ticket.updated', 'message.added', 'sla.breached', 'time')),
    conditions  jsonb NOT NULL,
    actions     jsonb NOT NULL,
    -- Who saved it last: a rule's notes and macro messages are written in their name.
    updated_by  uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rules_position_key UNIQUE (position) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX rules_name_key ON rules (lower(name));

-- One row: raised by every change of the rules, in its transaction, so a replica's parsed copy
-- of them is known to be current by one read; the row lock orders the rules' changes.
CREATE TABLE rule_book (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version  bigint NOT NULL DEFAULT 0
);
INSERT INTO rule_book DEFAULT VALUES;

-- What each rule did: its runs that matched, with their changes or why they were refused. The
-- newest 100 of a rule are kept.
CREATE TABLE rule_runs (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id    uuid NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    ticket_id  bigint NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
    trigger    text NOT NULL,
    -- 0: run by a person's change (or the clock); n: by a change rules made n deep.
    depth      smallint NOT NULL CHECK (depth BETWEEN 0 AND 4),
    -- [{action, field, from, to}]; NULL when refused.
    changes    jsonb,
    error      text CHECK (char_length(error) <= 1000),
    at         timestamptz NOT NULL,
    CHECK ((changes IS NULL) <> (error IS NULL))
);
CREATE INDEX rule_runs_rule_idx ON rule_runs (rule_id, id DESC);
CREATE INDEX rule_runs_ticket_idx ON rule_runs (ticket_id);

-- A time rule on a ticket: its anchor (the creation, the last status change, customer message
-- or public staff reply) and when its minutes have passed since; `due_at` NULL once it ran (or
-- found its conditions false) for that anchor. Armed again when the anchor moves; the SAV jobs
-- read the head of `rule_timers_due_idx`, so their cost follows the timers that are due.
CREATE TABLE rule_timers (
    rule_id    uuid NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    ticket_id  bigint NOT NULL REFERENCES support_tickets (id) ON DELETE CASCADE,
    anchor_at  timestamptz NOT NULL,
    due_at     timestamptz,
    PRIMARY KEY (rule_id, ticket_id)
);
CREATE INDEX rule_timers_due_idx ON rule_timers (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX rule_timers_ticket_idx ON rule_timers (ticket_id);

-- A rule's changes name it in the history (the name is read from `rules`, so a rule deleted
-- since is named as such).
ALTER TABLE ticket_history DROP CONSTRAINT ticket_history_system_actor_check;
ALTER TABLE ticket_history ADD CONSTRAINT ticket_history_system_actor_check
    CHECK (system_actor IN ('routing', 'rule'));
ALTER TABLE ticket_history ADD COLUMN rule_id uuid;

-- A note or macro message a rule wrote.
ALTER TABLE ticket_messages ADD COLUMN rule_id uuid;

-- Rules never mail an address from which an auto-submitted mail reached us.
CREATE INDEX inbound_emails_auto_reply_idx ON inbound_emails (lower(from_address)) WHERE reason = 'auto_reply';
