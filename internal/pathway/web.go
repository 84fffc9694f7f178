package pathway

import (
	"embed"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

// Web serves the pathway pages of a person's file, the orientation queue and the point de situation.
type Web struct {
	Svc *Service
	R   *web.Renderer
}

// Register adds the routes and the navigation entries.
func (h Web) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /personnes/{id}/diagnostic", web.RequireUser(h.diagnostic))
	mux.HandleFunc("POST /personnes/{id}/diagnostic", web.RequireUser(h.saveDiagnostic))
	mux.HandleFunc("POST /personnes/{id}/diagnostic/{did}/signature", web.RequireUser(h.signDiagnostic))
	mux.HandleFunc("GET /personnes/{id}/orientation", web.RequireUser(h.orientation))
	mux.HandleFunc("POST /personnes/{id}/orientation", web.RequireUser(h.orient))
	mux.HandleFunc("POST /personnes/{id}/reorientation", web.RequireUser(h.requestReorientation))
	mux.HandleFunc("POST /personnes/{id}/reorientation/{rid}", web.RequireUser(h.decideReorientation))
	mux.HandleFunc("POST /personnes/{id}/contrats", web.RequireUser(h.createContract))
	mux.HandleFunc("POST /personnes/{id}/contrats/{cid}/signature", web.RequireUser(h.signContract))
	mux.HandleFunc("POST /personnes/{id}/contrats/{cid}/renouvellement", web.RequireUser(h.renewContract))
	mux.HandleFunc("GET /personnes/{id}/contrats/{cid}/pdf", web.RequireUser(h.contractPDF))
	mux.HandleFunc("GET /personnes/{id}/groupe", web.RequireUser(h.group))
	mux.HandleFunc("POST /personnes/{id}/groupe", web.RequireUser(h.addMember))
	mux.HandleFunc("POST /personnes/{id}/groupe/{mid}/fin", web.RequireUser(h.endMember))
	mux.HandleFunc("GET /orientation", web.RequireUser(h.queue))
	mux.HandleFunc("GET /point-de-situation", web.RequireUser(h.worklist))
	mux.HandleFunc("GET /pilotage/parcours", web.RequireUser(h.figures))
	h.R.AddNav(web.NavItem{Label: "Point de situation", Href: "/point-de-situation",
		Hint: "Les situations qui attendent : orientations et contrats en retard, rendez-vous, étapes, suivis de reprise d'emploi.", Visible: people.SeesPeople})
	h.R.AddNav(web.NavItem{Label: "À orienter", Href: "/orientation",
		Hint:    "Les bénéficiaires à orienter, les plus anciens d'abord, et les demandes de réorientation.",
		Visible: func(a access.Actor) bool { return canOrient(a) || access.IsDeptManager(a) }})
	h.R.AddNav(web.NavItem{Label: "Chiffres du parcours", Href: "/pilotage/parcours",
		Hint:    "Orientations dans les 6 semaines, contrats dans le mois, délais entre étapes, absences, maintien dans l'emploi, avis des personnes.",
		Visible: access.IsDeptManager})
}

// fileHeader is what every page of a file shows above its content.
type fileHeader struct {
	Person people.Person
	Tabs   []web.Tab
}

func header(p people.Person, tab string) fileHeader {
	return fileHeader{Person: p, Tabs: people.Tabs(p.ID, tab)}
}

type diagnosticData struct {
	fileHeader
	Versions []Diagnostic
	Shown    *Diagnostic
	Themes   []Theme
	Levels   any
	Projects any
	Levels2  any
	CanEdit  bool
	CanSign  bool
	Latest   bool
}

