-- Notifications addressed to a co-building unit (PostgreSQL dialect). Keep in step with ../sqlite/.

-- A project proposal goes to a unit's contact email and its WeCom robot: the contact may have no
-- account. What a notification's recipient_id names is its kind's audience (a user for people
-- and grids' work groups, a co-building unit for the unit kinds: `NotificationKind::audience`),
-- so the column no longer references users alone. (SQLite rebuilds the table for this.)
ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_recipient_id_fkey;
