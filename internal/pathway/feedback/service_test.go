package feedback_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
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

// answers counts the answers stored, recorded or pending.
func (w *world) answers() int {
	w.t.Helper()
	return w.count(`SELECT count(*) FROM evaluation_answers`) + w.count(`SELECT count(*) FROM evaluation_answers_pending`)
}

// nextMonth moves the service's clock to the second day of next month, in Paris.
func (w *world) nextMonth() {
	now := time.Now().In(web.Paris)
	next := time.Date(now.Year(), now.Month()+1, 2, 12, 0, 0, 0, web.Paris).UTC()
	feedback.SetClock(w.svc, func() time.Time { return next })
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
		if n := w.count(`SELECT count(*) FROM evaluation_answers_pending`); n != 1 {
			t.Fatalf("%d answers kept, want 1", n)
		}
		if n := w.count(`SELECT count(*) FROM evaluation_answers_pending WHERE comment = 'Deuxième réponse'`); n != 0 {
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
		if n := w.answers(); n != 0 {
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

// works reports whether a token still opens the questionnaire.
func (w *world) works(token string) bool {
	_, err := w.svc.Open(w.ctx, token)
	return err == nil
}

// openLinks counts a person's unused links of a structure that no newer one closed.
func (w *world) openLinks(person, org string) int {
	w.t.Helper()
	return w.count(`SELECT count(*) FROM evaluation_links WHERE person_id = $1 AND organisation_id = $2 AND used_at IS NULL AND closed_at IS NULL`,
		w.people[person], w.orgs[org].ID)
}

func TestAPersonHasOneOpenLinkPerStructure(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "")
		month := time.Now().In(web.Paris).Format("2006-01")

		t.Run("a replaced link stops working: only the newest works", func(t *testing.T) {
			first := w.issue("ref", "Martin")
			second, err := w.svc.Issue(w.ctx, w.actor("ref"), w.people["Martin"])
			if err != nil || !second.Replaced {
				t.Fatalf("the second link replaces the first: %+v %v", second, err)
			}
			third := w.issue("ref", "Martin")
			if w.works(first) || w.works(tokenOf(t, second.URL)) || !w.works(third) || w.openLinks("Martin", "asso") != 1 {
				t.Fatal("only the newest link works")
			}
			if err := w.svc.Answer(w.ctx, tokenOf(t, second.URL), form(1, 1, 1, 0, "")); !errs.Is(err, errs.NotFound) {
				t.Fatalf("answering with a replaced link: %v", err)
			}
			if err := w.svc.Answer(w.ctx, third, form(4, 4, 4, 10, "")); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("the database refuses a second open link", func(t *testing.T) {
			w.issue("ref", "Bernard")
			now := db.Now()
			_, err := d.ExecContext(w.ctx, `INSERT INTO evaluation_links (token_hash, person_id, organisation_id, territory, issued_by, created_at, expires_at)
				VALUES ($1, $2, $3, '62', $4, $5, $6)`, strings.Repeat("f", 64), w.people["Bernard"], w.orgs["asso"].ID, w.users["ref"].ID, now, now.Add(time.Hour))
			if !db.IsUniqueViolation(err) {
				t.Fatalf("a second open link for the same person and structure: %v", err)
			}
		})

		t.Run("an expired link does not block a new one, and still counts as issued", func(t *testing.T) {
			expired := w.issue("ref", "Petit")
			if _, err := d.ExecContext(w.ctx, `UPDATE evaluation_links SET expires_at = $1 WHERE person_id = $2`, db.Now().Add(-time.Minute), w.people["Petit"]); err != nil {
				t.Fatal(err)
			}
			issued, err := w.svc.Issue(w.ctx, w.actor("ref"), w.people["Petit"])
			if err != nil || issued.Replaced {
				t.Fatalf("a new link after an expired one replaces nothing that worked: %+v %v", issued, err)
			}
			if w.works(expired) || !w.works(tokenOf(t, issued.URL)) || w.openLinks("Petit", "asso") != 1 {
				t.Fatal("the new link works, the expired one does not")
			}
			if n := w.count(`SELECT count(*) FROM evaluation_links WHERE person_id = $1`, w.people["Petit"]); n != 2 {
				t.Errorf("%d links kept for the person, want the expired one and the new one", n)
			}
		})

		// Martin: three issued, two replaced (gone), one answered; Bernard: one;
		// Petit: one expired, one open.
		issued, _, _, err := feedback.Summary(w.ctx, d, "62", month, month)
		if err != nil || issued != 4 {
			t.Errorf("%d links counted as issued, want 4: %v", issued, err)
		}
	})
}

func TestLinksIssuedAtOnceLeaveOneThatWorks(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "")
		const n = 8
		tokens, failures := make([]string, n), make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				issued, err := w.svc.Issue(w.ctx, w.actor([]string{"ref", "man62"}[i%2]), w.people["Martin"])
				tokens[i], failures[i] = issued.URL, err
			}()
		}
		wg.Wait()
		working := 0
		for i := range n {
			if failures[i] != nil {
				t.Fatalf("issuing at once: %v", failures[i])
			}
			if w.works(tokenOf(t, tokens[i])) {
				working++
			}
		}
		// The référent's links are the association's, the manager's the département's.
		if working != 2 || w.openLinks("Martin", "asso") != 1 || w.openLinks("Martin", "dep") != 1 {
			t.Errorf("%d links work after %d issued at once by two structures, want one per structure", working, n)
		}
	})
}

