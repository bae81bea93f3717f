-- The order in which the relay published a tenant's events: the live stream's frame ids, and
-- what a reconnect's Last-Event-ID is replayed after. Row ids are handed out when a change
-- writes its events, not when it commits: a change that commits after a later one has a smaller
-- id than events a client already saw, and a replay "after the last id seen" would skip it. The
-- relay numbers each batch from this counter in the transaction that holds the tenant's relay
-- lock, before publishing it, so numbers follow the order events reach the streams.

ALTER TABLE outbox ADD COLUMN relay_seq bigint UNIQUE;

CREATE TABLE outbox_relay_counter (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_seq   bigint NOT NULL CHECK (last_seq >= 0)
);

-- Events published before keep their ids as their numbers (a stream's Last-Event-ID from before
-- the upgrade still replays), and new numbers come after every id given out so far.
UPDATE outbox SET relay_seq = id WHERE published_at IS NOT NULL;
INSERT INTO outbox_relay_counter (last_seq) SELECT coalesce(max(id), 0) FROM outbox;
