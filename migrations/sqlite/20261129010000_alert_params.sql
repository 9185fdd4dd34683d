-- Alerts store their facts, not their words (SQLite dialect). Keep in step with ../postgres/.
-- params: the JSON facts an alert's line is rendered from at read time, in the reader's language
-- (core/templates/*/alert_summary.txt). Alerts raised before keep their stored Chinese line in
-- summary and have no params; new alerts store '' there.
ALTER TABLE alerts ADD COLUMN params TEXT;
