-- The four indicators: closed months' figures as computed (grid_id 0 = the whole community),
-- and the indexes their monthly range scans need on a city-sized database.
CREATE TABLE insight_snapshots (
    month        TEXT   NOT NULL,
    grid_id      BIGINT NOT NULL,
    figures      TEXT   NOT NULL,
    computed_at  BIGINT NOT NULL,
    PRIMARY KEY (month, grid_id)
);

CREATE INDEX wishes_grid_created ON wishes (grid_id, created_at);
CREATE INDEX wishes_grid_claimed ON wishes (grid_id, claimed_at);
CREATE INDEX wishes_grid_fulfilled ON wishes (grid_id, fulfilled_at);
CREATE INDEX wishes_grid_closed ON wishes (grid_id, closed_at);
CREATE INDEX wishes_created ON wishes (created_at);
CREATE INDEX wishes_claimed ON wishes (claimed_at);
CREATE INDEX wish_timeline_action_at ON wish_timeline (action, at);
CREATE INDEX alerts_grid_created ON alerts (grid_id, created_at);
CREATE INDEX alerts_created ON alerts (created_at);
CREATE INDEX event_invitations_updated ON event_invitations (updated_at);
CREATE INDEX event_attendance_at ON event_attendance (checked_in_at);
CREATE INDEX volunteer_hours_created ON volunteer_hours (created_at);
