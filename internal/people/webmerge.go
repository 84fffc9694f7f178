package people

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

// registerMerge adds the pages that find duplicate files and merge them.
func (h Web) registerMerge(mux *http.ServeMux) {
	mux.HandleFunc("GET /personnes/doublons", web.RequireUser(h.duplicates))
	mux.HandleFunc("GET /personnes/doublons/fusion", web.RequireUser(h.mergeForm))
	mux.HandleFunc("POST /personnes/doublons/fusion", web.RequireUser(h.merge))
	h.R.AddNav(web.NavItem{Label: "Doublons", Href: "/personnes/doublons",
		Hint: "Repérer les dossiers en double et les fusionner sans rien perdre de leur historique.", Visible: MayMerge})
}

type duplicatesData struct {
	Pairs []DuplicatePair
	Pager web.Pager
}

func (h Web) duplicates(w http.ResponseWriter, r *http.Request) {
	pager := web.NewPager(r, 50)
	pairs, total, err := h.Svc.Duplicates(r.Context(), web.Actor(r.Context()), pager.Limit, pager.Offset)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	pager.Total = total
	h.R.Render(w, r, http.StatusOK, templates, "templates/people_duplicates.html",
		web.Page{Title: "Doublons", Data: duplicatesData{Pairs: pairs, Pager: pager}})
}

// mergeData is the comparison page: A and B in the order the link gave them,
// Keep the one the form keeps.
type mergeData struct {
	A, B         MergeSide
	Rows         []compareRow
	Keep         string
	DifferentNIR bool
}

// compareRow is a line of the side-by-side comparison.
type compareRow struct {
	Label, A, B string
}

func (h Web) mergeForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a, b := q.Get("garder"), q.Get("absorber")
	pv, err := h.Svc.Preview(r.Context(), web.Actor(r.Context()), a, b)
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	h.renderMerge(w, r, pv, a, web.Page{})
}

func (h Web) renderMerge(w http.ResponseWriter, r *http.Request, pv MergePreview, keep string, p web.Page) {
	p.Title = "Fusionner deux dossiers"
	p.Data = mergeData{A: pv.Keep, B: pv.Duplicate, Rows: compareRows(pv.Keep, pv.Duplicate), Keep: keep, DifferentNIR: pv.DifferentNIR}
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	h.R.Render(w, r, status, templates, "templates/people_merge.html", p)
}

// merge merges the file not chosen into the chosen one, and shows the kept file.
func (h Web) merge(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.R.Error(w, r, errs.New(errs.Invalid, "Formulaire illisible."))
		return
	}
	ctx, actor := r.Context(), web.Actor(r.Context())
	a, b, keep := r.PostForm.Get("a"), r.PostForm.Get("b"), r.PostForm.Get("garder")
	dup := ""
	switch keep {
	case a:
		dup = b
	case b:
		dup = a
	}
	var err error
	if dup == "" {
		err = errs.FieldErrors{"garder": "Choisissez le dossier à conserver."}.Err()
	} else {
		_, err = h.Svc.Merge(ctx, actor, keep, dup, r.PostForm.Get("reason"))
	}
	if err == nil {
		web.Redirect(w, r, "/personnes/"+keep, "Dossiers fusionnés : l'historique du dossier absorbé est rattaché à ce dossier.")
		return
	}
	fields := errs.FieldsOf(err)
	if len(fields) == 0 && !errs.Is(err, errs.Conflict) && !errs.Is(err, errs.Invalid) {
		h.R.Error(w, r, err)
		return
	}
	pv, perr := h.Svc.Preview(ctx, actor, a, b)
	if perr != nil {
		h.R.Error(w, r, perr)
		return
	}
	if len(fields) == 0 {
		fields = map[string]string{"": errs.MessageOf(err)}
	}
	h.renderMerge(w, r, pv, keep, web.Page{Form: r.PostForm, Errors: fields, ErrorSummary: errs.MessageOf(err)})
}

// compareRows lays the two files side by side, field by field.
func compareRows(a, b MergeSide) []compareRow {
	pa, pb := a.Person, b.Person
	row := func(label string, f func(Person) string) compareRow { return compareRow{label, f(pa), f(pb)} }
	count := func(label string, f func(HistoryCounts) int) compareRow {
		return compareRow{label, strconv.Itoa(f(a.History)), strconv.Itoa(f(b.History))}
	}
	return []compareRow{
		row("Nom et prénom", func(p Person) string { return p.LastName + " " + p.FirstName }),
		row("Nom de naissance", func(p Person) string { return p.BirthName }),
		row("Date de naissance", func(p Person) string { return dayText(p.BirthDate) }),
		row("Sexe", func(p Person) string { return map[string]string{"1": "Homme", "2": "Femme"}[p.Sex] }),
		row("NIR", func(p Person) string { return p.NIRMasked }),
		row("Matricule CAF/MSA", func(p Person) string { return p.CAFMatricule }),
		row("Identifiant France Travail", func(p Person) string { return p.FTID }),
		row("Adresse", func(p Person) string { return strings.TrimSpace(p.Address + " " + p.PostalCode + " " + p.CommuneName) }),
		row("Téléphone", func(p Person) string { return p.Phone }),
		row("Courriel", func(p Person) string { return p.Email }),
		row("Structure porteuse", func(p Person) string { return p.HoldingOrg }),
		row("Référent", func(p Person) string {
			if p.Referent == nil {
				return ""
			}
			return p.Referent.Name + " (" + p.Referent.OrgName + ")"
		}),
		row("Foyer RSA (flux CAF/MSA)", func(p Person) string {
			if p.RSA == nil {
				return ""
			}
			role := map[string]string{"DEM": "Demandeur", "CJT": "Conjoint", "ENF": "Enfant"}[p.RSA.Role]
			if role == "" {
				role = p.RSA.Role
			}
			return role + " — " + rsaStateName(p.RSA.StateCode)
		}),
		row("Orientation", func(p Person) string {
			if p.Orientation == nil {
				return ""
			}
			return trackText(p.Orientation.Track) + " — " + p.Orientation.OrgName + ", le " + p.Orientation.DecidedOn.Format("02/01/2006")
		}),
		row("Publics déclarés", func(p Person) string {
			var labels []string
			for _, pub := range p.DeclaredPublics {
				labels = append(labels, PublicLabel(pub))
			}
			return strings.Join(labels, ", ")
		}),
		row("Dossier créé le", func(p Person) string { return p.CreatedAt.In(web.Paris).Format("02/01/2006") }),
		count("Membres du groupe de suivi (passés et présents)", func(h HistoryCounts) int { return h.Group }),
		count("Versions du diagnostic", func(h HistoryCounts) int { return h.Diagnostics }),
		count("Orientations", func(h HistoryCounts) int { return h.Orientations }),
		count("Contrats", func(h HistoryCounts) int { return h.Contracts }),
		count("Objectifs et actions du plan", func(h HistoryCounts) int { return h.Plan }),
		count("Étapes du parcours", func(h HistoryCounts) int { return h.Steps }),
		count("Passages en revue de situations", func(h HistoryCounts) int { return h.ReviewItems }),
	}
}

// dayText writes a date as French pages show it, "" when unknown.
func dayText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("02/01/2006")
}

// trackText names an orientation track as the person's page does.
func trackText(track string) string {
	switch track {
	case "professionnel", "social":
		return "Parcours " + track
	}
	return "Parcours socio-professionnel"
}

// rsaStateName names an RSA state code as every page does.
func rsaStateName(code string) string {
	if name, ok := web.Funcs["rsastate"].(func(string) string); ok && name(code) != "" {
		return name(code)
	}
	return "état " + code
}
