-- Recurring wishes (PostgreSQL dialect). Keep in step with ../sqlite/.

-- A wish may repeat (a weekly medicine run): every week, 2 weeks or month (repeat_every), until
-- a time (repeat_until, optional). Its occurrences form a series: series_id is the id of the
-- first, occurrence counts from 1, and the unique index lets each occurrence be opened exactly
-- once however many schedulers (and closing wishes) try at the same moment. Every occurrence
-- carries the rule while the series lives; stopping it (a cancel, a rejection, the end date)
-- clears the rule on all of them and keeps series_id and occurrence as the record.
ALTER TABLE wishes ADD COLUMN repeat_every TEXT CHECK (repeat_every IN ('week', '2weeks', 'month'));
ALTER TABLE wishes ADD COLUMN repeat_until BIGINT;
ALTER TABLE wishes ADD COLUMN series_id BIGINT;
ALTER TABLE wishes ADD COLUMN occurrence BIGINT;
CREATE UNIQUE INDEX wishes_series_occurrence ON wishes (series_id, occurrence);
-- The scheduler's scan: live series whose latest date has come.
CREATE INDEX wishes_repeating_due ON wishes (due_at) WHERE repeat_every IS NOT NULL;

-- A new occurrence is offered first to whoever served the last one: until offer_until only the
-- volunteers of wish_offers may claim it (a leader may still assign anyone); then anyone may.
-- NULL for every other wish, so the claim's check costs nothing there.
ALTER TABLE wishes ADD COLUMN offer_until BIGINT;
CREATE TABLE wish_offers (
    wish_id       BIGINT NOT NULL REFERENCES wishes(id),
    volunteer_id  BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (wish_id, volunteer_id)
);
