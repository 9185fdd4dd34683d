-- The web console's sign-in (SQLite dialect). Keep in step with ../postgres/.

-- A sign-in grant: a QR ticket the console shows and a leader approves from the mini-program
-- (kind 'qr': user_id set on approval), or a one-time link printed by `microwish admin
-- console-link` (kind 'link': user_id set at issue). Stored hashed; each is redeemed once.
CREATE TABLE console_tickets (
    id           INTEGER PRIMARY KEY,
    kind         TEXT   NOT NULL CHECK (kind IN ('qr', 'link')),
    token_hash   TEXT   NOT NULL UNIQUE,
    user_id      BIGINT REFERENCES users(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    approved_at  BIGINT,
    used_at      BIGINT
);
CREATE INDEX console_tickets_expiry ON console_tickets (expires_at);

-- Console sessions live apart from the API's bearer sessions: a cookie that leaks cannot be
-- replayed as an API token, and either kind can be revoked without the other.
CREATE TABLE console_sessions (
    token_hash  TEXT   PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);
