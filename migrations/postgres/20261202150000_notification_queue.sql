-- The delivery queue apart from the record. `notifications` keeps what was said and how it ended;
-- `notification_queue` holds one narrow row per notification still to deliver (due, leased, or
-- waiting for a retry or the morning) and loses it once the notification is sent, dead or skipped.
-- Why: every index that names a column an UPDATE changes rules out a HOT update, and the claim
-- index had to name `status`. Now a claim changes only unindexed columns of the narrow row
-- (`lease_owner`, `lease_until`, `claims`: HOT), and an outcome changes only unindexed columns of
-- the record (HOT), so neither rewrites an index entry; the queue's own index stays small.
CREATE TABLE notification_queue (
    id            BIGINT PRIMARY KEY REFERENCES notifications(id) ON DELETE CASCADE,
    -- Copied from the record so a worker claims only kinds its build knows (rolling upgrades).
    kind          TEXT   NOT NULL,
    -- `pending` or `retry`, as on the record (the depth gauge counts the queue alone).
    status        TEXT   NOT NULL,
    -- When it is due (first, after a retry's backoff, or after quiet hours).
    available_at  BIGINT NOT NULL,
    -- The worker holding it and until when; a lapsed lease is claimed again (a crashed worker).
    lease_owner   TEXT,
    lease_until   BIGINT,
    -- Leases taken so far; the record's `claims` is set from it with each outcome.
    claims        BIGINT NOT NULL DEFAULT 0
) WITH (
    -- Room on every page for the claim's new row versions (HOT), pruned in place. Measured with
    -- examples/notifier_bench (docs/benchmarks.md): at 50 a fifth of the claims still found
    -- their page full; at 25 none did. The table holds only what is still to deliver.
    fillfactor = 25,
    -- A queue churns: vacuum it after a fixed number of dead rows, not a share of a table that is
    -- empty one minute and 50,000 rows the next, and without the cost-based pauses.
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_insert_scale_factor = 0,
    autovacuum_vacuum_insert_threshold = 5000,
    autovacuum_analyze_scale_factor = 0,
    autovacuum_analyze_threshold = 5000,
    autovacuum_vacuum_cost_delay = 0
);
CREATE INDEX notification_queue_due ON notification_queue (available_at, id);

-- What is still to deliver moves over; an in-flight row keeps its lease. The record never says
-- `sending` again: a leased row is shown as sending by its queue row.
INSERT INTO notification_queue (id, kind, status, available_at, lease_owner, lease_until, claims)
    SELECT id, kind, CASE WHEN status <> 'sending' THEN status WHEN attempts > 0 THEN 'retry' ELSE 'pending' END,
           available_at, lease_owner, lease_until, claims
    FROM notifications
    WHERE status IN ('pending', 'retry', 'sending');
UPDATE notifications SET status = CASE WHEN attempts > 0 THEN 'retry' ELSE 'pending' END WHERE status = 'sending';

DROP INDEX notifications_ready;
DROP INDEX notifications_lease;
ALTER TABLE notifications DROP COLUMN lease_owner;
ALTER TABLE notifications DROP COLUMN lease_until;
-- Room for each record's outcome on its own page (HOT), for pages written from now on. A record
-- is updated about once, by a batch statement that updates every row of its page while the old
-- versions cannot yet be pruned: at 85 only a fifth of the outcomes were HOT, at 50 nearly all,
-- for 28 → 20 µs of database CPU per delivery. The price is a history table about twice as large.
ALTER TABLE notifications SET (fillfactor = 50);

-- Every new pending notification joins the queue, whoever inserted it, and wakes the workers of
-- other processes (LISTEN microwish_outbox) when its transaction commits: one statement-level
-- trigger, so a multi-row INSERT enqueues in one statement and notifies once, and no caller pays
-- a round trip of its own for either.
CREATE FUNCTION notifications_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notification_queue (id, kind, status, available_at)
        SELECT id, kind, status, available_at FROM fresh WHERE status IN ('pending', 'retry');
    IF FOUND THEN
        PERFORM pg_notify('microwish_outbox', '');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER notifications_enqueue AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT EXECUTE FUNCTION notifications_enqueue();
