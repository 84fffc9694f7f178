// Package api holds the JSON side of Tremplin under /api/v1: bearer-token
// authentication, the error envelope, list pagination and the OpenAPI
// document that tests check real responses against.
package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/errs"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 document of the API.
func OpenAPI() []byte { return openAPI }

type ctxKey struct{}

// Actor returns the actor of an authenticated API request.
func Actor(ctx context.Context) access.Actor {
	a, _ := ctx.Value(ctxKey{}).(access.Actor)
	return a
}

// WithActor returns a context carrying the actor, for tests of handlers.
func WithActor(ctx context.Context, a access.Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// Bearer authenticates API requests with a token; it answers 401 when the token is missing or wrong.
func Bearer(svc *auth.Service, clientIP func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || secret == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tremplin"`)
			Error(w, errs.New(errs.Unauthorized, "Jeton d'API requis : en-tête Authorization: Bearer <jeton>."))
			return
		}
		a, err := svc.TokenActor(r.Context(), strings.TrimSpace(secret), clientIP(r))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tremplin", error="invalid_token"`)
			Error(w, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r.WithContext(WithActor(r.Context(), a)))
	})
}

// JSON writes v with the status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Error("encode JSON response", "err", err)
	}
}

// ErrorBody is the error envelope of every failed API call.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the code and safe message of an error, with field errors if any.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Error writes err in the envelope with the status its code maps to.
func Error(w http.ResponseWriter, err error) {
	status := errs.HTTPStatus(err)
	if status >= 500 {
		slog.Error("api request failed", "err", err)
	}
	JSON(w, status, ErrorBody{Error: ErrorDetail{Code: string(errs.CodeOf(err)), Message: errs.MessageOf(err), Fields: errs.FieldsOf(err)}})
}

// List is the envelope of list endpoints.
type List[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// WriteList answers a list endpoint: the items converted for JSON, and the total.
func WriteList[T, J any](w http.ResponseWriter, items []T, total int, convert func(T) J) {
	out := List[J]{Items: make([]J, 0, len(items)), Total: total}
	for _, it := range items {
		out.Items = append(out.Items, convert(it))
	}
	JSON(w, http.StatusOK, out)
}

// MaxLimit bounds the page size of list endpoints.
const MaxLimit = 500

// Page reads limit (default 50, at most MaxLimit) and offset from the query.
func Page(r *http.Request) (limit, offset int, err error) {
	limit, offset = 50, 0
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, convErr := strconv.Atoi(v)
		if convErr != nil || n < 1 || n > MaxLimit {
			return 0, 0, &errs.Error{Code: errs.Invalid, Message: "limit doit être un entier entre 1 et 500.", Fields: map[string]string{"limit": "entier entre 1 et 500"}}
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, convErr := strconv.Atoi(v)
		if convErr != nil || n < 0 {
			return 0, 0, &errs.Error{Code: errs.Invalid, Message: "offset doit être un entier positif ou nul.", Fields: map[string]string{"offset": "entier positif ou nul"}}
		}
		offset = n
	}
	return limit, offset, nil
}

// NotFound answers unknown API paths in the envelope.
func NotFound(w http.ResponseWriter, _ *http.Request) {
	Error(w, errs.New(errs.NotFound, "Ressource introuvable."))
}
