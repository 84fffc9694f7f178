-- Steps: the SIRET of the host of an immersion (or of the employer of a job),
-- kept apart from the free text so that it is checked and can be counted.
ALTER TABLE steps ADD COLUMN siret TEXT NOT NULL DEFAULT '';

-- Check-ins: the reason a person is no longer in work is a short code
-- (reason); reason_detail holds the professional's own words.
ALTER TABLE checkins ADD COLUMN reason_detail TEXT NOT NULL DEFAULT '';
