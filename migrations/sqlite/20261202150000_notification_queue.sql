-- The delivery queue apart from the record (the PostgreSQL migration of this version says why:
-- updates that touch no indexed column). `notifications` keeps what was said and how it ended;
-- `notification_queue` holds one narrow row per notification still to deliver and loses it once
-- the notification is sent, dead or skipped. A later rebuild of `notifications` (SQLite's way of
-- dropping a constraint, as in 20261202110200) must move the queue rows aside first: dropping the
-- table deletes its rows, and the cascade would take the queue with them.
CREATE TABLE notification_queue (
    id            INTEGER PRIMARY KEY REFERENCES notifications(id) ON DELETE CASCADE,
    kind          TEXT   NOT NULL,
    status        TEXT   NOT NULL,
    available_at  BIGINT NOT NULL,
    lease_owner   TEXT,
    lease_until   BIGINT,
    claims        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notification_queue_due ON notification_queue (available_at, id);

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

-- Every new pending notification joins the queue, whoever inserted it (SQLite triggers are per
-- row; there is no cross-process wake-up to send here).
CREATE TRIGGER notifications_enqueue AFTER INSERT ON notifications
    WHEN NEW.status IN ('pending', 'retry')
BEGIN
    INSERT INTO notification_queue (id, kind, status, available_at) VALUES (NEW.id, NEW.kind, NEW.status, NEW.available_at);
END;
