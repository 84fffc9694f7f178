// Package config reads Tremplin's configuration from TREMPLIN_* environment
// variables (with a *_FILE variant for secrets). A wrong value stops the
// binary at start with an error naming the variable.
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"tremplin/internal/platform/secret"
)

// Config is the whole configuration.
type Config struct {
	Listen         string
	DatabaseURL    string
	DataKey        []byte
	PublicURL      string
	SessionIdle    time.Duration
	SessionMax     time.Duration
	AuditRetention time.Duration
	// NoContactDays, StepGapDays and ContractWarningDays are the delays the point de situation watches.
	NoContactDays       int
	StepGapDays         int
	ContractWarningDays int
	SMTPAddr            string
	SMTPUser            string
	SMTPPassword        string
	SMTPFrom            string
	GeocoderURL         string
	GeocoderMinScore    float64
	LogLevel            string
	LogFormat           string
	TrustProxy          bool
	// MapTiles is the https URL template of the map tile server ({z}, {x}, {y}); empty draws maps without background.
	MapTiles string
	// MapAttribution is the credit the tile server asks for, shown as plain text on maps.
	MapAttribution string
	MetricsToken   string
	// ETPDivisor is the hours of one full-time equivalent in the clause figures.
	ETPDivisor float64
	// ClauseSilentMonths flags a company without hours this long after its market started.
	ClauseSilentMonths int
	// ClauseLateRatio flags a company under this share of the pro-rata of its hours.
	ClauseLateRatio float64
}

// Var documents one variable, for the README table and `tremplin help`.
type Var struct {
	Name, Default, Help string
}

// Vars lists every variable Tremplin reads.
var Vars = []Var{
	{"TREMPLIN_LISTEN", "127.0.0.1:8080", "Address the web server listens on."},
	{"TREMPLIN_DATABASE_URL", "sqlite:tremplin.db", "sqlite:PATH for the embedded database, postgres://… for PostgreSQL."},
	{"TREMPLIN_DATA_KEY", "(SQLite: generated in PATH.key)", "32-byte key (hex or base64) sealing the NIR at rest. Required with PostgreSQL. Also TREMPLIN_DATA_KEY_FILE."},
	{"TREMPLIN_PUBLIC_URL", "http://127.0.0.1:8080", "Address users reach, used in emailed links; https:// marks cookies Secure."},
	{"TREMPLIN_SESSION_IDLE", "30m", "A session closes after this long without activity."},
	{"TREMPLIN_SESSION_MAX", "12h", "A session closes this long after login, whatever the activity."},
	{"TREMPLIN_AUDIT_RETENTION", "8760h", "Audit entries older than this are purged (the chain stays verifiable)."},
	{"TREMPLIN_SMTP_ADDR", "(none: emails are logged)", "SMTP server host:port for password-reset emails."},
	{"TREMPLIN_SMTP_USER", "", "SMTP user name."},
	{"TREMPLIN_SMTP_PASSWORD", "", "SMTP password. Also TREMPLIN_SMTP_PASSWORD_FILE."},
	{"TREMPLIN_SMTP_FROM", "tremplin@localhost", "Sender address of emails."},
	{"TREMPLIN_GEOCODER_URL", "(none: offline, commune level)", "Base URL of the IGN Géoplateforme geocoder, e.g. https://data.geopf.fr."},
	{"TREMPLIN_GEOCODER_MIN_SCORE", "0.5", "Geocoding results under this score are rejected."},
	{"TREMPLIN_LOG_LEVEL", "info", "debug, info, warn or error."},
	{"TREMPLIN_LOG_FORMAT", "text", "text or json."},
	{"TREMPLIN_TRUST_PROXY", "false", "Trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy."},
	{"TREMPLIN_METRICS_TOKEN", "(none: /metrics from this machine only)", "Bearer token letting a Prometheus on another machine read /metrics. Also TREMPLIN_METRICS_TOKEN_FILE."},
	{"TREMPLIN_NO_CONTACT_DAYS", "90", "The point de situation flags a followed person without an appointment for this many days."},
	{"TREMPLIN_STEP_GAP_DAYS", "30", "The point de situation flags a wait longer than this between the end of a step and the next one."},
	{"TREMPLIN_CONTRACT_WARNING_DAYS", "30", "Contracts are flagged this many days before they end."},
	{"TREMPLIN_MAP_TILES", "(none: maps without background)", "https URL template of the map tile server with {z}, {x}, {y} (and optionally {s}, {r}), e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png. Its host is allowed in the Content-Security-Policy."},
	{"TREMPLIN_ETP_DIVISOR", "1607", "Hours of one full-time equivalent (ETP) in the insertion-clause figures (1,607 h: the legal working year)."},
	{"TREMPLIN_CLAUSE_SILENT_MONTHS", "3", "Insertion clauses: a company with no hours this many months after its market started is flagged."},
	{"TREMPLIN_CLAUSE_LATE_RATIO", "0.8", "Insertion clauses: a company whose hours are under this share of the pro-rata of its share is flagged late."},
	{"TREMPLIN_MAP_ATTRIBUTION", "", "Credit of the tile server shown on maps, as plain text, e.g. © les contributeurs d'OpenStreetMap. Required with TREMPLIN_MAP_TILES."},
}