func (h Web) diagnosticPage(r *http.Request) (web.Page, error) {
	a := web.Actor(r.Context())
	id := r.PathValue("id")
	p, _, err := h.Svc.person(r.Context(), a, id, access.Read)
	if err != nil {
		return web.Page{}, err
	}
	versions, err := h.Svc.Diagnostics(r.Context(), a, id)
	if err != nil {
		return web.Page{}, err
	}
	_, _, werr := h.Svc.person(r.Context(), a, id, access.Write)
	d := diagnosticData{fileHeader: header(p, "diagnostic"), Versions: versions, Themes: Themes, Levels: EducationLevels, Projects: Projections, Levels2: ObstacleLevels,
		CanEdit: werr == nil && a.HasAny(access.RoleReferent, access.RoleOrientation)}
	if len(versions) > 0 {
		d.Shown, d.Latest = &versions[0], true
		if v, err := strconv.Atoi(r.URL.Query().Get("version")); err == nil {
			for i := range versions {
				if versions[i].Version == v {
					d.Shown, d.Latest = &versions[i], i == 0
				}
			}
		}
		q := string(a.Qualification)
		d.CanSign = d.CanEdit && d.Latest && q != "" && d.Shown.ValidatedAt == nil && !d.Shown.Signed(q) && !signedBy(*d.Shown, a.UserID)
	}
	form := url.Values{}
	if d.Shown != nil {
		form = gridForm(d.Shown.Grid)
	}
	return web.Page{Title: "Diagnostic — " + p.FirstName + " " + p.LastName, Data: d, Form: form}, nil
}

func signedBy(d Diagnostic, userID string) bool {
	for _, s := range d.Signatures {
		if s.UserID == userID {
			return true
		}
	}
	return false
}

