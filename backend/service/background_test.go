package service

import (
	"context"
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
	job, err := c.StartDemo(events, 3)
	if err != nil {
		t.Fatal(err)
	}
	for mustSearch(t, c, audit.Query{Limit: 1}).Total == 0 {
		time.Sleep(20 * time.Millisecond)
	}
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
	if c.caughtUp != 0 {
		t.Errorf("the index missed %d events stored before the stop", c.caughtUp)
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
	if err == nil || !strings.Contains(err.Error(), "report stopped") || !strings.Contains(err.Error(), "the case was closed") {
		t.Fatalf("report with an ended context: %v", err)
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "*")); len(matches) != 0 {
		t.Fatalf("a stopped report left %v", matches)
	}
}
