-- Foundation schema (SQLite dialect). Keep in step with ../postgres/ of the same version.
-- Times are epoch milliseconds (BIGINT); JSON is TEXT; ids are 64-bit integers.

CREATE TABLE grids (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE,
    leader_user_id  BIGINT  REFERENCES users(id),
    wecom_robot_key TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    openid        TEXT    NOT NULL UNIQUE,
    unionid       TEXT,
    display_name  TEXT    NOT NULL DEFAULT '',
    phone         TEXT,
    email         TEXT,
    grid_id       BIGINT  REFERENCES grids(id),
    building      TEXT,
    address       TEXT,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE INDEX users_grid ON users (grid_id);

CREATE TABLE user_roles (
    user_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role     TEXT   NOT NULL CHECK (role IN ('resident', 'volunteer', 'grid_leader', 'admin')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    token_hash  TEXT   PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE wishes (
    id              INTEGER PRIMARY KEY,
    resident_id     BIGINT NOT NULL REFERENCES users(id),
    created_by      BIGINT NOT NULL REFERENCES users(id),
    consent_note    TEXT,
    grid_id         BIGINT NOT NULL REFERENCES grids(id),
    title           TEXT   NOT NULL,
    description     TEXT   NOT NULL,
    category        TEXT   NOT NULL,
    urgency         TEXT   NOT NULL CHECK (urgency IN ('normal', 'urgent')),
    due_at          BIGINT,
    status          TEXT   NOT NULL CHECK (status IN ('pending_review', 'open', 'claimed', 'fulfilled', 'closed', 'rejected', 'cancelled')),
    volunteer_id    BIGINT REFERENCES users(id),
    claimed_at      BIGINT,
    fulfilled_at    BIGINT,
    fulfil_note     TEXT,
    closed_at       BIGINT,
    rating          BIGINT CHECK (rating BETWEEN 1 AND 5),
    rating_comment  TEXT,
    status_reason   TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX wishes_status_id ON wishes (status, id);
CREATE INDEX wishes_grid_status_id ON wishes (grid_id, status, id);
CREATE INDEX wishes_category_id ON wishes (category, id);
CREATE INDEX wishes_resident ON wishes (resident_id, id);
CREATE INDEX wishes_volunteer_status ON wishes (volunteer_id, status);

CREATE TABLE wish_timeline (
    id           INTEGER PRIMARY KEY,
    wish_id      BIGINT NOT NULL REFERENCES wishes(id),
    at           BIGINT NOT NULL,
    actor_id     BIGINT REFERENCES users(id),
    action       TEXT   NOT NULL,
    from_status  TEXT,
    to_status    TEXT   NOT NULL,
    note         TEXT
);
CREATE INDEX wish_timeline_wish ON wish_timeline (wish_id, id);

-- The transactional outbox: one row per (kind, recipient, subject), written in the same
-- transaction as the change it announces. The notifier turns each into channel deliveries.
CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY,
    kind          TEXT   NOT NULL,
    recipient_id  BIGINT NOT NULL REFERENCES users(id),
    subject_type  TEXT   NOT NULL,
    subject_id    BIGINT NOT NULL,
    urgent        BIGINT NOT NULL DEFAULT 0,
    payload       TEXT   NOT NULL,
    dedupe_key    TEXT   NOT NULL UNIQUE,
    status        TEXT   NOT NULL DEFAULT 'pending',
    attempts      BIGINT NOT NULL DEFAULT 0,
    available_at  BIGINT NOT NULL,
    lease_until   BIGINT,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX notifications_due ON notifications (status, available_at);
CREATE INDEX notifications_recipient ON notifications (recipient_id, id);

-- Privacy audit: every time a full phone number or address is shown to someone other than its owner.
CREATE TABLE contact_views (
    id           INTEGER PRIMARY KEY,
    viewer_id    BIGINT NOT NULL REFERENCES users(id),
    resident_id  BIGINT NOT NULL REFERENCES users(id),
    wish_id      BIGINT REFERENCES wishes(id),
    at           BIGINT NOT NULL
);
CREATE INDEX contact_views_resident ON contact_views (resident_id, at);

-- Remaining one-time subscribe-message sends per (user, template), fed by wx.requestSubscribeMessage.
CREATE TABLE subscription_quotas (
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    template_id  TEXT   NOT NULL,
    remaining    BIGINT NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, template_id)
);
