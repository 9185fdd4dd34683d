-- Rate counters for the limits that hold across `serve` processes (posting, urgent wishes, wrong
-- check-in codes). One row per key: the window started at its first hit, and the hits in it.
-- Rows whose window ended long ago are swept by the scheduler.
CREATE TABLE rate_counters (
    key           TEXT   PRIMARY KEY,
    window_start  BIGINT NOT NULL,
    hits          BIGINT NOT NULL
);
CREATE INDEX rate_counters_window ON rate_counters (window_start);
