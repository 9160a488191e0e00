package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/report"
)

// Closing a case while the UI's import runs stops the import at its next
// batch: the case reopens consistent (database, index, sources and the
// activity log agree on what was stored).
func TestClosingStopsABackgroundImport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "case")
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	const events = 60000
	job := startDemoStoring(t, c, events, 3)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	j, _ := c.Job(job.ID)
	if j.State != "failed" || !strings.Contains(j.Error, "the case was closed") {
		t.Fatalf("job after Close: %s %q, want failed because the case was closed", j.State, j.Error)
	}

	c, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.caughtUp.Load() != 0 {
		t.Errorf("the index missed %d events stored before the stop", c.caughtUp.Load())
	}
	sources, err := c.Sources()
	if err != nil {
		t.Fatal(err)
	}
	stored, stopped := 0, 0
	for _, s := range sources {
		stored += s.Events
		if strings.Contains(s.Failed, "stopped") {
			stopped++
		}
	}
	if stored == 0 || stored >= events || stopped == 0 {
		t.Fatalf("sources count %d events (%d stopped sources), want some but not all %d", stored, stopped, events)
	}
	db := mustSearch(t, c, audit.Query{Limit: 1}).Total
	c.indexOnly = true
	idx := mustSearch(t, c, audit.Query{Limit: 1}).Total
	if int(db) != stored || int(idx) != stored {
		t.Fatalf("database %d, index %d, sources %d events: they must agree", db, idx, stored)
	}
	log, _, err := c.ActivityLog()
	if err != nil {
		t.Fatal(err)
	}
	last := log[len(log)-1]
	if last.Kind != "import" || !strings.Contains(string(last.Detail), "stopped") {
		t.Fatalf("last activity %s %s, want the stopped import", last.Kind, last.Detail)
	}
}

// A report whose context ends stops with that cause and leaves no file.
func TestReportStopsWithItsContext(t *testing.T) {
	c := openTemp(t)
	job, err := c.StartDemo(3000, 1)
	if err != nil {
		t.Fatal(err)
	}
	for j, _ := c.Job(job.ID); j.State == "running"; j, _ = c.Job(job.ID) {
		time.Sleep(20 * time.Millisecond)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errClosed)
	out := filepath.Join(t.TempDir(), "r.xlsx")
	err = c.writeReport(ctx, audit.Query{}, report.Options{}, out, nil)
	if err == nil || !strings.Contains(err.Error(), "stopped before its end") || !strings.Contains(err.Error(), "the case was closed") {
		t.Fatalf("report with an ended context: %v", err)
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "*")); len(matches) != 0 {
		t.Fatalf("a stopped report left %v", matches)
	}
}

// StopImport ends one import as "stopped" with what it stored counted; the
// same archive imported again completes the case. StopReport ends a report
// with no file left.
func TestStopImportAndReport(t *testing.T) {
	c := openTemp(t)
	const events = 20000
	job := startDemoStoring(t, c, events, 4)
	if _, err := c.StopImport(job.ID); err != nil {
		t.Fatal(err)
	}
	j := waitJob(t, c, job.ID)
	if j.State != "stopped" || !strings.Contains(j.Error, "stopped by the user") {
		t.Fatalf("stopped job: %s %q", j.State, j.Error)
	}
	stored := mustSearch(t, c, audit.Query{Limit: 1}).Total
	if j.Progress.Events != int(stored) || stored == 0 || stored >= events {
		t.Fatalf("the job says %d events, the case holds %d (of %d)", j.Progress.Events, stored, events)
	}
	if again, err := c.StopImport(job.ID); err != nil || again.State != "stopped" {
		t.Fatalf("stopping an ended import: %v %v", again, err)
	}
	if _, err := c.StopImport("import-99"); audit.ErrorCode(err) != audit.ENOTFOUND {
		t.Fatalf("stopping an unknown import: %v", err)
	}
	rest := waitJob(t, c, c.StartImport(j.Paths, "").ID)
	if rest.State != "done" || rest.Summary.Events+rest.Summary.Duplicates != events || rest.Summary.Duplicates != int(stored) {
		t.Fatalf("importing the archive again: %s, %+v", rest.State, rest.Summary)
	}

	rj, err := c.StartReport(audit.Query{}, report.Options{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StopReport(rj.ID); err != nil {
		t.Fatal(err)
	}
	for rj.State == "running" {
		time.Sleep(20 * time.Millisecond)
		if rj, err = c.ReportJob(rj.ID); err != nil {
			t.Fatal(err)
		}
	}
	if rj.State != "stopped" || !strings.Contains(rj.Error, "stopped by the user") || rj.Written >= events {
		t.Fatalf("stopped report: %s %q after %d events", rj.State, rj.Error, rj.Written)
	}
	if left, _ := os.ReadDir(filepath.Dir(rj.Path)); len(left) != 0 {
		t.Fatalf("a stopped report left %v", left)
	}
	if _, err := c.StopReport("report-99"); audit.ErrorCode(err) != audit.ENOTFOUND {
		t.Fatalf("stopping an unknown report: %v", err)
	}
}

// startDemoStoring starts a demo import and returns once it has stored
// its first events.
func startDemoStoring(t *testing.T, c *Case, events int, seed uint64) *ImportJob {
	t.Helper()
	job, err := c.StartDemo(events, seed)
	if err != nil {
		t.Fatal(err)
	}
	for mustSearch(t, c, audit.Query{Limit: 1}).Total == 0 {
		time.Sleep(20 * time.Millisecond)
	}
	return job
}

func waitJob(t *testing.T, c *Case, id string) *ImportJob {
	t.Helper()
	for {
		j, ok := c.Job(id)
		if !ok {
			t.Fatalf("no job %s", id)
		}
		if j.State != "running" {
			return j
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Progress counts what a file still being read has stored: one big file
// does not show 0 events until its end.
func TestProgressWithinOneFile(t *testing.T) {
	c := openTemp(t)
	f := filepath.Join(t.TempDir(), "one.ndjson")
	var b strings.Builder
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, `{"time":"2026-01-01T00:%02d:%02dZ","user":"u%d","action":"a.b"}`+"\n", i/60%60, i%60, i)
	}
	b.WriteString(`{"time":"2026-01-01T00:00:00Z","user":"u0","action":"a.b"}` + "\n{broken\n") // a duplicate, a rejected one
	os.WriteFile(f, []byte(b.String()), 0o644)
	var seen []ImportProgress
	sum, err := c.Import([]string{f}, ImportOptions{Progress: func(p ImportProgress) { seen = append(seen, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 3 || seen[0].Events == 0 || seen[0].Sources != 0 {
		t.Fatalf("progress while the one file was read: %+v", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Events < seen[i-1].Events {
			t.Fatalf("progress went back: %+v", seen)
		}
	}
	last := seen[len(seen)-1]
	if last.Events != sum.Events || sum.Events != 5000 || last.Duplicates != 1 || last.Rejected != 1 {
		t.Fatalf("last progress %+v, summary %d events", last, sum.Events)
	}
}
