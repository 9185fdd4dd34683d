-- Claiming due notifications reads only the rows that are due, in order, from a partial index,
-- instead of sorting the whole table; rescuing expired leases is a separate, small query.
CREATE INDEX notifications_ready ON notifications (available_at, id) WHERE status IN ('pending', 'retry');
DROP INDEX notifications_due;
