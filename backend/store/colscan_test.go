package store

import (
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// A selection counted, faceted and put on the timeline from the columns
// gets what its rows give: for filters of every kind (a term, a pattern,
// and, or, not, a value no event has), over ranges open, partial, cut
// inside an hour and holding nothing, with the ids in 16 bits and in 32,
// and after more events are stored.
func TestColumnsCountAsTheRows(t *testing.T) { narrowAndWidened(t, columnsCountAsTheRows) }

func columnsCountAsTheRows(t *testing.T, wide bool) {
	s := open(t, filepath.Join(t.TempDir(), "case.db"))
	defer s.Close()
	src := newSource(t, s, "/evidence/c.json")
	base := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	at := func(i int) time.Time {
		return base.Add(time.Duration(i*i) * 37 * time.Second / 10).Add(time.Duration(i) * time.Nanosecond)
	}
	insert := func(from, to int) {
		insertTestEvents(t, s, src.ID, from, to, at, func(i int) string { return []string{"success", "failure", "unknown"}[i%5%3] })
	}
	insert(0, 90)
	if _, err := s.SetTag("e3", "Starred", false); err != nil {
		t.Fatal(err)
	}
	term := func(f, v string) *Filter { return &Filter{Op: OpTerm, Field: f, Value: v} }
	filters := []*Filter{
		{Op: OpAll},
		term("category", "alert"),
		term("action", "none"),
		{Op: OpTerm, Field: "action", Pattern: regexp.MustCompile(`^act[1-3]$`)},
		{Op: OpAnd, Kids: []*Filter{term("category", "alert"), term("outcome", "failure")}},
		{Op: OpOr, Kids: []*Filter{term("actor.email", "user1@x.io"), term("ip", "10.0.0.2")}},
		{Op: OpAnd, Kids: []*Filter{{Op: OpNot, Kids: []*Filter{term("actor.label", "user2@x.io")}}}},
		{Op: OpAnd, Kids: []*Filter{{Op: OpOr, Kids: []*Filter{term("action", "act2"), term("outcome", "unknown")}},
			{Op: OpNot, Kids: []*Filter{term("category", "change")}}}},
	}
	end := at(89).Add(time.Nanosecond)
	ranges := [][2]time.Time{
		{},
		{base.Add(17 * time.Minute), base.Add(5*time.Hour + 3*time.Second)},
		{at(40), {}},
		{{}, at(60)},
		{end, end.Add(time.Hour)},
	}
	edges := func(from, to time.Time) []time.Time {
		if from.IsZero() {
			from = base
		}
		if to.IsZero() {
			to = end
		}
		var out []time.Time
		for e := from; e.Before(to); e = e.Add(47 * time.Minute) {
			out = append(out, e)
		}
		return append(out, to)
	}
	answer := func(policy int, f *Filter, r [2]time.Time) string {
		scanPolicy = policy
		x, err := s.Select(Selection{Filter: f, From: r[0], To: r[1]})
		if err != nil {
			t.Fatal(err)
		}
		n, err := x.Count()
		if err != nil {
			t.Fatal(err)
		}
		fc, err := x.Facets(append([]string{"tag"}, TermFields...), 3)
		if err != nil {
			t.Fatal(err)
		}
		out := fmt.Sprint(n, fc)
		for _, stack := range []string{"", "category", "outcome"} {
			for _, e := range [][]time.Time{edges(r[0], r[1]), {base.Add(-time.Hour), base.Add(2 * time.Hour), base.Add(30 * time.Hour)}} {
				h, err := x.Histogram(e, stack)
				if err != nil {
					t.Fatal(err)
				}
				out += fmt.Sprint(" ", stack, h)
			}
		}
		return out
	}
	check := func() int {
		matched := 0
		for _, f := range filters {
			for _, r := range ranges {
				want, got := answer(scanRows, f, r), answer(scanColumns, f, r)
				if got != want {
					t.Fatalf("%+v in %v:\ncolumns %s\nrows    %s", f, r, got, want)
				}
				if want[0] != '0' {
					matched++
				}
			}
		}
		return matched
	}
	if n := check(); n < 25 {
		t.Fatalf("only %d filter and range pairs match events", n)
	}
	insert(90, 100) // read by the next scan
	check()
	if s.columns.n != 100 || (s.columns.wide != nil) != wide {
		t.Fatalf("%d events loaded, ids in 32 bits: %v, want 100, %v", s.columns.n, s.columns.wide != nil, wide)
	}
}
