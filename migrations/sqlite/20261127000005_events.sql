-- Events, invitations, attendance and the volunteer-hours ledger (SQLite dialect).
-- Keep in step with ../postgres/ of the same version. Times are epoch milliseconds.

-- A party day or volunteer service day. grid_id NULL = the whole community. sequence grows on each
-- change of time or place (it is the iCalendar SEQUENCE); rsvp_counter orders answers, and the
-- no-op-free UPDATE of it is what serialises concurrent answers to one event.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    title         TEXT   NOT NULL,
    description   TEXT   NOT NULL,
    location      TEXT   NOT NULL,
    starts_at     BIGINT NOT NULL,
    ends_at       BIGINT NOT NULL,
    capacity      BIGINT CHECK (capacity IS NULL OR capacity > 0),
    grid_id       BIGINT REFERENCES grids(id),
    organiser_id  BIGINT NOT NULL REFERENCES users(id),
    checkin_code  TEXT   NOT NULL,
    status        TEXT   NOT NULL CHECK (status IN ('published', 'cancelled', 'finished')),
    sequence      BIGINT NOT NULL DEFAULT 0,
    rsvp_counter  BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX events_status_start ON events (status, starts_at);

-- One row per (event, person) however often they matched the audience. rsvp_order is the
-- event's rsvp_counter at the person's latest yes: the waitlist's order.
CREATE TABLE event_invitations (
    id          INTEGER PRIMARY KEY,
    event_id    BIGINT NOT NULL REFERENCES events(id),
    user_id     BIGINT NOT NULL REFERENCES users(id),
    response    TEXT   NOT NULL DEFAULT 'invited' CHECK (response IN ('invited', 'registered', 'waitlisted', 'declined')),
    rsvp_order  BIGINT,
    invited_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT event_invitations_once UNIQUE (event_id, user_id)
);
CREATE INDEX event_invitations_response ON event_invitations (event_id, response, rsvp_order);
CREATE INDEX event_invitations_user ON event_invitations (user_id);

CREATE TABLE event_attendance (
    event_id       BIGINT NOT NULL REFERENCES events(id),
    user_id        BIGINT NOT NULL REFERENCES users(id),
    checked_in_at  BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id)
);

-- Append-only: entries are never edited or deleted; a correction is a new entry. unique_key
-- makes each credit (an attendance, a confirmed wish) exist once.
CREATE TABLE volunteer_hours (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    minutes     BIGINT NOT NULL,
    source      TEXT   NOT NULL CHECK (source IN ('event', 'wish', 'correction')),
    event_id    BIGINT REFERENCES events(id),
    wish_id     BIGINT REFERENCES wishes(id),
    unique_key  TEXT   NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);
CREATE INDEX volunteer_hours_user ON volunteer_hours (user_id, created_at);
CREATE INDEX volunteer_hours_wish ON volunteer_hours (wish_id);

CREATE TRIGGER volunteer_hours_no_update BEFORE UPDATE ON volunteer_hours
BEGIN
    SELECT RAISE(ABORT, 'volunteer_hours is append-only');
END;
CREATE TRIGGER volunteer_hours_no_delete BEFORE DELETE ON volunteer_hours
BEGIN
    SELECT RAISE(ABORT, 'volunteer_hours is append-only');
END;
