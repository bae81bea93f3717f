-- The onboarding checklist's own facts (`GET/PATCH /v1/onboarding`): the portal shared, by an
-- admin's word, and the checklist dismissed. Its other steps are read from what the organisation
-- did (its staff, its mailbox, its customers, its articles).
CREATE TABLE onboarding (
    id            boolean PRIMARY KEY DEFAULT true CHECK (id),
    portal_shared boolean NOT NULL DEFAULT false,
    dismissed     boolean NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

INSERT INTO onboarding DEFAULT VALUES;
