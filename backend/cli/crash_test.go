package cli

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/demo"
	"auditlens/backend/service"
)

// TestMain lets the test binary act as `auditlens` for subprocess tests.
func TestMain(m *testing.M) {
	if os.Getenv("AUDITLENS_AS_CLI") == "1" {
		os.Exit(Run(os.Args[1:], Env{Stdout: os.Stdout, Stderr: os.Stderr}))
	}
	os.Exit(m.Run())
}

func cliCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "AUDITLENS_AS_CLI=1")
	return cmd
}

// Killing an import with SIGKILL at any moment leaves a case that passes
// SQLite's integrity check, whose index is repaired when opened, and in
// which running the import again adds exactly the missing events.
func TestKilledImportResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("kills imports: not in -short")
	}
	const n = 20000
	dir := t.TempDir()
	zip := filepath.Join(dir, "demo.zip")
	if err := demo.WriteZip(demo.Options{Events: n, Seed: 9}, zip); err != nil {
		t.Fatal(err)
	}
	// The import is killed once it has stored at least so many events (a
	// sleep of a fixed time killed it before its first batch, or before it
	// had even made the case, when the machine was loaded: go test ./...).
	for _, after := range []int{1, n / 2, n - 3000} {
		t.Run(fmt.Sprint(after), func(t *testing.T) {
			caseDir := filepath.Join(t.TempDir(), "case")
			cmd := cliCommand("import", "--case", caseDir, "--json", zip)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if !waitStored(cmd, filepath.Join(caseDir, "case.db"), after, 2*time.Minute) {
				t.Skipf("the import ended before it stored %d events", after)
			}

			db, err := sql.Open("sqlite", "file:"+filepath.Join(caseDir, "case.db"))
			if err != nil {
				t.Fatal(err)
			}
			var check string
			var stored, twice int
			if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil {
				t.Fatalf("integrity_check after SIGKILL at %d events: %v", after, err)
			}
			if err := db.QueryRow("SELECT count(*), count(*) - count(DISTINCT id) FROM events").Scan(&stored, &twice); err != nil {
				t.Fatal(err)
			}
			if twice != 0 {
				t.Fatalf("%d events stored twice by an import killed without the unique index of ids", twice)
			}
			db.Close()
			// termIndexes counts the term indexes, and the unique index of
			// ids as a ninth.
			termIndexes := func() int {
				db, err := sql.Open("sqlite", "file:"+filepath.Join(caseDir, "case.db"))
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				var n int
				db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND (name LIKE 'events_k_%' OR name = 'events_id')").Scan(&n)
				return n
			}
			if check != "ok" {
				t.Fatalf("integrity_check after SIGKILL at %d events: %s", after, check)
			}
			if stored >= n {
				t.Skipf("the import finished before it was killed at %d events; nothing to resume", after)
			}

			// A first import builds the term indexes and the unique index of
			// ids at its end: a process that does not hold the search index
			// answers without them, and the next that does builds them.
			if n := termIndexes(); n != 0 {
				t.Fatalf("%d term indexes after a first import was killed", n)
			}
			alerts := func(c *service.Case) uint64 {
				res, err := c.Search(audit.Query{Text: "category:alert", Limit: 1})
				if err != nil {
					t.Fatal(err)
				}
				return res.Total
			}
			c, err := service.OpenForStreaming(caseDir)
			if err != nil {
				t.Fatal(err)
			}
			unindexed := alerts(c)
			c.Close()
			if n := termIndexes(); n != 0 || unindexed == 0 {
				t.Fatalf("%d term indexes, %d alerts, opened for a report", n, unindexed)
			}

			// Opening the case brings the index level with the database.
			c, err = service.Open(caseDir)
			if err != nil {
				t.Fatal(err)
			}
			if n, total := termIndexes(), alerts(c); n != 9 || total != unindexed {
				t.Fatalf("opened: %d term indexes, %d alerts (%d without them)", n, total, unindexed)
			}
			res, err := c.Search(audit.Query{Limit: 1})
			if err != nil || int(res.Total) != stored {
				t.Fatalf("after the crash: %d events stored, %d searchable (%v)", stored, res.Total, err)
			}
			srcs, _ := c.Sources()
			c.Close()
			unfinished := 0
			for _, s := range srcs {
				if s.Failed == "import did not finish" {
					unfinished++
				}
			}
			if unfinished == 0 {
				t.Errorf("no source marked as unfinished after the kill")
			}

			// Running the import again adds exactly what is missing.
			out, err := cliCommand("import", "--case", caseDir, "--json", zip).Output()
			if err != nil {
				t.Fatalf("re-run: %v %s", err, out)
			}
			var sum struct{ Events, Duplicates int }
			if err := json.Unmarshal(out, &sum); err != nil || sum.Events != n-stored || sum.Duplicates != stored {
				t.Fatalf("re-run added %d events and found %d duplicates, want %d and %d (%v)", sum.Events, sum.Duplicates, n-stored, stored, err)
			}
			c, _ = service.Open(caseDir)
			defer c.Close()
			res, _ = c.Search(audit.Query{Limit: 1})
			if res.Total != n {
				t.Fatalf("after the re-run: %d events searchable, want %d (stored before: %d)", res.Total, n, stored)
			}
			t.Logf("killed at %d events with %d of %d stored; the re-run completed it", after, stored, n)
		})
	}
}

// waitStored waits until the import cmd runs has stored at least atLeast
// events in db, then kills it with SIGKILL and reaps it. It says false when
// the import exited first, or was still short of them after wait.
func waitStored(cmd *exec.Cmd, db string, atLeast int, wait time.Duration) bool {
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer func() { cmd.Process.Signal(syscall.SIGKILL); <-exited }()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		case <-time.After(10 * time.Millisecond):
		}
		if _, err := os.Stat(db); err != nil {
			continue // not made yet (and sql.Open would make it)
		}
		if countEvents(db) >= atLeast {
			return true
		}
	}
	return false
}

// countEvents counts the events committed in db, -1 before it has the table.
func countEvents(path string) int {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(1000)")
	if err != nil {
		return -1
	}
	defer db.Close()
	n := -1
	if db.QueryRow("SELECT count(*) FROM events").Scan(&n) != nil {
		return -1
	}
	return n
}