func TestAMergeKeepsTheNewestOpenLink(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "")
		older := w.issue("ref", "Bernard")
		newer := w.issue("ref", "Martin")
		if _, err := w.app.People.Merge(w.ctx, w.actor("man62"), w.people["Bernard"], w.people["Martin"], "Même personne, deux dossiers"); err != nil {
			t.Fatalf("merging two files that each have an open link: %v", err)
		}
		if w.works(older) || !w.works(newer) || w.openLinks("Bernard", "asso") != 1 {
			t.Fatal("after a merge, the newest link works and the older one no longer does")
		}
		_, links, _, err := w.svc.Links(w.ctx, w.actor("ref"), w.people["Bernard"])
		if err != nil || len(links) != 2 || links[0].Expired(time.Now()) || !links[1].Expired(time.Now()) {
			t.Fatalf("the file lists the newest link as waiting and the older as expired: %+v %v", links, err)
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
		if n := w.answers(); n != 0 {
			t.Fatalf("%d invalid answers stored", n)
		}
		if err := w.svc.Answer(w.ctx, token, form(3, 3, 3, 5, "")); err != nil {
			t.Fatalf("the link still works after a refused form: %v", err)
		}
	})
}

// columns lists a table's columns, in order.
func (w *world) columns(table string) string {
	w.t.Helper()
	rows, err := w.app.DB.QueryContext(w.ctx, `SELECT * FROM `+table+` WHERE 1 = 0`)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		w.t.Fatal(err)
	}
	return strings.Join(cols, ",")
}

// answerColumns are all an answer keeps, pending or recorded: no person, link or time.
const answerColumns = "id,organisation_id,territory,period,useful,listened,clear,overall,comment"

