package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"

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
		var wrongType *json.UnmarshalTypeError
		if errors.As(err, &wrongType) && wrongType.Field != "" {
			fe := errs.FieldErrors{}
			fe.Add(wrongType.Field, expected(wrongType.Type))
			return fe.Err()
		}
		return errs.Wrap(errs.Invalid, "Corps de requête JSON invalide (champ inconnu ou type incorrect) : voir le document OpenAPI.", err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return errs.New(errs.Invalid, "Le corps de la requête doit contenir un seul objet JSON.")
	}
	return nil
}

// expected says in French what kind of JSON value a field takes.
func expected(t reflect.Type) string {
	if t == nil {
		return "Valeur invalide : voir le document OpenAPI."
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16,
		reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "Nombre attendu."
	case reflect.String:
		return "Texte attendu."
	case reflect.Bool:
		return "Booléen attendu (true ou false)."
	case reflect.Slice, reflect.Array:
		return "Liste attendue."
	}
	return "Objet attendu : voir le document OpenAPI."
}
