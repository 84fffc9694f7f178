package jobs

import (
	"embed"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

// Web serves the jobs pages: offers, employers, CVs, matching and candidacies.
type Web struct {
	Svc *Service
	R   *web.Renderer
}

// Register adds the routes and the navigation entries.
func (h Web) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /offres", web.RequireUser(h.listOffers))
	mux.HandleFunc("GET /offres/nouvelle", web.RequireUser(h.newOffer))
	mux.HandleFunc("POST /offres", web.RequireUser(h.createOffer))
	mux.HandleFunc("GET /offres/{id}", web.RequireUser(h.showOffer))
	mux.HandleFunc("GET /offres/{id}/modifier", web.RequireUser(h.editOffer))
	mux.HandleFunc("POST /offres/{id}", web.RequireUser(h.updateOffer))
	mux.HandleFunc("POST /offres/{id}/statut", web.RequireUser(h.offerStatus))
	mux.HandleFunc("GET /imports/offres", web.RequireUser(h.importPage))
	mux.HandleFunc("POST /imports/offres", web.RequireUser(h.importUpload))
	mux.HandleFunc("GET /employeurs", web.RequireUser(h.listEmployers))
	mux.HandleFunc("GET /employeurs/{id}", web.RequireUser(h.showEmployer))
	mux.HandleFunc("POST /employeurs/{id}/naf", web.RequireUser(h.setNAF))
	mux.HandleFunc("POST /employeurs/{id}/sites", web.RequireUser(h.addSite))
	mux.HandleFunc("POST /employeurs/{id}/contacts", web.RequireUser(h.addContact))
	mux.HandleFunc("GET /personnes/{id}/cv", web.RequireUser(h.showCV))
	mux.HandleFunc("POST /personnes/{id}/cv", web.RequireUser(h.saveCV))
	mux.HandleFunc("POST /personnes/{id}/cv/accord", web.RequireUser(h.giveConsent))
	mux.HandleFunc("POST /personnes/{id}/cv/retrait", web.RequireUser(h.revokeConsent))
	mux.HandleFunc("GET /personnes/{id}/offres", web.RequireUser(h.personOffers))
	mux.HandleFunc("POST /candidatures", web.RequireUser(h.propose))
	mux.HandleFunc("GET /candidatures/{id}", web.RequireUser(h.showPositioning))
	mux.HandleFunc("POST /candidatures/{id}", web.RequireUser(h.move))
	h.R.AddNav(
		web.NavItem{Label: "Offres d'emploi", Href: "/offres",
			Hint: "Les offres des employeurs du territoire, les candidats qui leur correspondent et les candidatures.", Visible: canSeeOffers},
		web.NavItem{Label: "Employeurs", Href: "/employeurs",
			Hint: "Les employeurs, leurs sites, leurs contacts et leurs offres.", Visible: canSeeOffers},
	)
}

func canSeeOffers(a access.Actor) bool { return !access.ScopeForOffers(a).None }

// canCreateOffers reports whether the actor may publish offers for some employer.
func canCreateOffers(a access.Actor) bool {
	return a.HasAny(access.RoleEmployer, access.RoleFacilitator) || access.IsDeptManager(a) ||
		(a.Has(access.RoleOrgAdmin) && (a.OrgKind == "employer" || a.OrgKind == "siae" || a.OrgKind == "geiq"))
}

// ---- offers ----

type offerListData struct {
	Offers    []Offer
	Pager     web.Pager
	Statuses  []Option
	CanCreate bool
	// Map places the offers of the page; the table is its accessible equivalent.
	Map web.MapData
}

