package clauses

import (
	"embed"
	"net/http"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

// Web serves the insertion-clause pages: operations, markets, declarations,
// participants, progress, reports and imports.
type Web struct {
	Svc *Service
	R   *web.Renderer
}

// Register adds the routes and the navigation entries.
func (h Web) Register(mux *http.ServeMux) {
	h.registerPages(mux)
	h.registerImports(mux)
	h.R.AddNav(web.NavItem{Label: "Clauses d'insertion", Href: "/clauses",
		Hint: "Les opérations et marchés à clause sociale, les heures déclarées, l'avancement et les bilans.", Visible: canSeeClauses})
}

func canSeeClauses(a access.Actor) bool { return !access.ScopeForClauses(a).None }
