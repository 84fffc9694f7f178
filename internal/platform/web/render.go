package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Paris even without a system zone database

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/errs"
)

//go:embed templates/*.html
var layoutFS embed.FS

//go:embed static
var staticFS embed.FS

// Static returns the embedded static assets (CSS, icons, scripts).
func Static() fs.FS {
	sub, _ := fs.Sub(staticFS, "static")
	return sub
}

// NavItem is an entry of the main navigation, shown to the roles it suits.
type NavItem struct {
	Label string
	Href  string
	// Hint says on the home page what the space is for.
	Hint    string
	Visible func(access.Actor) bool
}

// Tab is one page of an object whose pages share a sub-navigation.
type Tab struct {
	Key, Label, Href string
	Current          bool
}

// Renderer renders pages inside the shared layout.
type Renderer struct {
	mu    sync.Mutex
	cache map[string]*template.Template
	nav   []NavItem
	tiles MapTiles
}

// NewRenderer returns a renderer with the given main navigation.
func NewRenderer() *Renderer { return &Renderer{cache: map[string]*template.Template{}} }

// AddNav appends entries to the main navigation, once per address.
func (r *Renderer) AddNav(items ...NavItem) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, it := range items {
		if !slices.ContainsFunc(r.nav, func(n NavItem) bool { return n.Href == it.Href }) {
			r.nav = append(r.nav, it)
		}
	}
}

// OrderNav puts the navigation in the order of hrefs, the entries it does
// not name after them in the order they were added: the application decides
// how the spaces of the capabilities read together.
func (r *Renderer) OrderNav(hrefs ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rank := func(n NavItem) int {
		if i := slices.Index(hrefs, n.Href); i >= 0 {
			return i
		}
		return len(hrefs)
	}
	slices.SortStableFunc(r.nav, func(a, b NavItem) int { return rank(a) - rank(b) })
}

// Nav returns the navigation entries the actor may use.
func (r *Renderer) Nav(a access.Actor) []NavItem {
	var out []NavItem
	for _, n := range r.nav {
		if n.Visible == nil || n.Visible(a) {
			out = append(out, n)
		}
	}
	return out
}

// Funcs are the template helpers every page may use.
var Funcs = template.FuncMap{
	"date":     func(t any) string { return formatTime(t, "02/01/2006") },
	"datetime": func(t any) string { return formatTime(t, "02/01/2006 15:04") },
	"rolelabel": func(r access.Role) string {
		return access.RoleLabel(r)
	},
	"add": func(a, b int) int { return a + b },
	"query": func(base url.Values, key string, value any) string {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		v.Set(key, fmt.Sprint(value))
		return "?" + v.Encode()
	},
	"num": formatInt,
	// rsastate names an ETATDOSRSA code of the CAF/MSA flow.
	"rsastate": func(code string) string {
		return map[string]string{"0": "Demande en attente", "1": "Refusé", "2": "Droit ouvert et versable", "3": "Droit ouvert et suspendu",
			"4": "Droit ouvert, versement suspendu", "5": "Clos", "6": "Clos le mois précédent"}[code]
	},
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"mapjson": mapJSON,
}

// Paris is the zone times are shown in; the embedded zone database makes it
// available in a static binary on a machine without one.
var Paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func formatTime(t any, layout string) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.In(Paris).Format(layout)
	case *time.Time:
		if v == nil || v.IsZero() {
			return ""
		}
		return v.In(Paris).Format(layout)
	}
	return ""
}

