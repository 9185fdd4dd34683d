-- What a resident sees and a volunteer sees of wishes (SQLite dialect). Keep in step with ../postgres/.

-- "Who is coming": each time the holding volunteer's name and phone are shown to the resident's
-- side (the resident, whoever posted the wish, linked family), like contact_views for residents.
CREATE TABLE volunteer_contact_views (
    id            INTEGER PRIMARY KEY,
    viewer_id     BIGINT NOT NULL REFERENCES users(id),
    volunteer_id  BIGINT NOT NULL REFERENCES users(id),
    wish_id       BIGINT NOT NULL REFERENCES wishes(id),
    at            BIGINT NOT NULL
);
CREATE INDEX volunteer_contact_views_volunteer ON volunteer_contact_views (volunteer_id, at);
