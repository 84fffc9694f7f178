package clauses

import "net/http"

// API serves the insertion-clause endpoints.
type API struct{ Svc *Service }

// Register adds the routes to an API mux.
func (h API) Register(mux *http.ServeMux) {
	h.registerResources(mux)
	h.registerImports(mux)
}
