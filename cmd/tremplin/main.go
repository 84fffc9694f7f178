// Command tremplin is the whole Tremplin platform in one binary: the web
// application and API (serve), and the operator's tools (migrate, demo,
// user, token, audit, refdata, backup).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"tremplin/internal/platform/config"
	"tremplin/internal/platform/errs"
)

const usage = `Tremplin — insertion and employment platform of a département.

Usage: tremplin COMMAND [options]

Commands:
  serve [--demo]                         run the web application and the API
  migrate                                apply the database migrations
  demo [--size small|dept] [--seed N]    fill an empty database with the demo département
  user create --email E --org ID --role R [--first-name F] [--last-name L] [--qualification social|professional] [--platform-admin]
                                         create a staff account (password read from standard input)
  user list [--json]                     list the staff accounts
  user grant --email E --org ID --role R [--qualification Q]
                                         give an account a role in another organisation
  user password --email E                set a password (read from standard input)
  user disable --email E                 disable an account
  token create --email E [--name N]      create an API token acting with that user's rights
  import caf FILE [--dry-run] [--json]   import a CAF/MSA RSA flow (vrsb0801) into the registry
  import people FILE --org ID [--map field=Column,...] [--keep-valid --rejected OUT.csv] [--dry-run] [--json]
                                         import a partner's list of people (CSV or XLSX), new files held by --org
  import markets|hours FILE [--accept-valid [--rejected OUT.csv]] [--territory CODE] [--facilitator ORG_ID] [--dry-run] [--json]
                                         import the markets and awarded companies, or the monthly hours, of the insertion clauses (CSV or XLSX)
  report --territory CODE [--from D] [--to D] [--json]
                                         print the steering figures of a département
  people duplicates [--limit N]          list the pairs of files that may be the same person
  people merge --keep ID --duplicate ID --reason TEXT
                                         merge a duplicate file into the kept one, with all its history
  audit verify                           check the hash chain of the audit trail
  audit purge                            delete audit entries older than TREMPLIN_AUDIT_RETENTION
  refdata load communes|rome|naf FILE    replace reference data from an official CSV file
  backup FILE                            copy the SQLite database to FILE while it runs
  keygen                                 print a new TREMPLIN_DATA_KEY
  version                                print the version

Configuration comes from TREMPLIN_* environment variables: see the README.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cmd, rest := args[0], args[1:]
	if cmd == "version" {
		fmt.Fprintln(stdout, "tremplin", version())
		return 0
	}
	if cmd == "keygen" {
		fmt.Fprintln(stdout, newKey())
		return 0
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(stderr, "configuration error:", err)
		return 2
	}
	setupLogging(cfg, stderr)
	e := &env{ctx: ctx, cfg: cfg, stdin: stdin, stdout: stdout, stderr: stderr}
	commands := map[string]func(*env, []string) error{
		"serve": cmdServe, "migrate": cmdMigrate, "demo": cmdDemo, "user": cmdUser, "token": cmdToken,
		"audit": cmdAudit, "refdata": cmdRefdata, "backup": cmdBackup, "import": cmdImport, "report": cmdReport,
		"people": cmdPeople,
	}
	fn, ok := commands[cmd]
	if !ok {
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err := fn(e, rest); err != nil {
		var usageErr usageError
		if errors.As(err, &usageErr) {
			fmt.Fprintf(stderr, "%s\n\n%s", err, usage)
			return 2
		}
		fmt.Fprintln(stderr, "error:", describe(err))
		return 1
	}
	return 0
}

// env is what every command receives.
type env struct {
	ctx            context.Context
	cfg            config.Config
	stdin          io.Reader
	stdout, stderr io.Writer
}

// usageError reports a command line that does not follow the usage.
type usageError string

func (u usageError) Error() string { return string(u) }

// describe prints the safe message of a domain error, with its cause for the operator.
func describe(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		msg := e.Message
		for field, m := range e.Fields {
			msg += fmt.Sprintf("\n  %s: %s", field, m)
		}
		if e.Cause != nil && e.Cause.Error() != e.Message {
			msg += " (" + e.Cause.Error() + ")"
		}
		return msg
	}
	return err.Error()
}

func setupLogging(cfg config.Config, w io.Writer) {
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[cfg.LogLevel]
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	slog.SetDefault(slog.New(h))
}

// isTerminal reports whether w is an interactive terminal outside CI, where progress is shown.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("CI") != "" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// flags returns a flag set for a subcommand whose errors become usage errors.
func flags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args and turns a bad command line into a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError(fmt.Sprintf("%s: %v", fs.Name(), err))
	}
	return nil
}
