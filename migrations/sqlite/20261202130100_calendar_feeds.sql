-- Personal calendar feeds (SQLite dialect; keep in step with the other dialect of the same version).
-- One per person: the secret in the feed's URL is stored only as its SHA-256 hash; a new one
-- replaces the old, and deleting the row revokes the URL.
CREATE TABLE calendar_feeds (
    user_id     BIGINT PRIMARY KEY REFERENCES users(id),
    token_hash  TEXT   NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);
