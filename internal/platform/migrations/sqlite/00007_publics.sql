-- Publics a partner declares for a person (ASE leavers, DELD/DETLD, RQTH, QPV
-- residents, single parents): the CAF/MSA flow does not give them. Comma-separated codes.
ALTER TABLE persons ADD COLUMN declared_publics TEXT NOT NULL DEFAULT '';
-- Imports match a person by birth date and name when no NIR is given.
CREATE INDEX persons_birth ON persons (birth_date, search_name);
