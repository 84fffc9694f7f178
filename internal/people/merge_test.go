package people_test

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/people/caf/caftest"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
)

// exec runs a statement of a test's fixture.
func (w *world) exec(q string, args ...any) {
	w.t.Helper()
	if _, err := w.d.ExecContext(w.ctx, q, args...); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

// count counts the rows of a query that returns one number.
func (w *world) count(q string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.d.QueryRowContext(w.ctx, q, args...).Scan(&n); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func born(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// pairKey names a pair by the labels of its files, in a fixed order, and its reasons.
func pairKey(label map[string]string, p people.DuplicatePair) string {
	names := []string{label[p.Keep.ID], label[p.Duplicate.ID]}
	sort.Strings(names)
	return names[0] + "+" + names[1] + ":" + strings.Join(p.Codes, ",")
}

func TestDuplicatesAreFoundForEachReasonAmongTheFilesTheActorMayMerge(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ft, asso, ft59 := w.orgs["ft62"].ID, w.orgs["asso62"].ID, w.orgs["ft59"].ID
		label := map[string]string{}
		add := func(name string, p people.Person, clearNIR string) people.Person {
			if p.Territory == "" {
				p.Territory = "62"
			}
			p = w.person(p, clearNIR)
			label[p.ID] = name
			return p
		}
		martinNIR, petitNIR := nir(t, martinNIRBody), nir(t, "2000762041555")
		add("martin", people.Person{HoldingOrgID: ft, LastName: "Martin", FirstName: "Jean", BirthDate: born(1985, 5, 14)}, martinNIR)
		add("martin-dupuis", people.Person{HoldingOrgID: ft, LastName: "Martin-Dupuis", FirstName: "Jean", BirthDate: born(1985, 5, 15)}, martinNIR)
		add("lefort", people.Person{HoldingOrgID: ft, LastName: "Lefort", FirstName: "Anne", BirthDate: born(1990, 1, 2), CAFMatricule: "5550001"}, "")
		lefor := add("lefor", people.Person{HoldingOrgID: ft, LastName: "Lefor", FirstName: "Anne", BirthDate: born(1990, 1, 2), CAFMatricule: "5550001"}, "")
		add("dupont-ft", people.Person{HoldingOrgID: ft, LastName: "Dupont", FirstName: "Paul", BirthDate: born(1970, 3, 4)}, "")
		add("dupont-asso", people.Person{HoldingOrgID: asso, LastName: "Dupont", FirstName: "Paul", BirthDate: born(1970, 3, 4)}, "")
		add("petit1", people.Person{HoldingOrgID: ft, LastName: "Petit", FirstName: "Léa", BirthDate: born(2000, 7, 8), CAFMatricule: "5550002"}, petitNIR)
		petit2 := add("petit2", people.Person{HoldingOrgID: ft, LastName: "PETIT", FirstName: "Lea", BirthDate: born(2000, 7, 8), CAFMatricule: "5550002"}, petitNIR)
		// Namesakes born the same day with different NIRs are two people.
		add("moulin1", people.Person{HoldingOrgID: ft, LastName: "Moulin", FirstName: "Luc", BirthDate: born(1980, 1, 1)}, nir(t, "1800162041001"))
		add("moulin2", people.Person{HoldingOrgID: ft, LastName: "Moulin", FirstName: "Luc", BirthDate: born(1980, 1, 1)}, nir(t, "1800162041002"))
		// The same person in two départements: no département manager sees both.
		add("roux62", people.Person{HoldingOrgID: ft, LastName: "Roux", FirstName: "Eva", BirthDate: born(1995, 2, 3)}, "")
		add("roux59", people.Person{Territory: "59", HoldingOrgID: ft59, LastName: "Roux", FirstName: "Eva", BirthDate: born(1995, 2, 3)}, "")
		// The newer Lefor file has a step, the newer Petit file a household: each is the one suggested to keep.
		w.exec(`INSERT INTO steps (id, person_id, kind, organisation_id, author_id, start_date, created_at, updated_at)
			VALUES ($1,$2,'job',$3,$4,'2024-08-01',$5,$5)`, db.NewID(), lefor.ID, ft, w.users["ref"].ID, db.Now())
		w.exec(`INSERT INTO households (id, territory, fonorg, numorg, matricule, rsa_state, created_at, updated_at)
			VALUES ('h-petit','62','CAF','621','5550002','2',$1,$1)`, db.Now())
		w.exec(`UPDATE persons SET household_id = 'h-petit', household_role = 'DEM' WHERE id = $1`, petit2.ID)

		inTerritory := []string{"dupont-asso+dupont-ft:name", "lefor+lefort:matricule", "martin+martin-dupuis:nir", "petit1+petit2:nir,matricule,name"}
		heldByFT := []string{"lefor+lefort:matricule", "martin+martin-dupuis:nir", "petit1+petit2:nir,matricule,name"}
		cases := []struct {
			name, user, org string
			want            []string
			code            errs.Code
		}{
			{"a département manager looks across the territory", "man62", "", inTerritory, ""},
			{"an organisation admin looks among the files it holds", "adminft", "", heldByFT, ""},
			{"a chargé d'orientation looks among the files it holds", "orift", "", heldByFT, ""},
			{"an organisation holding one file of a pair sees no pair", "adminasso", "", nil, ""},
			{"another département has no duplicates", "man59", "", nil, ""},
			{"the system looks everywhere", "", "", append(slices.Clone(inTerritory), "roux59+roux62:name"), ""},
			{"a référent may not look for duplicates", "ref", "asso62", nil, errs.Forbidden},
			{"a manager of a non-département organisation may not", "manft", "", nil, errs.Forbidden},
			{"an employer may not", "employer", "", nil, errs.Forbidden},
			{"a platform admin has no need to know", "padmin", "", nil, errs.Forbidden},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				a := system
				if tc.user != "" {
					a = w.actor(tc.user, tc.org)
				}
				pairs, total, err := w.svc.Duplicates(w.ctx, a, 50, 0)
				if errs.CodeOf(err) != tc.code {
					t.Fatalf("got %v, want code %q", err, tc.code)
				}
				var got []string
				for _, p := range pairs {
					got = append(got, pairKey(label, p))
				}
				sort.Strings(got)
				if !slices.Equal(got, tc.want) || total != len(tc.want) {
					t.Fatalf("pairs %v (total %d), want %v", got, total, tc.want)
				}
			})
		}
		pairs, _, err := w.svc.Duplicates(w.ctx, w.actor("man62", ""), 50, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pairs {
			switch k := label[p.Keep.ID]; {
			case strings.HasPrefix(k, "lefor") && k != "lefor":
				t.Errorf("the file with a step is suggested to keep, not %s", k)
			case strings.HasPrefix(k, "petit") && k != "petit2":
				t.Errorf("the file the CAF flow feeds is suggested to keep, not %s", k)
			}
			if p.Reasons[0] == "" || p.Keep.HoldingOrg == "" || p.Keep.BirthDate == nil {
				t.Errorf("a pair shows its reasons and both files' facts: %+v", p)
			}
		}
		page, total, err := w.svc.Duplicates(w.ctx, w.actor("man62", ""), 3, 3)
		if err != nil || len(page) != 1 || total != 4 {
			t.Fatalf("last page: %d pairs of %d, %v", len(page), total, err)
		}
		if page, total, err := w.svc.Duplicates(w.ctx, w.actor("man62", ""), 3, 30); err != nil || len(page) != 0 || total != 4 {
			t.Fatalf("past the last page: %d pairs of %d, %v", len(page), total, err)
		}
		if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'person.list' AND person_id = $1`, lefor.ID); n == 0 {
			t.Error("the files a list of duplicates shows are traced")
		}
	})
}

// history is a kept file and a duplicate, each with rows in every table about people.
type history struct {
	keep, dup                                 people.Person
	keepItem, dupItem, dupSanction, household string
	keepDiag, dupDiag                         []string
	dupDiagCreated                            time.Time
	action, dupRequest                        string
}

func (w *world) history() history {
	w.t.Helper()
	t := w.t
	ft, asso, ref := w.orgs["ft62"].ID, w.orgs["asso62"].ID, w.users["ref"].ID
	lat, lon := 50.29, 2.78
	var h history
	h.keep = w.person(people.Person{Territory: "62", HoldingOrgID: ft, LastName: "Martin", FirstName: "Jean", BirthDate: born(1985, 5, 14),
		Sex: "1", Phone: "0600000001"}, "",
		follow{"ref", "asso62", "referent", -100, nil}, follow{"orift", "ft62", "member", -30, nil})
	h.dup = w.person(people.Person{Territory: "62", HoldingOrgID: ft, LastName: "Martin", FirstName: "Jean", BirthName: "Durand", BirthDate: born(1985, 5, 14),
		Sex: "2", CAFMatricule: "7777777", FTID: "FT123", Address: "1 rue de la Paix", PostalCode: "62000", CommuneCode: "62041",
		Lat: &lat, Lon: &lon, Phone: "0699999999", Email: "jean@example.org"}, nir(t, martinNIRBody),
		follow{"colleague", "asso62", "member", -10, nil}, follow{"orift", "ft62", "member", -300, nil})
	w.exec(`UPDATE persons SET declared_publics = 'rqth' WHERE id = $1`, h.keep.ID)
	w.exec(`UPDATE persons SET declared_publics = 'qpv,rqth' WHERE id = $1`, h.dup.ID)
	now := db.Now()
	h.household = db.NewID()
	w.exec(`INSERT INTO households (id, territory, fonorg, numorg, matricule, rsa_state, created_at, updated_at)
		VALUES ($1,'62','CAF','621','7777777','2',$2,$2)`, h.household, now)
	w.exec(`UPDATE persons SET household_id = $2, household_role = 'DEM', droits_devoirs = TRUE WHERE id = $1`, h.dup.ID, h.household)
	w.exec(`INSERT INTO rsa_events (id, household_id, person_id, kind, flow_date, created_at) VALUES ($1,$2,$3,'droits_devoirs','2024-02-29',$4)`,
		db.NewID(), h.household, h.dup.ID, now)
	diag := func(person string, version int, created time.Time) string {
		id := db.NewID()
		w.exec(`INSERT INTO diagnostics (id, person_id, version, organisation_id, author_id, content, created_at) VALUES ($1,$2,$3,$4,$5,'{}',$6)`,
			id, person, version, asso, ref, created)
		return id
	}
	h.dupDiagCreated = now.Add(-72 * time.Hour)
	h.keepDiag = []string{diag(h.keep.ID, 1, now.Add(-48*time.Hour)), diag(h.keep.ID, 2, now.Add(-24*time.Hour))}
	h.dupDiag = []string{diag(h.dup.ID, 1, h.dupDiagCreated), diag(h.dup.ID, 2, now)}
	w.exec(`INSERT INTO diagnostic_signatures (diagnostic_id, user_id, organisation_id, qualification, signed_at) VALUES ($1,$2,$3,'social',$4)`,
		h.dupDiag[0], ref, asso, now)
	orient := func(person, org, on string) {
		w.exec(`INSERT INTO orientations (id, person_id, track, organisation_id, decided_on, decided_by, created_at) VALUES ($1,$2,'social',$3,$4,$5,$6)`,
			db.NewID(), person, org, on, ref, now)
	}
	orient(h.keep.ID, ft, "2024-01-10")
	orient(h.dup.ID, asso, "2024-06-01")
	request := func(person string) string {
		id := db.NewID()
		w.exec(`INSERT INTO reorientation_requests (id, person_id, requested_by, requester_org_id, track, reason, status, created_at)
			VALUES ($1,$2,$3,$4,'professionnel','Projet professionnel','pending',$5)`, id, person, ref, asso, now)
		return id
	}
	request(h.keep.ID)
	h.dupRequest = request(h.dup.ID)
	w.exec(`INSERT INTO contracts (id, person_id, kind, organisation_id, start_date, end_date, created_by, created_at, updated_at)
		VALUES ($1,$2,'engagement',$3,'2024-07-01','2024-12-31',$4,$5,$5)`, db.NewID(), h.dup.ID, asso, ref, now)
	review := db.NewID()
	w.exec(`INSERT INTO case_reviews (id, territory, organisation_id, kind, title, held_on, created_by, created_at)
		VALUES ($1,'62',$2,'ep','Équipe de mai','2024-05-15',$3,$4)`, review, asso, ref, now)
	item := func(person, kind, reasons, decision string, decided any) string {
		id := db.NewID()
		w.exec(`INSERT INTO case_review_items (id, review_id, person_id, kind, reasons, added_by, decision, decided_at, decided_by, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, id, review, person, kind, reasons, ref, decision, decided, map[bool]string{true: ref}[decided != nil], now)
		return id
	}
	h.keepItem = item(h.keep.ID, "situation", "Freins de mobilité", "", nil)
	h.dupItem = item(h.dup.ID, "situation", "Logement", "Orienter vers le FSL", now)
	h.dupSanction = item(h.dup.ID, "sanction", "Absences répétées", "", nil)
	objective := db.NewID()
	w.exec(`INSERT INTO plan_objectives (id, person_id, theme, title, created_by, created_at, updated_at) VALUES ($1,$2,'mobilite','Permis B',$3,$4,$4)`,
		objective, h.dup.ID, ref, now)
	h.action = db.NewID()
	w.exec(`INSERT INTO plan_actions (id, person_id, objective_id, title, review_item_id, created_by, created_at, updated_at)
		VALUES ($1,$2,$3,'Auto-école',$4,$5,$6,$6)`, h.action, h.dup.ID, objective, h.dupItem, ref, now)
	step := func(person string) string {
		id := db.NewID()
		w.exec(`INSERT INTO steps (id, person_id, kind, organisation_id, author_id, start_date, created_at, updated_at)
			VALUES ($1,$2,'job',$3,$4,'2024-08-01',$5,$5)`, id, person, asso, ref, now)
		return id
	}
	step(h.keep.ID)
	job := step(h.dup.ID)
	step(h.dup.ID)
	w.exec(`INSERT INTO checkins (id, person_id, step_id, months, due_date, created_at) VALUES ($1,$2,$3,1,'2024-09-01',$4)`, db.NewID(), h.dup.ID, job, now)
	w.exec(`INSERT INTO evaluation_links (token_hash, person_id, organisation_id, territory, issued_by, created_at, expires_at)
		VALUES ($1,$2,$3,'62',$4,$5,$6)`, db.NewID(), h.dup.ID, asso, ref, now, now.Add(24*time.Hour))
	return h
}

func TestAMergeMovesEveryRowOfTheDuplicateToTheKeptFile(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		h := w.history()
		manager := w.actor("man62", "")
		merged, err := w.svc.Merge(w.ctx, manager, h.keep.ID, h.dup.ID, "  Même personne, dossier créé deux fois  ")
		if err != nil {
			t.Fatal(err)
		}
		moved := map[string]int{"follow_up_members": 3, "rsa_events": 1, "diagnostics": 4, "orientations": 2, "reorientation_requests": 2,
			"contracts": 1, "plan_objectives": 1, "plan_actions": 1, "steps": 3, "checkins": 1, "case_review_items": 2, "evaluation_links": 1}
		for table, want := range moved {
			if got := w.count(`SELECT count(*) FROM `+table+` WHERE person_id = $1`, h.keep.ID); got != want {
				t.Errorf("%s: the kept file has %d rows, want %d", table, got, want)
			}
			if got := w.count(`SELECT count(*) FROM `+table+` WHERE person_id = $1`, h.dup.ID); got != 0 {
				t.Errorf("%s: %d rows left on the duplicate", table, got)
			}
		}
		t.Run("the same professional sits once in the group, from the earlier date", func(t *testing.T) {
			group := w.count(`SELECT count(*) FROM follow_up_members WHERE person_id = $1 AND user_id = $2 AND start_date = $3`,
				h.keep.ID, w.users["orift"].ID, today(-300).Format(time.DateOnly))
			if group != 1 {
				t.Errorf("orift's memberships from the earlier date: %d", group)
			}
		})
		t.Run("diagnostic versions follow the kept file's, with their dates and signatures", func(t *testing.T) {
			rows, err := d.QueryContext(w.ctx, `SELECT id, version, created_at FROM diagnostics WHERE person_id = $1 ORDER BY version`, h.keep.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var ids []string
			var versions []int
			var created []time.Time
			for rows.Next() {
				var id string
				var v int
				var c time.Time
				if err := rows.Scan(&id, &v, &c); err != nil {
					t.Fatal(err)
				}
				ids, versions, created = append(ids, id), append(versions, v), append(created, c)
			}
			if !slices.Equal(versions, []int{1, 2, 3, 4}) || !slices.Equal(ids, append(slices.Clone(h.keepDiag), h.dupDiag...)) {
				t.Fatalf("versions %v of %v", versions, ids)
			}
			if !created[2].Equal(h.dupDiagCreated) {
				t.Errorf("the duplicate's first version keeps its date: %v, want %v", created[2], h.dupDiagCreated)
			}
			if n := w.count(`SELECT count(*) FROM diagnostic_signatures WHERE diagnostic_id = $1`, h.dupDiag[0]); n != 1 {
				t.Errorf("the signature stays on its version: %d", n)
			}
		})
		t.Run("a review item of both files becomes one, with both reasons and the decision", func(t *testing.T) {
			var reasons, decision, decidedBy string
			err := d.QueryRowContext(w.ctx, `SELECT reasons, decision, decided_by FROM case_review_items WHERE id = $1 AND person_id = $2`,
				h.keepItem, h.keep.ID).Scan(&reasons, &decision, &decidedBy)
			if err != nil || reasons != "Freins de mobilité\n\nLogement" || decision != "Orienter vers le FSL" || decidedBy != w.users["ref"].ID {
				t.Fatalf("kept item: %q %q %q %v", reasons, decision, decidedBy, err)
			}
			if n := w.count(`SELECT count(*) FROM case_review_items WHERE id = $1`, h.dupItem); n != 0 {
				t.Error("the duplicate's conflicting item is deleted")
			}
			if n := w.count(`SELECT count(*) FROM case_review_items WHERE id = $1 AND person_id = $2`, h.dupSanction, h.keep.ID); n != 1 {
				t.Error("the duplicate's other item moves")
			}
			if n := w.count(`SELECT count(*) FROM plan_actions WHERE id = $1 AND review_item_id = $2`, h.action, h.keepItem); n != 1 {
				t.Error("the action decided on the deleted item points to the kept one")
			}
		})
		t.Run("one reorientation request stays pending", func(t *testing.T) {
			if n := w.count(`SELECT count(*) FROM reorientation_requests WHERE person_id = $1 AND status = 'pending'`, h.keep.ID); n != 1 {
				t.Errorf("%d pending requests", n)
			}
			var status, reason string
			if err := d.QueryRowContext(w.ctx, `SELECT status, decision_reason FROM reorientation_requests WHERE id = $1`, h.dupRequest).
				Scan(&status, &reason); err != nil || status != "refused" || !strings.Contains(reason, "fusion") {
				t.Errorf("the duplicate's request: %s %q %v", status, reason, err)
			}
		})
		t.Run("the kept file's empty fields are filled, its values kept", func(t *testing.T) {
			p := merged
			checks := []struct {
				field string
				got   any
				want  any
			}{
				{"birth name", p.BirthName, "Durand"},
				{"sex (filled: kept)", p.Sex, "1"},
				{"phone (filled: kept)", p.Phone, "0600000001"},
				{"email", p.Email, "jean@example.org"},
				{"matricule", p.CAFMatricule, "7777777"},
				{"France Travail id", p.FTID, "FT123"},
				{"address", p.Address + "|" + p.PostalCode + "|" + p.CommuneCode, "1 rue de la Paix|62000|62041"},
				{"coordinates", p.Lat != nil && p.Lon != nil, true},
				{"NIR", p.NIRMasked != "", true},
				{"household", p.RSA != nil && p.RSA.Role == "DEM" && p.RSA.DroitsDevoirs, true},
				{"declared publics", p.DeclaredPublics, []people.Public{people.PublicRQTH, people.PublicQPV}},
				{"oriented to the latest orientation's organisation", p.OrientedOrgID, w.orgs["asso62"].ID},
			}
			for _, c := range checks {
				if !equalAny(c.got, c.want) {
					t.Errorf("%s: %v, want %v", c.field, c.got, c.want)
				}
			}
			byNIR, _, err := w.svc.List(w.ctx, manager, people.Filter{NIR: nir(t, martinNIRBody)})
			if err != nil || len(byNIR) != 1 || byNIR[0].ID != h.keep.ID {
				t.Errorf("the NIR finds the kept file: %v %v", lastNames(byNIR), err)
			}
			byBirthName, _, err := w.svc.List(w.ctx, manager, people.Filter{Query: "durand"})
			if err != nil || len(byBirthName) != 1 || byBirthName[0].ID != h.keep.ID {
				t.Errorf("the birth name taken from the duplicate is searched: %v %v", lastNames(byBirthName), err)
			}
		})
		t.Run("the absorbed file is gone from reads and lists, and leads to the kept one", func(t *testing.T) {
			if _, _, err := w.svc.Get(w.ctx, manager, h.dup.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("Get: %v", err)
			}
			if _, _, err := w.svc.Authorize(w.ctx, system, h.dup.ID, access.Read); !errs.Is(err, errs.NotFound) {
				t.Errorf("Authorize: %v", err)
			}
			list, total, err := w.svc.List(w.ctx, manager, people.Filter{Query: "martin"})
			if err != nil || total != 1 || list[0].ID != h.keep.ID {
				t.Errorf("list: %v (%d) %v", lastNames(list), total, err)
			}
			if keep, ok, err := w.svc.KeptFile(w.ctx, manager, h.dup.ID); err != nil || !ok || keep != h.keep.ID {
				t.Errorf("kept file: %q %v %v", keep, ok, err)
			}
			if _, ok, err := w.svc.KeptFile(w.ctx, w.actor("employer", ""), h.dup.ID); err != nil || ok {
				t.Errorf("whoever may not read the kept file learns nothing: %v %v", ok, err)
			}
			if _, ok, _ := w.svc.KeptFile(w.ctx, manager, h.keep.ID); ok {
				t.Error("a live file leads nowhere")
			}
			absorbed, err := w.svc.AbsorbedFiles(w.ctx, manager, h.keep.ID)
			if err != nil || len(absorbed) != 1 || absorbed[0].ID != h.dup.ID || absorbed[0].Reason != "Même personne, dossier créé deux fois" {
				t.Errorf("absorbed files: %+v %v", absorbed, err)
			}
		})
		t.Run("the merge is traced on both files, without personal data", func(t *testing.T) {
			rows, err := d.QueryContext(w.ctx, `SELECT person_id, detail FROM audit_log WHERE action = 'person.merge' ORDER BY person_id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var ids []string
			for rows.Next() {
				var id, detail string
				if err := rows.Scan(&id, &detail); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
				if strings.Contains(detail, "Martin") || strings.Contains(detail, "Même personne") {
					t.Errorf("detail %q", detail)
				}
			}
			want := []string{h.keep.ID, h.dup.ID}
			sort.Strings(want)
			if !slices.Equal(ids, want) {
				t.Errorf("traced on %v, want %v", ids, want)
			}
		})
	})
}

// equalAny compares simple values and slices of publics.
func equalAny(a, b any) bool {
	if pa, ok := a.([]people.Public); ok {
		pb, _ := b.([]people.Public)
		return slices.Equal(pa, pb)
	}
	return a == b
}

func TestAMergeFillsOnlyTheEmptyFields(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ft := w.orgs["ft62"].ID
		cases := []struct {
			name      string
			keep, dup people.Person
			keepNIR   string
			dupNIR    string
			check     func(p people.Person) bool
		}{
			{"an empty email takes the duplicate's", people.Person{}, people.Person{Email: "a@example.org"}, "", "",
				func(p people.Person) bool { return p.Email == "a@example.org" }},
			{"a phone stays as it is", people.Person{Phone: "0611111111"}, people.Person{Phone: "0622222222"}, "", "",
				func(p people.Person) bool { return p.Phone == "0611111111" }},
			{"a birth date is taken when unknown", people.Person{}, people.Person{BirthDate: born(1970, 1, 1)}, "", "",
				func(p people.Person) bool { return p.BirthDate != nil && p.BirthDate.Year() == 1970 }},
			{"a known birth date stays", people.Person{BirthDate: born(1971, 1, 1)}, people.Person{BirthDate: born(1970, 1, 1)}, "", "",
				func(p people.Person) bool { return p.BirthDate.Year() == 1971 }},
			{"the street completes an address in the same commune", people.Person{PostalCode: "62000", CommuneCode: "62041"},
				people.Person{Address: "2 place des Héros", PostalCode: "62000", CommuneCode: "62041"}, "", "",
				func(p people.Person) bool { return p.Address == "2 place des Héros" }},
			{"an address in another commune is not mixed in", people.Person{PostalCode: "59000", CommuneCode: "59350"},
				people.Person{Address: "2 place des Héros", PostalCode: "62000", CommuneCode: "62041"}, "", "",
				func(p people.Person) bool {
					return p.Address == "" && p.CommuneCode == "59350" && p.PostalCode == "59000"
				}},
			{"a NIR is taken when the kept file has none", people.Person{}, people.Person{}, "", nir(t, "1700162041009"),
				func(p people.Person) bool { return strings.HasPrefix(p.NIRMasked, "1 70 01") }},
			{"the kept file's NIR stays when both are the same", people.Person{}, people.Person{}, nir(t, "1700162041010"), nir(t, "1700162041010"),
				func(p people.Person) bool { return strings.HasPrefix(p.NIRMasked, "1 70 01") }},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				tc.keep.Territory, tc.keep.HoldingOrgID, tc.keep.LastName = "62", ft, "Garder"+string(rune('A'+i))
				tc.dup.Territory, tc.dup.HoldingOrgID, tc.dup.LastName = "62", ft, "Absorber"+string(rune('A'+i))
				keep, dup := w.person(tc.keep, tc.keepNIR), w.person(tc.dup, tc.dupNIR)
				p, err := w.svc.Merge(w.ctx, system, keep.ID, dup.ID, "doublon de test")
				if err != nil {
					t.Fatal(err)
				}
				if !tc.check(p) {
					t.Errorf("kept file after the merge: %+v", p)
				}
			})
		}
	})
}

func TestAMergeIsRefused(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ft, asso := w.orgs["ft62"].ID, w.orgs["asso62"].ID
		alpha := w.person(people.Person{Territory: "62", HoldingOrgID: ft, LastName: "Alpha"}, nir(t, "1700162041001"), follow{"ref", "asso62", "referent", -5, nil})
		alphaBis := w.person(people.Person{Territory: "62", HoldingOrgID: ft, LastName: "Alpha"}, "", follow{"ref", "asso62", "referent", -5, nil})
		other := w.person(people.Person{Territory: "62", HoldingOrgID: ft, LastName: "Gamma"}, nir(t, "1700162041002"))
		held := w.person(people.Person{Territory: "62", HoldingOrgID: asso, LastName: "Epsilon"}, "")
		third := w.person(people.Person{Territory: "62", HoldingOrgID: ft, LastName: "Alpha"}, "")
		const reason = "Même personne, deux dossiers"
		steps := []struct {
			name              string
			user, org         string
			keep, dup, reason string
			code              errs.Code
			field             string
		}{
			{"a référent who writes both files may not merge", "ref", "asso62", alpha.ID, alphaBis.ID, reason, errs.Forbidden, ""},
			{"an employer may not merge", "employer", "", alpha.ID, alphaBis.ID, reason, errs.Forbidden, ""},
			{"a file is not merged into itself", "man62", "", alpha.ID, alpha.ID, reason, errs.Invalid, "duplicate_id"},
			{"two different NIRs are two people", "man62", "", alpha.ID, other.ID, reason, errs.Conflict, ""},
			{"a reason is required", "man62", "", alpha.ID, alphaBis.ID, " dbl ", errs.Invalid, "reason"},
			{"a file the actor may not write is not found", "orift", "", alpha.ID, held.ID, reason, errs.NotFound, ""},
			{"another département's manager finds neither", "man59", "", alpha.ID, alphaBis.ID, reason, errs.NotFound, ""},
			{"the département manager merges", "man62", "", alpha.ID, alphaBis.ID, reason, "", ""},
			{"nothing merges into an absorbed file", "man62", "", alphaBis.ID, third.ID, reason, errs.Conflict, ""},
			{"an absorbed file is not merged again", "man62", "", third.ID, alphaBis.ID, reason, errs.Conflict, ""},
			{"an absorbed file is not found by who may not see where it went", "man59", "", alphaBis.ID, third.ID, reason, errs.NotFound, ""},
		}
		for _, st := range steps {
			_, err := w.svc.Merge(w.ctx, w.actor(st.user, st.org), st.keep, st.dup, st.reason)
			if errs.CodeOf(err) != st.code {
				t.Fatalf("%s: got %v, want code %q", st.name, err, st.code)
			}
			if st.field != "" && errs.FieldsOf(err)[st.field] == "" {
				t.Fatalf("%s: no message on %s: %v", st.name, st.field, err)
			}
		}
		if n := w.count(`SELECT count(*) FROM persons WHERE merged_into <> ''`); n != 1 {
			t.Fatalf("%d files absorbed, want the one merge that passed", n)
		}
	})
}

// failMerges makes the database refuse to mark a file absorbed, the last
// write of a merge: everything the merge did before must be rolled back.
func failMerges(t *testing.T, d *db.DB) {
	t.Helper()
	stmts := []string{`CREATE TRIGGER refuse_merge BEFORE UPDATE OF merged_into ON persons
		WHEN NEW.merged_into <> '' BEGIN SELECT RAISE(ABORT, 'forced failure'); END`}
	if d.Dialect() == db.Postgres {
		stmts = []string{`CREATE FUNCTION refuse_merge() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$`,
			`CREATE TRIGGER refuse_merge BEFORE UPDATE OF merged_into ON persons FOR EACH ROW WHEN (NEW.merged_into <> '') EXECUTE FUNCTION refuse_merge()`}
	}
	for _, s := range stmts {
		if _, err := d.ExecContext(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAFailedMergeLeavesBothFilesAsTheyWere(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		h := w.history()
		failMerges(t, d)
		before := map[string][2]int{}
		tables := []string{"follow_up_members", "diagnostics", "orientations", "reorientation_requests", "contracts", "plan_actions",
			"steps", "checkins", "case_review_items", "evaluation_links", "rsa_events"}
		for _, table := range tables {
			before[table] = [2]int{w.count(`SELECT count(*) FROM `+table+` WHERE person_id = $1`, h.keep.ID),
				w.count(`SELECT count(*) FROM `+table+` WHERE person_id = $1`, h.dup.ID)}
		}
		if _, err := w.svc.Merge(w.ctx, w.actor("man62", ""), h.keep.ID, h.dup.ID, "Même personne"); err == nil {
			t.Fatal("the merge succeeded despite the failure")
		}
		for _, table := range tables {
			after := [2]int{w.count(`SELECT count(*) FROM `+table+` WHERE person_id = $1`, h.keep.ID),
				w.count(`SELECT count(*) FROM `+table+` WHERE person_id = $1`, h.dup.ID)}
			if after != before[table] {
				t.Errorf("%s: rows (kept, duplicate) %v, were %v", table, after, before[table])
			}
		}
		keep, _, err := w.svc.Get(w.ctx, system, h.keep.ID)
		if err != nil || keep.Email != "" || keep.RSA != nil {
			t.Errorf("the kept file was not filled: %q %v %v", keep.Email, keep.RSA, err)
		}
		if _, _, err := w.svc.Get(w.ctx, system, h.dup.ID); err != nil {
			t.Errorf("the duplicate is still a live file: %v", err)
		}
		if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'person.merge'`); n != 0 {
			t.Errorf("%d merge entries traced for a merge that did not happen", n)
		}
	})
}

func TestImportsThatMatchAnAbsorbedFileUpdateTheKeptOne(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		svc, manager := marne(t, d)
		if _, err := svc.ImportCAF(ctx, manager, bytes.NewReader(caftest.Read(t, "RSABEM.xml")), false); err != nil {
			t.Fatal(err)
		}
		// A file made by hand before the flow: the same person without NIR nor matricule.
		var fromFlow, holder string
		var birth time.Time
		var first string
		if err := d.QueryRowContext(ctx, `SELECT id, holding_org_id, birth_date, first_name FROM persons WHERE last_name = 'Bullock'`).
			Scan(&fromFlow, &holder, &birth, &first); err != nil {
			t.Fatal(err)
		}
		byHand := people.Person{ID: db.NewID(), Territory: "52", HoldingOrgID: holder, LastName: "Bullock", FirstName: first, BirthDate: &birth, CreatedAt: db.Now()}
		if err := people.Insert(ctx, d, byHand, "", ""); err != nil {
			t.Fatal(err)
		}
		pairs, _, err := svc.Duplicates(ctx, manager, 50, 0)
		if err != nil || len(pairs) != 1 || pairs[0].Keep.ID != fromFlow || !slices.Contains(pairs[0].Codes, "name") {
			t.Fatalf("the pair is found, the file the flow feeds suggested to keep: %+v %v", pairs, err)
		}
		// The operator keeps the file made by hand.
		if _, err := svc.Merge(ctx, manager, byHand.ID, fromFlow, "Dossier saisi avant le flux CAF"); err != nil {
			t.Fatal(err)
		}
		// The next flow reopens the payment of the absorbed file's household.
		rep, err := svc.ImportCAF(ctx, manager, bytes.NewReader(caftest.Read(t, "RSABEM-ouvert.xml")), false)
		if err != nil || rep.Created != 0 || rep.Updated != 1 {
			t.Fatalf("re-import: %+v %v", rep, err)
		}
		if n := count(t, d, "persons"); n != 4 {
			t.Fatalf("%d files, want the 3 of the flow and the absorbed one", n)
		}
		var updated int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'person.update' AND person_id = $1`, byHand.ID).Scan(&updated); err != nil || updated != 1 {
			t.Fatalf("the kept file is the one updated: %d %v", updated, err)
		}
		var into string
		if err := d.QueryRowContext(ctx, `SELECT merged_into FROM persons WHERE id = $1`, fromFlow).Scan(&into); err != nil || into != byHand.ID {
			t.Fatalf("the absorbed file stays absorbed: %q %v", into, err)
		}
	})
}

func TestAListNamingAnAbsorbedSpellingCompletesTheKeptFile(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newListWorld(t, d)
		keep := w.existing(people.Person{LastName: "Lefort", FirstName: "Anne", BirthDate: day("1990-01-02")}, "")
		typo := w.existing(people.Person{LastName: "Lefor", FirstName: "Anne", BirthDate: day("1990-01-02")}, "")
		if _, err := w.svc.Merge(w.ctx, w.manager, keep, typo, "Faute de frappe à la saisie"); err != nil {
			t.Fatal(err)
		}
		rep, err := w.svc.ImportList(w.ctx, w.manager, csvTable(t, "Nom;Prénom;Date de naissance;Téléphone\nLefor;Anne;02/01/1990;06 12 34 56 78\n"), nil, people.Options{})
		if err != nil || rep.Created != 0 || rep.Updated != 1 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		p, _, err := w.svc.Get(w.ctx, w.manager, keep)
		if err != nil || p.Phone == "" {
			t.Fatalf("the kept file takes the phone: %q %v", p.Phone, err)
		}
	})
}