func (h Web) diagnostic(w http.ResponseWriter, r *http.Request) {
	page, err := h.diagnosticPage(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/diagnostic.html", page)
}

// formPage re-renders a page of the file with the errors of a posted form.
func (h Web) formPage(w http.ResponseWriter, r *http.Request, load func(*http.Request) (web.Page, error), name string, err error) {
	page, lerr := load(r)
	if lerr != nil {
		h.R.Error(w, r, lerr)
		return
	}
	page.Form = r.PostForm
	h.R.FormPage(w, r, templates, name, page, err)
}

func (h Web) saveDiagnostic(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	g, ferr := gridFromForm(r.PostForm)
	var err error = ferr
	if ferr == nil {
		_, err = h.Svc.SaveDiagnostic(r.Context(), web.Actor(r.Context()), r.PathValue("id"), g)
	}
	if err != nil {
		h.formPage(w, r, h.diagnosticPage, "templates/diagnostic.html", err)
		return
	}
	web.Redirect(w, r, "/personnes/"+r.PathValue("id")+"/diagnostic", "Nouvelle version du diagnostic enregistrée : elle attend deux signatures.")
}

func (h Web) signDiagnostic(w http.ResponseWriter, r *http.Request) {
	err := h.ofPerson(r, "diagnostic", r.PathValue("did"))
	var d Diagnostic
	if err == nil {
		d, err = h.Svc.SignDiagnostic(r.Context(), web.Actor(r.Context()), r.PathValue("did"))
	}
	if err != nil {
		h.formPage(w, r, h.diagnosticPage, "templates/diagnostic.html", err)
		return
	}
	msg := "Signature enregistrée : la seconde signature doit venir d'un professionnel de l'autre qualification."
	if d.ValidatedAt != nil {
		msg = "Signature enregistrée : le diagnostic est validé."
	}
	web.Redirect(w, r, "/personnes/"+d.PersonID+"/diagnostic", msg)
}

// gridForm fills the form with a grid.
func gridForm(g Grid) url.Values {
	f := url.Values{"work_situation": {g.WorkSituation}, "work_history": {g.WorkHistory}, "education_level": {g.EducationLevel},
		"qualifications": {g.Qualifications}, "target_jobs": {strings.Join(g.TargetJobs, ", ")}, "mobility_km": {strconv.Itoa(g.MobilityKm)},
		"hours_wanted": {g.HoursWanted}, "contract_wanted": {g.ContractWanted}, "projection": {g.Projection}, "strengths": {g.Strengths}}
	for k, v := range map[string]bool{"worked_last_2_years": g.WorkedLast2Years, "driving_licence": g.DrivingLicence, "vehicle": g.Vehicle} {
		if v {
			f.Set(k, "1")
		}
	}
	for _, t := range Themes {
		f.Set("obstacle_"+t.Key, strconv.Itoa(g.Obstacles[t.Key]))
		f.Set("note_"+t.Key, g.ObstacleNote[t.Key])
	}
	return f
}

// gridFromForm reads a grid from a posted form.
func gridFromForm(f url.Values) (Grid, error) {
	g := Grid{WorkSituation: strings.TrimSpace(f.Get("work_situation")), WorkedLast2Years: f.Get("worked_last_2_years") != "",
		WorkHistory: f.Get("work_history"), EducationLevel: f.Get("education_level"), Qualifications: f.Get("qualifications"),
		HoursWanted: f.Get("hours_wanted"), ContractWanted: f.Get("contract_wanted"), DrivingLicence: f.Get("driving_licence") != "",
		Vehicle: f.Get("vehicle") != "", Projection: f.Get("projection"), Strengths: f.Get("strengths"),
		Obstacles: map[string]int{}, ObstacleNote: map[string]string{}}
	fe := errs.FieldErrors{}
	for _, code := range strings.FieldsFunc(f.Get("target_jobs"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		g.TargetJobs = append(g.TargetJobs, code)
	}
	if km := strings.TrimSpace(f.Get("mobility_km")); km != "" {
		n, err := strconv.Atoi(km)
		if err != nil {
			fe.Add("mobility_km", "Indiquez un nombre de kilomètres.")
		}
		g.MobilityKm = n
	}
	for _, t := range Themes {
		if v := f.Get("obstacle_" + t.Key); v != "" && v != "0" {
			n, err := strconv.Atoi(v)
			if err != nil {
				fe.Add("obstacles", "Niveau de frein invalide.")
			}
			g.Obstacles[t.Key] = n
		}
		if note := strings.TrimSpace(f.Get("note_" + t.Key)); note != "" {
			g.ObstacleNote[t.Key] = note
		}
	}
	return g, fe.Err()
}

type orientationData struct {
	fileHeader
	Orientations []Orientation
	Suggested    Track
	Requests     []ReorientationRequest
	Contracts    []Contract
	Objectives   []Objective
	Orgs         []OrgChoice
	Tracks       []Track
	Adjustments  any
	Reasons      any
	CanOrient    bool
	CanRequest   bool
	CanContract  bool
	Deadline     *time.Time
	ContractDue  *time.Time
	Today        time.Time
}

func (h Web) orientationPage(r *http.Request) (web.Page, error) {
	ctx, a, id := r.Context(), web.Actor(r.Context()), r.PathValue("id")
	p, _, err := h.Svc.person(ctx, a, id, access.Read)
	if err != nil {
		return web.Page{}, err
	}
	_, _, werr := h.Svc.person(ctx, a, id, access.Write)
	d := orientationData{fileHeader: header(p, "orientation"), Tracks: Tracks, Adjustments: Adjustments, Reasons: AdjustmentReasons, Today: h.Svc.today()}
	if d.Orientations, err = h.Svc.Orientations(ctx, a, id); err != nil {
		return web.Page{}, err
	}
	if d.Suggested, _, err = h.Svc.Suggestion(ctx, id); err != nil {
		return web.Page{}, err
	}
	if d.Requests, err = h.Svc.ReorientationRequestsOf(ctx, a, id); err != nil {
		return web.Page{}, err
	}
	if d.Contracts, err = h.Svc.Contracts(ctx, a, id); err != nil {
		return web.Page{}, err
	}
	if d.Objectives, err = h.Svc.Objectives(ctx, a, id); err != nil {
		return web.Page{}, err
	}
	if d.Orgs, err = h.Svc.OrgChoices(ctx, p.Territory); err != nil {
		return web.Page{}, err
	}
	writable := werr == nil
	d.CanOrient = writable && canOrient(a)
	d.CanRequest = writable && a.Has(access.RoleReferent) && len(d.Orientations) > 0
	d.CanContract = writable && canContract(a) && len(d.Orientations) > 0
	if p.RSA != nil && p.RSA.RequestDate != nil && len(d.Orientations) == 0 {
		dl := OrientationDeadline(*p.RSA.RequestDate)
		d.Deadline = &dl
	}
	if len(d.Orientations) > 0 {
		due := ContractDeadline(d.Orientations[0].DecidedOn, d.Orientations[0].Track)
		d.ContractDue = &due
	}
	form := url.Values{"track": {string(d.Suggested)}, "kind": {string(ContractEngagement)}, "weekly_hours": {"15"},
		"start": {h.Svc.today().Format(time.DateOnly)}, "end": {h.Svc.today().AddDate(0, 6, 0).Format(time.DateOnly)},
		"signed_on": {h.Svc.today().Format(time.DateOnly)}}
	return web.Page{Title: "Orientation et contrat — " + p.FirstName + " " + p.LastName, Data: d, Form: form}, nil
}

func (h Web) orientation(w http.ResponseWriter, r *http.Request) {
	page, err := h.orientationPage(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/orientation.html", page)
}

// orientationDone redirects to the orientation page after a change, or shows the form's errors.
func (h Web) orientationDone(w http.ResponseWriter, r *http.Request, err error, msg string) {
	if err != nil {
		h.formPage(w, r, h.orientationPage, "templates/orientation.html", err)
		return
	}
	web.Redirect(w, r, "/personnes/"+r.PathValue("id")+"/orientation", msg)
}

func (h Web) orient(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	in := OrientationInput{Track: Track(r.PostForm.Get("track")), OrgID: r.PostForm.Get("organisation_id"), Reason: r.PostForm.Get("reason")}
	_, err := h.Svc.Orient(r.Context(), web.Actor(r.Context()), r.PathValue("id"), in)
	h.orientationDone(w, r, err, "Orientation enregistrée.")
}

func (h Web) requestReorientation(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	in := OrientationInput{Track: Track(r.PostForm.Get("track")), OrgID: r.PostForm.Get("organisation_id"), Reason: r.PostForm.Get("reason")}
	_, err := h.Svc.RequestReorientation(r.Context(), web.Actor(r.Context()), r.PathValue("id"), in)
	h.orientationDone(w, r, err, "Demande de réorientation transmise aux chargés d'orientation.")
}

func (h Web) decideReorientation(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	err := h.ofPerson(r, "reorientation", r.PathValue("rid"))
	if err == nil {
		_, err = h.Svc.DecideReorientation(r.Context(), web.Actor(r.Context()), r.PathValue("rid"), f.Get("decision") == "accept", f.Get("organisation_id"), f.Get("decision_reason"))
	}
	h.orientationDone(w, r, err, "Décision enregistrée.")
}

func (h Web) createContract(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	in := ContractInput{Kind: ContractKind(f.Get("kind")), Start: f.Get("start"), End: f.Get("end"), Adjustment: f.Get("adjustment"),
		AdjustReason: f.Get("adjust_reason"), ActionPlan: f.Get("action_plan"), ObjectiveIDs: f["objective"]}
	var err error
	if v := strings.TrimSpace(strings.ReplaceAll(f.Get("weekly_hours"), ",", ".")); v != "" {
		in.WeeklyHours, err = strconv.ParseFloat(v, 64)
		in.WeeklyHoursOK = true
		if err != nil {
			err = errs.FieldErrors{"weekly_hours": "Indiquez un nombre d'heures."}.Err()
		}
	}
	if err == nil {
		_, err = h.Svc.CreateContract(r.Context(), web.Actor(r.Context()), r.PathValue("id"), in)
	}
	h.orientationDone(w, r, err, "Contrat établi : imprimez-le pour le faire signer, puis enregistrez la signature.")
}

func (h Web) signContract(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	err := h.ofPerson(r, "contract", r.PathValue("cid"))
	if err == nil {
		_, err = h.Svc.SignContract(r.Context(), web.Actor(r.Context()), r.PathValue("cid"), r.PostForm.Get("signed_on"), r.PostForm.Get("person_signed") != "")
	}
	h.orientationDone(w, r, err, "Signature du contrat enregistrée.")
}

func (h Web) renewContract(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	err := h.ofPerson(r, "contract", r.PathValue("cid"))
	if err == nil {
		_, err = h.Svc.RenewContract(r.Context(), web.Actor(r.Context()), r.PathValue("cid"), r.PostForm.Get("renew_end"))
	}
	h.orientationDone(w, r, err, "Contrat renouvelé : il reste à le signer.")
}

func (h Web) contractPDF(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	c, err := h.Svc.Contract(r.Context(), a, r.PathValue("cid"))
	if err == nil && c.PersonID != r.PathValue("id") {
		err = errNotFound
	}
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	p, _, err := h.Svc.person(r.Context(), a, c.PersonID, access.Read)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="contrat-%s.pdf"`, c.Start.Format("2006-01-02")))
	ContractPDF(p, c).WriteTo(w)
}

type groupData struct {
	fileHeader
	Group     []people.GroupMember
	Staff     []Staff
	CanManage bool
	Today     time.Time
}

func (h Web) groupPage(r *http.Request) (web.Page, error) {
	a := web.Actor(r.Context())
	p, group, err := h.Svc.Group(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return web.Page{}, err
	}
	d := groupData{fileHeader: header(p, "groupe"), Group: group, Today: h.Svc.today(), CanManage: CanManageGroup(a, p, group, h.Svc.today())}
	if d.CanManage {
		if d.Staff, err = h.Svc.StaffOf(r.Context(), p.Territory); err != nil {
			return web.Page{}, err
		}
	}
	form := url.Values{"start": {h.Svc.today().Format(time.DateOnly)}, "role": {GroupMember}}
	return web.Page{Title: "Groupe de suivi — " + p.FirstName + " " + p.LastName, Data: d, Form: form}, nil
}

func (h Web) group(w http.ResponseWriter, r *http.Request) {
	page, err := h.groupPage(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/group.html", page)
}

func (h Web) addMember(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	userID, orgID, _ := strings.Cut(f.Get("staff"), "|")
	_, err := h.Svc.AddMember(r.Context(), web.Actor(r.Context()), r.PathValue("id"), MemberInput{UserID: userID, OrgID: orgID, Role: f.Get("role"), Start: f.Get("start")})
	if err != nil {
		h.formPage(w, r, h.groupPage, "templates/group.html", err)
		return
	}
	web.Redirect(w, r, "/personnes/"+r.PathValue("id")+"/groupe", "Le groupe de suivi est à jour.")
}

func (h Web) endMember(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	err := h.ofPerson(r, "member", r.PathValue("mid"))
	if err == nil {
		err = h.Svc.EndMember(r.Context(), web.Actor(r.Context()), r.PathValue("mid"), r.PostForm.Get("end"))
	}
	if err != nil {
		h.formPage(w, r, h.groupPage, "templates/group.html", err)
		return
	}
	web.Redirect(w, r, "/personnes/"+r.PathValue("id")+"/groupe", "Fin d'accompagnement enregistrée.")
}

type queueData struct {
	Queue    []QueueEntry
	Requests []ReorientationRequest
	Pager    web.Pager
}

func (h Web) queue(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	pager := web.NewPager(r, 50)
	list, total, err := h.Svc.Queue(r.Context(), a, pager.Limit, pager.Offset)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	pager.Total = total
	reqs, err := h.Svc.PendingReorientations(r.Context(), a)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/queue.html", web.Page{Title: "À orienter", Data: queueData{Queue: list, Requests: reqs, Pager: pager}})
}

type worklistData struct {
	Worklist
	Kinds  any
	Filter WorklistFilter
	Pager  web.Pager
}

func (h Web) worklist(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pager := web.NewPager(r, 100)
	f := WorklistFilter{Kind: AlertKind(q.Get("type")), OrgID: q.Get("structure"), ReferentID: q.Get("referent"), Mine: q.Get("mes") == "1",
		Limit: pager.Limit, Offset: pager.Offset}
	wl, err := h.Svc.Worklist(r.Context(), web.Actor(r.Context()), f)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	pager.Total = wl.Total
	h.R.Render(w, r, http.StatusOK, templates, "templates/worklist.html", web.Page{Title: "Point de situation",
		Data: worklistData{Worklist: wl, Kinds: AlertKinds, Filter: f, Pager: pager}})
}

type figuresData struct {
	Figures
	FromText, ToText string
}

// Period reads the from and to days of a query, the last twelve months by default.
func Period(q url.Values, today time.Time) (time.Time, time.Time, error) {
	fe := errs.FieldErrors{}
	to := parseDay("to", q.Get("to"), fe)
	if to.IsZero() {
		to = today
	}
	from := parseDay("from", q.Get("from"), fe)
	if from.IsZero() {
		from = to.AddDate(-1, 0, 1)
	}
	return from, to, fe.Err()
}

func (h Web) figures(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	from, to, err := Period(r.URL.Query(), h.Svc.today())
	var f Figures
	if err == nil {
		f, err = h.Svc.ComputeFigures(r.Context(), a, a.Territory, from, to)
	}
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/figures.html", web.Page{Title: "Chiffres du parcours",
		Data: figuresData{Figures: f, FromText: from.Format(time.DateOnly), ToText: to.Format(time.DateOnly)}})
}

// ofPerson checks, before any write, that the object a URL names belongs to
// the person of the same URL: a page of one file never changes another.
func (h Web) ofPerson(r *http.Request, kind, id string) error {
	owner, err := h.Svc.ownerOf(r.Context(), kind, id)
	if err != nil {
		return err
	}
	if owner != r.PathValue("id") {
		return errNotFound
	}
	return nil
}
