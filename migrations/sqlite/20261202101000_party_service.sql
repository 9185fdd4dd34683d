-- Party members' service (SQLite dialect; keep in step with ../postgres/ of the same version).
-- The hours ledger learns a fourth source: a care visit (party.visit_minutes), with the visit it
-- is for. SQLite cannot change a CHECK constraint in place, so the append-only table is rebuilt
-- with the same rows, ids, indexes and triggers (nothing references it).
CREATE TABLE volunteer_hours_new (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    minutes     BIGINT NOT NULL,
    source      TEXT   NOT NULL CHECK (source IN ('event', 'wish', 'correction', 'visit')),
    event_id    BIGINT REFERENCES events(id),
    wish_id     BIGINT REFERENCES wishes(id),
    unique_key  TEXT   NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    note        TEXT,
    visit_id    BIGINT REFERENCES visits(id)
);
INSERT INTO volunteer_hours_new (id, user_id, minutes, source, event_id, wish_id, unique_key, created_at, note)
    SELECT id, user_id, minutes, source, event_id, wish_id, unique_key, created_at, note FROM volunteer_hours;
DROP TABLE volunteer_hours;
ALTER TABLE volunteer_hours_new RENAME TO volunteer_hours;
CREATE INDEX volunteer_hours_user ON volunteer_hours (user_id, created_at);
CREATE INDEX volunteer_hours_wish ON volunteer_hours (wish_id);
CREATE INDEX volunteer_hours_created ON volunteer_hours (created_at);
CREATE TRIGGER volunteer_hours_no_update BEFORE UPDATE ON volunteer_hours
BEGIN
    SELECT RAISE(ABORT, 'volunteer_hours is append-only');
END;
CREATE TRIGGER volunteer_hours_no_delete BEFORE DELETE ON volunteer_hours
BEGIN
    SELECT RAISE(ABORT, 'volunteer_hours is append-only');
END;

-- 双报到: an in-service party member who lives here registers with the community (one pending
-- registration per person; approved, they become an in_service member of a branch). skills and
-- posts are JSON arrays of codes (wishes.categories, party.service_posts). grid_id: the verified
-- residence's grid when filed, so the grid's leader may read it.
CREATE TABLE party_registrations (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    grid_id      BIGINT NOT NULL REFERENCES grids(id),
    work_unit    TEXT   NOT NULL,
    unit_branch  TEXT   NOT NULL,
    skills       TEXT   NOT NULL,
    posts        TEXT   NOT NULL,
    status       TEXT   NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    reason       TEXT,
    branch_id    BIGINT REFERENCES party_branches(id),
    decided_by   BIGINT REFERENCES users(id),
    decided_at   BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX party_registrations_one_pending ON party_registrations (user_id) WHERE status = 'pending';
CREATE INDEX party_registrations_status ON party_registrations (status, grid_id, id);
CREATE INDEX party_registrations_user ON party_registrations (user_id, id);

-- The community's year-end comment on a member, for the letter to their work unit (反馈评价).
CREATE TABLE party_feedback (
    user_id     BIGINT NOT NULL REFERENCES users(id),
    year        BIGINT NOT NULL,
    comment     TEXT   NOT NULL,
    written_by  BIGINT NOT NULL REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, year)
);
