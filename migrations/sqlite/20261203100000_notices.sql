-- Notices (通知公告, sqlite dialect; keep in step with the other dialect of the same version): a
-- grid leader's or admin's announcement to an audience — grids, roles, party branches and
-- categories, named people — each recipient once, with when they read it.
CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    author_id   BIGINT NOT NULL REFERENCES users(id),
    title       TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    audience    TEXT   NOT NULL,
    reached     BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE INDEX notices_author ON notices (author_id, id);
CREATE TABLE notice_recipients (
    notice_id  BIGINT NOT NULL REFERENCES notices(id),
    user_id    BIGINT NOT NULL REFERENCES users(id),
    read_at    BIGINT,
    PRIMARY KEY (notice_id, user_id)
);
CREATE INDEX notice_recipients_user ON notice_recipients (user_id, notice_id);
