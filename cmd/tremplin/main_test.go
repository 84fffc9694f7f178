package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"tremplin/internal/app"
	"tremplin/internal/orgs"
	"tremplin/internal/people/caf/caftest"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/config"
)

// cli runs the command line against a database in dir and returns exit status and output.
func cli(t *testing.T, dir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("TREMPLIN_DATABASE_URL", "sqlite:"+filepath.Join(dir, "t.db"))
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "communes.csv")
	os.WriteFile(bad, []byte("code_insee,nom_standard,dep_code,code_postal,latitude_centre,longitude_centre\n62041,Arras,62,62000,50.29,2.78\n62XYZ,Nulle,62,62000,abc,2.7\n"), 0o600)
	steps := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		stdout   string
		stderr   string
		lastLine string
	}{
		{"version", "", []string{"version"}, 0, "tremplin ", "", ""},
		{"unknown command", "", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`, ""},
		{"migrate", "", []string{"migrate"}, 0, "Database up to date", "", ""},
		{"user create needs an org or admin", "", []string{"user", "create", "--email", "a@b.fr"}, 2, "", "--email is required", ""},
		{"user create refuses a short password", "short\n", []string{"user", "create", "--email", "ops@example.fr", "--platform-admin"}, 1, "", "12 caractères", ""},
		{"user create", "a-long-enough-password\n", []string{"user", "create", "--email", "ops@example.fr", "--platform-admin"}, 0, "Account created", "", ""},
		{"user create duplicate", "a-long-enough-password\n", []string{"user", "create", "--email", "OPS@example.fr", "--platform-admin"}, 1, "", "existe déjà", ""},
		{"token for unknown account", "", []string{"token", "create", "--email", "nobody@example.fr"}, 1, "", "introuvable", ""},
		{"token create", "", []string{"token", "create", "--email", "ops@example.fr"}, 0, "", "", "trp_"},
		{"audit verify", "", []string{"audit", "verify"}, 0, "Audit trail intact", "", ""},
		{"refdata refuses a bad line", "", []string{"refdata", "load", "communes", bad}, 1, "", "ligne 3", ""},
		{"backup", "", []string{"backup", filepath.Join(dir, "copy.db")}, 0, "Backup written", "", ""},
		{"backup never overwrites", "", []string{"backup", filepath.Join(dir, "copy.db")}, 1, "", "already exists", ""},
		{"user grant to an unknown organisation", "", []string{"user", "grant", "--email", "ops@example.fr", "--org", "01900000-0000-7000-8000-000000000000", "--role", "referent", "--qualification", "social"}, 1, "", "Structure introuvable", ""},
		{"user password refuses a short one", "short\n", []string{"user", "password", "--email", "ops@example.fr"}, 1, "", "12 caractères", ""},
		{"user password", "another-long-password\n", []string{"user", "password", "--email", "ops@example.fr"}, 0, "Password set", "", ""},
		{"user disable", "", []string{"user", "disable", "--email", "ops@example.fr"}, 0, "Account disabled", "", ""},
	}
	for _, s := range steps {
		code, out, errOut := cli(t, dir, s.stdin, s.args...)
		if code != s.code || !strings.Contains(out, s.stdout) || !strings.Contains(errOut, s.stderr) {
			t.Fatalf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", s.name, code, s.code, out, errOut)
		}
		if s.lastLine != "" {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if !strings.HasPrefix(lines[len(lines)-1], s.lastLine) {
				t.Fatalf("%s: last line %q, want it to start with %q", s.name, lines[len(lines)-1], s.lastLine)
			}
		}
	}
	code, out, _ := cli(t, dir, "", "user", "list", "--json")
	var list struct {
		Users []struct {
			Email       string `json:"email"`
			Disabled    bool   `json:"disabled"`
			Memberships []struct {
				Organisation string `json:"organisation"`
				Role         string `json:"role"`
			} `json:"memberships"`
		} `json:"users"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 {
		t.Fatalf("user list --json: %v\n%s", err, out)
	}
	if len(list.Users) != 1 || list.Users[0].Email != "ops@example.fr" || !list.Users[0].Disabled || list.Users[0].Memberships == nil {
		t.Fatalf("user list --json: %+v", list)
	}
}

func TestWrongConfigurationStopsWithTheVariable(t *testing.T) {
	t.Setenv("TREMPLIN_SESSION_IDLE", "soon")
	code, _, errOut := cli(t, t.TempDir(), "", "migrate")
	if code != 2 || !strings.Contains(errOut, "TREMPLIN_SESSION_IDLE") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestImportCAFCommand(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := cli(t, dir, "", "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Orgs.Create(context.Background(), access.System("test"), orgs.Organisation{Name: "Département de la Haute-Marne", Kind: orgs.KindDepartement, Territory: "52"})
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	ref := caftest.Dir(t)
	steps := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"a dry run writes nothing", []string{"import", "caf", filepath.Join(ref, "RSABEM.xml"), "--dry-run", "--json"}, 0, `"created":3`},
		{"the monthly flow", []string{"import", "caf", filepath.Join(ref, "RSABEM.xml"), "--json"}, 0, `"households":2,"persons":3,"created":3,"updated":0,"unchanged":0,"rejected":0,"errors":[]`},
		{"the same flow again", []string{"import", "caf", "--json", filepath.Join(ref, "RSABEM.xml")}, 0, `"created":0,"updated":0,"unchanged":3`},
		{"an invalid flow", []string{"import", "caf", filepath.Join(ref, "RSABEI_invalid.xml"), "--json"}, 1, `"errors":[{"line":134,"message":"flux CAF invalide, ligne 134, élément <InfosFoyerRSA>`},
		{"no file", []string{"import", "caf", "--json"}, 2, ""},
	}
	for _, st := range steps {
		code, out, errOut := cli(t, dir, "", st.args...)
		if code != st.code || !strings.Contains(out, st.want) {
			t.Fatalf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", st.name, code, st.code, out, errOut)
		}
	}
}
