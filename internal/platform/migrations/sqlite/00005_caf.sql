-- RSA households fed by the CAF/MSA flow, the history of their rights, and import runs.
ALTER TABLE persons ADD COLUMN household_id TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN household_role TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN droits_devoirs BOOLEAN NOT NULL DEFAULT FALSE;
-- Digest of what the last flow said about the person: an unchanged person is skipped.
ALTER TABLE persons ADD COLUMN flow_digest TEXT NOT NULL DEFAULT '';
CREATE INDEX persons_household ON persons (household_id) WHERE household_id <> '';

CREATE TABLE households (
    id              TEXT PRIMARY KEY,
    territory       TEXT NOT NULL,
    fonorg          TEXT NOT NULL,
    numorg          TEXT NOT NULL,
    matricule       TEXT NOT NULL,
    request_date    DATE,
    request_number  TEXT NOT NULL DEFAULT '',
    rsa_state       TEXT NOT NULL DEFAULT '',
    suspension_code TEXT NOT NULL DEFAULT '',
    suspension_date DATE,
    closure_code    TEXT NOT NULL DEFAULT '',
    closure_date    DATE,
    droits_devoirs  BOOLEAN NOT NULL DEFAULT FALSE,
    flow_digest     TEXT NOT NULL DEFAULT '',
    last_flow_date  DATE,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (fonorg, matricule)
);
CREATE INDEX households_territory ON households (territory, rsa_state);

-- What changed in a household's rights, dated as the flow dates it.
CREATE TABLE rsa_events (
    id           TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id),
    person_id    TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    code         TEXT NOT NULL DEFAULT '',
    on_date      DATE,
    flow_date    DATE NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX rsa_events_household ON rsa_events (household_id, flow_date);
CREATE INDEX rsa_events_flow ON rsa_events (flow_date, kind);

CREATE TABLE imports (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    flow_type   TEXT NOT NULL DEFAULT '',
    flow_date   DATE,
    households  INTEGER NOT NULL,
    persons     INTEGER NOT NULL,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL
);
