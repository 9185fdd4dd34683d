-- One row the readiness probe updates (and rolls back): /readyz reports not ready when the
-- database cannot be written (read-only, locked, down), not merely when it cannot be read.
CREATE TABLE readiness (
    id          BIGINT PRIMARY KEY,
    checked_at  BIGINT NOT NULL
);
INSERT INTO readiness (id, checked_at) VALUES (1, 0);
