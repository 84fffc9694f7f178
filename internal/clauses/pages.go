package clauses

import "net/http"

func (h Web) registerPages(mux *http.ServeMux) {}