func (h Web) listOffers(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	pager := web.NewPager(r, 50)
	q := r.URL.Query()
	status := q.Get("statut")
	if _, set := q["statut"]; !set {
		status = StatusOpen
	}
	f := OfferFilter{Status: status, Query: q.Get("q"), ROME: strings.TrimSpace(q.Get("rome")), Limit: pager.Limit, Offset: pager.Offset}
	offers, total, err := h.Svc.ListOffers(r.Context(), a, f)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	pager.Total = total
	d := offerListData{Offers: offers, Pager: pager, Statuses: Statuses, CanCreate: canCreateOffers(a), Map: offerMap(Offer{}, nil)}
	for _, o := range offers {
		if o.Located() {
			d.Map.Points = append(d.Map.Points, web.MapPoint{Lat: *o.Lat, Lon: *o.Lon, Label: o.Title + " — " + o.EmployerName, Kind: "offer", Href: "/offres/" + o.ID})
		}
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/offers_list.html", web.Page{Title: "Offres d'emploi", Data: d})
}

type offerFormData struct {
	Offer     *Offer
	Employers []Employer
	Sites     []Site
	// EmployerID is fixed for an employer's staff and when editing.
	EmployerID string
	Contracts  []Option
	Shifts     []Option
	Statuses   []Option
	Action     string
}

// Checked tells a checkbox list whether a value was chosen.
func (d offerFormData) Checked(form url.Values, name, value string) bool {
	return checked(form, name, value)
}

// checked reports whether a form chose value among the values of name.
func checked(form url.Values, name, value string) bool { return slices.Contains(form[name], value) }

func (h Web) offerForm(r *http.Request, o *Offer) (web.Page, error) {
	a := web.Actor(r.Context())
	d := offerFormData{Offer: o, Contracts: Contracts, Shifts: Shifts, Statuses: Statuses, Action: "/offres"}
	employerID := r.URL.Query().Get("employeur")
	if r.Method == http.MethodPost {
		employerID = r.PostForm.Get("employer_id")
	}
	if a.Has(access.RoleEmployer) {
		employerID = a.OrgID
	}
	title := "Nouvelle offre d'emploi"
	if o != nil {
		employerID, d.Action, title = o.OrgID, "/offres/"+o.ID, "Modifier l'offre"
	}
	if employerID == "" || o == nil {
		emps, err := h.Svc.Employers(r.Context(), a)
		if err != nil {
			return web.Page{}, err
		}
		for _, e := range emps {
			if e.CanManage {
				d.Employers = append(d.Employers, e)
			}
		}
	}
	d.EmployerID = employerID
	if employerID != "" {
		if e, err := h.Svc.GetEmployer(r.Context(), a, employerID); err == nil {
			d.Sites = e.Sites
		}
	}
	return web.Page{Title: title, Data: d}, nil
}

// offerValues fills a form with an offer's fields.
func offerValues(o Offer) url.Values {
	in := inputOf(o)
	v := url.Values{"employer_id": {o.OrgID}, "site_id": {in.SiteID}, "reference": {o.Reference}, "title": {o.Title},
		"rome": {o.ROME}, "contract": {o.Contract}, "contract_months": {strconv.Itoa(o.ContractMonths)}, "hours_per_week": {o.Hours()},
		"positions": {strconv.Itoa(o.Positions)}, "start_date": {in.StartDate}, "commune_code": {in.CommuneCode},
		"qualifications": {strings.Join(o.Qualifications, "\n")}, "description": {o.Description}, "clause_market": {o.ClauseMarket},
		"status": {o.Status}, "shifts": o.Shifts}
	for name, on := range map[string]bool{"needs_licence": o.NeedsLicence, "needs_vehicle": o.NeedsVehicle, "in_tension": o.InTension, "clause_linked": o.ClauseLinked} {
		if on {
			v.Set(name, "1")
		}
	}
	return v
}

func (h Web) newOffer(w http.ResponseWriter, r *http.Request) {
	p, err := h.offerForm(r, nil)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	p.Form = url.Values{"positions": {"1"}, "contract": {"CDI"}}
	h.R.Render(w, r, http.StatusOK, templates, "templates/offer_form.html", p)
}

// offerInput reads the offer form.
func offerInput(f url.Values) OfferInput {
	atoi := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(f.Get(name)))
		if err != nil && strings.TrimSpace(f.Get(name)) != "" {
			return -1
		}
		return n
	}
	return OfferInput{EmployerID: f.Get("employer_id"), SiteID: f.Get("site_id"), Reference: f.Get("reference"), Title: f.Get("title"),
		ROME: f.Get("rome"), Contract: f.Get("contract"), ContractMonths: atoi("contract_months"), Hours: f.Get("hours_per_week"),
		Positions: atoi("positions"), StartDate: f.Get("start_date"), CommuneCode: f.Get("commune_code"),
		NeedsLicence: f.Get("needs_licence") != "", NeedsVehicle: f.Get("needs_vehicle") != "",
		Qualifications: splitLines(f.Get("qualifications")), Shifts: f["shifts"], Description: f.Get("description"),
		InTension: f.Get("in_tension") != "", ClauseLinked: f.Get("clause_linked") != "", ClauseMarket: f.Get("clause_market"),
		Status: f.Get("status")}
}

