-- Reference data: communes with postal codes and coordinates, the ROME job
-- taxonomy and NAF activity codes. Loaded by package refdata.
CREATE TABLE communes (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    -- name lowercased, without accents or punctuation, for searches that
    -- behave alike on both engines; text_pattern_ops lets PostgreSQL use the index for LIKE 'x%'.
    search_name  TEXT NOT NULL,
    department   TEXT NOT NULL,
    -- space-separated, sorted
    postal_codes TEXT NOT NULL,
    lat          DOUBLE PRECISION NOT NULL,
    lon          DOUBLE PRECISION NOT NULL,
    -- true when the coordinates are borrowed from a neighbour or the département centre
    approximate  BOOLEAN NOT NULL
);
CREATE INDEX communes_department ON communes (department);
CREATE INDEX communes_search_name ON communes (search_name text_pattern_ops);

-- One row per (postal code, commune): a postal code may serve several communes.
CREATE TABLE commune_postal_codes (
    postal_code TEXT NOT NULL,
    commune     TEXT NOT NULL,
    PRIMARY KEY (postal_code, commune)
);

-- Grands domaines (A…N, parent NULL) and domaines professionnels (F17, parent F).
CREATE TABLE rome_domains (
    code   TEXT PRIMARY KEY,
    label  TEXT NOT NULL,
    parent TEXT
);

CREATE TABLE rome_fiches (
    code   TEXT PRIMARY KEY,
    label  TEXT NOT NULL,
    domain TEXT NOT NULL
);
CREATE INDEX rome_fiches_domain ON rome_fiches (domain);

-- NAF rév. 2 at every level, codes in dotted form (81.21Z).
CREATE TABLE naf (
    code    TEXT PRIMARY KEY,
    label   TEXT NOT NULL,
    section TEXT NOT NULL
);
