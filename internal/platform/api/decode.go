package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"tremplin/internal/platform/errs"
)

// MaxBody bounds a JSON request body: the largest is a diagnostic grid or a step with its detail.
const MaxBody = 256 << 10

// Decode reads a JSON request body into v. Unknown fields are refused so that
// a typo is not silently ignored, and so is anything after the one object.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return errs.New(errs.Invalid, "Corps de requête trop volumineux.")
		case errors.Is(err, io.EOF):
			return errs.New(errs.Invalid, "Corps de requête JSON attendu.")
		}
		return errs.Wrap(errs.Invalid, "Corps de requête JSON invalide (champ inconnu ou type incorrect) : voir le document OpenAPI.", err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return errs.New(errs.Invalid, "Le corps de la requête doit contenir un seul objet JSON.")
	}
	return nil
}
