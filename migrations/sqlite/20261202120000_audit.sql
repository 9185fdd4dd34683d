-- The audit log (sqlite dialect; keep in step with the other engine's file of the same version):
-- every admin and leader action with power, written by core::audit::record in the action's own
-- transaction. actor_id NULL is the operator at the command line; detail is JSON as TEXT.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    actor_id      BIGINT,
    action        TEXT   NOT NULL,
    subject_type  TEXT   NOT NULL,
    subject_id    BIGINT,
    grid_id       BIGINT,
    detail        TEXT   NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id, at);
CREATE INDEX audit_log_action ON audit_log (action, at);

-- The log pages through contact reveals too, newest first, by viewer or by time.
CREATE INDEX contact_views_at ON contact_views (at, id);
CREATE INDEX contact_views_viewer ON contact_views (viewer_id, at);

-- Removals from the register were audited in a table of their own; they fold into the log.
INSERT INTO audit_log (actor_id, action, subject_type, subject_id, grid_id, detail, at)
    SELECT removed_by, subject || '.remove', subject, subject_id, grid_id, detail, created_at
    FROM register_removals ORDER BY id;
DROP TABLE register_removals;
