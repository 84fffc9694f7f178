package people

import (
	"slices"
	"testing"

	"tremplin/internal/platform/dbtest"
)

// TestAMergeKnowsEveryTableAboutPeople reads the migrated schema: a table
// added with a person_id column or a reference to persons must be moved by
// merges (movedTables, or a rule of its own), or it would keep rows on an
// absorbed file that no page shows any more.
func TestAMergeKnowsEveryTableAboutPeople(t *testing.T) {
	d := dbtest.SQLite(t)
	ownRules := []string{"diagnostics", "reorientation_requests", "case_review_items", "cvs", "cv_experiences", "cv_consents", "positionings", "campaign_candidates"}
	// The audit trail is the history: it keeps the ids of the day.
	history := []string{"audit_log"}
	rows, err := d.QueryContext(t.Context(), `SELECT DISTINCT m.name FROM sqlite_master m
		WHERE m.type = 'table' AND m.name <> 'persons' AND (
			EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'person_id')
			OR EXISTS (SELECT 1 FROM pragma_foreign_key_list(m.name) f WHERE f."table" = 'persons'))`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		found = append(found, name)
		if !slices.Contains(movedTables, name) && !slices.Contains(ownRules, name) && !slices.Contains(history, name) {
			t.Errorf("table %s refers to people but merges do not move it", name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, name := range append(slices.Clone(movedTables), ownRules...) {
		if !slices.Contains(found, name) {
			t.Errorf("merges move %s, which holds no person_id", name)
		}
	}
	// A reference to persons by another column than person_id would not move.
	var other int
	if err := d.QueryRowContext(t.Context(), `SELECT count(*) FROM sqlite_master m, pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table' AND f."table" = 'persons' AND f."from" <> 'person_id'`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if other != 0 {
		t.Errorf("%d references to persons by another column than person_id", other)
	}
}
