package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tremplin/internal/app"
	"tremplin/internal/demo"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/migrations"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
)

func version() string { return app.Version }

func newKey() string { return secret.NewKey() }

func cmdServe(e *env, args []string) error {
	fs := flags("serve", e.stderr)
	withDemo := fs.Bool("demo", false, "seed the demo département when the database is empty")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := app.Open(e.ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if *withDemo {
		if err := seedDemo(e, a, "small", 1); err != nil {
			return err
		}
	}
	srv := &http.Server{Addr: e.cfg.Listen, Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	ln, err := net.Listen("tcp", e.cfg.Listen)
	if err != nil {
		return fmt.Errorf("TREMPLIN_LISTEN: %w", err)
	}
	fmt.Fprintf(e.stdout, "Tremplin %s listening on http://%s (database %s)\n", version(), ln.Addr(), a.DB.Location)
	go backgroundJobs(e.ctx, a)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-e.ctx.Done():
	}
	slog.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	a.Auth.Flush()
	return err
}

// backgroundJobs purges expired sessions and old audit entries every hour,
// and records the people's evaluations still pending once their month is over.
func backgroundJobs(ctx context.Context, a *app.App) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := a.Auth.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
			slog.Error("purge sessions", "err", err)
		}
		if _, err := audit.Purge(ctx, a.DB, time.Now().Add(-a.Cfg.AuditRetention)); err != nil && ctx.Err() == nil {
			slog.Error("purge audit trail", "err", err)
		}
		if err := a.Feedback.Flush(ctx); err != nil && ctx.Err() == nil {
			slog.Error("record pending evaluations", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// seedDemo generates the demo département if the database has no account yet, and prints the accounts.
func seedDemo(e *env, a *app.App, size string, seed int64) error {
	has, err := a.Auth.HasUsers(e.ctx)
	if err != nil {
		return err
	}
	if has {
		fmt.Fprintln(e.stdout, "The database already has accounts: demo data not generated.")
		return nil
	}
	opt := demo.Options{Size: size, Seed: seed}
	if isTerminal(e.stderr) {
		opt.Progress = e.stderr
	}
	res, err := demo.Generate(e.ctx, a.DB, a.Box, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Demo département generated in %s: %d organisations, %d people.\n", res.Took.Round(time.Millisecond), res.Organisations, res.People)
	fmt.Fprintln(e.stdout, "Demo accounts (one password for all):")
	for _, acc := range res.Accounts {
		fmt.Fprintf(e.stdout, "  %-38s %-32s %s\n", acc.Email, acc.Role, acc.Org)
	}
	if len(res.Accounts) > 0 {
		fmt.Fprintf(e.stdout, "Password: %s\n", res.Accounts[0].Password)
	}
	return nil
}

// openMigrated opens the database and brings its schema up to date, for the
// operator's tools that need no service.
func openMigrated(e *env) (*db.DB, error) {
	d, err := db.Open(e.ctx, e.cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if _, err := migrations.Apply(e.ctx, d); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func cmdMigrate(e *env, args []string) error {
	d, err := db.Open(e.ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	applied, err := migrations.Apply(e.ctx, d)
	if err != nil {
		return err
	}
	if err := refdata.Seed(e.ctx, d); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Database up to date (%d migrations applied now).\n", len(applied))
	return nil
}

func cmdDemo(e *env, args []string) error {
	fs := flags("demo", e.stderr)
	size := fs.String("size", "small", "small (about 1,000 people) or dept (about 50,000 people)")
	seed := fs.Int64("seed", 1, "seed of the generator: the same seed gives the same data")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *size != "small" && *size != "dept" {
		return usageError("demo: --size must be small or dept")
	}
	a, err := app.Open(e.ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	return seedDemo(e, a, *size, *seed)
}

func cmdUser(e *env, args []string) error {
	if len(args) == 0 {
		return usageError("user: say create, list, grant, password or disable")
	}
	a, err := app.Open(e.ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "create":
		return userCreate(e, a, args[1:])
	case "list":
		return userList(e, a, args[1:])
	case "grant":
		return userGrant(e, a, args[1:])
	case "password":
		op := access.System("cli")
		u, err := userFromFlags(e, a, op, "user password", args[1:])
		if err != nil {
			return err
		}
		password, err := readPassword(e)
		if err != nil {
			return err
		}
		if err := a.Auth.ResetPasswordAdmin(e.ctx, op, u.ID, password); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "Password set.")
		return nil
	case "disable":
		op := access.System("cli")
		u, err := userFromFlags(e, a, op, "user disable", args[1:])
		if err != nil {
			return err
		}
		if err := a.Auth.DisableUser(e.ctx, op, u.ID); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "Account disabled.")
		return nil
	}
	return usageError("user: unknown subcommand " + args[0])
}

func userCreate(e *env, a *app.App, args []string) error {
	fs := flags("user create", e.stderr)
	email := fs.String("email", "", "address of the account (required)")
	first := fs.String("first-name", "", "first name")
	last := fs.String("last-name", "", "last name")
	org := fs.String("org", "", "identifier of the organisation")
	role := fs.String("role", "", "role in the organisation: "+roleList())
	qual := fs.String("qualification", "", "social or professional")
	platformAdmin := fs.Bool("platform-admin", false, "make the account a platform administrator")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" || (*org == "") != (*role == "") || (*org == "" && !*platformAdmin) {
		return usageError("user create: --email is required, with --org and --role (or --platform-admin)")
	}
	password, err := readPassword(e)
	if err != nil {
		return err
	}
	nu := auth.NewUser{Email: *email, FirstName: *first, LastName: *last, Password: password, PlatformAdmin: *platformAdmin}
	if *org != "" {
		nu.Memberships = []auth.NewMembership{{OrgID: *org, Role: access.Role(*role), Qualification: access.Qualification(*qual)}}
	}
	u, err := a.Auth.CreateUser(e.ctx, access.System("cli"), nu)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Account created: %s\n", u.ID)
	return nil
}

// userFromFlags reads --email and returns that account, for the commands that
// act on one existing account.
func userFromFlags(e *env, a *app.App, op access.Actor, name string, args []string) (auth.User, error) {
	fs := flags(name, e.stderr)
	email := fs.String("email", "", "address of the account")
	if err := parse(fs, args); err != nil {
		return auth.User{}, err
	}
	return a.Auth.UserByEmail(e.ctx, op, *email)
}

// userGrant gives an existing account a role in an organisation.
func userGrant(e *env, a *app.App, args []string) error {
	fs := flags("user grant", e.stderr)
	email := fs.String("email", "", "address of the account (required)")
	org := fs.String("org", "", "identifier of the organisation (required)")
	role := fs.String("role", "", "role in the organisation: "+roleList())
	qual := fs.String("qualification", "", "social or professional")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" || *org == "" || *role == "" {
		return usageError("user grant: --email, --org and --role are required")
	}
	op := access.System("cli")
	u, err := a.Auth.UserByEmail(e.ctx, op, *email)
	if err != nil {
		return err
	}
	m := auth.NewMembership{OrgID: *org, Role: access.Role(*role), Qualification: access.Qualification(*qual)}
	if err := a.Auth.AddMembership(e.ctx, op, u.ID, m); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Role granted.")
	return nil
}

func roleList() string {
	var s []string
	for _, r := range access.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

// readPassword reads the first line of standard input, so that the password
// stays out of the shell history and the process list.
func readPassword(e *env) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprint(e.stderr, "Password (12 characters at least): ")
	}
	buf := make([]byte, 0, 128)
	one := make([]byte, 1)
	for len(buf) < 1024 {
		n, err := e.stdin.Read(one)
		if n == 1 && one[0] != '\n' {
			buf = append(buf, one[0])
			continue
		}
		if n == 1 || err != nil {
			break
		}
	}
	pw := strings.TrimRight(string(buf), "\r")
	if pw == "" {
		return "", errors.New("no password on standard input")
	}
	return pw, nil
}

type userJSON struct {
	Email       string           `json:"email"`
	Name        string           `json:"name"`
	Disabled    bool             `json:"disabled"`
	Admin       bool             `json:"platform_admin"`
	Memberships []membershipJSON `json:"memberships"`
}

type membershipJSON struct {
	Organisation string `json:"organisation"`
	Role         string `json:"role"`
}

func userList(e *env, a *app.App, args []string) error {
	fs := flags("user list", e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	users, _, err := a.Auth.ListUsers(e.ctx, access.System("cli"), auth.UserFilter{})
	if err != nil {
		return err
	}
	out := make([]userJSON, 0, len(users))
	for _, u := range users {
		uj := userJSON{Email: u.Email, Name: u.Name(), Disabled: u.Disabled(), Admin: u.PlatformAdmin, Memberships: []membershipJSON{}}
		for _, m := range u.Memberships {
			uj.Memberships = append(uj.Memberships, membershipJSON{Organisation: m.OrgName, Role: string(m.Role)})
		}
		out = append(out, uj)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"users": out})
	}
	for _, u := range out {
		var roles []string
		for _, m := range u.Memberships {
			roles = append(roles, m.Role+"@"+m.Organisation)
		}
		state := ""
		if u.Disabled {
			state = " (disabled)"
		}
		fmt.Fprintf(e.stdout, "%-40s %s%s\n", u.Email, strings.Join(roles, ", "), state)
	}
	return nil
}

func cmdToken(e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError("token: say create")
	}
	fs := flags("token create", e.stderr)
	email := fs.String("email", "", "address of the account the token acts for (required)")
	name := fs.String("name", "command line", "name of the token")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return usageError("token create: --email is required")
	}
	a, err := app.Open(e.ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	op := access.System("cli")
	u, err := a.Auth.UserByEmail(e.ctx, op, *email)
	if err != nil {
		return err
	}
	secretValue, _, err := a.Auth.IssueToken(e.ctx, op, u, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "API token (shown once, keep it secret):")
	fmt.Fprintln(e.stdout, secretValue)
	return nil
}

