package jobs

import (
	"bytes"
	"embed"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/api"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/geo"
	"tremplin/internal/platform/tabular"
	"tremplin/internal/platform/web"
)

//go:embed templates/campaign_*.html
var campaignTemplates embed.FS

// campaignMaxUpload bounds an uploaded table of sites, candidates or exclusions.
const campaignMaxUpload = 10 << 20

// campaignPageLines is the number of candidates a page of the plan shows.
const campaignPageLines = 200

// CampaignWeb serves the mass-recruitment pages.
type CampaignWeb struct {
	Svc *Campaigns
	R   *web.Renderer
}

// SeesCampaigns reports whether the navigation offers mass recruitment to
// the actor: those who may start a campaign, and the département's managers.
func SeesCampaigns(a access.Actor) bool {
	return access.CanCreateCampaign(a) || access.IsDeptManager(a)
}

// Register adds the routes and the navigation entry.
func (h CampaignWeb) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /recrutements", web.RequireUser(h.list))
	mux.HandleFunc("POST /recrutements", web.RequireUser(h.create))
	mux.HandleFunc("GET /recrutements/{id}", web.RequireUser(h.show))
	mux.HandleFunc("POST /recrutements/{id}/parametres", web.RequireUser(h.update))
	mux.HandleFunc("POST /recrutements/{id}/sites", web.RequireUser(h.addSite))
	mux.HandleFunc("POST /recrutements/{id}/sites/import", web.RequireUser(h.importSites))
	mux.HandleFunc("POST /recrutements/{id}/sites/{site}/suppression", web.RequireUser(h.removeSite))
	mux.HandleFunc("POST /recrutements/{id}/candidats", web.RequireUser(h.addCandidate))
	mux.HandleFunc("POST /recrutements/{id}/candidats/import", web.RequireUser(h.importCandidates))
	mux.HandleFunc("GET /recrutements/{id}/candidats/{cand}", web.RequireUser(h.line))
	mux.HandleFunc("POST /recrutements/{id}/candidats/{cand}/suppression", web.RequireUser(h.removeCandidate))
	mux.HandleFunc("POST /recrutements/{id}/candidats/{cand}/affectation", web.RequireUser(h.override))
	mux.HandleFunc("POST /recrutements/{id}/candidats/{cand}/affectation/annulation", web.RequireUser(h.removeOverride))
	mux.HandleFunc("POST /recrutements/{id}/exclusions", web.RequireUser(h.addExclusion))
	mux.HandleFunc("POST /recrutements/{id}/exclusions/import", web.RequireUser(h.importExclusions))
	mux.HandleFunc("POST /recrutements/{id}/exclusions/suppression", web.RequireUser(h.removeExclusion))
	mux.HandleFunc("POST /recrutements/{id}/calcul", web.RequireUser(h.solve))
	mux.HandleFunc("GET /recrutements/{id}/plan.csv", web.RequireUser(h.exportCSV))
	mux.HandleFunc("GET /recrutements/{id}/plan.json", web.RequireUser(h.planJSON))
	mux.HandleFunc("GET /recrutements/{id}/carte.json", web.RequireUser(h.mapJSON))
	h.R.AddNav(web.NavItem{Label: "Recrutements de masse", Href: "/recrutements",
		Hint:    "Affecter des candidats à des sites (collèges, agences…) au plus près de chez eux, en plaçant le plus de monde possible.",
		Visible: SeesCampaigns})
}

type campaignListData struct {
	Campaigns []Campaign
	Pager     web.Pager
	CanCreate bool
}

func (h CampaignWeb) list(w http.ResponseWriter, r *http.Request) {
	h.renderList(w, r, nil)
}

// renderList renders the list with the creation form, and its errors after a failed creation.
func (h CampaignWeb) renderList(w http.ResponseWriter, r *http.Request, formErr error) {
	a := web.Actor(r.Context())
	pager := web.NewPager(r, 50)
	list, total, err := h.Svc.List(r.Context(), a, CampaignFilter{Limit: pager.Limit, Offset: pager.Offset})
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	pager.Total = total
	page := web.Page{Title: "Recrutements de masse", Data: campaignListData{Campaigns: list, Pager: pager, CanCreate: access.CanCreateCampaign(a)}}
	if formErr != nil {
		h.R.FormPage(w, r, campaignTemplates, "templates/campaign_list.html", page, formErr)
		return
	}
	h.R.Render(w, r, http.StatusOK, campaignTemplates, "templates/campaign_list.html", page)
}