// Error names the variable whose value is wrong.
type Error struct {
	Var, Msg string
}

func (e *Error) Error() string { return e.Var + ": " + e.Msg }

// Load reads the configuration from the environment.
func Load() (Config, error) { return LoadFrom(os.Getenv) }

// LoadFrom reads the configuration through getenv, so tests can inject values.
func LoadFrom(getenv func(string) string) (Config, error) {
	r := reader{getenv: getenv}
	c := Config{
		Listen:              r.str("TREMPLIN_LISTEN", "127.0.0.1:8080"),
		DatabaseURL:         r.str("TREMPLIN_DATABASE_URL", "sqlite:tremplin.db"),
		PublicURL:           strings.TrimRight(r.str("TREMPLIN_PUBLIC_URL", "http://127.0.0.1:8080"), "/"),
		SessionIdle:         r.duration("TREMPLIN_SESSION_IDLE", 30*time.Minute),
		SessionMax:          r.duration("TREMPLIN_SESSION_MAX", 12*time.Hour),
		AuditRetention:      r.duration("TREMPLIN_AUDIT_RETENTION", 365*24*time.Hour),
		SMTPAddr:            r.str("TREMPLIN_SMTP_ADDR", ""),
		SMTPUser:            r.str("TREMPLIN_SMTP_USER", ""),
		SMTPPassword:        r.secret("TREMPLIN_SMTP_PASSWORD"),
		SMTPFrom:            r.str("TREMPLIN_SMTP_FROM", "tremplin@localhost"),
		GeocoderURL:         strings.TrimRight(r.str("TREMPLIN_GEOCODER_URL", ""), "/"),
		GeocoderMinScore:    r.float("TREMPLIN_GEOCODER_MIN_SCORE", 0.5),
		LogLevel:            r.oneOf("TREMPLIN_LOG_LEVEL", "info", "debug", "info", "warn", "error"),
		LogFormat:           r.oneOf("TREMPLIN_LOG_FORMAT", "text", "text", "json"),
		TrustProxy:          r.boolean("TREMPLIN_TRUST_PROXY"),
		MapTiles:            r.str("TREMPLIN_MAP_TILES", ""),
		MapAttribution:      r.str("TREMPLIN_MAP_ATTRIBUTION", ""),
		MetricsToken:        r.secret("TREMPLIN_METRICS_TOKEN"),
		NoContactDays:       r.days("TREMPLIN_NO_CONTACT_DAYS", 90),
		StepGapDays:         r.days("TREMPLIN_STEP_GAP_DAYS", 30),
		ContractWarningDays: r.days("TREMPLIN_CONTRACT_WARNING_DAYS", 30),
		ETPDivisor:          r.number("TREMPLIN_ETP_DIVISOR", 1607, 1, 10000),
		ClauseSilentMonths:  int(r.number("TREMPLIN_CLAUSE_SILENT_MONTHS", 3, 1, 60)),
		ClauseLateRatio:     r.float("TREMPLIN_CLAUSE_LATE_RATIO", 0.8),
	}
	r.check(c)
	if r.err != nil {
		return c, r.err
	}
	key, err := dataKey(r, c.DatabaseURL)
	c.DataKey = key
	return c, err
}

type reader struct {
	getenv func(string) string
	err    error
}

func (r *reader) fail(name, format string, args ...any) {
	if r.err == nil {
		r.err = &Error{Var: name, Msg: fmt.Sprintf(format, args...)}
	}
}

func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

// secret reads NAME or the file named by NAME_FILE.
func (r *reader) secret(name string) string {
	if v := r.getenv(name); v != "" {
		return strings.TrimSpace(v)
	}
	path := r.getenv(name + "_FILE")
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		r.fail(name+"_FILE", "cannot read %s: %v", path, err)
		return ""
	}
	return strings.TrimSpace(string(b))
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, "%q is not a positive duration such as 30m or 12h", v)
		return def
	}
	return d
}

func (r *reader) float(name string, def float64) float64 {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1 {
		r.fail(name, "%q is not a number between 0 and 1", v)
		return def
	}
	return f
}

// number reads a number between lo and hi.
func (r *reader) number(name string, def, lo, hi float64) float64 {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
	if err != nil || f < lo || f > hi {
		r.fail(name, "%q is not a number between %g and %g", v, lo, hi)
		return def
	}
	return f
}

// days reads a number of days between 1 and 3650.
func (r *reader) days(name string, def int) int {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 3650 {
		r.fail(name, "must be a number of days between 1 and 3650, got %q", v)
		return def
	}
	return n
}

