-- What was removed from the register, by whom and when: the audit of deletions (sqlite dialect;
-- keep in step with the other engine's file of the same version).
CREATE TABLE register_removals (
    id          INTEGER PRIMARY KEY,
    subject     TEXT   NOT NULL,
    subject_id  BIGINT NOT NULL,
    grid_id     BIGINT NOT NULL,
    removed_by  BIGINT NOT NULL,
    detail      TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX register_removals_grid ON register_removals (grid_id, created_at);
