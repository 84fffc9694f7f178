-- Merging duplicate files: the absorbed file names the file it was merged
-- into, when and why; its rows (group, diagnostics, steps…) move to the kept
-- file and it leaves every list and search. The audit trail keeps its id.
ALTER TABLE persons ADD COLUMN merged_into TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN merged_at TIMESTAMP;
ALTER TABLE persons ADD COLUMN merge_reason TEXT NOT NULL DEFAULT '';
-- The files absorbed into a kept one (its page lists them; a later merge of
-- the kept file re-points them).
CREATE INDEX persons_merged ON persons (merged_into) WHERE merged_into <> '';
-- A merge moves the duplicate's RSA events, found by person.
CREATE INDEX rsa_events_person ON rsa_events (person_id) WHERE person_id <> '';
-- Duplicates are found from the values files share: matricules with a birth date.
DROP INDEX persons_matricule;
CREATE INDEX persons_matricule ON persons (caf_matricule, birth_date) WHERE caf_matricule <> '';
-- Every list now also asks merged_into = '': carrying the column at the end of
-- the scope indexes keeps their counts on the index alone.
DROP INDEX persons_territory;
CREATE INDEX persons_territory ON persons (territory, last_name, first_name, merged_into);
DROP INDEX persons_holding;
CREATE INDEX persons_holding ON persons (holding_org_id, last_name, first_name, merged_into);
DROP INDEX persons_oriented_org;
CREATE INDEX persons_oriented_org ON persons (oriented_org_id, last_name, first_name, merged_into) WHERE oriented_org_id <> '';
