-- Care register and visits (关爱走访) (SQLite dialect). Keep in step with ../postgres/.

-- A resident under care: categories (register.care_tags, `;`-separated), how often someone
-- visits, set by the grid's leader.
CREATE TABLE care_plans (
    resident_id     BIGINT PRIMARY KEY REFERENCES users(id),
    tags            TEXT   NOT NULL,
    visit_every_ms  BIGINT NOT NULL CHECK (visit_every_ms > 0),
    updated_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- The party members or volunteers responsible for visiting (党员联系户).
CREATE TABLE care_visitors (
    resident_id  BIGINT NOT NULL REFERENCES users(id),
    visitor_id   BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (resident_id, visitor_id)
);
CREATE INDEX care_visitors_visitor ON care_visitors (visitor_id);

CREATE TABLE visits (
    id           INTEGER PRIMARY KEY,
    resident_id  BIGINT NOT NULL REFERENCES users(id),
    visitor_id   BIGINT NOT NULL REFERENCES users(id),
    outcome      TEXT   NOT NULL CHECK (outcome IN ('ok', 'needs_help', 'not_home')),
    note         TEXT   NOT NULL DEFAULT '',
    wish_id      BIGINT REFERENCES wishes(id),
    at           BIGINT NOT NULL
);
CREATE INDEX visits_resident ON visits (resident_id, at);
