-- Which slots are held now (SQLite dialect). Keep in step with ../postgres/.

-- A volunteer's open claims count the slots they hold of wishes still open or claimed. Marking
-- those rows live — cleared when the wish is fulfilled or cancelled; a release deletes the row —
-- lets the claim's limit count them with one probe of a partial index, without reading the
-- wishes, so an ordinary claim stays as cheap as it was before slots existed.
ALTER TABLE wish_holders ADD COLUMN live BIGINT NOT NULL DEFAULT 1;
UPDATE wish_holders SET live = 0 WHERE wish_id IN (SELECT id FROM wishes WHERE status NOT IN ('open', 'claimed'));
CREATE INDEX wish_holders_live ON wish_holders (volunteer_id) WHERE live = 1;