func (r *reader) boolean(name string) bool {
	v := r.getenv(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, "%q is not true or false", v)
	}
	return b
}

func (r *reader) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(r.str(name, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(name, "%q is not one of %s", v, strings.Join(allowed, ", "))
	return def
}

func (r *reader) check(c Config) {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		r.fail("TREMPLIN_LISTEN", "%q is not host:port", c.Listen)
	}
	db := c.DatabaseURL
	if !strings.HasPrefix(db, "sqlite:") && !strings.HasPrefix(db, "postgres://") && !strings.HasPrefix(db, "postgresql://") {
		r.fail("TREMPLIN_DATABASE_URL", "must start with sqlite: or postgres://")
	}
	for _, v := range []struct{ name, val string }{{"TREMPLIN_PUBLIC_URL", c.PublicURL}, {"TREMPLIN_GEOCODER_URL", c.GeocoderURL}} {
		if v.val == "" {
			continue
		}
		if u, err := url.Parse(v.val); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			r.fail(v.name, "%q is not an http(s) URL", v.val)
		}
	}
	if c.SessionIdle > c.SessionMax {
		r.fail("TREMPLIN_SESSION_IDLE", "must not be longer than TREMPLIN_SESSION_MAX")
	}
	r.checkMap(c)
}

// checkMap checks the tile server settings; TREMPLIN_TILE_URL, read by no
// page, gave way to TREMPLIN_MAP_TILES.
func (r *reader) checkMap(c Config) {
	if r.getenv("TREMPLIN_TILE_URL") != "" {
		r.fail("TREMPLIN_TILE_URL", "renamed TREMPLIN_MAP_TILES (with TREMPLIN_MAP_ATTRIBUTION)")
	}
	if c.MapTiles != "" {
		if msg := tileTemplateProblem(c.MapTiles); msg != "" {
			r.fail("TREMPLIN_MAP_TILES", "%q %s", c.MapTiles, msg)
		}
		if c.MapAttribution == "" {
			r.fail("TREMPLIN_MAP_ATTRIBUTION", "required with TREMPLIN_MAP_TILES: tile servers ask to be credited, e.g. © les contributeurs d'OpenStreetMap")
		}
	}
	if strings.ContainsAny(c.MapAttribution, "<>") {
		r.fail("TREMPLIN_MAP_ATTRIBUTION", "is shown as plain text: write it without HTML tags")
	}
}

// tileTemplateProblem says what is wrong with a tile URL template, or "".
// The host may start with a {s} label (tile servers spread over a.b.c.…):
// the Content-Security-Policy then allows *.rest-of-host.
func tileTemplateProblem(tmpl string) string {
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(tmpl, p) {
			return "lacks " + p + ": it must be a template such as https://tile.openstreetmap.org/{z}/{x}/{y}.png"
		}
	}
	filled := strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{r}", "", "{s}", "a").Replace(tmpl)
	u, err := url.Parse(filled)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return "is not an https URL template"
	}
	_, rawHost, _ := strings.Cut(tmpl, "://")
	if i := strings.IndexAny(rawHost, "/?#"); i >= 0 {
		rawHost = rawHost[:i]
	}
	rest, sub := strings.CutPrefix(rawHost, "{s}.")
	if strings.ContainsAny(rest, "{}") || (sub && !strings.Contains(rest, ".")) {
		return "may only have {s} as the first label of its host"
	}
	return ""
}

// dataKey reads TREMPLIN_DATA_KEY; with SQLite and no key, a key file beside
// the database is created once, so a laptop trial needs no setup.
func dataKey(r reader, dbURL string) ([]byte, error) {
	v := r.secret("TREMPLIN_DATA_KEY")
	if r.err != nil {
		return nil, r.err
	}
	if v != "" {
		k, err := secret.ParseKey(v)
		if err != nil {
			return nil, &Error{Var: "TREMPLIN_DATA_KEY", Msg: err.Error()}
		}
		return k, nil
	}
	path, ok := strings.CutPrefix(dbURL, "sqlite:")
	if !ok {
		return nil, &Error{Var: "TREMPLIN_DATA_KEY", Msg: "required with PostgreSQL (generate one with: tremplin keygen)"}
	}
	return keyFile(filepath.Clean(strings.TrimPrefix(path, "//")) + ".key")
}

func keyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		if err := os.WriteFile(path, []byte(secret.NewKey()+"\n"), 0o600); err != nil {
			return nil, &Error{Var: "TREMPLIN_DATA_KEY", Msg: fmt.Sprintf("cannot create key file %s: %v", path, err)}
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, &Error{Var: "TREMPLIN_DATA_KEY", Msg: fmt.Sprintf("cannot read key file %s: %v", path, err)}
	}
	k, err := secret.ParseKey(string(b))
	if err != nil {
		return nil, &Error{Var: "TREMPLIN_DATA_KEY", Msg: fmt.Sprintf("key file %s: %v", path, err)}
	}
	return k, nil
}
