package service

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"auditlens/backend/demo"
)

// A case's first import ends with the database's term indexes built (it
// loads the events without them), and a second import keeps them. (A first
// import killed before it built them: TestKilledImportResumes.)
func TestFirstImportBuildsTermIndexes(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	if err := demo.Generate(demo.Options{Events: 3000, Seed: 3, Days: 5}, &b); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(b.Bytes()), []byte("\n"))
	slices.Reverse(lines) // newest first, as many exports run
	first, second := filepath.Join(dir, "newest-first.ndjson"), filepath.Join(dir, "more.ndjson")
	if err := os.WriteFile(first, bytes.Join(lines[:2000], []byte("\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(second, bytes.Join(lines[2000:], []byte("\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := func(c *Case) []string {
		t.Helper()
		m, err := c.store.MissingIndexes()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	c, err := Open(filepath.Join(dir, "case"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{first, second} {
		if sum, err := c.Import([]string{p}, ImportOptions{}); err != nil || sum.Events == 0 {
			t.Fatal(sum, err)
		}
		if m := missing(c); len(m) != 0 {
			t.Fatalf("after importing %s: %v missing", p, m)
		}
	}
	c.Close()

}
