-- A person's skills (sqlite dialect; keep in step with ../postgres/ of the same version): wish
-- category codes (`wishes.categories` in the configuration), so skills match wishes. Read by the
-- supply–demand report and the volunteers' ordering of open wishes.
CREATE TABLE user_skills (
    user_id   BIGINT NOT NULL REFERENCES users(id),
    category  TEXT   NOT NULL,
    PRIMARY KEY (user_id, category)
);

CREATE INDEX user_skills_category ON user_skills (category, user_id);
