-- Photos of wishes (SQLite dialect). Keep in step with ../postgres/.

-- Photos of a wish (kind 'wish', by its resident's side) and proof of fulfilment (kind 'proof',
-- by the holder). The bytes live in the object store under object_key, metadata stripped.
CREATE TABLE wish_photos (
    id            INTEGER PRIMARY KEY,
    wish_id       BIGINT NOT NULL REFERENCES wishes(id),
    uploader_id   BIGINT NOT NULL REFERENCES users(id),
    kind          TEXT   NOT NULL CHECK (kind IN ('wish', 'proof')),
    content_type  TEXT   NOT NULL,
    size_bytes    BIGINT NOT NULL,
    object_key    TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX wish_photos_wish ON wish_photos (wish_id, kind);
