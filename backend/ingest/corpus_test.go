package ingest

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestCorpusImport imports ../shared/corpus whole: every file must be read,
// and at least 95% of the events must have time, actor and action.
func TestCorpusImport(t *testing.T) {
	dir := corpusDir(t)
	h, errs := importPaths(t, Options{}, dir)
	for _, e := range errs {
		t.Errorf("path failed: %v", e)
	}
	total, filled := 0, 0
	perFormat := map[string][2]int{}
	for _, ev := range h.events {
		total++
		ok := !ev.Time.IsZero() && !ev.Actor.Empty() && ev.Action != ""
		c := perFormat[ev.Format]
		c[0]++
		if ok {
			filled++
			c[1]++
		} else {
			t.Logf("incomplete %s event: actor=%+v action=%q raw=%.200s", ev.Format, ev.Actor, ev.Action, ev.Raw)
		}
		perFormat[ev.Format] = c
	}
	var lines []string
	for f, c := range perFormat {
		lines = append(lines, fmt.Sprintf("%-24s %4d events, %4d filled", f, c[0], c[1]))
	}
	sort.Strings(lines)
	t.Logf("corpus: %d events\n%s", total, strings.Join(lines, "\n"))
	for _, s := range h.sources {
		if s.Rejected > 0 || s.Failed != "" {
			t.Logf("%s %s [%s]: %d events, %d rejected %v %s", s.Path[len(dir):], s.Member, s.Format, s.Events, s.Rejected, s.Errors, s.Failed)
		}
	}
	if total < 850 {
		t.Errorf("only %d events read from the corpus", total)
	}
	if share := float64(filled) / float64(total); share < 0.95 {
		t.Errorf("time/actor/action filled for %.1f%% of events, want >= 95%%", share*100)
	}
}
