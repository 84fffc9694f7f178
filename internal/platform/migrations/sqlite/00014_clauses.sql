-- Insertion clauses in public procurement: operations grouping markets (lots),
-- the companies awarded each market with their share of the insertion hours,
-- the participants (linked to the registry when known), the hours declared
-- every month with their corrections, and the participants' outcomes.

CREATE TABLE clause_operations (
    id                  TEXT PRIMARY KEY,
    territory           TEXT NOT NULL,
    name                TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    -- The PLIE (or other structure) whose facilitators follow the operation.
    facilitator_org_id  TEXT NOT NULL DEFAULT '',
    facilitator_user_id TEXT NOT NULL DEFAULT '',
    -- Hours pooled across the lots: the operation's total counts, not each lot's.
    pooled              BOOLEAN NOT NULL DEFAULT FALSE,
    search_name         TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
-- Imports name the operation: one name per territory.
CREATE UNIQUE INDEX clause_operations_name ON clause_operations (territory, search_name);
CREATE INDEX clause_operations_facilitator ON clause_operations (facilitator_org_id);

CREATE TABLE clause_markets (
    id                  TEXT PRIMARY KEY,
    operation_id        TEXT NOT NULL REFERENCES clause_operations (id),
    territory           TEXT NOT NULL,
    buyer_org_id        TEXT NOT NULL REFERENCES organisations (id),
    reference           TEXT NOT NULL,
    title               TEXT NOT NULL,
    amount_cents        INTEGER NOT NULL DEFAULT 0,
    start_date          DATE NOT NULL,
    end_date            DATE NOT NULL,
    -- execution | reserve | attribution | marche_insertion
    clause_type         TEXT NOT NULL,
    -- fixed (hours entered) | labour_share (rate % of rule_base labour hours) |
    -- per_euro (rate hours per 1,000 € of rule_base euros invoiced)
    hours_rule          TEXT NOT NULL DEFAULT 'fixed',
    rule_base           REAL NOT NULL DEFAULT 0,
    rule_rate           REAL NOT NULL DEFAULT 0,
    required_centihours INTEGER NOT NULL DEFAULT 0,
    facilitator_org_id  TEXT NOT NULL DEFAULT '',
    facilitator_user_id TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
-- Declarations name the market by its reference: one reference per territory.
CREATE UNIQUE INDEX clause_markets_reference ON clause_markets (territory, reference);
CREATE INDEX clause_markets_operation ON clause_markets (operation_id);
CREATE INDEX clause_markets_buyer ON clause_markets (buyer_org_id);
CREATE INDEX clause_markets_facilitator ON clause_markets (facilitator_org_id);

CREATE TABLE clause_awards (
    id                  TEXT PRIMARY KEY,
    market_id           TEXT NOT NULL REFERENCES clause_markets (id),
    company_org_id      TEXT NOT NULL REFERENCES organisations (id),
    -- holder | cocontractor | subcontractor
    role                TEXT NOT NULL DEFAULT 'holder',
    share_centihours    INTEGER NOT NULL DEFAULT 0,
    -- How the company fulfils its share, comma-separated: direct_hire,
    -- placement, subcontracting, cocontracting, training.
    fulfilment          TEXT NOT NULL DEFAULT '',
    -- The SIAE, ETT or GEIQ placing or employing the participants, if any.
    partner_org_id      TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX clause_awards_market_company ON clause_awards (market_id, company_org_id);
CREATE INDEX clause_awards_company ON clause_awards (company_org_id);
CREATE INDEX clause_awards_partner ON clause_awards (partner_org_id) WHERE partner_org_id <> '';

CREATE TABLE clause_participants (
    id              TEXT PRIMARY KEY,
    territory       TEXT NOT NULL,
    -- The person of the registry, when known.
    person_id       TEXT NOT NULL DEFAULT '',
    -- The facilitator's own identifier.
    external_id     TEXT NOT NULL DEFAULT '',
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    birth_date      DATE,
    sex             TEXT NOT NULL DEFAULT '',
    commune_code    TEXT NOT NULL DEFAULT '',
    qpv             BOOLEAN NOT NULL DEFAULT FALSE,
    -- BRSA | DELD | JEUNE_26 | RQTH | MINIMA_SOCIAUX | SIAE | AUTRE
    public          TEXT NOT NULL,
    public_reason   TEXT NOT NULL DEFAULT '',
    proof_date      DATE,
    validated_by    TEXT NOT NULL DEFAULT '',
    validated_at    TIMESTAMP,
    -- Folded "last first birthdate" to recognise a participant without an identifier.
    match_key       TEXT NOT NULL DEFAULT '',
    search_name     TEXT NOT NULL DEFAULT '',
    created_by_org  TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX clause_participants_external ON clause_participants (territory, external_id) WHERE external_id <> '';
CREATE INDEX clause_participants_match ON clause_participants (territory, match_key);
CREATE INDEX clause_participants_person ON clause_participants (person_id) WHERE person_id <> '';

CREATE TABLE clause_hours (
    id              TEXT PRIMARY KEY,
    territory       TEXT NOT NULL,
    market_id       TEXT NOT NULL REFERENCES clause_markets (id),
    company_org_id  TEXT NOT NULL REFERENCES organisations (id),
    participant_id  TEXT NOT NULL REFERENCES clause_participants (id),
    -- YYYY-MM
    month           TEXT NOT NULL,
    contract_type   TEXT NOT NULL,
    mode            TEXT NOT NULL,
    centihours      INTEGER NOT NULL,
    -- The SIAE, ETT or GEIQ that placed the participant, if any.
    via_org_id      TEXT NOT NULL DEFAULT '',
    -- ui | api | import
    source          TEXT NOT NULL,
    entered_by      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
-- One line per key: a re-import replaces it. The month comes before the
-- participant so that "has this company started by then" reads the index.
CREATE UNIQUE INDEX clause_hours_key ON clause_hours (market_id, company_org_id, month, participant_id, contract_type);
-- Reports read a territory's months from this index alone.
CREATE INDEX clause_hours_territory ON clause_hours (territory, month, participant_id, company_org_id, market_id, contract_type, mode, centihours);
CREATE INDEX clause_hours_company ON clause_hours (company_org_id, month);
CREATE INDEX clause_hours_via ON clause_hours (via_org_id, month) WHERE via_org_id <> '';
CREATE INDEX clause_hours_participant ON clause_hours (participant_id, month);

-- Every correction of a declared line, with what it was before.
CREATE TABLE clause_hours_history (
    id              TEXT PRIMARY KEY,
    hours_id        TEXT NOT NULL,
    before_centihours INTEGER,
    after_centihours  INTEGER NOT NULL,
    before_mode     TEXT NOT NULL DEFAULT '',
    after_mode      TEXT NOT NULL,
    source          TEXT NOT NULL,
    changed_by      TEXT NOT NULL DEFAULT '',
    changed_at      TIMESTAMP NOT NULL
);
CREATE INDEX clause_hours_history_line ON clause_hours_history (hours_id, changed_at);

-- What became of a participant at the end of the mission and six months later.
CREATE TABLE clause_outcomes (
    id              TEXT PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES clause_participants (id),
    operation_id    TEXT NOT NULL REFERENCES clause_operations (id),
    -- end | six_months
    stage           TEXT NOT NULL,
    -- cdi | cdd6 | interim | training | qualification | none
    outcome         TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '',
    observed_on     DATE NOT NULL,
    recorded_by     TEXT NOT NULL DEFAULT '',
    recorded_at     TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX clause_outcomes_key ON clause_outcomes (participant_id, operation_id, stage);
CREATE INDEX clause_outcomes_operation ON clause_outcomes (operation_id);
