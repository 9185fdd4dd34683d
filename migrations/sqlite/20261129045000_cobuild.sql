-- Co-building units, their resources, projects and credits (SQLite dialect). Keep in step with ../postgres/.
-- A co-building unit (共建单位): a work unit's party organisation that signed an agreement with the
-- community. Its contact is a signed-in user an admin links to it (contact_user_id), who then
-- maintains the unit's resources; the contact's phone and email are the unit's own.
-- agreement_from / agreement_to are calendar dates (YYYY-MM-DD) in the community's time zone.
CREATE TABLE cobuild_units (
    id               INTEGER PRIMARY KEY,
    name             TEXT   NOT NULL,
    party_org        TEXT   NOT NULL DEFAULT '',
    agreement_from   TEXT,
    agreement_to     TEXT,
    contact_name     TEXT   NOT NULL,
    contact_phone    TEXT   NOT NULL,
    contact_email    TEXT   NOT NULL,
    contact_user_id  BIGINT REFERENCES users(id),
    wecom_robot_key  TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CONSTRAINT cobuild_units_name UNIQUE (name)
);
CREATE INDEX cobuild_units_contact ON cobuild_units (contact_user_id);

-- A resource (资源清单) a unit offers: kind is venue, funds, service, goods or team; category is a
-- wish category it can serve; quantity is a capacity, an amount or a head count (NULL: unstated);
-- the availability window is epoch milliseconds (NULL: open-ended).
CREATE TABLE unit_resources (
    id              INTEGER PRIMARY KEY,
    unit_id         BIGINT NOT NULL REFERENCES cobuild_units(id),
    title           TEXT   NOT NULL,
    category        TEXT   NOT NULL,
    kind            TEXT   NOT NULL CHECK (kind IN ('venue', 'funds', 'service', 'goods', 'team')),
    quantity        BIGINT,
    available_from  BIGINT,
    available_to    BIGINT,
    status          TEXT   NOT NULL CHECK (status IN ('available', 'paused', 'withdrawn')),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX unit_resources_unit ON unit_resources (unit_id, id);
CREATE INDEX unit_resources_category ON unit_resources (category, status);

-- A project (项目清单): wishes of one grid matched to a unit's resource by the grid's leader.
CREATE TABLE projects (
    id            INTEGER PRIMARY KEY,
    grid_id       BIGINT NOT NULL REFERENCES grids(id),
    unit_id       BIGINT NOT NULL REFERENCES cobuild_units(id),
    resource_id   BIGINT NOT NULL REFERENCES unit_resources(id),
    title         TEXT   NOT NULL,
    status        TEXT   NOT NULL CHECK (status IN ('proposed', 'agreed', 'delivered', 'declined')),
    proposed_by   BIGINT NOT NULL REFERENCES users(id),
    reason        TEXT,
    created_at    BIGINT NOT NULL,
    agreed_at     BIGINT,
    delivered_at  BIGINT,
    declined_at   BIGINT,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX projects_grid ON projects (grid_id, id);
CREATE INDEX projects_unit ON projects (unit_id, id);

-- The wishes a project serves. A wish is referred to at most one live project at a time:
-- wishes.project_id names it (cleared when the project is declined), and the escalation rules
-- skip referred wishes.
CREATE TABLE project_wishes (
    project_id  BIGINT NOT NULL REFERENCES projects(id),
    wish_id     BIGINT NOT NULL REFERENCES wishes(id),
    PRIMARY KEY (project_id, wish_id)
);
CREATE INDEX project_wishes_wish ON project_wishes (wish_id);
ALTER TABLE wishes ADD COLUMN project_id BIGINT REFERENCES projects(id);

-- What a unit is credited with when a project is delivered: services (wishes fulfilled) and
-- minutes of service, for the insight indicators and the unit's record.
CREATE TABLE unit_credits (
    id          INTEGER PRIMARY KEY,
    unit_id     BIGINT NOT NULL REFERENCES cobuild_units(id),
    project_id  BIGINT NOT NULL REFERENCES projects(id),
    services    BIGINT NOT NULL,
    minutes     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    CONSTRAINT unit_credits_project UNIQUE (project_id)
);
CREATE INDEX unit_credits_unit_created ON unit_credits (unit_id, created_at);
CREATE INDEX unit_credits_created ON unit_credits (created_at);
