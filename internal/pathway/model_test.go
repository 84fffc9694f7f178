package pathway_test

import (
	"testing"
	"time"

	"tremplin/internal/pathway"
	"tremplin/internal/platform/errs"
)

func TestSuggestAppliesTheNationalCriteria(t *testing.T) {
	cases := []struct {
		name string
		grid pathway.Grid
		want pathway.Track
	}{
		{"worked recently, no major obstacle: professional", pathway.Grid{WorkedLast2Years: true, Projection: "partiel", Obstacles: map[string]int{"mobilite": 1}}, pathway.TrackProfessional},
		{"qualified and with a project: professional", pathway.Grid{EducationLevel: "4", Projection: "oui"}, pathway.TrackProfessional},
		{"qualified but only partly projecting: socio-professional", pathway.Grid{EducationLevel: "4", Projection: "partiel"}, pathway.TrackSocioProfessio},
		{"one major obstacle: socio-professional", pathway.Grid{WorkedLast2Years: true, Projection: "oui", Obstacles: map[string]int{"sante": 2}}, pathway.TrackSocioProfessio},
		{"two major obstacles: social", pathway.Grid{WorkedLast2Years: true, Projection: "oui", Obstacles: map[string]int{"sante": 2, "logement": 2}}, pathway.TrackSocial},
		{"no project and a major obstacle: social", pathway.Grid{Projection: "non", Obstacles: map[string]int{"logement": 2}}, pathway.TrackSocial},
		{"no project, light obstacles only: socio-professional", pathway.Grid{Projection: "non", Obstacles: map[string]int{"numerique": 1}}, pathway.TrackSocioProfessio},
	}
	for _, c := range cases {
		if got := pathway.Suggest(c.grid); got != c.want {
			t.Errorf("%s: suggested %s, want %s", c.name, got, c.want)
		}
	}
}

func TestGridValidationNamesTheField(t *testing.T) {
	known := func(code string) bool { return code == "N1103" }
	cases := []struct {
		name  string
		grid  pathway.Grid
		field string
	}{
		{"a complete grid", pathway.Grid{WorkSituation: "Sans emploi", Projection: "oui", TargetJobs: []string{" n1103 "}}, ""},
		{"no situation", pathway.Grid{Projection: "oui"}, "work_situation"},
		{"no answer on the project", pathway.Grid{WorkSituation: "x"}, "projection"},
		{"an unknown ROME code", pathway.Grid{WorkSituation: "x", Projection: "oui", TargetJobs: []string{"ZZ999"}}, "target_jobs"},
		{"a mobility radius out of range", pathway.Grid{WorkSituation: "x", Projection: "oui", MobilityKm: 500}, "mobility_km"},
		{"an unknown theme", pathway.Grid{WorkSituation: "x", Projection: "oui", Obstacles: map[string]int{"meteo": 1}}, "obstacles"},
		{"a level out of range", pathway.Grid{WorkSituation: "x", Projection: "oui", Obstacles: map[string]int{"sante": 3}}, "obstacles"},
	}
	for _, c := range cases {
		err := c.grid.Validate(known)
		if c.field == "" {
			if err != nil || c.grid.TargetJobs[0] != "N1103" {
				t.Errorf("%s: %v, jobs %v", c.name, err, c.grid.TargetJobs)
			}
			continue
		}
		if errs.FieldsOf(err)[c.field] == "" {
			t.Errorf("%s: want an error on %s, got %v", c.name, c.field, err)
		}
	}
}

func TestContractRules(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	base := func() pathway.Contract {
		return pathway.Contract{Kind: pathway.ContractEngagement, Start: d("2025-03-01"), End: d("2025-09-01"), WeeklyMinutes: 900, ActionPlan: "Plan"}
	}
	cases := []struct {
		name   string
		change func(*pathway.Contract)
		field  string
	}{
		{"15 hours a week by default", func(*pathway.Contract) {}, ""},
		{"more than 15 hours is allowed", func(c *pathway.Contract) { c.WeeklyMinutes = 20 * 60 }, ""},
		{"fewer hours need a reduction", func(c *pathway.Contract) { c.WeeklyMinutes = 600 }, "weekly_hours"},
		{"a reduction needs its reason", func(c *pathway.Contract) { c.WeeklyMinutes, c.Adjustment = 600, "reduite" }, "adjust_reason"},
		{"a motivated reduction", func(c *pathway.Contract) { c.WeeklyMinutes, c.Adjustment, c.AdjustReason = 600, "reduite", "sante" }, ""},
		{"a reduction stays under 15 hours", func(c *pathway.Contract) { c.Adjustment, c.AdjustReason = "reduite", "sante" }, "weekly_hours"},
		{"a waiver for a carer", func(c *pathway.Contract) { c.Adjustment, c.AdjustReason = "dispense", "aidant" }, ""},
		{"no contrat d'engagement before 2025", func(c *pathway.Contract) { c.Start, c.End = d("2024-10-01"), d("2025-04-01") }, "start"},
		{"no CER from 2025", func(c *pathway.Contract) { c.Kind = pathway.ContractCER }, "start"},
		{"a CER before 2025 has no hours", func(c *pathway.Contract) {
			c.Kind, c.Start, c.End, c.WeeklyMinutes = pathway.ContractCER, d("2024-01-01"), d("2024-12-31"), 0
		}, ""},
		{"the end follows the start", func(c *pathway.Contract) { c.End = c.Start }, "end"},
		{"at most two years", func(c *pathway.Contract) { c.End = d("2027-06-01") }, "end"},
		{"an action plan is required", func(c *pathway.Contract) { c.ActionPlan = "  " }, "action_plan"},
	}
	for _, tc := range cases {
		c := base()
		tc.change(&c)
		err := c.Validate()
		if tc.field == "" && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if tc.field != "" && errs.FieldsOf(err)[tc.field] == "" {
			t.Errorf("%s: want an error on %s, got %v", tc.name, tc.field, err)
		}
	}
}
