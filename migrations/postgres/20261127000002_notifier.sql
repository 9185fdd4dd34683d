-- Delivery state for the notifier (PostgreSQL dialect). Keep in step with ../sqlite/.
-- claims counts leases taken, attempts counts outcomes recorded: a claim that finds
-- claims > attempts was rescued from a worker that died mid-send (a possible duplicate).
ALTER TABLE notifications ADD COLUMN claims BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN lease_owner TEXT;
ALTER TABLE notifications ADD COLUMN channel TEXT;
ALTER TABLE notifications ADD COLUMN channels_failed TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN history TEXT NOT NULL DEFAULT '[]';
ALTER TABLE notifications ADD COLUMN sent_at BIGINT;
CREATE INDEX notifications_lease ON notifications (status, lease_until);
CREATE INDEX notifications_kind ON notifications (kind, id);

-- Per-user channel choices per notification kind; a missing row means "on".
CREATE TABLE notification_preferences (
    user_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind     TEXT   NOT NULL,
    channel  TEXT   NOT NULL,
    enabled  BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind, channel)
);
