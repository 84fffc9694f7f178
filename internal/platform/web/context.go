// Package web is the HTML side of Tremplin: the server, its middleware
// (security headers, cross-origin protection, sessions, metrics), the
// French layout and the helpers that capability handlers use to render
// pages, forms, flashes and errors.
package web

import (
	"context"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
)

type ctxKey int

const (
	actorKey ctxKey = iota
	userKey
	secretKey
)

// WithActor returns a context carrying the acting user.
func WithActor(ctx context.Context, a access.Actor, u auth.User, sessionSecret string) context.Context {
	ctx = context.WithValue(ctx, actorKey, a)
	ctx = context.WithValue(ctx, userKey, u)
	return context.WithValue(ctx, secretKey, sessionSecret)
}

// Actor returns the acting user of a request (zero when anonymous).
func Actor(ctx context.Context) access.Actor {
	a, _ := ctx.Value(actorKey).(access.Actor)
	return a
}

// User returns the signed-in account of a request.
func User(ctx context.Context) auth.User {
	u, _ := ctx.Value(userKey).(auth.User)
	return u
}

// SessionSecret returns the session secret of a request, for logout and organisation switch.
func SessionSecret(ctx context.Context) string {
	s, _ := ctx.Value(secretKey).(string)
	return s
}
