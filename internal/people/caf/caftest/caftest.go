// Package caftest finds the reference CAF/MSA flows (shared/reference/caf,
// beside the repository) for tests; they are read, never copied.
package caftest

import (
	"os"
	"path/filepath"
	"testing"
)

// findDir walks up from the working directory to a shared/reference/caf folder.
func findDir() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		cand := filepath.Join(dir, "shared", "reference", "caf")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// Dir returns the reference folder; it skips the test when the folder is absent, unless CI=true.
func Dir(t testing.TB) string {
	t.Helper()
	if dir, ok := findDir(); ok {
		return dir
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("shared/reference/caf not found above the working directory: the reference CAF flows are required in CI")
	}
	t.Skip("shared/reference/caf not found above the working directory: reference CAF flows unavailable, skipping")
	return ""
}

// Read returns the content of a reference flow.
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