func cmdImport(e *env, args []string) error {
	if len(args) > 0 && args[0] == "people" {
		return importPeople(e, args[1:])
	}
	if len(args) > 0 && args[0] == "offers" {
		return importOffers(e, args[1:])
	}
	if len(args) > 0 && (args[0] == "markets" || args[0] == "hours") {
		return importClauses(e, args[0], args[1:])
	}
	if len(args) == 0 || args[0] != "caf" {
		return usageError("import: say caf FILE, people FILE --org ID, offers FILE, markets FILE or hours FILE")
	}
	fs := flags("import caf", e.stderr)
	dryRun := fs.Bool("dry-run", false, "check and count without writing anything")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parse(fs, flagsFirst(args[1:])); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("import caf: name one FILE")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	a, err := app.Open(e.ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, importErr := a.People.ImportCAF(e.ctx, access.System("cli"), f, *dryRun)
	if *asJSON {
		if err := printJSON(e.stdout, rep); err != nil {
			return err
		}
	} else {
		printImportReport(e, rep, importErr)
	}
	if importErr != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), importErr)
	}
	return nil
}

// importPeople imports a partner's list of people (CSV or XLSX) as the
// system, the new files being held by the organisation --org names.
func importPeople(e *env, args []string) error {
	fs := flags("import people", e.stderr)
	org := fs.String("org", "", "identifier of the organisation that holds the new files (required)")
	mapping := fs.String("map", "", "field=Column pairs, comma-separated, replacing the columns guessed from their names")
	keepValid := fs.Bool("keep-valid", false, "import the valid rows even when others are rejected")
	rejectedOut := fs.String("rejected", "", "CSV file receiving the rejected rows (with --keep-valid)")
	dryRun := fs.Bool("dry-run", false, "check and count without writing anything")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 || *org == "" {
		return usageError("import people: name one FILE and the organisation with --org ID")
	}
	if *keepValid != (*rejectedOut != "") {
		return usageError("import people: --keep-valid goes with --rejected OUT.csv")
	}
	over, err := people.ParseMapping(*mapping)
	if err != nil {
		return err
	}
	f, t, err := openTable(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	a, err := app.Open(e.ctx, e.cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	holder, err := a.Orgs.Get(e.ctx, access.System("cli"), *org)
	if err != nil {
		return err
	}
	actor := access.System("cli")
	actor.OrgID, actor.OrgKind, actor.Territory = holder.ID, string(holder.Kind), holder.Territory
	spool, err := openRejected(*keepValid, *rejectedOut)
	if err != nil {
		return err
	}
	defer spool.discard()
	opts := people.Options{DryRun: *dryRun, KeepValid: *keepValid, Rejected: spool.writer()}
	rep, importErr := a.People.ImportList(e.ctx, actor, t, people.GuessMapping(t.Header()).With(over), opts)
	if importErr != nil && len(rep.Errors) == 0 {
		return fmt.Errorf("%s: %w", files[0], importErr)
	}
	if _, err := spool.keep(importErr == nil && rep.Rejected > 0); err != nil {
		return err
	}
	if *asJSON {
		if err := printJSON(e.stdout, rep); err != nil {
			return err
		}
	} else {
		printListReport(e, files[0], rep, importErr, *rejectedOut)
	}
	if importErr != nil {
		return fmt.Errorf("%s: %w", files[0], importErr)
	}
	return nil
}

// parseInterleaved parses flags placed before, between or after the other
// arguments ("import people FILE --org ID"), and returns those arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest, args = append(rest, fs.Arg(0)), fs.Args()[1:]
	}
}

