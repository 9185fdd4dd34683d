-- Party organisation (SQLite dialect; keep in step with ../postgres/ of the same version):
-- the community party committee's branches (党支部), the grids each covers, and the party
-- members of each branch, maintained by admins only. category: community | in_service (在职党员).
CREATE TABLE party_branches (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);

CREATE TABLE party_branch_grids (
    branch_id  BIGINT NOT NULL REFERENCES party_branches(id),
    grid_id    BIGINT NOT NULL REFERENCES grids(id),
    PRIMARY KEY (branch_id, grid_id)
);

CREATE TABLE party_members (
    user_id     BIGINT NOT NULL PRIMARY KEY REFERENCES users(id),
    branch_id   BIGINT NOT NULL REFERENCES party_branches(id),
    category    TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE INDEX party_members_branch ON party_members (branch_id, category);