func campaignInputOf(f url.Values) CampaignInput {
	return CampaignInput{Title: f.Get("title"), JobTitle: f.Get("job_title"), ROME: f.Get("rome"), MaxKm: f.Get("max_km")}
}

func (h CampaignWeb) create(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	c, err := h.Svc.Create(r.Context(), web.Actor(r.Context()), campaignInputOf(r.PostForm))
	if err != nil {
		h.renderList(w, r, err)
		return
	}
	web.Redirect(w, r, "/recrutements/"+c.ID, "Campagne créée : ajoutez les sites et les candidats.")
}

type campaignShowData struct {
	Plan     CampaignPlan
	CanWrite bool
	// Lines is the page of the plan shown, Pager its position.
	Lines []CampaignPlanLine
	Pager web.Pager
	// Search and Found are a search of the registry for a person to add.
	Search string
	Found  []people.Person
	// Faults lists the lines of an upload refused whole.
	Faults *CampaignImportError
}

func (h CampaignWeb) show(w http.ResponseWriter, r *http.Request) {
	h.renderShow(w, r, nil)
}

// renderShow renders a campaign's page, with the errors of a form posted to it when formErr is set.
func (h CampaignWeb) renderShow(w http.ResponseWriter, r *http.Request, formErr error) {
	ctx, a := r.Context(), web.Actor(r.Context())
	p, err := h.Svc.Get(ctx, a, r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	pager := web.NewPager(r, campaignPageLines)
	pager.Total = len(p.Lines)
	pager.Offset = min(pager.Offset, max(0, pager.Total-1))
	data := campaignShowData{Plan: p, CanWrite: CanWriteCampaign(a, p.Campaign), Pager: pager,
		Lines: p.Lines[pager.Offset:min(pager.Offset+pager.Limit, len(p.Lines))]}
	data.Faults, _ = CampaignImportFaults(formErr)
	if data.CanWrite {
		data.Search = strings.TrimSpace(r.URL.Query().Get("q"))
		if data.Search != "" {
			if data.Found, _, err = h.Svc.people.List(ctx, a, people.Filter{Query: data.Search, Limit: 20}); err != nil {
				h.R.Error(w, r, err)
				return
			}
		}
	}
	form := url.Values{"title": {p.Campaign.Title}, "job_title": {p.Campaign.JobTitle}, "rome": {p.Campaign.ROME}}
	if p.Campaign.MaxKm > 0 {
		form.Set("max_km", campaignDecimal(p.Campaign.MaxKm, 1))
	}
	for k, v := range r.PostForm {
		form[k] = v
	}
	page := web.Page{Title: p.Campaign.Title, Data: data, Form: form}
	if formErr != nil {
		h.R.FormPage(w, r, campaignTemplates, "templates/campaign_show.html", page, formErr)
		return
	}
	h.R.Render(w, r, http.StatusOK, campaignTemplates, "templates/campaign_show.html", page)
}

// campaignPrefixed renames the fields of a form error, for a page showing
// several forms whose fields share names.
func campaignPrefixed(err error, prefix string) error {
	fields := errs.FieldsOf(err)
	if len(fields) == 0 {
		return err
	}
	renamed := errs.FieldErrors{}
	for k, v := range fields {
		renamed[prefix+k] = v
	}
	return renamed.Err()
}

// campaignURL is the address of the campaign's page, at an anchor.
func campaignURL(r *http.Request, anchor string) string {
	return "/recrutements/" + r.PathValue("id") + anchor
}

func (h CampaignWeb) update(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if _, err := h.Svc.Update(r.Context(), web.Actor(r.Context()), r.PathValue("id"), campaignInputOf(r.PostForm)); err != nil {
		h.renderShow(w, r, err)
		return
	}
	web.Redirect(w, r, campaignURL(r, "#parametres"), "Paramètres enregistrés.")
}

func (h CampaignWeb) addSite(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	site, err := h.Svc.AddSite(r.Context(), web.Actor(r.Context()), r.PathValue("id"), CampaignSiteInput{Name: f.Get("site_nom"),
		Commune: f.Get("site_commune"), Address: f.Get("site_adresse"), Latitude: f.Get("site_latitude"), Longitude: f.Get("site_longitude"),
		Capacity: f.Get("site_capacite")})
	if err != nil {
		h.renderShow(w, r, campaignPrefixed(err, "site_"))
		return
	}
	web.Redirect(w, r, campaignURL(r, "#sites"), "Site « "+site.Name+" » ajouté.")
}

func (h CampaignWeb) addCandidate(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	c, err := h.Svc.AddCandidate(r.Context(), web.Actor(r.Context()), r.PathValue("id"), CampaignCandidateInput{PersonID: f.Get("cand_personne"),
		Name: f.Get("cand_nom"), Commune: f.Get("cand_commune"), Address: f.Get("cand_adresse"), Latitude: f.Get("cand_latitude"),
		Longitude: f.Get("cand_longitude")})
	if err != nil {
		h.renderShow(w, r, campaignPrefixed(err, "cand_"))
		return
	}
	web.Redirect(w, r, campaignURL(r, "#candidats"), campaignLinkedLabel(c.Number)+" ajouté.")
}

// upload opens the table posted in field, or returns an error on that field.
func campaignUpload(w http.ResponseWriter, r *http.Request, field string) (*tabular.Table, error) {
	r.Body = http.MaxBytesReader(w, r.Body, campaignMaxUpload)
	file, hdr, err := r.FormFile(field)
	if err != nil {
		return nil, errs.FieldErrors{field: "Choisissez un fichier CSV ou XLSX (10 Mo au plus)."}.Err()
	}
	defer file.Close()
	content, err := io.ReadAll(file)
	if err != nil {
		return nil, errs.FieldErrors{field: "Le fichier n'a pas pu être lu."}.Err()
	}
	t, err := tabular.Open(bytes.NewReader(content), int64(len(content)), hdr.Filename)
	if err != nil {
		return nil, errs.FieldErrors{field: errs.MessageOf(err)}.Err()
	}
	return t, nil
}

// importTable runs an import of the table posted in field and redirects to anchor.
func (h CampaignWeb) importTable(w http.ResponseWriter, r *http.Request, field, anchor, done string,
	run func(a access.Actor, id string, t *tabular.Table) (int, error)) {
	t, err := campaignUpload(w, r, field)
	if err == nil {
		var n int
		if n, err = run(web.Actor(r.Context()), r.PathValue("id"), t); err == nil {
			web.Redirect(w, r, campaignURL(r, anchor), strings.Replace(done, "%d", campaignItoa(n), 1))
			return
		}
	}
	h.renderShow(w, r, err)
}

func (h CampaignWeb) importSites(w http.ResponseWriter, r *http.Request) {
	h.importTable(w, r, "fichier_sites", "#sites", "%d site(s) importé(s).", func(a access.Actor, id string, t *tabular.Table) (int, error) {
		return h.Svc.ImportSites(r.Context(), a, id, t)
	})
}

func (h CampaignWeb) importCandidates(w http.ResponseWriter, r *http.Request) {
	h.importTable(w, r, "fichier_candidats", "#candidats", "%d candidat(s) importé(s).", func(a access.Actor, id string, t *tabular.Table) (int, error) {
		return h.Svc.ImportCandidates(r.Context(), a, id, t)
	})
}

func (h CampaignWeb) importExclusions(w http.ResponseWriter, r *http.Request) {
	h.importTable(w, r, "fichier_exclusions", "#exclusions", "%d exclusion(s) importée(s).", func(a access.Actor, id string, t *tabular.Table) (int, error) {
		return h.Svc.ImportExclusions(r.Context(), a, id, t)
	})
}

func (h CampaignWeb) removeSite(w http.ResponseWriter, r *http.Request) {
	if err := h.Svc.RemoveSite(r.Context(), web.Actor(r.Context()), r.PathValue("id"), r.PathValue("site")); err != nil {
		h.renderShow(w, r, err)
		return
	}
	web.Redirect(w, r, campaignURL(r, "#sites"), "Site retiré de la campagne.")
}

func (h CampaignWeb) removeCandidate(w http.ResponseWriter, r *http.Request) {
	if err := h.Svc.RemoveCandidate(r.Context(), web.Actor(r.Context()), r.PathValue("id"), r.PathValue("cand")); err != nil {
		h.renderShow(w, r, err)
		return
	}
	web.Redirect(w, r, campaignURL(r, "#candidats"), "Candidat retiré de la campagne.")
}

func (h CampaignWeb) addExclusion(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	err := h.Svc.AddExclusion(r.Context(), web.Actor(r.Context()), r.PathValue("id"), r.PostForm.Get("excl_candidat"), r.PostForm.Get("excl_site"))
	if err != nil {
		h.renderShow(w, r, campaignPrefixed(err, "excl_"))
		return
	}
	web.Redirect(w, r, campaignURL(r, "#exclusions"), "Exclusion enregistrée : recalculez l'affectation.")
}

func (h CampaignWeb) removeExclusion(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	err := h.Svc.RemoveExclusion(r.Context(), web.Actor(r.Context()), r.PathValue("id"), r.PostForm.Get("candidate_id"), r.PostForm.Get("site_id"))
	if err != nil {
		h.renderShow(w, r, err)
		return
	}
	web.Redirect(w, r, campaignURL(r, "#exclusions"), "Exclusion retirée : recalculez l'affectation.")
}

func (h CampaignWeb) solve(w http.ResponseWriter, r *http.Request) {
	p, err := h.Svc.Solve(r.Context(), web.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		h.renderShow(w, r, err)
		return
	}
	msg := "Affectation calculée : " + campaignItoa(p.Totals.Placed) + " candidat(s) placé(s)"
	if n := p.Totals.Unplaced; n > 0 {
		msg += ", " + campaignItoa(n) + " sans site"
	}
	web.Redirect(w, r, campaignURL(r, "#affectation"), msg+".")
}

// campaignChoice is a site offered when a line is changed by hand.
type campaignChoice struct {
	Site         CampaignSite
	DistanceText string
	// Free counts the places left with the candidate set aside.
	Free     int
	Excluded bool
	Current  bool
}

type campaignLineData struct {
	Plan     CampaignPlan
	Line     CampaignPlanLine
	Choices  []campaignChoice
	CanWrite bool
}

func (h CampaignWeb) line(w http.ResponseWriter, r *http.Request) {
	h.renderLine(w, r, nil)
}

// renderLine renders the page where a person changes one line of the plan.
func (h CampaignWeb) renderLine(w http.ResponseWriter, r *http.Request, formErr error) {
	a := web.Actor(r.Context())
	p, err := h.Svc.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	i := slices.IndexFunc(p.Lines, func(l CampaignPlanLine) bool { return l.Candidate.ID == r.PathValue("cand") })
	if i < 0 {
		h.R.Error(w, r, errCampaignCandidateNotFound)
		return
	}
	l := p.Lines[i]
	data := campaignLineData{Plan: p, Line: l, Choices: campaignChoices(p, l), CanWrite: CanWriteCampaign(a, p.Campaign)}
	form := url.Values{"site_id": {"aucun"}}
	if l.Site != nil {
		form.Set("site_id", l.Site.ID)
	}
	for k, v := range r.PostForm {
		form[k] = v
	}
	page := web.Page{Title: l.Candidate.Name + " – " + p.Campaign.Title, Data: data, Form: form}
	if formErr != nil {
		h.R.FormPage(w, r, campaignTemplates, "templates/campaign_line.html", page, formErr)
		return
	}
	h.R.Render(w, r, http.StatusOK, campaignTemplates, "templates/campaign_line.html", page)
}

// campaignChoices lists the sites by distance from the candidate.
func campaignChoices(p CampaignPlan, l CampaignPlanLine) []campaignChoice {
	excluded := map[string]bool{}
	for _, e := range p.Exclusions {
		if e.CandidateID == l.Candidate.ID {
			excluded[e.SiteID] = true
		}
	}
	out := make([]campaignChoice, 0, len(p.Sites))
	dist := map[string]float64{}
	for _, s := range p.Sites {
		ch := campaignChoice{Site: s, Free: s.Free(), Excluded: excluded[s.ID], Current: l.Site != nil && l.Site.ID == s.ID}
		if ch.Current {
			ch.Free++
		}
		if l.Candidate.Located() && s.Located() {
			d := geo.Distance(campaignPoint(l.Candidate.Lat, l.Candidate.Lon), campaignPoint(s.Lat, s.Lon))
			dist[s.ID], ch.DistanceText = d, campaignKm(d)
		}
		out = append(out, ch)
	}
	slices.SortStableFunc(out, func(a, b campaignChoice) int {
		switch da, db := dist[a.Site.ID], dist[b.Site.ID]; {
		case da < db:
			return -1
		case da > db:
			return 1
		}
		return 0
	})
	return out
}

func (h CampaignWeb) override(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	site := r.PostForm.Get("site_id")
	if site == "aucun" {
		site = ""
	}
	_, err := h.Svc.Override(r.Context(), web.Actor(r.Context()), r.PathValue("id"), r.PathValue("cand"), site, r.PostForm.Get("reason"))
	if err != nil {
		h.renderLine(w, r, err)
		return
	}
	web.Redirect(w, r, campaignURL(r, "#affectation"), "Ligne modifiée à la main : elle sera gardée telle quelle aux prochains calculs.")
}

func (h CampaignWeb) removeOverride(w http.ResponseWriter, r *http.Request) {
	if err := h.Svc.RemoveOverride(r.Context(), web.Actor(r.Context()), r.PathValue("id"), r.PathValue("cand")); err != nil {
		h.renderLine(w, r, err)
		return
	}
	web.Redirect(w, r, campaignURL(r, "#affectation"), "Modification annulée : recalculez l'affectation pour placer ce candidat.")
}

func (h CampaignWeb) exportCSV(w http.ResponseWriter, r *http.Request) {
	p, err := h.Svc.Export(r.Context(), web.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := WriteCampaignPlanCSV(&buf, p); err != nil {
		h.R.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="affectation-`+p.Campaign.ID[:8]+`.csv"`)
	buf.WriteTo(w)
}

func (h CampaignWeb) planJSON(w http.ResponseWriter, r *http.Request) {
	p, err := h.Svc.Get(r.Context(), web.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, CampaignPlanToJSON(p))
}

func campaignItoa(n int) string { return campaignDecimal(float64(n), 0) }

// campaignMap draws a plan: the sites, the candidates the reader may place
// on a map, and a line from each placed candidate to its site.
func campaignMap(p CampaignPlanJSON) web.MapData {
	m := web.MapData{Points: []web.MapPoint{}}
	sites := map[string][2]float64{}
	for _, s := range p.Sites {
		if s.Lat == nil || s.Lon == nil {
			continue
		}
		sites[s.ID] = [2]float64{*s.Lat, *s.Lon}
		m.Points = append(m.Points, web.MapPoint{Lat: *s.Lat, Lon: *s.Lon, Kind: "site",
			Label: s.Name + " : " + campaignItoa(s.Assigned) + " / " + campaignItoa(s.Capacity) + " places"})
	}
	for _, l := range p.Lines {
		if l.Lat == nil || l.Lon == nil {
			continue
		}
		m.Points = append(m.Points, web.MapPoint{Lat: *l.Lat, Lon: *l.Lon, Kind: "candidate", Label: l.Candidate})
		if l.SiteID == nil {
			continue
		}
		if to, ok := sites[*l.SiteID]; ok {
			m.Lines = append(m.Lines, web.MapLine{From: [2]float64{*l.Lat, *l.Lon}, To: to})
		}
	}
	return m
}

func (h CampaignWeb) mapJSON(w http.ResponseWriter, r *http.Request) {
	p, err := h.Svc.Get(r.Context(), web.Actor(r.Context()), r.PathValue("id"))
	if err != nil {
		api.Error(w, err)
		return
	}
	api.JSON(w, http.StatusOK, campaignMap(CampaignPlanToJSON(p)))
}
