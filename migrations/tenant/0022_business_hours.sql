-- Business hours (API.md "Business hours"): a tenant's schedules, each an IANA time zone, the
-- working intervals of each weekday and holidays (`sav::schedules`). At most 20 schedules and
-- 500 holidays each, checked by the service.

CREATE TABLE schedules (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    time_zone text NOT NULL,
    -- [{day: mon..sun, start: "HH:MM", end: "HH:MM"}], by day then start, checked on write.
    intervals jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX schedules_name_key ON schedules (lower(name));

CREATE TABLE schedule_holidays (
    schedule_id uuid NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    day date NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (schedule_id, day)
);
