-- Yearly totals of the insertion-clause lines, one row per participant and per
-- participant × contract type × mode in each territory and calendar year. The
-- service rewrites a participant's rows of a year in the transaction that
-- writes their lines, so a territory's annual report reads these totals
-- (tens of thousands of rows) instead of every monthly line.

CREATE TABLE clause_year_people (
    territory       TEXT NOT NULL,
    -- YYYY
    year            TEXT NOT NULL,
    participant_id  TEXT NOT NULL REFERENCES clause_participants (id),
    -- The participant's public, sex, birth date and QPV, kept equal to
    -- clause_participants by every update of the participant.
    public          TEXT NOT NULL,
    sex             TEXT NOT NULL,
    birth_date      DATE,
    qpv             BOOLEAN NOT NULL,
    centihours      INTEGER NOT NULL,
    -- Distinct company × market × contract type worked in the year.
    contracts       INTEGER NOT NULL,
    -- Distinct companies that hired the participant directly (not training).
    hires           INTEGER NOT NULL,
    PRIMARY KEY (territory, year, participant_id)
) WITHOUT ROWID;
-- The annual report groups a territory's year by public, sex and QPV from this index alone.
CREATE INDEX clause_year_people_report ON clause_year_people (territory, year, public, sex, qpv, birth_date, centihours, contracts, hires);
CREATE INDEX clause_year_people_participant ON clause_year_people (participant_id);

CREATE TABLE clause_year_contracts (
    territory       TEXT NOT NULL,
    year            TEXT NOT NULL,
    contract_type   TEXT NOT NULL,
    mode            TEXT NOT NULL,
    participant_id  TEXT NOT NULL REFERENCES clause_participants (id),
    centihours      INTEGER NOT NULL,
    -- A contract worked in several modes counts once, on its first mode.
    contracts       INTEGER NOT NULL,
    -- The annual report sums a territory's year by contract type and mode in key order.
    PRIMARY KEY (territory, year, contract_type, mode, participant_id)
) WITHOUT ROWID;
CREATE INDEX clause_year_contracts_participant ON clause_year_contracts (participant_id, territory, year);

-- The lines written before this migration.
INSERT INTO clause_year_people (territory, year, participant_id, public, sex, birth_date, qpv, centihours, contracts, hires)
SELECT h.territory, substr(h.month, 1, 4), h.participant_id, p.public, p.sex, p.birth_date, p.qpv, SUM(h.centihours),
    COUNT(DISTINCT h.company_org_id || '|' || h.market_id || '|' || h.contract_type),
    COUNT(DISTINCT CASE WHEN h.mode = 'EMBAUCHE_DIRECTE' AND h.contract_type <> 'FORMATION' THEN h.company_org_id END)
FROM clause_hours h JOIN clause_participants p ON p.id = h.participant_id
GROUP BY h.territory, substr(h.month, 1, 4), h.participant_id, p.public, p.sex, p.birth_date, p.qpv;

INSERT INTO clause_year_contracts (territory, year, contract_type, mode, participant_id, centihours, contracts)
SELECT x.territory, x.year, x.contract_type, x.mode, x.participant_id, SUM(x.centihours), SUM(x.contracts) FROM (
    SELECT h.territory, substr(h.month, 1, 4) AS year, h.contract_type, h.mode, h.participant_id, h.centihours, 0 AS contracts
    FROM clause_hours h
    UNION ALL
    SELECT h.territory, substr(h.month, 1, 4), h.contract_type, MIN(h.mode), h.participant_id, 0, 1
    FROM clause_hours h
    GROUP BY h.territory, substr(h.month, 1, 4), h.participant_id, h.company_org_id, h.market_id, h.contract_type
) x GROUP BY x.territory, x.year, x.contract_type, x.mode, x.participant_id;