// formatInt writes an integer with French thousands separators (narrow no-break space).
func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// template returns the layout combined with a page template from fsys.
func (r *Renderer) template(fsys fs.FS, name string) (*template.Template, error) {
	// Page template names are unique across capabilities (people_list.html…).
	key := name
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.cache[key]; ok {
		return t, nil
	}
	t, err := template.New("layout.html").Funcs(Funcs).ParseFS(layoutFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	if fsys != nil {
		if t, err = t.ParseFS(fsys, name); err != nil {
			return nil, err
		}
	}
	r.cache[key] = t
	return t, nil
}

// Page is what every template receives.
type Page struct {
	Title  string
	Actor  access.Actor
	User   auth.User
	Nav    []NavItem
	Path   string
	Flash  *Flash
	Form   url.Values
	Errors map[string]string
	// ErrorSummary is shown above a form when Errors is not empty.
	ErrorSummary string
	Data         any
	Query        url.Values
	// Map is the tile server of maps, for the "map" partial (templates/map.html).
	Map MapTiles
}

// Render writes a page from fsys inside the layout with the given status.
func (r *Renderer) Render(w http.ResponseWriter, req *http.Request, status int, fsys fs.FS, name string, p Page) {
	t, err := r.template(fsys, name)
	if err != nil {
		slog.Error("template", "name", name, "err", err)
		http.Error(w, "Erreur interne", http.StatusInternalServerError)
		return
	}
	p.Actor, p.User, p.Path, p.Query = Actor(req.Context()), User(req.Context()), req.URL.Path, req.URL.Query()
	p.Nav = r.Nav(p.Actor)
	p.Map = r.tiles
	if p.Flash == nil {
		p.Flash = TakeFlash(w, req)
	}
	if len(p.Errors) > 0 && p.ErrorSummary == "" {
		p.ErrorSummary = "Le formulaire contient des erreurs :"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		slog.Error("render", "name", name, "err", err)
		http.Error(w, "Erreur interne", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// Error renders err as an HTML page with the status its code maps to; an
// internal error is logged with its cause and shown with a generic message.
func (r *Renderer) Error(w http.ResponseWriter, req *http.Request, err error) {
	status := errs.HTTPStatus(err)
	if status == http.StatusUnauthorized {
		RedirectToLogin(w, req)
		return
	}
	if status >= 500 {
		slog.Error("request failed", "method", req.Method, "path", req.URL.Path, "err", err)
	}
	title := map[int]string{404: "Page introuvable", 403: "Accès refusé", 429: "Trop de requêtes", 409: "Conflit", 422: "Données invalides"}[status]
	if title == "" {
		title = "Erreur"
	}
	r.Render(w, req, status, nil, "", Page{Title: title, Data: errs.MessageOf(err)})
}

// RedirectToLogin sends the browser to the login page, coming back to the page asked for.
func RedirectToLogin(w http.ResponseWriter, req *http.Request) {
	next := req.URL.RequestURI()
	if req.Method != http.MethodGet {
		next = "/"
	}
	http.Redirect(w, req, "/connexion?suivant="+url.QueryEscape(next), http.StatusSeeOther)
}

// FormPage renders a form page again with the field errors carried by err,
// or the error page when err is not about the form.
func (r *Renderer) FormPage(w http.ResponseWriter, req *http.Request, fsys fs.FS, name string, p Page, err error) {
	fields := errs.FieldsOf(err)
	if len(fields) == 0 && errs.CodeOf(err) != errs.Invalid && errs.CodeOf(err) != errs.Conflict && errs.CodeOf(err) != errs.Forbidden {
		r.Error(w, req, err)
		return
	}
	p.Errors = fields
	if len(fields) == 0 {
		p.Errors = map[string]string{"": errs.MessageOf(err)}
	}
	p.ErrorSummary = errs.MessageOf(err)
	if p.Form == nil {
		p.Form = req.PostForm
	}
	r.Render(w, req, errs.HTTPStatus(err), fsys, name, p)
}

// Pager describes a page of a listing.
type Pager struct {
	Total, Limit, Offset int
}

// NewPager reads offset from the query and bounds it.
func NewPager(req *http.Request, limit int) Pager {
	off, _ := strconv.Atoi(req.URL.Query().Get("offset"))
	return Pager{Limit: limit, Offset: max(off, 0)}
}

// From is the 1-based index of the first row shown.
func (p Pager) From() int { return min(p.Offset+1, p.Total) }

// To is the index of the last row shown.
func (p Pager) To() int { return min(p.Offset+p.Limit, p.Total) }

// HasPrev reports whether an earlier page exists.
func (p Pager) HasPrev() bool { return p.Offset > 0 }

// HasNext reports whether a later page exists.
func (p Pager) HasNext() bool { return p.Offset+p.Limit < p.Total }

// Prev is the offset of the previous page.
func (p Pager) Prev() int { return max(p.Offset-p.Limit, 0) }

// Next is the offset of the next page.
func (p Pager) Next() int { return p.Offset + p.Limit }