// rejectedSpool is the private file beside OUT that an import streams its
// rejected rows to; it becomes OUT only once the import went through.
type rejectedSpool struct {
	f   *os.File
	out string
}

// openRejected starts the spool of the rejected rows when the valid rows are
// kept on their own (on is true); it is nil otherwise.
func openRejected(on bool, out string) (*rejectedSpool, error) {
	if !on {
		return nil, nil
	}
	f, err := os.CreateTemp(filepath.Dir(out), ".rejets-*.csv")
	if err != nil {
		return nil, err
	}
	return &rejectedSpool{f: f, out: out}, nil
}

// writer is where the import writes its rejected rows: none without a spool.
func (s *rejectedSpool) writer() io.Writer {
	if s == nil {
		return nil
	}
	return s.f
}

// keep makes the spool OUT when ok (the import went through with rejected
// rows) and reports whether it did.
func (s *rejectedSpool) keep(ok bool) (bool, error) {
	if s == nil || !ok {
		return false, nil
	}
	if err := s.f.Close(); err != nil {
		return false, err
	}
	return true, os.Rename(s.f.Name(), s.out)
}

// discard removes the spool unless it was kept.
func (s *rejectedSpool) discard() {
	if s != nil {
		s.f.Close()
		os.Remove(s.f.Name())
	}
}

