package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/errs"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "tremplin_session"

// SecurityHeaders sets the headers every response carries; hsts adds
// Strict-Transport-Security when the site is served over HTTPS. imgSources
// are the other hosts images may come from (the map tile server, see
// TileSource); empty ones are skipped.
func SecurityHeaders(hsts bool, next http.Handler, imgSources ...string) http.Handler {
	csp := ContentSecurityPolicy(imgSources...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// ContentSecurityPolicy returns the policy of every response: this site's own
// scripts, styles and images only, plus images from imgSources.
func ContentSecurityPolicy(imgSources ...string) string {
	img := "'self' data:"
	for _, s := range imgSources {
		if s != "" && !strings.ContainsAny(s, " ;,") {
			img += " " + s
		}
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + img + "; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

// CrossOrigin refuses cross-origin state-changing requests with 403.
func CrossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Requête d'une autre origine refusée.", http.StatusForbidden)
	}))
	return cop.Handler(next)
}

// Recover turns a panic into a logged 500.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				slog.Error("panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, "Erreur interne", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter records the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// routeHolder receives the pattern of the innermost mux that served a request:
// middleware hands muxes copies of the request, so Observe cannot read it from its own.
type routeHolder struct{ pattern string }

type routeKey struct{}

// RecordRoute wraps a mux so that Observe learns the pattern it matched.
func RecordRoute(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		// ServeMux sets Pattern on the request it was given; the innermost mux finishes first and wins.
		if h, ok := r.Context().Value(routeKey{}).(*routeHolder); ok && h.pattern == "" {
			h.pattern = r.Pattern
		}
	})
}

// Observe logs each request (method, route pattern, status, duration: never
// query strings, which may hold names) and feeds the metrics.
func Observe(m *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		holder := &routeHolder{}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, holder)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := holder.pattern
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		m.ObserveRequest(route, sw.status, d)
		slog.Debug("request", "method", r.Method, "route", route, "status", sw.status, "ms", d.Milliseconds())
	})
}

// ClientIP returns the address of the client, from X-Forwarded-For when a
// trusted proxy sets it.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		// The trusted proxy appends the address it saw: the last entry. Earlier
		// ones come from the client and may be forged.
		fwd := r.Header.Values("X-Forwarded-For")
		if len(fwd) > 0 {
			parts := strings.Split(fwd[len(fwd)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Sessions loads the session of the request, if any, into its context.
type Sessions struct {
	Auth       *auth.Service
	TrustProxy bool
	Secure     bool
}

// Load attaches the signed-in actor to the request when the cookie holds a live session.
func (s Sessions) Load(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(SessionCookie)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		a, u, err := s.Auth.SessionActor(r.Context(), c.Value, ClientIP(r, s.TrustProxy))
		if err != nil {
			if errs.CodeOf(err) != errs.Unauthorized {
				slog.Error("load session", "err", err)
			}
			s.Clear(w)
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithActor(r.Context(), a, u, c.Value)))
	})
}

// Set writes the session cookie.
func (s Sessions) Set(w http.ResponseWriter, r *http.Request, secret string) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.Secure || r.TLS != nil || (s.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https"),
	})
}

// Clear removes the session cookie.
func (s Sessions) Clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// RequireUser sends anonymous visitors to the login page, then back.
func RequireUser(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !Actor(r.Context()).Authenticated() {
			RedirectToLogin(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		next(w, r)
	}
}
