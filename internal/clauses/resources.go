package clauses

import "net/http"

func (h API) registerResources(mux *http.ServeMux) {}
