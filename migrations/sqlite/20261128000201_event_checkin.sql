-- Check-in for invited people only, unless the organiser allows walk-ins (residents of the
-- event's grid); 1 = allowed. A correction in the hours ledger says why (note).
ALTER TABLE events ADD COLUMN walk_ins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE volunteer_hours ADD COLUMN note TEXT;
