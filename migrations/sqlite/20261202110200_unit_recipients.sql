-- Notifications addressed to a co-building unit (SQLite dialect). Keep in step with ../postgres/.

-- A project proposal goes to a unit's contact email and its WeCom robot: the contact may have no
-- account. What a notification's recipient_id names is its kind's audience (a user for people
-- and grids' work groups, a co-building unit for the unit kinds: `NotificationKind::audience`),
-- so the column no longer references users alone. SQLite cannot drop a constraint in place: the
-- table is rebuilt with every column of migrations 20261127000001 and 20261127000002 and its
-- indexes (20261127000001, …02, …04). A later change to `notifications` goes in a migration after
-- this one.
CREATE TABLE notifications_rebuilt (
    id               INTEGER PRIMARY KEY,
    kind             TEXT   NOT NULL,
    recipient_id     BIGINT NOT NULL,
    subject_type     TEXT   NOT NULL,
    subject_id       BIGINT NOT NULL,
    urgent           BIGINT NOT NULL DEFAULT 0,
    payload          TEXT   NOT NULL,
    dedupe_key       TEXT   NOT NULL UNIQUE,
    status           TEXT   NOT NULL DEFAULT 'pending',
    attempts         BIGINT NOT NULL DEFAULT 0,
    available_at     BIGINT NOT NULL,
    lease_until      BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    claims           BIGINT NOT NULL DEFAULT 0,
    lease_owner      TEXT,
    channel          TEXT,
    channels_failed  TEXT   NOT NULL DEFAULT '',
    history          TEXT   NOT NULL DEFAULT '[]',
    sent_at          BIGINT
);
INSERT INTO notifications_rebuilt (id, kind, recipient_id, subject_type, subject_id, urgent, payload, dedupe_key,
    status, attempts, available_at, lease_until, last_error, created_at, updated_at, claims, lease_owner, channel,
    channels_failed, history, sent_at)
SELECT id, kind, recipient_id, subject_type, subject_id, urgent, payload, dedupe_key,
    status, attempts, available_at, lease_until, last_error, created_at, updated_at, claims, lease_owner, channel,
    channels_failed, history, sent_at
FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_rebuilt RENAME TO notifications;
CREATE INDEX notifications_recipient ON notifications (recipient_id, id);
CREATE INDEX notifications_lease ON notifications (status, lease_until);
CREATE INDEX notifications_kind ON notifications (kind, id);
CREATE INDEX notifications_ready ON notifications (available_at, id) WHERE status IN ('pending', 'retry');
