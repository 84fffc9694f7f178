-- The people's evaluation: one open link per person and organisation, and
-- answers recorded apart from the use of their link.

-- A link is open while it is unused and not closed. An unexpired link a newer
-- one replaces is deleted, as before; one that expired unused is closed
-- instead, since it still counts as issued and unanswered. So two links
-- issued at once can never both work. Links a race left open twice before
-- this index are closed, the newest excepted.
ALTER TABLE evaluation_links ADD COLUMN closed_at TIMESTAMP;
UPDATE evaluation_links SET closed_at = CURRENT_TIMESTAMP
WHERE used_at IS NULL AND EXISTS (SELECT 1 FROM evaluation_links n
    WHERE n.person_id = evaluation_links.person_id AND n.organisation_id = evaluation_links.organisation_id
      AND n.used_at IS NULL
      AND (n.created_at > evaluation_links.created_at
           OR (n.created_at = evaluation_links.created_at AND n.token_hash > evaluation_links.token_hash)));
CREATE UNIQUE INDEX evaluation_links_open ON evaluation_links (person_id, organisation_id)
    WHERE used_at IS NULL AND closed_at IS NULL;

-- An answer waits here, written in the transaction that uses its link, with
-- no person, link or time; it moves to evaluation_answers in another
-- transaction, with others of its organisation and month (see the feedback
-- package). WITHOUT ROWID keeps the rows in the order of their random ids,
-- not in the order the links were used.
CREATE TABLE evaluation_answers_pending (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    territory       TEXT NOT NULL,
    period          TEXT NOT NULL,
    useful          INTEGER NOT NULL,
    listened        INTEGER NOT NULL,
    clear           INTEGER NOT NULL,
    overall         INTEGER NOT NULL,
    comment         TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX evaluation_answers_pending_org ON evaluation_answers_pending (organisation_id, period);
