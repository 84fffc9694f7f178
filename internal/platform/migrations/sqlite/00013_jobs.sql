-- Jobs: employers' sites and contacts, offers, online CVs with the person's
-- consent, positionings of candidates on offers, notifications to staff, and
-- mass-recruitment campaigns assigning candidates to sites.

-- The employer's activity (NAF rév. 2, dotted form such as 81.21Z).
ALTER TABLE organisations ADD COLUMN naf TEXT NOT NULL DEFAULT '';

CREATE TABLE employer_sites (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name            TEXT NOT NULL,
    address         TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    commune_code    TEXT NOT NULL DEFAULT '',
    -- NULL when the address could not be placed: never (0, 0).
    lat             REAL,
    lon             REAL,
    geo_approximate BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMP NOT NULL,
    archived_at     TIMESTAMP
);
CREATE INDEX employer_sites_org ON employer_sites (organisation_id);

CREATE TABLE employer_contacts (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name            TEXT NOT NULL,
    job_title       TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX employer_contacts_org ON employer_contacts (organisation_id);

CREATE TABLE offers (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    territory       TEXT NOT NULL,
    site_id         TEXT NOT NULL DEFAULT '',
    -- The employer's own reference: a re-imported offer updates the same row.
    reference       TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL,
    rome            TEXT NOT NULL,
    contract        TEXT NOT NULL,
    contract_months INTEGER NOT NULL DEFAULT 0,
    weekly_minutes  INTEGER NOT NULL DEFAULT 0,
    positions       INTEGER NOT NULL DEFAULT 1,
    start_date      DATE,
    commune_code    TEXT NOT NULL DEFAULT '',
    lat             REAL,
    lon             REAL,
    needs_licence   BOOLEAN NOT NULL DEFAULT FALSE,
    needs_vehicle   BOOLEAN NOT NULL DEFAULT FALSE,
    -- Qualifications asked for, one per line; shifts as comma-separated codes.
    qualifications  TEXT NOT NULL DEFAULT '',
    shifts          TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    -- Title, employer and ROME code folded (lowercase, no accents) for searches.
    search_text     TEXT NOT NULL DEFAULT '',
    in_tension      BOOLEAN NOT NULL DEFAULT FALSE,
    clause_linked   BOOLEAN NOT NULL DEFAULT FALSE,
    clause_market   TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'open',
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    closed_at       TIMESTAMP
);
CREATE INDEX offers_territory ON offers (territory, status, created_at);
CREATE INDEX offers_org ON offers (organisation_id, status, created_at);
CREATE UNIQUE INDEX offers_reference ON offers (organisation_id, reference) WHERE reference <> '';
-- The matching engine reads the offers and CVs changed since its last look.
CREATE INDEX offers_updated ON offers (updated_at);

-- The online CV of a person; lists are one item per line (skills,
-- qualifications) or comma-separated codes (ROME fiches, means, shifts).
CREATE TABLE cvs (
    person_id          TEXT PRIMARY KEY REFERENCES persons (id),
    headline           TEXT NOT NULL DEFAULT '',
    summary            TEXT NOT NULL DEFAULT '',
    skills             TEXT NOT NULL DEFAULT '',
    romes              TEXT NOT NULL DEFAULT '',
    radius_km          INTEGER NOT NULL DEFAULT 20,
    means              TEXT NOT NULL DEFAULT '',
    available_from     DATE,
    weekly_minutes_min INTEGER NOT NULL DEFAULT 0,
    weekly_minutes_max INTEGER NOT NULL DEFAULT 0,
    excluded_shifts    TEXT NOT NULL DEFAULT '',
    licence            BOOLEAN NOT NULL DEFAULT FALSE,
    vehicle            BOOLEAN NOT NULL DEFAULT FALSE,
    qualifications     TEXT NOT NULL DEFAULT '',
    -- Online: the CV takes part in matching.
    online             BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    updated_by         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cvs_updated ON cvs (updated_at);

CREATE TABLE cv_experiences (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES persons (id),
    title       TEXT NOT NULL,
    employer    TEXT NOT NULL DEFAULT '',
    start_date  DATE,
    end_date    DATE,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX cv_experiences_person ON cv_experiences (person_id, start_date);

-- The person's consent to share the CV with employers: recorded by a
-- professional (or given online by the person), revocable, never deleted.
CREATE TABLE cv_consents (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES persons (id),
    method      TEXT NOT NULL,
    given_at    TIMESTAMP NOT NULL,
    given_by    TEXT NOT NULL DEFAULT '',
    revoked_at  TIMESTAMP,
    revoked_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cv_consents_person ON cv_consents (person_id, revoked_at);
CREATE UNIQUE INDEX cv_consents_active ON cv_consents (person_id) WHERE revoked_at IS NULL;

CREATE TABLE positionings (
    id              TEXT PRIMARY KEY,
    offer_id        TEXT NOT NULL REFERENCES offers (id),
    person_id       TEXT NOT NULL REFERENCES persons (id),
    employer_org_id TEXT NOT NULL,
    state           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    proposed_by     TEXT NOT NULL DEFAULT '',
    proposed_by_org TEXT NOT NULL DEFAULT '',
    step_id         TEXT NOT NULL DEFAULT '',
    -- When a professional sent the candidacy to the employer: before that the
    -- employer sees it only if it proposed the person itself.
    sent_at         TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX positionings_offer_person ON positionings (offer_id, person_id);
CREATE INDEX positionings_person ON positionings (person_id);
CREATE INDEX positionings_employer ON positionings (employer_org_id, person_id);

CREATE TABLE positioning_events (
    id              TEXT PRIMARY KEY,
    positioning_id  TEXT NOT NULL REFERENCES positionings (id),
    from_state      TEXT NOT NULL DEFAULT '',
    to_state        TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    user_id         TEXT NOT NULL DEFAULT '',
    organisation_id TEXT NOT NULL DEFAULT '',
    at              TIMESTAMP NOT NULL
);
CREATE INDEX positioning_events_positioning ON positioning_events (positioning_id, at);

-- In-app notifications to staff (a candidate hired, a positioning refused…).
CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    message    TEXT NOT NULL,
    link       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);

-- Mass recruitment: candidates assigned to sites with capacities.
CREATE TABLE campaigns (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    territory       TEXT NOT NULL,
    title           TEXT NOT NULL,
    job_title       TEXT NOT NULL DEFAULT '',
    rome            TEXT NOT NULL DEFAULT '',
    -- 0: no limit.
    max_km          REAL NOT NULL DEFAULT 0,
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    solved_at       TIMESTAMP
);
CREATE INDEX campaigns_territory ON campaigns (territory, created_at);

CREATE TABLE campaign_sites (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns (id),
    name         TEXT NOT NULL,
    commune_code TEXT NOT NULL DEFAULT '',
    lat          REAL,
    lon          REAL,
    capacity     INTEGER NOT NULL,
    position     INTEGER NOT NULL
);
CREATE INDEX campaign_sites_campaign ON campaign_sites (campaign_id, position);

CREATE TABLE campaign_candidates (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns (id),
    person_id    TEXT NOT NULL DEFAULT '',
    label        TEXT NOT NULL,
    commune_code TEXT NOT NULL DEFAULT '',
    lat          REAL,
    lon          REAL,
    position     INTEGER NOT NULL
);
CREATE INDEX campaign_candidates_campaign ON campaign_candidates (campaign_id, position);
CREATE INDEX campaign_candidates_person ON campaign_candidates (person_id) WHERE person_id <> '';

-- Pairs a candidate may not be assigned to (optional per-pair eligibility).
CREATE TABLE campaign_exclusions (
    campaign_id  TEXT NOT NULL REFERENCES campaigns (id),
    candidate_id TEXT NOT NULL,
    site_id      TEXT NOT NULL,
    PRIMARY KEY (campaign_id, candidate_id, site_id)
);

-- The plan: the solver's lines, and the lines a person overrode with a reason.
CREATE TABLE campaign_assignments (
    campaign_id  TEXT NOT NULL REFERENCES campaigns (id),
    candidate_id TEXT NOT NULL,
    site_id      TEXT NOT NULL DEFAULT '',
    distance_km  REAL NOT NULL DEFAULT 0,
    source       TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    decided_by   TEXT NOT NULL DEFAULT '',
    decided_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (campaign_id, candidate_id)
);
