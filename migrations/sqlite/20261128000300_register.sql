-- The community register (SQLite dialect). Keep in step with ../postgres/ of the same version.
-- grid → building (楼栋) → household (unit + room) → people; residence requests tie an account
-- to a place, and only a verified one sets users.grid_id.

CREATE TABLE buildings (
    id          INTEGER PRIMARY KEY,
    grid_id     BIGINT NOT NULL REFERENCES grids(id),
    name        TEXT   NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX buildings_grid ON buildings (grid_id, id);

-- unit is '' when a building has no units, so the unique key never holds a NULL.
CREATE TABLE households (
    id           INTEGER PRIMARY KEY,
    building_id  BIGINT NOT NULL REFERENCES buildings(id),
    unit         TEXT   NOT NULL DEFAULT '',
    room         TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    CONSTRAINT households_place UNIQUE (building_id, unit, room)
);

-- A person of the register (人口台账), with or without an account. (household, name) is the
-- import's identity: re-importing a sheet updates these rows instead of adding new ones.
CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    household_id  BIGINT NOT NULL REFERENCES households(id),
    name          TEXT   NOT NULL,
    phone         TEXT,
    relation      TEXT   NOT NULL DEFAULT '',
    tags          TEXT   NOT NULL DEFAULT '',
    user_id       BIGINT REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    CONSTRAINT people_identity UNIQUE (household_id, name),
    CONSTRAINT people_account UNIQUE (user_id)
);
CREATE INDEX people_phone ON people (phone);

CREATE TABLE residence_requests (
    id            INTEGER PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users(id),
    grid_id       BIGINT NOT NULL REFERENCES grids(id),
    building_id   BIGINT REFERENCES buildings(id),
    unit          TEXT,
    room          TEXT,
    household_id  BIGINT REFERENCES households(id),
    status        TEXT   NOT NULL CHECK (status IN ('pending', 'verified', 'rejected', 'withdrawn')),
    method        TEXT   CHECK (method IN ('phone', 'leader', 'staff')),
    reason        TEXT,
    decided_by    BIGINT REFERENCES users(id),
    decided_at    BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX residence_requests_grid ON residence_requests (grid_id, status, id);
CREATE INDEX residence_requests_user ON residence_requests (user_id, status, id);

-- Set only by WeChat's getPhoneNumber (POST /me/phone); a typed number is not verified.
ALTER TABLE users ADD COLUMN phone_verified BIGINT NOT NULL DEFAULT 0;
-- The verified household, when the residence names a room.
ALTER TABLE users ADD COLUMN household_id BIGINT REFERENCES households(id);
