-- Household imports run from the console as jobs (sqlite dialect; keep in step with the other
-- engine's file of the same version): the page a leader watches reads lines done against the
-- file's lines while the import runs, and the report once it is over (JSON as TEXT).
CREATE TABLE import_jobs (
    id           INTEGER PRIMARY KEY,
    created_by   BIGINT NOT NULL REFERENCES users(id),
    status       TEXT   NOT NULL,
    lines_total  BIGINT NOT NULL,
    lines_done   BIGINT NOT NULL,
    report       TEXT,
    error        TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX import_jobs_creator ON import_jobs (created_by, id);
