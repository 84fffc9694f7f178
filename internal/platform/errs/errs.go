// Package errs defines the domain errors shared by every capability: each
// carries a code mapped to an HTTP status in one place, a message safe to show
// to users, optional field errors for forms, and the cause kept for the logs.
package errs

import (
	"errors"
	"fmt"
	"net/http"
)

// Code classifies an error for users and for the HTTP layer.
type Code string

// The codes an error may carry.
const (
	Invalid         Code = "invalid"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	Unauthorized    Code = "unauthorized"
	Forbidden       Code = "forbidden"
	TooManyRequests Code = "too_many_requests"
	Internal        Code = "internal"
)

// Error is a domain error: Code and Message are safe to show, Cause is for logs.
type Error struct {
	Code    Code
	Message string
	// Fields maps a form field name to its error message (French).
	Fields map[string]string
	Cause  error
}

// Error returns the safe message followed by the cause, for logs.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap gives access to the cause.
func (e *Error) Unwrap() error { return e.Cause }

// New builds an error with a code and a safe message.
func New(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Wrap builds an error with a code and a safe message around a cause kept for logs.
func Wrap(code Code, msg string, cause error) *Error {
	return &Error{Code: code, Message: msg, Cause: cause}
}

// Newf builds an error with a formatted safe message.
func Newf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrors collects validation errors on named fields.
type FieldErrors map[string]string

// Add records a message for a field, keeping the first one.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when there is no field error, else an Invalid error listing them.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "Le formulaire contient des erreurs.", Fields: f}
}

// CodeOf returns the code of err, Internal for an unknown error and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

// MessageOf returns the safe message of err; unknown errors get a generic text.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return "Une erreur interne est survenue. L'équipe technique a été prévenue."
}

// FieldsOf returns the field errors carried by err, if any.
func FieldsOf(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// HTTPStatus maps an error to its HTTP status: the only place doing so.
func HTTPStatus(err error) int {
	switch CodeOf(err) {
	case Invalid:
		return http.StatusUnprocessableEntity
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case Unauthorized:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case TooManyRequests:
		return http.StatusTooManyRequests
	case "":
		return http.StatusOK
	default:
		return http.StatusInternalServerError
	}
}