// printJSON writes an import's report as one line of JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func printListReport(e *env, file string, rep people.ListReport, importErr error, rejectedOut string) {
	mode := "imported"
	switch {
	case importErr != nil:
		mode = "refused: nothing written"
	case rep.DryRun:
		mode = "checked (dry run, nothing written)"
	case rep.Rejected > 0:
		mode = "imported, except the rejected rows"
	}
	fmt.Fprintf(e.stdout, "List %s: %d rows; %d created, %d updated, %d unchanged, %d rejected.\n",
		file, rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.Rejected)
	fmt.Fprintf(e.stdout, "List %s.\n", mode)
	for _, er := range rep.Errors {
		fmt.Fprintf(e.stdout, "  line %d %s: %s\n", er.Line, er.Field, er.Message)
	}
	for _, c := range rep.Conflicts {
		fmt.Fprintf(e.stdout, "  line %d %s: %s\n", c.Line, c.Field, c.Message)
	}
	if rep.CreateOrMatch > 0 {
		fmt.Fprintf(e.stdout, "  %d rows to create or to match to a file the organisation may not read.\n", rep.CreateOrMatch)
	}
	if importErr == nil && rep.Rejected > 0 && rejectedOut != "" {
		fmt.Fprintf(e.stdout, "Rejected rows written to %s.\n", rejectedOut)
	}
}