func (h Web) createOffer(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	o, err := h.Svc.CreateOffer(r.Context(), web.Actor(r.Context()), offerInput(r.PostForm))
	if err == nil {
		web.Redirect(w, r, "/offres/"+o.ID, "Offre publiée.")
		return
	}
	p, loadErr := h.offerForm(r, nil)
	if loadErr != nil {
		h.R.Error(w, r, loadErr)
		return
	}
	h.R.FormPage(w, r, templates, "templates/offer_form.html", p, err)
}

func (h Web) editOffer(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	o, err := h.Svc.GetOffer(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	if !access.CanOffer(a, offerFacts(o), access.Write) {
		h.R.Error(w, r, errs.New(errs.Forbidden, "Vous ne pouvez pas modifier cette offre."))
		return
	}
	p, err := h.offerForm(r, &o)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	p.Form = offerValues(o)
	h.R.Render(w, r, http.StatusOK, templates, "templates/offer_form.html", p)
}

func (h Web) updateOffer(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	a := web.Actor(r.Context())
	o, err := h.Svc.UpdateOffer(r.Context(), a, r.PathValue("id"), offerInput(r.PostForm))
	if err == nil {
		web.Redirect(w, r, "/offres/"+o.ID, "Offre modifiée.")
		return
	}
	cur, loadErr := h.Svc.GetOffer(r.Context(), a, r.PathValue("id"))
	if loadErr != nil {
		h.R.Error(w, r, loadErr)
		return
	}
	p, loadErr := h.offerForm(r, &cur)
	if loadErr != nil {
		h.R.Error(w, r, loadErr)
		return
	}
	h.R.FormPage(w, r, templates, "templates/offer_form.html", p, err)
}

func (h Web) offerStatus(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	o, err := h.Svc.SetOfferStatus(r.Context(), web.Actor(r.Context()), r.PathValue("id"), r.PostForm.Get("status"))
	if err != nil {
		h.R.Error(w, r, summaryOnly(err))
		return
	}
	web.Redirect(w, r, "/offres/"+o.ID, "Statut de l'offre : "+strings.ToLower(o.StatusLabel())+".")
}

// summaryOnly turns field errors into one message.
func summaryOnly(err error) error {
	for _, msg := range errs.FieldsOf(err) {
		return errs.New(errs.CodeOf(err), msg)
	}
	return err
}

type offerPageData struct {
	Offer        Offer
	CanManage    bool
	IsEmployer   bool
	Candidates   OfferCandidates
	MatchError   string
	Positionings []Positioning
	Statuses     []Option
	Radius       string
	// Map places the offer and the named candidates; the tables are its accessible equivalent.
	Map web.MapData
}

func (h Web) showOffer(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	o, err := h.Svc.GetOffer(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	d := offerPageData{Offer: o, CanManage: access.CanOffer(a, offerFacts(o), access.Write), IsEmployer: employerOf(a, o),
		Statuses: Statuses, Radius: r.URL.Query().Get("rayon")}
	q := MatchQuery{Limit: 50}
	if d.Radius != "" {
		f, perr := strconv.ParseFloat(strings.ReplaceAll(d.Radius, ",", "."), 64)
		if perr != nil || f <= 0 {
			d.MatchError = "Indiquez un rayon en kilomètres, de 1 à 200."
		}
		q.RadiusKm = f
	}
	if d.MatchError == "" && o.Status == StatusOpen {
		d.Candidates, err = h.Svc.CandidatesForOffer(r.Context(), a, o.ID, q)
		if err != nil {
			if errs.CodeOf(err) == errs.Internal {
				h.R.Error(w, r, err)
				return
			}
			d.MatchError = errs.MessageOf(err)
		}
	}
	d.Map = offerMap(o, d.Candidates.Items)
	if d.Positionings, err = h.Svc.OfferPositionings(r.Context(), a, o.ID); err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/offer_show.html", web.Page{Title: o.Title, Data: d})
}

// ---- employers ----

func (h Web) listEmployers(w http.ResponseWriter, r *http.Request) {
	list, err := h.Svc.Employers(r.Context(), web.Actor(r.Context()))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/employers_list.html", web.Page{Title: "Employeurs", Data: list})
}

func (h Web) employerPage(r *http.Request) (web.Page, error) {
	e, err := h.Svc.GetEmployer(r.Context(), web.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		return web.Page{}, err
	}
	return web.Page{Title: e.Name, Data: e}, nil
}

func (h Web) showEmployer(w http.ResponseWriter, r *http.Request) {
	p, err := h.employerPage(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/employer_show.html", p)
}

// employerDone redirects to the employer's page, or shows it again with the form's errors.
func (h Web) employerDone(w http.ResponseWriter, r *http.Request, anchor, flash string, err error) {
	if err == nil {
		web.Redirect(w, r, "/employeurs/"+r.PathValue("id")+"#"+anchor, flash)
		return
	}
	p, loadErr := h.employerPage(r)
	if loadErr != nil {
		h.R.Error(w, r, loadErr)
		return
	}
	h.R.FormPage(w, r, templates, "templates/employer_show.html", p, err)
}

func (h Web) setNAF(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	err := h.Svc.SetNAF(r.Context(), web.Actor(r.Context()), r.PathValue("id"), r.PostForm.Get("naf"))
	h.employerDone(w, r, "activite", "Activité enregistrée.", err)
}

func (h Web) addSite(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	in := SiteInput{Name: f.Get("name"), Address: f.Get("address"), PostalCode: f.Get("postal_code"), CommuneCode: f.Get("commune_code")}
	site, err := h.Svc.AddSite(r.Context(), web.Actor(r.Context()), r.PathValue("id"), in)
	flash := "Site ajouté."
	if err == nil && !site.Located() {
		flash = "Site ajouté, mais son adresse n'a pas pu être placée sur la carte : ses offres indiqueront leur commune."
	}
	h.employerDone(w, r, "sites", flash, err)
}

func (h Web) addContact(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	in := ContactInput{Name: f.Get("contact_name"), JobTitle: f.Get("contact_job_title"), Email: f.Get("contact_email"), Phone: f.Get("contact_phone")}
	_, err := h.Svc.AddContact(r.Context(), web.Actor(r.Context()), r.PathValue("id"), in)
	h.employerDone(w, r, "contacts", "Contact ajouté.", err)
}

// ---- CV ----

type cvPageData struct {
	PersonCV
	Tabs           []web.Tab
	Means          []Option
	Shifts         []Option
	ConsentMethods []Option
	IsEmployer     bool
}

// Checked tells a checkbox list whether a value was chosen.
func (d cvPageData) Checked(form url.Values, name, value string) bool {
	return checked(form, name, value)
}

func (h Web) cvPage(r *http.Request) (web.Page, error) {
	a := web.Actor(r.Context())
	pc, err := h.Svc.GetCV(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return web.Page{}, err
	}
	d := cvPageData{PersonCV: pc, Means: Means, Shifts: Shifts, ConsentMethods: ConsentMethods,
		IsEmployer: a.Has(access.RoleEmployer) && !pc.CanEdit}
	if !d.IsEmployer {
		d.Tabs = people.Tabs(pc.Person.ID, "cv")
	}
	return web.Page{Title: "CV de " + pc.Person.FirstName + " " + pc.Person.LastName, Data: d}, nil
}

// cvValues fills the CV form.
func cvValues(c CV) url.Values {
	v := url.Values{"headline": {c.Headline}, "summary": {c.Summary}, "skills": {strings.Join(c.Skills, "\n")},
		"romes": {strings.Join(c.ROMEs, ", ")}, "radius_km": {strconv.Itoa(c.RadiusKm)}, "means": c.Means,
		"hours_min": {c.HoursMin()}, "hours_max": {c.HoursMax()}, "excluded_shifts": c.ExcludedShifts,
		"qualifications": {strings.Join(c.Qualifications, "\n")}}
	if c.AvailableFrom != nil {
		v.Set("available_from", db.Day(*c.AvailableFrom))
	}
	for name, on := range map[string]bool{"licence": c.Licence, "vehicle": c.Vehicle, "online": c.Online} {
		if on {
			v.Set(name, "1")
		}
	}
	for i, e := range c.Experiences {
		n := strconv.Itoa(i)
		v.Set("exp_title_"+n, e.Title)
		v.Set("exp_employer_"+n, e.Employer)
		if e.Start != nil {
			v.Set("exp_start_"+n, db.Day(*e.Start))
		}
		if e.End != nil {
			v.Set("exp_end_"+n, db.Day(*e.End))
		}
	}
	return v
}

// ExperienceRows are the experience lines the form offers: the saved ones and three empty.
func (d cvPageData) ExperienceRows() []int {
	n := len(d.CV.Experiences) + 3
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func (h Web) showCV(w http.ResponseWriter, r *http.Request) {
	p, err := h.cvPage(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	p.Form = cvValues(p.Data.(cvPageData).CV)
	h.R.Render(w, r, http.StatusOK, templates, "templates/cv.html", p)
}

func cvInput(f url.Values) CVInput {
	radius, err := strconv.Atoi(strings.TrimSpace(f.Get("radius_km")))
	if err != nil && strings.TrimSpace(f.Get("radius_km")) != "" {
		radius = -1
	}
	in := CVInput{Headline: f.Get("headline"), Summary: f.Get("summary"), Skills: splitLines(f.Get("skills")),
		ROMEs: splitCodes(f.Get("romes")), RadiusKm: radius, Means: f["means"], AvailableFrom: f.Get("available_from"),
		HoursMin: f.Get("hours_min"), HoursMax: f.Get("hours_max"), ExcludedShifts: f["excluded_shifts"],
		Licence: f.Get("licence") != "", Vehicle: f.Get("vehicle") != "", Qualifications: splitLines(f.Get("qualifications")),
		Online: f.Get("online") != ""}
	for i := 0; i < 40; i++ {
		n := strconv.Itoa(i)
		if _, ok := f["exp_title_"+n]; !ok {
			break
		}
		in.Experiences = append(in.Experiences, ExperienceInput{Title: f.Get("exp_title_" + n), Employer: f.Get("exp_employer_" + n),
			Start: f.Get("exp_start_" + n), End: f.Get("exp_end_" + n)})
	}
	return in
}

func (h Web) cvDone(w http.ResponseWriter, r *http.Request, flash string, err error) {
	if err == nil {
		web.Redirect(w, r, "/personnes/"+r.PathValue("id")+"/cv", flash)
		return
	}
	p, loadErr := h.cvPage(r)
	if loadErr != nil {
		h.R.Error(w, r, loadErr)
		return
	}
	h.R.FormPage(w, r, templates, "templates/cv.html", p, err)
}

func (h Web) saveCV(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	_, err := h.Svc.SaveCV(r.Context(), web.Actor(r.Context()), r.PathValue("id"), cvInput(r.PostForm))
	h.cvDone(w, r, "CV enregistré.", err)
}

func (h Web) giveConsent(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	err := h.Svc.GiveConsent(r.Context(), web.Actor(r.Context()), r.PathValue("id"), r.PostForm.Get("method"))
	h.cvDone(w, r, "Accord de la personne enregistré : son CV peut être transmis aux employeurs.", err)
}

func (h Web) revokeConsent(w http.ResponseWriter, r *http.Request) {
	err := h.Svc.RevokeConsent(r.Context(), web.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/personnes/"+r.PathValue("id")+"/cv", "Accord retiré : les employeurs ne voient plus le CV ni les candidatures.")
}

type personOffersData struct {
	PersonMatches
	Tabs       []web.Tab
	MatchError string
	Radius     string
	// Map places the person's home and the offers; the table is its accessible equivalent.
	Map web.MapData
}

// offerMap places an offer and its named candidates.
func offerMap(o Offer, cands []CandidateMatch) web.MapData {
	m := web.MapData{Points: []web.MapPoint{}}
	if o.Located() {
		m.Points = append(m.Points, web.MapPoint{Lat: *o.Lat, Lon: *o.Lon, Label: o.Title + " — " + o.EmployerName, Kind: "offer", Href: "/offres/" + o.ID})
	}
	for _, c := range cands {
		if c.Lat != nil && c.Lon != nil {
			m.Points = append(m.Points, web.MapPoint{Lat: *c.Lat, Lon: *c.Lon, Label: c.Name, Kind: "candidate", Href: "/personnes/" + c.PersonID + "/cv"})
		}
	}
	return m
}

// personMap places a person's home and the offers ranked for them.
func personMap(d PersonMatches) web.MapData {
	m := web.MapData{Points: []web.MapPoint{}}
	if d.Person.Lat != nil && d.Person.Lon != nil {
		m.Points = append(m.Points, web.MapPoint{Lat: *d.Person.Lat, Lon: *d.Person.Lon, Label: "Domicile de " + d.Person.FirstName + " " + d.Person.LastName, Kind: "candidate"})
	}
	for _, it := range d.Items {
		if it.Offer.Located() {
			m.Points = append(m.Points, web.MapPoint{Lat: *it.Offer.Lat, Lon: *it.Offer.Lon, Label: it.Offer.Title + " — " + it.Offer.EmployerName,
				Kind: "offer", Href: "/offres/" + it.Offer.ID})
		}
	}
	return m
}

func (h Web) personOffers(w http.ResponseWriter, r *http.Request) {
	a := web.Actor(r.Context())
	d := personOffersData{Tabs: people.Tabs(r.PathValue("id"), "cv"), Radius: r.URL.Query().Get("rayon")}
	q := MatchQuery{Limit: 50}
	if d.Radius != "" {
		f, err := strconv.ParseFloat(strings.ReplaceAll(d.Radius, ",", "."), 64)
		if err != nil || f <= 0 || f > 200 {
			d.MatchError = "Indiquez un rayon en kilomètres, de 1 à 200."
		}
		q.RadiusKm = f
	}
	if d.MatchError == "" {
		m, err := h.Svc.MatchesForPerson(r.Context(), a, r.PathValue("id"), q)
		switch {
		case err == nil:
		case errs.CodeOf(err) == errs.Conflict || errs.CodeOf(err) == errs.Invalid:
			d.MatchError = errs.MessageOf(err)
		default:
			h.R.Error(w, r, err)
			return
		}
		d.PersonMatches = m
	}
	if d.Person.ID == "" {
		pc, err := h.Svc.GetCV(r.Context(), a, r.PathValue("id"))
		if err != nil {
			h.R.Error(w, r, err)
			return
		}
		d.Person, d.CV = pc.Person, pc.CV
	}
	d.Map = personMap(d.PersonMatches)
	h.R.Render(w, r, http.StatusOK, templates, "templates/person_offers.html",
		web.Page{Title: "Offres pour " + d.Person.FirstName + " " + d.Person.LastName, Data: d})
}

// ---- candidacies ----

func (h Web) propose(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	in := ProposeInput{OfferID: r.PostForm.Get("offer_id"), PersonID: r.PostForm.Get("person_id"), Note: r.PostForm.Get("note")}
	p, err := h.Svc.Propose(r.Context(), web.Actor(r.Context()), in)
	if err == nil {
		web.Redirect(w, r, "/candidatures/"+p.ID, "Candidature proposée.")
		return
	}
	back := r.PostForm.Get("back")
	code := errs.CodeOf(err)
	if !localPath(back) || (code != errs.Conflict && code != errs.Invalid && code != errs.Forbidden) {
		h.R.Error(w, r, summaryOnly(err))
		return
	}
	web.SetFlash(w, "error", errs.MessageOf(summaryOnly(err)))
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// localPath accepts a path of this site only, for redirects a form names.
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.ContainsAny(p, "\\\r\n")
}

type positioningData struct {
	Positioning
	RefusalReasons []Option
	IsEmployer     bool
	// Allowed are the states the actor may move the candidacy to.
	Allowed []Option
}

func (h Web) positioningPage(r *http.Request) (web.Page, error) {
	a := web.Actor(r.Context())
	p, err := h.Svc.GetPositioning(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return web.Page{}, err
	}
	d := positioningData{Positioning: p, RefusalReasons: RefusalReasons, IsEmployer: a.Has(access.RoleEmployer) && a.OrgID == p.EmployerOrgID}
	if d.Allowed, err = h.Svc.AllowedMoves(r.Context(), a, p); err != nil {
		return web.Page{}, err
	}
	return web.Page{Title: "Candidature sur « " + p.OfferTitle + " »", Data: d}, nil
}

func (h Web) showPositioning(w http.ResponseWriter, r *http.Request) {
	p, err := h.positioningPage(r)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.R.Render(w, r, http.StatusOK, templates, "templates/positioning.html", p)
}

func (h Web) move(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	in := MoveInput{State: f.Get("state"), Reason: f.Get("reason"), Note: f.Get("note"), StartDate: f.Get("start_date")}
	a := web.Actor(r.Context())
	p, err := h.Svc.Move(r.Context(), a, r.PathValue("id"), in)
	if err == nil {
		to := "/candidatures/" + p.ID
		if a.Has(access.RoleEmployer) && !p.employerSees() {
			// A refusal ends the employer's access to the candidacy: back to the offer.
			to = "/offres/" + p.OfferID
		}
		web.Redirect(w, r, to, "Candidature : "+strings.ToLower(labelOf(States, in.State))+".")
		return
	}
	page, loadErr := h.positioningPage(r)
	if loadErr != nil {
		h.R.Error(w, r, loadErr)
		return
	}
	h.R.FormPage(w, r, templates, "templates/positioning.html", page, err)
}
