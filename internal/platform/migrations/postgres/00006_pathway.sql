-- The shared pathway: joint diagnostic, orientation, contract, action plan,
-- steps, back-to-work check-ins, case reviews and the people's own evaluation.

-- The organisation a person is oriented to, kept on the file so that its
-- administrators see the file and can name a référent (access follows it).
ALTER TABLE persons ADD COLUMN oriented_org_id TEXT NOT NULL DEFAULT '';
CREATE INDEX persons_oriented_org ON persons (oriented_org_id, last_name, first_name) WHERE oriented_org_id <> '';
CREATE INDEX follow_up_org ON follow_up_members (organisation_id, role, person_id);

-- One version of the diagnostic grid; a change makes a new version, so every
-- earlier one stays readable. content is the grid as JSON.
CREATE TABLE diagnostics (
    id              TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES persons (id),
    version         INTEGER NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    author_id       TEXT NOT NULL REFERENCES users (id),
    content         TEXT NOT NULL,
    obstacle_count  INTEGER NOT NULL DEFAULT 0,
    suggested_track TEXT NOT NULL DEFAULT '',
    validated_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (person_id, version)
);

-- A professional's signature of one version; two signatures with different
-- qualifications validate it.
CREATE TABLE diagnostic_signatures (
    diagnostic_id   TEXT NOT NULL REFERENCES diagnostics (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    qualification   TEXT NOT NULL,
    signed_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (diagnostic_id, user_id),
    UNIQUE (diagnostic_id, qualification)
);

-- Orientation decisions, the latest one being current.
CREATE TABLE orientations (
    id              TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES persons (id),
    track           TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    suggested_track TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    diagnostic_id   TEXT NOT NULL DEFAULT '',
    rights_date     DATE,
    decided_on      DATE NOT NULL,
    decided_by      TEXT NOT NULL REFERENCES users (id),
    request_id      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX orientations_person ON orientations (person_id, decided_on);

CREATE TABLE reorientation_requests (
    id                TEXT PRIMARY KEY,
    person_id         TEXT NOT NULL REFERENCES persons (id),
    requested_by      TEXT NOT NULL REFERENCES users (id),
    requester_org_id  TEXT NOT NULL REFERENCES organisations (id),
    track             TEXT NOT NULL,
    organisation_id   TEXT NOT NULL DEFAULT '',
    reason            TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'pending',
    decided_by        TEXT NOT NULL DEFAULT '',
    decided_at        TIMESTAMPTZ,
    decision_reason   TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX reorientation_person ON reorientation_requests (person_id, created_at);
CREATE INDEX reorientation_status ON reorientation_requests (status, created_at);
-- One pending request per person, even when two référents ask at once.
CREATE UNIQUE INDEX reorientation_pending ON reorientation_requests (person_id) WHERE status = 'pending';

-- Contrat d'engagement (since 2025) or CER (before); weekly activity in minutes.
CREATE TABLE contracts (
    id               TEXT PRIMARY KEY,
    person_id        TEXT NOT NULL REFERENCES persons (id),
    kind             TEXT NOT NULL,
    orientation_id   TEXT NOT NULL DEFAULT '',
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    start_date       DATE NOT NULL,
    end_date         DATE NOT NULL,
    weekly_minutes   INTEGER NOT NULL DEFAULT 0,
    hours_adjustment TEXT NOT NULL DEFAULT '',
    hours_reason     TEXT NOT NULL DEFAULT '',
    action_plan      TEXT NOT NULL DEFAULT '',
    signed_by        TEXT NOT NULL DEFAULT '',
    signed_on        DATE,
    person_signed    BOOLEAN NOT NULL DEFAULT FALSE,
    renews_id        TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX contracts_person ON contracts (person_id, start_date);
CREATE INDEX contracts_end ON contracts (end_date) WHERE signed_on IS NOT NULL;
-- A contract is renewed once.
CREATE UNIQUE INDEX contracts_renews ON contracts (renews_id) WHERE renews_id <> '';

-- Action plan: themes → objectives → actions. An objective may be tied to a
-- contract; an action may come from a case-review decision.
CREATE TABLE plan_objectives (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES persons (id),
    theme       TEXT NOT NULL,
    title       TEXT NOT NULL,
    contract_id TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'en_cours',
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX plan_objectives_person ON plan_objectives (person_id, created_at);

CREATE TABLE plan_actions (
    id                  TEXT PRIMARY KEY,
    person_id           TEXT NOT NULL REFERENCES persons (id),
    objective_id        TEXT NOT NULL DEFAULT '',
    title               TEXT NOT NULL,
    owner_id            TEXT NOT NULL DEFAULT '',
    owner_org_id        TEXT NOT NULL DEFAULT '',
    due_date            DATE,
    status              TEXT NOT NULL DEFAULT 'a_faire',
    review_item_id      TEXT NOT NULL DEFAULT '',
    created_by          TEXT NOT NULL REFERENCES users (id),
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX plan_actions_person ON plan_actions (person_id, due_date);
CREATE INDEX plan_actions_owner ON plan_actions (owner_id, status, due_date);

-- Typed steps on one timeline across structures. Appointments carry a time
-- and an outcome; the others a period.
CREATE TABLE steps (
    id              TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES persons (id),
    kind            TEXT NOT NULL,
    subtype         TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL DEFAULT '',
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    author_id       TEXT NOT NULL REFERENCES users (id),
    start_date      DATE NOT NULL,
    end_date        DATE,
    scheduled_at    TIMESTAMPTZ,
    outcome         TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX steps_person ON steps (person_id, start_date);
-- Lookups by person and kind (the last appointment held, the last step): without
-- it SQLite picks steps_kind and reads every appointment for each file.
CREATE INDEX steps_person_kind ON steps (person_id, kind, outcome, start_date);
CREATE INDEX steps_kind ON steps (kind, outcome, start_date);

-- Check-ins 1, 3 and 6 months after a job start.
CREATE TABLE checkins (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES persons (id),
    step_id     TEXT NOT NULL REFERENCES steps (id),
    months      INTEGER NOT NULL,
    due_date    DATE NOT NULL,
    done_on     DATE,
    in_work     BOOLEAN,
    reason      TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (step_id, months)
);
CREATE INDEX checkins_due ON checkins (due_date) WHERE done_on IS NULL;
CREATE INDEX checkins_person ON checkins (person_id);

-- Case reviews: groups of professionals of several structures, and the
-- équipe pluridisciplinaire that also reviews sanctions.
CREATE TABLE case_reviews (
    id              TEXT PRIMARY KEY,
    territory       TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    held_on         DATE NOT NULL,
    status          TEXT NOT NULL DEFAULT 'planned',
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_reviews_org ON case_reviews (organisation_id, held_on);

CREATE TABLE case_review_participants (
    review_id       TEXT NOT NULL REFERENCES case_reviews (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (review_id, user_id)
);
CREATE INDEX case_review_participants_user ON case_review_participants (user_id);

CREATE TABLE case_review_items (
    id              TEXT PRIMARY KEY,
    review_id       TEXT NOT NULL REFERENCES case_reviews (id),
    person_id       TEXT NOT NULL REFERENCES persons (id),
    kind            TEXT NOT NULL DEFAULT 'situation',
    reasons         TEXT NOT NULL DEFAULT '',
    added_by        TEXT NOT NULL REFERENCES users (id),
    decision        TEXT NOT NULL DEFAULT '',
    decided_at      TIMESTAMPTZ,
    sanction_rate   INTEGER NOT NULL DEFAULT 0,
    sanction_months INTEGER NOT NULL DEFAULT 0,
    heard           TEXT NOT NULL DEFAULT '',
    heard_note      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (review_id, person_id, kind)
);
CREATE INDEX case_review_items_person ON case_review_items (person_id);

-- The people's own evaluation: a private single-use link, and answers that
-- carry no person and no time (ids are random, not time-ordered) so that they
-- can only ever be read aggregated, never tied back to a link.
CREATE TABLE evaluation_links (
    token_hash      TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES persons (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    territory       TEXT NOT NULL,
    issued_by       TEXT NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    used_at         TIMESTAMPTZ
);
CREATE INDEX evaluation_links_org ON evaluation_links (organisation_id, created_at);
CREATE INDEX evaluation_links_person ON evaluation_links (person_id);

CREATE TABLE evaluation_answers (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    territory       TEXT NOT NULL,
    period          TEXT NOT NULL,
    useful          INTEGER NOT NULL,
    listened        INTEGER NOT NULL,
    clear           INTEGER NOT NULL,
    overall         INTEGER NOT NULL,
    comment         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX evaluation_answers_org ON evaluation_answers (organisation_id, period);
