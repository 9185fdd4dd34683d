-- Residents without a smartphone, and family links (PostgreSQL dialect). Keep in step with ../sqlite/.

-- Registered by a grid leader: no WeChat account (its openid is a placeholder `offline:…`).
ALTER TABLE users ADD COLUMN offline BIGINT NOT NULL DEFAULT 0;

-- One-time codes a resident (or the leader, for an offline resident) hands to a family member.
-- Only the SHA-256 of the code is kept.
CREATE TABLE family_codes (
    code_hash    TEXT   PRIMARY KEY,
    resident_id  BIGINT NOT NULL REFERENCES users(id),
    created_by   BIGINT NOT NULL REFERENCES users(id),
    expires_at   BIGINT NOT NULL,
    used_by      BIGINT REFERENCES users(id),
    used_at      BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX family_codes_resident ON family_codes (resident_id);

-- A family member may post on the resident's behalf and receives copies of their notifications.
CREATE TABLE family_links (
    resident_id  BIGINT NOT NULL REFERENCES users(id),
    family_id    BIGINT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (resident_id, family_id)
);
CREATE INDEX family_links_family ON family_links (family_id);
