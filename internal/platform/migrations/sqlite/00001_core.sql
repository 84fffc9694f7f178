-- Organisations, staff accounts, memberships, sessions, API tokens, password resets, login throttling.
CREATE TABLE organisations (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    siae_kind    TEXT NOT NULL DEFAULT '',
    territory    TEXT NOT NULL,
    siret        TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    postal_code  TEXT NOT NULL DEFAULT '',
    commune_code TEXT NOT NULL DEFAULT '',
    -- Lowercase, accent-free name for searches that behave alike on both engines.
    search_name  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    disabled_at  TIMESTAMP
);
CREATE INDEX organisations_territory ON organisations (territory, kind);
CREATE UNIQUE INDEX organisations_siret ON organisations (siret) WHERE siret <> '';

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    first_name     TEXT NOT NULL DEFAULT '',
    last_name      TEXT NOT NULL DEFAULT '',
    password_hash  TEXT NOT NULL DEFAULT '',
    platform_admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMP NOT NULL,
    disabled_at    TIMESTAMP,
    last_login_at  TIMESTAMP
);

CREATE TABLE memberships (
    user_id         TEXT NOT NULL REFERENCES users (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    role            TEXT NOT NULL,
    qualification   TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, organisation_id, role)
);
CREATE INDEX memberships_org ON memberships (organisation_id, role);

CREATE TABLE sessions (
    token_hash      TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id),
    organisation_id TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    last_seen_at    TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id),
    organisation_id TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    prefix          TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    last_used_at    TIMESTAMP,
    revoked_at      TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);

CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at  TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);
