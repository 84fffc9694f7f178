package feedback_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tremplin/internal/app"
	"tremplin/internal/app/apptest"
	"tremplin/internal/orgs"
	"tremplin/internal/pathway/feedback"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/auth/authtest"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

var system = access.System("test")

// world is a territory (62) with a département, an association and a France
// Travail agency, a neighbouring territory (59), staff of each, and people
// followed by the association's and the agency's référents.
type world struct {
	t      *testing.T
	ctx    context.Context
	app    *app.App
	svc    *feedback.Service
	orgs   map[string]orgs.Organisation
	users  map[string]auth.User
	people map[string]string // last name → id
}

// password is set on the accounts of web tests only: hashing takes time.
func newWorld(t *testing.T, d *db.DB, password string) *world {
	t.Helper()
	a := apptest.New(t, d)
	w := &world{t: t, ctx: context.Background(), app: a, svc: a.Feedback,
		orgs: map[string]orgs.Organisation{}, users: map[string]auth.User{}, people: map[string]string{}}
	for key, o := range map[string]orgs.Organisation{
		"dep":   {Name: "Département du Pas-de-Calais", Kind: orgs.KindDepartement, Territory: "62"},
		"asso":  {Name: "Association Rebond", Kind: orgs.KindAssociation, Territory: "62"},
		"ft":    {Name: "France Travail Arras", Kind: orgs.KindFranceTravail, Territory: "62"},
		"dep59": {Name: "Département du Nord", Kind: orgs.KindDepartement, Territory: "59"},
	} {
		created, err := a.Orgs.Create(w.ctx, system, o)
		if err != nil {
			t.Fatal(err)
		}
		w.orgs[key] = created
	}
	for _, u := range []struct {
		name, org string
		role      access.Role
	}{
		{"ref", "asso", access.RoleReferent}, {"colleague", "asso", access.RoleReferent}, {"adminasso", "asso", access.RoleOrgAdmin},
		{"refft", "ft", access.RoleReferent}, {"adminft", "ft", access.RoleOrgAdmin}, {"manft", "ft", access.RoleManager},
		{"man62", "dep", access.RoleManager}, {"man59", "dep59", access.RoleManager},
	} {
		created, err := a.Auth.CreateUser(w.ctx, system, auth.NewUser{Email: u.name + "@test.fr", FirstName: "Camille", LastName: strings.ToUpper(u.name),
			Password: password, Memberships: []auth.NewMembership{authtest.Member(w.orgs[u.org].ID, u.role)}})
		if err != nil {
			t.Fatal(err)
		}
		w.users[u.name] = created
	}
	for _, name := range []string{"Martin", "Bernard", "Petit"} {
		w.person(name, "ref", "refft")
	}
	w.person("Durand")
	return w
}

// person files someone of territory 62, held by the département, followed by the given référents.
func (w *world) person(lastName string, referents ...string) {
	w.t.Helper()
	p := people.Person{ID: db.NewID(), Territory: "62", HoldingOrgID: w.orgs["dep"].ID, FirstName: "Alex", LastName: lastName, CreatedAt: db.Now()}
	if err := people.Insert(w.ctx, w.app.DB, p, "", ""); err != nil {
		w.t.Fatal(err)
	}
	for _, ref := range referents {
		u := w.users[ref]
		m := people.GroupMember{ID: db.NewID(), UserID: u.ID, OrgID: u.Memberships[0].OrgID, Role: "referent", Start: time.Now().AddDate(0, -2, 0)}
		if err := people.InsertGroupMember(w.ctx, w.app.DB, p.ID, m, db.Now()); err != nil {
			w.t.Fatal(err)
		}
	}
	w.people[lastName] = p.ID
}

func (w *world) actor(user string) access.Actor { return w.users[user].ActorIn("", "192.0.2.1") }

// issue issues a link and returns its token.
func (w *world) issue(user, person string) string {
	w.t.Helper()
	issued, err := w.svc.Issue(w.ctx, w.actor(user), w.people[person])
	if err != nil {
		w.t.Fatalf("%s issues a link for %s: %v", user, person, err)
	}
	return tokenOf(w.t, issued.URL)
}