var randomID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ids returns the ids of a table's answers.
func (w *world) ids(table string) []string {
	w.t.Helper()
	rows, err := w.app.DB.QueryContext(w.ctx, `SELECT id FROM `+table)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// writtenWithALink counts, on PostgreSQL, the recorded answers written by a
// transaction (xmin) that also wrote or used a link; 0 on SQLite, which has none.
func (w *world) writtenWithALink() int {
	if w.app.DB.Dialect() != db.Postgres {
		return 0
	}
	return w.count(`SELECT count(*) FROM evaluation_answers a JOIN evaluation_links l ON a.xmin::text = l.xmin::text`)
}

func TestAnAnswerCannotBeTiedToAPerson(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "")
		token := w.issue("ref", "Martin")
		if err := w.svc.Answer(w.ctx, token, form(2, 3, 4, 7, "")); err != nil {
			t.Fatal(err)
		}
		// The transaction that used the link wrote no answer: the answer waits, pending, pointing to nothing.
		if n := w.count(`SELECT count(*) FROM evaluation_answers`); n != 0 {
			t.Fatalf("%d answers recorded in the transaction that used the link", n)
		}
		for _, table := range []string{"evaluation_answers_pending", "evaluation_answers"} {
			if cols := w.columns(table); cols != answerColumns {
				t.Errorf("%s keeps %s, want only %s", table, cols, answerColumns)
			}
		}
		var pendingID, org, terr, period string
		if err := d.QueryRowContext(w.ctx, `SELECT id, organisation_id, territory, period FROM evaluation_answers_pending`).Scan(&pendingID, &org, &terr, &period); err != nil {
			t.Fatal(err)
		}
		if !randomID.MatchString(pendingID) || db.ValidID(pendingID) {
			t.Errorf("pending id %q must be 16 random bytes, not a time-ordered UUID", pendingID)
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
		// The link keeps only that it was used.
		if n := w.count(`SELECT count(*) FROM evaluation_links WHERE person_id = $1 AND used_at IS NOT NULL`, w.people["Martin"]); n != 1 {
			t.Errorf("the link is not marked used")
		}

		// Four more answers to the association make a group of five: recorded
		// together, by another transaction, under new ids.
		for _, p := range []string{"Bernard", "Petit", "Martin"} {
			w.answer("ref", p, 3, 8, "")
			if n := w.count(`SELECT count(*) FROM evaluation_answers`); n != 0 {
				t.Fatalf("%d answers recorded before a group of %d waits", n, feedback.MinAnswers)
			}
		}
		w.answer("ref", "Bernard", 3, 8, "")
		if n, pending := w.count(`SELECT count(*) FROM evaluation_answers`), w.count(`SELECT count(*) FROM evaluation_answers_pending`); n != 5 || pending != 0 {
			t.Fatalf("%d answers recorded and %d pending after five, want 5 and 0", n, pending)
		}
		for _, id := range w.ids("evaluation_answers") {
			if id == pendingID || !randomID.MatchString(id) {
				t.Errorf("answer id %q: a new random id is due, not the pending one", id)
			}
			if n := w.count(`SELECT count(*) FROM audit_log WHERE object_id = $1 OR detail LIKE $2`, id, "%"+id+"%"); n != 0 {
				t.Errorf("the answer id is in the audit trail")
			}
		}
		if n := w.writtenWithALink(); n != 0 {
			t.Errorf("%d answers written by a transaction that used a link", n)
		}
		if d.Dialect() == db.Postgres {
			if n := w.count(`SELECT count(DISTINCT xmin::text) FROM evaluation_answers`); n != 1 {
				t.Errorf("the group was written by %d transactions, want one", n)
			}
		}
	})
}

func TestAnswersWaitingWhenTheMonthEndsAreRecorded(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "")
		for i, score := range []int{10, 8, 8, 6, 3, 9} {
			w.answer("ref", []string{"Martin", "Bernard", "Petit"}[i%3], 4, score, "")
		}
		w.answer("refft", "Martin", 4, 9, "")
		// The association's first five make a group; its sixth and France Travail's one wait.
		asso, ft := w.orgs["asso"].ID, w.orgs["ft"].ID
		for _, c := range []struct {
			table, org string
			want       int
		}{
			{"evaluation_answers", asso, 5}, {"evaluation_answers_pending", asso, 1},
			{"evaluation_answers", ft, 0}, {"evaluation_answers_pending", ft, 1},
		} {
			if n := w.count(`SELECT count(*) FROM `+c.table+` WHERE organisation_id = $1`, c.org); n != c.want {
				t.Errorf("%s of %s: %d, want %d", c.table, c.org, n, c.want)
			}
		}
		if err := w.svc.Flush(w.ctx); err != nil || w.count(`SELECT count(*) FROM evaluation_answers_pending`) != 2 {
			t.Fatalf("during the month, fewer than five wait until more come: %v", err)
		}

		month := time.Now().In(web.Paris).Format("2006-01")
		w.nextMonth()
		if err := w.svc.Flush(w.ctx); err != nil {
			t.Fatal(err)
		}
		if n, pending := w.count(`SELECT count(*) FROM evaluation_answers WHERE period = $1`, month), w.count(`SELECT count(*) FROM evaluation_answers_pending`); n != 7 || pending != 0 {
			t.Fatalf("once the month is over, %d answers of the month recorded and %d pending, want 7 and 0", n, pending)
		}
		if n := w.writtenWithALink(); n != 0 {
			t.Errorf("%d answers written by a transaction that used a link", n)
		}
		if d.Dialect() == db.Postgres {
			// The month's answers of the association are written again with its last one.
			if n := w.count(`SELECT count(DISTINCT xmin::text) FROM evaluation_answers WHERE organisation_id = $1`, asso); n != 1 {
				t.Errorf("the association's month was written by %d transactions, want one", n)
			}
		}
		if err := w.svc.Flush(w.ctx); err != nil || w.count(`SELECT count(*) FROM evaluation_answers`) != 7 {
			t.Fatalf("a second flush changes nothing: %v", err)
		}
	})
}

