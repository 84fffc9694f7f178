-- Case reviews: the équipe pluridisciplinaire's opinion on a proposed
-- suspension-remobilisation ('favorable' or 'defavorable'), and who recorded
-- each decision, so that a decision reads on its own without the audit trail.
ALTER TABLE case_review_items ADD COLUMN sanction_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE case_review_items ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
-- Lists of the reviews of a territory, newest first, for département managers.
CREATE INDEX case_reviews_territory ON case_reviews (territory, held_on);
