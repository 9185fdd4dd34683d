-- Referral and multi-volunteer wishes (SQLite dialect). Keep in step with ../postgres/.

-- A wish no volunteer can serve (it needs money, a licence, a team) is referred by its grid's
-- leader to co-building: referred_at marks it, with the leader's reason. A referred wish stays
-- open (a volunteer who can may still claim it) but no longer escalates, and it is listed among
-- the grid's needs for a project. Bundling a wish into a project refers it too.
ALTER TABLE wishes ADD COLUMN referred_at BIGINT;
ALTER TABLE wishes ADD COLUMN referral_reason TEXT;
CREATE INDEX wishes_grid_referred ON wishes (grid_id, referred_at) WHERE referred_at IS NOT NULL;

-- A wish may need several volunteers (a move, a clean-up day): `slots` of them. A one-slot wish
-- is held, as ever, by volunteer_id. A wish of several slots is held by its wish_holders rows,
-- counted in slots_taken, which the claim's guarded update checks against slots: the wish stays
-- open until the last slot is taken. A release deletes the holder's row; the rows of a fulfilled
-- wish stay as the record of who served.
ALTER TABLE wishes ADD COLUMN slots BIGINT NOT NULL DEFAULT 1 CHECK (slots >= 1);
ALTER TABLE wishes ADD COLUMN slots_taken BIGINT NOT NULL DEFAULT 0;
CREATE TABLE wish_holders (
    wish_id       BIGINT NOT NULL REFERENCES wishes(id),
    volunteer_id  BIGINT NOT NULL REFERENCES users(id),
    claimed_at    BIGINT NOT NULL,
    PRIMARY KEY (wish_id, volunteer_id)
);
CREATE INDEX wish_holders_volunteer ON wish_holders (volunteer_id, wish_id);