func TestAnswersGivenAndRecordedAtOnceAreEachRecordedOnce(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "")
		names := []string{"Martin", "Bernard", "Petit"}
		for i := range 9 {
			names = append(names, "Personne"+itoa(i))
			w.person(names[len(names)-1], "ref")
		}
		tokens := make([]string, len(names))
		for i, n := range names {
			tokens[i] = w.issue("ref", n)
		}
		var wg sync.WaitGroup
		failures := make(chan error, 2*len(tokens))
		for i, token := range tokens {
			wg.Add(2)
			go func() {
				defer wg.Done()
				failures <- w.svc.Answer(w.ctx, token, form(3, 3, 3, i%11, ""))
			}()
			go func() {
				defer wg.Done()
				failures <- w.svc.Flush(w.ctx)
			}()
		}
		wg.Wait()
		close(failures)
		for err := range failures {
			if err != nil {
				t.Fatal(err)
			}
		}
		if pending := w.count(`SELECT count(*) FROM evaluation_answers_pending`); pending >= feedback.MinAnswers {
			t.Errorf("%d answers still pending after the last answer", pending)
		}
		w.nextMonth()
		if err := w.svc.Flush(w.ctx); err != nil {
			t.Fatal(err)
		}
		// Scores 0 to 11 modulo 11: 0+1+…+10+0 = 55.
		if n, sum := w.count(`SELECT count(*) FROM evaluation_answers`), w.count(`SELECT sum(overall) FROM evaluation_answers`); n != 12 || sum != 55 {
			t.Errorf("%d answers recorded summing %d, want 12 summing 55", n, sum)
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
		// During the month, France Travail's one answer waits: the territory
		// is the association's group, and France Travail has too few answers.
		rep, err := w.svc.Results(w.ctx, w.actor("man62"), feedback.Request{Range: month, Granularity: feedback.Month})
		if err != nil || len(rep.Territory) != 1 || len(rep.Orgs) != 2 {
			t.Fatalf("during the month: %+v %v", rep, err)
		}
		if terr, ft := rep.Territory[0], rep.Orgs[1].Cells[0]; terr.Suppressed != feedback.Shown || terr.Answers != 5 || terr.OverallMean != 7 ||
			terr.Issued != 10 || terr.LinksAnswered != 6 || ft.Suppressed != feedback.FewAnswers || ft.LinksAnswered != 1 {
			t.Errorf("during the month: territory %+v, France Travail %+v", terr, ft)
		}

		// Once the month is over, every answer is recorded.
		w.nextMonth()
		rep, err = w.svc.Results(w.ctx, w.actor("man62"), feedback.Request{Range: month, Granularity: feedback.Month})
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
		if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'feedback.results.read'`); n != 6 {
			t.Errorf("%d results reads traced, want 6", n)
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
		if err != nil || answered != 0 || mean != 0 {
			t.Errorf("a lone answer waits during the month: %d answered, mean %v, %v", answered, mean, err)
		}
		w.nextMonth()
		if err := w.svc.Flush(w.ctx); err != nil {
			t.Fatal(err)
		}
		_, answered, mean, err = feedback.Summary(w.ctx, d, "62", from, m)
		if err != nil || answered != 1 || mean != 0 {
			t.Errorf("%d answered, mean %v, %v", answered, mean, err)
		}
	})
}
