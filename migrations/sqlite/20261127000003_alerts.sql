-- Alerts, escalation and reminders (SQLite dialect). Keep in step with ../postgres/.

-- When the wish last became open (posted, approved or released): unclaimed-time is counted from it.
ALTER TABLE wishes ADD COLUMN opened_at BIGINT;
UPDATE wishes SET opened_at = updated_at WHERE status = 'open';
CREATE INDEX wishes_open_since ON wishes (status, opened_at);
CREATE INDEX wishes_status_claimed ON wishes (status, claimed_at);
CREATE INDEX wishes_status_fulfilled ON wishes (status, fulfilled_at);

-- Set by grid leaders and admins only, seen by them only: living alone, elderly, disabled.
ALTER TABLE users ADD COLUMN vulnerable BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN vulnerable_note TEXT;
-- Volunteers' opt-in to a weekly digest of open wishes in their grid.
ALTER TABLE users ADD COLUMN weekly_digest BIGINT NOT NULL DEFAULT 0;

-- An alert is a record somebody must act on, not only a message. unique_key makes each alert
-- (subject + period) exist once however many schedulers scan at the same time.
CREATE TABLE alerts (
    id               INTEGER PRIMARY KEY,
    kind             TEXT   NOT NULL,
    level            BIGINT NOT NULL DEFAULT 1,
    wish_id          BIGINT REFERENCES wishes(id),
    grid_id          BIGINT NOT NULL REFERENCES grids(id),
    status           TEXT   NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    unique_key       TEXT   NOT NULL UNIQUE,
    summary          TEXT   NOT NULL,
    due_at           BIGINT,
    created_at       BIGINT NOT NULL,
    acked_by         BIGINT REFERENCES users(id),
    acked_at         BIGINT,
    resolved_by      BIGINT REFERENCES users(id),
    resolved_at      BIGINT,
    resolution_note  TEXT,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX alerts_grid_status ON alerts (grid_id, status, id);
CREATE INDEX alerts_wish ON alerts (wish_id, status);
CREATE INDEX alerts_kind_status ON alerts (kind, status, created_at);
