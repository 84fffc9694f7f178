-- People helped and their follow-up group: the registry the shared pathway builds on.
CREATE TABLE persons (
    id              TEXT PRIMARY KEY,
    territory       TEXT NOT NULL,
    holding_org_id  TEXT NOT NULL REFERENCES organisations (id),
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    birth_name      TEXT NOT NULL DEFAULT '',
    birth_date      DATE,
    sex             TEXT NOT NULL DEFAULT '',
    nir_sealed      TEXT NOT NULL DEFAULT '',
    nir_match       TEXT NOT NULL DEFAULT '',
    caf_matricule   TEXT NOT NULL DEFAULT '',
    ft_id           TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    commune_code    TEXT NOT NULL DEFAULT '',
    lat             DOUBLE PRECISION,
    lon             DOUBLE PRECISION,
    geo_approximate BOOLEAN NOT NULL DEFAULT TRUE,
    phone           TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    -- Lowercase, accent-free names for searches that behave alike on both engines.
    search_name     TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX persons_territory ON persons (territory, last_name, first_name);
CREATE INDEX persons_holding ON persons (holding_org_id, last_name, first_name);
CREATE INDEX persons_matricule ON persons (caf_matricule) WHERE caf_matricule <> '';
CREATE INDEX persons_nir ON persons (nir_match) WHERE nir_match <> '';
CREATE INDEX persons_commune ON persons (commune_code);

CREATE TABLE follow_up_members (
    id              TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES persons (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    role            TEXT NOT NULL,
    start_date      DATE NOT NULL,
    end_date        DATE,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX follow_up_person ON follow_up_members (person_id);
CREATE INDEX follow_up_user ON follow_up_members (user_id, organisation_id, person_id);
