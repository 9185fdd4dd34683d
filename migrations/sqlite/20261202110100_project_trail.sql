-- What happens to a project (SQLite dialect). Keep in step with ../postgres/.

-- A project's timeline: its proposal and every decision on it, who took it and why, appended in
-- the transaction of the change (like a wish's).
CREATE TABLE project_timeline (
    id           INTEGER PRIMARY KEY,
    project_id   BIGINT NOT NULL REFERENCES projects(id),
    at           BIGINT NOT NULL,
    actor_id     BIGINT REFERENCES users(id),
    action       TEXT   NOT NULL,
    from_status  TEXT,
    to_status    TEXT   NOT NULL,
    note         TEXT
);
CREATE INDEX project_timeline_project ON project_timeline (project_id, id);

-- A resource's use: the project that delivered with it and how many wishes it served. One row
-- per delivered project; the resources indicator counts the resources used in a month from here.
CREATE TABLE resource_uses (
    id           INTEGER PRIMARY KEY,
    resource_id  BIGINT NOT NULL REFERENCES unit_resources(id),
    project_id   BIGINT NOT NULL REFERENCES projects(id),
    services     BIGINT NOT NULL,
    used_at      BIGINT NOT NULL,
    CONSTRAINT resource_uses_project UNIQUE (project_id)
);
CREATE INDEX resource_uses_resource ON resource_uses (resource_id, used_at);
CREATE INDEX resource_uses_used ON resource_uses (used_at);
CREATE INDEX projects_delivered ON projects (delivered_at) WHERE delivered_at IS NOT NULL;