// flagsFirst moves the flags before the other arguments, so that
// "import caf FILE --json" reads like "import caf --json FILE"; the flags of
// the commands that use it take no value.
func flagsFirst(args []string) []string {
	var flagArgs, rest []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") && a != "-" {
			flagArgs = append(flagArgs, a)
		} else {
			rest = append(rest, a)
		}
	}
	return append(flagArgs, rest...)
}

func printImportReport(e *env, rep people.ImportReport, importErr error) {
	mode := "imported"
	switch {
	case importErr != nil:
		mode = "refused: nothing written"
	case rep.DryRun:
		mode = "checked (dry run, nothing written)"
	}
	fmt.Fprintf(e.stdout, "CAF flow %s %s: %d households, %d persons; %d created, %d updated, %d unchanged, %d rejected.\n",
		rep.FlowType, rep.FlowDate, rep.Households, rep.Persons, rep.Created, rep.Updated, rep.Unchanged, rep.Rejected)
	fmt.Fprintf(e.stdout, "Flow %s.\n", mode)
	for _, er := range rep.Errors {
		fmt.Fprintf(e.stdout, "  line %d: %s\n", er.Line, er.Message)
	}
}

func cmdAudit(e *env, args []string) error {
	if len(args) == 0 {
		return usageError("audit: say verify or purge")
	}
	d, err := openMigrated(e)
	if err != nil {
		return err
	}
	defer d.Close()
	switch args[0] {
	case "verify":
		res, err := audit.Verify(e.ctx, d)
		if err != nil {
			return fmt.Errorf("audit trail NOT intact: %w", err)
		}
		fmt.Fprintf(e.stdout, "Audit trail intact: %d entries checked.\n", res.Checked)
		return nil
	case "purge":
		n, err := audit.Purge(e.ctx, d, time.Now().Add(-e.cfg.AuditRetention))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d audit entries older than %s purged.\n", n, e.cfg.AuditRetention)
		return nil
	}
	return usageError("audit: unknown subcommand " + args[0])
}

func cmdRefdata(e *env, args []string) error {
	if len(args) != 3 || args[0] != "load" {
		return usageError("refdata: say load communes|rome|naf FILE")
	}
	loaders := map[string]func(context.Context, *db.DB, *os.File) (int, error){
		"communes": func(ctx context.Context, d *db.DB, f *os.File) (int, error) {
			return refdata.LoadCommunesCSV(ctx, d, f)
		},
		"rome": func(ctx context.Context, d *db.DB, f *os.File) (int, error) { return refdata.LoadROMECSV(ctx, d, f) },
		"naf":  func(ctx context.Context, d *db.DB, f *os.File) (int, error) { return refdata.LoadNAFCSV(ctx, d, f) },
	}
	load, ok := loaders[args[1]]
	if !ok {
		return usageError("refdata load: say communes, rome or naf")
	}
	f, err := os.Open(args[2])
	if err != nil {
		return err
	}
	defer f.Close()
	d, err := openMigrated(e)
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := load(e.ctx, d, f)
	if err != nil {
		return fmt.Errorf("%s: %w", args[2], err)
	}
	fmt.Fprintf(e.stdout, "%d %s loaded from %s.\n", n, args[1], args[2])
	return nil
}

func cmdBackup(e *env, args []string) error {
	if len(args) != 1 {
		return usageError("backup: say backup FILE")
	}
	d, err := db.Open(e.ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	if d.Dialect() == db.Postgres {
		return errors.New("with PostgreSQL, back up with pg_dump (or your provider's managed backups)")
	}
	if _, err := os.Stat(args[0]); err == nil {
		return fmt.Errorf("%s already exists: choose a new file", args[0])
	}
	// VACUUM INTO writes a consistent copy while the application keeps running.
	if _, err := d.ExecContext(e.ctx, `VACUUM INTO $1`, args[0]); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// The copy holds every person's file: readable by its owner only.
	if err := os.Chmod(args[0], 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Backup written to %s.\n", args[0])
	return nil
}