var linkPattern = regexp.MustCompile(`^http://localhost/avis/([A-Za-z0-9_-]{43})$`)

func tokenOf(t *testing.T, link string) string {
	t.Helper()
	m := linkPattern.FindStringSubmatch(link)
	if m == nil {
		t.Fatalf("link %q is not PUBLIC_URL/avis/{token}", link)
	}
	return m[1]
}

// form is a complete questionnaire.
func form(useful, listened, clear, overall int, comment string) func(string) string {
	return url.Values{"useful": {itoa(useful)}, "listened": {itoa(listened)}, "clear": {itoa(clear)},
		"overall": {itoa(overall)}, "comment": {comment}}.Get
}

func itoa(n int) string { return strconv.Itoa(n) }

func (w *world) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.app.DB.QueryRowContext(w.ctx, query, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func TestWhoMayIssueALink(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "")
		cases := []struct {
			name, user, person string
			want               errs.Code
		}{
			{"the référent of the follow-up group", "ref", "Martin", ""},
			{"a référent of another structure in the group", "refft", "Martin", ""},
			{"the département's manager", "man62", "Martin", ""},
			{"a référent outside the group: not found", "colleague", "Martin", errs.NotFound},
			{"a référent for a file they do not follow: not found", "ref", "Durand", errs.NotFound},
			{"the administrator of a structure that does not hold the file: not found", "adminasso", "Martin", errs.NotFound},
			{"another territory's manager: not found", "man59", "Martin", errs.NotFound},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				issued, err := w.svc.Issue(w.ctx, w.actor(tc.user), w.people[tc.person])
				if errs.CodeOf(err) != tc.want {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				if tc.want == "" && (!issued.ExpiresAt.After(time.Now().Add(59*24*time.Hour)) || tokenOf(t, issued.URL) == "") {
					t.Fatalf("issued %+v", issued)
				}
			})
		}
		if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'feedback.link.create' AND person_id = $1`, w.people["Martin"]); n != 3 {
			t.Errorf("%d link creations traced with the person, want 3", n)
		}
		if _, err := w.svc.Issue(w.ctx, system, w.people["Martin"]); !errs.Is(err, errs.Forbidden) {
			t.Errorf("the system acts for no structure: %v", err)
		}
	})
}

func TestALinkOpensOneAnswerOnly(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "")
		token := w.issue("ref", "Martin")
		if org, err := w.svc.Open(w.ctx, token); err != nil || org != "Association Rebond" {
			t.Fatalf("a fresh link opens the questionnaire of the issuing structure: %q %v", org, err)
		}
		if err := w.svc.Answer(w.ctx, token, form(4, 4, 3, 9, "Très à l'écoute.")); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Answer(w.ctx, token, form(1, 1, 1, 0, "Deuxième réponse")); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a second answer with the same link: %v", err)
		}
		if _, err := w.svc.Open(w.ctx, token); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a used link still opens: %v", err)
		}
		if n := w.count(`SELECT count(*) FROM evaluation_answers`); n != 1 {
			t.Fatalf("%d answers stored, want 1", n)
		}
		if n := w.count(`SELECT count(*) FROM evaluation_answers WHERE comment = 'Deuxième réponse'`); n != 0 {
			t.Fatal("the refused answer was written")
		}
	})
}

func TestLinksThatNoLongerWork(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "")
		expired := w.issue("ref", "Martin")
		if _, err := d.ExecContext(w.ctx, `UPDATE evaluation_links SET expires_at = $1`, db.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		replaced := w.issue("ref", "Bernard")
		current := w.issue("ref", "Bernard")
		unknown := strings.Repeat("A", 43)
		cases := []struct{ name, token string }{
			{"an expired link", expired},
			{"a link replaced by a newer one", replaced},
			{"an unknown token", unknown},
			{"a malformed token", "not-a-token"},
			{"the hash instead of the token", strings.Repeat("ab", 32)},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, openErr := w.svc.Open(w.ctx, tc.token)
				answerErr := w.svc.Answer(w.ctx, tc.token, form(4, 4, 4, 10, ""))
				if !errs.Is(openErr, errs.NotFound) || !errs.Is(answerErr, errs.NotFound) {
					t.Fatalf("open: %v, answer: %v", openErr, answerErr)
				}
				// One message whatever the reason: nothing is learnt from a dead link.
				if errs.MessageOf(openErr) != "Ce lien ne fonctionne plus." || errs.MessageOf(answerErr) != errs.MessageOf(openErr) {
					t.Fatalf("message %q", errs.MessageOf(openErr))
				}
			})
		}
		if n := w.count(`SELECT count(*) FROM evaluation_answers`); n != 0 {
			t.Fatalf("%d answers written through dead links", n)
		}
		if n := w.count(`SELECT count(*) FROM evaluation_links WHERE used_at IS NOT NULL`); n != 0 {
			t.Fatalf("%d dead links marked used", n)
		}
		if _, err := w.svc.Open(w.ctx, current); err != nil {
			t.Fatalf("the newest link works: %v", err)
		}
		// The replaced link is gone, the expired one stays (it counts as issued, unanswered).
		if n := w.count(`SELECT count(*) FROM evaluation_links`); n != 2 {
			t.Fatalf("%d links stored, want 2", n)
		}
		// Another structure's link does not replace the association's.
		w.issue("refft", "Bernard")
		if _, err := w.svc.Open(w.ctx, current); err != nil {
			t.Fatalf("a link of another structure replaced this one: %v", err)
		}
	})
}

func TestAnswersAreCheckedBeforeTheLinkIsUsed(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "")
		token := w.issue("ref", "Martin")
		cases := []struct {
			name  string
			form  url.Values
			field string
		}{
			{"nothing answered", url.Values{}, "useful"},
			{"no overall score", url.Values{"useful": {"3"}, "listened": {"3"}, "clear": {"3"}}, "overall"},
			{"a score out of range", url.Values{"useful": {"3"}, "listened": {"3"}, "clear": {"3"}, "overall": {"12"}}, "overall"},
			{"an unknown step", url.Values{"useful": {"3"}, "listened": {"oui"}, "clear": {"3"}, "overall": {"5"}}, "listened"},
			{"a comment too long", url.Values{"useful": {"3"}, "listened": {"3"}, "clear": {"3"}, "overall": {"5"}, "comment": {strings.Repeat("a", 1001)}}, "comment"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := w.svc.Answer(w.ctx, token, tc.form.Get)
				if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)[tc.field] == "" {
					t.Fatalf("error %v, want one on %s", err, tc.field)
				}
			})
		}
		if n := w.count(`SELECT count(*) FROM evaluation_answers`); n != 0 {
			t.Fatalf("%d invalid answers stored", n)
		}
		if err := w.svc.Answer(w.ctx, token, form(3, 3, 3, 5, "")); err != nil {
			t.Fatalf("the link still works after a refused form: %v", err)
		}
	})
}

func TestAnAnswerCannotBeTiedToAPerson(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "")
		token := w.issue("ref", "Martin")
		if err := w.svc.Answer(w.ctx, token, form(2, 3, 4, 7, "")); err != nil {
			t.Fatal(err)
		}
		var id, org, terr, period string
		if err := d.QueryRowContext(w.ctx, `SELECT id, organisation_id, territory, period FROM evaluation_answers`).Scan(&id, &org, &terr, &period); err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) || db.ValidID(id) {
			t.Errorf("answer id %q must be 16 random bytes, not a time-ordered UUID", id)
		}
		if org != w.orgs["asso"].ID || terr != "62" || period != time.Now().In(web.Paris).Format("2006-01") {
			t.Errorf("answer kept %s %s %s", org, terr, period)
		}
		var user, auditOrg, objType, objID, person, ip string
		if err := d.QueryRowContext(w.ctx, `SELECT user_id, organisation_id, object_type, object_id, person_id, ip FROM audit_log WHERE action = 'feedback.answer'`).
			Scan(&user, &auditOrg, &objType, &objID, &person, &ip); err != nil {
			t.Fatal(err)
		}
		if user != "system" || objType != "organisation" || objID != w.orgs["asso"].ID || person != "" || ip != "" || auditOrg != "" {
			t.Errorf("the answer's trace ties it to someone: user %q org %q object %s/%s person %q ip %q", user, auditOrg, objType, objID, person, ip)
		}
		if n := w.count(`SELECT count(*) FROM audit_log WHERE object_id = $1 OR detail LIKE $2`, id, "%"+id+"%"); n != 0 {
			t.Errorf("the answer id is in the audit trail")
		}
		// The link keeps only that it was used.
		if n := w.count(`SELECT count(*) FROM evaluation_links WHERE person_id = $1 AND used_at IS NOT NULL`, w.people["Martin"]); n != 1 {
			t.Errorf("the link is not marked used")
		}
	})
}

// answer issues a link for person by user and answers it.
func (w *world) answer(user, person string, useful, overall int, comment string) {
	w.t.Helper()
	if err := w.svc.Answer(w.ctx, w.issue(user, person), form(useful, 4, 2, overall, comment)); err != nil {
		w.t.Fatal(err)
	}
}

func TestResultsAreAggregatedBehindTheSmallGroupRule(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "")
		// The association: 7 links, 5 answered; France Travail: 3 links, 1 answered.
		for i, score := range []int{10, 8, 8, 6, 3} {
			w.answer("ref", []string{"Martin", "Bernard", "Petit"}[i%3], 4-i/3*3, score, "Commentaire "+itoa(score))
		}
		w.issue("ref", "Martin")
		w.issue("ref", "Bernard")
		w.answer("refft", "Martin", 4, 9, "Un commentaire isolé")
		w.issue("refft", "Martin")
		w.issue("refft", "Bernard")

		now := time.Now().In(web.Paris)
		month, err := feedback.ParsePeriod(now.Format("2006-01"))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := w.svc.Results(w.ctx, w.actor("man62"), feedback.Request{Range: month, Granularity: feedback.Month})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Orgs) != 2 || rep.Orgs[0].OrgName != "Association Rebond" || rep.Orgs[1].OrgName != "France Travail Arras" {
			t.Fatalf("organisations %+v", rep.Orgs)
		}
		asso, ft := rep.Orgs[0].Cells[0], rep.Orgs[1].Cells[0]
		rate, _ := asso.ResponseRate()
		if asso.Issued != 7 || asso.LinksAnswered != 5 || int(rate) != 71 || asso.Suppressed != feedback.Shown || asso.Answers != 5 {
			t.Errorf("association %+v (rate %.1f)", asso, rate)
		}
		// useful: 4, 4, 4, 1, 1 → 60 %; listened always 4 → 100 %; clear always 2 → 0 %; scores 10, 8, 8, 6, 3.
		if asso.UsefulPct != 60 || asso.ListenedPct != 100 || asso.ClearPct != 0 || asso.OverallMean != 7 {
			t.Errorf("association's figures %+v", asso)
		}
		if asso.Distribution[8] != 2 || asso.Distribution[10] != 1 || asso.Distribution[9] != 0 {
			t.Errorf("distribution %v", asso.Distribution)
		}
		ftRate, _ := ft.ResponseRate()
		if ft.Suppressed != feedback.FewAnswers || ft.Answers != 0 || ft.OverallMean != 0 || ft.Distribution != nil || ft.Issued != 3 || int(ftRate) != 33 {
			t.Errorf("a group of one answer leaks: %+v", ft)
		}
		// The territory (6 answers) minus the association (5) would be France Travail's one answer.
		if len(rep.Territory) != 1 || rep.Territory[0].Suppressed != feedback.Complementary || rep.Territory[0].Issued != 10 {
			t.Errorf("territory %+v", rep.Territory)
		}
		if len(rep.Comments) != 1 || rep.Comments[0].OrgName != "Association Rebond" || len(rep.Comments[0].Comments) != 5 {
			t.Fatalf("comments %+v", rep.Comments)
		}
		for _, c := range rep.Comments[0].Comments {
			if c == "Un commentaire isolé" {
				t.Error("the comment of a small group is shown")
			}
		}

		for _, tc := range []struct {
			name, user, org string
			wantOrgs        []string
			wantErr         errs.Code
		}{
			{"the association's administrator reads the association", "adminasso", "", []string{"Association Rebond"}, ""},
			{"France Travail's manager reads France Travail", "manft", "", []string{"France Travail Arras"}, ""},
			{"an administrator may not read another structure", "adminft", w.orgs["asso"].ID, nil, errs.NotFound},
			{"the département's manager narrows to one structure", "man62", w.orgs["ft"].ID, []string{"France Travail Arras"}, ""},
			{"another territory's manager sees nothing of this one", "man59", "", nil, ""},
			{"a référent reads no results", "ref", "", nil, errs.NotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rep, err := w.svc.Results(w.ctx, w.actor(tc.user), feedback.Request{Range: month, Granularity: feedback.Month, OrgID: tc.org})
				if errs.CodeOf(err) != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				var names []string
				for _, o := range rep.Orgs {
					names = append(names, o.OrgName)
				}
				if strings.Join(names, ",") != strings.Join(tc.wantOrgs, ",") {
					t.Errorf("organisations %v, want %v", names, tc.wantOrgs)
				}
				if tc.user != "man62" && tc.user != "man59" && (rep.Territory != nil || rep.Comments != nil) {
					t.Errorf("only the département's managers read the territory and the comments")
				}
			})
		}
		if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'feedback.results.read'`); n != 5 {
			t.Errorf("%d results reads traced, want 5", n)
		}

		year := feedback.Period{Granularity: feedback.Year, Year: now.Year()}
		rep, err = w.svc.Results(w.ctx, w.actor("adminasso"), feedback.Request{Range: year, Granularity: feedback.Quarter})
		if err != nil || len(rep.Orgs) != 1 || len(rep.Orgs[0].Cells) != 1 || rep.Orgs[0].Cells[0].Answers != 5 {
			t.Fatalf("by quarter: %+v %v", rep, err)
		}
		if _, err := w.svc.Results(w.ctx, w.actor("man62"), feedback.Request{Range: month, Granularity: feedback.Year}); !errs.Is(err, errs.Invalid) {
			t.Errorf("a breakdown coarser than the range: %v", err)
		}

		issued, answered, mean, err := feedback.Summary(w.ctx, d, "62", month.String(), month.String())
		if err != nil || issued != 10 || answered != 6 || mean != 44.0/6 {
			t.Errorf("steering summary: %d issued, %d answered, mean %v, %v", issued, answered, mean, err)
		}
		issued, answered, mean, err = feedback.Summary(w.ctx, d, "59", month.String(), month.String())
		if err != nil || issued != 0 || answered != 0 || mean != 0 {
			t.Errorf("another territory's summary: %d %d %v %v", issued, answered, mean, err)
		}
		if _, _, _, err := feedback.Summary(w.ctx, d, "62", "2026-05", "2026-01"); !errs.Is(err, errs.Invalid) {
			t.Errorf("a reversed range: %v", err)
		}
	})
}

func TestASummaryOfFewAnswersGivesNoMean(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "")
		w.answer("ref", "Martin", 4, 10, "")
		m := time.Now().In(web.Paris).Format("2006-01")
		from := time.Now().In(web.Paris).AddDate(0, 0, -40).Format("2006-01")
		_, answered, mean, err := feedback.Summary(w.ctx, d, "62", from, m)
		if err != nil || answered != 1 || mean != 0 {
			t.Errorf("%d answered, mean %v, %v", answered, mean, err)
		}
	})
}
